//! Staff accounts: e-mail addresses as keys (trimmed, lowercase), passwords stored as argon2id
//! hashes only, and the checks an account must pass before it is stored.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use relais_protocol::StaffRole;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why an account is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountProblem {
    #[error("{0:?} does not look like an e-mail address")]
    Email(String),
    #[error("a name is needed")]
    Name,
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    ShortPassword,
    #[error("an agent works for exactly one service")]
    AgentServices,
    #[error("a supervisor supervises at least one service")]
    SupervisorServices,
    #[error("only agents are limited to zones")]
    Zones,
    #[error("an operator belongs to no town, and a town's staff to one")]
    Town,
}

/// The address as accounts are keyed by.
pub fn normalize_email(email: &str) -> Result<String, AccountProblem> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(AccountProblem::Email(email))
    }
}

/// Checks what a role needs: an agent has one service and may be limited to zones; a
/// supervisor has services; an admin has none (the whole town); an operator has no town.
pub fn check_role(
    role: StaffRole,
    has_town: bool,
    services: &[String],
    zones: &[String],
) -> Result<(), AccountProblem> {
    match role {
        StaffRole::Operator if has_town => return Err(AccountProblem::Town),
        StaffRole::Agent | StaffRole::Supervisor | StaffRole::Admin if !has_town => {
            return Err(AccountProblem::Town);
        }
        StaffRole::Agent if services.len() != 1 => return Err(AccountProblem::AgentServices),
        StaffRole::Supervisor if services.is_empty() => {
            return Err(AccountProblem::SupervisorServices);
        }
        _ => {}
    }
    if role != StaffRole::Agent && !zones.is_empty() {
        return Err(AccountProblem::Zones);
    }
    Ok(())
}

/// The argon2id hash (PHC string) of a new password.
pub fn hash_password(password: &str) -> Result<String, AccountProblem> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountProblem::ShortPassword);
    }
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|_| AccountProblem::ShortPassword)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|_| AccountProblem::ShortPassword)?
        .to_string())
}

/// Whether `password` matches `hash`. Without a stored hash, a dummy one is checked so that the
/// time taken does not tell whether an account exists.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
                         x3nk3pZ3pD7CzbzPqFHqCj6LrWX0mR7nvQEHiA1Zg2A";
    let parsed = PasswordHash::new(hash.unwrap_or(DUMMY));
    let matches = parsed.is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    });
    matches && hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_stored_hashed_and_checked() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong horse battery", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
        assert_eq!(hash_password("short"), Err(AccountProblem::ShortPassword));
    }

    #[test]
    fn roles_need_what_they_work_on() {
        let one = vec!["roads".to_owned()];
        assert!(check_role(StaffRole::Agent, true, &one, &[]).is_ok());
        assert!(check_role(StaffRole::Agent, true, &[], &[]).is_err());
        assert!(check_role(StaffRole::Supervisor, true, &[], &[]).is_err());
        assert!(check_role(StaffRole::Admin, true, &[], &one).is_err());
        assert!(check_role(StaffRole::Operator, true, &[], &[]).is_err());
        assert!(check_role(StaffRole::Operator, false, &[], &[]).is_ok());
        assert_eq!(
            normalize_email("  Ana@Paris.FR ").as_deref(),
            Ok("ana@paris.fr")
        );
        assert!(normalize_email("ana").is_err());
    }
}
