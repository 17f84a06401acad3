//! `GET /v1/{tenant}/reports/nearby?lat=..&lon=..&category=..`: the open reports of a category
//! around a point, nearest first, that a device offers as "me too" before its citizen files a
//! duplicate. The same grid index and radius as the duplicate flag at filing.

use axum::Json;
use axum::extract::State;
use relais_domain::geo;
use relais_protocol::nearby::MAX_NEARBY;
use relais_protocol::{GeoPoint, NearbyReport, NearbyReports};
use serde::Deserialize;
use tracing::instrument;

use crate::auth::DeviceAuth;
use crate::clock::now_ms;
use crate::error::ApiFailure;
use crate::extract::ApiQuery;
use crate::router::AppState;
use crate::sync::push::DUPLICATE_WINDOW_MS;
use relais_server_database::{Database, NearbyQuery};

/// Where and what: a WGS84 point and a category code.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Around {
    #[param(minimum = -90, maximum = 90)]
    lat: f64,
    #[param(minimum = -180, maximum = 180)]
    lon: f64,
    category: String,
}

/// The open reports of a category near a point, nearest first: what to offer as "me too".
#[utoipa::path(
    get,
    path = "/v1/{tenant}/reports/nearby",
    operation_id = "nearby_reports",
    tag = "device",
    params(crate::openapi::Town, Around),
    responses(
        (status = 200, description = "Within the category's duplicate radius", body = NearbyReports),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 404, response = inline(crate::openapi::NotFound)),
    ),
    security(("bearer" = [])),
)]
#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    ApiQuery(around): ApiQuery<Around>,
) -> Result<Json<NearbyReports>, ApiFailure> {
    let point = GeoPoint {
        lat: around.lat,
        lon: around.lon,
        accuracy_m: None,
    };
    if !relais_domain::ranges::is_point(&point) {
        return Err(ApiFailure::malformed(
            "lat and lon must be WGS84 coordinates",
        ));
    }
    let town = state
        .towns
        .get(&state.db, &device.tenant)
        .await?
        .ok_or_else(|| ApiFailure::unknown_tenant(&device.tenant))?;
    let category = town
        .category(&around.category)
        .ok_or_else(ApiFailure::not_found)?;
    let radius_m = category
        .duplicate_radius_m
        .unwrap_or(town.settings().duplicate_radius_m);
    let query = NearbyQuery {
        category: around.category.clone(),
        cells: geo::cells_within(point.lat, point.lon, f64::from(radius_m)),
        since_ms: now_ms() - DUPLICATE_WINDOW_MS,
    };
    let mut found: Vec<(f64, uuid::Uuid)> = state
        .db
        .nearby(&device.tenant, query)
        .await?
        .into_iter()
        .map(|r| (geo::distance_m(point.lat, point.lon, r.lat, r.lon), r.id))
        .filter(|(distance, _)| *distance <= f64::from(radius_m))
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found.truncate(MAX_NEARBY);
    let reports = state
        .db
        .public_reports(&device.tenant, found.iter().map(|(_, id)| *id).collect())
        .await?;
    let reports = found
        .iter()
        .filter_map(|(distance, id)| {
            let report = reports.iter().find(|r| r.id == *id)?.clone();
            Some(NearbyReport {
                report,
                distance_m: (distance * 10.0).round() / 10.0,
            })
        })
        .collect();
    Ok(Json(NearbyReports { radius_m, reports }))
}
