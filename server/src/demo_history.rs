//! The demo town's history, so that its dashboards show something real on first run: about two
//! thousand requests derived from Paris's "Dans ma rue" open data (their category, place, address
//! and day, shifted so the newest falls yesterday), each with a simulated life (acknowledged,
//! resolved, rejected or still open, and sometimes the reporter's answer to the resolution), and
//! simulated ratings with comments of the directory's town halls and sports facilities. The files
//! are derived by `scripts/derive-demo-history` and shipped in `server/seed/demo/` (see its
//! ATTRIBUTION.md).
//!
//! Nothing is written around the rules: each request is filed through the push's own judge
//! ([`crate::sync::push::apply_at`]), each staff action decided by the staff operations
//! ([`crate::staff::act::act_at`]) and each rating judged as a phone's, on its own day. The
//! actions are signed by one admin account of the demo town that cannot log in.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use relais_protocol::{
    Answer, GeoPoint, MutationOp, QuestionKind, Reason, StaffRole, WorkflowAction,
};
use relais_server_database::{ActivityQuery, Database, DeviceRecord, NewDevice, NewStaff};
use serde::Deserialize;
use uuid::Uuid;

use crate::clock::now_ms;
use crate::staff::act::act_at;
use crate::staff::workflow::ActionRequest;
use crate::staff::{Channel, StaffActor};
use crate::sync::push::{Source, apply_at};
use crate::town::{Town, Towns};

const TENANT: &str = "demo";
const HOUR_MS: f64 = 3_600_000.0;
const DAY_MS: i64 = 86_400_000;
/// Citizens filing and rating (each rates a service once).
const CITIZENS: usize = 200;
const HISTORIAN: &str = "historique@demo.relais.example";

/// One request of `history-requests.csv`; hours count from its reception.
#[derive(Debug, Deserialize)]
struct Request {
    days_ago: i64,
    minute: i64,
    category: String,
    lat: f64,
    lon: f64,
    address: String,
    acknowledged_h: Option<f64>,
    /// `resolved`, `rejected` or `open`.
    outcome: String,
    outcome_h: Option<f64>,
    reason: String,
    confirmed_h: Option<f64>,
    fixed: Option<u8>,
    satisfaction: Option<u8>,
}

/// One rating of `history-ratings.csv`.
#[derive(Debug, Deserialize)]
struct Rating {
    days_ago: i64,
    service_id: String,
    importance: u8,
    satisfaction: u8,
    comment: String,
}

/// What was loaded.
#[derive(Debug, Default)]
pub struct Loaded {
    pub requests: usize,
    pub actions: usize,
    pub confirmations: usize,
    pub ratings: usize,
}

fn rows<T: for<'de> Deserialize<'de>>(text: &str) -> anyhow::Result<Vec<T>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .context("the embedded demo history is invalid")
}

/// Answers to a category's required questions (the open data has none): the first choice, one,
/// or a dash.
fn answers(town: &Town, category: &str) -> BTreeMap<String, Answer> {
    let questions = town.category(category).map(|c| c.questions.as_slice());
    questions
        .unwrap_or_default()
        .iter()
        .filter(|q| q.required)
        .map(|q| {
            let answer = match &q.kind {
                QuestionKind::Text => Answer::Text("—".into()),
                QuestionKind::Number { .. } => Answer::Number(1.0),
                QuestionKind::SingleChoice { options } => {
                    Answer::Choice(options.first().map(|o| o.code.clone()).unwrap_or_default())
                }
                QuestionKind::MultiChoice { options } => {
                    Answer::Choices(options.iter().take(1).map(|o| o.code.clone()).collect())
                }
            };
            (q.code.clone(), answer)
        })
        .collect()
}

/// A rule refused a step of the history: the history no longer fits the town's rules.
fn refused(what: &str, reason: &Reason) -> anyhow::Error {
    anyhow::anyhow!(
        "the demo history's {what} was refused: {}",
        reason.message.en
    )
}

