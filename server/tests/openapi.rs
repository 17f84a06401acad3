//! The OpenAPI document describes the router as it is: docs/openapi.json is what the code
//! generates ([`relais_server::openapi::document`], from the protocol's types and the handlers'
//! descriptions), every route of `server/src/router.rs` under `/v1`, `/healthz`, `/metrics` and
//! `/openapi.json` is in it with the same methods and nothing else is, every documented route
//! answers on a real server (not with the router's "no such route" or "this route does not
//! answer this method"), and the server serves the document itself.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::TestServer;
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The command that writes the generated document over docs/openapi.json.
const REGENERATE: &str = "RELAIS_WRITE_OPENAPI=1 cargo test -p relais-server --test openapi";

fn document() -> Value {
    serde_json::from_str(relais_server::openapi::document()).unwrap()
}

#[test]
fn the_checked_in_document_is_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let generated = relais_server::openapi::document();
    if std::env::var_os("RELAIS_WRITE_OPENAPI").is_some() {
        std::fs::write(&path, generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/openapi.json differs from the document the code generates; regenerate it with\n\
         {REGENERATE}"
    );
}

/// `METHOD /path` of every route the router's source declares for the device protocol and
/// the server's own documents.
fn routed() -> BTreeSet<String> {
    let source = include_str!("../src/router.rs");
    let mut routes = BTreeSet::new();
    for declaration in source.split(".route(").skip(1) {
        let path = declaration.split('"').nth(1).unwrap();
        if !["/v1/", "/healthz", "/metrics", "/openapi.json"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
        {
            continue;
        }
        // The handlers of this route: up to the next route's declaration.
        for method in METHODS {
            let call = format!("{method}(");
            if declaration.contains(&format!(" {call}"))
                || declaration.contains(&format!("\n{call}"))
                || declaration.contains(&format!(".{call}"))
                || declaration.contains(&format!("({call}"))
            {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    routes
}

fn documented() -> BTreeSet<String> {
    let api = document();
    let mut routes = BTreeSet::new();
    for (path, item) in api["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let routed = routed();
    assert!(routed.len() >= 20, "{routed:?}");
    assert_eq!(routed, documented());
}

#[tokio::test]
async fn every_documented_route_answers_and_the_document_is_served() {
    let server = TestServer::start().await;
    for route in documented() {
        let (method, path) = route.split_once(' ').unwrap();
        let url = server.url(
            &path
                .replace("{tenant}", "demo")
                .replace("{sha256}", &"0".repeat(64))
                .replace("{id}", "01936f10-0b2c-7a11-8d3e-5b9f3c2a1dff"),
        );
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = server.client.request(method, &url).send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_ne!(status, 405, "{route}: {body}");
        assert!(
            !(status == 404 && body.contains("no such route")),
            "{route}: {body}"
        );
    }
    let served = reqwest::get(server.url("/openapi.json")).await.unwrap();
    let served: Value = served.json().await.unwrap();
    assert_eq!(served, document());
    server.stop().await;
}
