//! `/v1/{tenant}/account`: the citizen's optional account (`PUT`, `GET`, `POST .../link`), and
//! self-service export (`GET .../export`) and deletion (`DELETE`). Link codes are tried within
//! the client's code limit (`crate::limits`). See
//! [`relais_protocol::account`] and [`crate::account`].

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use relais_protocol::ErrorCode;
use relais_protocol::account::{Account, AccountDetails, Export, LinkAccount};
use tracing::instrument;

use crate::account::{self, LinkCode};
use crate::auth::DeviceAuth;
use crate::clock::now_ms;
use crate::error::ApiFailure;
use crate::extract::ApiJson;
use crate::router::AppState;
use relais_server_database::{AccountRecord, Database, LinkOutcome};

#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn put<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    ApiJson(details): ApiJson<AccountDetails>,
) -> Result<Json<Account>, ApiFailure> {
    let details =
        account::validate(details).map_err(|error| ApiFailure::malformed(error.to_string()))?;
    let code = LinkCode::generate();
    let record = state
        .db
        .save_account(&device, details, code.hash(), now_ms())
        .await?;
    tracing::info!(account.id = %record.id, "account saved");
    Ok(Json(shown(record, code.into_string())))
}

#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn link<DB: Database>(
    State(state): State<AppState<DB>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    DeviceAuth(device): DeviceAuth,
    ApiJson(body): ApiJson<LinkAccount>,
) -> Result<Json<Account>, ApiFailure> {
    if let Err(wait) = state.registrations.try_code(client.ip()) {
        tracing::warn!(client = %client.ip(), "link code refused: over the limit");
        return Err(ApiFailure::too_many(wait));
    }
    let next = LinkCode::generate();
    match state
        .db
        .link_account(&device, account::hash(&body.code), next.hash())
        .await?
    {
        LinkOutcome::Linked(record) => {
            tracing::info!(account.id = %record.id, "device linked");
            Ok(Json(shown(record, next.into_string())))
        }
        LinkOutcome::UnknownCode => {
            tracing::warn!(client = %client.ip(), "unknown link code");
            Err(ApiFailure::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "no account holds this link code",
            ))
        }
        LinkOutcome::OtherAccount => Err(ApiFailure::forbidden(
            "this device belongs to another account; delete it first",
        )),
    }
}

/// The account, without its link code: only its hash is stored (`PUT` shows a new one).
#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
) -> Result<Json<Account>, ApiFailure> {
    state
        .db
        .account(&device)
        .await?
        .map(|record| Json(shown(record, String::new())))
        .ok_or_else(|| {
            ApiFailure::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "this device has no account",
            )
        })
}

#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn export<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
) -> Result<Json<Export>, ApiFailure> {
    Ok(Json(state.db.export(&device, now_ms()).await?))
}

#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn delete<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
) -> Result<StatusCode, ApiFailure> {
    let partials = state.db.delete_identity(&device, now_ms()).await?;
    tracing::info!(uploads.dropped = partials.len(), "identity deleted");
    // The rows are gone: a leftover file is only disk space, never served.
    if let Err(error) = state
        .photos
        .forget_partials(&state.db, &device.tenant, partials)
        .await
    {
        tracing::warn!(%error, "could not remove the partial uploads of a deleted identity");
    }
    Ok(StatusCode::NO_CONTENT)
}

fn shown(record: AccountRecord, link_code: String) -> Account {
    Account {
        id: record.id,
        details: record.details,
        link_code,
        devices: record.devices,
    }
}
