//! `GET /v1/{tenant}/directory`: the town's public services, with rating summaries where enough
//! citizens rated them. Devices cache it to rate services offline; `304` while it holds the
//! current one.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use tracing::instrument;

use super::conditional;
use crate::auth::DeviceAuth;
use crate::error::ApiFailure;
use crate::router::AppState;
use relais_server_database::Database;

/// The directory of public services, with the ratings of those rated by enough citizens.
#[utoipa::path(
    get,
    path = "/v1/{tenant}/directory",
    operation_id = "directory",
    tag = "device",
    params(crate::openapi::Town, crate::openapi::Conditional),
    responses(
        (status = 200, description = "The current version, with its `ETag`", body = relais_protocol::Directory),
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
    let directory = state
        .directories
        .current(&state.db, &device.tenant)
        .await?
        .ok_or_else(|| ApiFailure::unknown_tenant(&device.tenant))?;
    Ok(conditional::json(&headers, &directory))
}
