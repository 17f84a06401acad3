//! What may name a town (a tenant): the code that appears in every URL of its API, checked
//! alike when an operator adds a town on the server and when a device is told to register with
//! one, so a device never builds a request to a path no town can have.

/// The longest town code.
pub const MAX_CODE_LEN: usize = 48;

/// Whether `code` can name a town in URLs: 1 to 48 lowercase ASCII letters, digits and dashes.
pub fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_lowercase_slugs() {
        assert!(is_code("demo"));
        assert!(is_code("oullins-pierre-benite-69"));
        for bad in [
            "",
            "Demo",
            "a b",
            "../x",
            "é",
            "x/y",
            "a?b",
            &"a".repeat(49),
        ] {
            assert!(!is_code(bad), "{bad:?}");
        }
    }
}
