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

/// Create or update the citizen's account; the answer shows a new link code.
#[utoipa::path(
    put,
    path = "/v1/{tenant}/account",
    operation_id = "save_account",
    tag = "account",
    params(crate::openapi::Town),
    request_body = AccountDetails,
    responses(
        (status = 200, description = "Saved", body = Account),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 413, response = inline(crate::openapi::TooLarge)),
    ),
    security(("bearer" = [])),
)]
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

/// Join the account of another of the citizen's devices with its link code.
#[utoipa::path(
    post,
    path = "/v1/{tenant}/account/link",
    operation_id = "link_account",
    tag = "account",
    params(crate::openapi::Town),
    request_body = LinkAccount,
    responses(
        (status = 200, description = "Linked; the answer shows a new link code", body = Account),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 403, response = inline(crate::openapi::Forbidden)),
        (status = 404, response = inline(crate::openapi::NotFound)),
        (status = 413, response = inline(crate::openapi::TooLarge)),
        (status = 429, response = inline(crate::openapi::TooMany)),
    ),
    security(("bearer" = [])),
)]
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
#[utoipa::path(
    get,
    path = "/v1/{tenant}/account",
    operation_id = "account",
    tag = "account",
    params(crate::openapi::Town),
    responses(
        (status = 200, description = "The account, its link code empty", body = Account),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 404, response = inline(crate::openapi::NotFound)),
    ),
    security(("bearer" = [])),
)]
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

/// Everything the server holds about the caller (GDPR).
#[utoipa::path(
    get,
    path = "/v1/{tenant}/account/export",
    operation_id = "export_account",
    tag = "account",
    params(crate::openapi::Town),
    responses(
        (status = 200, description = "The account, its devices, reports, notes, supports and ratings", body = Export),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
    ),
    security(("bearer" = [])),
)]
#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn export<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
) -> Result<Json<Export>, ApiFailure> {
    Ok(Json(state.db.export(&device, now_ms()).await?))
}

/// Delete the account and the identity of its devices (or of this device); reports stay,
/// anonymised.
#[utoipa::path(
    delete,
    path = "/v1/{tenant}/account",
    operation_id = "delete_account",
    tag = "account",
    params(crate::openapi::Town),
    responses(
        (status = 204, description = "Deleted: the token no longer works"),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
    ),
    security(("bearer" = [])),
)]
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
