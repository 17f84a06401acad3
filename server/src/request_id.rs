//! Every request gets an id that ties its log lines together and that the client and the
//! reverse proxy can quote: the `X-Request-Id` the request brings, when it is a sane token (the
//! proxy's own id, such as nginx's `$request_id`), else a new UUID. It is answered in the
//! response's `X-Request-Id` and recorded on a `request` span around the whole request, so
//! every log line written while serving it carries `request_id` (in `--log-format json`, in
//! the line's `spans`).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming id kept.
const MAX_LEN: usize = 128;

/// Middleware: gives the request its id, serves it inside the id's span, answers the id.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .filter(|value| is_sane(value.as_bytes()))
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::try_from(uuid::Uuid::now_v7().to_string())
                .expect("a UUID is a header value")
        });
    request.headers_mut().insert(X_REQUEST_ID, id.clone());
    let span = tracing::info_span!(
        "request",
        request_id = id.to_str().expect("checked or generated as ASCII")
    );
    let mut response = next.run(request).instrument(span).await;
    response.headers_mut().insert(X_REQUEST_ID, id);
    response
}

/// A client's id is kept when it is 1 to 128 characters of letters, digits and `-_.:=+/`: no
/// spaces, quotes or controls that would disturb a log line.
fn is_sane(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:=+/".contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_tokens_are_kept() {
        assert!(is_sane(b"6b1f2c7e9a3d4e5f8a0b1c2d3e4f5a6b"));
        assert!(is_sane(b"Root=1-5759e988-bd862e3fe1be46a994272793"));
        assert!(!is_sane(b""));
        assert!(!is_sane(b"two words"));
        assert!(!is_sane(b"quote\"d"));
        assert!(!is_sane("é".as_bytes()));
        assert!(!is_sane(&[b'a'; MAX_LEN + 1]));
    }
}
