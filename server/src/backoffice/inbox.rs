//! The inbox: the requests of the staff member's services (exactly those
//! [`crate::staff::access`] lets them work on), filtered by status, service, category, zone,
//! assignment and lateness, earliest due first, with the counts of the selection per status
//! and a map of the requests shown.

use axum::extract::{Query, RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use maud::html;
use relais_domain::status::OPEN;
use relais_domain::words::status_name;
use relais_protocol::ReportStatus;
use relais_server_database::{Assignee, Database, InboxQuery};
use serde::Deserialize;
use strum::IntoEnumIterator;

use super::layout::{day, page};
use super::map::{self, Dot};
use super::session::Staff;
use super::{bad_request, forbidden};
use crate::clock::now_ms;
use crate::router::AppState;
use crate::staff::access::{UnknownFilter, WorkScope, work_scope};
use crate::staff::replies::reference;

/// The most requests one page lists.
const PAGE: u32 = 200;
/// The most requests one GeoJSON export holds.
const EXPORT: u32 = 10_000;

/// The filters, as the form sends them (empty: any).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Filters {
    /// `open` (the default), `all`, or a status.
    status: String,
    /// A service's code.
    service: String,
    /// A category's code.
    category: String,
    /// A zone's code.
    zone: String,
    /// `1`: only requests past their due date.
    overdue: String,
    /// `me`, `nobody`, or empty (anyone).
    assigned: String,
}

/// The requests of the filters' selection within the staff member's scope, with what the pages
/// need of it.
struct Selection {
    town: std::sync::Arc<crate::town::Town>,
    scope: WorkScope,
    inbox: relais_server_database::InboxPage,
    now: i64,
    /// The open statuses (those a request can be late in).
    open: Vec<ReportStatus>,
}

async fn select<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    filters: &Filters,
    limit: u32,
) -> Result<Selection, Response> {
    let lang = staff.lang;
    let tenant = staff.member.tenant.clone().unwrap_or_default();
    let town = match super::town_of(state, staff).await {
        Ok(town) => town,
        Err(page) => return Err(page),
    };
    let Some(scope) = work_scope(&staff.member, &town) else {
        return Err(forbidden(lang));
    };
    let now = now_ms();
    let open: Vec<ReportStatus> = OPEN
        .into_iter()
        .filter(|s| *s != ReportStatus::Queued)
        .collect();
    let mut statuses = match filters.status.as_str() {
        "" | "open" => Some(open.clone()),
        "all" => None,
        other => match ReportStatus::parse(other) {
            Some(status) => Some(vec![status]),
            None => return Err(bad_request(lang, "statut inconnu", "unknown status")),
        },
    };
    let overdue = filters.overdue == "1";
    if overdue {
        statuses = Some(
            statuses
                .unwrap_or_else(|| open.clone())
                .into_iter()
                .filter(|s| open.contains(s))
                .collect(),
        );
    }
    let given = |text: &str| Some(text.to_owned()).filter(|t| !t.is_empty());
    let (service, zone) = (given(&filters.service), given(&filters.zone));
    let narrowed = scope
        .clone()
        .narrowed(&town, service.as_deref(), zone.as_deref());
    let WorkScope { services, zones } = match narrowed {
        Ok(narrowed) => narrowed,
        Err(UnknownFilter::Service) => {
            return Err(bad_request(lang, "service inconnu", "unknown service"));
        }
        Err(UnknownFilter::Zone) => return Err(bad_request(lang, "zone inconnue", "unknown zone")),
    };
    if !filters.category.is_empty() && town.category(&filters.category).is_none() {
        return Err(bad_request(lang, "catégorie inconnue", "unknown category"));
    }
    let assignee = match filters.assigned.as_str() {
        "" => None,
        "me" => Some(Assignee::Staff(staff.member.id)),
        "nobody" => Some(Assignee::Nobody),
        _ => {
            return Err(bad_request(
                lang,
                "attribution inconnue",
                "unknown assignment",
            ));
        }
    };
    let query = InboxQuery {
        tenant: tenant.clone(),
        services,
        zones,
        statuses,
        category: (!filters.category.is_empty()).then(|| filters.category.clone()),
        assignee,
        due_before_ms: overdue.then_some(now),
        limit,
    };
    let inbox = match state.db.inbox(query).await {
        Ok(inbox) => inbox,
        Err(error) => return Err(crate::error::ApiFailure::from(error).into_response()),
    };
    Ok(Selection {
        town,
        scope,
        inbox,
        now,
        open,
    })
}

