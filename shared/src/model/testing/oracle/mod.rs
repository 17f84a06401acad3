//! The protocol's server semantics, in memory, as the oracle of the core's tests: devices of
//! citizens (linked into accounts) and of staff, the per-device sequence with dedup and
//! recorded outcomes ([`apply`]), the change log in buckets served by scope ([`log`]), photo
//! uploads ([`uploads`]), and the catalogue and directory with their `ETag`s.

mod apply;
mod log;
mod uploads;

use std::collections::{BTreeMap, BTreeSet};

use crux_http::protocol::{HttpRequest, HttpResponse, HttpResult};
use relais_domain::geo::distance_m;
use relais_protocol::{
    Catalogue, Category, CategoryGroup, ErrorCode, FollowedZone, LocalizedText, NearbyReport,
    NearbyReports, Outcome, PublicReport, PushRequest, Registered, RejectionReason, ReplyKind,
    ReplyTemplate, ReportStatus, ServiceInfo, StaffNote, StaffProfile, StaffRef, StatusChange,
    ThreadMessage, ZoneAlert,
};
use uuid::Uuid;

use super::{CATEGORY, SERVER, ok_json, status};

/// Who a token belongs to.
#[derive(Debug, Clone)]
struct Device {
    /// The citizen (account) it acts for: its own token until linked.
    citizen: String,
    staff: Option<StaffProfile>,
}

#[derive(Default)]
pub struct ServerOracle {
    devices: BTreeMap<String, Device>,
    last_seq: BTreeMap<String, u64>,
    outcomes: BTreeMap<(String, u64), (Uuid, Outcome)>,
    /// Ids of the `create_report` mutations that took effect, in order.
    pub applied: Vec<Uuid>,
    /// The report each `create_report` mutation that took effect filed.
    filings: BTreeMap<Uuid, Uuid>,
    pub reports: Vec<PublicReport>,
    /// Who filed each report.
    owners: BTreeMap<Uuid, String>,
    supporters: BTreeMap<Uuid, BTreeSet<String>>,
    answers: BTreeMap<Uuid, BTreeMap<String, relais_protocol::Answer>>,
    /// Texts the server refuses, to provoke rejections.
    pub refuse_text: Option<String>,
    log: log::ChangeLog,
    /// Private threads by report.
    threads: BTreeMap<Uuid, Vec<ThreadMessage>>,
    notes: BTreeMap<Uuid, Vec<StaffNote>>,
    assigned: BTreeMap<Uuid, StaffRef>,
    /// Followed zones by citizen.
    follows: BTreeMap<String, Vec<FollowedZone>>,
    alerts: Vec<ZoneAlert>,
    /// Kinds of the mutations that took effect, in order.
    pub kinds: Vec<&'static str>,
    /// Serve a catalogue whose town has an outline (a box around Paris) and a category with a
    /// required question.
    pub with_zone_and_question: bool,
    uploads: uploads::Uploads,
    /// Complete photos, by SHA-256.
    pub photos: BTreeMap<String, Vec<u8>>,
    /// Photo bytes received (chunks and bundles), in total.
    pub uploaded_bytes: usize,
    /// Bundles of photos received.
    pub bundles: u32,
    /// Answer bundles `404`, as servers before them did.
    pub no_bundles: bool,
    /// Catalogue and directory bodies sent (a `304` sends none).
    pub bodies_served: u32,
    /// Push bodies that arrived gzip-compressed.
    pub compressed_pushes: u32,
    /// Answer compressed pushes `400`, as servers before compression did.
    pub refuse_compressed: bool,
    /// Leave the resources' tags out of the last pull page, as servers before them did.
    pub older: bool,
    /// Requests for the catalogue or the directory, answered `200` or `304`.
    pub resource_requests: u32,
    /// Reports on which a state change of the push being applied was refused (see
    /// [`relais_domain::status::chained_report`]).
    broken_chains: BTreeSet<Uuid>,
}

/// The directory's `ETag` (it never changes here).
pub(super) const DIRECTORY_TAG: &str = "\"d1\"";

fn now_ms() -> i64 {
    super::super::millis(std::time::SystemTime::now())
}

impl ServerOracle {
    /// Registers a device: a citizen's, or a staff member's with `staff`.
    pub fn register(&mut self, staff: Option<StaffProfile>) -> Registered {
        let token = format!("token-{}", self.devices.len());
        self.devices.insert(
            token.clone(),
            Device {
                citizen: token.clone(),
                staff: staff.clone(),
            },
        );
        self.last_seq.insert(token.clone(), 0);
        Registered {
            staff,
            device_id: Uuid::now_v7(),
            token,
        }
    }

    /// Links device `other` to the account of device `token`.
    pub fn link(&mut self, token: &str, other: &str) {
        let citizen = self.devices[token].citizen.clone();
        self.devices.get_mut(other).unwrap().citizen = citizen;
    }

