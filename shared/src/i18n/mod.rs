//! Every text a citizen or a staff member reads, in French and English: what the core says
//! ([`Message`]), the words of its views and notifications (`words`), and the few phrases the
//! shells print around them ([`shell`]).
//!
//! The model stores [`Message`]s, never rendered strings, so that switching language re-renders
//! everything already on screen.

mod message;
pub mod shell;
mod words;

pub use message::Message;
pub use words::*;

pub use relais_domain::lang::Lang;

#[cfg(test)]
mod tests {
    use relais_protocol::ReportStatus;

    use super::*;

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
            Phrase::NoConflicts,
            Phrase::ReapplyWith("id"),
        ];
        for p in phrases {
            assert_ne!(p.text(Lang::Fr), p.text(Lang::En), "{p:?}");
        }
        assert_ne!(
            nearby_from(Lang::Fr, crate::model::nearby::NearbySource::Device, 250.0),
            nearby_from(Lang::En, crate::model::nearby::NearbySource::Device, 250.0)
        );
        assert_ne!(
            staff_change(Lang::Fr, &relais_protocol::WorkflowAction::Start, |_| None),
            staff_change(Lang::En, &relais_protocol::WorkflowAction::Start, |_| None)
        );
    }
}