/// The requests of the staff member's services, filtered, earliest due first (200 at most),
/// with their counts per status and their map.
#[utoipa::path(
    get,
    path = "/inbox",
    operation_id = "backoffice_inbox",
    tag = "back office",
    params(Filters),
    responses(
        (status = 200, description = "The inbox", body = String, content_type = "text/html; charset=utf-8"),
        crate::openapi::PageRefusals,
    ),
    security(("session" = [])),
)]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(filters): Query<Filters>,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = staff.lang;
    let Selection {
        town,
        scope,
        inbox,
        now,
        open,
    } = match select(&state, &staff, &filters, PAGE).await {
        Ok(selection) => selection,
        Err(response) => return response,
    };
    let catalogue = &town.catalogue;
    let my_services: Vec<_> = catalogue
        .services
        .iter()
        .filter(|s| {
            scope
                .services
                .as_ref()
                .is_none_or(|mine| mine.contains(&s.code))
        })
        .collect();
    let raw = raw.unwrap_or_default();
    let here = format!("/inbox?{raw}");
    let is_late = |due: Option<i64>, status: ReportStatus| {
        due.is_some_and(|d| d < now) && open.contains(&status)
    };
    let dots: Vec<Dot> = inbox
        .reports
        .iter()
        .map(|r| Dot {
            lat: r.location.lat,
            lon: r.location.lon,
            late: is_late(r.due_at_ms, r.status),
            label: format!(
                "{} · {}",
                reference(r.id),
                category_name(&town, &r.category, lang)
            ),
            href: format!("/requests/{}", r.id),
        })
        .collect();
    let title = lang.choose("Demandes", "Requests");
    let selected = |value: &str, current: &str| value == current;
    let content = html! {
        h1 { (title) }
        div.panel {
            form.filters method="get" action="/inbox" {
                div {
                    label for="status" { (lang.choose("Statut", "Status")) }
                    select #status name="status" {
                        option value="open" selected[selected("open", &filters.status) || filters.status.is_empty()] { (lang.choose("Ouvertes", "Open")) }
                        option value="all" selected[selected("all", &filters.status)] { (lang.choose("Toutes", "All")) }
                        @for status in ReportStatus::iter().filter(|s| *s != ReportStatus::Queued) {
                            option value=(status.as_str()) selected[selected(status.as_str(), &filters.status)] { (lang.pair(status_name(status))) }
                        }
                    }
                }
                div {
                    label for="service" { (lang.choose("Service", "Service")) }
                    select #service name="service" {
                        option value="" { (lang.choose("Tous mes services", "All my services")) }
                        @for service in &my_services {
                            option value=(service.code) selected[selected(&service.code, &filters.service)] { (lang.pick(&service.name)) }
                        }
                    }
                }
                div {
                    label for="category" { (lang.choose("Catégorie", "Category")) }
                    select #category name="category" {
                        option value="" { (lang.choose("Toutes", "All")) }
                        @for category in &catalogue.categories {
                            option value=(category.code) selected[selected(&category.code, &filters.category)] { (lang.pick(&category.name)) }
                        }
                    }
                }
                div {
                    label for="zone" { (lang.choose("Zone", "Zone")) }
                    select #zone name="zone" {
                        option value="" { (lang.choose("Toute la ville", "The whole town")) }
                        @for zone in &catalogue.zones {
                            option value=(zone.code) selected[selected(&zone.code, &filters.zone)] { (zone.name) }
                        }
                    }
                }
                div {
                    label for="assigned" { (lang.choose("Attribuées à", "Assigned to")) }
                    select #assigned name="assigned" {
                        option value="" { (lang.choose("N'importe qui", "Anyone")) }
                        option value="me" selected[selected("me", &filters.assigned)] { (lang.choose("Moi", "Me")) }
                        option value="nobody" selected[selected("nobody", &filters.assigned)] { (lang.choose("Personne", "Nobody")) }
                    }
                }
                div {
                    label for="overdue" {
                        input #overdue type="checkbox" name="overdue" value="1" checked[filters.overdue == "1"];
                        " " (lang.choose("En retard seulement", "Overdue only"))
                    }
                }
                div { button.primary type="submit" { (lang.choose("Filtrer", "Filter")) } }
                div { a href={ "/inbox.geojson?" (raw) } download { (lang.choose("Exporter en GeoJSON", "Export as GeoJSON")) } }
            }
            ul.counts aria-label=(lang.choose("Nombre de demandes par statut", "Requests per status")) {
                @for status in ReportStatus::iter() {
                    @if let Some(count) = inbox.by_status.get(&status) {
                        li { a href={ "/inbox?status=" (status.as_str()) } { (lang.pair(status_name(status))) " : " (count) } }
                    }
                }
            }
        }
        div.columns {
            section.panel aria-labelledby="list-title" {
                h2 #list-title {
                    (inbox.total) " " (lang.choose("demande(s)", "request(s)"))
                    @if inbox.total > u64::from(PAGE) {
                        " — " (lang.choose("les 200 premières par échéance", "the first 200 by due date"))
                    }
                }
                div.scroll { table {
                    thead { tr {
                        th scope="col" { (lang.choose("Réf.", "Ref.")) }
                        th scope="col" { (lang.choose("Catégorie", "Category")) }
                        th scope="col" { (lang.choose("Zone", "Zone")) }
                        th scope="col" { (lang.choose("Service", "Service")) }
                        th scope="col" { (lang.choose("Statut", "Status")) }
                        th scope="col" { (lang.choose("Échéance", "Due")) }
                        th.num scope="col" { (lang.choose("Soutiens", "Supporters")) }
                    } }
                    tbody {
                        @for r in &inbox.reports {
                            tr {
                                td { a href={ "/requests/" (r.id) } { (reference(r.id)) } }
                                td { (category_name(&town, &r.category, lang)) }
                                td { (zone_name(&town, &r.zone)) }
                                td { (lang.pick(&r.service)) }
                                td { (lang.pair(status_name(r.status))) }
                                td.late[is_late(r.due_at_ms, r.status)] {
                                    (r.due_at_ms.map(day).unwrap_or_default())
                                    @if is_late(r.due_at_ms, r.status) { " " (lang.choose("(en retard)", "(overdue)")) }
                                }
                                td.num { (r.supporters) }
                            }
                        }
                    }
                } }
                @if inbox.reports.is_empty() {
                    p { (lang.choose("Aucune demande ne correspond à ces filtres.", "No request matches these filters.")) }
                }
            }
            section.panel aria-labelledby="map-title" {
                h2 #map-title { (lang.choose("Carte de la sélection", "Map of the selection")) }
                (map::svg(&town, &dots, lang))
            }
        }
    };
    page(lang, Some(&staff), &here, title, content).into_response()
}

