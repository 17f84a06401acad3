//! The OpenAPI document of every HTTP route, derived from the code: the schemas from the wire types
//! of `relais-protocol` (their `openapi` feature derives them; the phone's core builds without
//! it) and from the back office's forms, each operation from the `#[utoipa::path]` description
//! on its handler, and the answers that every handler shares (errors, `304`, the Open311
//! arguments, the back office's login redirect, forbidden page and refused forms) from this
//! module. The back office's pages (tag `back office`) are HTML behind the `relais_session`
//! cookie (security scheme `session`), their forms carry the session's CSRF token. The server
//! serves it at `/openapi.json`; `docs/openapi.json` is a copy that `server/tests/openapi.rs`
//! holds equal to [`document`] (and every route of the router's source in it), and
//! `scripts/api-contract` fuzzes a live server against it.

use std::sync::LazyLock;

use relais_protocol::ApiError;
use utoipa::openapi::security::{self, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi, ToResponse, ToSchema};

use crate::backoffice;
use crate::handlers;
use crate::open311::routes as open311;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Relais API",
        version = "1",
        description = "The HTTP API of a Relais server: the device protocol (docs/protocol.md \
            says what each call means), the staff API, and the server's own documents. \
            Open311 GeoReport v2 (tag `open311`, docs/open311.md says how Relais maps it). \
            The back office (tag `back office`, docs/backoffice.md): server-rendered HTML pages \
            and forms for a town's staff, behind the session cookie a login through its form \
            sets (security scheme `session`); every form carries the session's CSRF token, and \
            without a live session a page answers `303` to `/login`. \
            Generated from the server's code (server/src/openapi.rs).",
    ),
    paths(
        handlers::v1::devices::post,
        handlers::v1::catalogue::get,
        handlers::v1::directory::get,
        handlers::v1::nearby::get,
        handlers::v1::sync::push,
        handlers::v1::sync::pull,
        handlers::v1::uploads::get,
        handlers::v1::uploads::patch,
        handlers::v1::uploads::bundle,
        handlers::v1::photos::get,
        handlers::v1::account::get,
        handlers::v1::account::put,
        handlers::v1::account::delete,
        handlers::v1::account::link,
        handlers::v1::account::export,
        handlers::v1::staff::login,
        handlers::v1::staff::logout,
        handlers::v1::staff::report,
        handlers::v1::staff::action,
        handlers::v1::staff::alert,
        handlers::metrics::get,
        handlers::openapi::get,
        handlers::health::get,
        open311::discovery,
        open311::services,
        open311::definition,
        open311::requests,
        open311::post_request,
        open311::request,
        open311::token,
        open311::updates,
        backoffice::home,
        backoffice::style,
        backoffice::switch_language,
        backoffice::login::form,
        backoffice::login::submit,
        backoffice::login::logout,
        backoffice::inbox::get,
        backoffice::inbox::geojson,
        backoffice::request::get,
        backoffice::request::act,
        backoffice::request::resolve,
        backoffice::request::photo,
        backoffice::ratings::get,
        backoffice::ratings::csv,
        backoffice::comments::get,
        backoffice::dashboard::get,
        backoffice::dashboard::csv,
        backoffice::towns::get,
        backoffice::towns::post,
        backoffice::admin::home,
        backoffice::admin::categories::get,
        backoffice::admin::categories::post,
        backoffice::admin::zones::get,
        backoffice::admin::zones::post,
        backoffice::admin::routing::get,
        backoffice::admin::routing::post,
        backoffice::admin::members::get,
        backoffice::admin::members::post,
        backoffice::admin::members::set_state,
        backoffice::admin::directory::get,
        backoffice::admin::directory::post,
        backoffice::admin::alerts::get,
        backoffice::admin::alerts::post,
        backoffice::admin::alerts::end,
        backoffice::admin::job::get,
        backoffice::admin::replies::get,
        backoffice::admin::replies::post_reason,
        backoffice::admin::replies::post_template,
    ),
    modifiers(&BearerToken, &SessionCookie),
)]
struct Api;

/// The document as the server serves it: pretty JSON ending with a newline.
pub fn document() -> &'static str {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
        let mut json = Api::openapi()
            .to_pretty_json()
            .expect("an OpenAPI document is JSON");
        json.push('\n');
        json
    });
    &DOCUMENT
}

/// The `bearer` security scheme the operations name: a device's or a staff session's token.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description =
            Some("A device token (`rls_…`) or a staff session token (`rss_…`)".to_owned());
        api.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The `session` security scheme the back office's operations name: the cookie a login through
/// the back office's form sets.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let cookie = ApiKeyValue::with_description(
            crate::backoffice::session::COOKIE,
            "A staff web session's token, set `HttpOnly` and `SameSite=Strict` by `POST /login`; \
             every form also carries the session's CSRF token in its `csrf` field",
        );
        api.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "session",
                SecurityScheme::ApiKey(security::ApiKey::Cookie(cookie)),
            );
    }
}

/// The town of the URL.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Town {
    /// The town's code (`demo` for the demo town).
    pub tenant: String,
}

/// The conditional request of a cached document.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct Conditional {
    /// The `ETag` of the copy the device holds.
    #[param(rename = "If-None-Match")]
    pub if_none_match: Option<String>,
}

/// The device holds the current version (its `If-None-Match` matched the `ETag`).
#[derive(ToResponse)]
pub struct NotModified;

/// Malformed request: not the JSON, query or headers this route reads.
#[derive(ToResponse)]
pub struct Malformed(pub ApiError);

