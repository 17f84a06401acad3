//! Device registration: a device announces itself to a tenant and receives an opaque bearer token.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /v1/{tenant}/devices` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterDevice {
    /// `android`, `ios`, `linux`...: for the city's statistics only.
    pub platform: String,
    pub app_version: String,
    /// A one-time code from the town's administrator: the device is registered as a field
    /// agent of the code's service. Without it, the device is a citizen's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment_code: Option<String>,
    /// The user's language (`fr` or `en`): the town's written replies are drafted in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// `POST /v1/{tenant}/devices` answer. The token is shown once; the server keeps only its hash.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registered {
    pub device_id: Uuid,
    pub token: String,
    /// For a staff device (registered with an enrolment code): whose it is and what they may do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffProfile>,
}

/// A staff member's role in a town. `Operator` runs the server and is in no town.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum StaffRole {
    /// Works the reports of one service, optionally only in some zones.
    Agent,
    /// Dispatches and watches the reports of their services.
    Supervisor,
    /// Runs the town: categories, zones, routing, staff.
    Admin,
    /// Runs the server and its towns.
    Operator,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Who a staff device belongs to and what they may act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffProfile {
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    /// The services they work for (one for an agent; empty for an admin: all).
    #[serde(default)]
    pub services: Vec<String>,
    /// The zones an agent is limited to (empty: every zone).
    #[serde(default)]
    pub zones: Vec<String>,
}

impl std::fmt::Debug for Registered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered")
            .field("device_id", &self.device_id)
            .field("token", &"<redacted>")
            .field("staff", &self.staff)
            .finish()
    }
}
