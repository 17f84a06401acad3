//! Pull: a device reads the tenant's change log from its cursor.
//!
//! The server keeps one change-log row per visible entity, re-stamped with a fresh tenant-wide
//! sequence number at each change, so a pull returns the latest state of every report changed
//! since the cursor, oldest change first, in pages. A cursor the server can no longer serve (from
//! a server restored from an older backup, another epoch, or below the pruned horizon) gets
//! `reset: true`: the device drops its copy of public reports and pulls again from the start,
//! keeping its own unsent mutations.

use serde::{Deserialize, Serialize};

use crate::PublicReport;

/// An opaque pull position. The empty cursor means "from the beginning".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(pub String);

impl Cursor {
    pub fn start() -> Self {
        Self(String::new())
    }

    pub fn is_start(&self) -> bool {
        self.0.is_empty()
    }
}

/// Largest page a pull returns.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// `GET /v1/{tenant}/sync/pull?cursor=...&limit=...` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// The device must forget its copy of the tenant's public reports and pull from `cursor`
    /// (which is then the start).
    #[serde(default)]
    pub reset: bool,
    pub changes: Vec<Change>,
    /// Where the next pull starts.
    pub cursor: Cursor,
    /// More changes are waiting beyond this page.
    pub has_more: bool,
}

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A report was created or changed: here is its current public state.
    Report { report: Box<PublicReport> },
    /// A report is no longer visible (withdrawn, anonymised away): drop it.
    ReportRemoved { id: uuid::Uuid },
    /// The conversation between the city and the reporter about one of the caller's own
    /// reports, whole. Only the reporter's devices receive it.
    Thread {
        report_id: uuid::Uuid,
        messages: Vec<ThreadMessage>,
    },
}

/// One message of a report's private thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadMessage {
    pub id: uuid::Uuid,
    pub author: Author,
    pub text: String,
    /// Milliseconds since the Unix epoch, server clock.
    pub at_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The service in charge (an agent or the back office).
    City,
    /// The reporter.
    Citizen,
}
