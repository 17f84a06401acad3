//! Group commit on PostgreSQL: a town's decided writes (`Database::transact`: pushes, staff
//! actions) queued while its writer was busy share one transaction, one lock of the tenant's row
//! and one commit, as the SQLite backend's writer does.
//!
//! Why: every write of a town holds the tenant's row lock from its first statement to its commit
//! (`changelog` explains why it must), so a town's writes run one after another whichever server
//! runs them. Alone, each paid its own `BEGIN`, lock and commit while every other write of the
//! town waited, holding a pooled connection: under load the pool filled with writes asleep on
//! the lock, and pulls waited for a connection behind them (BENCHMARKS.md). Now one task per
//! town and server takes the queued writes in groups on one connection; the others serve reads.
//!
//! Each write keeps its own savepoint, so a write that fails rolls back alone; its answer is
//! released only after the group's commit, so "acknowledged" still means committed. A write
//! alone in its group (a small town's usual case) skips its savepoint, a round trip, and its
//! transaction is rolled back if it fails. A write that panics rolls its whole group back (the
//! others are answered with an error: their devices send them again, and exactly-once makes that
//! safe) and the writer goes on with the next group.
//! Towns do not wait for each other: each has its own task.
//!
//! The writers run on a thread of their own, with connections of their own (the driver's
//! connection tasks live where they were opened): a write's round trips to the database are not
//! queued behind the hundreds of requests the server's other threads are serving, which made
//! each of the twenty-odd round trips of a push wait (BENCHMARKS.md).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use deadpool_postgres::{Pool, Transaction};
use futures::FutureExt;
use futures::future::BoxFuture;
use relais_server_database::{DbError, DbResult, WRITER_THREAD};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};

use crate::changelog::lock_tenant;
use crate::error::{self, Failure};

/// Most writes committed together.
const MAX_GROUP: usize = 128;

/// What a queued write does once its group's commit is known: answer its caller.
type Settle = Box<dyn FnOnce(Result<(), &str>) + Send>;

/// The body of a write: what it does inside its group's transaction.
type Body<T> =
    Box<dyn for<'a> FnOnce(&'a Transaction<'a>) -> BoxFuture<'a, error::DbResult<T>> + Send>;

/// A queued write: its body and the caller waiting for its answer.
struct Job<T> {
    body: Body<T>,
    answer: oneshot::Sender<DbResult<T>>,
}

/// What a queued write left: how to answer its caller, and whether it failed (a write alone,
/// without a savepoint, leaves its failure to the transaction's rollback).
struct Ran {
    settle: Settle,
    failed: bool,
}

/// A queued write, whatever its answer's type.
trait Queued: Send {
    /// Runs the write, rolled back to its savepoint if it fails, unless it is `alone` in its
    /// group (it has none then); the answer waits for the group's commit.
    fn run<'a>(self: Box<Self>, tx: &'a Transaction<'a>, alone: bool) -> BoxFuture<'a, Ran>;

    /// Answers that the write was not run: its group failed first.
    fn fail(self: Box<Self>, why: &str);
}

impl<T: Send + 'static> Queued for Job<T> {
    fn run<'a>(self: Box<Self>, tx: &'a Transaction<'a>, alone: bool) -> BoxFuture<'a, Ran> {
        let Job { body, answer } = *self;
        async move {
            let result = if alone {
                body(tx).await
            } else {
                in_savepoint(tx, body).await
            };
            let failed = result.is_err();
            let settle: Settle = Box::new(move |commit: Result<(), &str>| {
                let outcome = match commit {
                    Ok(()) => result.map_err(DbError::from),
                    Err(failure) => Err(DbError::Backend(failure.into())),
                };
                // The caller may have gone (a dropped request): the write stands all the same.
                let _ = answer.send(outcome);
            });
            Ran { settle, failed }
        }
        .boxed()
    }

    fn fail(self: Box<Self>, why: &str) {
        let _ = self.answer.send(Err(DbError::Backend(why.into())));
    }
}

/// The writers of the towns this server has written to, started at a town's first write.
#[derive(Clone)]
pub(crate) struct Writers {
    /// Connections for the writers, opened (and driven) on their thread.
    pool: Pool,
    thread: Arc<WriterThread>,
    queues: Arc<Mutex<HashMap<String, Queue>>>,
}

/// Where a town's writes wait for its writer.
type Queue = mpsc::UnboundedSender<Box<dyn Queued>>;

/// The writers' thread: a one-thread runtime, stopped when the last handle on the database goes.
struct WriterThread(Option<Runtime>);

impl Drop for WriterThread {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            // Not `drop`: that would block, and the last handle may go inside a runtime.
            runtime.shutdown_background();
        }
    }
}

