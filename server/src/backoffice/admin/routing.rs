//! The routing page: each category's default service, the town's exceptions by zone (category ×
//! zone → service, the finest zone winning), a form to add or change one, and the removal of
//! one (confirmed). A change applies to reports received from then on.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use relais_server_database::Database;
use serde::Deserialize;

use super::{AdminPage, AdminStaff, answer, confirm_box};
use crate::backoffice::bad_request;
use crate::backoffice::inbox::{category_name, zone_name};
use crate::backoffice::session::Staff;
use crate::router::AppState;
use crate::staff::admin::set_route;
use crate::town::Town;

const HERE: &str = "/admin/routing";

/// The page.
pub struct Page;

super::page_handler!(
    "backoffice_admin_routing",
    " An admin page: the routing table (category × zone → service) and its exceptions' forms."
);

impl AdminPage for Page {
    const HERE: &'static str = HERE;
    const TITLE: (&'static str, &'static str) =
        ("Aiguillage des signalements", "Routing of reports");

    async fn content<DB: Database>(
        _state: &AppState<DB>,
        staff: &Staff,
        town: &Town,
    ) -> Result<Markup, Response> {
        let lang = staff.lang;
        let catalogue = &town.catalogue;
        let service = |code: &str| {
            town.service_name(code)
                .map_or_else(|| code.to_owned(), |n| lang.pick(n).to_owned())
        };
        Ok(html! {
            div.columns {
                div.panel.scroll {
                    h2 { (lang.choose("Exceptions par zone", "Exceptions by zone")) }
                    @if catalogue.routing.is_empty() {
                        p { (lang.choose("Aucune exception : chaque catégorie va à son service par défaut.",
                                         "No exception: each category goes to its default service.")) }
                    } @else {
                        table {
                            thead { tr {
                                th scope="col" { (lang.choose("Catégorie", "Category")) }
                                th scope="col" { (lang.choose("Zone", "Zone")) }
                                th scope="col" { (lang.choose("Service", "Service")) }
                                th scope="col" { (lang.choose("Retirer", "Remove")) }
                            } }
                            tbody {
                                @for (i, rule) in catalogue.routing.iter().enumerate() {
                                    tr {
                                        td { (category_name(town, &rule.category, lang)) }
                                        td { (zone_name(town, &rule.zone)) }
                                        td { (service(&rule.service)) }
                                        td {
                                            form method="post" action=(HERE) {
                                                input type="hidden" name="csrf" value=(staff.csrf);
                                                input type="hidden" name="category" value=(rule.category);
                                                input type="hidden" name="zone" value=(rule.zone);
                                                (confirm_box(&format!("remove-{i}"), lang.choose("Je confirme", "I confirm")))
                                                " "
                                                button type="submit" { (lang.choose("Retirer", "Remove")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    h2 { (lang.choose("Service par défaut de chaque catégorie", "Default service of each category")) }
                    table {
                        thead { tr {
                            th scope="col" { (lang.choose("Catégorie", "Category")) }
                            th scope="col" { (lang.choose("Service", "Service")) }
                        } }
                        tbody {
                            @for category in &catalogue.categories {
                                tr { td { (lang.pick(&category.name)) } td { (lang.pick(&category.service)) } }
                            }
                        }
                    }
                }
                div.panel {
                    h2 { (lang.choose("Ajouter ou changer une exception", "Add or change an exception")) }
                    form.stack method="post" action=(HERE) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        label for="category" { (lang.choose("Catégorie", "Category")) }
                        select #category name="category" required {
                            @for category in &catalogue.categories {
                                option value=(category.code) { (lang.pick(&category.name)) }
                            }
                        }
                        label for="zone" { (lang.choose("Zone", "Zone")) }
                        select #zone name="zone" required {
                            @for zone in &catalogue.zones {
                                option value=(zone.code) { (zone.name) }
                            }
                        }
                        label for="service" { (lang.choose("Service", "Service")) }
                        select #service name="service" required {
                            @for info in &catalogue.services {
                                option value=(info.code) { (lang.pick(&info.name)) }
                            }
                        }
                        p { button.primary type="submit" { (lang.choose("Enregistrer", "Save")) } }
                    }
                }
            }
        })
    }
}

/// With a `service`, sets the exception; without, removes it (the confirmation box ticked).
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::RouteForm)]
pub struct RouteForm {
    /// The session's CSRF token.
    #[serde(default)]
    csrf: String,
    /// The category's code.
    category: String,
    /// The zone's code.
    zone: String,
    /// The service's code (empty: remove the exception).
    #[serde(default)]
    service: String,
    /// `yes`: the removal confirmed.
    #[serde(default)]
    confirm: String,
}

/// Sets or removes an exception of the routing table.
#[utoipa::path(
    post,
    path = HERE,
    operation_id = "backoffice_admin_route",
    tag = "back office",
    request_body(content = RouteForm, content_type = "application/x-www-form-urlencoded"),
    responses(crate::openapi::AdminSaved, crate::openapi::FormRefusals),
    security(("session" = [])),
)]
pub async fn post<DB: Database>(
    State(state): State<AppState<DB>>,
    signed: AdminStaff,
    Form(form): Form<RouteForm>,
) -> Response {
    let staff = &signed.staff;
    let lang = staff.lang;
    let admin = match signed.changing(&form.csrf) {
        Ok(admin) => admin,
        Err(page) => return page.into_response(),
    };
    let service = Some(form.service).filter(|s| !s.is_empty());
    if service.is_none() && form.confirm != "yes" {
        return bad_request(lang, "confirmation manquante", "confirmation missing");
    }
    let result = set_route(
        &state.db,
        &state.towns,
        admin,
        &form.category,
        &form.zone,
        service,
    )
    .await;
    answer::<DB, Page>(result, &state, staff).await
}
