//! The two listings: `GET requests` with the specification's filters (`service_request_id`,
//! which overrides the others, `service_code`, `start_date`, `end_date`, `status`), and
//! FixMyStreet's `GET servicerequestupdates` over a period. Both read at most 1,000 entries over
//! at most 90 days, the most recent 90 days by default, as the specification sets.

use relais_protocol::PublicReport;
use relais_server_database::{Database, RequestQuery, UpdateQuery};
use uuid::Uuid;

use super::documents::{Update, Updates};
use super::error::Failure;
use super::filing::application;
use super::mapping;
use super::params::Params;
use crate::clock::now_ms;
use crate::router::AppState;
use crate::town::Town;

/// The longest period a listing covers: 90 days.
pub const MAX_SPAN_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// The most entries a listing returns.
pub const MAX_ENTRIES: u32 = 1000;

/// The requests of `town` the filters select, newest first.
pub async fn requests<DB: Database>(
    state: &AppState<DB>,
    town: &Town,
    params: &Params,
) -> Result<Vec<PublicReport>, Failure> {
    let ids = params.list("service_request_id");
    let ids: Vec<Uuid> = if ids.is_empty() {
        let query = request_query(town, params)?;
        state.db.request_ids(query).await?
    } else {
        ids.iter()
            .map(|id| Uuid::parse_str(id).map_err(|_| Failure::unknown_request(id)))
            .collect::<Result<_, _>>()?
    };
    Ok(state.db.public_reports(town.id(), ids).await?)
}

fn request_query(town: &Town, params: &Params) -> Result<RequestQuery, Failure> {
    let categories = params.list("service_code");
    if let Some(unknown) = categories.iter().find(|c| town.category(c).is_none()) {
        return Err(Failure::unknown_service(unknown));
    }
    let mut statuses = Vec::new();
    for filter in params.list("status") {
        let selected = mapping::statuses(filter).ok_or_else(|| {
            Failure::bad_request(
                format!("status inconnu : {filter} (open ou closed)."),
                format!("Unknown status: {filter} (open or closed)."),
            )
        })?;
        statuses.extend(selected);
    }
    statuses.sort_by_key(|s| s.as_str());
    statuses.dedup();
    let (from_ms, until_ms) = period(params)?;
    Ok(RequestQuery {
        tenant: town.id().to_owned(),
        categories: categories.into_iter().map(str::to_owned).collect(),
        statuses,
        from_ms,
        until_ms,
        limit: MAX_ENTRIES,
    })
}

/// The updates of `town`'s requests over the period; with a valid `api_key`, the town's
/// replies to the requests its application filed too.
pub async fn updates<DB: Database>(
    state: &AppState<DB>,
    town: &Town,
    params: &Params,
    language: &str,
) -> Result<Updates, Failure> {
    let reporter = match params.get("api_key") {
        Some(key) => Some(application(state, town, key).await?.id),
        None => None,
    };
    let (from_ms, until_ms) = period(params)?;
    let found = state
        .db
        .request_updates(UpdateQuery {
            tenant: town.id().to_owned(),
            from_ms,
            until_ms,
            reporter,
            limit: MAX_ENTRIES,
        })
        .await?;
    Ok(Updates {
        request_update: found
            .iter()
            .map(|u| mapping::update(u, language))
            .collect::<Vec<Update>>(),
    })
}

/// `start_date` and `end_date` in milliseconds: the most recent 90 days by default, 90 days
/// from `start_date` when only it is given, never more than 90 days.
fn period(params: &Params) -> Result<(i64, i64), Failure> {
    let date = |name: &str| {
        params
            .get(name)
            .map(|text| {
                mapping::parse_w3c(text).ok_or_else(|| {
                    Failure::bad_request(
                        format!(
                            "{name} illisible : {text} (format W3C, ex. 2026-12-01T00:00:00Z)."
                        ),
                        format!(
                            "Unreadable {name}: {text} (W3C format, e.g. 2026-12-01T00:00:00Z)."
                        ),
                    )
                })
            })
            .transpose()
    };
    let (from, until) = match (date("start_date")?, date("end_date")?) {
        (Some(from), Some(until)) => (from, until),
        (Some(from), None) => (from, from.saturating_add(MAX_SPAN_MS)),
        (None, Some(until)) => (until.saturating_sub(MAX_SPAN_MS), until),
        (None, None) => {
            let now = now_ms();
            (now - MAX_SPAN_MS, now)
        }
    };
    if until < from {
        return Err(Failure::bad_request(
            "end_date précède start_date.",
            "end_date is before start_date.",
        ));
    }
    if until - from > MAX_SPAN_MS {
        return Err(Failure::bad_request(
            "La période ne peut dépasser 90 jours.",
            "The period may not span more than 90 days.",
        ));
    }
    Ok((from, until))
}
