//! Logging in and out of the back office. The login goes through
//! [`crate::staff::sessions::login`] (argon2id, the login limits per client and per account);
//! the login form carries its own CSRF token, a random value also set in a short-lived cookie
//! (a page of another site can post the form but cannot read the cookie to copy the value).

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use maud::{Markup, html};
use relais_protocol::StaffRole;
use relais_protocol::staff::Login;
use serde::Deserialize;

use super::lang::{Chosen, Lang};
use super::layout::{notice, page};
use super::session::{self, Staff};
use crate::clock::now_ms;
use crate::router::AppState;
use crate::staff::sessions::{self, LoginFailure};
use relais_server_database::Database;

/// The cookie holding the login form's CSRF token.
const FORM_COOKIE: &str = "relais_login";

/// The login form (sets its CSRF cookie, `relais_login`).
#[utoipa::path(
    get,
    path = "/login",
    operation_id = "backoffice_login_form",
    tag = "back office",
    responses((
        status = 200,
        description = "The login form",
        body = String,
        content_type = "text/html; charset=utf-8",
        headers(("Set-Cookie" = String, description = "`relais_login`: the form's CSRF token")),
    )),
)]
pub async fn form<DB: Database>(
    State(state): State<AppState<DB>>,
    Chosen(lang): Chosen,
) -> Response {
    let token = hex::encode(rand::random::<[u8; 16]>());
    let jar = CookieJar::new().add(form_cookie(token.clone(), state.secure_cookies));
    (jar, login_page(&state, lang, &token, None).await).into_response()
}

fn form_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((FORM_COOKIE, token))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

async fn login_page<DB: Database>(
    state: &AppState<DB>,
    lang: Lang,
    token: &str,
    error: Option<&str>,
) -> Markup {
    let towns = state.db.tenants().await.unwrap_or_default();
    let title = lang.choose("Connexion du personnel", "Staff login");
    page(
        lang,
        None,
        "/login",
        title,
        html! {
            div.login.panel {
                h1 { (title) }
                @if let Some(error) = error { (notice(error, true)) }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(token);
                    label for="tenant" { (lang.choose("Ville", "Town")) }
                    select #tenant name="tenant" required {
                        @for town in &towns {
                            option value=(town.id) { (town.name) }
                        }
                        option value="" { (lang.choose("Opérateur du serveur", "Server operator")) }
                    }
                    label for="email" { (lang.choose("Adresse e-mail", "E-mail address")) }
                    input #email type="email" name="email" autocomplete="username" required;
                    label for="password" { (lang.choose("Mot de passe", "Password")) }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    p { button.primary type="submit" { (lang.choose("Se connecter", "Log in")) } }
                }
            }
        },
    )
}

/// The login form.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::LoginForm)]
pub struct LoginForm {
    /// The form's CSRF token: the value of the `relais_login` cookie the form came with.
    #[serde(default)]
    csrf: String,
    /// The town's code; empty for the server's operator.
    tenant: String,
    email: String,
    password: String,
}

/// The login form's CSRF cookie, set by `GET /login`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Cookie)]
#[allow(dead_code)]
pub struct FormCookie {
    /// The token the form carries in `csrf`.
    relais_login: Option<String>,
}

