//! The importance–performance page: the analysis of [`crate::analysis::ipa`] over the
//! citizens' current ratings of the town's public services, drawn as an SVG chart (readable
//! without script: every point is numbered and named in a tooltip) with the table beside it,
//! the crosshairs at the scale's midpoint or at the data means as the town chooses, and the
//! same rows as CSV; filtered by kind of service, zone and the period the ratings were given
//! in ([`crate::analysis::rated`]).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use relais_protocol::LocalizedText;
use relais_server_database::Database;
use serde::Deserialize;

use super::dashboard::{DAY_MS, midnight};
use super::lang::Lang;
use super::layout::{encode, page};
use super::session::Staff;
use super::{bad_request, forbidden};
use crate::analysis::ipa::{Analysis, Crosshairs, Quadrant, Rating, SCALE};
use crate::analysis::rated::{GivenRating, RatedService, Selection};
use crate::router::AppState;
use crate::town::Town;

/// What the page is asked for: the crosshairs, and the ratings to analyse (empty: all).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Choice {
    /// Where the chart's crosshairs cross: `midpoint` or `means` (empty: the default).
    crosshairs: String,
    /// A kind of service, as the directory names it in French.
    kind: String,
    /// A zone's code: the services located in it.
    zone: String,
    /// The ratings given from this day (`YYYY-MM-DD`)...
    from: String,
    /// ...to this one, both included.
    to: String,
}

impl Choice {
    /// The same selection as a query string, for the page's links.
    fn query(&self, crosshairs: Crosshairs) -> String {
        format!(
            "crosshairs={}&kind={}&zone={}&from={}&to={}",
            crosshairs.as_str(),
            encode(&self.kind),
            encode(&self.zone),
            encode(&self.from),
            encode(&self.to)
        )
    }

    /// The selection asked for, checked against the town and its directory; else what is wrong,
    /// in French and English.
    fn selection(
        &self,
        town: &Town,
        kinds: &[&LocalizedText],
    ) -> Result<Selection, (&'static str, &'static str)> {
        let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        let day = |text: &str, fr, en| match text.trim() {
            "" => Ok(None),
            text => midnight(text).map(Some).ok_or((fr, en)),
        };
        let selection = Selection {
            kind: given(&self.kind),
            zone: given(&self.zone),
            from_ms: day(&self.from, "date de début incorrecte", "wrong start date")?,
            until_ms: day(&self.to, "date de fin incorrecte", "wrong end date")?
                .map(|to| to + DAY_MS),
        };
        if selection
            .kind
            .as_ref()
            .is_some_and(|k| !kinds.iter().any(|known| &known.fr == k))
        {
            return Err(("type de service inconnu", "unknown kind of service"));
        }
        if selection.zone.as_ref().is_some_and(|z| !town.has_zone(z)) {
            return Err(("zone inconnue", "unknown zone"));
        }
        if let (Some(from), Some(until)) = (selection.from_ms, selection.until_ms)
            && until <= from
        {
            return Err((
                "la fin de la période précède son début",
                "the period ends before it starts",
            ));
        }
        Ok(selection)
    }
}

/// What the page shows: the analysis, the services' names, the crosshairs, the town and the
/// kinds of service of the directory (for the filter).
struct Found {
    analysis: Analysis,
    names: HashMap<String, LocalizedText>,
    crosshairs: Crosshairs,
    town: Arc<Town>,
    kinds: Vec<LocalizedText>,
}

/// The analysis of the staff member's town over the ratings `choice` selects.
async fn analysis<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    choice: &Choice,
) -> Result<Found, Response> {
    let lang = staff.lang;
    let crosshairs = match choice.crosshairs.as_str() {
        "" => Crosshairs::default(),
        other => Crosshairs::parse(other)
            .ok_or_else(|| bad_request(lang, "réticule inconnu", "unknown crosshairs"))?,
    };
    let Some(tenant) = staff.member.tenant.clone() else {
        return Err(forbidden(lang));
    };
    let town = super::town_of(state, staff).await?;
    let failure = |e| crate::error::ApiFailure::from(e).into_response();
    let directory = state
        .db
        .directory(&tenant)
        .await
        .map_err(failure)?
        .ok_or_else(|| forbidden(lang))?;
    let mut kinds: Vec<LocalizedText> = Vec::new();
    for service in &directory.services {
        if !kinds.iter().any(|k| k.fr == service.kind.fr) {
            kinds.push(service.kind.clone());
        }
    }
    kinds.sort_by(|a, b| lang.pick(a).cmp(lang.pick(b)));
    let selection = choice
        .selection(&town, &kinds.iter().collect::<Vec<_>>())
        .map_err(|(fr, en)| bad_request(lang, fr, en))?;
    let services: Vec<RatedService> = directory
        .services
        .iter()
        .map(|s| RatedService {
            id: s.id.clone(),
            kind: s.kind.fr.clone(),
            zones: s
                .location
                .map(|at| town.locate(at.lon, at.lat))
                .unwrap_or_default(),
        })
        .collect();
    let stored = state.db.service_ratings(&tenant).await.map_err(failure)?;
    let (ids, ratings) = selection.apply(
        &services,
        stored.iter().map(|r| GivenRating {
            service: &r.service_id,
            rating: Rating {
                importance: r.importance,
                satisfaction: r.satisfaction,
            },
            at_ms: r.at_ms,
        }),
    );
    let names = directory
        .services
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(Found {
        analysis: Analysis::of(&ids, &ratings, directory.min_sample, crosshairs),
        names,
        crosshairs,
        town,
        kinds,
    })
}

