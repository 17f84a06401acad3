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

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    tenant: String,
    email: String,
    password: String,
}

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

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

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
