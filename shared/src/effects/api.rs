//! The Relais server API as seen from the core: one function per endpoint, each building an HTTP
//! command whose failures are classified into [`ApiFailure`], the few cases the sync engine
//! treats differently.

use crux_core::command::RequestBuilder;
use crux_http::{HttpError, command::Http};
use std::io::Write;

use relais_protocol::{
    ApiError, Catalogue, Cursor, Directory, ErrorCode, NearbyReports, PullResponse, PushRequest,
    PushResponse, RegisterDevice, Registered,
};
use relais_protocol::{
    account::{Account, AccountDetails, LinkAccount},
    upload::{self, BundleAnswer, UploadStatus},
};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::Effect;
use crate::model::{Event, Registration};

/// Why a call to the server did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiFailure {
    /// The server could not be reached (no network, refused, timed out, or a gateway said so).
    Unreachable(String),
    /// The server does not know this device's token any more.
    Unauthorized,
    /// No such town on this server.
    UnknownTenant,
    /// The server does not have this resource (or this endpoint: an older server).
    NotFound,
    /// An upload chunk did not start where the server's copy ends.
    OffsetMismatch { expected_offset: u64 },
    /// The server expects the device's queue to start at another sequence number.
    Resequence { expected_seq: u64 },
    /// The server could not read the request's body (an older server and a compressed body).
    BodyRefused(String),
    /// The server was reached but failed (5xx).
    Server(u16),
    /// The server answered something this build does not understand.
    Protocol(String),
}

type ApiResult<T> = Result<T, ApiFailure>;

/// A resource fetched with the `ETag` of the copy the device holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched<T> {
    /// `304 Not Modified`: the device's copy is current.
    Unchanged,
    /// A new copy, with its tag.
    Changed { value: T, etag: Option<String> },
}

/// Pages asked of the pull endpoint.
pub const PULL_PAGE: u32 = 500;

fn url(server: &str, tenant: &str, path: &str) -> String {
    format!("{}/v1/{tenant}/{path}", server.trim_end_matches('/'))
}

fn bearer(registration: &Registration) -> String {
    format!("Bearer {}", registration.token)
}

