//! `POST /v1/{tenant}/devices`: registers a device and hands it its bearer token, once. With an
//! enrolment code from the town's administrator, the device is a field agent of the code's
//! service; otherwise it is a citizen's.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_protocol::{RegisterDevice, Registered};
use tracing::instrument;
use uuid::Uuid;

use crate::clock::now_ms;
use crate::enrolment;
use crate::error::ApiFailure;
use crate::extract::ApiJson;
use crate::router::AppState;
use crate::token::DeviceToken;
use relais_server_database::{Database, NewDevice};

/// Longest `platform` or `app_version` accepted, in characters.
const MAX_LABEL_CHARS: usize = 64;

#[instrument(skip_all, fields(tenant = %tenant))]
pub async fn post<DB: Database>(
    State(state): State<AppState<DB>>,
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
    let token = DeviceToken::generate();
    let device_id = Uuid::now_v7();
    let device = NewDevice {
        id: device_id,
        tenant,
        token: token.hash(),
        platform: body.platform,
        app_version: body.app_version,
        created_at_ms: now_ms(),
    };
    match body.enrolment_code {
        None => state.db.register_device(device).await?,
        Some(code) => {
            if !state
                .db
                .enrol_device(device, enrolment::hash(&code))
                .await?
            {
                return Err(ApiFailure::forbidden(
                    "unknown, used or expired enrolment code",
                ));
            }
            tracing::info!(device.id = %device_id, "agent enrolled");
        }
    }
    tracing::info!(device.id = %device_id, "device registered");
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            staff: None,
            device_id,
            token: token.into_string(),
        }),
    ))
}
