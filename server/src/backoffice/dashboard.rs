//! The operations dashboard: the requests of one's services received over a chosen period,
//! optionally of one service and one zone ([`crate::analysis::operations`]), as a whole and per
//! status, service, category and zone, with the median times to acknowledge and to resolve, the
//! overdue rate, the reopen rate and the reporters' satisfaction with the resolutions, the
//! weekly trend as a bar chart, and the same rows as CSV.

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
use super::layout::{day, encode, page};
use super::session::Staff;
use super::{bad_request, forbidden};
use crate::analysis::operations::{Dashboard, Dimension, Summary, Week, weeks};
use crate::clock::now_ms;
use crate::router::AppState;
use crate::staff::access::{UnknownFilter, work_scope};
use crate::town::Town;

pub(super) const DAY_MS: i64 = 24 * 3_600_000;
/// The period shown when none is chosen: the last 30 days.
const DEFAULT_DAYS: i64 = 30;

/// The period, as the form sends it (`YYYY-MM-DD`, both days included; empty: the default).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Period {
    /// The first day (`YYYY-MM-DD`; empty: the 30 days ending today).
    from: String,
    /// The last day, included (empty: today).
    to: String,
    /// A service's code (empty: all of one's services).
    service: String,
    /// A zone's code (empty: every zone one works in).
    zone: String,
}

impl Period {
    /// The period's query string, for links to the same selection.
    fn query(&self, from_day: &str, to_day: &str) -> String {
        format!(
            "from={from_day}&to={to_day}&service={}&zone={}",
            encode(&self.service),
            encode(&self.zone)
        )
    }
}

/// Midnight UTC starting `text`'s day.
pub(super) fn midnight(text: &str) -> Option<i64> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

/// The dashboard of the staff member's part of the town, with the town and the period
/// `[from, until)`.
async fn dashboard<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    period: &Period,
) -> Result<(Dashboard, Vec<Week>, std::sync::Arc<Town>, i64, i64), Response> {
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
    let given = |text: &str| Some(text.to_owned()).filter(|t| !t.is_empty());
    let scope = work_scope(&staff.member, &town)
        .ok_or_else(|| forbidden(lang))?
        .narrowed(
            &town,
            given(&period.service).as_deref(),
            given(&period.zone).as_deref(),
        )
        .map_err(|unknown| match unknown {
            UnknownFilter::Service => bad_request(lang, "service inconnu", "unknown service"),
            UnknownFilter::Zone => bad_request(lang, "zone inconnue", "unknown zone"),
        })?;
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
    let weeks = weeks(&requests, from, until);
    Ok((Dashboard::of(&requests, now), weeks, town, from, until))
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
    percent(summary.overdue_rate())
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "—".to_owned(), |r| format!("{:.0} %", r * 100.0))
}

/// The weekly trend as an SVG bar chart: received and resolved side by side, each week.
fn trend_chart(weeks: &[Week], lang: Lang) -> maud::Markup {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 220.0;
    const BOTTOM: f64 = 24.0;
    let top = weeks
        .iter()
        .map(|w| w.received.max(w.resolved))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = WIDTH / weeks.len().max(1) as f64;
    let bar = (slot * 0.4).min(24.0);
    let height = |n: u64| (HEIGHT - BOTTOM - 16.0) * n as f64 / top;
    let label = lang.choose(
        "Demandes reçues (bleu) et résolues (vert) par semaine",
        "Requests received (blue) and resolved (green) per week",
    );
    html! {
        svg.chart.trend #trend-chart viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-label=(label) {
            title { (label) }
            line x1="0" y1=(HEIGHT - BOTTOM) x2=(WIDTH) y2=(HEIGHT - BOTTOM) stroke="#6b7785" {}
            text x="4" y="12" { (lang.choose("max ", "max ")) (top) }
            @for (i, week) in weeks.iter().enumerate() {
                @let x = i as f64 * slot + slot / 2.0;
                rect.received x=(format!("{:.1}", x - bar)) y=(format!("{:.1}", HEIGHT - BOTTOM - height(week.received)))
                    width=(format!("{bar:.1}")) height=(format!("{:.1}", height(week.received))) {
                    title { (day(week.start_ms)) " : " (week.received) }
                }
                rect.resolved x=(format!("{x:.1}")) y=(format!("{:.1}", HEIGHT - BOTTOM - height(week.resolved)))
                    width=(format!("{bar:.1}")) height=(format!("{:.1}", height(week.resolved))) {
                    title { (day(week.start_ms)) " : " (week.resolved) }
                }
                @if weeks.len() <= 8 || i % (weeks.len() / 8 + 1) == 0 {
                    text x=(format!("{:.1}", x - bar)) y=(HEIGHT - 6.0) { (day(week.start_ms).get(5..).unwrap_or_default()) }
                }
            }
        }
    }
}

