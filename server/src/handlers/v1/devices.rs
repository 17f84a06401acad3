//! `POST /v1/{tenant}/devices`: registers a device and hands it its bearer token, once. With an
//! enrolment code from the town's administrator, the device is a staff member's (the code's
//! account), and acts with their role; otherwise it is a citizen's. Registrations are limited
//! per client address and per town, code attempts per client address (`429`, `Retry-After`).

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use relais_protocol::{RegisterDevice, Registered};
use tracing::instrument;
use uuid::Uuid;

use crate::clock::now_ms;
use crate::enrolment;
use crate::error::ApiFailure;
use crate::extract::ApiJson;
use crate::router::AppState;
use crate::token::BearerToken;
use relais_server_database::{Database, NewDevice};

/// Longest `platform` or `app_version` accepted, in characters.
const MAX_LABEL_CHARS: usize = 64;

/// Register a device: a citizen's, or a staff member's with an enrolment code.
#[utoipa::path(
    post,
    path = "/v1/{tenant}/devices",
    operation_id = "register_device",
    tag = "device",
    params(crate::openapi::Town),
    request_body = RegisterDevice,
    responses(
        (status = 201, description = "Registered; the token is shown once", body = Registered),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 403, response = inline(crate::openapi::Forbidden)),
        (status = 404, response = inline(crate::openapi::NotFound)),
        (status = 413, response = inline(crate::openapi::TooLarge)),
        (status = 429, response = inline(crate::openapi::TooMany)),
    ),
)]
#[instrument(skip_all, fields(tenant = %tenant))]
pub async fn post<DB: Database>(
    State(state): State<AppState<DB>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(tenant): Path<String>,
    ApiJson(body): ApiJson<RegisterDevice>,
) -> Result<(StatusCode, Json<Registered>), ApiFailure> {
    for (field, value) in [
        ("platform", &body.platform),
        ("app_version", &body.app_version),
    ] {
        if value.chars().count() > MAX_LABEL_CHARS {
            return Err(ApiFailure::malformed(format!(
                "{field} is longer than {MAX_LABEL_CHARS} characters"
            )));
        }
    }
    if state.db.tenant(&tenant).await?.is_none() {
        return Err(ApiFailure::unknown_tenant(&tenant));
    }
    let limited = match body.enrolment_code {
        Some(_) => state.registrations.try_code(client.ip()),
        None => Ok(()),
    }
    .and_then(|()| state.registrations.register(client.ip(), &tenant));
    if let Err(wait) = limited {
        tracing::warn!(client = %client.ip(), "registration refused: over the limit");
        return Err(ApiFailure::too_many(wait));
    }
    let token = BearerToken::device();
    let device_id = Uuid::now_v7();
    let device = NewDevice {
        id: device_id,
        tenant,
        token: token.hash(),
        platform: body.platform,
        app_version: body.app_version,
        language: body.language.filter(|l| matches!(l.as_str(), "fr" | "en")),
        created_at_ms: now_ms(),
    };
    let staff = match body.enrolment_code {
        None => {
            state.db.register_device(device).await?;
            None
        }
        Some(code) => {
            let Some(member) = state
                .db
                .enrol_device(device, enrolment::hash(&code))
                .await?
            else {
                tracing::warn!(client = %client.ip(), "unknown enrolment code");
                return Err(ApiFailure::forbidden(
                    "unknown, used, expired or revoked enrolment code",
                ));
            };
            tracing::info!(device.id = %device_id, staff.id = %member.id, "staff device enrolled");
            Some(member.profile)
        }
    };
    tracing::info!(device.id = %device_id, "device registered");
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            device_id,
            token: token.into_string(),
            staff,
        }),
    ))
}
