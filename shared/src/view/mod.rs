//! The view model: everything a shell renders, computed from the model in the user's language.
//! Shells never format, translate or decide; they show these fields.

mod catalogue;
mod detail;
mod draft;
mod map;
mod outbox;
mod report;
mod service;
mod work;
mod zones;

use relais_protocol::{StaffProfile, StaffRole, account::ContactChannel};
use serde::Serialize;

pub use catalogue::{CategoryView, ChoiceView, QuestionView};
pub use detail::{AnswerView, ReportDetailView, TimelineEntry, TimelineKind};
pub use draft::DraftView;
pub use map::{MapOutline, MapPoint, MapView};
pub use outbox::{ConflictView, OutboxItemState, OutboxItemView};
pub use report::{NearbyReportView, NearbyView, ReportView};
pub use service::{MyRatingView, ServiceView};
pub use work::TaskView;
pub use zones::{AlertView, ZoneView};

use crate::{
    i18n::{Lang, Message},
    model::{
        ActionKind, ActionState, Failure, Lifecycle, Model, Registering, SyncState,
        account::AccountState, fetch::FetchState, lists::Opened,
    },
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
    /// The reports list the user asked for (`ListReports`; at start, the latest reports this
    /// device holds), newest first.
    pub reports: Vec<ReportView>,
    /// Staff: the work list as asked (`ListWork`).
    pub work: Vec<TaskView>,
    /// The town's zones, with whether the citizen follows each and why.
    pub zones: Vec<ZoneView>,
    /// Alerts of the zones the citizen follows, current or upcoming.
    pub alerts: Vec<AlertView>,
    /// Items waiting for the server or refused by it, in sending order.
    pub outbox: Vec<OutboxItemView>,
    /// When the core will sync by itself next (shells started with a sync schedule only).
    pub next_sync: Option<NextSyncView>,
    /// The latest action (report, "me too", reply, confirmation, rating, follow, staff change).
    pub action: ActionView,
    pub sync: SyncView,
    /// Open reports near the point of the last "nearby" question.
    pub nearby: Option<NearbyView>,
    /// The town's public services, with the user's own rating of each.
    pub services: Vec<ServiceView>,
    /// The town's departments that handle reports (staff: where a report can be transferred).
    pub departments: Vec<DepartmentView>,
    /// The report opened in detail.
    pub opened: Option<ReportDetailView>,
    /// The latest photo download.
    pub photo_fetch: PhotoFetchView,
    /// The latest export or deletion of my data.
    pub account: AccountView,
    /// The report being written, if any.
    pub draft: Option<DraftView>,
    /// Why the last change to the draft was refused (also when there is no draft).
    pub draft_problem: Option<String>,
    /// A problem to show that belongs to no screen in particular.
    pub notice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct RegistrationView {
    pub server_url: String,
    pub tenant: String,
    /// The town's name, once the catalogue has arrived.
    pub town: Option<String>,
    /// A staff member's device (registered with an enrolment code).
    pub is_staff: bool,
    /// Whose staff device it is, and what they may act on (when the server said).
    pub staff: Option<StaffView>,
}

/// The staff member a device acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct StaffView {
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub services: Vec<String>,
    /// Zones an agent is limited to (empty: all).
    pub zones: Vec<String>,
}

impl From<&StaffProfile> for StaffView {
    fn from(staff: &StaffProfile) -> Self {
        Self {
            email: staff.email.clone(),
            name: staff.name.clone(),
            role: staff.role,
            services: staff.services.clone(),
            zones: staff.zones.clone(),
        }
    }
}

/// A department of the town that handles reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct DepartmentView {
    pub code: String,
    pub name: String,
}

