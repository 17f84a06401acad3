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
use relais_protocol::staff::{ActionRequest, AlertPublished, AlertRequest, Login, Session};
use serde::Deserialize;
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

/// A staff member logs in (limited per client and per account).
#[utoipa::path(
    post,
    path = "/v1/staff/login",
    operation_id = "staff_login",
    tag = "staff",
    request_body = Login,
    responses(
        (status = 200, description = "A session; its token is shown once", body = Session),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 413, response = inline(crate::openapi::TooLarge)),
        (status = 429, response = inline(crate::openapi::TooMany)),
    ),
)]
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

/// End the session of the bearer token.
#[utoipa::path(
    post,
    path = "/v1/staff/logout",
    operation_id = "staff_logout",
    tag = "staff",
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
    ),
    security(("bearer" = [])),
)]
pub async fn logout<DB: Database>(
    State(state): State<AppState<DB>>,
    SessionAuth(member, token): SessionAuth,
) -> Result<StatusCode, ApiFailure> {
    state.db.end_session(token, now_ms()).await?;
    tracing::info!(staff.id = %member.id, "staff logged out");
    Ok(StatusCode::NO_CONTENT)
}

/// A report of a town.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ReportPath {
    /// The town's code.
    tenant: String,
    /// The report's id.
    id: Uuid,
}

/// A report as its service's staff see it: answers, thread, notes, assignee and log.
#[utoipa::path(
    get,
    path = "/v1/{tenant}/staff/reports/{id}",
    operation_id = "staff_report",
    tag = "staff",
    params(ReportPath),
    responses(
        (status = 200, description = "The report", body = Task),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 403, response = inline(crate::openapi::Forbidden)),
        (status = 404, response = inline(crate::openapi::NotFound)),
    ),
    security(("bearer" = [])),
)]
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

/// A workflow action on a report, decided by the rules a staff device's push meets.
#[utoipa::path(
    post,
    path = "/v1/{tenant}/staff/reports/{id}/actions",
    operation_id = "staff_action",
    tag = "staff",
    params(ReportPath),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "Done: the report as it now stands", body = Task),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 403, response = inline(crate::openapi::Forbidden)),
        (status = 404, response = inline(crate::openapi::NotFound)),
        (status = 409, response = inline(crate::openapi::Conflict)),
        (status = 413, response = inline(crate::openapi::TooLarge)),
        (status = 422, response = inline(crate::openapi::Refused)),
    ),
    security(("bearer" = [])),
)]
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

/// Publish a dated notice for some of the town's zones.
#[utoipa::path(
    post,
    path = "/v1/{tenant}/staff/alerts",
    operation_id = "staff_alert",
    tag = "staff",
    params(crate::openapi::Town),
    request_body = AlertRequest,
    responses(
        (status = 201, description = "Published", body = AlertPublished),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 403, response = inline(crate::openapi::Forbidden)),
        (status = 404, response = inline(crate::openapi::NotFound)),
        (status = 413, response = inline(crate::openapi::TooLarge)),
        (status = 422, response = inline(crate::openapi::Refused)),
    ),
    security(("bearer" = [])),
)]
#[instrument(skip_all, fields(tenant = %tenant))]
pub async fn alert<DB: Database>(
    State(state): State<AppState<DB>>,
    StaffAuth(actor): StaffAuth,
    Path(tenant): Path<String>,
    ApiJson(alert): ApiJson<AlertRequest>,
) -> Result<(StatusCode, Json<AlertPublished>), ApiFailure> {
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
    Ok((StatusCode::CREATED, Json(AlertPublished { id })))
}

fn act_failure(error: ActError) -> ApiFailure {
    match error {
        ActError::UnknownTenant => ApiFailure::not_found(),
        ActError::Db(error) => error.into(),
    }
}
