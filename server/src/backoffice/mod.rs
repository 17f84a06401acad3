//! The back office: the web pages of a town's staff, server-rendered HTML (maud) with one
//! vendored style sheet and no script, served by relais-server itself so that a town can run it
//! on a closed network. It is a front door like the staff API: every request is read and every
//! action decided by the staff operations ([`crate::staff`]: access, act, sessions, workflow,
//! replies), so a rule has one home whichever door a staff member comes through.
//!
//! - [`session`]: the session cookie, the CSRF token of the forms; [`lang`]: French or English.
//! - [`layout`]: the frame of every page; [`map`]: the town's zone outlines as inline SVG.
//! - [`login`]: log in and out; [`inbox`]: the requests of one's services, with filters;
//!   [`request`]: one request and the actions allowed on it; [`ratings`]: the
//!   importance–performance analysis of the public services, its chart, table and CSV;
//!   [`dashboard`]: the operations dashboard of a period, and its CSV; [`comments`]: what sets a
//!   service's unhappy comments apart from its happy ones.
//! - [`admin`]: a town's admins' pages (categories, zones, routing, staff, reasons and reply
//!   templates); [`towns`]: the operator's page of the server's towns.
//! - [`upload`]: the forms that carry files; [`imports`]: the long imports, run in the
//!   background, and how far they got.

pub(crate) mod admin;
pub(crate) mod comments;
pub(crate) mod dashboard;
pub(crate) mod imports;
pub(crate) mod inbox;
mod lang;
mod layout;
pub(crate) mod login;
mod map;
pub(crate) mod ratings;
pub(crate) mod request;
pub(crate) mod session;
pub(crate) mod towns;
mod upload;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use maud::html;
use relais_protocol::upload::MAX_PHOTOS_PER_REPORT;
use serde::Deserialize;

use crate::router::AppState;
use lang::Lang;
use relais_server_database::Database;

/// The back office's routes.
pub fn routes<DB: Database>() -> Router<AppState<DB>> {
    Router::new()
        .route("/", get(home))
        .route(layout::STYLE_PATH, get(style))
        .route("/lang/{code}", get(switch_language))
        .route("/login", get(login::form::<DB>).post(login::submit::<DB>))
        .route("/logout", post(login::logout::<DB>))
        .route("/inbox", get(inbox::get::<DB>))
        .route("/inbox.geojson", get(inbox::geojson::<DB>))
        .route("/requests/{id}", get(request::get::<DB>))
        .route("/requests/{id}/actions", post(request::act::<DB>))
        .route(
            "/requests/{id}/resolve",
            // The photos come as files straight from a camera: up to five of the largest
            // original the photo pipeline accepts.
            post(request::resolve::<DB>).layer(DefaultBodyLimit::max(
                MAX_PHOTOS_PER_REPORT * relais_photo::Limits::default().max_input_bytes + 64 * 1024,
            )),
        )
        .route("/requests/{id}/photos/{sha256}", get(request::photo::<DB>))
        .route("/ratings", get(ratings::get::<DB>))
        .route("/ratings.csv", get(ratings::csv::<DB>))
        .route("/ratings/{service}", get(comments::get::<DB>))
        .route("/dashboard", get(dashboard::get::<DB>))
        .route("/dashboard.csv", get(dashboard::csv::<DB>))
        .route(towns::HERE, get(towns::get::<DB>).post(towns::post::<DB>))
        .merge(admin::routes())
        .layer(axum::middleware::map_response(guard))
}

/// What every back-office answer tells the browser: run no script and load nothing from
/// elsewhere, never show these pages in another site's frame (forms could be clicked through
/// it), send no address of them elsewhere, and keep no copy of a page (they hold citizens'
/// requests) unless the answer says otherwise.
async fn guard(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, "x-frame-options", "DENY");
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "no-referrer");
    if !headers.contains_key(CACHE_CONTROL) {
        set(headers, "cache-control", "no-store");
    }
    response
}

