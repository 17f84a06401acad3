//! `GET /openapi.json`: the OpenAPI description of the server's HTTP API ([`crate::openapi`]),
//! so that client generators and API testers read it from the server they talk to.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// This document: the OpenAPI description of the server's HTTP API.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "server",
    responses((status = 200, description = "OpenAPI 3.1", body = Object)),
)]
pub async fn get() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "application/json")],
        crate::openapi::document(),
    )
}
