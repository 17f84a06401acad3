//! What a free text (a report, a reply, a note, a comment, a text answer) must be, and the one
//! form it is kept in. The device and the server both call [`clean`], so a text the phone
//! accepts offline is one the server accepts, and both keep exactly the same characters.
//!
//! A text is refused when it carries characters that change how other texts are shown rather
//! than being shown themselves: control characters (but newline and tab), which include the
//! escape that starts an ANSI terminal sequence, and the bidirectional embeddings, overrides and
//! isolates that reorder what follows them (the "Trojan Source" trick). A text made only of
//! blanks and invisible characters (zero-width spaces, joiners, soft hyphens...) is empty.
//! Carriage returns are neutralised into newlines, and the text is normalised to Unicode NFC, so
//! that "é" typed as one character or as "e" and an accent is the same text, of the same length.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// Empty, or only blanks and invisible characters.
    Empty,
    /// More than `max` characters.
    TooLong { max: usize },
    /// A control character, a terminal escape or a bidirectional override.
    Control,
}

/// The checked form of a required text of at most `max` characters: carriage returns made
/// newlines, normalised to NFC. Borrowed when the text was already in that form.
///
/// # Errors
/// The text is empty or only invisible, too long, or holds a control character, an escape
/// sequence or a bidirectional override.
pub fn clean(text: &str, max: usize) -> Result<Cow<'_, str>, TextProblem> {
    let mut text = Cow::Borrowed(text);
    if text.contains('\r') {
        text = Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"));
    }
    if text.chars().any(is_forbidden) {
        return Err(TextProblem::Control);
    }
    if is_nfc_quick(text.chars()) != IsNormalized::Yes {
        let normalised: String = text.nfc().collect();
        if normalised != *text {
            text = Cow::Owned(normalised);
        }
    }
    if text.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        Err(TextProblem::Empty)
    } else if text.chars().count() > max {
        Err(TextProblem::TooLong { max })
    } else {
        Ok(text)
    }
}

/// Control characters but newline and tab (C0, DEL, C1: ESC and CSI start terminal escapes),
/// and the bidirectional embeddings, overrides and isolates.
fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: zero-width spaces and joiners, word joiners and invisible
/// operators, the byte-order mark, soft hyphens, fillers, variation selectors and tags.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// `text` made safe to show on a terminal or in a log: every character [`clean`] would refuse
/// is replaced by `U+FFFD`, so that a text received from elsewhere can never move the cursor,
/// change colours or reorder what follows. Newlines and tabs are kept.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_forbidden) {
        Cow::Owned(
            text.chars()
                .map(|c| if is_forbidden(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_long_texts_are_refused() {
        assert_eq!(clean("  \n\t", 10), Err(TextProblem::Empty));
        assert_eq!(clean("ok", 10).as_deref(), Ok("ok"));
        // Characters, not bytes: ten accented letters fit in ten.
        assert!(clean("éééééééééé", 10).is_ok());
        assert_eq!(
            clean("ééééééééééé", 10),
            Err(TextProblem::TooLong { max: 10 })
        );
        // Counted once composed: ten decomposed "é" (twenty code points) fit in ten.
        assert!(clean(&"e\u{301}".repeat(10), 10).is_ok());
    }

    #[test]
    fn escapes_controls_and_overrides_are_refused() {
        for text in [
            "\u{1b}[2J\u{1b}[31mPAYÉ",
            "bell\u{7}",
            "nul\0byte",
            "csi \u{9b}31m",
            "del\u{7f}",
            "abc\u{202E}cba",
            "isolate \u{2067}x\u{2069}",
            "embed \u{202A}x",
        ] {
            assert_eq!(clean(text, 100), Err(TextProblem::Control), "{text:?}");
        }
        // Newlines, tabs and the harmless direction marks stay.
        assert_eq!(
            clean("ligne\n\tsuite \u{200F}", 100).as_deref(),
            Ok("ligne\n\tsuite \u{200F}")
        );
    }

    #[test]
    fn invisible_only_texts_are_empty() {
        for text in [
            "\u{200B}",
            " \u{200B}\u{FEFF}\u{2060} ",
            "\u{00AD}\u{3164}",
            "\u{E0041}",
        ] {
            assert_eq!(clean(text, 100), Err(TextProblem::Empty), "{text:?}");
        }
        // One visible character among them is a text.
        assert!(clean("\u{200B}x\u{200B}", 100).is_ok());
    }

    #[test]
    fn texts_are_normalised_to_nfc_and_carriage_returns_to_newlines() {
        // "é" as "e" + combining acute: one character once composed.
        let decomposed = "caf\u{65}\u{301}";
        assert_eq!(clean(decomposed, 4).as_deref(), Ok("café"));
        assert!(matches!(clean("café", 4), Ok(Cow::Borrowed(_))));
        assert_eq!(clean("a\r\nb\rc", 10).as_deref(), Ok("a\nb\nc"));
    }

    #[test]
    fn neutralise_replaces_what_clean_refuses() {
        assert_eq!(
            neutralise("\u{1b}[31mrouge\u{202E}\r\n"),
            "\u{FFFD}[31mrouge\u{FFFD}\u{FFFD}\n"
        );
        assert!(matches!(neutralise("plain\ttext\n"), Cow::Borrowed(_)));
    }
}
