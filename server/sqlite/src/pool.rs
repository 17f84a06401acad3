//! The backend's connections: one writer thread that owns the only writing connection, and a few
//! read-only connections used from the blocking pool.
//!
//! Reads wait for a free connection asynchronously (a semaphore with one permit per reader)
//! before they take a blocking thread: under load, a thousand waiting requests cost a thousand
//! parked futures, not a thousand blocking threads asleep on connection locks.
//!
//! The writer commits the writes queued while it was busy in one transaction (group commit):
//! under load, many devices' pushes share one `fsync`, while each write keeps its own savepoint,
//! so a write that fails rolls back alone. A write alone in its group runs without one (SQLite
//! copies every page a savepoint's statements change, to undo them), and the transaction is
//! rolled back if it fails. A write's answer is released only after the group's commit, so
//! "acknowledged" still means "on disk" (`synchronous=FULL`). A panic inside a write
//! rolls the whole group back and stops the writer: nothing can be trusted after it, and the
//! health check says so.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use relais_server_database::{DbError, DbResult, WRITER_THREAD};
use rusqlite::Connection;
use tokio::sync::{Semaphore, oneshot};

use crate::error::{self, corrupt};

/// How many read-only connections serve reads concurrently.
pub(crate) const READERS: usize = 4;

/// Most writes committed together.
const MAX_GROUP: usize = 128;

/// What a queued write does once the group's commit is known: answer its caller.
type Settle = Box<dyn FnOnce(Result<(), &str>) + Send>;

/// A queued write: runs inside the group's transaction, in its own savepoint unless it is alone
/// in its group (the flag).
type Job = Box<dyn FnOnce(&mut Connection, bool) -> Ran + Send>;

/// What a queued write left: how to answer its caller, and whether it failed (a write alone,
/// without a savepoint, leaves its failure to the transaction's rollback).
struct Ran {
    settle: Settle,
    failed: bool,
}

#[derive(Clone)]
pub(crate) struct Connections {
    writer: mpsc::Sender<Job>,
    poisoned: Arc<AtomicBool>,
    /// The idle reader connections; a read holds a permit of `free_readers` while it takes one.
    readers: Arc<Mutex<Vec<Connection>>>,
    free_readers: Arc<Semaphore>,
}

impl Connections {
    /// Starts the writer thread on `writer` (already migrated) and opens the readers.
    pub(crate) fn start(
        path: &Path,
        writer: Connection,
        open: impl Fn(&Path) -> error::DbResult<Connection>,
    ) -> error::DbResult<Self> {
        let readers = (0..READERS)
            .map(|_| {
                let reader = open(path)?;
                reader.pragma_update(None, "query_only", true)?;
                Ok(reader)
            })
            .collect::<error::DbResult<Vec<_>>>()?;
        let (sender, queue) = mpsc::channel::<Job>();
        let poisoned = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&poisoned);
        std::thread::Builder::new()
            .name(WRITER_THREAD.into())
            .spawn(move || write_loop(writer, &queue, &flag))
            .map_err(|e| corrupt(format!("cannot start the writer thread: {e}")))?;
        Ok(Self {
            writer: sender,
            poisoned,
            readers: Arc::new(Mutex::new(readers)),
            free_readers: Arc::new(Semaphore::new(READERS)),
        })
    }

    /// Whether a panic stopped the writer.
    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::SeqCst)
    }

    /// Runs `f` in the writer's transaction (in its own savepoint when it shares it) and answers
    /// once it is durably committed.
    pub(crate) async fn write<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> error::DbResult<T> + Send + 'static,
    {
        if self.is_poisoned() {
            return Err(DbError::Poisoned);
        }
        let (answer, answered) = oneshot::channel();
        let poisoned = Arc::clone(&self.poisoned);
        let job: Job = Box::new(move |conn: &mut Connection, alone: bool| {
            let run = || {
                if alone {
                    f(conn)
                } else {
                    in_savepoint(conn, f)
                }
            };
            let result = match catch_unwind(AssertUnwindSafe(run)) {
                Ok(result) => result,
                Err(panic) => {
                    // Poisoned before the caller hears anything (its answer is dropped as the
                    // panic goes on to the writer loop, which rolls the group back).
                    poisoned.store(true, Ordering::SeqCst);
                    std::panic::resume_unwind(panic)
                }
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
        });
        self.writer.send(job).map_err(|_| DbError::Poisoned)?;
        answered.await.map_err(|_| DbError::Poisoned)?
    }

    /// Runs `f` on an idle reader connection, on the blocking pool, once one is free.
    pub(crate) async fn read<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> error::DbResult<T> + Send + 'static,
    {
        let permit = Arc::clone(&self.free_readers)
            .acquire_owned()
            .await
            .map_err(|_| DbError::Poisoned)?;
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            let mut reader = Checkout::take(readers)?;
            let result = f(reader.conn()).map_err(DbError::from);
            drop((reader, permit));
            result
        })
        .await?
    }

    /// Sends the writer a write that panics, as a crashed write would (tests of the poisoning).
    #[cfg(test)]
    pub(crate) async fn crash_writer(&self) -> DbResult<()> {
        self.write(|_| -> error::DbResult<()> { panic!("a write crashed") })
            .await
    }
}

