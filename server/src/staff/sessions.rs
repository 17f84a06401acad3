//! Staff web sessions: a login checks the password (argon2id, within the login limits) and
//! opens a session whose token is shown once; a session ends after [`IDLE_TIMEOUT`] without use,
//! after [`MAX_AGE`] in any case, at logout, or when the account is disabled.

use std::net::IpAddr;
use std::time::Duration;

use relais_protocol::staff::{Login, Session};
use relais_server_database::{Database, DbError, StaffMember, TokenHash};

use super::accounts::{normalize_email, verify_password};
use crate::clock::now_ms;
use crate::limits::LoginLimits;
use crate::token::BearerToken;

/// A session unused for this long has ended.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(2 * 3600);
/// A session older than this has ended, used or not.
pub const MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginFailure {
    /// Wrong address, password, town, or a disabled account: the same answer for all.
    #[error("wrong e-mail address or password")]
    Refused,
    #[error("too many attempts")]
    TooMany(Duration),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Checks `login` from `client` and opens a session.
pub async fn login<DB: Database>(
    db: &DB,
    limits: &LoginLimits,
    client: IpAddr,
    login: Login,
) -> Result<Session, LoginFailure> {
    let email = normalize_email(&login.email).map_err(|_| LoginFailure::Refused)?;
    let key = format!("{}/{email}", login.tenant.as_deref().unwrap_or(""));
    if let Err(wait) = limits.attempt(client, &key) {
        tracing::warn!(%client, account = %key, "login attempts over the limit");
        return Err(LoginFailure::TooMany(wait));
    }
    let account = db.staff_account(login.tenant.clone(), email).await?;
    let active = account.filter(|a| a.disabled_at_ms.is_none());
    // The password is checked even without an account, so the time taken tells nothing.
    let hash = active.as_ref().and_then(|a| a.password_hash.clone());
    let password = login.password;
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, hash.as_deref()))
        .await
        .map_err(DbError::from)?;
    let Some(account) = active.filter(|_| verified) else {
        tracing::warn!(%client, account = %key, "failed staff login");
        return Err(LoginFailure::Refused);
    };
    let token = BearerToken::session();
    db.create_session(token.hash(), account.member.id, now_ms())
        .await?;
    tracing::info!(staff.id = %account.member.id, "staff logged in");
    Ok(Session {
        token: token.into_string(),
        tenant: account.member.tenant.clone(),
        staff: account.member.profile,
        idle_timeout_s: IDLE_TIMEOUT.as_secs(),
    })
}

/// The staff member of a live session.
pub async fn member<DB: Database>(
    db: &DB,
    token: TokenHash,
) -> Result<Option<StaffMember>, DbError> {
    let now = now_ms();
    let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    db.session(token, now, now - ms(IDLE_TIMEOUT), now - ms(MAX_AGE))
        .await
}