/// The back office's home: the inbox (which sends to the login page without a session).
#[utoipa::path(
    get,
    path = "/",
    operation_id = "backoffice_home",
    tag = "back office",
    responses((
        status = 303,
        description = "To the inbox",
        headers(("Location" = String, description = "`/inbox`")),
    )),
)]
pub async fn home() -> Redirect {
    Redirect::to("/inbox")
}

/// The back office's style sheet (cached an hour).
#[utoipa::path(
    get,
    path = layout::STYLE_PATH,
    operation_id = "backoffice_style",
    tag = "back office",
    responses((
        status = 200,
        description = "The style sheet",
        body = String,
        content_type = "text/css; charset=utf-8",
    )),
)]
pub async fn style() -> Response {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("max-age=3600")),
        ],
        layout::STYLE,
    )
        .into_response()
}

/// The language to switch to.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct LanguagePath {
    /// `fr` or `en` (or a language tag that starts with either: `en-GB`).
    #[param(pattern = "^([Ff][Rr]|[Ee][Nn])")]
    code: String,
}

/// Where to go back to.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Back {
    /// A page of this site (`/inbox?status=all`); anything else, or nothing: the inbox.
    back: Option<String>,
}

/// Sets the language cookie and goes back to the page (only a page of this site).
#[utoipa::path(
    get,
    path = "/lang/{code}",
    operation_id = "backoffice_language",
    tag = "back office",
    params(LanguagePath, Back),
    responses(
        (
            status = 303,
            description = "The language's cookie (`relais_lang`) set: back to the page",
            headers(("Location" = String, description = "`back`, else `/inbox`")),
        ),
        (status = 400, response = inline(crate::openapi::PageBadRequest)),
    ),
)]
pub async fn switch_language(
    Path(code): Path<String>,
    Query(back): Query<Back>,
    jar: CookieJar,
) -> Response {
    let Some(lang) = Lang::recognise(&code) else {
        return bad_request(Lang::default(), "langue inconnue", "unknown language");
    };
    let back = back
        .back
        // A path of this site, that a `Location` header can carry (no control character).
        .filter(|b| {
            b.starts_with('/')
                && !b.starts_with("//")
                && !b.contains('\\')
                && !b.chars().any(char::is_control)
        })
        .unwrap_or_else(|| "/inbox".to_owned());
    let cookie = Cookie::build((lang::COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Strict)
        .permanent()
        .build();
    (jar.add(cookie), Redirect::to(&back)).into_response()
}

/// A page saying what was wrong with the request; nothing changed.
fn bad_request(lang: Lang, fr: &str, en: &str) -> Response {
    message(
        lang,
        StatusCode::BAD_REQUEST,
        lang.choose("Demande incorrecte", "Bad request"),
        if lang == Lang::Fr { fr } else { en },
    )
}

/// A page saying this staff member may not do or see that.
/// The town of the signed-in staff member; a forbidden page when they have none.
async fn town_of<DB: Database>(
    state: &AppState<DB>,
    staff: &session::Staff,
) -> Result<std::sync::Arc<crate::town::Town>, Response> {
    let tenant = staff.member.tenant.as_deref().unwrap_or_default();
    match state.towns.get(&state.db, tenant).await {
        Ok(Some(town)) => Ok(town),
        Ok(None) => Err(forbidden(staff.lang)),
        Err(error) => Err(crate::error::ApiFailure::from(error).into_response()),
    }
}

fn forbidden(lang: Lang) -> Response {
    message(
        lang,
        StatusCode::FORBIDDEN,
        lang.choose("Accès refusé", "Access denied"),
        lang.choose(
            "Cette demande ne relève pas de vos services, ou le formulaire a expiré.",
            "This request is not one of your services', or the form expired.",
        ),
    )
}

fn message(lang: Lang, status: StatusCode, title: &str, text: &str) -> Response {
    let body = layout::page(
        lang,
        None,
        "/inbox",
        title,
        html! {
            div.panel {
                h1 { (title) }
                p { (text) }
                p { a href="/inbox" { (lang.choose("Retour aux demandes", "Back to the requests")) } }
            }
        },
    );
    (status, body).into_response()
}
