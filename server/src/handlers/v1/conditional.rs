//! Answers that devices cache (the catalogue, the directory): sent with an `ETag`, and answered
//! `304 Not Modified` without a body when the device already holds that version
//! (`If-None-Match`). What changes at every request need not travel again.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::published::Published;

/// The `published` JSON with its entity tag, or `304` when the request names that tag.
pub fn json(request: &HeaderMap, published: &Published) -> Response {
    let tag = published.tag();
    let etag = HeaderValue::from_str(tag).unwrap_or(HeaderValue::from_static("\"\""));
    // Devices may keep it, but ask again before using it as fresh.
    let caching = [
        (ETAG, etag),
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if matches(request, tag) {
        return (StatusCode::NOT_MODIFIED, caching).into_response();
    }
    let mut response = (caching, published.body()).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Whether `If-None-Match` lists `tag` (or `*`).
fn matches(request: &HeaderMap, tag: &str) -> bool {
    request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|candidate| candidate.trim().trim_start_matches("W/"))
        .any(|candidate| candidate == tag || candidate == "*")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_known_tag_is_not_modified_and_another_gets_the_body() {
        let published = Published::new(&json!({"version": 1})).unwrap();
        let first = json(&HeaderMap::new(), &published);
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers()[ETAG].clone();
        let mut request = HeaderMap::new();
        request.insert(IF_NONE_MATCH, tag.clone());
        assert_eq!(
            json(&request, &published).status(),
            StatusCode::NOT_MODIFIED
        );
        request.insert(
            IF_NONE_MATCH,
            HeaderValue::from_static("\"other\", W/\"x\""),
        );
        assert_eq!(json(&request, &published).status(), StatusCode::OK);
        let changed = Published::new(&json!({"version": 2})).unwrap();
        assert_ne!(json(&HeaderMap::new(), &changed).headers()[ETAG], tag);
    }
}
