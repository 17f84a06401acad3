//! The arguments of an Open311 call, form-encoded in the query string or in a `POST` body
//! (`attribute[code]=value`, repeated or comma-separated lists), and the language its
//! descriptions are written in. An empty argument counts as an absent one, as the
//! specification asks.

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use relais_domain::lang::Lang;

use super::error::Failure;

/// Decoded `name=value` pairs, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes a query string or an `application/x-www-form-urlencoded` body; text that is not
    /// UTF-8 is refused.
    pub fn parse(encoded: &[u8]) -> Result<Self, Failure> {
        let not_utf8 = || {
            Failure::bad_request(
                "Paramètres illisibles : ils doivent être encodés en UTF-8.",
                "Unreadable arguments: they must be UTF-8.",
            )
        };
        std::str::from_utf8(encoded).map_err(|_| not_utf8())?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(encoded)
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        // Percent-escapes of bytes that are not UTF-8 decode to U+FFFD.
        if pairs
            .iter()
            .any(|(name, value)| name.contains('\u{FFFD}') || value.contains('\u{FFFD}'))
        {
            return Err(not_utf8());
        }
        Ok(Self(pairs))
    }

    /// The first non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, whether repeated or comma-separated, trimmed.
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The `attribute[code]=value` and `attribute[code][]=value` arguments, by code, values in
    /// order.
    pub fn attributes(&self) -> BTreeMap<String, Vec<String>> {
        let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in &self.0 {
            let Some(code) = name
                .strip_prefix("attribute[")
                .map(|rest| rest.strip_suffix("[]").unwrap_or(rest))
                .and_then(|rest| rest.strip_suffix(']'))
            else {
                continue;
            };
            if !value.trim().is_empty() {
                attributes
                    .entry(code.to_owned())
                    .or_default()
                    .push(value.trim().to_owned());
            }
        }
        attributes
    }

    /// The language of the answer's texts: the `locale` argument (`fr`, `en`, `fr_FR`...), else
    /// the first of French or English in `Accept-Language`, else English.
    pub fn language(&self, headers: &HeaderMap) -> &'static str {
        let header = headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        self.get("locale")
            .into_iter()
            .chain(header.split(','))
            .find_map(Lang::recognise)
            .map(Lang::code)
            .unwrap_or("en")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_attributes_and_empty_values() {
        let params = Params::parse(
            b"service_code=&status=open,closed&status=open&attribute[type_objet]=matelas\
              &attribute[couleurs][]=rouge&attribute[couleurs][]=vert&attribute[vide]=",
        )
        .unwrap();
        assert_eq!(params.get("service_code"), None, "empty is absent");
        assert_eq!(params.list("status"), ["open", "closed", "open"]);
        let attributes = params.attributes();
        assert_eq!(attributes["type_objet"], ["matelas"]);
        assert_eq!(attributes["couleurs"], ["rouge", "vert"]);
        assert!(!attributes.contains_key("vide"));
    }

    #[test]
    fn refuses_what_is_not_utf8_and_picks_a_language() {
        assert!(Params::parse(b"description=%FF%FE").is_err());
        assert!(Params::parse(b"description=\xff").is_err());
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, "de-DE, fr-FR;q=0.8".parse().unwrap());
        assert_eq!(Params::default().language(&headers), "fr");
        let english = Params::parse(b"locale=en_GB").unwrap();
        assert_eq!(english.language(&headers), "en");
        assert_eq!(Params::default().language(&HeaderMap::new()), "en");
    }
}
