//! The zones page: the town's zones at every level with the map of their outlines, and the
//! import of zones from a GeoJSON FeatureCollection (properties `code`, `name`, `kind`, `parent`),
//! the format of the town's `zones.geojson`: each zone is added, or replaces the zone of the same
//! code. Reports already received keep the zones they were placed in.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use relais_server_database::Database;
use serde::Deserialize;

use super::{Done, admin_of, admin_page, answer};
use crate::backoffice::map;
use crate::backoffice::session::Staff;
use crate::backoffice::{forbidden, town_of};
use crate::router::AppState;
use crate::staff::admin::{TownEdit, edit_town};

const HERE: &str = "/admin/zones";

async fn render<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    shown: Option<(&str, bool)>,
) -> Response {
    let lang = staff.lang;
    let town = match town_of(state, staff).await {
        Ok(town) => town,
        Err(response) => return response,
    };
    let title = lang.choose("Zones", "Zones");
    let zones = &town.catalogue.zones;
    admin_page(
        staff,
        HERE,
        title,
        shown,
        html! {
            div.columns.even {
                div {
                    div.panel {
                        h2 { (lang.choose("Importer des zones (GeoJSON)", "Import zones (GeoJSON)")) }
                        p.meta { (lang.choose(
                            "Une FeatureCollection de polygones, propriétés code, name, kind et parent (facultatif). Une zone de même code est remplacée.",
                            "A FeatureCollection of polygons, properties code, name, kind and parent (optional). A zone with the same code is replaced.",
                        )) }
                        form.stack method="post" action=(HERE) {
                            input type="hidden" name="csrf" value=(staff.csrf);
                            label for="geojson" { "GeoJSON" }
                            textarea.code #geojson name="geojson" rows="8" required {}
                            p { button.primary type="submit" { (lang.choose("Importer", "Import")) } }
                        }
                    }
                    div.panel.scroll {
                        table {
                            thead { tr {
                                th scope="col" { (lang.choose("Code", "Code")) }
                                th scope="col" { (lang.choose("Nom", "Name")) }
                                th scope="col" { (lang.choose("Niveau", "Level")) }
                                th scope="col" { (lang.choose("Dans", "Within")) }
                            } }
                            tbody {
                                @for zone in zones {
                                    tr {
                                        td { code { (zone.code) } }
                                        td { (zone.name) }
                                        td { (zone.kind) }
                                        td { (zone.parent.as_deref().unwrap_or("—")) }
                                    }
                                }
                            }
                        }
                    }
                }
                div.panel {
                    h2 { (lang.choose("Carte", "Map")) " (" (zones.len()) ")" }
                    (map::svg(&town, &[], lang))
                }
            }
        },
    )
    .into_response()
}

pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    if admin_of(&staff).is_none() {
        return forbidden(staff.lang);
    }
    render(&state, &staff, done.notice(staff.lang)).await
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csrf: String,
    geojson: String,
}

pub async fn post<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Form(form): Form<ImportForm>,
) -> Response {
    let Some(admin) = admin_of(&staff).filter(|_| staff.checks(&form.csrf)) else {
        return forbidden(staff.lang);
    };
    let result = edit_town(
        &state.db,
        &state.towns,
        &admin,
        TownEdit::Zones(form.geojson),
    )
    .await;
    answer(result, &staff, HERE, async |text| {
        render(&state, &staff, Some((&text, true))).await
    })
    .await
}
