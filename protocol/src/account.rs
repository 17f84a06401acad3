//! The citizen's optional account, and self-service export and deletion (GDPR).
//!
//! Citizens are anonymous by default: a device identity only. An account adds contact details and
//! links several devices: the device that creates it gets a short link code, which another device
//! presents to join (no email round trip: the code proves the same person holds both devices).
//!
//! - `PUT /v1/{tenant}/account` with [`AccountDetails`] → [`Account`] (creates or updates).
//! - `POST /v1/{tenant}/account/link` with [`LinkAccount`] → [`Account`].
//! - `GET /v1/{tenant}/account` → [`Account`], `404 not_found` without one.
//! - `GET /v1/{tenant}/account/export` → [`Export`]: everything the server holds about the caller
//!   (the account and all its devices, or this device alone).
//! - `DELETE /v1/{tenant}/account` → `204`: deletes the account and the identity of its devices
//!   (or of this device): contact details, tokens, supports, ratings' link to the person. Reports
//!   stay, anonymised: they are public facts about the street, no longer linked to anyone.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{PublicReport, ThreadMessage};

/// How the citizen wants to be told about their reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    InApp,
    Email,
    Sms,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountDetails {
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub contact: ContactChannel,
    /// `fr` or `en`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^(fr|en)$"))]
    pub language: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkAccount {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: Uuid,
    pub details: AccountDetails,
    /// Give it to another device of yours to link it (valid until used or replaced).
    pub link_code: String,
    pub devices: u32,
}

/// Everything the server holds about the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Export {
    pub exported_at_ms: i64,
    pub account: Option<Account>,
    pub devices: Vec<ExportedDevice>,
    pub reports: Vec<ExportedReport>,
    pub notes: Vec<ExportedNote>,
    pub supports: Vec<Uuid>,
    pub ratings: Vec<ExportedRating>,
}

/// One of the caller's reports: its public state, with what only the reporter and the town hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedReport {
    #[serde(flatten)]
    pub report: PublicReport,
    /// The reporter's answers to the category's questions.
    #[serde(default)]
    pub answers: std::collections::BTreeMap<String, crate::Answer>,
    /// The reporter's satisfaction given after a resolution (1 to 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedDevice {
    pub id: Uuid,
    pub platform: String,
    pub app_version: String,
    pub registered_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedNote {
    pub report_id: Uuid,
    pub message: ThreadMessage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedRating {
    pub service_id: String,
    pub satisfaction: u8,
    pub importance: u8,
    pub comment: Option<String>,
    pub at_ms: i64,
}
