//! Every text a citizen reads that the core produces, in French and English.
//!
//! The model stores [`Message`]s, never rendered strings, so that switching language re-renders
//! everything already on screen.

use relais_protocol::{LocalizedText, ReportStatus};

use crate::model::ActionKind;

/// The user's language. French is the default of a French town's app; any other device
/// language falls back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// From a BCP 47 tag such as `fr-FR` or `en_GB.UTF-8`.
    pub fn from_tag(tag: &str) -> Self {
        if tag.trim().to_ascii_lowercase().starts_with("fr") {
            Self::Fr
        } else {
            Self::En
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    pub fn pick(self, text: &LocalizedText) -> String {
        text.get(self.code()).to_owned()
    }

    const fn choose(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Self::Fr => fr,
            Self::En => en,
        }
    }
}

/// Something the core tells the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    NotRegistered,
    AlreadyRegistered {
        tenant: String,
    },
    NoCatalogue,
    UnknownCategory(String),
    InvalidLocation,
    EmptyText,
    TextTooLong {
        max: usize,
    },
    ServerUnreachable(String),
    ServerFailed(u16),
    UnknownTenant(String),
    DeviceNotRecognised,
    ProtocolMismatch(String),
    StorageFailed(String),
    StillStarting,
    OutsideTown(String),
    TooManyPhotos {
        max: usize,
    },
    MissingAnswer(LocalizedText),
    InvalidAnswer(LocalizedText),
    UnknownQuestion(String),
    UnknownReport,
    OwnReport,
    ReportClosed,
    AlreadySupported,
    NotYourReport,
    NotResolved,
    WindowClosed {
        days: u32,
    },
    InvalidRating,
    NoDirectory,
    UnknownService(String),
    UnknownPhoto(String),
    UnknownStatus(String),
    NoDraft,
    InvalidEmail,
    UnknownContact(String),
    UnknownLinkCode,
    DraftIncomplete,
    NoPhotoLocation,
    UnknownLocationSource(String),
    AgentsOnly,
    ReasonRequired,
    /// A text already in both languages (a reason the server gave, a photo problem).
    Localized(LocalizedText),
}

