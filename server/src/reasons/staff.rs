//! Why a staff member's action on a report is refused (through a staff device's push, the back
//! office or the server's command line alike).

use relais_domain::words::status_name;
use relais_protocol::{Reason, ReportStatus};

/// A citizen's device, or a staff member without rights on the report.
pub fn not_permitted() -> Reason {
    Reason::new(
        "not_permitted",
        "Vous n'avez pas les droits pour agir sur ce signalement.",
        "You are not allowed to act on this report.",
    )
}

pub fn conflict(current_version: i64, base_version: i64) -> Reason {
    Reason::new(
        "conflict",
        format!(
            "Ce signalement a changé depuis votre dernière synchronisation (version \
             {current_version}, vous aviez la version {base_version}) : synchronisez, vérifiez \
             son état et recommencez si besoin."
        ),
        format!(
            "This report has changed since your last sync (version {current_version}; you had \
             version {base_version}): sync, check its status and try again if needed."
        ),
    )
}

pub fn invalid_transition(from: ReportStatus, to: ReportStatus) -> Reason {
    let ((from_fr, from_en), (to_fr, to_en)) = (status_name(from), status_name(to));
    Reason::new(
        "invalid_transition",
        format!(
            "Un signalement « {} » ne peut pas passer à « {} ».",
            from_fr.to_lowercase(),
            to_fr.to_lowercase()
        ),
        format!(
            "A report that is \"{}\" cannot become \"{}\".",
            from_en.to_lowercase(),
            to_en.to_lowercase()
        ),
    )
}

pub fn missing_note() -> Reason {
    Reason::new(
        "missing_note",
        "Indiquez au citoyen la raison du rejet.",
        "Tell the citizen why the report is rejected.",
    )
}

pub fn staff_device() -> Reason {
    Reason::new(
        "not_permitted",
        "Un appareil du personnel de la ville ne peut pas faire cela : c'est un geste de citoyen.",
        "A town staff device cannot do this: it is a citizen's act.",
    )
}

pub fn unknown_reason(code: &str) -> Reason {
    Reason::new(
        "unknown_reason",
        format!("« {code} » n'est pas un motif de rejet de la ville."),
        format!("\"{code}\" is not one of the town's rejection reasons."),
    )
}

pub fn unknown_service(code: &str) -> Reason {
    Reason::new(
        "unknown_service",
        format!("« {code} » n'est pas un service de la ville, ou c'est déjà celui du signalement."),
        format!("\"{code}\" is not a service of the town, or it already handles the report."),
    )
}

pub fn unknown_staff(email: &str) -> Reason {
    Reason::new(
        "unknown_staff",
        format!("{email} n'est pas un membre du personnel qui peut traiter ce signalement."),
        format!("{email} is not a staff member who can work on this report."),
    )
}

pub fn invalid_duplicate() -> Reason {
    Reason::new(
        "invalid_duplicate",
        "Le signalement d'origine doit être un autre signalement ouvert de la ville.",
        "The original must be another open report of the town.",
    )
}

pub fn missing_date() -> Reason {
    Reason::new(
        "missing_date",
        "Indiquez la date de l'intervention programmée.",
        "Give the date of the planned intervention.",
    )
}

pub fn missing_reply() -> Reason {
    Reason::new(
        "invalid_text",
        "Écrivez le message à envoyer au citoyen.",
        "Write the message to send to the citizen.",
    )
}
