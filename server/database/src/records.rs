//! Plain data crossing the [`Database`](super::Database) trait that is not about a write
//! transaction's facts and writes ([`crate::facts`], [`crate::writes`]) nor the pull
//! ([`crate::scope`]): tokens, tenants, devices, photos, accounts. No SQL here, and no rules.

use relais_protocol::StaffProfile;
use uuid::Uuid;

/// SHA-256 of a device's bearer token: the only form in which a token is stored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

/// A tenant as the server knows it by URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSummary {
    pub id: String,
    pub name: String,
}

/// What importing directory entries did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryImport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The directory version after the import (bumped only when an entry was added or changed).
    pub version: i64,
}

/// What a tenant's published directory is made from: two counters, its entries' version and its
/// ratings' (moved by every change to a rating and to the minimum sample). Equal stamps, equal
/// directories: a server reads this, not the directory, to answer a device that its copy is
/// current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryStamp {
    pub version: i64,
    pub ratings: i64,
}

/// A zone's code, the zone it lies in, and its geometry as GeoJSON text (Polygon or
/// MultiPolygon, lon/lat).
#[derive(Debug, Clone)]
pub struct ZoneShape {
    pub code: String,
    pub parent: Option<String>,
    pub geometry: String,
}

/// A device to register: a citizen's, unless it presents an enrolment code.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub id: Uuid,
    pub tenant: String,
    pub token: TokenHash,
    pub platform: String,
    pub app_version: String,
    /// The user's language (`fr`, `en`), for the town's replies.
    pub language: Option<String>,
    pub created_at_ms: i64,
}

/// An authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub id: Uuid,
    pub tenant: String,
    /// The device's citizen: its account id when it is linked to one, else its own id.
    pub citizen: String,
    /// For a staff device: whose it is, with the staff member's current role and rights.
    pub staff: Option<StaffMember>,
}

/// A staff member, as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: Uuid,
    /// `None` for an operator (server-wide).
    pub tenant: Option<String>,
    pub profile: StaffProfile,
}

/// What the server holds of a photo, as one tenant may know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadState {
    /// The tenant holds the whole photo, checked.
    Stored { bytes: u64 },
    /// A partial upload of `tenant` (possibly another tenant: the caller must not reveal it).
    Partial {
        tenant: String,
        length: u64,
        received: u64,
    },
    /// Nothing, for this tenant.
    Absent,
}

/// A chunk is durably on disk: the partial upload of `sha256` now holds `received` bytes.
#[derive(Debug, Clone)]
pub struct UploadProgress {
    pub sha256: String,
    pub tenant: String,
    pub device: Uuid,
    pub length: u64,
    pub received: u64,
    pub at_ms: i64,
}

/// A checked photo is in its final place: index it, hand it to the tenant (uploaded by
/// `device`) and forget its partial upload, in one transaction.
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    pub sha256: String,
    pub tenant: String,
    /// The device that uploaded it; `None` from the back office (a staff member's browser).
    pub device: Option<Uuid>,
    pub bytes: u64,
    pub at_ms: i64,
}

/// A citizen's account as stored (its link code is only a hash: it is never read back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: Uuid,
    pub details: relais_protocol::account::AccountDetails,
    /// How many devices are linked to it.
    pub devices: u32,
}

/// What presenting a link code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    /// The device is linked to the account; the used code is replaced by the new one.
    Linked(AccountRecord),
    /// No account of the tenant holds that code.
    UnknownCode,
    /// The device already belongs to another account.
    OtherAccount,
}

/// The id of the device that keeps a town's reports and notes once their citizen deleted their
/// identity: derived from the tenant's id, the same on every backend and every server.
pub fn anonymous_device(tenant: &str) -> Uuid {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("relais anonymous device of {tenant}").as_bytes());
    let mut bytes = [0; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}
