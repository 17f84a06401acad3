//! The notification capability: the core asks the shell to tell the user something happened to
//! one of their reports (its status changed, the city wrote). Fire and forget: the shell shows a
//! system notification, or prints a line (CLI).

use crux_core::capability::Operation;

/// One notification, already in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, uniffi::Record)]
pub struct Notification {
    pub report_id: String,
    pub title: String,
    pub body: String,
}

impl Operation for Notification {
    type Output = ();
}
