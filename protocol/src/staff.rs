//! The staff API: a staff member logs in (e-mail and password) and acts on the town's reports
//! with the session's token, or with their staff device's token. The same rules as a staff
//! device's `staff_action` apply (see [`crate::mutation::WorkflowAction`]).

use serde::{Deserialize, Serialize};

use crate::{LocalizedText, StaffProfile, WorkflowAction};

/// `POST /v1/staff/login` body. `tenant` names the town (absent for the server's operators).
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Login {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("tenant", &self.tenant)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `POST /v1/staff/login` answer: a session token, shown once (the server keeps its hash).
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    pub staff: StaffProfile,
    /// The session ends after this long without use.
    pub idle_timeout_s: u64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"<redacted>")
            .field("tenant", &self.tenant)
            .field("staff", &self.staff)
            .finish()
    }
}

/// `POST /v1/{tenant}/staff/reports/{id}/actions` body: what a staff device's `staff_action`
/// says, for the report of the URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionRequest {
    pub base_version: i64,
    pub action: WorkflowAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `POST /v1/{tenant}/staff/alerts` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRequest {
    pub zones: Vec<String>,
    pub title: LocalizedText,
    pub text: LocalizedText,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
}

/// `POST /v1/{tenant}/staff/alerts` answer: the published alert's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertPublished {
    pub id: uuid::Uuid,
}
