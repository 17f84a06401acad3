//! [`DeviceAuth`]: the device behind an `Authorization: Bearer <token>` header, within the tenant
//! named by the URL. Anything else is 401 `unauthorized`.

use axum::extract::{FromRequestParts, Path};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::Deserialize;

use crate::error::ApiFailure;
use crate::router::AppState;
use crate::token;
use relais_server_database::{Database, DeviceRecord};

/// An authenticated device of the URL's tenant.
#[derive(Debug)]
pub struct DeviceAuth(pub DeviceRecord);

#[derive(Deserialize)]
struct TenantPath {
    tenant: String,
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
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .ok_or_else(ApiFailure::unauthorized)?;
        // The lookup is scoped by the URL's tenant: another tenant's token is simply unknown.
        let device = state
            .db
            .device(&tenant, token::hash(token.trim()))
            .await?
            .ok_or_else(ApiFailure::unauthorized)?;
        Ok(Self(device))
    }
}
