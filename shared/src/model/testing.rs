//! Test helpers: a [`Harness`] that runs the real `update` against a real local store in a
//! temporary directory and parks HTTP requests for the test to answer, and a [`ServerOracle`]
//! that answers them with the protocol's semantics (sequence numbers, dedup, change log), so
//! tests can inject every network fault and check that nothing is lost or duplicated.

use std::{
    collections::{BTreeMap, VecDeque},
    time::SystemTime,
};

use crux_core::{Command, Request};
use crux_http::{
    HttpError,
    protocol::{HttpRequest, HttpResponse, HttpResult},
};
use crux_time::{TimeRequest, TimeResponse, protocol::Instant};
use relais_protocol::{
    ApiError, Author, Catalogue, Category, CategoryGroup, Change, Cursor, ErrorCode, LocalizedText,
    MutationOp, Outcome, PublicReport, PullResponse, PushRequest, PushResponse, PushResult, Reason,
    Registered, ReportStatus, StatusChange, ThreadMessage,
    upload::{self, UploadStatus},
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Event, Intent, Model, update};
use crate::{
    effects::{Effect, Notification},
    store::LocalStore,
    view::ViewModel,
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

pub struct Harness {
    pub model: Model,
    store: LocalStore,
    dir: tempfile::TempDir,
    commands: Vec<Command<Effect, Event>>,
    http: VecDeque<Request<HttpRequest>>,
    /// Notifications the core asked the shell to show.
    pub notifications: Vec<Notification>,
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
            notifications: Vec::new(),
        };
        h.send(Intent::Start {
            language: "en".into(),
        });
        h
    }

    /// A device registered with the oracle, which has synced once.
    pub fn registered(server: &mut ServerOracle) -> Self {
        let mut h = Self::new();
        h.send(Intent::Register {
            server_url: SERVER.into(),
            tenant: "demo".into(),
            platform: "test".into(),
            enrolment_code: None,
        });
        let request = h.take_http();
        assert!(request.operation.url.ends_with("/v1/demo/devices"));
        let device = server.register();
        h.respond(request, ok_json(&device));
        h.serve_all(server);
        h
    }

    pub fn view(&self) -> ViewModel {
        ViewModel::from(&self.model)
    }

    pub fn send(&mut self, intent: Intent) {
        let command = update(Event::Intent(intent), &mut self.model);
        self.commands.push(command);
        self.settle();
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
    pub fn send_report(&mut self, filing: Filing) -> crate::view::ActionView {
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

    /// The id the last action saved, or a panic with what happened instead.
    pub fn saved_id(&self) -> Uuid {
        match self.view().action {
            crate::view::ActionView::Saved { id, .. } => id.parse().unwrap(),
            other => panic!("the action was not saved: {other:?}"),
        }
    }

    /// Where the device keeps a processed photo.
    pub fn photo_path(&self, sha256: &str) -> std::path::PathBuf {
        self.dir.path().join("photos").join(format!("{sha256}.jpg"))
    }

    pub fn has_http(&self) -> bool {
        !self.http.is_empty()
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

    /// Answers every request the core makes with the oracle, until it makes no more.
    pub fn serve_all(&mut self, server: &mut ServerOracle) {
        while let Some(request) = self.http.pop_front() {
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
                    progressed = true;
                    match effect {
                        Effect::Render(_) => {}
                        Effect::Notify(request) => self.notifications.push(request.operation),
                        Effect::Store(mut request) => {
                            let output = self.store.execute(request.operation.clone());
                            request.resolve(output).unwrap();
                        }
                        Effect::Time(mut request) => {
                            assert_eq!(request.operation, TimeRequest::Now);
                            let now = Instant::from(SystemTime::now());
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

/// The protocol's server semantics, in memory: per-device sequence with dedup and recorded
/// outcomes, a change log, a catalogue. Tests use it as the oracle for exactly-once effects.
#[derive(Default)]
pub struct ServerOracle {
    last_seq: BTreeMap<String, u64>,
    outcomes: BTreeMap<(String, u64), (Uuid, Outcome)>,
    /// Mutation ids in the order they took effect.
    pub applied: Vec<Uuid>,
    pub reports: Vec<PublicReport>,
    /// Texts the server refuses, to provoke rejections.
    pub refuse_text: Option<String>,
    /// The change log: report ids in the order they changed (the cursor is an index).
    log: Vec<Uuid>,
    /// Private threads by report.
    threads: BTreeMap<Uuid, Vec<ThreadMessage>>,
    /// Kinds of the mutations that took effect, in order.
    pub kinds: Vec<&'static str>,
    /// Serve a catalogue with one zone (a box around Paris) and a required question.
    pub with_zone_and_question: bool,
    /// Partial uploads and complete photos, by SHA-256.
    uploads: BTreeMap<String, Vec<u8>>,
    pub photos: BTreeMap<String, Vec<u8>>,
    /// Chunk bytes received, in total.
    pub uploaded_bytes: usize,
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

impl ServerOracle {
    const PAGE: usize = 2;

    pub fn register(&mut self) -> Registered {
        let token = format!("token-{}", self.last_seq.len());
        self.last_seq.insert(token.clone(), 0);
        Registered {
            staff: None,
            device_id: Uuid::now_v7(),
            token,
        }
    }

    pub fn catalogue() -> Catalogue {
        let name = LocalizedText::new("Encombrants", "Bulky items");
        Catalogue {
            services: Vec::new(),
            routing: Vec::new(),
            rejection_reasons: Vec::new(),
            reply_templates: Vec::new(),
            tenant: "demo".into(),
            name: "Demo".into(),
            version: 1,
            groups: vec![CategoryGroup {
                code: "proprete".into(),
                name: LocalizedText::new("Propreté", "Cleanliness"),
            }],
            categories: vec![Category {
                service_code: None,
                code: CATEGORY.into(),
                group: "proprete".into(),
                name,
                service: LocalizedText::new("Propreté", "Cleaning"),
                questions: Vec::new(),
                response_days: Some(7),
                duplicate_radius_m: None,
            }],
            zones: Vec::new(),
            settings: relais_protocol::TownSettings::default(),
        }
    }

    pub fn handle(&mut self, request: &HttpRequest) -> HttpResult {
        let token = request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("authorization"))
            .map(|h| h.value.trim_start_matches("Bearer ").to_owned());
        let Some(token) = token.filter(|t| self.last_seq.contains_key(t)) else {
            return status(401, ErrorCode::Unauthorized);
        };
        let path = request.url.trim_start_matches(SERVER);
        if path.starts_with("/v1/demo/sync/push") {
            let body: PushRequest = serde_json::from_slice(&request.body).unwrap();
            self.push(&token, body)
        } else if path.starts_with("/v1/demo/sync/pull") {
            self.pull(&request.url)
        } else if let Some(sha) = path.strip_prefix("/v1/demo/uploads/") {
            self.upload(sha, request)
        } else if path.starts_with("/v1/demo/catalogue") {
            let mut catalogue = Self::catalogue();
            if self.with_zone_and_question {
                catalogue.zones.push(relais_protocol::Zone {
                    code: "paris".into(),
                    name: "Paris".into(),
                    kind: "commune".into(),
                    parent: None,
                    polygons: vec![vec![vec![
                        [2.2, 48.8],
                        [2.5, 48.8],
                        [2.5, 48.9],
                        [2.2, 48.9],
                        [2.2, 48.8],
                    ]]],
                });
                catalogue.categories[0]
                    .questions
                    .push(relais_protocol::Question {
                        code: "item".into(),
                        label: LocalizedText::new("Quel type d'objet ?", "What kind of item?"),
                        kind: relais_protocol::QuestionKind::SingleChoice {
                            options: vec![relais_protocol::Choice {
                                code: "mattress".into(),
                                label: LocalizedText::new("Matelas", "Mattress"),
                            }],
                        },
                        required: true,
                    });
            }
            ok_json(&catalogue)
        } else if path.starts_with("/v1/demo/directory") {
            ok_json(&relais_protocol::Directory {
                version: 1,
                min_sample: 5,
                services: vec![relais_protocol::PublicService {
                    id: "mairie-75104".into(),
                    name: LocalizedText::new("Mairie du 4e", "Mairie du 4e"),
                    kind: LocalizedText::new("Mairie", "Town hall"),
                    address: None,
                    location: None,
                    opening_hours: None,
                    phone: None,
                    website: None,
                    ratings: None,
                }],
            })
        } else {
            status(404, ErrorCode::NotFound)
        }
    }

    fn push(&mut self, token: &str, body: PushRequest) -> HttpResult {
        let mut results = Vec::new();
        for m in body.mutations {
            let last = self.last_seq[token];
            if let Some((id, outcome)) = self.outcomes.get(&(token.to_owned(), m.seq)) {
                if *id != m.mutation_id {
                    let mut e = ApiError::new(ErrorCode::SequenceConflict, "conflict");
                    e.expected_seq = Some(last + 1);
                    return HttpResult::Ok(HttpResponse::status(409).json(e).build());
                }
                let outcome = if outcome.is_accepted() {
                    Outcome::AlreadyApplied
                } else {
                    outcome.clone()
                };
                results.push(PushResult {
                    seq: m.seq,
                    mutation_id: m.mutation_id,
                    outcome,
                });
                continue;
            }
            if m.seq != last + 1 {
                let mut e = ApiError::new(ErrorCode::SequenceGap, "gap");
                e.expected_seq = Some(last + 1);
                return HttpResult::Ok(HttpResponse::status(409).json(e).build());
            }
            let outcome = self.apply(&m.op, m.mutation_id);
            self.outcomes
                .insert((token.to_owned(), m.seq), (m.mutation_id, outcome.clone()));
            self.last_seq.insert(token.to_owned(), m.seq);
            results.push(PushResult {
                seq: m.seq,
                mutation_id: m.mutation_id,
                outcome,
            });
        }
        let last_seq = self.last_seq[token];
        ok_json(&PushResponse { results, last_seq })
    }

    /// Serves the change log in pages of at most [`Self::PAGE`], whatever the device asks, so
    /// that paging is exercised; the cursor is the index of the next report.
    fn pull(&self, url: &str) -> HttpResult {
        let url = url::Url::parse(url).unwrap();
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let start: usize = param("cursor")
            .filter(|c| !c.is_empty())
            .map_or(0, |c| c.parse().unwrap());
        let limit: usize = param("limit")
            .expect("the device always sends a limit")
            .parse()
            .unwrap();
        let end = (start + limit.min(Self::PAGE)).min(self.log.len());
        let changes = self.log[start..end]
            .iter()
            .map(|id| self.reports.iter().find(|r| r.id == *id).unwrap().clone())
            .flat_map(|report| {
                let thread = self.threads.get(&report.id).map(|messages| Change::Thread {
                    report_id: report.id,
                    messages: messages.clone(),
                });
                std::iter::once(Change::Report {
                    report: Box::new(report),
                    mine: false,
                })
                .chain(thread)
            })
            .collect();
        ok_json(&PullResponse {
            reset: false,
            changes,
            cursor: Cursor(end.to_string()),
            has_more: end < self.log.len(),
        })
    }

    /// Forgets every device's mutations after `seq`, as a server restored from an old backup.
    pub fn forget_after(&mut self, seq: u64) {
        for last in self.last_seq.values_mut() {
            *last = (*last).min(seq);
        }
        self.outcomes.retain(|(_, s), _| *s <= seq);
    }

    /// The city moves a report to `status`, with a note that is also a message to the reporter.
    pub fn city_sets(&mut self, id: Uuid, status: ReportStatus, note: &str) {
        let report = self.reports.iter_mut().find(|r| r.id == id).unwrap();
        report.status = status;
        report.version += 1;
        report.history.push(StatusChange {
            detail: None,
            status,
            at_ms: now_ms(),
            note: Some(note.into()),
        });
        self.threads.entry(id).or_default().push(ThreadMessage {
            id: Uuid::now_v7(),
            author: Author::City,
            text: note.into(),
            at_ms: now_ms(),
        });
        self.touch(id);
    }

    /// The upload protocol: offset query, chunks checked against their offset and checksum.
    fn upload(&mut self, sha: &str, request: &HttpRequest) -> HttpResult {
        let status = |offset: usize, complete: bool| {
            ok_json(&UploadStatus {
                offset: offset as u64,
                complete,
            })
        };
        if self.photos.contains_key(sha) {
            return status(self.photos[sha].len(), true);
        }
        let held = self.uploads.get(sha).map_or(0, Vec::len);
        if request.method == "GET" {
            return status(held, false);
        }
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| h.value.clone())
                .unwrap()
        };
        let offset: usize = header(upload::UPLOAD_OFFSET).parse().unwrap();
        let total: usize = header(upload::UPLOAD_LENGTH).parse().unwrap();
        if offset != held {
            let mut e = ApiError::new(ErrorCode::OffsetMismatch, "offset");
            e.expected_offset = Some(held as u64);
            return HttpResult::Ok(HttpResponse::status(409).json(e).build());
        }
        let checksum = format!("sha256 {}", hex::encode(Sha256::digest(&request.body)));
        assert_eq!(header(upload::UPLOAD_CHECKSUM), checksum);
        assert!(request.body.len() <= upload::MAX_CHUNK_BYTES);
        self.uploaded_bytes += request.body.len();
        let data = self.uploads.entry(sha.to_owned()).or_default();
        data.extend_from_slice(&request.body);
        if data.len() == total {
            let data = self.uploads.remove(sha).unwrap();
            assert_eq!(
                hex::encode(Sha256::digest(&data)),
                sha,
                "the photo arrived intact"
            );
            self.photos.insert(sha.to_owned(), data);
            return status(total, true);
        }
        status(offset + request.body.len(), false)
    }

    /// Appends the report to the change log, as a server re-stamps it.
    fn touch(&mut self, id: Uuid) {
        self.log.push(id);
    }

    fn apply(&mut self, op: &MutationOp, mutation_id: Uuid) -> Outcome {
        self.kinds.push(op.kind());
        match op {
            MutationOp::SupportReport { report_id } => {
                self.reports
                    .iter_mut()
                    .find(|r| r.id == *report_id)
                    .unwrap()
                    .supporters += 1;
                self.touch(*report_id);
                return Outcome::Applied;
            }
            MutationOp::AddNote { report_id, text } => {
                self.threads
                    .entry(*report_id)
                    .or_default()
                    .push(ThreadMessage {
                        id: Uuid::now_v7(),
                        author: Author::Citizen,
                        text: text.clone(),
                        at_ms: now_ms(),
                    });
                self.touch(*report_id);
                return Outcome::Applied;
            }
            MutationOp::ConfirmResolution {
                report_id,
                fixed: false,
                ..
            } => {
                let report = self
                    .reports
                    .iter_mut()
                    .find(|r| r.id == *report_id)
                    .unwrap();
                report.status = ReportStatus::Reopened;
                report.history.push(StatusChange {
                    detail: None,
                    status: ReportStatus::Reopened,
                    at_ms: now_ms(),
                    note: None,
                });
                self.touch(*report_id);
                return Outcome::Applied;
            }
            MutationOp::ConfirmResolution { .. } | MutationOp::RateService { .. } => {
                return Outcome::Applied;
            }
            _ => {}
        }
        let MutationOp::CreateReport {
            report_id,
            category,
            location,
            text,
            created_at_ms,
            photos,
            ..
        } = op
        else {
            return Outcome::Rejected {
                reason: Reason::new("unsupported", "Non pris en charge", "Unsupported"),
            };
        };
        if self.refuse_text.as_deref() == Some(text.as_str()) {
            return Outcome::Rejected {
                reason: Reason::new("outside_zones", "Hors de la ville", "Outside the town"),
            };
        }
        self.applied.push(mutation_id);
        self.reports.push(PublicReport {
            service_code: None,
            due_at_ms: None,
            scheduled_for_ms: None,
            completion_photos: Vec::new(),
            id: *report_id,
            category: category.clone(),
            location: *location,
            text: text.clone(),
            created_at_ms: *created_at_ms,
            status: ReportStatus::Received,
            version: 1,
            zone: "75104".into(),
            service: LocalizedText::new("Propreté", "Cleaning"),
            history: vec![StatusChange {
                detail: None,
                status: ReportStatus::Received,
                at_ms: 0,
                note: None,
            }],
            photos: photos.clone(),
            supporters: 0,
            duplicate_of: None,
        });
        self.touch(*report_id);
        Outcome::Applied
    }
}
