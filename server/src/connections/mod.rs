//! Accepting connections: the loop that hands each TCP connection to hyper, with what axum's
//! own `serve` leaves out and an attacker relies on. A client that sends its headers too
//! slowly, or keeps an idle keep-alive connection open, is cut after
//! [`Connections::header_timeout`] (hyper's header read timer, which also runs while waiting
//! for the next request); a body that stalls is cut after [`Connections::body_timeout`]; at most
//! [`Connections::max_connections`] are served at once, the next ones waiting in the kernel's
//! queue, so idle sockets cannot exhaust the server's file descriptors. On shutdown, the
//! requests in flight finish. Requests hyper refuses before routing get a JSON error body like
//! every other ([`json_errors`]).

mod json_errors;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutBody};

use crate::settings::Connections;
use json_errors::JsonErrors;

/// Serves `app` on `listener` until `shutdown` completes, then waits for the connections'
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Connections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.header_timeout));
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Duration::from_secs(limits.header_timeout))
        .keep_alive_timeout(Duration::from_secs(limits.header_timeout));
    let body_timeout = Duration::from_secs(limits.body_timeout);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a little rather than spin, and go on.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let header_timeout = Duration::from_secs(limits.header_timeout);
        let service = ServiceBuilder::new()
            .map_request(move |mut request: hyper::Request<Incoming>| {
                // What `into_make_service_with_connect_info` would give: the limits of
                // guessing need the client's address.
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(addr));
                request
            })
            .layer(RequestBodyTimeoutLayer::new(body_timeout))
            .map_request(|request: hyper::Request<TimeoutBody<Incoming>>| request.map(Body::new))
            .service(app.clone());
        let (builder, watcher) = (builder.clone(), graceful.watcher());
        tokio::spawn(async move {
            // Hyper's header timer starts once it knows the protocol, which it learns from the
            // first bytes: a client that sends none is cut here.
            let mut first = [0; 1];
            if !matches!(
                tokio::time::timeout(header_timeout, stream.peek(&mut first)).await,
                Ok(Ok(1..))
            ) {
                return;
            }
            let connection = builder
                .serve_connection_with_upgrades(
                    TokioIo::new(JsonErrors::new(stream)),
                    TowerToHyperService::new(service),
                )
                .into_owned();
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%error, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
