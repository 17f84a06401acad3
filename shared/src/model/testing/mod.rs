//! Test helpers: a [`Harness`] that runs the real `update` against a real local store in a
//! temporary directory and parks HTTP requests for the test to answer, and a [`ServerOracle`]
//! that answers them with the protocol's semantics (sequence numbers, dedup, scopes in buckets,
//! staff actions, `ETag`s), so tests can inject every network fault and check that nothing is
//! lost or duplicated.

mod oracle;

use std::{collections::VecDeque, time::SystemTime};

use crux_core::{Command, Request};
use crux_http::{
    HttpError,
    protocol::{HttpRequest, HttpResponse, HttpResult},
};
use crux_time::{TimeRequest, TimeResponse, protocol::Instant};
use relais_protocol::{
    ApiError, ErrorCode, GeoPoint, LocalizedText, PublicReport, ReportStatus, StaffProfile,
    StaffRole, StatusChange,
};
use uuid::Uuid;

pub use oracle::ServerOracle;

use super::{Event, Intent, Model, update};
use crate::{
    effects::{Effect, Notification, store::StoreOp},
    store::LocalStore,
    view::{ActionView, ViewModel},
};

pub const CATEGORY: &str = "encombrants";
pub const SERVER: &str = "http://relais.test";

/// What a test files. The default is a valid report of [`CATEGORY`] at the Hôtel de Ville.
pub struct Filing {
    pub category: String,
    pub lat: f64,
    pub lon: f64,
    pub text: String,
    pub answers: Vec<crate::model::AnswerInput>,
    /// Picture files.
    pub photos: Vec<String>,
}

impl Default for Filing {
    fn default() -> Self {
        Self {
            category: CATEGORY.into(),
            lat: 48.8566,
            lon: 2.3522,
            text: "Matelas".into(),
            answers: Vec::new(),
            photos: Vec::new(),
        }
    }
}

/// The profile of the staff device [`Harness::staff`] registers: an agent of `proprete`.
pub fn agent(email: &str) -> StaffProfile {
    StaffProfile {
        email: email.into(),
        name: format!("Agent {email}"),
        role: StaffRole::Agent,
        services: vec!["proprete".into()],
        zones: Vec::new(),
    }
}

pub struct Harness {
    pub model: Model,
    store: LocalStore,
    dir: tempfile::TempDir,
    commands: Vec<Command<Effect, Event>>,
    http: VecDeque<Request<HttpRequest>>,
    /// Timers the core set and that have not fired yet (the test fires them).
    timers: VecDeque<Request<TimeRequest>>,
    /// Notifications the core asked the shell to show.
    pub notifications: Vec<Notification>,
    /// How far this device's clock is from the true time, in milliseconds.
    pub clock_skew_ms: i64,
    /// The device dies before running its next `n` + 1st effect (see [`Harness::crash_after`]).
    crash_after: Option<usize>,
    /// Store operations kept waiting while the store is held (see [`Harness::hold_store`]).
    store_waiting: Option<VecDeque<Request<StoreOp>>>,
}

