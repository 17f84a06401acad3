//! Data retention on a real database of each backend, on a clock the test moves: a closed request keeps
//! its citizen's link until its town's retention has passed after its closure, then the
//! server's upkeep erases who filed and supported it, once, with an audit entry, and leaves the
//! request itself and the open ones alone.

use relais_protocol::{Cursor, MutationOp, Outcome, WorkflowAction};
use uuid::Uuid;

use super::citizen::Phone;
use super::workflow::act;
use super::{PARIS, report_ids};
use crate::launch::upkeep;
use relais_server_database::Database;

const DAY_MS: i64 = 86_400_000;

crate::tests::on_both_backends! {
#[tokio::test]
async fn a_closed_request_loses_its_citizens_after_the_towns_retention_once() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    let mut citizen = Phone::citizen(&fx).await;
    let closed = citizen.file(&fx, PARIS).await;
    // About 2 km away: not a duplicate of the first.
    let open = citizen.file(&fx, (48.8738, 2.2950)).await;
    let mut neighbour = Phone::citizen(&fx).await;
    let support = MutationOp::SupportReport { report_id: closed };
    assert_eq!(neighbour.send(&fx, support).await, Outcome::Applied);
    let mut agent = Phone::agent(&fx).await;
    for (version, action) in [
        (1, WorkflowAction::Acknowledge),
        (2, WorkflowAction::Resolve { photos: Vec::new() }),
    ] {
        assert_eq!(
            agent.send(&fx, act(closed, version, action)).await,
            Outcome::Applied
        );
    }
    assert!(fx.db.set_retention("demo", Some(30)).await.unwrap());
    assert!(!fx.db.set_retention("nowhere", Some(30)).await.unwrap());
    let closed_at = fx.count(&format!(
        "SELECT closed_at_ms FROM reports WHERE id = '{closed}'"
    ));
    let reporter_of = |report: Uuid| {
        fx.count(&format!(
            "SELECT COUNT(*) FROM reports r JOIN devices d ON d.id = r.device_id
             WHERE r.id = '{report}' AND d.id = '{}'",
            citizen.device.id
        ))
    };
    let links = |report: Uuid| {
        fx.count(&format!(
            "SELECT (SELECT COUNT(*) FROM supports WHERE report_id = '{report}')
                  + (SELECT COUNT(*) FROM report_followers WHERE report_id = '{report}')"
        ))
    };
    let audits = || fx.count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.unlink'");

    // A day before the retention has passed: nothing changes.
    upkeep(&fx.db, closed_at + 29 * DAY_MS).await;
    assert_eq!((reporter_of(closed), audits()), (1, 0));
    assert!(links(closed) > 0);

    upkeep(&fx.db, closed_at + 31 * DAY_MS).await;
    assert_eq!(
        reporter_of(closed),
        0,
        "the closed request still names its citizen"
    );
    assert_eq!(
        links(closed),
        0,
        "its supporters and followers are still linked"
    );
    assert_eq!(
        fx.count(&format!(
            "SELECT COUNT(*) FROM reports r JOIN devices d ON d.id = r.device_id
             WHERE r.id = '{closed}' AND d.role = 'anonymous'"
        )),
        1,
        "the request itself stays"
    );
    assert_eq!(reporter_of(open), 1, "an open request keeps its citizen");
    assert_eq!(audits(), 1);
    let detail = fx.value("SELECT detail FROM audit_log WHERE action = 'retention.unlink'");
    assert!(detail.contains("\"requests\":1"), "{detail}");
    // The citizen's own scope no longer brings the closed request back.
    let pulled = fx.pull_as(&citizen.device, &Cursor::start(), 1000).await;
    assert_eq!(report_ids(&pulled), [open]);

    // The next runs have nothing left to do: no second audit entry.
    upkeep(&fx.db, closed_at + 32 * DAY_MS).await;
    assert_eq!(audits(), 1);
}
}