/// The importance–performance analysis of the town's public services from the ratings the
/// filters select: its chart and table.
#[utoipa::path(
    get,
    path = "/ratings",
    operation_id = "backoffice_ratings",
    tag = "back office",
    params(Choice),
    responses(
        (status = 200, description = "The analysis", body = String, content_type = "text/html; charset=utf-8"),
        crate::openapi::PageRefusals,
    ),
    security(("session" = [])),
)]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(choice): Query<Choice>,
) -> Response {
    let Found {
        analysis,
        names,
        crosshairs,
        town,
        kinds,
    } = match analysis(&state, &staff, &choice).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let lang = staff.lang;
    let name = |id: &str| {
        names
            .get(id)
            .map_or_else(|| id.to_owned(), |n| lang.pick(n).to_owned())
    };
    let title = lang.choose(
        "Importance et satisfaction des services publics",
        "Importance and performance of public services",
    );
    let f2 = |x: f64| format!("{x:.2}");
    let content = html! {
        h1 { (title) }
        div.panel {
            form.filters method="get" action="/ratings" {
                div {
                    label for="crosshairs" { (lang.choose("Réticule", "Crosshairs")) }
                    select #crosshairs name="crosshairs" {
                        option value="midpoint" selected[crosshairs == Crosshairs::Midpoint] { (lang.choose("au milieu de l'échelle (3)", "at the scale's midpoint (3)")) }
                        option value="means" selected[crosshairs == Crosshairs::Means] { (lang.choose("aux moyennes des services", "at the services' means")) }
                    }
                }
                div {
                    label for="kind" { (lang.choose("Type de service", "Kind of service")) }
                    select #kind name="kind" {
                        option value="" { (lang.choose("tous", "all")) }
                        @for kind in &kinds {
                            option value=(kind.fr) selected[kind.fr == choice.kind] { (lang.pick(kind)) }
                        }
                    }
                }
                div {
                    label for="zone" { (lang.choose("Zone", "Zone")) }
                    select #zone name="zone" {
                        option value="" { (lang.choose("toute la ville", "the whole town")) }
                        @for zone in &town.catalogue.zones {
                            option value=(zone.code) selected[zone.code == choice.zone] { (zone.name) }
                        }
                    }
                }
                div {
                    label for="from" { (lang.choose("Notes données du", "Ratings given from")) }
                    input #from type="date" name="from" value=(choice.from);
                }
                div {
                    label for="to" { (lang.choose("au", "to")) }
                    input #to type="date" name="to" value=(choice.to);
                }
                div { button.primary type="submit" { (lang.choose("Afficher", "Show")) } }
                div { a href={ "/ratings.csv?" (choice.query(crosshairs)) } download { (lang.choose("Exporter en CSV", "Export as CSV")) } }
            }
            p.meta {
                (lang.choose("Moyennes des notes actuelles des citoyens (1 à 5), intervalles de confiance à 95 % (t de Student). Écart = satisfaction − importance : négatif sous la diagonale.",
                        "Means of the citizens' current ratings (1 to 5), 95% confidence intervals (Student's t). Gap = satisfaction − importance: negative below the diagonal."))
            }
        }
        div.columns.even {
            section.panel aria-labelledby="chart-title" {
                h2 #chart-title { (lang.choose("Graphique", "Chart")) }
                (chart(&analysis, lang, &name))
            }
            section.panel aria-labelledby="table-title" {
                h2 #table-title { (lang.choose("Services placés", "Services placed")) }
                div.scroll { table #ipa-table {
                    thead { tr {
                        th.num scope="col" { "#" }
                        th scope="col" { (lang.choose("Service", "Service")) }
                        th.num scope="col" { (lang.choose("Votants", "Raters")) }
                        th.num scope="col" { (lang.choose("Importance", "Importance")) }
                        th.num scope="col" { (lang.choose("Satisfaction", "Satisfaction")) }
                        th.num scope="col" { (lang.choose("Écart", "Gap")) }
                        th scope="col" { (lang.choose("Quadrant", "Quadrant")) }
                    } }
                    tbody {
                        @for (i, p) in analysis.placed.iter().enumerate() {
                            tr data-service=(p.service) data-quadrant=(p.quadrant.code()) {
                                td.num { (i + 1) }
                                td { a href={ "/ratings/" (encode(&p.service)) } { (name(&p.service)) } }
                                td.num { (p.raters) }
                                td.num { (f2(p.importance.mean)) br; span.meta { "[" (f2(p.importance.low)) " ; " (f2(p.importance.high)) "]" } }
                                td.num { (f2(p.satisfaction.mean)) br; span.meta { "[" (f2(p.satisfaction.low)) " ; " (f2(p.satisfaction.high)) "]" } }
                                td.num { (format!("{:+.2}", p.gap)) }
                                td { (lang.pick(&p.quadrant.name())) }
                            }
                        }
                    }
                } }
                @if analysis.placed.is_empty() {
                    p { (lang.choose("Aucun service n'a encore assez de votants.", "No service has enough raters yet.")) }
                }
                details {
                    summary {
                        (lang.choose("Trop peu de votants pour être placés", "Too few raters to be placed"))
                        " (" (analysis.apart.len()) ", " (lang.choose("minimum", "minimum")) " " (analysis.min_raters) ")"
                    }
                    ul #ipa-apart {
                        @for a in &analysis.apart {
                            li data-service=(a.service) { (name(&a.service)) " — " (a.raters) " " (lang.choose("votant(s)", "rater(s)")) }
                        }
                    }
                }
            }
        }
    };
    page(
        lang,
        Some(&staff),
        &format!("/ratings?{}", choice.query(crosshairs)),
        title,
        content,
    )
    .into_response()
}

