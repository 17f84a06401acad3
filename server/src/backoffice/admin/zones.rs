//! The zones page: the town's zones at every level with the map of their outlines, and the
//! import of zones from a GeoJSON FeatureCollection (properties `code`, `name`, `kind`, `parent`),
//! the format of the town's `zones.geojson`: each zone is added, or replaces the zone of the same
//! code. Reports already received keep the zones they were placed in. The GeoJSON comes as a
//! file or pasted; the import runs as a job with its progress ([`super::job`]) and asks for a
//! confirmation, as it replaces zones.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use relais_protocol::LocalizedText;
use relais_server_database::Database;

use super::job::{ImportForm, started};
use super::{AdminPage, confirm_box, refusal_text, refused};
use crate::backoffice::bad_request;
use crate::backoffice::imports;
use crate::backoffice::lang::Lang;
use crate::backoffice::map;
use crate::backoffice::session::Staff;
use crate::router::AppState;
use crate::staff::admin::{TownEdit, edit_town};
use crate::town::Town;

const HERE: &str = "/admin/zones";

/// The page.
pub struct Page;

super::page_handler!(
    "backoffice_admin_zones",
    " An admin page: the town's zones and the form that imports them (GeoJSON)."
);

impl AdminPage for Page {
    const HERE: &'static str = HERE;
    const TITLE: (&'static str, &'static str) = ("Zones", "Zones");

    async fn content<DB: Database>(
        _state: &AppState<DB>,
        staff: &Staff,
        town: &Town,
    ) -> Result<Markup, Response> {
        let lang = staff.lang;
        let zones = &town.catalogue.zones;
        Ok(html! {
            div.columns.even {
                div {
                    div.panel {
                        h2 { (lang.choose("Importer des zones (GeoJSON)", "Import zones (GeoJSON)")) }
                        p.meta { (lang.choose(
                            "Une FeatureCollection de polygones, propriétés code, name, kind et parent (facultatif). Une zone de même code est remplacée.",
                            "A FeatureCollection of polygons, properties code, name, kind and parent (optional). A zone with the same code is replaced.",
                        )) }
                        form.stack method="post" action=(HERE) enctype="multipart/form-data" {
                            input type="hidden" name="csrf" value=(staff.csrf);
                            label for="zones-file" { (lang.choose("Fichier GeoJSON", "GeoJSON file")) }
                            input #zones-file type="file" name="file" accept=".geojson,.json,application/geo+json,application/json";
                            label for="geojson" { (lang.choose("ou le GeoJSON collé ici", "or the GeoJSON pasted here")) }
                            textarea.code #geojson name="geojson" rows="6" {}
                            (confirm_box("zones-confirm", lang.choose(
                                "Je confirme : les zones de même code seront remplacées",
                                "I confirm: zones with the same code will be replaced",
                            )))
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
                    (map::svg(town, &[], lang))
                }
            }
        })
    }
}

/// The zones' import form, as the OpenAPI document describes it ([`post`] reads it with
/// [`super::job::ImportForm`]).
#[derive(utoipa::ToSchema)]
#[schema(as = backoffice::ZonesForm)]
#[allow(dead_code)]
pub struct ZonesForm {
    /// The session's CSRF token.
    csrf: String,
    /// A GeoJSON file of the zones (it wins over `geojson`).
    #[schema(value_type = Option<String>, format = Binary)]
    file: Option<Vec<u8>>,
    /// The zones as pasted GeoJSON.
    geojson: Option<String>,
    /// `yes`: the replacement of the town's zones confirmed.
    confirm: String,
}

/// The import form (`multipart/form-data`): `csrf`, the `file` or the pasted `geojson` (the
/// file wins), and `confirm=yes`. Starts the import job and answers with its page.
#[utoipa::path(
    post,
    path = HERE,
    operation_id = "backoffice_admin_import_zones",
    tag = "back office",
    request_body(content = ZonesForm, content_type = "multipart/form-data"),
    responses(
        (
            status = 303,
            description = "The import started: to its page; or no live session: to the login page",
            headers(("Location" = String, description = "`/admin/imports/{id}` or `/login`")),
        ),
        (status = 400, description = "The page again, or a page, saying what is wrong (a refused change, a missing confirmation); nothing changed", body = String, content_type = "text/html; charset=utf-8"),
        (status = 403, response = inline(crate::openapi::PageForbidden)),
        (status = 409, description = "The page again: another import of the town is under way; nothing started", body = String, content_type = "text/html; charset=utf-8"),
    ),
    security(("session" = [])),
)]
pub async fn post<DB: Database>(State(state): State<AppState<DB>>, form: ImportForm) -> Response {
    let ImportForm { staff, admin, sent } = form;
    let staff = &staff;
    let lang = staff.lang;
    if sent.text("confirm") != "yes" {
        return bad_request(lang, "confirmation manquante", "confirmation missing");
    }
    let geojson = match sent.files("file").next() {
        Some(file) => match String::from_utf8(file.bytes.to_vec()) {
            Ok(text) => text,
            Err(_) => {
                let text = lang.choose(
                    "Le fichier n'est pas du texte UTF-8 : ce n'est pas du GeoJSON.",
                    "The file is not UTF-8 text: it is not GeoJSON.",
                );
                return refused::<DB, Page>(&state, staff, text).await;
            }
        },
        None => sent.text("geojson").to_owned(),
    };
    if geojson.trim().is_empty() {
        let text = lang.choose(
            "Choisissez un fichier ou collez du GeoJSON.",
            "Choose a file or paste GeoJSON.",
        );
        return refused::<DB, Page>(&state, staff, text).await;
    }
    let (db, towns) = (state.db.clone(), state.towns.clone());
    let tenant = admin.tenant().to_owned();
    let job = imports::start(
        &state.db,
        &tenant,
        LocalizedText::new("zones", "zones"),
        HERE,
        2,
        move |reporter| async move {
            reporter
                .step(LocalizedText::new("Lecture du fichier", "Reading the file"))
                .await;
            let features = feature_count(&geojson).ok_or_else(|| {
                LocalizedText::new(
                    "Ce n'est pas une FeatureCollection GeoJSON ; rien n'a été modifié.",
                    "This is not a GeoJSON FeatureCollection; nothing was changed.",
                )
            })?;
            reporter
                .step(LocalizedText::new(
                    format!("Vérification et enregistrement de {features} zone(s)"),
                    format!("Checking and storing {features} zone(s)"),
                ))
                .await;
            match edit_town(&db, &towns, &admin, TownEdit::Zones(geojson)).await {
                Ok(()) => Ok(LocalizedText::new(
                    format!("{features} zone(s) importée(s)."),
                    format!("{features} zone(s) imported."),
                )),
                Err(refusal) => Err(LocalizedText::new(
                    refusal_text(Lang::Fr, &refusal),
                    refusal_text(Lang::En, &refusal),
                )),
            }
        },
    )
    .await;
    started::<DB, Page>(job, &state, staff).await
}

/// The number of features of a GeoJSON FeatureCollection; `None` when it is not one.
fn feature_count(geojson: &str) -> Option<usize> {
    let value: serde_json::Value = serde_json::from_str(geojson).ok()?;
    (value.get("type")?.as_str()? == "FeatureCollection")
        .then(|| value.get("features")?.as_array().map(Vec::len))
        .flatten()
}
