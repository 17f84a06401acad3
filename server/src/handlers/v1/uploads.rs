//! `GET` and `PATCH /v1/{tenant}/uploads/{sha256}`: resumable, content-addressed photo uploads,
//! the HTTP side of [`crate::photos`]. The chunk travels as the raw body with its place, the
//! photo's size and its checksum in headers. `POST /v1/{tenant}/uploads`: several small photos
//! whole in one body, their names and sizes in a header.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use relais_protocol::ErrorCode;
use relais_protocol::upload::{
    BundleAnswer, MAX_CHUNK_BYTES, UPLOAD_CHECKSUM, UPLOAD_LENGTH, UPLOAD_OFFSET, UPLOAD_PHOTOS,
    UploadStatus, is_content_address, locate_bundle, parse_bundle,
};
use serde::Deserialize;
use tracing::instrument;

use crate::auth::DeviceAuth;
use crate::error::ApiFailure;
use crate::photos::Chunk;
use crate::router::AppState;
use relais_server_database::Database;

/// A photo, by name.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UploadPath {
    /// The photo's SHA-256, 64 lowercase hex digits.
    #[param(pattern = "^[0-9a-f]{64}$")]
    sha256: String,
}

impl UploadPath {
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// How much of a photo the server holds.
#[utoipa::path(
    get,
    path = "/v1/{tenant}/uploads/{sha256}",
    operation_id = "upload_status",
    tag = "device",
    params(crate::openapi::Town, UploadPath),
    responses(
        (status = 200, description = "Bytes held, and whether the photo is whole", body = UploadStatus),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
    ),
    security(("bearer" = [])),
)]
#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    Path(UploadPath { sha256 }): Path<UploadPath>,
) -> Result<Json<UploadStatus>, ApiFailure> {
    check_name(&sha256)?;
    let status = state
        .photos
        .status(&state.db, &device.tenant, &sha256)
        .await?;
    Ok(Json(status))
}

/// Send a chunk of a photo at an offset.
#[utoipa::path(
    patch,
    path = "/v1/{tenant}/uploads/{sha256}",
    operation_id = "upload_chunk",
    tag = "device",
    params(
        crate::openapi::Town,
        UploadPath,
        ("Upload-Offset" = u64, Header, description = "Where this chunk starts in the photo"),
        ("Upload-Length" = u64, Header, description = "The whole photo's size in bytes"),
        ("Upload-Checksum" = String, Header, description = "`sha256 <hex digest of this chunk>`"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Kept; the photo is checked once whole", body = UploadStatus),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 409, response = inline(crate::openapi::Conflict)),
        (status = 413, response = inline(crate::openapi::TooLarge)),
        (status = 415, description = "Not a JPEG the server stores", body = relais_protocol::ApiError),
        (status = 422, description = "The whole photo's bytes do not match its name", body = relais_protocol::ApiError),
    ),
    security(("bearer" = [])),
)]
#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn patch<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    Path(UploadPath { sha256 }): Path<UploadPath>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<UploadStatus>, ApiFailure> {
    check_name(&sha256)?;
    let bytes = raw_body(body)?;
    let chunk = Chunk {
        offset: number(&headers, UPLOAD_OFFSET)?,
        length: number(&headers, UPLOAD_LENGTH)?,
        checksum: checksum(&headers)?,
        bytes,
    };
    let status = state
        .photos
        .patch(&state.db, &device, &sha256, chunk)
        .await?;
    Ok(Json(status))
}

/// Send several small photos whole in one request.
#[utoipa::path(
    post,
    path = "/v1/{tenant}/uploads",
    operation_id = "upload_bundle",
    tag = "device",
    params(
        crate::openapi::Town,
        ("Upload-Photos" = String, Header, description = "`<sha256>:<length>` of each photo in the body, in order, comma-separated"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Each photo stored or refused, in order", body = BundleAnswer),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 413, response = inline(crate::openapi::TooLarge)),
    ),
    security(("bearer" = [])),
)]
#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn bundle<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<BundleAnswer>, ApiFailure> {
    let listed = parse_bundle(header(&headers, UPLOAD_PHOTOS)?).map_err(ApiFailure::malformed)?;
    let bytes = raw_body(body)?;
    let photos = locate_bundle(listed, bytes.len())
        .map_err(ApiFailure::malformed)?
        .into_iter()
        .map(|(sha256, range)| (sha256, bytes.slice(range)))
        .collect();
    let photos = state.photos.bundle(&state.db, &device, photos).await?;
    Ok(Json(BundleAnswer { photos }))
}

/// An upload's raw body, within [`MAX_CHUNK_BYTES`].
fn raw_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiFailure> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiFailure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BodyTooLarge,
                format!("an upload's body is at most {MAX_CHUNK_BYTES} bytes"),
            )
        } else {
            ApiFailure::malformed(rejection.body_text())
        }
    })
}

fn check_name(sha256: &str) -> Result<(), ApiFailure> {
    if is_content_address(sha256) {
        Ok(())
    } else {
        Err(ApiFailure::malformed(
            "a photo is named by the lowercase hex SHA-256 of its bytes",
        ))
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Result<&'h str, ApiFailure> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .ok_or_else(|| ApiFailure::malformed(format!("missing header {name}")))
}

fn number(headers: &HeaderMap, name: &str) -> Result<u64, ApiFailure> {
    header(headers, name)?
        .parse()
        .map_err(|_| ApiFailure::malformed(format!("{name} is not a byte count")))
}

/// `sha256 <64 hex digits>`.
fn checksum(headers: &HeaderMap) -> Result<[u8; 32], ApiFailure> {
    let value = header(headers, UPLOAD_CHECKSUM)?;
    let digest = value
        .split_once(' ')
        .filter(|(algorithm, _)| algorithm.eq_ignore_ascii_case("sha256"))
        .and_then(|(_, hex)| <[u8; 32]>::try_from(hex::decode(hex.trim()).ok()?).ok());
    digest.ok_or_else(|| {
        ApiFailure::malformed(format!("{UPLOAD_CHECKSUM} must be \"sha256 <hex digest>\""))
    })
}
