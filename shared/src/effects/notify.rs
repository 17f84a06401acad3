//! The notification capability: the core asks the shell to tell the user something happened
//! (one of their reports changed, the town wrote, a zone they follow has an alert). Fire and
//! forget: the shell shows a system notification, or prints a line (CLI).

use crux_core::capability::Operation;
use uuid::Uuid;

/// One notification, already in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, uniffi::Record)]
pub struct Notification {
    /// `report` (one of the user's reports) or `alert` (a notice of the town).
    pub kind: String,
    /// The report's or the alert's id.
    pub id: String,
    pub title: String,
    pub body: String,
}

impl Notification {
    pub fn report(id: Uuid, title: String, body: String) -> Self {
        Self {
            kind: "report".into(),
            id: id.to_string(),
            title,
            body,
        }
    }

    pub fn alert(id: Uuid, title: String, body: String) -> Self {
        Self {
            kind: "alert".into(),
            id: id.to_string(),
            title,
            body,
        }
    }
}

impl Operation for Notification {
    type Output = ();
}