/// A category's name, or its code if the town no longer has it.
pub fn category_name<'a>(
    town: &'a crate::town::Town,
    code: &'a str,
    lang: super::lang::Lang,
) -> &'a str {
    town.category(code).map_or(code, |c| lang.pick(&c.name))
}

/// A zone's name, or its code.
pub fn zone_name<'a>(town: &'a crate::town::Town, code: &'a str) -> &'a str {
    town.catalogue.zone(code).map_or(code, |z| z.name.as_str())
}

/// The same selection as GeoJSON (a FeatureCollection of points, `[lon, lat]`), for a GIS: each
/// request's reference, category, status, service, zone, dates, supporters and whether it is
/// late, in the reader's language.
#[utoipa::path(
    get,
    path = "/inbox.geojson",
    operation_id = "backoffice_inbox_geojson",
    tag = "back office",
    params(Filters),
    responses(
        (
            status = 200,
            description = "A GeoJSON FeatureCollection (an attachment, `requests.geojson`), with \
                `total`: how many requests the filters select (10,000 at most are exported)",
            body = Object,
            content_type = "application/geo+json",
        ),
        crate::openapi::PageRefusals,
    ),
    security(("session" = [])),
)]
pub async fn geojson<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(filters): Query<Filters>,
) -> Response {
    let lang = staff.lang;
    let Selection {
        town,
        inbox,
        now,
        open,
        ..
    } = match select(&state, &staff, &filters, EXPORT).await {
        Ok(selection) => selection,
        Err(response) => return response,
    };
    let features: Vec<serde_json::Value> = inbox
        .reports
        .iter()
        .map(|r| {
            serde_json::json!({
                "type": "Feature",
                "id": r.id,
                "geometry": {"type": "Point", "coordinates": [r.location.lon, r.location.lat]},
                "properties": {
                    "reference": reference(r.id),
                    "category": r.category,
                    "category_name": category_name(&town, &r.category, lang),
                    "status": r.status.as_str(),
                    "status_name": lang.pair(status_name(r.status)),
                    "service": r.service_code,
                    "service_name": lang.pick(&r.service),
                    "zone": r.zone,
                    "zone_name": zone_name(&town, &r.zone),
                    "created_at": day(r.created_at_ms),
                    "due_at": r.due_at_ms.map(day),
                    "late": r.due_at_ms.is_some_and(|d| d < now) && open.contains(&r.status),
                    "supporters": r.supporters,
                },
            })
        })
        .collect();
    let body = serde_json::json!({
        "type": "FeatureCollection",
        "features": features,
        "total": inbox.total,
    });
    (
        [
            (CONTENT_TYPE, "application/geo+json"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"requests.geojson\"",
            ),
        ],
        body.to_string(),
    )
        .into_response()
}