    /// Deletes the account of `token`'s device: all its devices are refused from then on.
    pub fn delete_account(&mut self, token: &str) {
        let citizen = self.devices[token].citizen.clone();
        self.devices.retain(|_, d| d.citizen != citizen);
    }

    /// Starts a new epoch of the change log (a server restored from a backup): every cursor
    /// is answered with a reset.
    pub fn new_epoch(&mut self) {
        self.log.new_epoch();
    }

    /// Publishes an alert for `zone`, from now for an hour.
    pub fn alert(&mut self, zone: &str, title: &str) -> Uuid {
        let alert = ZoneAlert {
            id: Uuid::now_v7(),
            zones: vec![zone.into()],
            title: LocalizedText::new(title, title),
            text: LocalizedText::new("Travaux", "Works"),
            starts_at_ms: now_ms(),
            ends_at_ms: now_ms() + 3_600_000,
        };
        let id = alert.id;
        self.log
            .stamp(log::Entity::Alert(id), [format!("zone:{zone}")]);
        self.alerts.push(alert);
        id
    }

    /// The zone a point lies in (west of the Louvre's meridian: the 1st; else the 4th).
    fn zone_of(lon: f64) -> &'static str {
        if lon < 2.345 { "75101" } else { "75104" }
    }

    pub fn catalogue() -> Catalogue {
        let name = LocalizedText::new("Encombrants", "Bulky items");
        let zone = |code: &str, parent: Option<&str>, kind: &str| relais_protocol::Zone {
            code: code.into(),
            name: format!("Zone {code}"),
            kind: kind.into(),
            parent: parent.map(Into::into),
            polygons: Vec::new(),
        };
        Catalogue {
            services: vec![
                ServiceInfo {
                    code: "proprete".into(),
                    name: LocalizedText::new("Propreté", "Cleaning"),
                },
                ServiceInfo {
                    code: "voirie".into(),
                    name: LocalizedText::new("Voirie", "Roads"),
                },
            ],
            routing: Vec::new(),
            rejection_reasons: vec![RejectionReason {
                code: "prive".into(),
                label: LocalizedText::new("Domaine privé", "Private property"),
            }],
            reply_templates: vec![ReplyTemplate {
                kind: ReplyKind::Resolved,
                group: None,
                category: None,
                text: LocalizedText::new(
                    "Votre signalement « {category} » est résolu.",
                    "Your report \"{category}\" is resolved.",
                ),
            }],
            tenant: "demo".into(),
            name: "Demo".into(),
            version: 1,
            groups: vec![CategoryGroup {
                code: "proprete".into(),
                name: LocalizedText::new("Propreté", "Cleanliness"),
            }],
            categories: vec![Category {
                service_code: Some("proprete".into()),
                code: CATEGORY.into(),
                group: "proprete".into(),
                name,
                service: LocalizedText::new("Propreté", "Cleaning"),
                questions: Vec::new(),
                response_days: Some(7),
                duplicate_radius_m: None,
            }],
            zones: vec![
                zone("paris", None, "commune"),
                zone("75101", Some("paris"), "arrondissement"),
                zone("75104", Some("paris"), "arrondissement"),
            ],
            settings: relais_protocol::TownSettings::default(),
        }
    }

    /// The catalogue's `ETag`: its version.
    fn catalogue_tag(&self) -> String {
        format!("\"{}\"", self.served_catalogue().version)
    }

    fn served_catalogue(&self) -> Catalogue {
        let mut catalogue = Self::catalogue();
        if self.with_zone_and_question {
            // Another catalogue: another version, so another tag.
            catalogue.version += 1;
            catalogue.zones[0].polygons = vec![vec![vec![
                [2.2, 48.8],
                [2.5, 48.8],
                [2.5, 48.9],
                [2.2, 48.9],
                [2.2, 48.8],
            ]]];
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
        catalogue
    }

    fn directory() -> relais_protocol::Directory {
        relais_protocol::Directory {
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
        }
    }

    pub fn handle(&mut self, request: &HttpRequest) -> HttpResult {
        let path = request.url.trim_start_matches(SERVER);
        if path == "/v1/demo/devices" {
            let body: relais_protocol::RegisterDevice =
                serde_json::from_slice(&request.body).unwrap();
            let staff = body.enrolment_code.map(|_| super::agent("agent@demo.test"));
            // `201 Created`, as the server answers.
            return HttpResult::Ok(HttpResponse::status(201).json(self.register(staff)).build());
        }
        let token = header(request, "authorization")
            .map(|value| value.trim_start_matches("Bearer ").to_owned());
        let Some(token) = token.filter(|t| self.devices.contains_key(t)) else {
            return status(401, ErrorCode::Unauthorized);
        };
        if path.starts_with("/v1/demo/sync/push") {
            let compressed = header(request, "content-encoding").as_deref() == Some("gzip");
            if compressed && self.refuse_compressed {
                return status(400, ErrorCode::MalformedRequest);
            }
            self.compressed_pushes += u32::from(compressed);
            self.push(&token, Self::push_request(request))
        } else if path.starts_with("/v1/demo/sync/pull") {
            self.pull(&token, &request.url)
        } else if path == "/v1/demo/uploads" {
            self.bundle(request)
        } else if let Some(sha) = path.strip_prefix("/v1/demo/uploads/") {
            self.upload(sha, request)
        } else if path.starts_with("/v1/demo/reports/nearby") {
            self.nearby(&request.url)
        } else if path.starts_with("/v1/demo/catalogue") {
            let (tag, catalogue) = (self.catalogue_tag(), self.served_catalogue());
            self.cached(request, &tag, &catalogue)
        } else if path.starts_with("/v1/demo/directory") {
            self.cached(request, DIRECTORY_TAG, &Self::directory())
        } else {
            status(404, ErrorCode::NotFound)
        }
    }

    /// A push's body, inflated if it came compressed.
    pub fn push_request(request: &HttpRequest) -> PushRequest {
        let mut json = request.body.clone();
        if header(request, "content-encoding").as_deref() == Some("gzip") {
            json.clear();
            std::io::Read::read_to_end(
                &mut flate2::read::GzDecoder::new(&request.body[..]),
                &mut json,
            )
            .unwrap();
        }
        serde_json::from_slice(&json).unwrap()
    }

    /// A body tagged `etag`, or `304` when the device holds it.
    fn cached(
        &mut self,
        request: &HttpRequest,
        etag: &str,
        body: &impl serde::Serialize,
    ) -> HttpResult {
        self.resource_requests += 1;
        if header(request, "if-none-match").as_deref() == Some(etag) {
            return HttpResult::Ok(HttpResponse::status(304).build());
        }
        self.bodies_served += 1;
        HttpResult::Ok(HttpResponse::ok().header("etag", etag).json(body).build())
    }

    fn nearby(&self, url: &str) -> HttpResult {
        let url = url::Url::parse(url).unwrap();
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap()
        };
        let (lat, lon): (f64, f64) = (param("lat").parse().unwrap(), param("lon").parse().unwrap());
        let category = param("category");
        let mut found: Vec<NearbyReport> = self
            .reports
            .iter()
            .filter(|r| r.category == category && relais_domain::status::is_open(r.status))
            .map(|r| NearbyReport {
                distance_m: distance_m(lat, lon, r.location.lat, r.location.lon),
                report: r.clone(),
            })
            .filter(|n| n.distance_m <= 250.0)
            .collect();
        found.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
        found.truncate(relais_protocol::nearby::MAX_NEARBY);
        ok_json(&NearbyReports {
            radius_m: 250,
            reports: found,
        })
    }

    /// Forgets every device's mutations after `seq`, and the reports they filed, as a server
    /// restored from an old backup.
    pub fn forget_after(&mut self, seq: u64) {
        for last in self.last_seq.values_mut() {
            *last = (*last).min(seq);
        }
        let forgotten: BTreeSet<Uuid> = self
            .outcomes
            .iter()
            .filter(|((_, s), _)| *s > seq)
            .map(|(_, (id, _))| *id)
            .collect();
        self.outcomes.retain(|(_, s), _| *s <= seq);
        let lost: Vec<Uuid> = self
            .filings
            .iter()
            .filter(|(mutation, _)| forgotten.contains(mutation))
            .map(|(_, report)| *report)
            .collect();
        self.applied
            .retain(|mutation| !forgotten.contains(mutation));
        self.reports.retain(|report| !lost.contains(&report.id));
    }

    /// The town moves a report to `status`, with a note that is also a message to the
    /// reporter (as servers before staff actions did).
    pub fn city_sets(&mut self, id: Uuid, status: ReportStatus, note: &str) {
        let report = self.report_mut(id);
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
            author: relais_protocol::Author::City,
            text: note.into(),
            at_ms: now_ms(),
        });
        self.touch_report(id);
        self.touch_thread(id);
    }

    /// The town resolved the report 40 days ago (longer than reports stay in others' scopes).
    pub fn close_long_ago(&mut self, id: Uuid) {
        let report = self.report_mut(id);
        report.status = ReportStatus::Resolved;
        report.version += 1;
        report.history.push(StatusChange {
            detail: None,
            status: ReportStatus::Resolved,
            at_ms: now_ms() - 40 * 86_400_000,
            note: None,
        });
        self.touch_report(id);
    }

    /// The town promises an answer to the report by `due_at_ms`.
    pub fn set_due(&mut self, id: Uuid, due_at_ms: i64) {
        self.report_mut(id).due_at_ms = Some(due_at_ms);
        self.touch_report(id);
    }

    /// The report's state as the server holds it.
    pub fn report(&self, id: Uuid) -> &PublicReport {
        self.reports.iter().find(|r| r.id == id).unwrap()
    }

    fn report_mut(&mut self, id: Uuid) -> &mut PublicReport {
        self.reports.iter_mut().find(|r| r.id == id).unwrap()
    }
}

fn header(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.clone())
}
