//! When the core syncs by itself, so that phone shells hold no retry logic: after something is
//! saved for the server, when the shell says the network is back, and on a timer, retrying with
//! exponential backoff and jitter after a failed sync, through crux's Time effect.
//!
//! A shell opts in by starting the core with a [`SyncSchedule`] (the phone apps do); without
//! one (the CLI, which syncs when told) nothing here runs. Each timer carries the generation it
//! was set in: a newer plan makes older timers fire into nothing, so no timer needs clearing.

use std::time::Duration;

use crux_core::Command;
use crux_time::command::Time;

use super::{SyncEvent, SyncState, SyncStep};
use crate::{effects::Effect, model::Event, model::Model};

/// How often and how patiently the core syncs by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncSchedule {
    /// The wait after a first failed sync; doubled after each further failure.
    pub first_retry_ms: u64,
    /// The longest wait between two tries.
    pub max_retry_ms: u64,
    /// The wait after a sync that completed, to fetch what changed meanwhile.
    pub period_ms: u64,
}

impl SyncSchedule {
    /// A phone's: first retry after 30 s, then 1, 2, 4... minutes up to 30, every 15 minutes
    /// otherwise.
    pub const PHONE: Self = Self {
        first_retry_ms: 30_000,
        max_retry_ms: 30 * 60_000,
        period_ms: 15 * 60_000,
    };

    /// The wait before try number `failures + 1` after `failures` failed syncs in a row: the
    /// doubled delay capped at the maximum, of which a random half is kept ("equal jitter"), so
    /// that phones that lost the server together do not come back together.
    pub fn retry_after_ms(&self, failures: u32, random: u64) -> u64 {
        let doubled = self.first_retry_ms.saturating_mul(
            1u64.checked_shl(failures.saturating_sub(1))
                .unwrap_or(u64::MAX),
        );
        let capped = doubled.min(self.max_retry_ms).max(1);
        let half = capped / 2;
        half + random % (capped - half + 1)
    }
}

/// The core's own plan for the next sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPolicy {
    /// `None`: the shell syncs when it wants (the CLI).
    pub schedule: Option<SyncSchedule>,
    /// Syncs that stopped early in a row.
    pub failures: u32,
    /// The generation of the timer that counts; older timers are ignored when they fire.
    pub generation: u64,
    /// When the next sync is planned (the device's clock, milliseconds since the epoch).
    pub next_attempt_ms: Option<i64>,
    /// Something was saved while a sync ran, after its push: sync again once it ends.
    pub again: bool,
}

/// A sync may be useful now (something was saved for the server, the network came back).
pub fn nudge(model: &mut Model) -> Command<Effect, Event> {
    if model.sync_policy.schedule.is_none() || model.registration().is_none() {
        return Command::done();
    }
    if let SyncState::Running(run) = &model.sync {
        // Before its push is over, the run sends it too; after, the next run will.
        model.sync_policy.again |= !matches!(run.step, SyncStep::Starting | SyncStep::Pushing);
        return Command::done();
    }
    super::start(model)
}

/// The shell says the network is back: forget the backoff and sync now.
pub fn network_back(model: &mut Model) -> Command<Effect, Event> {
    model.sync_policy.failures = 0;
    nudge(model)
}

/// A sync ended, completed or not: plan the next one.
pub fn after_sync(model: &mut Model, completed: bool) -> Command<Effect, Event> {
    let policy = &mut model.sync_policy;
    let Some(schedule) = policy.schedule else {
        return Command::done();
    };
    let wait_ms = if completed {
        policy.failures = 0;
        if std::mem::take(&mut policy.again) {
            0
        } else {
            schedule.period_ms
        }
    } else {
        policy.failures = policy.failures.saturating_add(1);
        schedule.retry_after_ms(policy.failures, random())
    };
    policy.generation += 1;
    let generation = policy.generation;
    policy.next_attempt_ms = Some(model.now_ms + i64::try_from(wait_ms).unwrap_or(i64::MAX / 2));
    Time::notify_after(Duration::from_millis(wait_ms))
        .0
        .then_send(move |_| Event::Sync(SyncEvent::Due { generation }))
}

/// A timer fired: sync if it is the latest plan and no sync is running.
pub fn due(model: &mut Model, generation: u64) -> Command<Effect, Event> {
    if generation != model.sync_policy.generation || matches!(model.sync, SyncState::Running(_)) {
        return Command::done();
    }
    model.sync_policy.next_attempt_ms = None;
    nudge(model)
}

/// A random number for the jitter: the 62 random bits that end a version 7 UUID (drawn from the
/// system's generator, as the core's other ids are).
fn random() -> u64 {
    let bits = uuid::Uuid::now_v7().as_u128();
    u64::try_from(bits & ((1 << 62) - 1)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::SyncSchedule;

    #[test]
    fn the_wait_doubles_up_to_the_maximum_and_keeps_a_random_half() {
        let schedule = SyncSchedule {
            first_retry_ms: 1_000,
            max_retry_ms: 10_000,
            period_ms: 60_000,
        };
        for (failures, full) in [(1, 1_000), (2, 2_000), (3, 4_000), (4, 8_000), (5, 10_000)] {
            for random in [0, 1, 499, 500, 7_777, u64::MAX] {
                let wait = schedule.retry_after_ms(failures, random);
                assert!(
                    (full / 2..=full).contains(&wait),
                    "{failures} failures: {wait} ms not within half of {full}"
                );
            }
            assert_eq!(schedule.retry_after_ms(failures, 0), full / 2);
        }
        // Far past the cap, no overflow.
        assert!(schedule.retry_after_ms(200, u64::MAX) <= 10_000);
    }
}
