//! A report as the device knows it: one of its own (possibly not sent yet) or one pulled from the
//! server.

use relais_protocol::{GeoPoint, LocalizedText, PublicReport, Reason, ReportStatus, StatusChange};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: Uuid,
    pub category: String,
    pub location: GeoPoint,
    pub text: String,
    pub created_at_ms: i64,
    pub status: ReportStatus,
    /// The server's version; 0 until the server has the report.
    pub version: i64,
    pub zone: Option<String>,
    pub service: Option<LocalizedText>,
    pub history: Vec<StatusChange>,
    pub photos: Vec<String>,
    /// Filed on this device.
    pub mine: bool,
    /// Why the server refused to accept this report, if it did.
    pub refusal: Option<Reason>,
}

impl Report {
    /// Takes the server's public state, keeping what only this device knows (that the report is
    /// its own).
    pub fn merge_public(&mut self, public: PublicReport) {
        let mine = self.mine;
        *self = Self::from(public);
        self.mine = mine;
    }
}

impl From<PublicReport> for Report {
    fn from(p: PublicReport) -> Self {
        Self {
            id: p.id,
            category: p.category,
            location: p.location,
            text: p.text,
            created_at_ms: p.created_at_ms,
            status: p.status,
            version: p.version,
            zone: Some(p.zone),
            service: Some(p.service),
            history: p.history,
            photos: p.photos,
            mine: false,
            refusal: None,
        }
    }
}
