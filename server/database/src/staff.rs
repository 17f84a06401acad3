//! Staff accounts, web sessions and device enrolment codes, as stored.

use relais_protocol::StaffRole;
use uuid::Uuid;

use crate::records::TokenHash;

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub id: Uuid,
    /// `None` for an operator.
    pub tenant: Option<String>,
    /// Lowercase.
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub services: Vec<String>,
    pub zones: Vec<String>,
    /// Argon2id PHC string.
    pub password_hash: Option<String>,
    pub created_at_ms: i64,
}

/// A stored staff account, with what only account management needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub member: crate::StaffMember,
    pub password_hash: Option<String>,
    pub disabled_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

/// What creating or changing an account did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffChange {
    Done,
    UnknownTenant,
    /// A service or zone the tenant does not have.
    UnknownService,
    UnknownZone,
    /// Another account of the tenant has this e-mail address.
    EmailTaken,
    UnknownStaff,
}

/// A one-time code for a staff member's device.
#[derive(Debug, Clone)]
pub struct NewEnrolment {
    pub code: TokenHash,
    pub tenant: String,
    pub staff: Uuid,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// An enrolment code, as listed (its hash's first 8 hex digits name it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentRecord {
    pub id: String,
    pub staff_email: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub used_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

/// A device, as the town's staff list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceListing {
    pub id: Uuid,
    pub platform: String,
    pub staff_email: Option<String>,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}
