//! The operator's page: the towns this server serves (an IT syndicate runs one server for
//! several towns), each with its services, categories and zones, and a form to create a town
//! from its files or update it (the `tenant.json` and `zones.geojson` of `server/seed/README.md`,
//! as `relais-server tenant add` reads them), confirmed with a ticked box as it replaces a town
//! of the same code.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use relais_server_database::Database;
use serde::Deserialize;

use super::admin::{Done, confirm_box, refusal_text};
use super::layout::{notice, page};
use super::session::Staff;
use super::{bad_request, forbidden};
use crate::router::AppState;
use crate::staff::admin::{Operator, Refusal, store_town};

pub const HERE: &str = "/towns";

fn operator_of(staff: &Staff) -> Option<Operator> {
    Operator::of(&staff.member)
}

async fn render<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    shown: Option<(&str, bool)>,
) -> Response {
    let lang = staff.lang;
    let failure = |e| crate::error::ApiFailure::from(e).into_response();
    let tenants = match state.db.tenants().await {
        Ok(tenants) => tenants,
        Err(error) => return failure(error),
    };
    let mut rows = Vec::new();
    for tenant in tenants {
        match state.towns.get(&state.db, &tenant.id).await {
            Ok(town) => rows.push((tenant, town)),
            Err(error) => return failure(error),
        }
    }
    let title = lang.choose("Villes du serveur", "Towns of this server");
    page(
        lang,
        Some(staff),
        HERE,
        title,
        html! {
            h1 { (title) }
            @if let Some((text, error)) = shown { (notice(text, error)) }
            div.columns {
                div.panel.scroll {
                    table {
                        thead { tr {
                            th scope="col" { (lang.choose("Code", "Code")) }
                            th scope="col" { (lang.choose("Nom", "Name")) }
                            th.num scope="col" { (lang.choose("Services", "Services")) }
                            th.num scope="col" { (lang.choose("Catégories", "Categories")) }
                            th.num scope="col" { (lang.choose("Zones", "Zones")) }
                            th.num scope="col" { (lang.choose("Version du catalogue", "Catalogue version")) }
                        } }
                        tbody {
                            @for (tenant, town) in &rows {
                                tr {
                                    td { code { (tenant.id) } }
                                    td { (tenant.name) }
                                    @if let Some(town) = town {
                                        td.num { (town.catalogue.services.len()) }
                                        td.num { (town.catalogue.categories.len()) }
                                        td.num { (town.catalogue.zones.len()) }
                                        td.num { (town.version()) }
                                    } @else {
                                        td colspan="4" { "—" }
                                    }
                                }
                            }
                        }
                    }
                }
                div.panel {
                    h2 { (lang.choose("Créer ou mettre à jour une ville", "Create or update a town")) }
                    p.meta { (lang.choose(
                        "Les fichiers de la ville, au format de server/seed/README.md. Une ville de même code est mise à jour ; ses signalements restent.",
                        "The town's files, in the format of server/seed/README.md. A town with the same code is updated; its reports stay.",
                    )) }
                    form.stack method="post" action=(HERE) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        label for="tenant-json" { "tenant.json" }
                        textarea.code #tenant-json name="tenant_json" rows="8" required {}
                        label for="zones-geojson" { "zones.geojson" }
                        textarea.code #zones-geojson name="zones_geojson" rows="8" required {}
                        (confirm_box("town-confirm", lang.choose(
                            "Je confirme : une ville de même code sera mise à jour",
                            "I confirm: a town with the same code will be updated",
                        )))
                        p { button.primary type="submit" { (lang.choose("Enregistrer la ville", "Store the town")) } }
                    }
                }
            }
        },
    )
    .into_response()
}

/// The operator's page of the server's towns, and the form that stores one.
#[utoipa::path(
    get,
    path = HERE,
    operation_id = "backoffice_towns",
    tag = "back office",
    params(Done),
    responses(
        (status = 200, description = "The towns", body = String, content_type = "text/html; charset=utf-8"),
        crate::openapi::PageRefusals,
    ),
    security(("session" = [])),
)]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    if operator_of(&staff).is_none() {
        return forbidden(staff.lang);
    }
    render(&state, &staff, done.notice(staff.lang)).await
}

/// A town to store (created, or replaced), as the operator's form sends it.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::TownForm)]
pub struct TownForm {
    /// The session's CSRF token.
    #[serde(default)]
    csrf: String,
    /// The town's definition (JSON).
    tenant_json: String,
    /// Its zones (a GeoJSON FeatureCollection).
    zones_geojson: String,
    /// `yes`: the confirmation box ticked.
    #[serde(default)]
    confirm: String,
}

/// Stores a town (the operator only).
#[utoipa::path(
    post,
    path = HERE,
    operation_id = "backoffice_store_town",
    tag = "back office",
    request_body(content = TownForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (
            status = 303,
            description = "Stored: to the towns page; or no live session: to the login page",
            headers(("Location" = String, description = "`/towns?done=1` or `/login`")),
        ),
        crate::openapi::FormRefusals,
    ),
    security(("session" = [])),
)]
pub async fn post<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Form(form): Form<TownForm>,
) -> Response {
    let Some(operator) = operator_of(&staff).filter(|_| staff.checks(&form.csrf)) else {
        return forbidden(staff.lang);
    };
    if form.confirm != "yes" {
        return bad_request(staff.lang, "confirmation manquante", "confirmation missing");
    }
    match store_town(
        &state.db,
        &state.towns,
        &operator,
        &form.tenant_json,
        &form.zones_geojson,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("{HERE}?done=1")).into_response(),
        Err(Refusal::Db(error)) => crate::error::ApiFailure::from(error).into_response(),
        Err(refusal) => {
            let text = refusal_text(staff.lang, &refusal);
            let page = render(&state, &staff, Some((&text, true))).await;
            (StatusCode::BAD_REQUEST, page).into_response()
        }
    }
}
