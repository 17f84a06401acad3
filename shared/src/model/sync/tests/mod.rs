//! The sync engine under every network answer: faults, lost answers, refusals, renumbering,
//! restarts, caching and compression. Scopes (follows, alerts, resets, pruning) are in
//! [`scope`].

mod fuzz;
mod policy;
mod scope;

use rand::{Rng, SeedableRng, rngs::StdRng};
use relais_protocol::{ErrorCode, ReportStatus};
use uuid::Uuid;

use crate::model::testing::{Harness, ServerOracle, connection_refused, ok_json, status, timeout};
use crate::{
    model::Intent,
    view::{OutboxItemState, SyncView},
};

fn queued(h: &Harness) -> usize {
    h.view()
        .outbox
        .iter()
        .filter(|i| i.state == OutboxItemState::Queued)
        .count()
}

#[test]
fn registration_syncs_once_and_brings_the_catalogue() {
    let mut server = ServerOracle::default();
    let h = Harness::registered(&mut server);
    let view = h.view();
    assert!(view.registration.is_some());
    assert_eq!(view.categories.len(), 1);
    assert!(
        matches!(view.sync, SyncView::Finished { .. }),
        "{:?}",
        view.sync
    );
}

#[test]
fn reports_filed_offline_are_queued_durably_in_sequence() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    let ids: Vec<_> = (0..3).map(|i| h.file(&format!("report {i}"))).collect();
    let h = h.restart();
    let view = h.view();
    let seqs: Vec<u64> = view.outbox.iter().map(|i| i.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    for id in ids {
        let report = view
            .reports
            .iter()
            .find(|r| r.id == id.to_string())
            .unwrap();
        assert_eq!(report.status, ReportStatus::Queued);
        assert!(report.mine);
    }
}

#[test]
fn unreachable_server_keeps_the_queue_and_counts_the_attempt() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("pothole");
    h.send(Intent::Sync);
    let push = h.take_http();
    h.respond(push, connection_refused());
    let view = h.view();
    assert!(
        matches!(view.sync, SyncView::Unreachable { queued: 1, .. }),
        "{:?}",
        view.sync
    );
    assert_eq!(view.outbox[0].attempts, 1);
    assert!(view.outbox[0].last_error.is_some());
    // The attempt is on disk too.
    assert_eq!(h.restart().view().outbox[0].attempts, 1);
}

#[test]
fn timeout_keeps_the_queue() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("pothole");
    h.send(Intent::Sync);
    let push = h.take_http();
    h.respond(push, timeout());
    assert!(matches!(h.view().sync, SyncView::Unreachable { .. }));
    assert_eq!(queued(&h), 1);
}

#[test]
fn server_error_keeps_the_queue_and_is_not_called_unreachable() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("pothole");
    h.send(Intent::Sync);
    let push = h.take_http();
    h.respond(push, status(500, ErrorCode::Internal));
    assert!(
        matches!(h.view().sync, SyncView::Failed { queued: 1, .. }),
        "{:?}",
        h.view().sync
    );
    h.send(Intent::Sync);
    h.serve_all(&mut server);
    assert_eq!(queued(&h), 0);
    assert_eq!(server.applied.len(), 1);
}

#[test]
fn gateway_errors_mean_unreachable() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("pothole");
    h.send(Intent::Sync);
    let push = h.take_http();
    h.respond(push, status(503, ErrorCode::Unavailable));
    assert!(matches!(h.view().sync, SyncView::Unreachable { .. }));
}

#[test]
fn lost_response_after_the_server_committed_is_not_duplicated() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    for i in 0..3 {
        h.file(&format!("report {i}"));
    }
    h.send(Intent::Sync);
    let push = h.take_http();
    let _lost = server.handle(&push.operation); // committed on the server...
    h.respond(push, connection_refused()); // ...but the answer never arrived
    assert_eq!(queued(&h), 3);
    h.send(Intent::Sync);
    h.serve_all(&mut server);
    h.send(Intent::Sync);
    h.serve_all(&mut server);
    assert_eq!(server.applied.len(), 3);
    assert_eq!(queued(&h), 0);
    assert!(
        h.view()
            .reports
            .iter()
            .all(|r| r.status == ReportStatus::Received)
    );
    assert_eq!(h.view().reports.len(), 3);
}

#[test]
fn a_request_cannot_be_answered_twice() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("pothole");
    h.send(Intent::Sync);
    let mut push = h.take_http();
    let answer = server.handle(&push.operation);
    push.resolve(answer.clone()).unwrap();
    assert!(
        push.resolve(answer).is_err(),
        "crux refuses a duplicated answer"
    );
}

