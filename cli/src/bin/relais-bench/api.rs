//! A small typed client of sync v1 (`docs/protocol.md`) for the load generator and the
//! stored-reports curve: many simulated phones share one HTTP/1.1 connection pool, and every
//! failure keeps its HTTP status and error code so that the benchmark can count errors by kind.
//! Bodies are the protocol crate's types, serialized as the phones do; a pull page is read only
//! as far as a load phone needs ([`PageHead`]).

use std::time::Duration;

use relais_protocol::{
    ApiError, Catalogue, Cursor, PushRequest, PushResponse, RegisterDevice, Registered,
};
use reqwest::{RequestBuilder, StatusCode};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use shared::runtime::IDLE_TIMEOUT;

/// The demo town, the tenant `relais-server --demo` seeds.
const TENANT: &str = "demo";

/// What went wrong with one request.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The server answered with an error status (and, usually, a protocol error code).
    #[error("HTTP {status} {code}")]
    Status { status: StatusCode, code: String },
    /// No answer: connection refused or reset, timeout.
    #[error("transport: {0}")]
    Transport(#[source] reqwest::Error),
    /// A 2xx answer whose body is not what the protocol says.
    #[error("unexpected body: {0}")]
    Body(#[source] reqwest::Error),
}

impl CallError {
    /// A short label to count errors by: `503 unavailable`, `timeout`, `connect`, `body`.
    pub fn label(&self) -> String {
        match self {
            Self::Status { status, code } => format!("{} {code}", status.as_u16()),
            Self::Transport(e) if e.is_timeout() => "timeout".into(),
            Self::Transport(e) if e.is_connect() => "connect".into(),
            Self::Transport(_) => "transport".into(),
            Self::Body(_) => "body".into(),
        }
    }
}

/// What a load phone reads of a pull page (`PullResponse`): where the next pull starts, and
/// how many changes came. The changes are read through (the page must be JSON) but not built:
/// building them is a phone's work on its own processor, and here it would take the two cores
/// the server under test runs on.
#[derive(Debug, Deserialize)]
pub struct PageHead {
    #[serde(default)]
    pub reset: bool,
    pub changes: Vec<IgnoredAny>,
    pub cursor: Cursor,
}

/// The protocol client: one connection pool, the server's base URL.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    /// A client of the server at `url` (`http://127.0.0.1:PORT`); a request not answered
    /// within `timeout` fails (`timeout`). The pool keeps every connection it opens, so `n`
    /// concurrent loops reuse `n` connections instead of reopening; it drops an idle one after
    /// a phone's [`IDLE_TIMEOUT`], before the server closes it (else a push sent as the server
    /// closes a connection idle since the previous phase is lost in transit).
    pub fn new(url: &str, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .http1_only()
            .pool_max_idle_per_host(usize::MAX)
            .pool_idle_timeout(IDLE_TIMEOUT)
            .timeout(timeout)
            .build()?;
        Ok(Self {
            http,
            base: url.trim_end_matches('/').to_owned(),
        })
    }

    /// `POST /v1/demo/devices`: a new citizen's device.
    pub async fn register(&self) -> Result<Registered, CallError> {
        let body = RegisterDevice {
            platform: "bench".into(),
            app_version: env!("CARGO_PKG_VERSION").into(),
            enrolment_code: None,
            language: None,
        };
        let url = format!("{}/v1/{TENANT}/devices", self.base);
        call(self.http.post(url).json(&body)).await
    }

    /// `GET /v1/demo/catalogue`.
    pub async fn catalogue(&self, token: &str) -> Result<Catalogue, CallError> {
        let url = format!("{}/v1/{TENANT}/catalogue", self.base);
        call(self.http.get(url).bearer_auth(token)).await
    }

    /// `POST /v1/demo/sync/push`.
    pub async fn push(&self, token: &str, batch: &PushRequest) -> Result<PushResponse, CallError> {
        let url = format!("{}/v1/{TENANT}/sync/push", self.base);
        call(self.http.post(url).bearer_auth(token).json(batch)).await
    }

    /// `GET /v1/demo/sync/pull?cursor=...`: one page of the server's default size.
    pub async fn pull(&self, token: &str, cursor: &Cursor) -> Result<PageHead, CallError> {
        let url = format!("{}/v1/{TENANT}/sync/pull", self.base);
        call(
            self.http
                .get(url)
                .bearer_auth(token)
                .query(&[("cursor", &cursor.0)]),
        )
        .await
    }

    /// `GET /healthz`: the body is not read beyond its end.
    pub async fn healthz(&self) -> Result<(), CallError> {
        let url = format!("{}/healthz", self.base);
        call::<serde_json::Value>(self.http.get(url))
            .await
            .map(drop)
    }
}

/// Sends `request`; a 2xx answer is parsed as `T`, anything else is a [`CallError`].
async fn call<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, CallError> {
    let response = request.send().await.map_err(CallError::Transport)?;
    let status = response.status();
    if status.is_success() {
        return response.json().await.map_err(CallError::Body);
    }
    // Every error body of the protocol is an `ApiError`; name its code.
    let code = match response.json::<ApiError>().await {
        Ok(error) => serde_json::to_value(error.error)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        Err(_) => "(no error body)".into(),
    };
    Err(CallError::Status { status, code })
}