/// The core's next planned sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct NextSyncView {
    /// The device's clock then, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// "Next automatic try in 40 s.", in the user's language.
    pub message: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ActionView {
    Idle,
    Saving,
    /// Saved on the device and queued; `kind` says what was saved, `id` what it created or concerns,
    /// `message` says so in the user's language. `reply_draft`: for a staff change that carries
    /// no reply of its own, the town's draft the reporter will read.
    Saved {
        kind: ActionKind,
        id: String,
        message: String,
        reply_draft: Option<String>,
    },
    Failed {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AccountView {
    Idle,
    Working,
    /// Everything the server holds about me, as JSON.
    Exported {
        json: String,
    },
    /// My account; `link_code` (shown once after a change) links my other devices.
    Ready {
        email: String,
        contact: ContactChannel,
        language: String,
        link_code: String,
        devices: u32,
    },
    Deleted {
        message: String,
    },
    Failed {
        problem: ProblemView,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PhotoFetchView {
    Idle,
    Fetching,
    Saved { path: String, bytes: u64 },
    Failed { message: String },
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
        let categories = catalogue::categories(model, lang);
        let queued = u32::try_from(model.outbox.queued_count()).unwrap_or(u32::MAX);
        Self {
            ready: model.lifecycle.is_ready(),
            language: lang.code().into(),
            registration: model.registration().map(|r| RegistrationView {
                server_url: r.server_url.clone(),
                tenant: r.tenant.clone(),
                town,
                is_staff: r.is_staff(),
                staff: r.staff.as_ref().map(StaffView::from),
            }),
            registration_problem: match &model.registering {
                Registering::Failed(f) => Some(ProblemView::new(f, lang)),
                Registering::Idle | Registering::Checking | Registering::Pending => None,
            },
            categories,
            reports: model
                .lists
                .reports
                .items
                .iter()
                .map(|r| ReportView::new(r, model, lang))
                .collect(),
            work: work::tasks(model, lang),
            zones: zones::zones(model, lang),
            alerts: zones::alerts(model, lang),
            outbox: model
                .outbox
                .items()
                .iter()
                .map(|i| OutboxItemView::new(i, model, lang))
                .collect(),
            next_sync: model
                .sync_policy
                .next_attempt_ms
                .filter(|_| !matches!(model.sync, SyncState::Running(_)))
                .map(|at_ms| NextSyncView {
                    at_ms,
                    message: crate::i18n::next_sync(lang, at_ms - model.now_ms),
                }),
            action: match &model.action {
                ActionState::Idle => ActionView::Idle,
                ActionState::Saving => ActionView::Saving,
                ActionState::Saved(saved) => {
                    let reply_draft = saved.reply_draft.as_ref().map(|r| lang.pick(r).to_owned());
                    let mut message = crate::i18n::saved_message(lang, saved.kind);
                    if let Some(draft) = &reply_draft {
                        message.push('\n');
                        message.push_str(&crate::i18n::reply_draft_notice(lang, draft));
                    }
                    ActionView::Saved {
                        kind: saved.kind,
                        id: saved.id.clone(),
                        message,
                        reply_draft,
                    }
                }
                ActionState::Failed(m) => ActionView::Failed { message: text(m) },
            },
            nearby: model
                .nearby
                .as_ref()
                .map(|n| NearbyView::new(n, model, lang)),
            services: service::services(model, lang),
            departments: model
                .catalogue
                .iter()
                .flat_map(|c| &c.services)
                .map(|s| DepartmentView {
                    code: s.code.clone(),
                    name: lang.pick(&s.name).to_owned(),
                })
                .collect(),
            opened: match &model.lists.opened {
                Some(Opened::Shown(held)) => Some(ReportDetailView::new(held, model, lang)),
                Some(Opened::Reading(_) | Opened::Missing(_)) | None => None,
            },
            draft: model.draft.as_ref().map(|d| DraftView::new(d, model, lang)),
            draft_problem: model.draft_problem.as_ref().map(text),
            account: match &model.account {
                AccountState::Idle => AccountView::Idle,
                AccountState::Working => AccountView::Working,
                AccountState::Exported(json) => AccountView::Exported { json: json.clone() },
                AccountState::Ready(account) => AccountView::Ready {
                    email: account.details.email.clone(),
                    contact: account.details.contact,
                    language: account.details.language.clone(),
                    link_code: account.link_code.clone(),
                    devices: account.devices,
                },
                AccountState::Deleted { already_gone } => AccountView::Deleted {
                    message: crate::i18n::account_deleted(lang, *already_gone),
                },
                AccountState::Failed(f) => AccountView::Failed {
                    problem: ProblemView::new(f, lang),
                },
            },
            photo_fetch: match &model.fetch {
                FetchState::Idle => PhotoFetchView::Idle,
                FetchState::Fetching => PhotoFetchView::Fetching,
                FetchState::Saved { path, bytes } => PhotoFetchView::Saved {
                    path: path.clone(),
                    bytes: *bytes,
                },
                FetchState::Failed(m) => PhotoFetchView::Failed { message: text(m) },
            },
            sync: match &model.sync {
                SyncState::Idle => SyncView::Idle,
                SyncState::Running(run) => SyncView::Running {
                    step: run.step.as_str().into(),
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
