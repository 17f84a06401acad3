//! The page of one import job ([`crate::backoffice::imports`]): what is imported, the step under
//! way and a progress bar, reloaded by the browser every second (a `Refresh` header, no script)
//! until the job has finished; then what the import did, or why nothing changed, and the way
//! back to the page that started it.

use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::HeaderName;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use relais_server_database::{Database, DbResult};
use uuid::Uuid;

use super::{AdminPage, AdminStaff, admin_page, refused};
use crate::backoffice::imports;
use crate::backoffice::layout::notice;
use crate::backoffice::session::Staff;
use crate::backoffice::upload::Sent;
use crate::backoffice::{bad_request, message};
use crate::router::AppState;
use crate::staff::admin::Admin;

/// Where the job pages are.
pub const HERE: &str = "/admin/imports";

/// An import form (`multipart/form-data`, files included), read whole, sent by an admin of the
/// town whose session's CSRF token it carries; anything else is answered here.
pub struct ImportForm {
    pub staff: Staff,
    pub admin: Admin,
    pub sent: Sent,
}

impl<DB: Database> FromRequest<AppState<DB>> for ImportForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState<DB>) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let signed = AdminStaff::from_request_parts(&mut parts, state).await?;
        let unreadable =
            || bad_request(signed.staff.lang, "formulaire illisible", "unreadable form");
        let multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| unreadable())?;
        let sent = Sent::read(multipart).await.map_err(|_| unreadable())?;
        let admin = signed
            .changing(sent.text("csrf"))
            .map_err(IntoResponse::into_response)?
            .clone();
        Ok(Self {
            staff: signed.staff,
            admin,
            sent,
        })
    }
}

/// The answer to a form that started an import from page `P`: its job's page, or page `P` again
/// when another import of the town is under way (nothing started).
pub(super) async fn started<DB: Database, P: AdminPage>(
    job: DbResult<Option<Uuid>>,
    state: &AppState<DB>,
    staff: &Staff,
) -> Response {
    match job {
        Ok(Some(id)) => Redirect::to(&format!("{HERE}/{id}")).into_response(),
        Err(error) => {
            tracing::error!(%error, "could not record an import job");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Ok(None) => {
            let text = staff.lang.choose(
                "Une importation est déjà en cours dans votre ville : attendez qu'elle se termine.",
                "An import is already under way in your town: wait until it has finished.",
            );
            let mut page = refused::<DB, P>(state, staff, text).await;
            *page.status_mut() = StatusCode::CONFLICT;
            page
        }
    }
}

/// The page of an import under way (reloaded every second by its `Refresh` header), or of its
/// outcome.
#[utoipa::path(
    get,
    path = "/admin/imports/{id}",
    operation_id = "backoffice_admin_import",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The import's id")),
    responses(
        (
            status = 200,
            description = "The import's page",
            body = String,
            content_type = "text/html; charset=utf-8",
            headers(("Refresh" = String, description = "`1` while the import is under way")),
        ),
        crate::openapi::PageRefusals,
        (status = 404, description = "No such import in the town, or it finished more than an hour ago", body = String, content_type = "text/html; charset=utf-8"),
    ),
    security(("session" = [])),
)]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    signed: AdminStaff,
    Path(id): Path<Uuid>,
) -> Response {
    let staff = &signed.staff;
    let lang = staff.lang;
    let progress = match imports::progress(&state.db, signed.admin.tenant(), id).await {
        Ok(progress) => progress,
        Err(error) => {
            tracing::error!(%error, "could not read an import job");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Some(progress) = progress else {
        return message(
            lang,
            StatusCode::NOT_FOUND,
            lang.choose("Importation inconnue", "Unknown import"),
            lang.choose(
                "Cette importation n'existe pas, ou elle s'est terminée il y a plus d'une heure.",
                "This import does not exist, or it finished more than an hour ago.",
            ),
        );
    };
    let title = format!(
        "{} {}",
        lang.choose("Importation :", "Import:"),
        lang.pick(&progress.what)
    );
    let page = admin_page(
        staff,
        &format!("{HERE}/{id}"),
        &title,
        None,
        html! {
            div.panel #import-job data-finished=(progress.outcome.is_some()) {
                p #import-step { (lang.pick(&progress.doing)) }
                label for="import-progress" {
                    (lang.choose("Étapes terminées", "Steps done")) " : " (progress.done) " / " (progress.steps)
                }
                progress #import-progress max=(progress.steps) value=(progress.done) {
                    (progress.done) " / " (progress.steps)
                }
                @match &progress.outcome {
                    None => p.meta { (lang.choose("Cette page se met à jour toute seule.", "This page updates itself.")) },
                    Some(Ok(done)) => (notice(lang.pick(done), false)),
                    Some(Err(why)) => (notice(lang.pick(why), true)),
                }
                @if progress.outcome.is_some() {
                    p { a href=(&progress.page) { (lang.choose("Retour", "Back")) } }
                }
            }
        },
    );
    if progress.outcome.is_some() {
        page.into_response()
    } else {
        ([(HeaderName::from_static("refresh"), "1")], page).into_response()
    }
}
