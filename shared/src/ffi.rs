//! The UniFFI surface: what Kotlin and Swift see. One object, [`RelaisCore`], wrapping the
//! [`Runtime`]; typed intents in, a typed view model out, and a [`Shell`] callback telling the
//! native side when to re-render.

use std::{path::PathBuf, sync::Arc, time::Duration};

use relais_protocol::{ReportStatus, StaffRole, account::ContactChannel};

use crate::{
    model::{Intent, SyncSchedule},
    runtime::{Runtime, Shell},
    view::ViewModel,
};

// The protocol's enums, as the same enums in Kotlin and Swift (the protocol crate stays free of
// UniFFI; these declarations must list its variants, and the compiler checks they do).

/// Where a report stands (see the protocol).
#[uniffi::remote(Enum)]
pub enum ReportStatus {
    Queued,
    Received,
    Acknowledged,
    Scheduled,
    InProgress,
    Resolved,
    Rejected,
    Transferred,
    Duplicate,
    Reopened,
}

/// How a citizen wants to be told about their reports.
#[uniffi::remote(Enum)]
pub enum ContactChannel {
    InApp,
    Email,
    Sms,
}

/// What a staff member may do.
#[uniffi::remote(Enum)]
pub enum StaffRole {
    Agent,
    Supervisor,
    Admin,
    Operator,
}

/// Why the core could not start.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum CoreError {
    #[error("the local store cannot be opened: {reason}")]
    Storage { reason: String },
}

#[derive(uniffi::Object)]
pub struct RelaisCore {
    runtime: Runtime,
}

#[uniffi::export]
impl RelaisCore {
    /// Opens the app's data in `data_dir` and loads it; `language` is the device language tag.
    /// With `auto_sync` (a phone app passes [`phone_sync_schedule`]), the core syncs by itself.
    #[uniffi::constructor]
    pub fn new(
        data_dir: String,
        language: String,
        auto_sync: Option<SyncSchedule>,
        shell: Arc<dyn Shell>,
    ) -> Result<Arc<Self>, CoreError> {
        let runtime = Runtime::new(&PathBuf::from(data_dir), shell)
            .map_err(|e| CoreError::Storage { reason: e.0 })?;
        runtime.send(Intent::Start {
            language,
            auto_sync,
        });
        Ok(Arc::new(Self { runtime }))
    }

    /// Sends a user intent to the core.
    pub fn send(&self, intent: Intent) {
        self.runtime.send(intent);
    }

    /// The current view model.
    pub fn view(&self) -> ViewModel {
        self.runtime.view()
    }

    /// Blocks until the core has no work in flight, at most `timeout_ms`; `false` on timeout.
    /// For tests and background jobs, never for the UI thread.
    pub fn wait_idle(&self, timeout_ms: u64) -> bool {
        self.runtime.wait_idle(Duration::from_millis(timeout_ms))
    }
}

/// The schedule the phone apps sync on (first retry after 30 s, doubling up to 30 minutes,
/// every 15 minutes once synced).
#[uniffi::export]
pub const fn phone_sync_schedule() -> SyncSchedule {
    SyncSchedule::PHONE
}
