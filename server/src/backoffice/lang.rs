//! The language of the back office: French by default, English on request (a link in every
//! page's header sets a cookie). Every word a staff member reads is written in both, side by
//! side where it is used, and picked here.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use relais_protocol::LocalizedText;

/// The cookie that remembers the chosen language.
pub const COOKIE: &str = "relais_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "fr" => Some(Self::Fr),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// The other language, offered by the switch.
    pub const fn other(self) -> Self {
        match self {
            Self::Fr => Self::En,
            Self::En => Self::Fr,
        }
    }

    /// Picks the words of this language.
    pub const fn t(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Self::Fr => fr,
            Self::En => en,
        }
    }

    /// Picks a text of this language.
    pub fn of(self, text: &LocalizedText) -> &str {
        match self {
            Self::Fr => &text.fr,
            Self::En => &text.en,
        }
    }

    /// Picks one of a `(French, English)` pair.
    pub const fn pair(self, (fr, en): (&'static str, &'static str)) -> &'static str {
        self.t(fr, en)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        Ok(jar
            .get(COOKIE)
            .and_then(|c| Self::parse(c.value()))
            .unwrap_or_default())
    }
}
