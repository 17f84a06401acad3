//! Citizens' optional accounts (see [`relais_protocol::account`]): the checks on contact
//! details, and the link codes that join another device of the same person. A link code is shown
//! once and stored only as a SHA-256; a new one replaces it at every save and every link.

use relais_protocol::account::{AccountDetails, ContactChannel};

use relais_server_database::TokenHash;

/// Longest email address (RFC 5321 path limit).
const MAX_EMAIL_CHARS: usize = 254;
/// Phone numbers: digits, with an optional leading `+` and spaces, dots, dashes or parentheses.
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 6..=15;
/// Languages the server writes in.
const LANGUAGES: [&str; 2] = ["fr", "en"];

/// Crockford's base 32, as for enrolment codes (see [`hash`]).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Why contact details are refused (answered `400 malformed_request`).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DetailsError {
    #[error("email is not an address")]
    Email,
    #[error("phone is not a phone number")]
    Phone,
    #[error("contact by sms needs a phone number")]
    SmsWithoutPhone,
    #[error("language must be fr or en")]
    Language,
}

/// Checks `details` and returns them trimmed (an empty phone is no phone).
pub fn validate(mut details: AccountDetails) -> Result<AccountDetails, DetailsError> {
    details.email = details.email.trim().to_owned();
    if !is_email(&details.email) {
        return Err(DetailsError::Email);
    }
    details.phone = details
        .phone
        .map(|phone| phone.trim().to_owned())
        .filter(|phone| !phone.is_empty());
    if let Some(phone) = &details.phone
        && !is_phone(phone)
    {
        return Err(DetailsError::Phone);
    }
    if details.contact == ContactChannel::Sms && details.phone.is_none() {
        return Err(DetailsError::SmsWithoutPhone);
    }
    if !LANGUAGES.contains(&details.language.as_str()) {
        return Err(DetailsError::Language);
    }
    Ok(details)
}

/// The shape of an address (`local@domain.tld`, no spaces); only a message proves it is real.
fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

fn is_phone(phone: &str) -> bool {
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    PHONE_DIGITS.contains(&digits)
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')'))
}

/// A fresh link code, to show to the citizen once. Redacted in `Debug`.
pub struct LinkCode(String);

impl LinkCode {
    /// 12 symbols (60 bits) from the CSPRNG, in groups of four: `ABCD-EFGH-JKMN`.
    pub fn generate() -> Self {
        let bytes = rand::random::<[u8; 12]>();
        let mut code = String::with_capacity(14);
        for (i, byte) in bytes.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                code.push('-');
            }
            code.push(char::from(ALPHABET[usize::from(byte % 32)]));
        }
        Self(code)
    }

    pub fn hash(&self) -> TokenHash {
        hash(&self.0)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for LinkCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkCode(<redacted>)")
    }
}

/// SHA-256 of a presented code, read as leniently as an enrolment code (case, spaces, dashes,
/// O for 0, I or L for 1). Codes are looked up by this hash, never compared as text.
pub fn hash(code: &str) -> TokenHash {
    crate::enrolment::hash(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(email: &str, phone: Option<&str>, contact: ContactChannel) -> AccountDetails {
        AccountDetails {
            email: email.into(),
            phone: phone.map(Into::into),
            contact,
            language: "fr".into(),
        }
    }

    #[test]
    fn contact_details_are_checked_and_trimmed() {
        let ok = validate(details(" a@b.fr ", Some(" "), ContactChannel::Email)).unwrap();
        assert_eq!((ok.email.as_str(), ok.phone), ("a@b.fr", None));
        assert!(
            validate(details(
                "a@b.fr",
                Some("+33 6 12 34 56 78"),
                ContactChannel::Sms
            ))
            .is_ok()
        );
        for email in [
            "", "a", "@b.fr", "a@b", "a@.fr", "a b@c.fr", "a@b@c.fr", "a@b..fr",
        ] {
            assert_eq!(
                validate(details(email, None, ContactChannel::InApp)),
                Err(DetailsError::Email),
                "{email}"
            );
        }
        assert_eq!(
            validate(details("a@b.fr", Some("call me"), ContactChannel::Email)),
            Err(DetailsError::Phone)
        );
        assert_eq!(
            validate(details("a@b.fr", None, ContactChannel::Sms)),
            Err(DetailsError::SmsWithoutPhone)
        );
        let mut german = details("a@b.fr", None, ContactChannel::InApp);
        german.language = "de".into();
        assert_eq!(validate(german), Err(DetailsError::Language));
    }

    #[test]
    fn link_codes_are_grouped_and_hash_however_retyped() {
        let code = LinkCode::generate();
        let hashed = code.hash();
        assert!(format!("{code:?}").contains("redacted"));
        let text = code.into_string();
        assert_eq!(text.len(), 14);
        assert_eq!(hash(&text.to_lowercase().replace('-', " ")), hashed);
        assert_ne!(LinkCode::generate().hash(), hashed);
    }
}