/// Missing, unknown or revoked token.
#[derive(ToResponse)]
pub struct Unauthorized(pub ApiError);

/// The caller may not do this.
#[derive(ToResponse)]
pub struct Forbidden(pub ApiError);

/// No such town, or nothing here the caller may see.
#[derive(ToResponse)]
pub struct NotFound(pub ApiError);

/// A sequence gap or conflict, an upload's offset, or a report changed since its version.
#[derive(ToResponse)]
pub struct Conflict(pub ApiError);

/// The body is larger than the server accepts.
#[derive(ToResponse)]
pub struct TooLarge(pub ApiError);

/// The town's rules refuse it now; `reason` says why.
#[derive(ToResponse)]
pub struct Refused(pub ApiError);

/// Too many attempts from this client or into this town.
#[derive(ToResponse)]
#[response(headers(("Retry-After" = u32, description = "Seconds to wait before trying again")))]
pub struct TooMany(pub ApiError);

/// No live back-office session (no `relais_session` cookie, or its session ended, expired or
/// was disabled): to the login page.
#[derive(ToResponse)]
#[response(headers(("Location" = String, description = "`/login`")))]
pub struct ToLogin;

/// Nothing changed: a page saying what is wrong (HTML: a refused change, a missing confirmation,
/// a query the page cannot read), or the router's own word (plain text) on a path parameter or
/// query string it cannot read.
#[derive(ToResponse)]
pub enum PageBadRequest {
    Page(#[content("text/html; charset=utf-8")] String),
    Router(#[content("text/plain; charset=utf-8")] String),
}

/// A page saying that this staff member may not see or do this (not their town, service or
/// role), or that the form's CSRF token is not their session's (an expired or forged form);
/// nothing changed.
#[derive(ToResponse)]
#[response(content_type = "text/html; charset=utf-8")]
pub struct PageForbidden(pub String);

/// The form's body is larger than the server accepts (plain text, from the router).
#[derive(ToResponse)]
#[response(content_type = "text/plain; charset=utf-8")]
pub struct FormTooLarge(pub String);

/// Not `application/x-www-form-urlencoded` (plain text, from the router).
#[derive(ToResponse)]
#[response(content_type = "text/plain; charset=utf-8")]
pub struct NotAForm(pub String);

/// The form lacks a field it needs, or repeats one (plain text, from the router).
#[derive(ToResponse)]
#[response(content_type = "text/plain; charset=utf-8")]
pub struct UnreadableForm(pub String);

/// What a back-office page's `GET` answers instead of the page: no live session, an unreadable
/// request, or a page this staff member may not see.
#[derive(IntoResponses)]
pub enum PageRefusals {
    #[response(status = 303)]
    ToLogin(#[to_response] ToLogin),
    #[response(status = 400)]
    BadRequest(#[to_response] PageBadRequest),
    #[response(status = 403)]
    Forbidden(#[to_response] PageForbidden),
}

/// What a back-office form's `POST` answers when it changes nothing: its page or the router
/// saying why. Every form handler lists these beside its own success.
#[derive(IntoResponses)]
pub enum FormRefusals {
    #[response(status = 400)]
    BadRequest(#[to_response] PageBadRequest),
    #[response(status = 403)]
    Forbidden(#[to_response] PageForbidden),
    #[response(status = 413)]
    TooLarge(#[to_response] FormTooLarge),
    #[response(status = 415)]
    NotAForm(#[to_response] NotAForm),
    #[response(status = 422)]
    Unreadable(#[to_response] UnreadableForm),
}

/// An admin page's form was saved: back to that page (`/admin/PAGE?done=1`), which says so; or
/// no live session: to the login page.
#[derive(IntoResponses)]
#[response(
    status = 303,
    headers(("Location" = String, description = "`/admin/PAGE?done=1` (the form's page) or `/login`"))
)]
pub struct AdminSaved;

/// The town of an Open311 call.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Jurisdiction {
    /// The town's code (`demo` for the demo town).
    pub jurisdiction_id: String,
    /// The language of the texts: `fr`, `en`, `fr_FR`... (else `Accept-Language`, else English).
    pub locale: Option<String>,
}

/// The period of an Open311 listing: W3C dates (`2026-12-01T00:00:00Z`), at most 90 days, the
/// most recent 90 days by default.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// The filters of `GET requests` (lists are comma-separated or repeated).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestFilters {
    /// Request ids; when given, the other filters are ignored.
    pub service_request_id: Option<String>,
    /// Request types.
    pub service_code: Option<String>,
    /// `open` or `closed`.
    pub status: Option<String>,
}

/// The application's key, issued by `relais-server open311-keys add` (`o311_…`). `POST
/// requests` requires it (in the query string or the form body); with it, `servicerequestupdates`
/// also lists the town's replies to the application's requests.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiKey {
    pub api_key: Option<String>,
}

/// The form of `POST requests` (`application/x-www-form-urlencoded`). `jurisdiction_id` and
/// `api_key` may be here rather than in the query string; a question of the request type is
/// answered as `attribute[code]=value` (`attribute[code][]=value` repeated for a list). Relais
/// places every request on its map, so `lat` and `long` are required; the other fields of the
/// specification (`address_string`, `email`, `media_url`...) are accepted and not kept.
#[derive(ToSchema)]
#[schema(as = open311::NewRequest)]
pub struct NewRequest {
    /// The request type (`GET services`).
    pub service_code: String,
    pub lat: f64,
    pub long: f64,
    pub description: Option<String>,
}
