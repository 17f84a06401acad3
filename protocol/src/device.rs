//! Device registration: a device announces itself to a tenant and receives an opaque bearer token.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /v1/{tenant}/devices` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterDevice {
    /// `android`, `ios`, `linux`...: for the city's statistics only.
    pub platform: String,
    pub app_version: String,
    /// A one-time code from the town's administrator: the device is registered as a field
    /// agent of the code's service. Without it, the device is a citizen's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment_code: Option<String>,
}

/// `POST /v1/{tenant}/devices` answer. The token is shown once; the server keeps only its hash.
#[derive(Clone, Serialize, Deserialize)]
pub struct Registered {
    pub device_id: Uuid,
    pub token: String,
}

impl std::fmt::Debug for Registered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered")
            .field("device_id", &self.device_id)
            .field("token", &"<redacted>")
            .finish()
    }
}
