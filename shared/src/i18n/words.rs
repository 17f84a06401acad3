//! The words of the views and notifications: status names, confirmations, notifications, the
//! names of staff actions, labels of the timeline and of followed zones.

use relais_protocol::{ReportStatus, WorkflowAction};

use super::Lang;
use crate::{
    model::{ActionKind, nearby::NearbySource},
    view::OutboxItemState,
};

/// The label of a report status.
pub fn status_label(status: ReportStatus, lang: Lang) -> &'static str {
    let (fr, en) = relais_domain::words::status_name(status);
    lang.choose(fr, en)
}

/// Confirmation that an action is saved on the device and will leave at the next sync.
pub fn saved_message(lang: Lang, kind: ActionKind) -> String {
    let (fr, en) = match kind {
        ActionKind::Report => ("Signalement enregistré", "Report saved"),
        ActionKind::Support => ("« Moi aussi » enregistré", "\"Me too\" saved"),
        ActionKind::Reply => ("Message enregistré", "Message saved"),
        ActionKind::Confirm => ("Réponse enregistrée", "Answer saved"),
        ActionKind::Rate => ("Note enregistrée", "Rating saved"),
        ActionKind::Follow => ("Suivi du quartier enregistré", "Follow saved"),
        ActionKind::Unfollow => ("Fin du suivi enregistrée", "Unfollow saved"),
        ActionKind::Staff => ("Modification enregistrée", "Change saved"),
        ActionKind::Reapply => (
            "Modification réappliquée sur l'état actuel et enregistrée",
            "Change applied again on the current state and saved",
        ),
    };
    match lang {
        Lang::Fr => format!("{fr} sur l'appareil ; envoi à la prochaine synchronisation."),
        Lang::En => format!("{en} on this device; it will be sent at the next sync."),
    }
}

/// Said after a staff change that carries no reply of its own: the town's draft goes instead.
pub fn reply_draft_notice(lang: Lang, draft: &str) -> String {
    match lang {
        Lang::Fr => format!("Le citoyen recevra la réponse type de la ville : « {draft} »"),
        Lang::En => format!("The reporter will receive the town's standard reply: \"{draft}\""),
    }
}

/// A notification about a new status of one of the user's reports: `(title, body)`.
pub fn status_notification(
    lang: Lang,
    category: &str,
    status: ReportStatus,
    note: Option<&str>,
) -> (String, String) {
    let title = match lang {
        Lang::Fr => format!(
            "Votre signalement : {}",
            status_label(status, lang).to_lowercase()
        ),
        Lang::En => format!("Your report: {}", status_label(status, lang).to_lowercase()),
    };
    let body = note.map_or_else(
        || category.to_owned(),
        |note| format!("{category} — {note}"),
    );
    (title, body)
}

/// Confirmation that the user's identity is deleted; `already_gone` when the server no longer
/// knew this device (deleted from another device of the account).
pub fn account_deleted(lang: Lang, already_gone: bool) -> String {
    if already_gone {
        lang.choose(
            "Le serveur ne connaissait déjà plus cet appareil (compte supprimé depuis un autre appareil). Cet appareil est réinitialisé ; inscrivez-le de nouveau pour continuer.",
            "The server already no longer knew this device (the account was deleted from another device). This device was reset; register it again to go on.",
        )
    } else {
        lang.choose(
            "Vos données personnelles ont été supprimées ; vos signalements restent, anonymes. Cet appareil est réinitialisé.",
            "Your personal data was deleted; your reports stay, anonymised. This device was reset.",
        )
    }
    .into()
}

/// The name of a staff action (by its wire kind, see [`WorkflowAction::kind`]).
pub fn staff_action_name(kind: &str, lang: Lang) -> &'static str {
    let (fr, en) = match kind {
        "acknowledge" => ("prendre en compte", "acknowledge"),
        "schedule" => ("programmer", "schedule"),
        "start" => ("commencer", "start"),
        "resolve" => ("résoudre", "resolve"),
        "reject" => ("rejeter", "reject"),
        "transfer" => ("transférer", "transfer"),
        "mark_duplicate" => ("marquer en doublon", "mark as duplicate"),
        "assign" => ("attribuer", "assign"),
        "reply" => ("répondre", "reply"),
        "note" => ("noter", "note"),
        _ => ("agir", "act"),
    };
    lang.choose(fr, en)
}

/// What a staff change does, in words: the action and what it names (the date, the reason, the
/// service, the original, the assignee). `label` turns a code into the town's words.
pub fn staff_change(
    lang: Lang,
    action: &WorkflowAction,
    label: impl Fn(&str) -> Option<String>,
) -> String {
    let name = staff_action_name(action.kind(), lang);
    let detail = match action {
        WorkflowAction::Schedule { for_ms: Some(ms) } => Some(date(*ms)),
        WorkflowAction::Reject { reason } => Some(label(reason).unwrap_or_else(|| reason.clone())),
        WorkflowAction::Transfer { service } => {
            Some(label(service).unwrap_or_else(|| service.clone()))
        }
        WorkflowAction::MarkDuplicate { of } => Some(of.to_string()),
        WorkflowAction::Assign { to } => Some(
            to.clone()
                .unwrap_or_else(|| lang.choose("personne", "nobody").into()),
        ),
        WorkflowAction::Resolve { photos } if !photos.is_empty() => {
            Some(format!("{} photo(s)", photos.len()))
        }
        _ => None,
    };
    detail.map_or_else(|| name.to_owned(), |d| format!("{name}: {d}"))
}

