//! The OpenAPI document describes the router as it is: docs/openapi.json is what the code
//! generates ([`relais_server::openapi::document`], from the protocol's types and the handlers'
//! descriptions), every route of `server/src/router.rs`, every Open311 route (each resource its
//! `{file}` route serves) and every back-office route (`server/src/backoffice/mod.rs` and
//! `admin/mod.rs`) is in it with the same methods and nothing else is, every documented route
//! answers on a real server (not with the router's "no such route" or "this route does not
//! answer this method"), and the server serves the document itself.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::TestServer;
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Where the Open311 resources are.
const OPEN311: &str = "/open311/v2/";

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

/// The sources that declare the router's routes: the router itself, Open311's and the back
/// office's (their `routes` functions), with the folder of the module each is in.
const ROUTE_SOURCES: [(&str, &str); 4] = [
    ("src", include_str!("../src/router.rs")),
    ("src/open311", include_str!("../src/open311/routes.rs")),
    ("src/backoffice", include_str!("../src/backoffice/mod.rs")),
    (
        "src/backoffice/admin",
        include_str!("../src/backoffice/admin/mod.rs"),
    ),
];

/// The value of the path constant `name` (`towns::HERE`, `layout::STYLE_PATH`) that a route
/// declaration of the module in `folder` names: read from the source of the module it is in.
fn constant(folder: &str, name: &str) -> String {
    let (module, name) = name.rsplit_once("::").unwrap_or(("", name));
    let file = if module.is_empty() {
        format!("{folder}/mod.rs")
    } else {
        format!("{folder}/{}.rs", module.replace("::", "/"))
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(&file);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let definition = format!("const {name}: &str = \"");
    let value = source
        .split(&definition)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no `{definition}...` in {file}"));
    value.to_owned()
}

/// `METHOD /path` of every route the router's source declares: the device protocol, the staff
/// API, the server's own documents, Open311 and the back office (a path given as a constant
/// resolved to its value).
fn routed() -> BTreeSet<String> {
    let mut routes = BTreeSet::new();
    for (folder, source) in ROUTE_SOURCES {
        // Only the function that builds the routes (up to its closing brace).
        let start = source
            .find("pub fn route")
            .unwrap_or_else(|| panic!("no routes function in {folder}"));
        let source = &source[start..];
        let source = &source[..source.find("\n}\n").unwrap()];
        for declaration in source.split(".route(").skip(1) {
            let first = declaration.trim_start();
            let path = if first.starts_with('"') {
                first.split('"').nth(1).unwrap().to_owned()
            } else {
                let name = first.split(',').next().unwrap().trim();
                constant(folder, name)
            };
            assert!(path.starts_with('/'), "{folder}: route {path:?}");
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

/// An Open311 route serves its directory's resources as `{file}` (`services.json`): the route
/// of each documented resource (`/open311/v2/services.{format}`).
fn route_of(documented: &str) -> String {
    match documented.split_once(OPEN311) {
        Some((method, resource)) => {
            let directory = resource.rsplit_once('/').map_or("", |(d, _)| d);
            let directory = if directory.is_empty() {
                String::new()
            } else {
                format!("{directory}/")
            };
            format!("{method}{OPEN311}{directory}{{file}}")
        }
        None => documented.to_owned(),
    }
}

/// The resources the Open311 `GET /open311/v2/{file}` route answers: the names its handler
/// dispatches on.
fn open311_resources() -> BTreeSet<String> {
    let source = include_str!("../src/open311/routes.rs");
    let handler = source.split("async fn resource<").nth(1).unwrap();
    let handler = handler.split("\n}\n").next().unwrap();
    handler
        .split("=>")
        .filter_map(|arm| arm.trim_end().strip_suffix('"'))
        .filter_map(|arm| arm.rsplit('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let routed = routed();
    assert!(routed.len() >= 60, "{routed:?}");
    for page in [
        "GET /",
        "GET /backoffice.css",
        "POST /login",
        "GET /towns",
        "GET /admin",
    ] {
        assert!(routed.contains(page), "{page} is not among {routed:?}");
    }
    let documented = documented();
    let documented_routes: BTreeSet<String> = documented.iter().map(|r| route_of(r)).collect();
    let undocumented: Vec<_> = routed.difference(&documented_routes).collect();
    assert!(
        undocumented.is_empty(),
        "routes without a #[utoipa::path] in server/src/openapi.rs's paths(...): {undocumented:?}"
    );
    let unrouted: Vec<_> = documented_routes.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented operations the router does not serve: {unrouted:?}"
    );
    let resources = open311_resources();
    assert_eq!(resources.len(), 4, "{resources:?}");
    for name in resources {
        let route = format!("GET {OPEN311}{name}.{{format}}");
        assert!(documented.contains(&route), "{route} is not documented");
    }
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
                .replace("{id}", "01936f10-0b2c-7a11-8d3e-5b9f3c2a1dff")
                .replace("{format}", "json")
                .replace("{service_code}", "x")
                .replace("{service_request_id}", "x")
                .replace("{token}", "x")
                .replace("{code}", "en")
                .replace("{service}", "x"),
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
