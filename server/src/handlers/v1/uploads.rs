//! `GET` and `PATCH /v1/{tenant}/uploads/{sha256}`: resumable, content-addressed photo uploads,
//! the HTTP side of [`crate::photos`]. The chunk travels as the raw body with its place, the
//! photo's size and its checksum in headers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use relais_protocol::ErrorCode;
use relais_protocol::upload::{
    MAX_CHUNK_BYTES, UPLOAD_CHECKSUM, UPLOAD_LENGTH, UPLOAD_OFFSET, UploadStatus,
    is_content_address,
};
use serde::Deserialize;
use tracing::instrument;

use crate::auth::DeviceAuth;
use crate::error::ApiFailure;
use crate::photos::Chunk;
use crate::router::AppState;
use relais_server_database::Database;

#[derive(Debug, Deserialize)]
pub struct UploadPath {
    sha256: String,
}

impl UploadPath {
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

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

#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn patch<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    Path(UploadPath { sha256 }): Path<UploadPath>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<UploadStatus>, ApiFailure> {
    check_name(&sha256)?;
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiFailure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BodyTooLarge,
                format!("a chunk is at most {MAX_CHUNK_BYTES} bytes"),
            )
        } else {
            ApiFailure::malformed(rejection.body_text())
        }
    })?;
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
