//! Why a mutation is rejected: the stable codes and their French and English messages, which the
//! device shows to its user as they are.

use relais_protocol::Reason;

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
        format!("Le texte doit être non vide et compter au plus {max_chars} caractères."),
        format!("The text must not be empty and must have at most {max_chars} characters."),
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

pub fn citizens_cannot_change_status() -> Reason {
    Reason::new(
        "not_permitted",
        "Seuls les agents de la ville peuvent changer l'état d'un signalement.",
        "Only city agents can change the status of a report.",
    )
}

pub fn status_changes_not_available() -> Reason {
    Reason::new(
        "unsupported",
        "Ce serveur ne gère pas encore les changements d'état.",
        "This server does not handle status changes yet.",
    )
}

pub fn unsupported() -> Reason {
    Reason::new(
        "unsupported",
        "Ce serveur ne connaît pas cette action ; mettez à jour le serveur ou l'application.",
        "This server does not know this action; the server or the app needs an update.",
    )
}