/// `POST /v1/{tenant}/devices`
pub fn register(
    server: &str,
    tenant: &str,
    body: &RegisterDevice,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<Registered>> + use<>> {
    let request = Http::<Effect, Event>::post(url(server, tenant, "devices"));
    send_json(request.body_json(body))
}

/// `GET /v1/{tenant}/catalogue`, unless it is the one tagged `etag`.
pub fn catalogue(
    registration: &Registration,
    etag: Option<&str>,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<Fetched<Catalogue>>> + use<>> {
    fetch_cached(registration, "catalogue", etag)
}

/// `GET /v1/{tenant}/directory`, unless it is the one tagged `etag`.
pub fn directory(
    registration: &Registration,
    etag: Option<&str>,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<Fetched<Directory>>> + use<>> {
    fetch_cached(registration, "directory", etag)
}

/// A `GET` with `If-None-Match`: `304` means the device's copy is current.
fn fetch_cached<T: DeserializeOwned + Send + 'static>(
    registration: &Registration,
    path: &str,
    etag: Option<&str>,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<Fetched<T>>> + use<T>> {
    let mut request =
        Http::<Effect, Event>::get(url(&registration.server_url, &registration.tenant, path))
            .header("authorization", bearer(registration));
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let request = request.build();
    let path = path.to_owned();
    RequestBuilder::new(move |ctx| async move {
        let mut response = request.into_future(ctx).await.map_err(classify)?;
        if response.status() == 304 {
            return Ok(Fetched::Unchanged);
        }
        let etag = response
            .header("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.take_body().unwrap_or_default();
        serde_json::from_slice(&body)
            .map(|value| Fetched::Changed { value, etag })
            .map_err(|e| ApiFailure::Protocol(format!("{path}: {e}")))
    })
}

/// The nearby endpoint's query string.
#[derive(serde::Serialize)]
struct NearbyQuery<'a> {
    lat: f64,
    lon: f64,
    category: &'a str,
}

/// `GET /v1/{tenant}/reports/nearby?lat=..&lon=..&category=..`
pub fn nearby(
    registration: &Registration,
    category: &str,
    lat: f64,
    lon: f64,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<NearbyReports>> + use<>> {
    let request = Http::<Effect, Event>::get(url(
        &registration.server_url,
        &registration.tenant,
        "reports/nearby",
    ))
    .header("authorization", bearer(registration))
    .query(&NearbyQuery { lat, lon, category });
    send_json(request)
}

/// `GET /v1/{tenant}/uploads/{sha256}`: how much of a photo the server holds.
pub fn upload_status(
    registration: &Registration,
    sha256: &str,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<UploadStatus>> + use<>> {
    let request = Http::<Effect, Event>::get(url(
        &registration.server_url,
        &registration.tenant,
        &format!("uploads/{sha256}"),
    ))
    .header("authorization", bearer(registration));
    send_json(Ok(request))
}

/// `PATCH /v1/{tenant}/uploads/{sha256}`: one chunk, with its offset and checksum.
pub fn upload_chunk(
    registration: &Registration,
    sha256: &str,
    offset: u64,
    total: u64,
    chunk: Vec<u8>,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<UploadStatus>> + use<>> {
    let checksum = format!("sha256 {}", hex::encode(Sha256::digest(&chunk)));
    let request = Http::<Effect, Event>::patch(url(
        &registration.server_url,
        &registration.tenant,
        &format!("uploads/{sha256}"),
    ))
    .header("authorization", bearer(registration))
    .header(upload::UPLOAD_OFFSET, offset.to_string())
    .header(upload::UPLOAD_LENGTH, total.to_string())
    .header(upload::UPLOAD_CHECKSUM, checksum)
    .header("content-type", "application/offset+octet-stream")
    .body_bytes(chunk);
    send_json(Ok(request))
}

/// `POST /v1/{tenant}/uploads`: several whole photos in one body, `photos` naming each with its
/// length, in body order.
pub fn upload_bundle(
    registration: &Registration,
    photos: &[(String, usize)],
    body: Vec<u8>,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<BundleAnswer>> + use<>> {
    let listed = upload::bundle_header(photos.iter().map(|(sha, len)| (sha.as_str(), *len)));
    let request = Http::<Effect, Event>::post(url(
        &registration.server_url,
        &registration.tenant,
        "uploads",
    ))
    .header("authorization", bearer(registration))
    .header(upload::UPLOAD_PHOTOS, listed)
    .header("content-type", "application/octet-stream")
    .body_bytes(body);
    send_json(Ok(request))
}

/// `GET /v1/{tenant}/photos/{sha256}`: a photo's bytes.
pub fn photo(
    registration: &Registration,
    sha256: &str,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<Vec<u8>>> + use<>> {
    let request = Http::<Effect, Event>::get(url(
        &registration.server_url,
        &registration.tenant,
        &format!("photos/{sha256}"),
    ))
    .header("authorization", bearer(registration))
    .build();
    RequestBuilder::new(move |ctx| async move {
        request
            .into_future(ctx)
            .await
            .map(|mut response| response.take_body().unwrap_or_default())
            .map_err(classify)
    })
}

/// `GET /v1/{tenant}/account/export`: everything the server holds about the caller, as JSON.
pub fn export(
    registration: &Registration,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<String>> + use<>> {
    let request = Http::<Effect, Event>::get(url(
        &registration.server_url,
        &registration.tenant,
        "account/export",
    ))
    .header("authorization", bearer(registration))
    .expect_string()
    .build();
    RequestBuilder::new(move |ctx| async move {
        let text = request
            .into_future(ctx)
            .await
            .map(|mut response| response.take_body().unwrap_or_default())
            .map_err(classify)?;
        serde_json::from_str::<relais_protocol::account::Export>(&text)
            .map(|_| text)
            .map_err(|e| ApiFailure::Protocol(format!("export: {e}")))
    })
}

/// `PUT /v1/{tenant}/account`: create or update my account.
pub fn put_account(
    registration: &Registration,
    details: &AccountDetails,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<Account>> + use<>> {
    let request = Http::<Effect, Event>::put(url(
        &registration.server_url,
        &registration.tenant,
        "account",
    ))
    .header("authorization", bearer(registration))
    .body_json(details);
    send_json(request)
}

/// `POST /v1/{tenant}/account/link`: join the account that gave `code`.
pub fn link_account(
    registration: &Registration,
    code: &str,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<Account>> + use<>> {
    let request = Http::<Effect, Event>::post(url(
        &registration.server_url,
        &registration.tenant,
        "account/link",
    ))
    .header("authorization", bearer(registration))
    .body_json(&LinkAccount {
        code: code.to_owned(),
    });
    send_json(request)
}

/// `DELETE /v1/{tenant}/account`
pub fn delete_account(
    registration: &Registration,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<()>> + use<>> {
    let request = Http::<Effect, Event>::delete(url(
        &registration.server_url,
        &registration.tenant,
        "account",
    ))
    .header("authorization", bearer(registration))
    .build();
    RequestBuilder::new(move |ctx| async move {
        request.into_future(ctx).await.map(|_| ()).map_err(classify)
    })
}

/// `POST /v1/{tenant}/sync/push`, the body gzip-compressed unless `compressed` is false.
pub fn push(
    registration: &Registration,
    body: &PushRequest,
    compressed: bool,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<PushResponse>> + use<>> {
    let request = Http::<Effect, Event>::post(url(
        &registration.server_url,
        &registration.tenant,
        "sync/push",
    ))
    .header("authorization", bearer(registration));
    let request = if compressed {
        serde_json::to_vec(body)
            .map_err(|e| HttpError::Json(e.to_string()))
            .and_then(|json| gzip(&json).map_err(|e| HttpError::Io(e.to_string())))
            .map(|bytes| {
                request
                    .body_bytes(bytes)
                    .header("content-type", "application/json")
                    .header("content-encoding", "gzip")
            })
    } else {
        request.body_json(body)
    };
    send_json(request)
}

/// Level 1: a push's JSON repeats itself so much that the fastest level already shrinks it
/// about sevenfold, at a fraction of the default level's time on the phone.
fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// The pull endpoint's query string.
#[derive(serde::Serialize)]
struct PullQuery<'a> {
    cursor: &'a str,
    limit: u32,
}

/// `GET /v1/{tenant}/sync/pull?cursor=..&limit=..`
pub fn pull(
    registration: &Registration,
    cursor: &Cursor,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<PullResponse>> + use<>> {
    let request = Http::<Effect, Event>::get(url(
        &registration.server_url,
        &registration.tenant,
        "sync/pull",
    ))
    .header("authorization", bearer(registration))
    .query(&PullQuery {
        cursor: &cursor.0,
        limit: PULL_PAGE,
    });
    send_json(request)
}

/// Sends a prepared request expecting a JSON answer of type `T`, classifying failures.
fn send_json<T: DeserializeOwned + Send + 'static>(
    request: Result<crux_http::command::RequestBuilder<Effect, Event>, HttpError>,
) -> RequestBuilder<Effect, Event, impl Future<Output = ApiResult<T>> + use<T>> {
    let prepared = request.map(|r| r.expect_json::<T>().build());
    RequestBuilder::new(move |ctx| async move {
        match prepared {
            Ok(builder) => builder
                .into_future(ctx)
                .await
                .map(|mut response| response.take_body())
                .map_err(classify)
                .and_then(|body| body.ok_or_else(|| ApiFailure::Protocol("empty answer".into()))),
            Err(e) => Err(ApiFailure::Protocol(e.to_string())),
        }
    })
}

/// Maps an HTTP failure to what the sync engine does about it.
pub fn classify(error: HttpError) -> ApiFailure {
    match error {
        HttpError::Io(detail) | HttpError::Url(detail) => ApiFailure::Unreachable(detail),
        HttpError::Timeout => ApiFailure::Unreachable("timed out".into()),
        HttpError::Http { code, .. } => {
            let body: Option<ApiError> = error.body_json().ok();
            classify_status(code, body)
        }
        other => ApiFailure::Protocol(other.to_string()),
    }
}

fn classify_status(code: u16, body: Option<ApiError>) -> ApiFailure {
    match (code, body) {
        (
            409,
            Some(ApiError {
                error: ErrorCode::SequenceGap | ErrorCode::SequenceConflict,
                expected_seq: Some(expected_seq),
                ..
            }),
        ) => ApiFailure::Resequence { expected_seq },
        (401, _) => ApiFailure::Unauthorized,
        (
            409,
            Some(ApiError {
                error: ErrorCode::OffsetMismatch,
                expected_offset: Some(expected_offset),
                ..
            }),
        ) => ApiFailure::OffsetMismatch { expected_offset },
        (
            404,
            Some(ApiError {
                error: ErrorCode::UnknownTenant,
                ..
            }),
        ) => ApiFailure::UnknownTenant,
        (404, _) => ApiFailure::NotFound,
        (
            400,
            Some(ApiError {
                error: ErrorCode::MalformedRequest,
                message,
                ..
            }),
        ) => ApiFailure::BodyRefused(message),
        (415, body) => ApiFailure::BodyRefused(body.map(|b| b.message).unwrap_or_default()),
        // Gateways answer these when the server behind them is down: not reached.
        (502..=504, _) => ApiFailure::Unreachable(format!("HTTP {code}")),
        (500..=599, _) => ApiFailure::Server(code),
        (_, Some(body)) => ApiFailure::Protocol(format!("HTTP {code}: {}", body.message)),
        (_, None) => ApiFailure::Protocol(format!("HTTP {code}")),
    }
}
