//! `GET /v1/{tenant}/catalogue`: the categories, groups, zones, routing and reply drafts a device
//! caches for offline use; `304` while it holds the current one. Checked against the stored
//! version on every request, so a change made by an administrator's command shows at once.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use tracing::instrument;

use super::conditional;
use crate::auth::DeviceAuth;
use crate::error::ApiFailure;
use crate::router::AppState;
use relais_server_database::Database;

/// The town's catalogue: categories, questions, zones, services, routing and reply drafts.
#[utoipa::path(
    get,
    path = "/v1/{tenant}/catalogue",
    operation_id = "catalogue",
    tag = "device",
    params(crate::openapi::Town, crate::openapi::Conditional),
    responses(
        (status = 200, description = "The current version, with its `ETag`", body = relais_protocol::Catalogue),
        (status = 304, response = inline(crate::openapi::NotModified)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 404, response = inline(crate::openapi::NotFound)),
    ),
    security(("bearer" = [])),
)]
#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let town = state
        .towns
        .current(&state.db, &device.tenant)
        .await?
        .ok_or_else(|| ApiFailure::unknown_tenant(&device.tenant))?;
    Ok(conditional::json(&headers, town.published_catalogue()))
}
