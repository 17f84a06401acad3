//! Wire types of the Relais sync protocol, shared by the device core (`shared`) and the server.
//!
//! Where to start:
//! - [`mutation`]: what a device pushes — intent-based [`Mutation`]s with a per-device gapless
//!   sequence, and the per-mutation [`Outcome`]s the server answers with.
//! - [`pull`]: what a device pulls — the server change log scoped to a tenant, read with an
//!   opaque [`Cursor`], and the reset answer for a cursor the server can no longer serve.
//! - [`catalogue`]: the town's categories and zones, cached on the device for offline use.
//! - [`report`]: the public shape of a report, as every device of the tenant may see it.
//! - [`device`]: registration of a device and its bearer token; staff roles.
//! - [`nearby`]: open reports around a point, asked of the server.
//! - [`staff`]: the staff API (login, actions on reports, alerts).
//! - [`error`]: the JSON error body of every non-2xx answer.
//!
//! The protocol is versioned in the URL (`/v1/...`); additions are made with optional fields and
//! new mutation kinds, which an older server answers with a readable rejection instead of failing
//! the whole batch. `docs/protocol.md` describes the message shapes for humans.

pub mod account;
pub mod catalogue;
pub mod device;
pub mod directory;
pub mod error;
pub mod mutation;
pub mod nearby;
pub mod pull;
pub mod report;
pub mod shared_report;
pub mod staff;
pub mod text;
pub mod upload;

pub use catalogue::{
    Answer, Catalogue, Category, CategoryGroup, Choice, Question, QuestionKind, RejectionReason,
    ReplyKind, ReplyTemplate, RoutingRule, ServiceInfo, TownSettings, Zone,
};
pub use device::{RegisterDevice, Registered, StaffProfile, StaffRole};
pub use directory::{Directory, PublicService, RatingSummary};
pub use error::{ApiError, ErrorCode};
pub use mutation::{
    Mutation, MutationOp, Outcome, PushRequest, PushResponse, PushResult, Reason, WorkflowAction,
};
pub use nearby::{NearbyReport, NearbyReports};
pub use pull::{
    Actor, Author, Change, Cursor, FollowedZone, LogEntry, PullResponse, ResourceTags, StaffNote,
    StaffRef, Task, ThreadMessage, ZoneAlert,
};
pub use report::{GeoPoint, PublicReport, ReportStatus, StatusChange};
pub use shared_report::SharedReport;
pub use text::LocalizedText;

/// The protocol version this crate describes, as it appears in URLs (`/v1/...`).
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest request body the server accepts, in bytes. Devices size their push batches to stay
/// well below it (see [`mutation::MAX_BATCH_BYTES`]); reverse proxies commonly refuse more than
/// 1 MiB.
pub const MAX_BODY_BYTES: usize = 512 * 1024;
