//! The two languages everything a citizen, an agent or a staff member reads exists in, and how
//! to pick the words of one: the device's views and the server's back office use this one type,
//! so a language tag or a cookie means the same on both.

use relais_protocol::LocalizedText;

/// A reader's language. French is the default of a French town; any other language a device
/// may run in falls back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// From a BCP 47 tag such as `fr-FR` or `en_GB.UTF-8`; any other language is English.
    pub fn from_tag(tag: &str) -> Self {
        Self::recognise(tag).unwrap_or(Self::En)
    }

    /// The language of a tag, if Relais speaks it.
    pub fn recognise(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("fr") {
            Some(Self::Fr)
        } else if tag.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// The other language, offered by a language switch.
    pub const fn other(self) -> Self {
        match self {
            Self::Fr => Self::En,
            Self::En => Self::Fr,
        }
    }

    /// Picks the words of this language.
    pub const fn choose(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Self::Fr => fr,
            Self::En => en,
        }
    }

    /// Picks one of a `(French, English)` pair.
    pub const fn pair(self, (fr, en): (&'static str, &'static str)) -> &'static str {
        self.choose(fr, en)
    }

    /// Picks a text of this language.
    pub fn pick(self, text: &LocalizedText) -> &str {
        match self {
            Self::Fr => &text.fr,
            Self::En => &text.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_recognised() {
        assert_eq!(Lang::from_tag("fr_FR.UTF-8"), Lang::Fr);
        assert_eq!(Lang::from_tag("FR"), Lang::Fr);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("de"), Lang::En);
        assert_eq!(Lang::recognise("de"), None);
        assert_eq!(Lang::Fr.other(), Lang::En);
    }
}
