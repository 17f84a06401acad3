//! `GET /v1/{tenant}/photos/{sha256}`: a photo, for the device that uploaded it and, once a
//! report of the tenant lists it, for every device of the tenant. Anything else is `404`,
//! whether or not the photo exists: nothing is revealed across tenants.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use relais_protocol::ErrorCode;
use relais_protocol::upload::is_content_address;
use tracing::instrument;

use crate::auth::DeviceAuth;
use crate::error::ApiFailure;
use crate::router::AppState;
use relais_server_database::Database;

use super::uploads::UploadPath;

/// A photo of the town's reports, or one this device uploaded.
#[utoipa::path(
    get,
    path = "/v1/{tenant}/photos/{sha256}",
    operation_id = "photo",
    tag = "device",
    params(crate::openapi::Town, UploadPath),
    responses(
        (status = 200, description = "The JPEG", body = Vec<u8>, content_type = "image/jpeg"),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 404, response = inline(crate::openapi::NotFound)),
    ),
    security(("bearer" = [])),
)]
#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    Path(path): Path<UploadPath>,
) -> Result<impl IntoResponse, ApiFailure> {
    let sha256 = path.sha256();
    let not_found = || {
        ApiFailure::new(
            axum::http::StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no such photo",
        )
    };
    if !is_content_address(sha256) {
        return Err(not_found());
    }
    let bytes = state
        .photos
        .read(&state.db, &device, sha256)
        .await?
        .ok_or_else(not_found)?;
    Ok((
        [
            (CONTENT_TYPE, "image/jpeg"),
            // Content-addressed: the bytes behind a name never change.
            (CACHE_CONTROL, "private, max-age=31536000, immutable"),
        ],
        bytes,
    ))
}