/// The operations dashboard of the staff member's part of the town over a period.
#[utoipa::path(
    get,
    path = "/dashboard",
    operation_id = "backoffice_dashboard",
    tag = "back office",
    params(Period),
    responses(
        (status = 200, description = "The dashboard", body = String, content_type = "text/html; charset=utf-8"),
        crate::openapi::PageRefusals,
    ),
    security(("session" = [])),
)]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Response {
    let (dashboard, weeks, town, from, until) = match dashboard(&state, &staff, &period).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let lang = staff.lang;
    let (from_day, to_day) = (day(from), day(until - DAY_MS));
    let query = period.query(&from_day, &to_day);
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
                div {
                    label for="service" { (lang.choose("Service", "Service")) }
                    select #service name="service" {
                        option value="" { (lang.choose("Tous mes services", "All my services")) }
                        @for service in &town.catalogue.services {
                            option value=(service.code) selected[service.code == period.service] { (lang.pick(&service.name)) }
                        }
                    }
                }
                div {
                    label for="zone" { (lang.choose("Zone", "Zone")) }
                    select #zone name="zone" {
                        option value="" { (lang.choose("Toutes", "All")) }
                        @for zone in &town.catalogue.zones {
                            option value=(zone.code) selected[zone.code == period.zone] { (zone.name) }
                        }
                    }
                }
                div { button.primary type="submit" { (lang.choose("Afficher", "Show")) } }
                div { a href={ "/dashboard.csv?" (query) } download { (lang.choose("Exporter en CSV", "Export as CSV")) } }
            }
            dl.facts #totals {
                dt { (lang.choose("Demandes reçues", "Requests received")) } dd #total-requests { (total.requests) }
                dt { (lang.choose("Délai médian de prise en compte", "Median time to acknowledge")) } dd { (duration(total.median_acknowledge_ms, lang)) }
                dt { (lang.choose("Délai médian de résolution", "Median time to resolve")) } dd { (duration(total.median_resolve_ms, lang)) }
                dt { (lang.choose("Taux de retard", "Overdue rate")) } dd { (rate(total)) " (" (total.overdue) " / " (total.with_due_date) ")" }
                dt { (lang.choose("Taux de réouverture", "Reopen rate")) } dd #reopen-rate { (percent(total.reopen_rate())) " (" (total.reopened) " / " (total.ever_resolved) ")" }
                dt { (lang.choose("Satisfaction des citoyens à la clôture", "Citizens' satisfaction at closure")) }
                dd #satisfaction { (total.satisfaction().map_or_else(|| "—".to_owned(), |s| format!("{s:.2} / 5"))) " (" (total.satisfaction_answers) " " (lang.choose("réponses", "answers")) ")" }
            }
        }
        section.panel aria-labelledby="weekly" {
            h2 #weekly { (lang.choose("Tendance hebdomadaire", "Weekly trend")) }
            div.columns.even {
                (trend_chart(&weeks, lang))
                div.scroll {
                    table #weeks {
                        thead { tr {
                            th scope="col" { (lang.choose("Semaine du", "Week of")) }
                            th.num scope="col" { (lang.choose("Reçues", "Received")) }
                            th.num scope="col" { (lang.choose("Résolues", "Resolved")) }
                        } }
                        tbody {
                            @for week in &weeks {
                                tr { td { (day(week.start_ms)) } td.num { (week.received) } td.num { (week.resolved) } }
                            }
                        }
                    }
                }
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
                        th.num scope="col" { (lang.choose("Rouvertes", "Reopened")) }
                        th.num scope="col" { (lang.choose("Satisfaction", "Satisfaction")) }
                    } }
                    tbody {
                        @for (code, summary) in rows {
                            tr data-code=(code) {
                                td { (group_name(&town, *dimension, code, lang)) }
                                td.num { (summary.requests) }
                                td.num { (duration(summary.median_acknowledge_ms, lang)) }
                                td.num { (duration(summary.median_resolve_ms, lang)) }
                                td.num { (rate(summary)) }
                                td.num { (percent(summary.reopen_rate())) }
                                td.num { (summary.satisfaction().map_or_else(|| "—".to_owned(), |s| format!("{s:.1}"))) }
                            }
                        }
                    }
                }
            }
        }
    };
    let here = format!("/dashboard?{query}");
    page(lang, Some(&staff), &here, title, content).into_response()
}

/// The same dashboard as CSV.
#[utoipa::path(
    get,
    path = "/dashboard.csv",
    operation_id = "backoffice_dashboard_csv",
    tag = "back office",
    params(Period),
    responses(
        (status = 200, description = "The dashboard (an attachment)", body = String, content_type = "text/csv; charset=utf-8"),
        crate::openapi::PageRefusals,
    ),
    security(("session" = [])),
)]
pub async fn csv<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Response {
    let (dashboard, _, town, _, _) = match dashboard(&state, &staff, &period).await {
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
        "ever_resolved",
        "reopened",
        "reopen_rate",
        "satisfaction_answers",
        "satisfaction_mean",
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
            s.ever_resolved.to_string(),
            s.reopened.to_string(),
            s.reopen_rate()
                .map_or_else(String::new, |r| format!("{r:.4}")),
            s.satisfaction_answers.to_string(),
            s.satisfaction()
                .map_or_else(String::new, |m| format!("{m:.4}")),
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
