//! The pull's data: what a device may see (its [`Scope`], a set of change-log buckets), where
//! it stands in each ([`Position`]), and one [`ChangePage`].

use std::collections::BTreeMap;

use relais_protocol::Change;

/// The buckets a device reads. Bucket names: `c:<citizen>` (a citizen's own and followed
/// reports, threads and follows), `z:<zone>` (reports and alerts of a zone), `s:<service>`
/// (a service's tasks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub tenant: String,
    /// The caller's citizen, to tell its own reports (`mine`); `None` for a staff device.
    pub citizen: Option<String>,
    pub buckets: Vec<String>,
    /// For a staff member limited to some zones: the zones (and those inside them) whose tasks
    /// they receive; `None`: every task of their buckets.
    pub task_zones: Option<Vec<String>>,
}

/// Where a device stands in the tenant's change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// From the beginning.
    Start,
    /// An earlier cursor (`epoch.seq`): every bucket at `seq`.
    Everywhere { epoch: String, seq: u64 },
    /// Each bucket at its own sequence number; a bucket not listed starts from the beginning.
    PerBucket {
        epoch: String,
        seqs: BTreeMap<String, u64>,
    },
}

/// One page of a scope's changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePage {
    /// The asked position could not be served: this page starts from the beginning.
    pub reset: bool,
    pub epoch: String,
    /// Where each bucket of the scope stands after this page.
    pub seqs: BTreeMap<String, u64>,
    /// The latest state of what changed, oldest change first.
    pub changes: Vec<Change>,
    pub has_more: bool,
}