impl Harness {
    /// A started device with an empty store.
    #[expect(
        clippy::new_without_default,
        reason = "a harness is made on purpose, never by default"
    )]
    pub fn new() -> Self {
        Self::start(tempfile::tempdir().unwrap())
    }

    /// A started device with an empty store in a folder of `parent`.
    pub fn new_in(parent: &std::path::Path) -> Self {
        Self::start(tempfile::tempdir_in(parent).unwrap())
    }

    /// The same device after an app restart: a fresh model loaded from the same store.
    /// Requests in flight are lost, as they would be.
    pub fn restart(self) -> Self {
        let dir = self.dir;
        drop(self.store);
        Self::start(dir)
    }

    fn start(dir: tempfile::TempDir) -> Self {
        let store = LocalStore::open(dir.path()).unwrap();
        let mut h = Self {
            model: Model::default(),
            store,
            dir,
            commands: Vec::new(),
            http: VecDeque::new(),
            timers: VecDeque::new(),
            notifications: Vec::new(),
            clock_skew_ms: 0,
            crash_after: None,
            store_waiting: None,
        };
        h.send(Intent::Start {
            language: "en".into(),
            auto_sync: None,
        });
        h
    }

    /// Makes the device die after running `effects` more effects: the rest of the work in hand
    /// is never done, as when the app is killed between two effects. [`Harness::crashed`] says
    /// when it happened; [`Harness::restart`] brings the device back.
    pub fn crash_after(&mut self, effects: usize) {
        self.crash_after = Some(effects);
    }

    /// Whether the device died at the point [`Harness::crash_after`] set.
    pub fn crashed(&self) -> bool {
        self.crash_after == Some(0)
    }

    /// Whether [`Harness::crash_after`] set a death, come or to come.
    pub fn crash_planned(&self) -> bool {
        self.crash_after.is_some()
    }

    /// The folder of this device's store and photos.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// A citizen's device registered with the oracle, which has synced once.
    pub fn registered(server: &mut ServerOracle) -> Self {
        Self::registered_as(server, None)
    }

    /// A staff member's device, registered with an enrolment code, which has synced once.
    pub fn staff(server: &mut ServerOracle, profile: StaffProfile) -> Self {
        Self::registered_as(server, Some(profile))
    }

    fn registered_as(server: &mut ServerOracle, staff: Option<StaffProfile>) -> Self {
        let mut h = Self::new();
        h.send(Intent::Register {
            server_url: SERVER.into(),
            tenant: "demo".into(),
            platform: "test".into(),
            enrolment_code: staff.as_ref().map(|_| "CODE".into()),
        });
        let request = h.take_http();
        assert!(request.operation.url.ends_with("/v1/demo/devices"));
        let device = server.register(staff);
        h.respond(request, ok_json(&device));
        h.serve_all(server);
        h
    }

    /// This device's bearer token.
    pub fn token(&self) -> String {
        self.model.registration().unwrap().token.clone()
    }

    pub fn view(&self) -> ViewModel {
        ViewModel::from(&self.model)
    }

    /// The report `id` in the reports list, or a panic.
    pub fn report(&self, id: Uuid) -> crate::view::ReportView {
        let reports = self.view().reports;
        reports
            .iter()
            .find(|r| r.id == id.to_string())
            .cloned()
            .unwrap_or_else(|| panic!("no report {id} in {reports:?}"))
    }

    pub fn send(&mut self, intent: Intent) {
        let command = update(Event::Intent(intent), &mut self.model);
        self.commands.push(command);
        self.settle();
    }

    /// Sends `Sync` and answers everything with the oracle.
    pub fn sync(&mut self, server: &mut ServerOracle) {
        self.send(Intent::Sync);
        self.serve_all(server);
    }

    /// Files a valid report with `text` and returns its id.
    pub fn file(&mut self, text: &str) -> Uuid {
        self.send_report(Filing {
            text: text.into(),
            ..Filing::default()
        });
        self.saved_id()
    }

    /// Sends a `FileReport` intent and returns what became of it.
    pub fn send_report(&mut self, filing: Filing) -> ActionView {
        self.send(Intent::FileReport {
            category: filing.category,
            lat: filing.lat,
            lon: filing.lon,
            accuracy_m: Some(5.0),
            text: filing.text,
            answers: filing.answers,
            photos: filing.photos,
        });
        self.view().action
    }

    /// What the last action saved (a report id, a zone...), or a panic with what happened.
    pub fn saved(&self) -> String {
        match self.view().action {
            ActionView::Saved { id, .. } => id,
            other => panic!("the action was not saved: {other:?}"),
        }
    }

    /// The report id the last action saved.
    pub fn saved_id(&self) -> Uuid {
        self.saved().parse().unwrap()
    }

    /// Why the last action was refused, or a panic.
    pub fn refusal(&self) -> String {
        match self.view().action {
            ActionView::Failed { message } => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    /// Where the device keeps a processed photo.
    pub fn photo_path(&self, sha256: &str) -> std::path::PathBuf {
        self.dir.path().join("photos").join(format!("{sha256}.jpg"))
    }

    /// The requests waiting for an answer, as `METHOD url`.
    pub fn waiting(&self) -> Vec<String> {
        self.http
            .iter()
            .map(|r| format!("{} {}", r.operation.method, r.operation.url))
            .collect()
    }

    /// The waits of the timers set and not fired yet, oldest first.
    pub fn timers(&self) -> Vec<std::time::Duration> {
        self.timers
            .iter()
            .filter_map(|r| match &r.operation {
                TimeRequest::NotifyAfter { duration, .. } => Some((*duration).into()),
                _ => None,
            })
            .collect()
    }

    /// Fires the oldest timer the core set, or panics.
    pub fn fire_timer(&mut self) {
        let mut request = self.timers.pop_front().expect("the core set no timer");
        let TimeRequest::NotifyAfter { id, .. } = request.operation else {
            unreachable!("only waits are kept")
        };
        request
            .resolve(TimeResponse::DurationElapsed { id })
            .expect("the timer was waiting");
        self.settle();
    }

    /// Makes the store slow: its operations wait, in order, until [`Harness::release_store`],
    /// while the network goes on answering.
    pub fn hold_store(&mut self) {
        self.store_waiting.get_or_insert_default();
    }

    /// Runs the store operations kept waiting, in order, and lets the store answer at once
    /// again.
    pub fn release_store(&mut self) {
        for request in self.store_waiting.take().unwrap_or_default() {
            answer_store(&mut self.store, request);
        }
        self.settle();
    }

    pub fn has_http(&self) -> bool {
        !self.http.is_empty()
    }

    /// The `index`th request waiting for an answer (the network answers in any order).
    pub fn take_http_at(&mut self, index: usize) -> Request<HttpRequest> {
        self.http
            .remove(index)
            .expect("no request waiting at this place")
    }

    /// How many requests wait for an answer.
    pub fn http_waiting(&self) -> usize {
        self.http.len()
    }

    pub fn take_http(&mut self) -> Request<HttpRequest> {
        self.http
            .pop_front()
            .expect("the core made no HTTP request")
    }

    pub fn respond(&mut self, mut request: Request<HttpRequest>, result: HttpResult) {
        request
            .resolve(result)
            .expect("the request was waiting for an answer");
        self.settle();
    }

    /// Answers every request the core makes with the oracle, until it makes no more. Panics
    /// past 10,000 requests: a device that keeps asking fails its test instead of hanging it.
    pub fn serve_all(&mut self, server: &mut ServerOracle) {
        let mut served = 0;
        while let Some(request) = self.http.pop_front() {
            served += 1;
            assert!(served <= 10_000, "the device kept asking the server");
            let answer = server.handle(&request.operation);
            self.respond(request, answer);
        }
    }

    /// Runs commands until none has anything left to do but wait for an HTTP answer.
    fn settle(&mut self) {
        loop {
            let mut progressed = false;
            let mut new_commands = Vec::new();
            for command in &mut self.commands {
                let effects: Vec<Effect> = command.effects().collect();
                for effect in effects {
                    match &mut self.crash_after {
                        Some(0) => return,
                        Some(left) => *left -= 1,
                        None => {}
                    }
                    progressed = true;
                    match effect {
                        Effect::Render(_) => {}
                        Effect::Notify(request) => self.notifications.push(request.operation),
                        Effect::Store(request) => match &mut self.store_waiting {
                            Some(waiting) => waiting.push_back(request),
                            None => answer_store(&mut self.store, request),
                        },
                        Effect::Time(request)
                            if matches!(request.operation, TimeRequest::NotifyAfter { .. }) =>
                        {
                            self.timers.push_back(request);
                        }
                        Effect::Time(mut request) => {
                            assert_eq!(request.operation, TimeRequest::Now);
                            let now = Instant::from(skewed(SystemTime::now(), self.clock_skew_ms));
                            request.resolve(TimeResponse::Now { instant: now }).unwrap();
                        }
                        Effect::Http(request) => self.http.push_back(request),
                        Effect::Photo(mut request) => {
                            let output = crate::runtime::photos::run(
                                &self.dir.path().join("photos"),
                                &request.operation,
                            );
                            request.resolve(output).unwrap();
                        }
                    }
                }
                for event in command.events().collect::<Vec<_>>() {
                    progressed = true;
                    new_commands.push(update(event, &mut self.model));
                }
            }
            self.commands.extend(new_commands);
            self.commands.retain_mut(|c| !c.is_done());
            if !progressed {
                break;
            }
        }
    }
}

/// Runs a store operation on the device's real store and gives the core its answer.
fn answer_store(store: &mut LocalStore, mut request: Request<StoreOp>) {
    let output = store.execute(request.operation.clone());
    request.resolve(output).unwrap();
}

/// `time` moved by `skew_ms` milliseconds.
fn skewed(time: SystemTime, skew_ms: i64) -> SystemTime {
    let by = std::time::Duration::from_millis(skew_ms.unsigned_abs());
    if skew_ms < 0 { time - by } else { time + by }
}

/// How many cases a fuzz or property target runs: a quarter of `PROPTEST_CASES` (64 of
/// proptest's default 256), so CI stays fast and a long run is one variable away.
pub fn fuzz_config() -> proptest::test_runner::Config {
    let default = proptest::test_runner::Config::default();
    proptest::test_runner::Config {
        cases: default.cases / 4,
        ..default
    }
}

/// Runs the fuzz target `name`: [`fuzz_config`]'s cases of `strategy` through `check`, then
/// prints how many ran in how long (with `--nocapture`), and panics with the smallest failing
/// input.
pub fn fuzz<S: proptest::strategy::Strategy>(
    name: &str,
    strategy: S,
    check: impl Fn(S::Value) -> Result<(), proptest::test_runner::TestCaseError>,
) {
    let mut runner = proptest::test_runner::TestRunner::new(fuzz_config());
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, check);
    eprintln!(
        "fuzz target {name}: {} cases in {:.2?}",
        runner.config().cases,
        started.elapsed()
    );
    if let Err(error) = result {
        panic!("{name}: {error}");
    }
}

