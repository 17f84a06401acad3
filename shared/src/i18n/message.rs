//! What the core tells the user: refusals, failures, problems, as a [`Message`] rendered in the
//! language of the moment.

use relais_protocol::{LocalizedText, ReportStatus};

use super::{Lang, staff_action_name, status_label};

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
    /// A text with control characters, terminal escapes or direction overrides.
    TextControl,
    /// Not the address of a server (`https://host[:port]`).
    InvalidServerUrl(String),
    /// Not a town's code (lowercase letters, digits, dashes).
    InvalidTenant(String),
    /// The device's clock, or a date given, is outside 2020-2099.
    InvalidTime,
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
    /// A staff status a shell does not know.
    UnknownStatus(String),
    /// Scheduling needs the day of the intervention.
    DateRequired,
    /// Rejecting needs one of the town's reasons.
    RejectionReasonRequired,
    /// Not a day as `YYYY-MM-DD`.
    InvalidDate(String),
    /// Not a position as `LAT,LON`.
    InvalidPosition(String),
    NoDraft,
    InvalidEmail,
    UnknownContact(String),
    UnknownLinkCode,
    ChooseCategory,
    ChoosePlace,
    NoPhotoLocation,
    UnknownLocationSource(String),
    /// A staff member's act on a citizen's device.
    StaffOnly,
    /// A citizen's act (filing, me too, confirming, rating, following) on a staff device.
    CitizensOnly,
    ReplyRequired,
    NoteRequired,
    UnknownRejectionReason(String),
    UnknownTownService(String),
    AgentsAssignThemselves,
    DuplicateOfItself,
    /// The workflow does not allow `action` from `status`.
    NotNow {
        status: ReportStatus,
        action: &'static str,
    },
    SameService,
    NothingToReapply,
    UnknownZone(String),
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
            Self::TextControl => lang
                .choose(
                    "Le texte contient des caractères de contrôle ou d'inversion du sens d'écriture : retirez-les.",
                    "The text holds control or text-direction characters: remove them.",
                )
                .into(),
            Self::InvalidServerUrl(url) => match lang {
                Lang::Fr => format!(
                    "« {url} » n'est pas l'adresse d'un serveur (par exemple https://relais.ville.fr)."
                ),
                Lang::En => format!(
                    "\"{url}\" is not the address of a server (for example https://relais.town.example)."
                ),
            },
            Self::InvalidTenant(tenant) => match lang {
                Lang::Fr => format!(
                    "« {tenant} » n'est pas le code d'une ville (lettres minuscules, chiffres et tirets)."
                ),
                Lang::En => format!(
                    "\"{tenant}\" is not the code of a town (lowercase letters, digits and dashes)."
                ),
            },
            Self::InvalidTime => lang
                .choose(
                    "Cette date n'est pas plausible : vérifiez la date et l'heure de l'appareil.",
                    "This date is not plausible: check the device's date and time.",
                )
                .into(),
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
                    "Le serveur ne reconnaît plus cet appareil (son identité a été supprimée ou révoquée). Inscrivez-le de nouveau pour repartir de zéro : ce qui attend ici ne pourra pas être envoyé.",
                    "The server no longer recognises this device (its identity was deleted or revoked). Register it again to start afresh: what waits here cannot be sent.",
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
            Self::ChooseCategory => lang
                .choose("Choisissez d'abord une catégorie.", "Choose a category first.")
                .into(),
            Self::ChoosePlace => lang
                .choose("Indiquez d'abord le lieu du problème.", "Say where the problem is first.")
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
            Self::DateRequired => lang
                .choose(
                    "Indiquez le jour de l'intervention (AAAA-MM-JJ).",
                    "Give the day of the intervention (YYYY-MM-DD).",
                )
                .into(),
            Self::RejectionReasonRequired => lang
                .choose(
                    "Choisissez un des motifs de rejet de la ville.",
                    "Choose one of the town's rejection reasons.",
                )
                .into(),
            Self::InvalidDate(text) => match lang {
                Lang::Fr => format!("« {text} » n'est pas une date sous la forme AAAA-MM-JJ."),
                Lang::En => format!("\"{text}\" is not a date as YYYY-MM-DD."),
            },
            Self::InvalidPosition(text) => match lang {
                Lang::Fr => format!("« {text} » n'est pas une position sous la forme LAT,LON."),
                Lang::En => format!("\"{text}\" is not a position as LAT,LON."),
            },
            Self::StaffOnly => lang
                .choose(
                    "Réservé au personnel de la ville (un appareil inscrit avec un code d'enrôlement).",
                    "For the town's staff only (a device registered with an enrolment code).",
                )
                .into(),
            Self::CitizensOnly => lang
                .choose(
                    "Cet appareil est celui d'un agent de la ville : signaler, dire « moi aussi », confirmer, noter ou suivre un quartier sont des gestes de citoyen.",
                    "This is a town staff member's device: filing, saying \"me too\", confirming, rating and following a zone are citizens' acts.",
                )
                .into(),
            Self::ReplyRequired => lang
                .choose("Écrivez la réponse au citoyen.", "Write the reply to the citizen.")
                .into(),
            Self::NoteRequired => lang
                .choose("Écrivez la note.", "Write the note.")
                .into(),
            Self::UnknownRejectionReason(code) => match lang {
                Lang::Fr => format!("Motif de rejet inconnu de la ville : « {code} »."),
                Lang::En => format!("The town has no rejection reason \"{code}\"."),
            },
            Self::UnknownTownService(code) => match lang {
                Lang::Fr => format!("La ville n'a pas de service « {code} »."),
                Lang::En => format!("The town has no service \"{code}\"."),
            },
            Self::AgentsAssignThemselves => lang
                .choose(
                    "Un agent ne peut attribuer un signalement qu'à lui-même ou à personne.",
                    "An agent may assign a report only to themselves or to nobody.",
                )
                .into(),
            Self::DuplicateOfItself => lang
                .choose(
                    "Un signalement ne peut pas être le doublon de lui-même.",
                    "A report cannot be a duplicate of itself.",
                )
                .into(),
            Self::NotNow { status, action } => match lang {
                Lang::Fr => format!(
                    "Ce signalement est « {} » : « {} » n'est pas possible maintenant.",
                    status_label(*status, lang),
                    staff_action_name(action, lang)
                ),
                Lang::En => format!(
                    "This report is \"{}\": \"{}\" is not possible now.",
                    status_label(*status, lang),
                    staff_action_name(action, lang)
                ),
            },
            Self::SameService => lang
                .choose(
                    "Ce signalement est déjà à ce service.",
                    "This report is already with that service.",
                )
                .into(),
            Self::NothingToReapply => lang
                .choose(
                    "Aucune modification refusée pour conflit n'a cet identifiant.",
                    "No change refused as a conflict has this id.",
                )
                .into(),
            Self::UnknownZone(code) => match lang {
                Lang::Fr => format!("La ville n'a pas de zone « {code} »."),
                Lang::En => format!("The town has no zone \"{code}\"."),
            },
            Self::Localized(text) => lang.pick(text).to_owned(),
        }
    }
}
