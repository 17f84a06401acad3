//! A write transaction that sends its statements without waiting for each answer.
//!
//! Why: a push's writes (the ledger entry, the report, its history, its spatial-index entry, its
//! change-log rows, the log's head) need no answer to go on, yet each waited for one, a round
//! trip to the database at a time, while the town's other writes waited for its lock
//! (BENCHMARKS.md). [`Tx::send`] sends a statement and keeps its answer for later; the database
//! runs statements in the order they were sent, so a read sent after them (`Tx` is the
//! transaction for reads: it dereferences to it) sees them. [`Tx::finish`] collects the answers
//! before the commit: a failed statement fails the write, and its error is the one reported (the
//! statements after it only say the transaction was aborted). Every write's statements go this
//! way but those whose answer decides what follows: a "me too" (whether it counted), an explicit
//! follow (whether the list changed) and a transfer's read of the report's previous service.

use std::ops::Deref;
use std::sync::Mutex;
use std::task::Poll;

use deadpool_postgres::Transaction;
use futures::FutureExt;
use futures::future::BoxFuture;
use tokio_postgres::types::ToSql;

use crate::error::{DbResult, Failure};

/// A parameter of a statement sent ahead: owned, since the statement outlives the call.
pub(crate) type Param = Box<dyn ToSql + Send + Sync>;

/// The owned parameters of a statement sent ahead.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        vec![$(Box::new($value) as $crate::pipeline::Param),*]
    };
}
pub(crate) use params;

/// A write transaction whose statements may be sent ahead of their answers.
pub(crate) struct Tx<'a> {
    tx: &'a Transaction<'a>,
    sent: Mutex<Vec<BoxFuture<'a, Result<u64, tokio_postgres::Error>>>>,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(tx: &'a Transaction<'a>) -> Self {
        Self {
            tx,
            sent: Mutex::new(Vec::new()),
        }
    }

    /// Sends `sql` with `params` after every statement sent before it, without waiting for its
    /// answer (only its preparation, the first time on a connection, waits).
    pub(crate) async fn send(&self, sql: &str, params: Vec<Param>) -> DbResult<()> {
        let statement = self.tx.prepare_cached(sql).await?;
        let tx = self.tx;
        let mut answer = async move {
            tx.execute_raw(
                &statement,
                params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)),
            )
            .await
        }
        .boxed();
        // The driver writes the request to the connection on the first poll.
        match futures::poll!(&mut answer) {
            Poll::Ready(result) => {
                result?;
            }
            Poll::Pending => self.sent().push(answer),
        }
        Ok(())
    }

    /// Waits for the answers of the statements sent ahead. `result` is what the write's body
    /// returned: a failed statement's error comes first, the write's own otherwise.
    pub(crate) async fn finish<T>(self, result: DbResult<T>) -> DbResult<T> {
        let sent = std::mem::take(&mut *self.sent());
        let mut failed = None;
        for answer in sent {
            if let Err(e) = answer.await
                && failed.is_none()
            {
                failed = Some(Failure::from(e));
            }
        }
        match failed {
            Some(failure) => Err(failure),
            None => result,
        }
    }

    fn sent(
        &self,
    ) -> std::sync::MutexGuard<'_, Vec<BoxFuture<'a, Result<u64, tokio_postgres::Error>>>> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<'a> Deref for Tx<'a> {
    type Target = Transaction<'a>;

    fn deref(&self) -> &Transaction<'a> {
        self.tx
    }
}