pub fn ok_json(body: &impl serde::Serialize) -> HttpResult {
    HttpResult::Ok(HttpResponse::ok().json(body).build())
}

pub fn status(code: u16, error: ErrorCode) -> HttpResult {
    HttpResult::Ok(
        HttpResponse::status(code)
            .json(ApiError::new(error, "test"))
            .build(),
    )
}

pub fn connection_refused() -> HttpResult {
    HttpResult::Err(HttpError::Io("connection refused".into()))
}

pub fn timeout() -> HttpResult {
    HttpResult::Err(HttpError::Timeout)
}

/// A report as a server publishes it: category `c`, in the 4th, at `lon`, of the `proprete`
/// service, with one history entry.
pub fn public_report(status: ReportStatus, version: i64, lon: f64) -> PublicReport {
    PublicReport {
        id: Uuid::now_v7(),
        category: "c".into(),
        location: GeoPoint {
            lat: 48.85,
            lon,
            accuracy_m: None,
        },
        text: "t".into(),
        created_at_ms: 1,
        status,
        version,
        zone: "75104".into(),
        service: LocalizedText::new("s", "s"),
        history: vec![StatusChange {
            status,
            at_ms: 10,
            note: None,
            detail: None,
        }],
        photos: Vec::new(),
        supporters: 0,
        duplicate_of: None,
        service_code: Some("proprete".into()),
        due_at_ms: None,
        scheduled_for_ms: None,
        completion_photos: Vec::new(),
    }
}
