//! Limits on guessing: how often one client, or one account, may try a secret (a staff
//! password today). Refused attempts get `429` with `Retry-After`, and are logged with the
//! client's address. Kept in memory: a restart forgets them, which costs an attacker a restart
//! of the server for every few guesses.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Login attempts: 10 a minute per client address, and 5 a minute per account, each after a
/// burst of as many.
#[derive(Debug)]
pub struct LoginLimits {
    by_client: DefaultKeyedRateLimiter<IpAddr>,
    by_account: DefaultKeyedRateLimiter<String>,
}

impl Default for LoginLimits {
    fn default() -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            by_client: RateLimiter::keyed(per_minute(10)),
            by_account: RateLimiter::keyed(per_minute(5)),
        }
    }
}

impl LoginLimits {
    /// Counts an attempt of `client` on `account`; `Err` with how long to wait when over a limit.
    pub fn attempt(&self, client: IpAddr, account: &str) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        self.by_client
            .check_key(&client)
            .and_then(|()| self.by_account.check_key(&account.to_owned()))
            .map_err(|not_until| not_until.wait_time_from(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_limited_whatever_the_client_and_a_client_whatever_the_account() {
        let limits = LoginLimits::default();
        let client = |n: u8| IpAddr::from([10, 0, 0, n]);
        for n in 0..5 {
            assert!(limits.attempt(client(n), "ana@paris.fr").is_ok());
        }
        let wait = limits.attempt(client(9), "ana@paris.fr").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        for n in 0..10 {
            let _ = limits.attempt(client(100), &format!("user{n}@paris.fr"));
        }
        assert!(limits.attempt(client(100), "new@paris.fr").is_err());
        assert!(limits.attempt(client(101), "new@paris.fr").is_ok());
    }
}