/// A day, as `YYYY-MM-DD` (the planned date of an intervention).
pub fn date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default()
}

/// A notification about a message from the city: `(title, body)`.
pub fn message_notification(lang: Lang, category: &str, text: &str) -> (String, String) {
    let title = lang
        .choose("La ville vous a répondu", "The city replied")
        .to_owned();
    (title, format!("{category} — {text}"))
}

/// What a completed sync did.
pub fn sync_summary(lang: Lang, sent: u32, refused: u32, received: u32) -> String {
    match lang {
        Lang::Fr => format!(
            "Synchronisé : {sent} envoi(s) accepté(s), {refused} refusé(s), {received} mise(s) à jour reçue(s)."
        ),
        Lang::En => format!(
            "Synced: {sent} item(s) accepted, {refused} refused, {received} update(s) received."
        ),
    }
}

/// Appended to a failed sync's message: what happens to what is waiting.
pub fn still_queued(lang: Lang, queued: u32) -> String {
    match (lang, queued) {
        (_, 0) => String::new(),
        (Lang::Fr, n) => {
            format!(" {n} envoi(s) restent en attente et partiront à la prochaine synchronisation.")
        }
        (Lang::En, n) => format!(" {n} item(s) stay queued and will be sent at the next sync."),
    }
}

/// When the core will sync by itself next, `wait_ms` from now (rounded up to seconds, then
/// minutes).
pub fn next_sync(lang: Lang, wait_ms: i64) -> String {
    let seconds = (wait_ms.max(0) + 999) / 1000;
    let (n, fr, en) = if seconds < 90 {
        (seconds, "s", "s")
    } else {
        ((seconds + 59) / 60, "min", "min")
    };
    match lang {
        Lang::Fr => format!("Nouvel essai automatique dans {n} {fr}."),
        Lang::En => format!("Next automatic try in {n} {en}."),
    }
}

/// Who wrote a message of a report's thread, as the reporter (`staff: false`) or the town's
/// staff (`staff: true`) reads it.
pub fn author_label(author: relais_protocol::Author, staff: bool, lang: Lang) -> &'static str {
    match (author, staff) {
        (relais_protocol::Author::City, false) => {
            lang.choose("Message de la ville", "Message from the city")
        }
        (relais_protocol::Author::Citizen, false) => lang.choose("Votre message", "Your message"),
        (relais_protocol::Author::City, true) => lang.choose("Réponse de la ville", "Town's reply"),
        (relais_protocol::Author::Citizen, true) => {
            lang.choose("Message du citoyen", "Citizen's message")
        }
    }
}

/// "Reply" (to the reporter), as a label.
pub fn reply_word(lang: Lang) -> &'static str {
    lang.choose("réponse", "reply")
}

/// "Internal note", as a label.
pub fn note_word(lang: Lang) -> &'static str {
    lang.choose("Note interne", "Internal note")
}

/// Why a zone is followed, from the server's `origin` (or `pending`, not sent yet).
pub fn follow_origin(origin: &str, lang: Lang) -> &'static str {
    match origin {
        "reported" => lang.choose("vous y avez fait un signalement", "you reported there"),
        "pending" => lang.choose(
            "choisi, envoi à la prochaine synchronisation",
            "chosen, sent at the next sync",
        ),
        _ => lang.choose("vous l'avez choisi", "you chose it"),
    }
}

/// A zone followed through the zone it lies in.
pub fn followed_via(parent: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("compris dans {parent}, suivi"),
        Lang::En => format!("within {parent}, which is followed"),
    }
}

/// The label of a report the server refused to accept.
pub fn refused_label(lang: Lang) -> &'static str {
    outbox_state_label(OutboxItemState::Rejected, lang)
}

/// An outbox item's state in words.
pub fn outbox_state_label(state: OutboxItemState, lang: Lang) -> &'static str {
    match state {
        OutboxItemState::Queued => lang.choose("En attente d'envoi", "Waiting to be sent"),
        OutboxItemState::Rejected => lang.choose("Refusé par le serveur", "Refused by the server"),
    }
}

/// Who answered a question about nearby reports, and how far it looked.
pub fn nearby_from(lang: Lang, source: NearbySource, radius_m: f64) -> String {
    match (source, lang) {
        (NearbySource::Server, Lang::Fr) => {
            format!("d'après le serveur, dans un rayon de {radius_m:.0} m")
        }
        (NearbySource::Server, Lang::En) => format!("from the server, within {radius_m:.0} m"),
        (NearbySource::Device, Lang::Fr) => format!(
            "d'après la copie de cet appareil, le serveur n'ayant pas répondu (quartiers suivis seulement), dans un rayon de {radius_m:.0} m"
        ),
        (NearbySource::Device, Lang::En) => format!(
            "from this device's copy, the server did not answer (followed zones only), within {radius_m:.0} m"
        ),
    }
}
