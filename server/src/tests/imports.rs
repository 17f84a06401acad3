//! The back office's import jobs kept in a real database of each backend: a job's steps and
//! outcome are read back from the storage (so any server sharing it shows them), one import at a
//! time per town, another town's job is not seen, and a job whose server stopped reads as
//! interrupted, holds up nothing, and is forgotten like a finished one.

use std::time::Duration;

use relais_protocol::LocalizedText;
use uuid::Uuid;

use crate::backoffice::imports::{self, Outcome, Progress, STALLED_MS};
use crate::clock::now_ms;
use relais_server_database::Database;

fn text(s: &str) -> LocalizedText {
    LocalizedText::new(s, s)
}

/// Where job `id` of the demo town stands, as the job's page reads it.
async fn seen(db: &impl Database, id: Uuid) -> Progress {
    imports::progress(db, "demo", id).await.unwrap().unwrap()
}

/// Job `id`'s progress once `ready` says it is worth showing.
async fn seen_when(db: &impl Database, id: Uuid, ready: impl Fn(&Progress) -> bool) -> Progress {
    loop {
        let progress = seen(db, id).await;
        if ready(&progress) {
            return progress;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Starts a one-step job of `tenant` that finishes at once; its id, `None` when refused.
async fn quick(db: &impl Database, tenant: &str) -> Option<Uuid> {
    imports::start(db, tenant, text("x"), "/x", 1, |_| async { Ok(text("x")) })
        .await
        .unwrap()
}

crate::tests::on_both_backends! {
#[tokio::test]
async fn a_job_is_read_back_from_the_database_step_by_step_then_finished() {
    let fx = Fixture::demo().await;
    let (go, wait) = tokio::sync::oneshot::channel::<()>();
    let id = imports::start(&fx.db, "demo", text("zones"), "/z", 3, |reporter| async move {
        reporter.step(text("reading")).await;
        wait.await.ok();
        reporter.step(text("storing")).await;
        Ok(text("12 zones"))
    })
    .await
    .unwrap()
    .unwrap();
    let progress = seen_when(&fx.db, id, |p| p.done >= 1).await;
    assert_eq!((progress.done, progress.steps), (1, 3));
    assert_eq!(progress.doing, text("reading"));
    assert_eq!(progress.outcome, None);
    assert_eq!(progress.page, "/z");
    assert_eq!(imports::progress(&fx.db, "lyon", id).await.unwrap(), None, "another town's");
    // A second import of the town waits for the first; another town's may start.
    assert_eq!(quick(&fx.db, "demo").await, None);
    assert!(quick(&fx.db, "lyon").await.is_some());

    go.send(()).unwrap();
    let progress = seen_when(&fx.db, id, |p| p.outcome.is_some()).await;
    assert_eq!(progress.outcome, Some(Ok(text("12 zones"))));
    assert_eq!(progress.done, progress.steps);
    assert!(quick(&fx.db, "demo").await.is_some());
}

#[tokio::test]
async fn a_job_whose_server_stopped_reads_as_interrupted_and_holds_nothing_up() {
    let fx = Fixture::demo().await;
    let id = imports::start(&fx.db, "demo", text("zones"), "/z", 2, |_| {
        std::future::pending::<Outcome>()
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(seen(&fx.db, id).await.outcome, None);
    assert_eq!(quick(&fx.db, "demo").await, None);
    // Its server stops: the job moves no more.
    let stalled = now_ms() - STALLED_MS - 1_000;
    fx.tables.execute(&format!("UPDATE import_jobs SET updated_at_ms = {stalled}"));
    assert!(matches!(seen(&fx.db, id).await.outcome, Some(Err(_))));
    let next = quick(&fx.db, "demo").await.unwrap();
    seen_when(&fx.db, next, |p| p.outcome.is_some()).await;
    // Two hours later, both are forgotten when the next import starts.
    let old = now_ms() - 7_200_000;
    fx.tables.execute(&format!(
        "UPDATE import_jobs SET updated_at_ms = {old}, \
         finished_at_ms = CASE WHEN finished_at_ms IS NULL THEN NULL ELSE {old} END"
    ));
    assert!(quick(&fx.db, "demo").await.is_some());
    for gone in [id, next] {
        assert_eq!(imports::progress(&fx.db, "demo", gone).await.unwrap(), None);
    }
}
}
