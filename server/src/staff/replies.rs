//! The written reply the town sends with an action when the staff member writes none: the
//! town's most specific template for the report's category (`relais_domain::replies`), filled
//! in, in the reporter's language. A town without a template for the moment still answers, with
//! a plain sentence.

use chrono::{DateTime, Datelike};
use relais_domain::replies::{ReplyValues, fill, template};
use relais_protocol::{LocalizedText, ReplyKind};
use relais_server_database::ReportFacts;

use crate::town::Town;

/// What the placeholders of a reply stand for besides the report's own category and service.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The planned date (scheduled).
    pub date_ms: Option<i64>,
    /// The rejection reason's label (rejected).
    pub reason: Option<LocalizedText>,
    /// The original report (duplicate).
    pub original: Option<uuid::Uuid>,
    /// The service the report goes to (transferred).
    pub service: Option<String>,
}

/// The reply for `kind`, in the reporter's language (French when unknown). `None` only when the
/// town has no template for a moment that needs none.
pub fn draft(
    town: &Town,
    report: &ReportFacts,
    kind: ReplyKind,
    extras: &Extras,
    required: bool,
) -> Option<String> {
    let text = prepare(
        town,
        &report.category,
        &report.service,
        kind,
        extras,
        required,
    )?;
    Some(if report.language.as_deref() == Some("en") {
        text.en
    } else {
        text.fr
    })
}

/// The reply for `kind` about a report of `category` handled by `service` (unless `extras`
/// names another), in both languages, a placeholder without a value left for staff to
/// complete: what [`draft`] sends, and what the back office offers to start a reply from.
/// `None` only when the town has no template and a reply is not `required`.
pub fn prepare(
    town: &Town,
    category_code: &str,
    service: &str,
    kind: ReplyKind,
    extras: &Extras,
    required: bool,
) -> Option<LocalizedText> {
    let category = town.category(category_code);
    let group = category.map_or("", |c| c.group.as_str());
    let service = extras.service.as_deref().unwrap_or(service);
    let values = ReplyValues {
        category: category.map(|c| c.name.clone()),
        service: town.service_name(service).cloned(),
        response_days: category.and_then(|c| c.response_days),
        date: extras.date_ms.and_then(written_date),
        reason: extras.reason.clone(),
        original: extras.original.map(reference),
    };
    match template(town.reply_templates(), kind, category_code, group) {
        Some(template) => Some(fill(template, &values)),
        None if required => Some(plain(kind)),
        None => None,
    }
}

/// How a report is referred to in words: the first eight characters of its id.
pub fn reference(id: uuid::Uuid) -> String {
    id.to_string()[..8].to_owned()
}

/// A date written out: "12 mars 2025", "12 March 2025" (UTC).
pub fn written_date(ms: i64) -> Option<LocalizedText> {
    const MOIS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let date = DateTime::from_timestamp_millis(ms)?.date_naive();
    let month = date.month0() as usize;
    Some(LocalizedText::new(
        format!("{} {} {}", date.day(), MOIS[month], date.year()),
        format!("{} {} {}", date.day(), MONTHS[month], date.year()),
    ))
}

/// The sentence a town without a template sends.
fn plain(kind: ReplyKind) -> LocalizedText {
    let (fr, en) = match kind {
        ReplyKind::Acknowledged => (
            "Votre signalement a été pris en compte par nos services.",
            "Your report has been taken in hand by our services.",
        ),
        ReplyKind::Scheduled => (
            "Une intervention est programmée.",
            "An intervention is scheduled.",
        ),
        ReplyKind::Resolved => (
            "Le problème que vous avez signalé a été traité. Merci de votre signalement.",
            "The problem you reported has been dealt with. Thank you for your report.",
        ),
        ReplyKind::Rejected => (
            "Votre signalement ne peut pas être traité par nos services.",
            "Your report cannot be handled by our services.",
        ),
        ReplyKind::Duplicate => (
            "Ce problème nous a déjà été signalé : nous le traitons avec le signalement d'origine.",
            "This problem was already reported: we handle it with the original report.",
        ),
        ReplyKind::Transferred => (
            "Votre signalement a été transmis au service compétent.",
            "Your report has been passed on to the service in charge.",
        ),
    };
    LocalizedText::new(fr, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_out_in_both_languages() {
        // 2025-03-12T10:00:00Z
        let date = written_date(1_741_773_600_000).unwrap();
        assert_eq!(date.fr, "12 mars 2025");
        assert_eq!(date.en, "12 March 2025");
    }
}
