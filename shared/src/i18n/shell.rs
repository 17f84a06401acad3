//! The phrases a shell prints around the view model (the Linux CLI's today), in French and
//! English like everything else a user reads.

use super::{Lang, date};
use crate::model::draft::{DraftStep, LocationSource};

/// One phrase of a shell.
#[derive(Debug, Clone, PartialEq)]
pub enum Phrase<'a> {
    /// The device is not registered yet.
    NotRegistered,
    /// The language asked for is neither French nor English.
    OnlyFrenchAndEnglish,
    Registered {
        town: &'a str,
        server: &'a str,
    },
    /// Registered, but the first sync did not complete.
    FirstSyncIncomplete,
    /// A registration that failed saved nothing.
    NothingSaved,
    /// The exchange with the server did not complete.
    Incomplete,
    ExportedTo(&'a str),
    AccountLinked {
        email: &'a str,
        devices: u32,
        code: &'a str,
    },
    BytesWritten {
        bytes: u64,
        path: &'a str,
    },
    DraftDiscarded,
    DraftStep(DraftStep),
    DraftCategory(&'a str),
    /// The service the report will go to (the town's routing table, known offline).
    DraftService(&'a str),
    DraftPlace {
        lat: f64,
        lon: f64,
        source: LocationSource,
    },
    DraftOffered {
        lat: f64,
        lon: f64,
    },
    DraftPhotos(usize),
    DraftNearby(usize),
    Notification,
    /// A timeline entry waiting to be sent.
    Queued,
    Overdue,
    Due(i64),
    AssignedTo(&'a str),
    Distance(f64),
    Followed,
    NoConflicts,
    /// A refused change beside the report as it is now.
    ConflictChange(&'a str),
    ConflictBasedOn(i64),
    ConflictNow {
        version: i64,
        status: &'a str,
    },
    ReapplyWith(&'a str),
    CannotReapply(&'a str),
    AlertWindow {
        from: &'a str,
        to: &'a str,
    },
}

impl Phrase<'_> {
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per phrase, both languages side by side"
    )]
    pub fn text(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        let pick = |f: String, e: String| if fr { f } else { e };
        match self {
            Self::NotRegistered => lang
                .choose(
                    "appareil non inscrit : lancez relais init",
                    "not registered: run relais init",
                )
                .into(),
            Self::OnlyFrenchAndEnglish => lang
                .choose(
                    "les messages existent en français (fr) et en anglais (en) seulement : anglais utilisé",
                    "messages exist in French (fr) and English (en) only: using English",
                )
                .into(),
            Self::Registered { town, server } => pick(
                format!("inscrit auprès de {town} sur {server}"),
                format!("registered with {town} on {server}"),
            ),
            Self::FirstSyncIncomplete => lang
                .choose(
                    "inscrit, mais la première synchronisation n'a pas abouti : lancez relais sync",
                    "registered, but the first sync did not complete: run relais sync",
                )
                .into(),
            Self::NothingSaved => lang
                .choose(
                    "non inscrit, rien n'a été enregistré : relancez relais init",
                    "not registered, nothing was saved: run relais init again",
                )
                .into(),
            Self::Incomplete => lang
                .choose("la demande n'a pas abouti", "the request did not complete")
                .into(),
            Self::ExportedTo(path) => pick(format!("exporté dans {path}"), format!("exported to {path}")),
            Self::AccountLinked {
                email,
                devices,
                code,
            } => pick(
                format!("compte {email} : {devices} appareil(s) ; liez-en un autre avec `relais account link {code}`"),
                format!("account {email}: {devices} device(s); link another with `relais account link {code}`"),
            ),
            Self::BytesWritten { bytes, path } => pick(
                format!("{bytes} octets écrits dans {path}"),
                format!("{bytes} bytes written to {path}"),
            ),
            Self::DraftDiscarded => lang
                .choose("signalement en cours abandonné", "draft discarded")
                .into(),
            Self::DraftStep(step) => {
                let (fr, en) = match step {
                    DraftStep::Category => ("catégorie", "category"),
                    DraftStep::Location => ("lieu", "place"),
                    DraftStep::Photos => ("photos", "photos"),
                    DraftStep::Details => ("détails", "details"),
                    DraftStep::Review => ("vérification", "review"),
                };
                pick(format!("étape : {fr}"), format!("step: {en}"))
            }
            Self::DraftCategory(name) => pick(format!("catégorie : {name}"), format!("category: {name}")),
            Self::DraftService(name) => pick(format!("service destinataire : {name}"), format!("goes to: {name}")),
            Self::DraftPlace { lat, lon, source } => {
                let (fr, en) = match source {
                    LocationSource::Gps => ("GPS", "GPS"),
                    LocationSource::Pin => ("repère", "pin"),
                    LocationSource::Photo => ("photo", "photo"),
                };
                pick(
                    format!("lieu : {lat:.5},{lon:.5} ({fr})"),
                    format!("place: {lat:.5},{lon:.5} ({en})"),
                )
            }
            Self::DraftOffered { lat, lon } => pick(
                format!("la première photo propose : {lat:.5},{lon:.5} (relais draft use-photo-location)"),
                format!("the first photo offers: {lat:.5},{lon:.5} (relais draft use-photo-location)"),
            ),
            Self::DraftPhotos(n) => pick(format!("photos : {n}"), format!("photos: {n}")),
            Self::DraftNearby(n) => pick(
                format!("{n} signalement(s) ouvert(s) de ce type à proximité : dire « moi aussi » avec `relais support ID` ?"),
                format!("{n} open report(s) of this kind nearby: say \"me too\" with `relais support ID`?"),
            ),
            Self::Notification => lang.choose("notification", "notification").into(),
            Self::Queued => lang.choose("[en attente]", "[queued]").into(),
            Self::Overdue => lang.choose("EN RETARD", "OVERDUE").into(),
            Self::Due(ms) => pick(format!("échéance {}", date(*ms)), format!("due {}", date(*ms))),
            Self::AssignedTo(who) => pick(format!("attribué à {who}"), format!("assigned to {who}")),
            Self::Distance(m) => format!("{m:.0} m"),
            Self::Followed => lang.choose("suivi", "followed").into(),
            Self::NoConflicts => lang
                .choose("aucune modification refusée pour conflit", "no change refused as a conflict")
                .into(),
            Self::ConflictChange(change) => pick(
                format!("  votre modification : {change}"),
                format!("  your change: {change}"),
            ),
            Self::ConflictBasedOn(version) => pick(
                format!("  faite sur la version {version}"),
                format!("  made on version {version}"),
            ),
            Self::ConflictNow { version, status } => pick(
                format!("  le signalement maintenant : version {version}, {status}"),
                format!("  the report now: version {version}, {status}"),
            ),
            Self::ReapplyWith(id) => pick(
                format!("  pour la réappliquer sur l'état actuel : relais reapply {id}"),
                format!("  to apply it again on the current state: relais reapply {id}"),
            ),
            Self::CannotReapply(why) => pick(
                format!("  ne peut pas être réappliquée : {why}"),
                format!("  cannot be applied again: {why}"),
            ),
            Self::AlertWindow { from, to } => pick(
                format!("du {from} au {to}"),
                format!("from {from} to {to}"),
            ),
        }
    }
}
