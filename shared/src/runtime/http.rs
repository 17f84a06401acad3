//! Runs the core's HTTP requests with reqwest on a small tokio runtime.

use std::{future::Future, time::Duration};

use crux_http::{
    HttpError,
    protocol::{HttpHeader, HttpRequest, HttpResponse, HttpResult},
};

use super::Job;

/// How long a device waits to connect, and for a whole exchange.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an idle connection is kept for the next request: well under the server's 60 s
/// (`--header-timeout`, as nginx's), so that the device stops using a connection before the
/// server closes it. Kept longer (reqwest's default is 90 s), a request sent on a connection
/// at the moment the server closes it is lost in transit and must be sent again.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Executor {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Executor {
    pub fn new() -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("relais-io")
            .enable_all()
            .build()?;
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .pool_idle_timeout(IDLE_TIMEOUT)
            .user_agent(concat!("relais/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { runtime, client })
    }

    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        self.runtime.spawn(task);
    }

    /// Runs CPU-heavy or blocking work off the I/O threads.
    pub fn spawn_blocking(&self, work: impl FnOnce() + Send + 'static) {
        self.runtime.spawn_blocking(work);
    }

    pub fn send(&self, job: Job<HttpRequest>) {
        let client = self.client.clone();
        self.spawn(async move {
            let result = execute(&client, job.operation()).await;
            job.resolve(result);
        });
    }
}

async fn execute(client: &reqwest::Client, request: &HttpRequest) -> HttpResult {
    match try_execute(client, request).await {
        Ok(response) => HttpResult::Ok(response),
        Err(error) => HttpResult::Err(error),
    }
}

async fn try_execute(
    client: &reqwest::Client,
    request: &HttpRequest,
) -> Result<HttpResponse, HttpError> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|e| HttpError::Url(e.to_string()))?;
    let mut builder = client
        .request(method, &request.url)
        .body(request.body.clone());
    for header in &request.headers {
        builder = builder.header(&header.name, &header.value);
    }
    let response = builder.send().await.map_err(transport_error)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| HttpHeader {
            name: name.to_string(),
            value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
        })
        .collect();
    let body = response.bytes().await.map_err(transport_error)?.to_vec();
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

fn transport_error(error: reqwest::Error) -> HttpError {
    if error.is_timeout() {
        HttpError::Timeout
    } else if error.is_builder() {
        HttpError::Url(error.to_string())
    } else {
        // reqwest's top-level message is vague ("error sending request for url ..."): the root
        // cause ("Connection refused", "dns error...") is what a user can act on.
        let mut root: &dyn std::error::Error = &error;
        while let Some(cause) = root.source() {
            root = cause;
        }
        HttpError::Io(root.to_string())
    }
}
