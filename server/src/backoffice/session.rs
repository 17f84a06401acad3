//! The back office's session, in a cookie: the staff web session of
//! [`crate::staff::sessions`] (same login limits, same idle expiry, same end at logout or when
//! the account is disabled), its token held in an `HttpOnly`, `SameSite=Strict` cookie
//! (`Secure` when the server is configured so). Every form carries a CSRF token derived from
//! the session's token, which a page of another site can neither read nor guess.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

use super::lang::{self, Lang};
use crate::router::AppState;
use crate::staff::sessions;
use crate::token;
use relais_server_database::{Database, StaffMember, TokenHash};

/// The cookie holding the session's token.
pub const COOKIE: &str = "relais_session";

/// A staff member logged in to the back office.
#[derive(Debug)]
pub struct Staff {
    pub member: StaffMember,
    /// The session's token hash (to end it).
    pub session: TokenHash,
    /// The token every form of this session must carry.
    pub csrf: String,
    pub lang: Lang,
}

impl Staff {
    /// Whether a submitted form carries this session's CSRF token.
    pub fn checks(&self, submitted: &str) -> bool {
        // Compared in constant time: the comparison tells nothing of a near guess.
        submitted.len() == self.csrf.len()
            && submitted
                .bytes()
                .zip(self.csrf.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// The CSRF token of a session.
fn csrf(session_token: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(b"relais back office csrf\0");
    digest.update(session_token.as_bytes());
    hex::encode(digest.finalize())
}

/// The cookie that opens a session (`None`: the one that ends it).
pub fn cookie(token: Option<String>, secure: bool) -> Cookie<'static> {
    let ends = token.is_none();
    let mut cookie = Cookie::build((COOKIE, token.unwrap_or_default()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build();
    if ends {
        cookie.make_removal();
    }
    cookie
}

/// Without a live session, the login page.
pub struct LoginFirst;

impl IntoResponse for LoginFirst {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl<DB: Database> FromRequestParts<AppState<DB>> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<DB>,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang::from_headers(&parts.headers);
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(COOKIE).map(|c| c.value().to_owned()) else {
            return Err(LoginFirst.into_response());
        };
        let hash = token::hash(&token);
        match sessions::member(&state.db, hash).await {
            Ok(Some(member)) => Ok(Self {
                member,
                session: hash,
                csrf: csrf(&token),
                lang,
            }),
            Ok(None) => Err(LoginFirst.into_response()),
            Err(error) => Err(crate::error::ApiFailure::from(error).into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_token_is_the_sessions_own() {
        let a = csrf("rss_a");
        assert_eq!(a, csrf("rss_a"));
        assert_ne!(a, csrf("rss_b"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_same_site_strict() {
        let opened = cookie(Some("rss_x".into()), true).to_string();
        assert!(opened.contains("HttpOnly"), "{opened}");
        assert!(opened.contains("SameSite=Strict"), "{opened}");
        assert!(opened.contains("Secure"), "{opened}");
        let ended = cookie(None, false).to_string();
        assert!(ended.contains("Max-Age=0"), "{ended}");
        assert!(!ended.contains("Secure"), "{ended}");
    }
}
