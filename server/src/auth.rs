//! Who is calling, from the `Authorization: Bearer <token>` header: [`DeviceAuth`], a device of
//! the tenant named by the URL; [`StaffAuth`], a staff member of that tenant, through a web
//! session or their staff device; [`SessionAuth`], any live staff session (the server's
//! operators have no tenant). A missing or unknown token is 401 `unauthorized`; a known caller
//! who is not staff of the URL's town is 403 `forbidden`.

use axum::extract::{FromRequestParts, Path};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::Deserialize;

use crate::error::ApiFailure;
use crate::router::AppState;
use crate::staff::sessions;
use crate::staff::{Channel, StaffActor};
use crate::token;
use relais_server_database::{Database, DeviceRecord, StaffMember, TokenHash};

/// An authenticated device of the URL's tenant.
#[derive(Debug)]
pub struct DeviceAuth(pub DeviceRecord);

#[derive(Deserialize)]
struct TenantPath {
    tenant: String,
}

/// The bearer token of a request, trimmed.
fn bearer(parts: &Parts) -> Result<&str, ApiFailure> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(ApiFailure::unauthorized)
}

/// A staff member of the URL's tenant acting, and through what (session or device).
#[derive(Debug)]
pub struct StaffAuth(pub StaffActor);

/// The staff member of a live web session, whatever the URL (log out, operators).
#[derive(Debug)]
pub struct SessionAuth(pub StaffMember, pub TokenHash);

impl<DB: Database> FromRequestParts<AppState<DB>> for SessionAuth {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<DB>,
    ) -> Result<Self, Self::Rejection> {
        let hash = token::hash(bearer(parts)?);
        sessions::member(&state.db, hash)
            .await?
            .map(|member| Self(member, hash))
            .ok_or_else(ApiFailure::unauthorized)
    }
}

impl<DB: Database> FromRequestParts<AppState<DB>> for StaffAuth {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<DB>,
    ) -> Result<Self, Self::Rejection> {
        let Path(TenantPath { tenant }) = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiFailure::not_found())?;
        let token = bearer(parts)?;
        let hash = token::hash(token);
        let actor = if token.starts_with("rss_") {
            let member = sessions::member(&state.db, hash)
                .await?
                .ok_or_else(ApiFailure::unauthorized)?;
            StaffActor {
                member,
                channel: Channel::Web,
            }
        } else {
            let device = state
                .db
                .device(&tenant, hash)
                .await?
                .ok_or_else(ApiFailure::unauthorized)?;
            let member = device
                .staff
                .ok_or_else(|| ApiFailure::forbidden("this device is not a staff member's"))?;
            StaffActor {
                member,
                channel: Channel::Device(device.id),
            }
        };
        if actor.member.tenant.as_deref() != Some(tenant.as_str()) {
            return Err(ApiFailure::forbidden("not a staff member of this town"));
        }
        Ok(Self(actor))
    }
}

impl<DB: Database> FromRequestParts<AppState<DB>> for DeviceAuth {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<DB>,
    ) -> Result<Self, Self::Rejection> {
        let Path(TenantPath { tenant }) = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiFailure::not_found())?;
        let token = bearer(parts)?;
        // The lookup is scoped by the URL's tenant: another tenant's token is simply unknown.
        let device = state
            .db
            .device(&tenant, token::hash(token))
            .await?
            .ok_or_else(ApiFailure::unauthorized)?;
        Ok(Self(device))
    }
}
