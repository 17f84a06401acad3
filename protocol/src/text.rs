//! Text that a citizen or an agent reads, in every language Relais ships (French and English).

use serde::{Deserialize, Serialize};

/// A string in French and English. Every user-facing text that crosses the wire has this shape, so
/// that the device can show it in its user's language without asking the server again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalizedText {
    pub fr: String,
    pub en: String,
}

impl LocalizedText {
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// The text in `lang` (an ISO 639-1 code); English for any language other than French.
    pub fn get(&self, lang: &str) -> &str {
        if lang.starts_with("fr") {
            &self.fr
        } else {
            &self.en
        }
    }
}