/// Plot size and margin, in SVG units.
const PLOT: f64 = 400.0;
const MARGIN: f64 = 56.0;

fn chart(analysis: &Analysis, lang: Lang, name: &dyn Fn(&str) -> String) -> Markup {
    let span = SCALE.1 - SCALE.0;
    let x = |v: f64| MARGIN + (v.clamp(SCALE.0, SCALE.1) - SCALE.0) / span * PLOT;
    let y = |v: f64| MARGIN + PLOT - (v.clamp(SCALE.0, SCALE.1) - SCALE.0) / span * PLOT;
    let (cx, cy) = analysis.center;
    let n = |v: f64| format!("{v:.1}");
    let corner = |q: Quadrant| {
        let (tx, ty, anchor) = match q {
            Quadrant::PossibleOverkill => (MARGIN + 6.0, MARGIN + 16.0, "start"),
            Quadrant::KeepUpTheGoodWork => (MARGIN + PLOT - 6.0, MARGIN + 16.0, "end"),
            Quadrant::LowPriority => (MARGIN + 6.0, MARGIN + PLOT - 8.0, "start"),
            Quadrant::ConcentrateHere => (MARGIN + PLOT - 6.0, MARGIN + PLOT - 8.0, "end"),
        };
        html! { text.quadrant-label x=(n(tx)) y=(n(ty)) text-anchor=(anchor) { (lang.pick(&q.name())) } }
    };
    let size = PLOT + 2.0 * MARGIN;
    html! {
        svg.chart #ipa-chart viewBox={ "0 0 " (size) " " (size) } role="img"
            aria-labelledby="ipa-chart-title" {
            title #ipa-chart-title {
                (lang.choose("Importance (horizontal) et satisfaction (vertical) des services", "Importance (horizontal) and satisfaction (vertical) of services"))
            }
            rect x=(n(MARGIN)) y=(n(MARGIN)) width=(n(PLOT)) height=(n(PLOT)) fill="#ffffff" stroke="#6b7785" {}
            // The concentrate-here quadrant is tinted: it is where the town should look first.
            rect x=(n(x(cx))) y=(n(y(cy))) width=(n(x(SCALE.1) - x(cx))) height=(n(y(SCALE.0) - y(cy))) fill="#fbeaea" {}
            @for tick in 1..=5 {
                @let v = f64::from(tick);
                line x1=(n(x(v))) y1=(n(y(SCALE.0))) x2=(n(x(v))) y2=(n(y(SCALE.0) + 5.0)) stroke="#6b7785" {}
                text x=(n(x(v))) y=(n(y(SCALE.0) + 18.0)) text-anchor="middle" { (tick) }
                line x1=(n(x(SCALE.0) - 5.0)) y1=(n(y(v))) x2=(n(x(SCALE.0))) y2=(n(y(v))) stroke="#6b7785" {}
                text x=(n(x(SCALE.0) - 9.0)) y=(n(y(v) + 4.0)) text-anchor="end" { (tick) }
            }
            text x=(n(MARGIN + PLOT / 2.0)) y=(n(size - 12.0)) text-anchor="middle" { (lang.choose("Importance →", "Importance →")) }
            text x="16" y=(n(MARGIN + PLOT / 2.0)) text-anchor="middle" transform={ "rotate(-90 16 " (n(MARGIN + PLOT / 2.0)) ")" } { (lang.choose("Satisfaction →", "Satisfaction →")) }
            line.diagonal x1=(n(x(SCALE.0))) y1=(n(y(SCALE.0))) x2=(n(x(SCALE.1))) y2=(n(y(SCALE.1))) stroke="#6b7785" stroke-dasharray="2 4" {
                title { (lang.choose("Diagonale d'iso-priorité (importance = satisfaction)", "Iso-priority diagonal (importance = satisfaction)")) }
            }
            line x1=(n(x(cx))) y1=(n(y(SCALE.0))) x2=(n(x(cx))) y2=(n(y(SCALE.1))) stroke="#102a43" stroke-dasharray="6 4" {}
            line x1=(n(x(SCALE.0))) y1=(n(y(cy))) x2=(n(x(SCALE.1))) y2=(n(y(cy))) stroke="#102a43" stroke-dasharray="6 4" {}
            @for q in Quadrant::ALL { (corner(q)) }
            @for (i, p) in analysis.placed.iter().enumerate() {
                g.service data-service=(p.service) data-quadrant=(p.quadrant.code()) {
                    title { (i + 1) ". " (name(&p.service)) " — " (lang.pick(&p.quadrant.name())) }
                    line x1=(n(x(p.importance.low))) y1=(n(y(p.satisfaction.mean))) x2=(n(x(p.importance.high))) y2=(n(y(p.satisfaction.mean))) stroke="#0b4f9c" {}
                    line x1=(n(x(p.importance.mean))) y1=(n(y(p.satisfaction.low))) x2=(n(x(p.importance.mean))) y2=(n(y(p.satisfaction.high))) stroke="#0b4f9c" {}
                    circle cx=(n(x(p.importance.mean))) cy=(n(y(p.satisfaction.mean))) r="5" fill="#0b4f9c" {}
                    text x=(n(x(p.importance.mean) + 7.0)) y=(n(y(p.satisfaction.mean) - 7.0)) { (i + 1) }
                }
            }
        }
    }
}

