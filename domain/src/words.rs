//! The few words the device and the server must say alike: the name of each status, in French
//! and English (the device shows it; the server writes it into its refusals).

use relais_protocol::ReportStatus;

/// The name of a status, as `(French, English)`.
pub const fn status_name(status: ReportStatus) -> (&'static str, &'static str) {
    match status {
        ReportStatus::Queued => ("En attente d'envoi", "Waiting to be sent"),
        ReportStatus::Received => ("Reçu", "Received"),
        ReportStatus::Acknowledged => ("Pris en compte", "Acknowledged"),
        ReportStatus::Scheduled => ("Intervention programmée", "Scheduled"),
        ReportStatus::InProgress => ("En cours", "In progress"),
        ReportStatus::Resolved => ("Résolu", "Resolved"),
        ReportStatus::Rejected => ("Rejeté", "Rejected"),
        ReportStatus::Transferred => ("Transféré", "Transferred"),
        ReportStatus::Duplicate => ("Doublon", "Duplicate"),
        ReportStatus::Reopened => ("Rouvert", "Reopened"),
    }
}
