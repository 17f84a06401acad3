//! The view model: everything a shell renders, computed from the model in the user's language.
//! Shells never format, translate or decide; they show these fields.

mod report;

use serde::Serialize;

pub use report::{OutboxItemView, ReportView};

use crate::{
    i18n::{Lang, Message},
    model::{Failure, Filing, Lifecycle, Model, Registering, SyncState, sync::SyncStep},
};

#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ViewModel {
    /// The local store has been read and the app can be used.
    pub ready: bool,
    /// `fr` or `en`.
    pub language: String,
    pub registration: Option<RegistrationView>,
    /// Why the last registration failed.
    pub registration_problem: Option<ProblemView>,
    pub categories: Vec<CategoryView>,
    /// Reports this device knows, newest first.
    pub reports: Vec<ReportView>,
    /// Items waiting for the server or refused by it, in sending order.
    pub outbox: Vec<OutboxItemView>,
    pub filing: FilingView,
    pub sync: SyncView,
    /// A problem to show that belongs to no screen in particular.
    pub notice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct RegistrationView {
    pub server_url: String,
    pub tenant: String,
    /// The town's name, once the catalogue has arrived.
    pub town: Option<String>,
}

/// A failed exchange with the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct ProblemView {
    pub message: String,
    /// The server was not reached (no network...): retrying later may work.
    pub unreachable: bool,
}

impl ProblemView {
    fn new(failure: &Failure, lang: Lang) -> Self {
        Self {
            message: failure.message().text(lang),
            unreachable: matches!(failure, Failure::Unreachable(_)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub group: String,
    pub group_name: String,
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FilingView {
    Idle,
    Saving,
    /// Saved on the device and queued; `message` says so in the user's language.
    Saved {
        report_id: String,
        message: String,
    },
    Failed {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncView {
    Idle,
    Running {
        step: String,
    },
    Finished {
        sent: u32,
        refused: u32,
        received: u32,
        message: String,
    },
    /// The server was not reached; everything stays queued.
    Unreachable {
        message: String,
        queued: u32,
    },
    Failed {
        message: String,
        queued: u32,
    },
}

impl From<&Model> for ViewModel {
    fn from(model: &Model) -> Self {
        let lang = model.lang;
        let text = |m: &Message| m.text(lang);
        let town = model.catalogue.as_ref().map(|c| c.name.clone());
        let categories = model.catalogue.as_ref().map_or_else(Vec::new, |c| {
            c.categories
                .iter()
                .map(|cat| CategoryView {
                    code: cat.code.clone(),
                    name: lang.pick(&cat.name),
                    group: cat.group.clone(),
                    group_name: c
                        .groups
                        .iter()
                        .find(|g| g.code == cat.group)
                        .map_or_else(String::new, |g| lang.pick(&g.name)),
                    service: lang.pick(&cat.service),
                })
                .collect()
        });
        let queued = u32::try_from(model.outbox.queued_count()).unwrap_or(u32::MAX);
        Self {
            ready: model.lifecycle == Lifecycle::Ready,
            language: lang.code().into(),
            registration: model.registration.as_ref().map(|r| RegistrationView {
                server_url: r.server_url.clone(),
                tenant: r.tenant.clone(),
                town,
            }),
            registration_problem: match &model.registering {
                Registering::Failed(f) => Some(ProblemView::new(f, lang)),
                Registering::Idle | Registering::Pending => None,
            },
            categories,
            reports: model
                .reports
                .values()
                .rev()
                .map(|r| ReportView::new(r, model, lang))
                .collect(),
            outbox: model
                .outbox
                .items()
                .iter()
                .map(|i| OutboxItemView::new(i, lang))
                .collect(),
            filing: match &model.filing {
                Filing::Idle => FilingView::Idle,
                Filing::Saving => FilingView::Saving,
                Filing::Saved(id) => FilingView::Saved {
                    report_id: id.to_string(),
                    message: crate::i18n::saved_message(lang),
                },
                Filing::Failed(m) => FilingView::Failed { message: text(m) },
            },
            sync: match &model.sync {
                SyncState::Idle => SyncView::Idle,
                SyncState::Running(run) => SyncView::Running {
                    step: match run.step {
                        SyncStep::Pushing => "pushing",
                        SyncStep::Pulling => "pulling",
                        SyncStep::FetchingCatalogue => "fetching_catalogue",
                    }
                    .into(),
                },
                SyncState::Finished(s) => SyncView::Finished {
                    sent: s.sent,
                    refused: s.refused,
                    received: s.received,
                    message: crate::i18n::sync_summary(lang, s.sent, s.refused, s.received),
                },
                SyncState::Stopped {
                    failure: Failure::Unreachable(m),
                    ..
                } => SyncView::Unreachable {
                    message: text(m) + &crate::i18n::still_queued(lang, queued),
                    queued,
                },
                SyncState::Stopped {
                    failure: Failure::Failed(m),
                    ..
                } => SyncView::Failed {
                    message: text(m) + &crate::i18n::still_queued(lang, queued),
                    queued,
                },
            },
            notice: match &model.lifecycle {
                Lifecycle::Broken(m) => Some(text(m)),
                _ => model.notice.as_ref().map(text),
            },
        }
    }
}