impl Writers {
    /// Writers on a thread of their own, with `pool`'s connections (a pool of their own).
    pub(crate) fn start(pool: Pool) -> DbResult<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(WRITER_THREAD)
            .enable_all()
            .build()
            .map_err(|e| DbError::Backend(Box::new(e)))?;
        Ok(Self {
            pool,
            thread: Arc::new(WriterThread(Some(runtime))),
            queues: Arc::default(),
        })
    }

    /// Runs `f` in the group transaction of `tenant` (the tenant's row locked, in a savepoint of
    /// its own) and answers once the group is committed.
    pub(crate) async fn write<T, F>(&self, tenant: &str, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a Transaction<'a>) -> BoxFuture<'a, error::DbResult<T>>
            + Send
            + 'static,
    {
        let (answer, answered) = oneshot::channel();
        self.queue(
            tenant,
            Box::new(Job {
                body: Box::new(f),
                answer,
            }),
        );
        answered.await.map_err(|_| {
            DbError::Backend(
                "the write was abandoned: a write of its group panicked, or the server is stopping"
                    .into(),
            )
        })?
    }

    /// Hands `job` to the tenant's writer, starting one if there is none.
    fn queue(&self, tenant: &str, job: Box<dyn Queued>) {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        let queue = queues.entry(tenant.to_owned()).or_insert_with(|| {
            let (queue, jobs) = mpsc::unbounded_channel();
            if let Some(runtime) = &self.thread.0 {
                runtime.spawn(write_loop(self.pool.clone(), tenant.to_owned(), jobs));
            }
            queue
        });
        // A writer only stops with its thread, which outlives every handle: a failed send
        // drops the job, which its caller reads as an abandoned write.
        let _ = queue.send(job);
    }
}

/// Runs `body` after its savepoint (see [`commit_group`]): rolled back to it on failure.
async fn in_savepoint<'a, T>(tx: &'a Transaction<'a>, body: Body<T>) -> error::DbResult<T> {
    let result = body(tx).await;
    if result.is_err() {
        tx.batch_execute("ROLLBACK TO SAVEPOINT write").await?;
    }
    result
}

/// A town's writer: takes its queued writes in groups, one transaction each, until every handle
/// on the database is gone.
async fn write_loop(
    pool: Pool,
    tenant: String,
    mut queue: mpsc::UnboundedReceiver<Box<dyn Queued>>,
) {
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        commit_group(&pool, &tenant, jobs).await;
    }
}

/// One group: the lock, each write in its savepoint (a write alone without one), the commit,
/// then every answer.
async fn commit_group(pool: &Pool, tenant: &str, jobs: Vec<Box<dyn Queued>>) {
    let size = jobs.len();
    let alone = size == 1;
    let mut client = match pool.get().await {
        Ok(client) => client,
        Err(e) => return fail(jobs, tenant, &format!("no connection to the database: {e}")),
    };
    let tx = match client.transaction().await {
        Ok(tx) => tx,
        Err(e) => return fail(jobs, tenant, &format!("cannot begin a transaction: {e}")),
    };
    match lock_tenant(&tx, tenant).await {
        Ok(Some(_)) => {}
        Ok(None) => return fail(jobs, tenant, "a write names an unknown tenant"),
        Err(Failure(e)) => return fail(jobs, tenant, &format!("cannot lock the tenant: {e}")),
    }
    let mut settles: Vec<Settle> = Vec::with_capacity(size);
    let mut failed = false;
    let mut jobs = jobs.into_iter();
    let mut mark = "SAVEPOINT write";
    while let Some(job) = jobs.next() {
        // Each write starts at a savepoint of its own; the one before it is released in the
        // same round trip.
        if !alone && let Err(e) = tx.batch_execute(mark).await {
            let failure = format!("cannot set a savepoint: {e}");
            settles.into_iter().for_each(|settle| settle(Err(&failure)));
            return fail(std::iter::once(job).chain(jobs).collect(), tenant, &failure);
        }
        mark = "RELEASE SAVEPOINT write; SAVEPOINT write";
        match AssertUnwindSafe(job.run(&tx, alone)).catch_unwind().await {
            Ok(ran) => {
                failed |= ran.failed;
                settles.push(ran.settle);
            }
            Err(_) => {
                // Dropping the transaction rolls the group back, and dropping the answers of
                // the writes not yet run tells their callers.
                tracing::error!(
                    tenant,
                    writes = size,
                    "a write panicked: its group is rolled back"
                );
                let failure = "a write of the same group panicked";
                settles.into_iter().for_each(|settle| settle(Err(failure)));
                return;
            }
        }
    }
    if alone && failed {
        // Its statements are undone with the transaction; its caller hears its own error.
        if let Err(e) = tx.rollback().await {
            tracing::error!(error = %e, tenant, "cannot roll a failed write back");
        }
        settles.into_iter().for_each(|settle| settle(Ok(())));
        return;
    }
    match tx.commit().await {
        Ok(()) => settles.into_iter().for_each(|settle| settle(Ok(()))),
        Err(e) => {
            tracing::error!(error = %e, tenant, writes = size, "a group commit failed");
            let failure = format!("commit failed: {e}");
            settles.into_iter().for_each(|settle| settle(Err(&failure)));
        }
    }
}

/// Answers every write of a group that failed before running them.
fn fail(jobs: Vec<Box<dyn Queued>>, tenant: &str, why: &str) {
    tracing::error!(tenant, writes = jobs.len(), why, "a group of writes failed");
    jobs.into_iter().for_each(|job| job.fail(why));
}
