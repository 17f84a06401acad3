//! A town's writes committed in groups (`writer.rs`) on a real PostgreSQL database: writes sent
//! at once are each answered, a write that fails rolls back alone (in a group, to its savepoint;
//! alone, with its transaction), and a write that panics rolls its group back without stopping
//! the writer.

use relais_server_database::writes::Write;
use relais_server_database::{Database, FactsQuery, Plan, sample};
use relais_server_postgres::Postgres;
use relais_server_postgres::testing::{fresh_database, test_server};
use uuid::Uuid;

/// Concurrent writes: enough that the writer finds several queued at once.
const WRITES: usize = 40;

fn plan(writes: Vec<Write>) -> (FactsQuery, Plan) {
    let query = FactsQuery {
        tenant: "t".into(),
        ..FactsQuery::default()
    };
    let plan = Plan {
        tenant: "t".into(),
        now_ms: 10,
        ledger: None,
        writes,
    };
    (query, plan)
}

/// A fresh database holding the sample town and its people: the database and the citizen's
/// device (its own citizen); `None` without a test server.
async fn town(test: &str) -> Option<(Postgres, Uuid)> {
    let server = test_server(test)?;
    let db = Postgres::open(&fresh_database(&server).await.unwrap())
        .await
        .unwrap();
    let people = sample::populate(&db).await.unwrap();
    Some((db, people.device))
}

/// [`town`], holding one report: the database, the device and the report's id.
async fn town_with_a_report(test: &str) -> Option<(Postgres, Uuid, Uuid)> {
    let (db, device) = town(test).await?;
    let taken = Uuid::now_v7();
    file(&db, taken, device).await;
    Some((db, device, taken))
}

/// Files the report `id` from `device` alone, and checks it was stored.
async fn file(db: &Postgres, id: Uuid, device: Uuid) {
    let (query, plan) = plan(vec![sample::report(id, device, &device.to_string())]);
    db.transact(query, move |_| Ok::<_, ()>((plan, ())))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored(db, &[id]).await, 1);
}

/// How many of `ids` the town holds.
async fn stored(db: &Postgres, ids: &[Uuid]) -> usize {
    db.public_reports("t", ids.to_vec()).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_sent_together_are_each_answered_and_a_failing_one_rolls_back_alone() {
    let Some((db, device, taken)) =
        town_with_a_report("writes_sent_together_are_each_answered").await
    else {
        return;
    };
    let citizen = device.to_string();

    // Every fifth write files a report under an id the town already holds: its insert fails.
    let ids: Vec<Uuid> = (0..WRITES)
        .map(|i| if i % 5 == 0 { taken } else { Uuid::now_v7() })
        .collect();
    let writes = ids.iter().map(|&id| {
        let db = db.clone();
        let (query, plan) = plan(vec![sample::report(id, device, &citizen)]);
        tokio::spawn(async move {
            db.transact(query, move |_| Ok::<_, ()>((plan, id)))
                .await
                .map(|decided| decided.unwrap())
        })
    });
    let answers = futures::future::join_all(writes).await;
    for (id, answer) in ids.iter().zip(answers) {
        let answer = answer.unwrap();
        if *id == taken {
            assert!(
                answer.is_err(),
                "a report filed twice under one id must fail"
            );
        } else {
            assert_eq!(answer.unwrap(), *id);
        }
    }
    let fresh: Vec<Uuid> = ids.iter().copied().filter(|id| *id != taken).collect();
    assert_eq!(stored(&db, &fresh).await, fresh.len());
    assert_eq!(stored(&db, &[taken]).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_panics_rolls_back_its_group_and_the_writer_goes_on() {
    let Some((db, device)) = town("a_write_that_panics_rolls_back_its_group").await else {
        return;
    };
    let (query, _) = plan(Vec::new());
    let crashed = db
        .transact(query, |_| -> Result<(Plan, ()), ()> {
            panic!("a rule crashed")
        })
        .await;
    assert!(
        crashed.is_err(),
        "a write that panicked is not acknowledged"
    );

    file(&db, Uuid::now_v7(), device).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_alone_that_fails_leaves_nothing_and_the_writer_goes_on() {
    let Some((db, device, taken)) =
        town_with_a_report("a_write_alone_that_fails_leaves_nothing").await
    else {
        return;
    };
    let citizen = device.to_string();

    // A new report, then one under an id the town holds: the second insert fails.
    let fresh = Uuid::now_v7();
    let (query, plan) = plan(vec![
        sample::report(fresh, device, &citizen),
        sample::report(taken, device, &citizen),
    ]);
    let failed = db.transact(query, move |_| Ok::<_, ()>((plan, ()))).await;
    assert!(
        failed.is_err(),
        "a report filed twice under one id must fail"
    );
    assert_eq!(
        stored(&db, &[fresh]).await,
        0,
        "the write's first report is undone with it"
    );

    file(&db, Uuid::now_v7(), device).await;
}
