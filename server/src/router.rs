//! The HTTP surface: [`AppState`], the routes, the body limit, the fallbacks that keep every
//! error a JSON [`relais_protocol::ApiError`], and the request trace and metrics layers.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::routing::{get, post};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::backoffice;
use crate::directory::current::Directories;
use crate::error::ApiFailure;
use crate::handlers;
use crate::limits::{LoginLimits, RegistrationLimits};
use crate::metrics::{self, Metrics};
use crate::photos::PhotoStore;
use crate::town::Towns;
use relais_server_database::Database;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState<DB> {
    pub db: DB,
    /// How often secrets may be tried.
    pub limits: Arc<LoginLimits>,
    /// How often devices may register, and codes be tried.
    pub registrations: Arc<RegistrationLimits>,
    pub towns: Towns,
    /// Each town's directory as devices receive it.
    pub directories: Directories,
    pub metrics: Arc<Metrics>,
    pub photos: PhotoStore,
    /// The back office's cookies are `Secure` (HTTPS only).
    pub secure_cookies: bool,
    /// The SHA-256 of the bearer token `GET /metrics` requires, if one is set.
    pub metrics_token: Option<[u8; 32]>,
}

impl<DB: Database> AppState<DB> {
    pub fn new(db: DB, towns: Towns, photos: PhotoStore) -> Self {
        Self {
            db,
            towns,
            directories: Directories::default(),
            metrics: Arc::default(),
            limits: Arc::default(),
            registrations: Arc::default(),
            photos,
            secure_cookies: false,
            metrics_token: None,
        }
    }

    /// Marks the back office's cookies `Secure` (HTTPS only) when `secure`.
    #[must_use]
    pub fn with_secure_cookies(self, secure: bool) -> Self {
        Self {
            secure_cookies: secure,
            ..self
        }
    }

    /// Limits registrations to `per_client` a minute from one address and `per_town` into one
    /// town.
    #[must_use]
    pub fn with_registration_limits(self, per_client: u32, per_town: u32) -> Self {
        Self {
            registrations: Arc::new(RegistrationLimits::new(per_client, per_town)),
            ..self
        }
    }

    /// Serves `/metrics` only to requests bearing `token` (public when `None`).
    #[must_use]
    pub fn with_metrics_token(self, token: Option<&str>) -> Self {
        Self {
            metrics_token: token.map(|t| Sha256::digest(t.as_bytes()).into()),
            ..self
        }
    }
}

pub fn router<DB: Database>(state: AppState<DB>) -> Router {
    use handlers::v1;
    let api = Router::new()
        .route("/v1/{tenant}/devices", post(v1::devices::post::<DB>))
        .route("/v1/{tenant}/catalogue", get(v1::catalogue::get::<DB>))
        .route("/v1/{tenant}/directory", get(v1::directory::get::<DB>))
        .route("/v1/{tenant}/reports/nearby", get(v1::nearby::get::<DB>))
        .route("/v1/{tenant}/sync/push", post(v1::sync::push::<DB>))
        .route("/v1/{tenant}/sync/pull", get(v1::sync::pull::<DB>))
        .route(
            "/v1/{tenant}/uploads/{sha256}",
            get(v1::uploads::get::<DB>)
                .patch(v1::uploads::patch::<DB>)
                .layer(
                    // Chunks are raw bytes with their own, smaller limit.
                    DefaultBodyLimit::max(relais_protocol::upload::MAX_CHUNK_BYTES),
                ),
        )
        .route(
            "/v1/{tenant}/uploads",
            post(v1::uploads::bundle::<DB>).layer(DefaultBodyLimit::max(
                relais_protocol::upload::MAX_CHUNK_BYTES,
            )),
        )
        .route("/v1/{tenant}/photos/{sha256}", get(v1::photos::get::<DB>))
        .route(
            "/v1/{tenant}/account",
            get(v1::account::get::<DB>)
                .put(v1::account::put::<DB>)
                .delete(v1::account::delete::<DB>),
        )
        .route("/v1/{tenant}/account/link", post(v1::account::link::<DB>))
        .route(
            "/v1/{tenant}/account/export",
            get(v1::account::export::<DB>),
        )
        .route("/v1/staff/login", post(v1::staff::login::<DB>))
        .route("/v1/staff/logout", post(v1::staff::logout::<DB>))
        .route(
            "/v1/{tenant}/staff/reports/{id}",
            get(v1::staff::report::<DB>),
        )
        .route(
            "/v1/{tenant}/staff/reports/{id}/actions",
            post(v1::staff::action::<DB>),
        )
        .route("/v1/{tenant}/staff/alerts", post(v1::staff::alert::<DB>))
        .route("/metrics", get(handlers::metrics::get::<DB>))
        .merge(crate::open311::routes::<DB>())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", MatchedPath::as_str);
                    tracing::info_span!("http", http.method = %request.method(), http.route = route)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        );
    // The health check stays out of the trace layer: it logs itself at DEBUG.
    Router::new()
        .merge(api)
        .merge(backoffice::routes::<DB>())
        .route("/healthz", get(handlers::health::get::<DB>))
        .route("/openapi.json", get(handlers::openapi::get))
        .fallback(|| async { ApiFailure::not_found() })
        .method_not_allowed_fallback(|| async { ApiFailure::method_not_allowed() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record_requests::<DB>,
        ))
        .layer(DefaultBodyLimit::max(relais_protocol::MAX_BODY_BYTES))
        // A push may come gzip-compressed; the body limit above applies to it inflated.
        .layer(RequestDecompressionLayer::new())
        // JSON answers travel gzip-compressed to the clients that accept it (not photos), at
        // the fastest level: a pull page's JSON shrinks about sevenfold even so.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        // Outermost: every log line of a request, the metrics' included, carries its id.
        .layer(axum::middleware::from_fn(crate::request_id::assign))
        .with_state(state)
}