/// Logs a staff member in (the login limits per client and per account): opens a session in
/// the `relais_session` cookie.
#[utoipa::path(
    post,
    path = "/login",
    operation_id = "backoffice_login",
    tag = "back office",
    params(FormCookie),
    request_body(content = LoginForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (
            status = 303,
            description = "Logged in (`relais_session` set): to the inbox, or the operator's \
                towns page",
            headers(("Location" = String, description = "`/inbox` or `/towns`")),
        ),
        (
            status = 401,
            description = "The form again: wrong e-mail address or password",
            body = String,
            content_type = "text/html; charset=utf-8",
        ),
        (
            status = 403,
            description = "The form again: its CSRF token is not the `relais_login` cookie's \
                (an expired or forged form)",
            body = String,
            content_type = "text/html; charset=utf-8",
        ),
        (status = 413, response = inline(crate::openapi::FormTooLarge)),
        (status = 415, response = inline(crate::openapi::NotAForm)),
        (status = 422, response = inline(crate::openapi::UnreadableForm)),
        (
            status = 429,
            description = "The form again: too many attempts from this client or on this account",
            body = String,
            content_type = "text/html; charset=utf-8",
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again")),
        ),
    ),
)]
pub async fn submit<DB: Database>(
    State(state): State<AppState<DB>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Chosen(lang): Chosen,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = jar.get(FORM_COOKIE).map(|c| c.value().to_owned());
    if expected.as_deref() != Some(form.csrf.as_str()) || form.csrf.is_empty() {
        return (
            StatusCode::FORBIDDEN,
            login_page(
                &state,
                lang,
                expected.as_deref().unwrap_or_default(),
                Some(lang.choose(
                    "Le formulaire a expiré : veuillez réessayer.",
                    "The form expired: please try again.",
                )),
            )
            .await,
        )
            .into_response();
    }
    let login = Login {
        tenant: Some(form.tenant).filter(|t| !t.is_empty()),
        email: form.email,
        password: form.password,
    };
    let refused = |status: StatusCode, message: &'static str| {
        let state = state.clone();
        let token = form.csrf.clone();
        async move {
            (
                status,
                login_page(&state, lang, &token, Some(message)).await,
            )
                .into_response()
        }
    };
    match sessions::login(&state.db, &state.limits, client.ip(), login).await {
        Ok(opened) => {
            let jar = jar
                .remove(Cookie::build(FORM_COOKIE).path("/login"))
                .add(session::cookie(Some(opened.token), state.secure_cookies));
            let home = if opened.staff.role == StaffRole::Operator {
                super::towns::HERE
            } else {
                "/inbox"
            };
            (jar, Redirect::to(home)).into_response()
        }
        Err(LoginFailure::Refused) => {
            refused(
                StatusCode::UNAUTHORIZED,
                lang.choose(
                    "Adresse e-mail ou mot de passe incorrect.",
                    "Wrong e-mail address or password.",
                ),
            )
            .await
        }
        Err(LoginFailure::TooMany(wait)) => {
            let mut response = refused(
                StatusCode::TOO_MANY_REQUESTS,
                lang.choose(
                    "Trop de tentatives : réessayez dans une minute.",
                    "Too many attempts: try again in a minute.",
                ),
            )
            .await;
            let seconds = wait.as_secs().max(1).to_string();
            if let Ok(value) = seconds.parse() {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
        Err(LoginFailure::Db(error)) => crate::error::ApiFailure::from(error).into_response(),
    }
}

/// A form that only carries the session's CSRF token.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::CsrfForm)]
pub struct CsrfForm {
    /// The session's CSRF token, as the page's form carries it.
    #[serde(default)]
    csrf: String,
}

/// Ends the session and its cookie.
#[utoipa::path(
    post,
    path = "/logout",
    operation_id = "backoffice_logout",
    tag = "back office",
    request_body(content = CsrfForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (
            status = 303,
            description = "Logged out (the cookie removed), or no live session: to the login page",
            headers(("Location" = String, description = "`/login`")),
        ),
        crate::openapi::FormRefusals,
    ),
    security(("session" = [])),
)]
pub async fn logout<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !staff.checks(&form.csrf) {
        return super::forbidden(staff.lang);
    }
    if let Err(error) = state.db.end_session(staff.session, now_ms()).await {
        return crate::error::ApiFailure::from(error).into_response();
    }
    tracing::info!(staff.id = %staff.member.id, "staff logged out of the back office");
    let jar = jar.add(session::cookie(None, state.secure_cookies));
    (jar, Redirect::to("/login")).into_response()
}
