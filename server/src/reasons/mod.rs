//! Why a mutation is rejected: the stable codes and their French and English messages, which the
//! device shows to its user as they are. Refusals of staff actions are in [`staff`].

pub mod staff;

use relais_protocol::{Question, Reason};

pub fn duplicate_id() -> Reason {
    Reason::new(
        "duplicate_id",
        "Un signalement porte déjà cet identifiant.",
        "A report with this identifier already exists.",
    )
}

pub fn unknown_category(code: &str) -> Reason {
    Reason::new(
        "unknown_category",
        format!("La catégorie « {code} » n'existe pas (ou plus) ici."),
        format!("The category \"{code}\" does not exist here (any more)."),
    )
}

pub fn invalid_location() -> Reason {
    Reason::new(
        "invalid_location",
        "La position du signalement n'est pas valide.",
        "The location of the report is not valid.",
    )
}

pub fn invalid_text(max_chars: usize) -> Reason {
    Reason::new(
        "invalid_text",
        format!(
            "Le texte doit être visible, sans caractères de contrôle ni d'inversion du sens d'écriture, et compter au plus {max_chars} caractères."
        ),
        format!(
            "The text must be visible, without control or text-direction characters, and have at most {max_chars} characters."
        ),
    )
}

pub fn invalid_time() -> Reason {
    Reason::new(
        "invalid_time",
        "Cette date n'est pas plausible (attendue entre 2020 et 2099).",
        "This date is not plausible (expected between 2020 and 2099).",
    )
}

pub fn outside_zones(tenant_name: &str) -> Reason {
    Reason::new(
        "outside_zones",
        format!("Ce point est en dehors de la ville de {tenant_name}."),
        format!("This point is outside {tenant_name}."),
    )
}

pub fn report_not_found() -> Reason {
    Reason::new(
        "not_found",
        "Ce signalement est introuvable.",
        "This report cannot be found.",
    )
}

pub fn not_your_report() -> Reason {
    Reason::new(
        "not_permitted",
        "Seul l'auteur d'un signalement peut y ajouter une note.",
        "Only the author of a report can add a note to it.",
    )
}

pub fn unsupported() -> Reason {
    Reason::new(
        "unsupported",
        "Ce serveur ne connaît pas cette action ; mettez à jour le serveur ou l'application.",
        "This server does not know this action; the server or the app needs an update.",
    )
}

pub fn missing_answer(question: &Question) -> Reason {
    Reason::new(
        "missing_answer",
        format!("Répondez à la question « {} ».", question.label.fr),
        format!("Please answer the question \"{}\".", question.label.en),
    )
}

pub fn invalid_answer(question: &Question) -> Reason {
    Reason::new(
        "invalid_answer",
        format!(
            "La réponse à la question « {} » n'est pas valable.",
            question.label.fr
        ),
        format!(
            "The answer to the question \"{}\" is not valid.",
            question.label.en
        ),
    )
}

pub fn unknown_question(code: &str) -> Reason {
    Reason::new(
        "invalid_answer",
        format!("La question « {code} » n'existe pas (ou plus) pour cette catégorie."),
        format!("The question \"{code}\" does not exist (any more) for this category."),
    )
}

pub fn invalid_photos(max_photos: usize) -> Reason {
    Reason::new(
        "invalid_photos",
        format!("Un signalement compte au plus {max_photos} photos, chacune envoyée à part."),
        format!("A report has at most {max_photos} photos, each uploaded separately."),
    )
}

pub fn own_report() -> Reason {
    Reason::new(
        "own_report",
        "Vous ne pouvez pas soutenir votre propre signalement.",
        "You cannot support your own report.",
    )
}

pub fn report_closed() -> Reason {
    Reason::new(
        "report_closed",
        "Ce signalement est clos : il ne peut plus être soutenu.",
        "This report is closed: it can no longer be supported.",
    )
}

pub fn not_the_reporter() -> Reason {
    Reason::new(
        "not_permitted",
        "Seul l'auteur d'un signalement peut confirmer sa résolution.",
        "Only the author of a report can confirm its resolution.",
    )
}

pub fn not_resolved() -> Reason {
    Reason::new(
        "not_resolved",
        "Ce signalement n'est pas (ou plus) marqué comme résolu.",
        "This report is not (or no longer) marked as resolved.",
    )
}

pub fn window_closed(days: u32) -> Reason {
    Reason::new(
        "window_closed",
        format!(
            "La résolution date de plus de {days} jours : faites un nouveau signalement si le \
             problème est toujours là."
        ),
        format!(
            "The resolution is more than {days} days old: file a new report if the problem is \
             still there."
        ),
    )
}

pub fn invalid_rating() -> Reason {
    Reason::new(
        "invalid_rating",
        "Les notes vont de 1 à 5.",
        "Ratings go from 1 to 5.",
    )
}

pub fn unknown_service(id: &str) -> Reason {
    Reason::new(
        "unknown_service",
        format!("Le service « {id} » n'existe pas (ou plus) dans l'annuaire."),
        format!("The service \"{id}\" is not (or no longer) in the directory."),
    )
}

/// An alert to end that the town does not have, or that has already ended.
pub fn no_current_alert() -> Reason {
    Reason::new(
        "no_current_alert",
        "Cette alerte n'existe pas dans la ville, ou elle est déjà terminée.",
        "This alert does not exist in the town, or it has already ended.",
    )
}

pub fn unknown_zone(code: &str) -> Reason {
    Reason::new(
        "unknown_zone",
        format!("« {code} » n'est pas une zone de la ville."),
        format!("\"{code}\" is not a zone of the town."),
    )
}