/// A reader connection taken from the idle ones, given back when dropped (even by a panic).
struct Checkout {
    conn: Option<Connection>,
    readers: Arc<Mutex<Vec<Connection>>>,
}

impl Checkout {
    fn take(readers: Arc<Mutex<Vec<Connection>>>) -> DbResult<Self> {
        let conn = idle(&readers).pop();
        if conn.is_none() {
            return Err(DbError::Backend("no idle reader despite a permit".into()));
        }
        Ok(Self { conn, readers })
    }

    fn conn(&mut self) -> &mut Connection {
        self.conn
            .as_mut()
            .expect("a checkout holds its connection until dropped")
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            idle(&self.readers).push(conn);
        }
    }
}

/// The idle readers. A reader holds no state worth distrusting after a panic: ignore the poison.
fn idle(readers: &Mutex<Vec<Connection>>) -> std::sync::MutexGuard<'_, Vec<Connection>> {
    readers.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` in a savepoint of the current transaction: kept on success, rolled back otherwise.
fn in_savepoint<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Connection) -> error::DbResult<T>,
) -> error::DbResult<T> {
    let savepoint = conn.savepoint()?;
    let out = f(&savepoint)?;
    savepoint.commit()?;
    Ok(out)
}

/// The writer thread: takes the queued writes in groups, one transaction each, until every
/// handle on the database is gone.
fn write_loop(mut conn: Connection, queue: &mpsc::Receiver<Job>, poisoned: &AtomicBool) {
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if poisoned.load(Ordering::SeqCst) {
            // Answering drops the jobs' senders: their callers see the writer is gone.
            continue;
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            tracing::error!(error = %e, "cannot begin a write transaction");
            continue;
        }
        let alone = jobs.len() == 1;
        let mut settles = Vec::with_capacity(jobs.len());
        let (mut crashed, mut failed) = (false, false);
        for job in jobs {
            match catch_unwind(AssertUnwindSafe(|| job(&mut conn, alone))) {
                Ok(ran) => {
                    failed |= ran.failed;
                    settles.push(ran.settle);
                }
                Err(_) => {
                    crashed = true;
                    break;
                }
            }
        }
        if crashed {
            tracing::error!("a write panicked: the group is rolled back and writes stop");
            poisoned.store(true, Ordering::SeqCst);
            let _ = conn.execute_batch("ROLLBACK");
            for settle in settles {
                settle(Err("the writer stopped after a crash"));
            }
            continue;
        }
        if alone && failed {
            // Its changes are undone with the transaction; its caller hears its own error.
            if let Err(e) = conn.execute_batch("ROLLBACK") {
                tracing::error!(error = %e, "cannot roll a failed write back: writes stop");
                poisoned.store(true, Ordering::SeqCst);
            }
            settles.into_iter().for_each(|settle| settle(Ok(())));
            continue;
        }
        match conn.execute_batch("COMMIT") {
            Ok(()) => settles.into_iter().for_each(|settle| settle(Ok(()))),
            Err(e) => {
                tracing::error!(error = %e, "a group commit failed");
                let _ = conn.execute_batch("ROLLBACK");
                let failure = format!("commit failed: {e}");
                settles.into_iter().for_each(|settle| settle(Err(&failure)));
            }
        }
    }
}
