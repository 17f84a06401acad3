//! One staff action from the back office or the server's command line: decided by
//! [`super::workflow::decide`] over the facts read in one write transaction, exactly as a staff
//! device's push would be, and stored with its history entry before the answer.

use relais_protocol::mutation::MAX_TEXT_CHARS;
use relais_protocol::{LocalizedText, StaffRole};
use relais_protocol::{Reason, WorkflowAction};
use relais_server_database::writes::{EndedAlert, NewAlert, Write};
use relais_server_database::{Database, DbError, FactsQuery, Plan, StaffMember};
use uuid::Uuid;

use super::StaffActor;
use super::workflow::{self, ActionRequest, Known};
use crate::clock::now_ms;
use crate::reasons;
use crate::town::Towns;

/// Why a staff operation was not carried out, beyond the rules' refusals.
#[derive(Debug, thiserror::Error)]
pub enum ActError {
    #[error("unknown tenant")]
    UnknownTenant,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Decides and stores `request` on a report of `tenant`. `Ok(Err(reason))` is a refusal: nothing
/// changed.
pub async fn act<DB: Database>(
    db: &DB,
    towns: &Towns,
    actor: &StaffActor,
    tenant: &str,
    request: ActionRequest,
) -> Result<Result<(), Reason>, ActError> {
    act_at(db, towns, actor, tenant, request, None).await
}

/// [`act`] at a given time instead of now (`None`): how the demo town's history replays its
/// staff's actions on their days.
pub async fn act_at<DB: Database>(
    db: &DB,
    towns: &Towns,
    actor: &StaffActor,
    tenant: &str,
    request: ActionRequest,
    at_ms: Option<i64>,
) -> Result<Result<(), Reason>, ActError> {
    let mut town = towns
        .get(db, tenant)
        .await?
        .ok_or(ActError::UnknownTenant)?;
    for attempt in 0..2 {
        let mut query = FactsQuery {
            tenant: tenant.to_owned(),
            report_ids: vec![request.report_id],
            ..FactsQuery::default()
        };
        match &request.action {
            WorkflowAction::MarkDuplicate { of } => query.report_ids.push(*of),
            WorkflowAction::Assign { to: Some(email) } => {
                query.staff_emails.push(email.trim().to_lowercase());
            }
            _ => {}
        }
        let (held, actor, request) = (town.clone(), actor.clone(), request.clone());
        let decided = db
            .transact(query, move |mut facts| {
                if attempt == 0 && facts.catalogue_version != held.version() {
                    return Err(None);
                }
                let now_ms = at_ms.unwrap_or_else(now_ms);
                let mut known = Known {
                    reports: &mut facts.reports,
                    staff: &facts.staff,
                };
                let change =
                    workflow::decide(&actor, &held, &mut known, &request, now_ms).map_err(Some)?;
                let plan = Plan {
                    tenant: held.id().to_owned(),
                    now_ms,
                    ledger: None,
                    writes: vec![Write::Workflow(Box::new(change))],
                };
                Ok((plan, ()))
            })
            .await?;
        match decided {
            Ok(()) => return Ok(Ok(())),
            Err(Some(reason)) => return Ok(Err(reason)),
            Err(None) => {
                town = towns
                    .reload(db, tenant)
                    .await?
                    .ok_or(ActError::UnknownTenant)?;
            }
        }
    }
    unreachable!("the second attempt decides whatever the catalogue's version")
}

/// A dated notice for some zones of the town, asked by a staff member.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRequest {
    pub zones: Vec<String>,
    pub title: LocalizedText,
    pub text: LocalizedText,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
}

