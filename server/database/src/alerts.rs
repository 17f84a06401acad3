//! The town's alerts as the back office lists them: the alert the devices receive, and who
//! published it when (which devices are never told).

use relais_protocol::ZoneAlert;

/// An alert of the town with its publication.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedAlert {
    pub alert: ZoneAlert,
    /// The name of the staff member who published it; `None`: the server's command line or an
    /// account since removed.
    pub published_by: Option<String>,
    pub published_at_ms: i64,
}
