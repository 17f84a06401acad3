//! Every text a citizen reads that the core produces, in French and English.
//!
//! The model stores [`Message`]s, never rendered strings, so that switching language re-renders
//! everything already on screen.

use relais_protocol::{LocalizedText, ReportStatus};

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
    /// A reason the server gave, already in both languages.
    FromServer(LocalizedText),
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
            Self::FromServer(text) => lang.pick(text),
        }
    }
}

/// The label of a report status.
pub fn status_label(status: ReportStatus, lang: Lang) -> &'static str {
    match status {
        ReportStatus::Queued => lang.choose("En attente d'envoi", "Waiting to be sent"),
        ReportStatus::Received => lang.choose("Reçu", "Received"),
        ReportStatus::Acknowledged => lang.choose("Pris en compte", "Acknowledged"),
        ReportStatus::Scheduled => lang.choose("Intervention programmée", "Scheduled"),
        ReportStatus::Resolved => lang.choose("Résolu", "Resolved"),
        ReportStatus::Rejected => lang.choose("Rejeté", "Rejected"),
        ReportStatus::Transferred => lang.choose("Transféré", "Transferred"),
        ReportStatus::Duplicate => lang.choose("Doublon", "Duplicate"),
        ReportStatus::Reopened => lang.choose("Rouvert", "Reopened"),
    }
}

/// Confirmation that a report is saved on the device and will leave at the next sync.
pub fn saved_message(lang: Lang) -> String {
    lang.choose(
        "Signalement enregistré sur l'appareil ; il partira à la prochaine synchronisation.",
        "Report saved on this device; it will be sent at the next sync.",
    )
    .into()
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