/// Publishes an alert: a supervisor's or an admin's act, for zones of their town. Returns its
/// id.
pub async fn publish_alert<DB: Database>(
    db: &DB,
    towns: &Towns,
    member: Option<&StaffMember>,
    tenant: &str,
    alert: AlertRequest,
) -> Result<Result<Uuid, Reason>, ActError> {
    let town = towns
        .get(db, tenant)
        .await?
        .ok_or(ActError::UnknownTenant)?;
    if member.is_some_and(|member| !may_publish_alerts(member, tenant)) {
        return Ok(Err(reasons::staff::not_permitted()));
    }
    if alert.zones.is_empty() {
        return Ok(Err(reasons::unknown_zone("")));
    }
    if let Some(unknown) = alert.zones.iter().find(|z| !town.has_zone(z)) {
        return Ok(Err(reasons::unknown_zone(unknown)));
    }
    if !relais_domain::ranges::is_time(alert.starts_at_ms)
        || !relais_domain::ranges::is_time(alert.ends_at_ms)
    {
        return Ok(Err(reasons::invalid_time()));
    }
    // Each text in its one form (see `relais_domain::text`), or the alert is refused.
    let clean = |text: &str| {
        relais_domain::text::clean(text, MAX_TEXT_CHARS)
            .map(std::borrow::Cow::into_owned)
            .ok()
    };
    let (Some(title_fr), Some(title_en), Some(text_fr), Some(text_en)) = (
        clean(&alert.title.fr),
        clean(&alert.title.en),
        clean(&alert.text.fr),
        clean(&alert.text.en),
    ) else {
        return Ok(Err(reasons::invalid_text(MAX_TEXT_CHARS)));
    };
    if alert.ends_at_ms <= alert.starts_at_ms {
        return Ok(Err(reasons::invalid_text(MAX_TEXT_CHARS)));
    }
    let id = Uuid::now_v7();
    let write = Write::Alert(NewAlert {
        id,
        buckets: buckets_of(&town, &alert.zones),
        zones: alert.zones,
        title: LocalizedText::new(title_fr, title_en),
        text: LocalizedText::new(text_fr, text_en),
        starts_at_ms: alert.starts_at_ms,
        ends_at_ms: alert.ends_at_ms,
        staff: member.map(|m| m.id),
    });
    store(db, tenant, now_ms(), write).await?;
    Ok(Ok(id))
}

/// Whether `member` may publish and end alerts in `tenant`: its supervisors and admins.
fn may_publish_alerts(member: &StaffMember, tenant: &str) -> bool {
    member.tenant.as_deref() == Some(tenant)
        && matches!(
            member.profile.role,
            StaffRole::Admin | StaffRole::Supervisor
        )
}

/// The most alerts of a town under way at once that [`end_alert`] looks through.
const CURRENT_ALERTS: u32 = 10_000;

/// Ends alert `id` of the town now (withdraws it, if it had not started yet): an act of the
/// town's supervisors and admins, written in the audit log. Its zones' buckets are stamped
/// again, so the devices holding it receive its new end at their next sync and stop showing it.
pub async fn end_alert<DB: Database>(
    db: &DB,
    towns: &Towns,
    member: &StaffMember,
    tenant: &str,
    id: Uuid,
) -> Result<Result<(), Reason>, ActError> {
    let town = towns
        .get(db, tenant)
        .await?
        .ok_or(ActError::UnknownTenant)?;
    if !may_publish_alerts(member, tenant) {
        return Ok(Err(reasons::staff::not_permitted()));
    }
    let now = now_ms();
    let current = db.published_alerts(tenant, now + 1, CURRENT_ALERTS).await?;
    let Some(alert) = current
        .into_iter()
        .find(|p| p.alert.id == id)
        .map(|p| p.alert)
    else {
        return Ok(Err(reasons::no_current_alert()));
    };
    let write = Write::EndAlert(EndedAlert {
        id,
        buckets: buckets_of(&town, &alert.zones),
        ends_at_ms: now,
    });
    store(db, tenant, now, write).await?;
    db.audit(
        Some(tenant.to_owned()),
        Some(member.id),
        "alert.end".to_owned(),
        serde_json::json!({
            "alert": id,
            "title": alert.title.fr,
            "ended_at_ms": now,
            "was_to_end_at_ms": alert.ends_at_ms,
        }),
        now,
    )
    .await?;
    Ok(Ok(()))
}

/// The buckets of the change log an alert for `zones` goes to: each zone's and those of the zones
/// inside it, once each.
fn buckets_of(town: &crate::town::Town, zones: &[String]) -> Vec<String> {
    let mut buckets: Vec<String> = zones.iter().flat_map(|z| town.within(z)).collect();
    buckets.sort();
    buckets.dedup();
    buckets
}

/// Stores `write` of the town alone, decided already (no facts to read), at `now_ms`.
async fn store<DB: Database>(
    db: &DB,
    tenant: &str,
    now_ms: i64,
    write: Write,
) -> Result<(), ActError> {
    let tenant = tenant.to_owned();
    db.transact(
        FactsQuery {
            tenant: tenant.clone(),
            ..FactsQuery::default()
        },
        move |_| {
            let plan = Plan {
                tenant,
                now_ms,
                ledger: None,
                writes: vec![write],
            };
            Ok::<_, ()>((plan, ()))
        },
    )
    .await?
    .map_err(|()| ActError::UnknownTenant)
}