#[test]
fn a_stale_duplicated_answer_only_acknowledges_what_it_names() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("first");
    h.send(Intent::Sync);
    let push = h.take_http();
    let first_answer = server.handle(&push.operation);
    h.respond(push, connection_refused());
    h.file("second");
    h.send(Intent::Sync);
    let push = h.take_http();
    assert_eq!(
        ServerOracle::push_request(&push.operation).mutations.len(),
        2
    );
    // A replayed answer to the first push arrives for the second one.
    h.respond(push, first_answer);
    assert_eq!(queued(&h), 1, "the second report is still queued");
    h.serve_all(&mut server);
    assert_eq!(queued(&h), 0);
    assert_eq!(server.applied.len(), 2);
}

#[test]
fn a_rejected_mutation_is_kept_shown_and_does_not_wedge_the_queue() {
    let mut server = ServerOracle::default();
    server.refuse_text = Some("in lyon".into());
    let mut h = Harness::registered(&mut server);
    h.file("good one");
    let refused = h.file("in lyon");
    h.file("good two");
    h.send(Intent::Sync);
    h.serve_all(&mut server);
    let view = h.view();
    assert!(
        matches!(
            view.sync,
            SyncView::Finished {
                sent: 2,
                refused: 1,
                ..
            }
        ),
        "{:?}",
        view.sync
    );
    assert_eq!(view.outbox.len(), 1);
    assert_eq!(view.outbox[0].state, OutboxItemState::Rejected);
    assert_eq!(view.outbox[0].reason.as_deref(), Some("Outside the town"));
    let report = view
        .reports
        .iter()
        .find(|r| r.id == refused.to_string())
        .unwrap();
    assert_eq!(report.status, ReportStatus::Queued);
    assert!(report.refusal.is_some());
    assert_eq!(report.refusal.as_deref(), Some("Outside the town"));
    // The queue moves on, and the refusal survives a restart.
    let mut h = h.restart();
    h.file("good three");
    h.send(Intent::Sync);
    h.serve_all(&mut server);
    assert_eq!(server.applied.len(), 3);
    assert_eq!(h.view().outbox.len(), 1);
}

#[test]
fn a_revoked_device_keeps_its_queue() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("pothole");
    h.send(Intent::Sync);
    let push = h.take_http();
    h.respond(push, status(401, ErrorCode::Unauthorized));
    assert!(matches!(h.view().sync, SyncView::Failed { queued: 1, .. }));
}

/// A device whose two reports the server acknowledged, and the server restored from a backup
/// that lost the second one (returned).
fn second_of_two_lost(server: &mut ServerOracle) -> (Harness, Uuid) {
    let mut h = Harness::registered(server);
    h.file("one");
    let two = h.file("two");
    h.send(Intent::Sync);
    h.serve_all(server);
    server.forget_after(1);
    assert_eq!(server.applied.len(), 1);
    (h, two)
}

/// A server restored from a backup that lost the second mutation answers the next push with a
/// gap: the device queues the acknowledged mutation the server lost again, renumbers the queue
/// once from where the server stands, and delivers both.
#[test]
fn a_sequence_gap_sends_again_what_the_server_lost_and_delivers() {
    let mut server = ServerOracle::default();
    let (mut h, two) = second_of_two_lost(&mut server);
    h.file("three");
    h.send(Intent::Sync);
    h.serve_all(&mut server);
    assert_eq!(queued(&h), 0);
    assert_eq!(h.view().outbox.len(), 0);
    assert!(
        matches!(h.view().sync, SyncView::Finished { sent: 2, .. }),
        "{:?}",
        h.view().sync
    );
    assert_eq!(server.applied.len(), 3);
    assert!(server.reports.iter().any(|r| r.id == two));
}

/// A server restored from a backup that lost the second mutation, with a new epoch: the device,
/// with nothing queued, meets the reset in its pull, sends again the acknowledged mutations it
/// keeps (the server answers `already_applied` to the first and applies the second), and the
/// pull goes on. Once is enough: the next sync sends nothing.
#[test]
fn a_pull_reset_sends_again_what_the_server_acknowledged() {
    let mut server = ServerOracle::default();
    let (mut h, two) = second_of_two_lost(&mut server);
    server.new_epoch();
    h.send(Intent::Sync);
    h.serve_all(&mut server);
    assert_eq!(h.view().outbox.len(), 0);
    assert!(
        matches!(h.view().sync, SyncView::Finished { sent: 2, .. }),
        "{:?}",
        h.view().sync
    );
    assert_eq!(server.applied.len(), 2);
    assert!(server.reports.iter().any(|r| r.id == two));
    assert!(h.view().reports.iter().any(|r| r.id == two.to_string()));
    h.send(Intent::Sync);
    h.serve_all(&mut server);
    assert!(
        matches!(h.view().sync, SyncView::Finished { sent: 0, .. }),
        "{:?}",
        h.view().sync
    );
}

