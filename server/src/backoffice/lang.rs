//! The language of the back office: French by default, English on request (a link in every
//! page's header sets a cookie). Every word a staff member reads is written in both, side by
//! side where it is used, and picked with [`Lang`], the type the device's views use too.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
pub use relais_domain::lang::Lang;

/// The cookie that remembers the chosen language.
pub const COOKIE: &str = "relais_lang";

/// The language the reader's cookie names, French without one.
pub fn from_headers(headers: &HeaderMap) -> Lang {
    CookieJar::from_headers(headers)
        .get(COOKIE)
        .and_then(|c| Lang::recognise(c.value()))
        .unwrap_or_default()
}

/// The reader's language, as a handler's argument (pages shown before a login).
pub struct Chosen(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for Chosen {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(from_headers(&parts.headers)))
    }
}
