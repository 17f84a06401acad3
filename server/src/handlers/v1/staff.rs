//! The staff API: `POST /v1/staff/login` and `/v1/staff/logout`; for a staff member of the
//! URL's town (web session or staff device), `GET /v1/{tenant}/staff/reports/{id}` (the report
//! as staff see it), `POST /v1/{tenant}/staff/reports/{id}/actions` (a workflow action, decided
//! by [`crate::staff::workflow`] as a staff device's push would be) and
//! `POST /v1/{tenant}/staff/alerts`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use relais_protocol::Task;
use relais_protocol::staff::{ActionRequest, AlertRequest, Login, Session};
use serde::Deserialize;
use serde_json::json;
use tracing::instrument;
use uuid::Uuid;

use crate::auth::{SessionAuth, StaffAuth};
use crate::clock::now_ms;
use crate::error::ApiFailure;
use crate::extract::ApiJson;
use crate::reasons;
use crate::router::AppState;
use crate::staff::access::may_work_in;
use crate::staff::act::{self, ActError};
use crate::staff::sessions::{self, LoginFailure};
use crate::staff::workflow;
use relais_server_database::Database;

#[instrument(skip_all, fields(tenant = ?login.tenant))]
pub async fn login<DB: Database>(
    State(state): State<AppState<DB>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ApiJson(login): ApiJson<Login>,
) -> Result<Json<Session>, ApiFailure> {
    match sessions::login(&state.db, &state.limits, client.ip(), login).await {
        Ok(session) => Ok(Json(session)),
        Err(LoginFailure::Refused) => Err(ApiFailure::unauthorized_because(
            "wrong e-mail address or password",
        )),
        Err(LoginFailure::TooMany(wait)) => Err(ApiFailure::too_many(wait)),
        Err(LoginFailure::Db(error)) => Err(error.into()),
    }
}

pub async fn logout<DB: Database>(
    State(state): State<AppState<DB>>,
    SessionAuth(member, token): SessionAuth,
) -> Result<StatusCode, ApiFailure> {
    state.db.end_session(token, now_ms()).await?;
    tracing::info!(staff.id = %member.id, "staff logged out");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct ReportPath {
    tenant: String,
    id: Uuid,
}

#[instrument(skip_all, fields(tenant = %path.tenant))]
pub async fn report<DB: Database>(
    State(state): State<AppState<DB>>,
    StaffAuth(actor): StaffAuth,
    Path(path): Path<ReportPath>,
) -> Result<Json<Task>, ApiFailure> {
    let town = state
        .towns
        .get(&state.db, &path.tenant)
        .await?
        .ok_or_else(|| ApiFailure::unknown_tenant(&path.tenant))?;
    let task = state
        .db
        .task(&path.tenant, path.id)
        .await?
        .ok_or_else(|| ApiFailure::refused(reasons::report_not_found()))?;
    let report = &task.report;
    let service = report.service_code.as_deref().unwrap_or_default();
    if !may_work_in(&actor.member, &town, &path.tenant, service, &report.zone) {
        return Err(ApiFailure::refused(reasons::staff::not_permitted()));
    }
    Ok(Json(task))
}

#[instrument(skip_all, fields(tenant = %path.tenant, action = request.action.kind()))]
pub async fn action<DB: Database>(
    State(state): State<AppState<DB>>,
    StaffAuth(actor): StaffAuth,
    Path(path): Path<ReportPath>,
    ApiJson(request): ApiJson<ActionRequest>,
) -> Result<Json<Task>, ApiFailure> {
    let decided = act::act(
        &state.db,
        &state.towns,
        &actor,
        &path.tenant,
        workflow::ActionRequest {
            report_id: path.id,
            base_version: request.base_version,
            action: request.action,
            reply: request.reply,
            note: request.note,
            legacy: false,
        },
    )
    .await
    .map_err(act_failure)?;
    decided.map_err(ApiFailure::refused)?;
    state
        .db
        .task(&path.tenant, path.id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiFailure::refused(reasons::report_not_found()))
}

#[instrument(skip_all, fields(tenant = %tenant))]
pub async fn alert<DB: Database>(
    State(state): State<AppState<DB>>,
    StaffAuth(actor): StaffAuth,
    Path(tenant): Path<String>,
    ApiJson(alert): ApiJson<AlertRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiFailure> {
    let request = act::AlertRequest {
        zones: alert.zones,
        title: alert.title,
        text: alert.text,
        starts_at_ms: alert.starts_at_ms,
        ends_at_ms: alert.ends_at_ms,
    };
    let id = act::publish_alert(
        &state.db,
        &state.towns,
        Some(&actor.member),
        &tenant,
        request,
    )
    .await
    .map_err(act_failure)?
    .map_err(ApiFailure::refused)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

fn act_failure(error: ActError) -> ApiFailure {
    match error {
        ActError::UnknownTenant => ApiFailure::not_found(),
        ActError::Db(error) => error.into(),
    }
}