#[test]
fn a_second_sync_while_one_runs_is_ignored() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("pothole");
    h.send(Intent::Sync);
    h.send(Intent::Sync);
    let _push = h.take_http();
    assert!(!h.has_http(), "only one push in flight");
}

/// Whatever the network does and whenever the app restarts, every report filed reaches the
/// server exactly once, and the queue always drains once the network is good.
#[test]
fn random_faults_never_lose_or_duplicate_a_report() {
    for seed in 0..25 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let mut filed = Vec::new();
        for _ in 0..30 {
            match rng.random_range(0..10) {
                0..=3 => filed.push(h.file("report")),
                4 => h = h.restart(),
                _ => {
                    h.send(Intent::Sync);
                    while h.has_http() {
                        let request = h.take_http();
                        let answer = match rng.random_range(0..6) {
                            0 => connection_refused(), // lost request
                            1 => {
                                let _ = server.handle(&request.operation); // lost response
                                connection_refused()
                            }
                            2 => status(500, ErrorCode::Internal),
                            3 => timeout(),
                            _ => server.handle(&request.operation),
                        };
                        h.respond(request, answer);
                    }
                }
            }
        }
        h.send(Intent::Sync);
        h.serve_all(&mut server);
        assert_eq!(queued(&h), 0, "seed {seed}: the queue drains");
        let mut on_server: Vec<_> = server.reports.iter().map(|r| r.id).collect();
        on_server.sort();
        let mut expected = filed.clone();
        expected.sort();
        assert_eq!(
            on_server, expected,
            "seed {seed}: exactly the filed reports"
        );
        assert_eq!(
            server.applied.len(),
            filed.len(),
            "seed {seed}: each applied once"
        );
    }
}

#[test]
fn ok_json_answers_are_well_formed() {
    // Guards the harness itself: a push answer must parse as the protocol says.
    let answer = ok_json(&relais_protocol::PushResponse {
        results: vec![],
        last_seq: 0,
    });
    let crux_http::protocol::HttpResult::Ok(response) = answer else {
        panic!()
    };
    assert_eq!(response.status, 200);
}

#[test]
fn an_unchanged_catalogue_and_directory_cost_a_304_and_are_kept() {
    // A server that does not say their tags in the pull (older ones).
    let mut server = ServerOracle::default();
    server.older = true;
    let h = Harness::registered(&mut server);
    assert_eq!(server.bodies_served, 2, "the first sync fetches both");
    let mut h = h.restart();
    h.sync(&mut server);
    h.sync(&mut server);
    assert_eq!(server.bodies_served, 2, "then only 304s");
    assert_eq!(server.resource_requests, 6);
    assert!(matches!(h.view().sync, SyncView::Finished { .. }));
    assert_eq!(h.view().categories.len(), 1, "the stored catalogue stays");
    assert_eq!(h.view().services.len(), 1, "the stored directory stays");
}

#[test]
fn a_pull_that_says_the_copies_are_current_saves_asking_for_them() {
    let mut server = ServerOracle::default();
    let h = Harness::registered(&mut server);
    assert_eq!(
        (server.bodies_served, server.resource_requests),
        (2, 2),
        "the first sync fetches both"
    );
    let mut h = h.restart();
    h.sync(&mut server);
    h.sync(&mut server);
    assert_eq!(server.resource_requests, 2, "then neither is asked for");
    assert!(matches!(h.view().sync, SyncView::Finished { .. }));
    assert_eq!(h.view().categories.len(), 1, "the stored catalogue stays");
    assert_eq!(h.view().services.len(), 1, "the stored directory stays");

    // The catalogue changes: its new tag comes with the pull, and only it is fetched.
    server.with_zone_and_question = true;
    h.sync(&mut server);
    assert_eq!((server.bodies_served, server.resource_requests), (3, 3));
    assert!(matches!(h.view().sync, SyncView::Finished { .. }));
}

