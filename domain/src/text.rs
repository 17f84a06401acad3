//! What a free text (a report, a note, a comment) must be: something besides blanks, and not
//! longer than its field allows.

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// Empty, or only blanks.
    Empty,
    /// More than `max` characters.
    TooLong { max: usize },
}

/// Checks a required text of at most `max` characters.
pub fn check(text: &str, max: usize) -> Result<(), TextProblem> {
    if text.trim().is_empty() {
        Err(TextProblem::Empty)
    } else if text.chars().count() > max {
        Err(TextProblem::TooLong { max })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_long_texts_are_refused() {
        assert_eq!(check("  \n\t", 10), Err(TextProblem::Empty));
        assert_eq!(check("ok", 10), Ok(()));
        // Characters, not bytes: ten accented letters fit in ten.
        assert_eq!(check("éééééééééé", 10), Ok(()));
        assert_eq!(
            check("ééééééééééé", 10),
            Err(TextProblem::TooLong { max: 10 })
        );
    }
}
