//! `GET /openapi.json`: the OpenAPI description of the device protocol (docs/openapi.json, built
//! into the binary), so that client generators and API testers read it from the server they
//! talk to. `server/tests/openapi.rs` holds it to the router's routes.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

pub async fn get() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT)
}
