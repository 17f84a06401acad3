//! A report as the device knows it: one of its own (possibly not sent yet) or one pulled from the
//! server.

use relais_protocol::{
    GeoPoint, LocalizedText, PublicReport, Reason, ReportStatus, StatusChange, ThreadMessage,
};
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
    /// How many citizens said "me too".
    #[serde(default)]
    pub supporters: u32,
    #[serde(default)]
    pub duplicate_of: Option<Uuid>,
    /// Filed on this device.
    pub mine: bool,
    /// This device said "me too" for it.
    #[serde(default)]
    pub supported: bool,
    /// Why the server refused to accept this report, if it did.
    pub refusal: Option<Reason>,
    /// The private conversation with the city (own reports only), as last pulled.
    #[serde(default)]
    pub thread: Vec<ThreadMessage>,
}

impl Report {
    /// Takes the server's public state, keeping what only this device knows (that the report is
    /// its own, that it supported it, its thread).
    pub fn merge_public(&mut self, public: PublicReport) {
        let (mine, supported, thread) =
            (self.mine, self.supported, std::mem::take(&mut self.thread));
        *self = Self::from(public);
        self.mine = mine;
        self.supported = supported;
        self.thread = thread;
    }

    pub fn is_open(&self) -> bool {
        relais_domain::status::is_open(self.status)
    }

    /// When the report was last resolved, from its history.
    pub fn resolved_at_ms(&self) -> Option<i64> {
        self.history
            .iter()
            .rev()
            .find(|c| c.status == ReportStatus::Resolved)
            .map(|c| c.at_ms)
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
            supporters: p.supporters,
            duplicate_of: p.duplicate_of,
            mine: false,
            supported: false,
            refusal: None,
            thread: Vec::new(),
        }
    }
}
