//! The directory page: the town's directory of public services (how many of each kind), and its
//! import from the open-data files towns already have (the national town-hall directory as CSV,
//! the sports-facilities census as GeoJSON, or a JSON list of services; see
//! [`crate::directory`]), as `relais-server import-directory` does. The import runs as a job
//! with its progress ([`super::job`]), one step per file and one to store them: an entry is
//! added, or replaces the entry of the same id; entries missing from the files are kept
//! (citizens' ratings refer to them).

use std::collections::BTreeMap;
use std::path::Path;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use relais_protocol::{LocalizedText, PublicService};
use relais_server_database::Database;

use super::job::{ImportForm, started};
use super::{AdminPage, refusal_text, refused};
use crate::backoffice::imports;
use crate::backoffice::lang::Lang;
use crate::backoffice::session::Staff;
use crate::backoffice::upload::SentFile;
use crate::directory::{self, Format};
use crate::router::AppState;
use crate::staff::admin::import_directory;
use crate::town::Town;

const HERE: &str = "/admin/directory";

/// The page.
pub struct Page;

super::page_handler!(
    "backoffice_admin_directory",
    " An admin page: the directory of public services and the form that imports it from open-data files."
);

impl AdminPage for Page {
    const HERE: &'static str = HERE;
    const TITLE: (&'static str, &'static str) = (
        "Annuaire des services publics",
        "Directory of public services",
    );

    async fn content<DB: Database>(
        state: &AppState<DB>,
        staff: &Staff,
        _town: &Town,
    ) -> Result<Markup, Response> {
        let lang = staff.lang;
        let tenant = staff.member.tenant.clone().unwrap_or_default();
        let services = match state.db.directory(&tenant).await {
            Ok(directory) => directory.map(|d| d.services).unwrap_or_default(),
            Err(error) => return Err(crate::error::ApiFailure::from(error).into_response()),
        };
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for service in &services {
            *kinds
                .entry(lang.pick(&service.kind).to_owned())
                .or_default() += 1;
        }
        Ok(html! {
            div.columns.even {
                div.panel {
                    h2 { (lang.choose("Importer des fichiers de données ouvertes", "Import open-data files")) }
                    p.meta { (lang.choose(
                        "L'annuaire national des mairies (CSV), le recensement des équipements sportifs (GeoJSON) ou une liste JSON de services. Une entrée de même identifiant est remplacée ; celles absentes des fichiers sont gardées.",
                        "The national town-hall directory (CSV), the sports-facilities census (GeoJSON) or a JSON list of services. An entry with the same id is replaced; those missing from the files are kept.",
                    )) }
                    form.stack method="post" action=(HERE) enctype="multipart/form-data" {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        label for="directory-files" { (lang.choose("Fichiers", "Files")) }
                        input #directory-files type="file" name="files" multiple required accept=".csv,.geojson,.json";
                        label for="departement" { (lang.choose("Département des mairies à garder (facultatif, pour l'annuaire national)", "Département of the town halls to keep (optional, for the national directory)")) }
                        input #departement name="departement" size="4";
                        p { button.primary type="submit" { (lang.choose("Importer", "Import")) } }
                    }
                }
                div.panel.scroll {
                    h2 { (lang.choose("Services par type", "Services by kind")) " (" (services.len()) ")" }
                    table #directory-kinds {
                        thead { tr {
                            th scope="col" { (lang.choose("Type", "Kind")) }
                            th.num scope="col" { (lang.choose("Services", "Services")) }
                        } }
                        tbody {
                            @for (kind, count) in &kinds {
                                tr { td { (kind) } td.num { (count) } }
                            }
                        }
                    }
                }
            }
        })
    }
}

/// The directory's import form, as the OpenAPI document describes it ([`post`] reads it with
/// [`super::job::ImportForm`]).
#[derive(utoipa::ToSchema)]
#[schema(as = backoffice::DirectoryForm)]
#[allow(dead_code)]
pub struct DirectoryForm {
    /// The session's CSRF token.
    csrf: String,
    /// The open-data files (CSV, GeoJSON or JSON), the field repeated.
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<Vec<u8>>,
    /// The département whose town halls to keep (for the national directory).
    departement: Option<String>,
}

/// The import form (`multipart/form-data`): `csrf`, the `files`, and an optional
/// `departement`. Starts the import job and answers with its page.
#[utoipa::path(
    post,
    path = HERE,
    operation_id = "backoffice_admin_import_directory",
    tag = "back office",
    request_body(content = DirectoryForm, content_type = "multipart/form-data"),
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
    let departement = Some(sent.text("departement").trim().to_owned()).filter(|d| !d.is_empty());
    let files: Vec<SentFile> = sent
        .files
        .into_iter()
        .filter(|f| f.field == "files")
        .collect();
    if files.is_empty() {
        let text = lang.choose(
            "Choisissez au moins un fichier.",
            "Choose at least one file.",
        );
        return refused::<DB, Page>(&state, staff, text).await;
    }
    let db = state.db.clone();
    let tenant = admin.tenant().to_owned();
    let steps = u32::try_from(files.len())
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let job = imports::start(
        &state.db,
        &tenant,
        LocalizedText::new("annuaire des services", "directory of services"),
        HERE,
        steps,
        move |reporter| async move {
            let mut services: Vec<PublicService> = Vec::new();
            for file in files {
                reporter.step(LocalizedText::new(
                    format!("Lecture de « {} »", file.name),
                    format!("Reading \"{}\"", file.name),
                )).await;
                services.extend(read(&file, departement.as_deref())?);
            }
            directory::check(&services).map_err(|error| refusal(&error.to_string()))?;
            let total = services.len();
            reporter.step(LocalizedText::new(
                format!("Enregistrement de {total} service(s)"),
                format!("Storing {total} service(s)"),
            )).await;
            match import_directory(&db, &admin, services).await {
                Ok(import) => Ok(LocalizedText::new(
                    format!(
                        "{total} entrée(s) lue(s) : {} ajoutée(s), {} modifiée(s), {} inchangée(s).",
                        import.added, import.updated, import.unchanged
                    ),
                    format!(
                        "{total} entries read: {} added, {} updated, {} unchanged.",
                        import.added, import.updated, import.unchanged
                    ),
                )),
                Err(refused) => Err(LocalizedText::new(
                    refusal_text(Lang::Fr, &refused),
                    refusal_text(Lang::En, &refused),
                )),
            }
        },
    )
    .await;
    started::<DB, Page>(job, &state, staff).await
}

/// The checked entries of one file, its format told by its name, else by its content.
fn read(file: &SentFile, departement: Option<&str>) -> Result<Vec<PublicService>, LocalizedText> {
    let text = std::str::from_utf8(&file.bytes)
        .map_err(|_| refusal(&format!("{}: not UTF-8 text", file.name)))?;
    let format = Format::detect(Path::new(&file.name), text);
    let services = directory::parse(format, text, departement)
        .and_then(|services| directory::check(&services).map(|()| services))
        .map_err(|error| refusal(&format!("{}: {error}", file.name)))?;
    Ok(services)
}

/// Files refused: nothing was changed.
fn refusal(detail: &str) -> LocalizedText {
    LocalizedText::new(
        format!("Fichiers refusés, rien n'a été modifié : {detail}"),
        format!("Files refused, nothing was changed: {detail}"),
    )
}