#[test]
fn pushes_go_compressed_and_plain_to_a_server_that_cannot_read_them() {
    let mut server = ServerOracle::default();
    let mut h = Harness::registered(&mut server);
    h.file("compressed");
    h.sync(&mut server);
    assert_eq!((server.compressed_pushes, server.applied.len()), (1, 1));

    let mut older = ServerOracle::default();
    older.refuse_compressed = true;
    let mut h = Harness::registered(&mut older);
    h.file("plain");
    h.sync(&mut older);
    assert_eq!(older.applied.len(), 1, "sent again, uncompressed");
    assert!(matches!(h.view().sync, SyncView::Finished { sent: 1, .. }));
    // The choice is remembered: the next pushes go plain at once.
    let mut h = h.restart();
    h.file("plain again");
    h.send(Intent::Sync);
    let push = h.take_http();
    assert!(
        !push
            .operation
            .headers
            .iter()
            .any(|h| h.name == "content-encoding"),
        "{:?}",
        push.operation.headers
    );
    h.respond(push, connection_refused());
}

/// A request of the device waiting for the server's answer.
type HttpPush = crux_core::Request<crux_http::protocol::HttpRequest>;

/// How many reports [`syncing_two_batches`] files: more than one push batch holds.
const TWO_BATCHES: usize = 70;

/// A device with [`TWO_BATCHES`] reports queued (long texts: about 60 fill a batch of 192 KiB),
/// syncing: returns it and its first push, not answered yet.
fn syncing_two_batches(server: &mut ServerOracle) -> (Harness, HttpPush) {
    let mut h = Harness::registered(server);
    let text = "x".repeat(3_000);
    for i in 0..TWO_BATCHES {
        h.file(&format!("{i} {text}"));
    }
    h.send(Intent::Sync);
    let first = h.take_http();
    (h, first)
}

/// Answers `push` with the server while the device's store is held, and returns the request
/// the device sends next.
fn answer_with_the_store_held(
    h: &mut Harness,
    server: &mut ServerOracle,
    push: HttpPush,
) -> HttpPush {
    h.hold_store();
    let answer = server.handle(&push.operation);
    h.respond(push, answer);
    h.take_http()
}

/// The sequence numbers a push request carries.
fn seqs(push: &HttpPush) -> Vec<u64> {
    ServerOracle::push_request(&push.operation)
        .mutations
        .iter()
        .map(|m| m.seq)
        .collect()
}

/// Once a batch is answered, the next one leaves while the store records the first; an answer
/// that arrives early waits: it is recorded after the batch before it, in order.
#[test]
fn the_next_batch_is_sent_while_the_store_records_one_and_recorded_after_it() {
    let mut server = ServerOracle::default();
    let (mut h, first) = syncing_two_batches(&mut server);
    let filed = TWO_BATCHES;
    let first_seqs = seqs(&first);
    assert!(
        first_seqs.len() < filed,
        "{} in one batch",
        first_seqs.len()
    );
    assert!(
        !h.has_http(),
        "the second batch left before the first was answered"
    );
    let ahead = answer_with_the_store_held(&mut h, &mut server, first);
    assert_eq!(seqs(&ahead)[0], first_seqs[first_seqs.len() - 1] + 1);
    let answer = server.handle(&ahead.operation);
    h.respond(ahead, answer);
    assert!(
        !h.has_http(),
        "the device pulled before its pushes were recorded"
    );
    assert_eq!(queued(&h), filed, "nothing is recorded yet");
    h.release_store();
    h.serve_all(&mut server);
    assert_eq!((queued(&h), server.applied.len()), (0, filed));
    assert!(
        matches!(h.view().sync, SyncView::Finished { sent, .. } if sent as usize == filed),
        "{:?}",
        h.view().sync
    );
    assert!(
        h.restart()
            .view()
            .reports
            .iter()
            .all(|r| r.status == ReportStatus::Received)
    );
}

/// A failure of the batch sent ahead stops the sync only once the batch before it is recorded:
/// its mutations stay queued with the attempt counted, and the next sync delivers them.
#[test]
fn a_failure_of_the_batch_sent_ahead_stops_the_sync_after_the_batch_before_it() {
    let mut server = ServerOracle::default();
    let (mut h, first) = syncing_two_batches(&mut server);
    let filed = TWO_BATCHES;
    let sent_first = seqs(&first).len();
    let ahead = answer_with_the_store_held(&mut h, &mut server, first);
    h.respond(ahead, connection_refused());
    assert!(matches!(h.view().sync, SyncView::Running { .. }));
    h.release_store();
    assert!(!h.has_http());
    let view = h.view();
    assert!(
        matches!(view.sync, SyncView::Unreachable { .. }),
        "{:?}",
        view.sync
    );
    assert_eq!(view.outbox.len(), filed - sent_first);
    assert!(view.outbox.iter().all(|item| item.attempts == 1));
    h.sync(&mut server);
    assert_eq!((queued(&h), server.applied.len()), (0, filed));
}
