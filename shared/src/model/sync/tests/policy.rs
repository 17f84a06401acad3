//! The core's own sync policy on a phone: a sync after filing, retries with a growing, jittered
//! wait while the server is unreachable, a sync when the network is back, and a periodic one
//! after success; without a schedule (the CLI), none of it.

use std::time::Duration;

use super::queued;
use crate::model::{
    Intent, SyncSchedule,
    testing::{Harness, ServerOracle, connection_refused},
};
use crate::view::SyncView;

const SCHEDULE: SyncSchedule = SyncSchedule {
    first_retry_ms: 1_000,
    max_retry_ms: 4_000,
    period_ms: 60_000,
};

/// A registered phone that syncs on [`SCHEDULE`], with no timer left from its registration.
fn phone(server: &mut ServerOracle) -> Harness {
    let mut h = Harness::registered(server);
    h.model.sync_policy.schedule = Some(SCHEDULE);
    h
}

/// Answers every request waiting as a server that cannot be reached.
fn refuse_all(h: &mut Harness) {
    while h.has_http() {
        let request = h.take_http();
        h.respond(request, connection_refused());
    }
}

fn within_half_of(wait: Duration, full_ms: u64) -> bool {
    (full_ms / 2..=full_ms).contains(&u64::try_from(wait.as_millis()).unwrap())
}

#[test]
fn filing_syncs_then_retries_with_a_growing_jittered_wait_until_the_server_answers() {
    let mut server = ServerOracle::default();
    let mut h = phone(&mut server);
    let id = h.file("Lampadaire éteint");
    assert!(h.has_http(), "filing started a sync");
    refuse_all(&mut h);
    assert_eq!(queued(&h), 1);
    assert!(matches!(h.view().sync, SyncView::Unreachable { .. }));
    let next = h.view().next_sync.expect("the next try is shown");
    assert!(
        next.message.starts_with("Next automatic try in"),
        "{next:?}"
    );

    for full_ms in [1_000, 2_000, 4_000, 4_000] {
        let timers = h.timers();
        assert_eq!(timers.len(), 1, "one timer at a time: {timers:?}");
        assert!(
            within_half_of(timers[0], full_ms),
            "{timers:?} for {full_ms}"
        );
        h.fire_timer();
        assert!(h.has_http(), "the timer started a sync");
        refuse_all(&mut h);
    }

    h.fire_timer();
    h.serve_all(&mut server);
    assert_eq!(queued(&h), 0, "sent once the server answered");
    assert_eq!(server.report(id).id, id);
    assert_eq!(h.timers(), [Duration::from_millis(60_000)], "then periodic");
}

#[test]
fn the_network_back_forgets_the_backoff_and_a_stale_timer_does_nothing() {
    let mut server = ServerOracle::default();
    let mut h = phone(&mut server);
    h.file("Banc cassé");
    refuse_all(&mut h);
    h.fire_timer();
    refuse_all(&mut h);
    assert_eq!(h.model.sync_policy.failures, 2);

    h.send(Intent::NetworkBack);
    h.serve_all(&mut server);
    assert_eq!(queued(&h), 0);
    assert_eq!(h.model.sync_policy.failures, 0);
    // The retry timer set before the network came back fires into nothing.
    let timers = h.timers();
    assert_eq!(timers.len(), 2, "{timers:?}");
    h.fire_timer();
    assert!(!h.has_http(), "a superseded timer starts no sync");
}

#[test]
fn without_a_schedule_the_core_syncs_only_when_told() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("Tag sur un mur");
    assert!(!h.has_http());
    h.send(Intent::NetworkBack);
    assert!(!h.has_http());
    h.send(Intent::Sync);
    refuse_all(&mut h);
    assert!(h.timers().is_empty());
    assert_eq!(h.view().next_sync, None);
}

#[test]
fn something_saved_during_a_sync_is_sent_right_after_it() {
    let mut server = ServerOracle::default();
    let mut h = phone(&mut server);
    h.file("Poubelle renversée");
    // The sync it started has pushed and is pulling when a second report is filed.
    let push = h.take_http();
    let answer = server.handle(&push.operation);
    h.respond(push, answer);
    assert!(h.waiting()[0].contains("/pull"), "{:?}", h.waiting());
    let second = h.file("Tag");
    h.serve_all(&mut server);
    assert_eq!(
        queued(&h),
        1,
        "the second one came after the first sync's push"
    );
    assert_eq!(
        h.timers(),
        [Duration::ZERO],
        "another sync is planned at once"
    );
    h.fire_timer();
    h.serve_all(&mut server);
    assert_eq!(queued(&h), 0);
    assert_eq!(server.report(second).id, second);
}