/// Loads the history into the demo town, dated back from `today_ms`. Refused when the town
/// already has requests.
pub async fn load<DB: Database>(db: &DB, towns: &Towns, today_ms: i64) -> anyhow::Result<Loaded> {
    let town = towns
        .get(db, TENANT)
        .await?
        .context("no demo town here: run with --demo")?;
    let existing = db
        .activity(ActivityQuery {
            tenant: TENANT.into(),
            services: None,
            zones: None,
            received_from_ms: 0,
            received_until_ms: i64::MAX,
        })
        .await?;
    if !existing.is_empty() {
        bail!("the demo town already has {} requests", existing.len());
    }
    let midnight = today_ms - today_ms.rem_euclid(DAY_MS);
    let citizens = register_citizens(db, midnight - 400 * DAY_MS).await?;
    let actor = StaffActor {
        member: historian(db).await?,
        channel: Channel::Server,
    };
    let mut loaded = Loaded::default();
    let at = |start: i64, hours: f64| start + (hours * HOUR_MS) as i64;
    let requests: Vec<Request> = rows(include_str!("../seed/demo/history-requests.csv"))?;
    for (n, request) in requests.iter().enumerate() {
        let citizen = &citizens[n % CITIZENS];
        let received = midnight - request.days_ago * DAY_MS + request.minute * 60_000;
        let id = Uuid::now_v7();
        let op = MutationOp::CreateReport {
            report_id: id,
            category: request.category.clone(),
            location: GeoPoint {
                lat: request.lat,
                lon: request.lon,
                accuracy_m: Some(10.0),
            },
            text: request.address.clone(),
            created_at_ms: received - 30_000,
            photos: Vec::new(),
            answers: answers(&town, &request.category),
        };
        apply_at(db, towns, citizen, op, Source::Device, Some(received))
            .await?
            .map_err(|r| refused("filing", &r))?;
        loaded.requests += 1;
        let mut steps = Vec::new();
        if let Some(hours) = request.acknowledged_h {
            steps.push((WorkflowAction::Acknowledge, hours));
        }
        match (request.outcome.as_str(), request.outcome_h) {
            ("resolved", Some(hours)) => {
                steps.push((WorkflowAction::Resolve { photos: Vec::new() }, hours));
            }
            ("rejected", Some(hours)) => steps.push((
                WorkflowAction::Reject {
                    reason: request.reason.clone(),
                },
                hours,
            )),
            _ => {}
        }
        for (action, hours) in steps {
            let version = db
                .task(TENANT, id)
                .await?
                .context("a filed request vanished")?
                .report
                .version;
            let step = ActionRequest {
                report_id: id,
                base_version: version,
                action,
                reply: None,
                note: None,
                legacy: false,
            };
            act_at(db, towns, &actor, TENANT, step, Some(at(received, hours)))
                .await?
                .map_err(|r| refused("staff action", &r))?;
            loaded.actions += 1;
        }
        if let (Some(hours), Some(fixed)) = (request.confirmed_h, request.fixed) {
            let op = MutationOp::ConfirmResolution {
                report_id: id,
                fixed: fixed == 1,
                satisfaction: request.satisfaction,
            };
            apply_at(
                db,
                towns,
                citizen,
                op,
                Source::Device,
                Some(at(received, hours)),
            )
            .await?
            .map_err(|r| refused("confirmation", &r))?;
            loaded.confirmations += 1;
        }
    }
    let ratings: Vec<Rating> = rows(include_str!("../seed/demo/history-ratings.csv"))?;
    for (n, rating) in ratings.iter().enumerate() {
        let op = MutationOp::RateService {
            service_id: rating.service_id.clone(),
            satisfaction: rating.satisfaction,
            importance: rating.importance,
            comment: Some(rating.comment.clone()).filter(|c| !c.is_empty()),
        };
        let day = midnight - rating.days_ago * DAY_MS + 12 * 3_600_000;
        apply_at(
            db,
            towns,
            &citizens[n % CITIZENS],
            op,
            Source::Device,
            Some(day),
        )
        .await?
        .map_err(|r| refused("rating", &r))?;
        loaded.ratings += 1;
    }
    Ok(loaded)
}

/// The citizens' devices of the history.
async fn register_citizens<DB: Database>(db: &DB, at_ms: i64) -> anyhow::Result<Vec<DeviceRecord>> {
    let mut devices = Vec::with_capacity(CITIZENS);
    for _ in 0..CITIZENS {
        let token = crate::token::BearerToken::device();
        db.register_device(NewDevice {
            id: Uuid::now_v7(),
            tenant: TENANT.into(),
            token: token.hash(),
            platform: "demo-history".into(),
            app_version: env!("CARGO_PKG_VERSION").into(),
            language: Some("fr".into()),
            created_at_ms: at_ms,
        })
        .await?;
        devices.push(
            db.device(TENANT, token.hash())
                .await?
                .context("a registered device vanished")?,
        );
    }
    Ok(devices)
}

/// The admin account that signs the history's staff actions (no password: it cannot log in).
async fn historian<DB: Database>(db: &DB) -> anyhow::Result<relais_server_database::StaffMember> {
    let account = db
        .staff_account(Some(TENANT.into()), HISTORIAN.into())
        .await?;
    if let Some(account) = account {
        return Ok(account.member);
    }
    db.add_staff(NewStaff {
        id: Uuid::now_v7(),
        tenant: Some(TENANT.into()),
        email: HISTORIAN.into(),
        name: "Historique de démonstration".into(),
        role: StaffRole::Admin,
        services: Vec::new(),
        zones: Vec::new(),
        password_hash: None,
        created_at_ms: now_ms(),
    })
    .await?;
    Ok(db
        .staff_account(Some(TENANT.into()), HISTORIAN.into())
        .await?
        .context("the history's account vanished")?
        .member)
}
