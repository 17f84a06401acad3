//! How the outbox looks on screen: what waits to be sent, what the server refused and why, and
//! for a staff change refused as a conflict, both sides: the change, and the report as it is now.

use relais_protocol::{MutationOp, ReportStatus};
use serde::Serialize;

use crate::{
    i18n::{self, Lang},
    model::{Model, OutboxItem, OutboxState, chain, staff},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct OutboxItemView {
    /// The mutation id.
    pub id: String,
    pub seq: u64,
    /// `create_report`, `add_note`, `staff_action`...
    pub kind: String,
    /// Waiting for the server, or refused by it.
    pub state: OutboxItemState,
    /// The state in words ("Waiting to be sent", "Refused").
    pub state_label: String,
    /// The report it concerns.
    pub report_id: Option<String>,
    /// Why the server refused it, in the user's language.
    pub reason: Option<String>,
    /// The refusal's code (`conflict`, `not_permitted`...).
    pub reason_code: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// For a staff change: what it does, in words, with its reply and note.
    pub change: Option<String>,
    /// For a staff change refused because the report changed meanwhile.
    pub conflict: Option<ConflictView>,
}

/// Where an outbox item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum OutboxItemState {
    /// Waiting to be sent (or sent, not yet answered).
    Queued,
    /// The server refused it: `reason` says why; it stays until the user acts.
    Rejected,
}

/// A refused staff change beside the report as the device now holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct ConflictView {
    /// The version the change was based on.
    pub based_on_version: i64,
    /// The report's version now, if the device still holds it.
    pub current_version: Option<i64>,
    pub current_status: Option<ReportStatus>,
    pub current_status_label: Option<String>,
    /// The latest step of the report's history, in words.
    pub current_last_change: Option<String>,
    /// The change can be applied again on the current state (`relais reapply`, intent
    /// `Reapply`).
    pub can_reapply: bool,
    /// Why it cannot, in the user's language.
    pub reapply_problem: Option<String>,
}

impl OutboxItemView {
    pub(crate) fn new(item: &OutboxItem, model: &Model, lang: Lang) -> Self {
        let (state, reason, reason_code) = match &item.state {
            OutboxState::Queued => (OutboxItemState::Queued, None, None),
            OutboxState::Rejected(r) => (
                OutboxItemState::Rejected,
                Some(lang.pick(&r.message).to_owned()),
                Some(r.code.clone()),
            ),
        };
        Self {
            id: item.id().to_string(),
            seq: item.mutation.seq,
            kind: item.mutation.op.kind().into(),
            state,
            state_label: i18n::outbox_state_label(state, lang).to_owned(),
            report_id: item.report_id().map(|id| id.to_string()),
            reason,
            reason_code,
            attempts: item.attempts,
            last_error: item.last_error.clone(),
            change: describe(&item.mutation.op, model, lang),
            conflict: item
                .is_conflict()
                .then(|| ConflictView::new(item, model, lang))
                .flatten(),
        }
    }
}

/// What a staff change does, in words.
pub(crate) fn describe(op: &MutationOp, model: &Model, lang: Lang) -> Option<String> {
    let MutationOp::StaffAction {
        action,
        reply,
        note,
        ..
    } = op
    else {
        return None;
    };
    let label = |code: &str| {
        let catalogue = model.catalogue.as_ref()?;
        catalogue
            .rejection_reasons
            .iter()
            .find(|r| r.code == code)
            .map(|r| lang.pick(&r.label).to_owned())
            .or_else(|| {
                catalogue
                    .service(code)
                    .map(|s| lang.pick(&s.name).to_owned())
            })
    };
    let mut words = i18n::staff_change(lang, action, label);
    for (what, text) in [
        (i18n::reply_word(lang), reply),
        (i18n::note_word(lang), note),
    ] {
        if let Some(text) = text {
            words.push_str(&format!(" — {what}: « {text} »"));
        }
    }
    Some(words)
}

impl ConflictView {
    fn new(item: &OutboxItem, model: &Model, lang: Lang) -> Option<Self> {
        let MutationOp::StaffAction {
            report_id,
            base_version,
            action,
            ..
        } = &item.mutation.op
        else {
            return None;
        };
        let held = model.held.get(report_id);
        let current = held.map(|h| chain::projected(&h.report, model.outbox.queued_for(h.id())));
        let reapply = held.map_or(Err(crate::i18n::Message::UnknownReport), |h| {
            staff::check_on(model, action, h)
        });
        Some(Self {
            based_on_version: *base_version,
            current_version: current.as_ref().map(|r| r.version),
            current_status: current.as_ref().map(|r| r.status),
            current_status_label: current
                .as_ref()
                .map(|r| i18n::status_label(r.status, lang).to_owned()),
            current_last_change: current.as_ref().and_then(|r| {
                let last = r.history.last()?;
                let label = i18n::status_label(last.status, lang);
                Some(match &last.detail {
                    Some(detail) => format!("{label} — {}", lang.pick(detail).to_owned()),
                    None => label.to_owned(),
                })
            }),
            can_reapply: reapply.is_ok(),
            reapply_problem: reapply.err().map(|m| m.text(lang)),
        })
    }
}