/// The same analysis as CSV.
#[utoipa::path(
    get,
    path = "/ratings.csv",
    operation_id = "backoffice_ratings_csv",
    tag = "back office",
    params(Choice),
    responses(
        (status = 200, description = "The analysis (an attachment, `importance-performance.csv`)", body = String, content_type = "text/csv; charset=utf-8"),
        crate::openapi::PageRefusals,
    ),
    security(("session" = [])),
)]
pub async fn csv<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(choice): Query<Choice>,
) -> Response {
    let found = match analysis(&state, &staff, &choice).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match write_csv(&found.analysis, &found.names, staff.lang) {
        Ok(bytes) => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"importance-performance.csv\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "could not write the analysis as CSV");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// One row per service: the placed ones (largest shortfall first), then those apart, with
/// empty means and `too_few_raters` as their quadrant.
fn write_csv(
    analysis: &Analysis,
    names: &HashMap<String, LocalizedText>,
    lang: Lang,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "service_id",
        "name",
        "raters",
        "importance_mean",
        "importance_low",
        "importance_high",
        "satisfaction_mean",
        "satisfaction_low",
        "satisfaction_high",
        "gap",
        "quadrant",
        "quadrant_name",
    ])?;
    let name = |id: &str| names.get(id).map_or(id, |n| lang.pick(n)).to_owned();
    let f = |v: f64| format!("{v:.4}");
    for p in &analysis.placed {
        out.write_record([
            p.service.clone(),
            name(&p.service),
            p.raters.to_string(),
            f(p.importance.mean),
            f(p.importance.low),
            f(p.importance.high),
            f(p.satisfaction.mean),
            f(p.satisfaction.low),
            f(p.satisfaction.high),
            f(p.gap),
            p.quadrant.code().to_owned(),
            lang.pick(&p.quadrant.name()).to_owned(),
        ])?;
    }
    for a in &analysis.apart {
        let mut row = vec![a.service.clone(), name(&a.service), a.raters.to_string()];
        row.extend(std::iter::repeat_n(String::new(), 7));
        row.push("too_few_raters".to_owned());
        row.push(
            lang.choose("trop peu de votants", "too few raters")
                .to_owned(),
        );
        out.write_record(row)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
