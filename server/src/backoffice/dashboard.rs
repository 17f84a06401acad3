//! The operations dashboard: the requests of one's services received over a chosen period
//! ([`crate::analysis::operations`]), as a whole and per status, service, category and zone,
//! with the median times to acknowledge and to resolve and the overdue rate, and the same rows
//! as CSV.

use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::html;
use relais_domain::words::status_name;
use relais_protocol::ReportStatus;
use relais_server_database::{ActivityQuery, Database};
use serde::Deserialize;

use super::inbox::{category_name, zone_name};
use super::lang::Lang;
use super::layout::{day, page};
use super::session::Staff;
use super::{bad_request, forbidden};
use crate::analysis::operations::{Dashboard, Dimension, Summary};
use crate::clock::now_ms;
use crate::router::AppState;
use crate::staff::access::work_scope;
use crate::town::Town;

const DAY_MS: i64 = 24 * 3_600_000;
/// The period shown when none is chosen: the last 30 days.
const DEFAULT_DAYS: i64 = 30;

/// The period, as the form sends it (`YYYY-MM-DD`, both days included; empty: the default).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Period {
    from: String,
    to: String,
}

/// Midnight UTC starting `text`'s day.
fn midnight(text: &str) -> Option<i64> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

/// The dashboard of the staff member's part of the town, with the town and the period
/// `[from, until)`.
async fn dashboard<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    period: &Period,
) -> Result<(Dashboard, std::sync::Arc<Town>, i64, i64), Response> {
    let lang = staff.lang;
    let now = now_ms();
    let today = now - now.rem_euclid(DAY_MS);
    let from = match period.from.as_str() {
        "" => today - (DEFAULT_DAYS - 1) * DAY_MS,
        text => midnight(text)
            .ok_or_else(|| bad_request(lang, "date de début incorrecte", "wrong start date"))?,
    };
    let until = match period.to.as_str() {
        "" => today + DAY_MS,
        text => {
            midnight(text)
                .ok_or_else(|| bad_request(lang, "date de fin incorrecte", "wrong end date"))?
                + DAY_MS
        }
    };
    if until <= from {
        return Err(bad_request(
            lang,
            "la fin de la période précède son début",
            "the period ends before it starts",
        ));
    }
    let town = super::town_of(state, staff).await?;
    let tenant = staff.member.tenant.clone().unwrap_or_default();
    let failure = |e| crate::error::ApiFailure::from(e).into_response();
    let scope = work_scope(&staff.member, &town).ok_or_else(|| forbidden(lang))?;
    let requests = state
        .db
        .activity(ActivityQuery {
            tenant,
            services: scope.services,
            zones: scope.zones,
            received_from_ms: from,
            received_until_ms: until,
        })
        .await
        .map_err(failure)?;
    Ok((Dashboard::of(&requests, now), town, from, until))
}

/// A group's name as people read it.
fn group_name(town: &Town, dimension: Dimension, code: &str, lang: Lang) -> String {
    match dimension {
        Dimension::Status => ReportStatus::parse(code)
            .map_or_else(|| code.to_owned(), |s| lang.pair(status_name(s)).to_owned()),
        Dimension::Service => town
            .service_name(code)
            .map_or_else(|| code.to_owned(), |n| lang.pick(n).to_owned()),
        Dimension::Category => category_name(town, code, lang).to_owned(),
        Dimension::Zone => zone_name(town, code).to_owned(),
    }
}

/// A duration for people: hours under two days, else days.
fn duration(ms: Option<i64>, lang: Lang) -> String {
    match ms {
        None => "—".to_owned(),
        Some(ms) if ms < 2 * DAY_MS => format!("{:.1} h", ms as f64 / 3_600_000.0),
        Some(ms) => format!("{:.1} {}", ms as f64 / DAY_MS as f64, lang.choose("j", "d")),
    }
}

fn rate(summary: &Summary) -> String {
    summary
        .overdue_rate()
        .map_or_else(|| "—".to_owned(), |r| format!("{:.0} %", r * 100.0))
}

pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Response {
    let (dashboard, town, from, until) = match dashboard(&state, &staff, &period).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let lang = staff.lang;
    let (from_day, to_day) = (day(from), day(until - DAY_MS));
    let title = lang.choose("Tableau de bord des demandes", "Requests dashboard");
    let total = &dashboard.total;
    let content = html! {
        h1 { (title) }
        div.panel {
            form.filters method="get" action="/dashboard" {
                div {
                    label for="from" { (lang.choose("Reçues du", "Received from")) }
                    input #from type="date" name="from" value=(from_day) required;
                }
                div {
                    label for="to" { (lang.choose("au (inclus)", "to (included)")) }
                    input #to type="date" name="to" value=(to_day) required;
                }
                div { button.primary type="submit" { (lang.choose("Afficher", "Show")) } }
                div { a href={ "/dashboard.csv?from=" (from_day) "&to=" (to_day) } download { (lang.choose("Exporter en CSV", "Export as CSV")) } }
            }
            dl.facts #totals {
                dt { (lang.choose("Demandes reçues", "Requests received")) } dd #total-requests { (total.requests) }
                dt { (lang.choose("Délai médian de prise en compte", "Median time to acknowledge")) } dd { (duration(total.median_acknowledge_ms, lang)) }
                dt { (lang.choose("Délai médian de résolution", "Median time to resolve")) } dd { (duration(total.median_resolve_ms, lang)) }
                dt { (lang.choose("Taux de retard", "Overdue rate")) } dd { (rate(total)) " (" (total.overdue) " / " (total.with_due_date) ")" }
            }
        }
        @for (dimension, rows) in &dashboard.groups {
            section.panel aria-labelledby={ "by-" (dimension.code()) } {
                h2 id={ "by-" (dimension.code()) } { (lang.pair(dimension.name())) }
                table {
                    thead { tr {
                        th scope="col" { (lang.choose("Valeur", "Value")) }
                        th.num scope="col" { (lang.choose("Demandes", "Requests")) }
                        th.num scope="col" { (lang.choose("Prise en compte (médiane)", "Acknowledged (median)")) }
                        th.num scope="col" { (lang.choose("Résolution (médiane)", "Resolved (median)")) }
                        th.num scope="col" { (lang.choose("En retard", "Overdue")) }
                    } }
                    tbody {
                        @for (code, summary) in rows {
                            tr data-code=(code) {
                                td { (group_name(&town, *dimension, code, lang)) }
                                td.num { (summary.requests) }
                                td.num { (duration(summary.median_acknowledge_ms, lang)) }
                                td.num { (duration(summary.median_resolve_ms, lang)) }
                                td.num { (rate(summary)) }
                            }
                        }
                    }
                }
            }
        }
    };
    let here = format!("/dashboard?from={from_day}&to={to_day}");
    page(lang, Some(&staff), &here, title, content).into_response()
}

pub async fn csv<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Response {
    let (dashboard, town, _, _) = match dashboard(&state, &staff, &period).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match write_csv(&dashboard, &town, staff.lang) {
        Ok(bytes) => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"requests-dashboard.csv\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "could not write the dashboard as CSV");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The whole town's row (`town,all`), then one row per value of each dimension.
fn write_csv(dashboard: &Dashboard, town: &Town, lang: Lang) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "dimension",
        "code",
        "name",
        "requests",
        "resolved",
        "median_acknowledge_hours",
        "median_resolve_hours",
        "with_due_date",
        "overdue",
        "overdue_rate",
    ])?;
    let hours = |ms: Option<i64>| {
        ms.map_or_else(String::new, |ms| format!("{:.2}", ms as f64 / 3_600_000.0))
    };
    let mut row = |dimension: &str, code: &str, name: &str, s: &Summary| {
        out.write_record([
            dimension.to_owned(),
            code.to_owned(),
            name.to_owned(),
            s.requests.to_string(),
            s.resolved.to_string(),
            hours(s.median_acknowledge_ms),
            hours(s.median_resolve_ms),
            s.with_due_date.to_string(),
            s.overdue.to_string(),
            s.overdue_rate()
                .map_or_else(String::new, |r| format!("{r:.4}")),
        ])
    };
    row("town", "all", town.name(), &dashboard.total)?;
    for (dimension, rows) in &dashboard.groups {
        for (code, summary) in rows {
            row(
                dimension.code(),
                code,
                &group_name(town, *dimension, code, lang),
                summary,
            )?;
        }
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
