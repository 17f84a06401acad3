//! Limits on guessing and flooding: how often one client, or one account, may try a secret (a
//! staff password, an enrolment code, a link code), and how often devices may register, per
//! client and per town. Refused attempts get `429` with `Retry-After`, and failed codes are logged
//! with the client's address. Kept in memory: a restart forgets them, which costs an attacker a
//! restart of the server for every few guesses.

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
        Self {
            by_client: RateLimiter::keyed(per_minute(10)),
            by_account: RateLimiter::keyed(per_minute(5)),
        }
    }
}

impl LoginLimits {
    /// Counts an attempt of `client` on `account`; `Err` with how long to wait when over a limit.
    pub fn attempt(&self, client: IpAddr, account: &str) -> Result<(), Duration> {
        both(
            &self.by_client,
            &client,
            &self.by_account,
            &account.to_owned(),
        )
    }
}

/// Counts an attempt against `first`'s limit for `a`, then, if it passed, `then`'s for `b`; `Err`
/// with how long to wait when either is over.
fn both<A, B>(
    first: &DefaultKeyedRateLimiter<A>,
    a: &A,
    then: &DefaultKeyedRateLimiter<B>,
    b: &B,
) -> Result<(), Duration>
where
    A: Clone + Eq + std::hash::Hash,
    B: Clone + Eq + std::hash::Hash,
{
    let now = DefaultClock::default().now();
    first
        .check_key(a)
        .and_then(|()| then.check_key(b))
        .map_err(|not_until| not_until.wait_time_from(now))
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

/// Registrations, per client address and per town, and code attempts (enrolment and link
/// codes), 10 a minute per client address; each after a burst of as many.
#[derive(Debug)]
pub struct RegistrationLimits {
    by_client: DefaultKeyedRateLimiter<IpAddr>,
    by_town: DefaultKeyedRateLimiter<String>,
    codes_by_client: DefaultKeyedRateLimiter<IpAddr>,
}

impl RegistrationLimits {
    /// At most `per_client` registrations a minute from one address, `per_town` into one town.
    pub fn new(per_client: u32, per_town: u32) -> Self {
        Self {
            by_client: RateLimiter::keyed(per_minute(per_client)),
            by_town: RateLimiter::keyed(per_minute(per_town)),
            codes_by_client: RateLimiter::keyed(per_minute(10)),
        }
    }

    /// Counts a registration of `client` into `town`; `Err` with how long to wait when over a
    /// limit. A refused attempt uses up nothing of the other limit.
    pub fn register(&self, client: IpAddr, town: &str) -> Result<(), Duration> {
        both(&self.by_client, &client, &self.by_town, &town.to_owned())
    }

    /// Counts an attempt of `client` at a code (enrolment or link).
    pub fn try_code(&self, client: IpAddr) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        self.codes_by_client
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(now))
    }
}

impl Default for RegistrationLimits {
    fn default() -> Self {
        let defaults = crate::settings::Connections::default();
        Self::new(
            defaults.registrations_per_minute,
            defaults.town_registrations_per_minute,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_are_limited_per_client_and_per_town_and_codes_per_client() {
        let limits = RegistrationLimits::new(3, 5);
        let client = |n: u8| IpAddr::from([10, 0, 0, n]);
        for _ in 0..3 {
            assert!(limits.register(client(1), "paris").is_ok());
        }
        let wait = limits.register(client(1), "paris").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        assert!(limits.register(client(2), "paris").is_ok());
        assert!(limits.register(client(3), "paris").is_ok());
        assert!(
            limits.register(client(4), "paris").is_err(),
            "the town's 5 are used"
        );
        assert!(limits.register(client(4), "lyon").is_ok());
        for _ in 0..10 {
            assert!(limits.try_code(client(1)).is_ok());
        }
        assert!(limits.try_code(client(1)).is_err());
        assert!(limits.try_code(client(2)).is_ok());
    }

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
