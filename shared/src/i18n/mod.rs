//! Every text a citizen or a staff member reads, in French and English: what the core says
//! ([`Message`]), the words of its views and notifications (`words`), and the few phrases the
//! shells print around them ([`shell`]).
//!
//! The model stores [`Message`]s, never rendered strings, so that switching language re-renders
//! everything already on screen.

mod message;
pub mod shell;
mod words;

use relais_protocol::LocalizedText;

pub use message::Message;
pub use words::*;

/// The user's language. French is the default of a French town's app; any other device
/// language falls back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// From a BCP 47 tag such as `fr-FR` or `en_GB.UTF-8`; any other language is English.
    pub fn from_tag(tag: &str) -> Self {
        Self::recognise(tag).unwrap_or(Self::En)
    }

    /// The language of a tag, if the app speaks it.
    pub fn recognise(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("fr") {
            Some(Self::Fr)
        } else if tag.starts_with("en") {
            Some(Self::En)
        } else {
            None
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

#[cfg(test)]
mod tests {
    use relais_protocol::ReportStatus;

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
            Message::StaffOnly,
            Message::CitizensOnly,
            Message::ReplyRequired,
            Message::NoteRequired,
            Message::UnknownRejectionReason("x".into()),
            Message::UnknownTownService("x".into()),
            Message::AgentsAssignThemselves,
            Message::DuplicateOfItself,
            Message::NotNow {
                status: ReportStatus::Resolved,
                action: "start",
            },
            Message::SameService,
            Message::NothingToReapply,
            Message::UnknownZone("x".into()),
            Message::ChooseCategory,
            Message::ChoosePlace,
            Message::DateRequired,
            Message::RejectionReasonRequired,
            Message::UnknownStatus("x".into()),
            Message::InvalidDate("x".into()),
            Message::InvalidPosition("x".into()),
        ];
        for m in messages {
            assert_ne!(m.text(Lang::Fr), m.text(Lang::En), "{m:?}");
        }
    }

    #[test]
    fn every_shell_phrase_exists_in_both_languages() {
        use shell::Phrase;
        let phrases = [
            Phrase::NotRegistered,
            Phrase::FirstSyncIncomplete,
            Phrase::NothingSaved,
            Phrase::DraftDiscarded,
            Phrase::NearbyFrom {
                server: false,
                radius_m: 250.0,
            },
            Phrase::NoConflicts,
            Phrase::ReapplyWith("id"),
        ];
        for p in phrases {
            assert_ne!(p.text(Lang::Fr), p.text(Lang::En), "{p:?}");
        }
        assert_ne!(
            staff_change(Lang::Fr, &relais_protocol::WorkflowAction::Start, |_| None),
            staff_change(Lang::En, &relais_protocol::WorkflowAction::Start, |_| None)
        );
    }
}
