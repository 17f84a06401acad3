//! Request extractors whose rejections are [`ApiFailure`]s (our JSON body, our codes) instead of
//! axum's plain-text ones: [`ApiJson`] for bodies, [`ApiQuery`] for query strings.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiFailure;

/// A JSON body: 400 `malformed_request` when it does not parse into `T`, 413 `body_too_large`
/// beyond the router's body limit.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_failure(&rejection)),
        }
    }
}

fn json_failure(rejection: &JsonRejection) -> ApiFailure {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiFailure::body_too_large()
    } else {
        ApiFailure::malformed(rejection.body_text())
    }
}

/// A query string: 400 `malformed_request` when it does not parse into `T`.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection| ApiFailure::malformed(rejection.body_text()))
    }
}