impl Message {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Self::NotRegistered => lang
                .choose(
                    "Cet appareil n'est pas encore inscrit auprès d'une ville.",
                    "This device is not registered with a town yet.",
                )
                .into(),
            Self::AlreadyRegistered { tenant } => match lang {
                Lang::Fr => format!("Cet appareil est déjà inscrit auprès de « {tenant} »."),
                Lang::En => format!("This device is already registered with \"{tenant}\"."),
            },
            Self::NoCatalogue => lang
                .choose(
                    "La liste des catégories n'a pas encore été reçue : synchronisez une fois.",
                    "The list of categories has not been received yet: sync once.",
                )
                .into(),
            Self::UnknownCategory(code) => match lang {
                Lang::Fr => format!("La catégorie « {code} » n'existe pas dans cette ville."),
                Lang::En => format!("There is no category \"{code}\" in this town."),
            },
            Self::InvalidLocation => lang
                .choose(
                    "Cette position n'est pas valide (latitude entre -90 et 90, longitude entre -180 et 180).",
                    "This position is not valid (latitude between -90 and 90, longitude between -180 and 180).",
                )
                .into(),
            Self::EmptyText => lang
                .choose(
                    "Décrivez le problème en quelques mots.",
                    "Describe the problem in a few words.",
                )
                .into(),
            Self::TextTooLong { max } => match lang {
                Lang::Fr => format!("La description dépasse {max} caractères."),
                Lang::En => format!("The description is longer than {max} characters."),
            },
            Self::ServerUnreachable(detail) => match lang {
                Lang::Fr => format!("Serveur injoignable ({detail})."),
                Lang::En => format!("Server unreachable ({detail})."),
            },
            Self::ServerFailed(code) => match lang {
                Lang::Fr => format!("Le serveur a rencontré une erreur (HTTP {code})."),
                Lang::En => format!("The server failed (HTTP {code})."),
            },
            Self::UnknownTenant(tenant) => match lang {
                Lang::Fr => format!("Ce serveur ne connaît pas la ville « {tenant} »."),
                Lang::En => format!("This server does not know the town \"{tenant}\"."),
            },
            Self::DeviceNotRecognised => lang
                .choose(
                    "Le serveur ne reconnaît plus cet appareil. Vos signalements restent en attente.",
                    "The server no longer recognises this device. Your reports stay queued.",
                )
                .into(),
            Self::ProtocolMismatch(detail) => match lang {
                Lang::Fr => format!("Réponse inattendue du serveur : {detail}"),
                Lang::En => format!("Unexpected answer from the server: {detail}"),
            },
            Self::StorageFailed(detail) => match lang {
                Lang::Fr => format!("Enregistrement impossible sur cet appareil : {detail}"),
                Lang::En => format!("Could not save on this device: {detail}"),
            },
            Self::StillStarting => lang
                .choose("L'application démarre, réessayez.", "The app is starting, try again.")
                .into(),
            Self::OutsideTown(town) => match lang {
                Lang::Fr => format!("Ce point est en dehors de {town} : placez le repère dans la ville."),
                Lang::En => format!("This point is outside {town}: place the pin inside the town."),
            },
            Self::TooManyPhotos { max } => match lang {
                Lang::Fr => format!("{max} photos au plus par signalement."),
                Lang::En => format!("At most {max} photos per report."),
            },
            Self::MissingAnswer(question) => match lang {
                Lang::Fr => format!("Répondez à la question « {} ».", question.fr),
                Lang::En => format!("Please answer \"{}\".", question.en),
            },
            Self::InvalidAnswer(question) => match lang {
                Lang::Fr => format!("La réponse à « {} » n'est pas valable.", question.fr),
                Lang::En => format!("The answer to \"{}\" is not valid.", question.en),
            },
            Self::UnknownQuestion(code) => match lang {
                Lang::Fr => format!("Cette catégorie ne pose pas de question « {code} »."),
                Lang::En => format!("This category has no question \"{code}\"."),
            },
            Self::UnknownReport => lang
                .choose("Ce signalement est inconnu de cet appareil : synchronisez.", "This device does not know that report: sync first.")
                .into(),
            Self::OwnReport => lang
                .choose("C'est votre propre signalement.", "This is your own report.")
                .into(),
            Self::ReportClosed => lang
                .choose("Ce signalement est déjà traité.", "This report is already closed.")
                .into(),
            Self::AlreadySupported => lang
                .choose("Vous avez déjà dit « moi aussi » pour ce signalement.", "You already said \"me too\" for this report.")
                .into(),
            Self::NotYourReport => lang
                .choose("Seul l'auteur du signalement peut faire cela.", "Only the report's author can do this.")
                .into(),
            Self::NotResolved => lang
                .choose("Ce signalement n'est pas marqué comme résolu.", "This report is not marked as resolved.")
                .into(),
            Self::WindowClosed { days } => match lang {
                Lang::Fr => format!("Le délai de {days} jours après la résolution est dépassé."),
                Lang::En => format!("The {days}-day window after the resolution has passed."),
            },
            Self::InvalidRating => lang
                .choose("Les notes vont de 1 à 5.", "Ratings go from 1 to 5.")
                .into(),
            Self::NoDirectory => lang
                .choose(
                    "L'annuaire des services n'a pas encore été reçu : synchronisez une fois.",
                    "The directory of services has not been received yet: sync once.",
                )
                .into(),
            Self::UnknownService(id) => match lang {
                Lang::Fr => format!("Le service « {id} » n'existe pas dans l'annuaire."),
                Lang::En => format!("There is no service \"{id}\" in the directory."),
            },
                        Self::UnknownPhoto(name) => match lang {
                Lang::Fr => format!("Photo introuvable sur le serveur : {name}"),
                Lang::En => format!("No such photo on the server: {name}"),
            },
                        Self::UnknownStatus(status) => match lang {
                Lang::Fr => format!("Statut inconnu : « {status} »."),
                Lang::En => format!("Unknown status: \"{status}\"."),
            },
                                    Self::InvalidEmail => lang
                .choose("Cette adresse e-mail n'est pas valable.", "This e-mail address is not valid.")
                .into(),
            Self::UnknownContact(channel) => match lang {
                Lang::Fr => format!("Canal inconnu : « {channel} » (in_app, email ou sms)."),
                Lang::En => format!("Unknown channel \"{channel}\" (in_app, email or sms)."),
            },
            Self::UnknownLinkCode => lang
                .choose("Ce code de liaison est inconnu ou déjà utilisé.", "This link code is unknown or already used.")
                .into(),
            Self::NoDraft => lang
                .choose("Aucun signalement en cours : commencez-en un.", "No report in progress: start one.")
                .into(),
            Self::DraftIncomplete => lang
                .choose(
                    "Le signalement n'est pas complet : choisissez une catégorie et un lieu.",
                    "The report is not complete: choose a category and a place.",
                )
                .into(),
            Self::NoPhotoLocation => lang
                .choose(
                    "La première photo ne contient pas de position.",
                    "The first photo has no position in it.",
                )
                .into(),
            Self::UnknownLocationSource(source) => match lang {
                Lang::Fr => format!("Source de position inconnue : « {source} » (gps ou pin)."),
                Lang::En => format!("Unknown location source \"{source}\" (gps or pin)."),
            },
            Self::AgentsOnly => lang
                .choose("Réservé aux agents de la ville.", "For the town's field agents only.")
                .into(),
            Self::ReasonRequired => lang
                .choose("Indiquez au citoyen la raison du rejet.", "Tell the citizen why the report is rejected.")
                .into(),
            Self::Localized(text) => lang.pick(text),
        }
    }
}

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
        ActionKind::Status => ("Changement de statut enregistré", "Status change saved"),
    };
    match lang {
        Lang::Fr => format!("{fr} sur l'appareil ; envoi à la prochaine synchronisation."),
        Lang::En => format!("{en} on this device; it will be sent at the next sync."),
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

/// Confirmation that the server deleted the user's identity.
pub fn account_deleted(lang: Lang) -> String {
    lang.choose(
        "Vos données personnelles ont été supprimées ; vos signalements restent, anonymes. Cet appareil est réinitialisé.",
        "Your personal data was deleted; your reports stay, anonymised. This device was reset.",
    )
    .into()
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

/// Who wrote a message of a report's thread.
pub fn author_label(author: relais_protocol::Author, lang: Lang) -> &'static str {
    match author {
        relais_protocol::Author::City => {
            lang.choose("Message de la ville", "Message from the city")
        }
        relais_protocol::Author::Citizen => lang.choose("Votre message", "Your message"),
    }
}

/// The label of a report the server refused to accept.
pub fn refused_label(lang: Lang) -> &'static str {
    lang.choose("Refusé par le serveur", "Refused by the server")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_recognised() {
        assert_eq!(Lang::from_tag("fr_FR.UTF-8"), Lang::Fr);
        assert_eq!(Lang::from_tag("FR"), Lang::Fr);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("de"), Lang::En);
    }

    #[test]
    fn every_message_differs_between_languages() {
        let messages = [
            Message::NotRegistered,
            Message::NoCatalogue,
            Message::UnknownCategory("x".into()),
            Message::InvalidLocation,
            Message::EmptyText,
            Message::ServerUnreachable("refused".into()),
            Message::DeviceNotRecognised,
            Message::StorageFailed("disk full".into()),
        ];
        for m in messages {
            assert_ne!(m.text(Lang::Fr), m.text(Lang::En), "{m:?}");
        }
    }
}
