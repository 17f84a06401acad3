//! The Open311 GeoReport v2 front door on the real server (router, SQLite file, demo town) on
//! 127.0.0.1: its documents against the specification's own examples (`tests/open311/`), bad
//! input answered with the specification's errors and nothing changed, and requests filed
//! through it living as reports like any other.

mod common;

use std::collections::BTreeSet;

use common::{CATEGORY, OUTSIDE, PARIS, TestServer};
use quick_xml::events::Event;
use serde_json::{Value, json};

const PASSWORD: &str = "un mot de passe solide";

/// A form's `(name, value)` pairs.
type Form = Vec<(String, String)>;

/// Every element path of an XML document (`services/service/service_code`), root included.
fn xml_paths(xml: &str) -> BTreeSet<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut paths = BTreeSet::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(element) => {
                stack.push(element.name().as_ref().to_owned());
                paths.insert(stack.join("/"));
            }
            Event::Empty(element) => {
                let name = element.name().as_ref().to_owned();
                paths.insert(
                    format!("{}/{name}", stack.join("/"))
                        .trim_start_matches('/')
                        .to_owned(),
                );
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    paths
}

/// Every member path of a JSON document, arrays seen through (`attributes/values/key`).
fn json_paths(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, prefix: &str, paths: &mut BTreeSet<String>) {
        match value {
            Value::Object(members) => {
                for (name, member) in members {
                    let path = format!("{prefix}/{name}");
                    paths.insert(path.clone());
                    walk(member, &path, paths);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, prefix, paths)),
            _ => {}
        }
    }
    let mut paths = BTreeSet::new();
    walk(value, "", &mut paths);
    paths
}

fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/open311/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The server's answer: status, content type and body.
async fn get(server: &TestServer, path: &str) -> (u16, String, String) {
    let response = server.client.get(server.url(path)).send().await.unwrap();
    answer(response).await
}

async fn post(server: &TestServer, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let response = server
        .client
        .post(server.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    answer(response).await
}

async fn answer(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

fn issue_key(server: &TestServer, name: &str) -> String {
    let printed = server.admin(
        &["open311-keys", "--tenant", "demo", "add", "--name", name],
        "",
    );
    let key = printed.trim().to_owned();
    assert!(key.starts_with("o311_") && key.len() > 60, "{printed}");
    key
}

/// A request of `CATEGORY` at the Hôtel de Ville, filed with `key`: its id.
async fn file(server: &TestServer, key: &str, text: &str) -> String {
    let (lat, long) = (PARIS.0.to_string(), PARIS.1.to_string());
    let (status, _, body) = post(
        server,
        "/open311/v2/requests.json",
        &[
            ("api_key", key),
            ("jurisdiction_id", "demo"),
            ("service_code", CATEGORY),
            ("lat", &lat),
            ("long", &long),
            ("description", text),
            ("email", "ana@example.fr"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A supervisor of `proprete` logged in through the staff API: their session token.
async fn supervisor(server: &TestServer) -> String {
    server.admin(
        &[
            "staff",
            "add",
            "--password-stdin",
            "--tenant",
            "demo",
            "--email",
            "chef.propre@paris.example",
            "--name",
            "Chloé Chef",
            "--role",
            "supervisor",
            "--service",
            "proprete",
        ],
        &format!("{PASSWORD}\n"),
    );
    let response = server
        .client
        .post(server.url("/v1/staff/login"))
        .json(
            &json!({"tenant": "demo", "email": "chef.propre@paris.example",
                      "password": PASSWORD}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.unwrap();
    session["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_document_has_the_fields_of_the_specifications_example_and_no_other() {
    let server = TestServer::start().await;
    let key = issue_key(&server, "FixMyStreet");
    let id = file(&server, &key, "Matelas devant le 12").await;
    let staff = supervisor(&server).await;
    let response = server
        .client
        .post(server.url(&format!("/v1/demo/staff/reports/{id}/actions")))
        .bearer_auth(&staff)
        .json(&json!({"base_version": 1, "action": {"type": "acknowledge"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let lat = PARIS.0.to_string();
    let long = PARIS.1.to_string();
    let (status, _, posted) = post(
        &server,
        "/open311/v2/requests.xml",
        &[
            ("api_key", &key),
            ("jurisdiction_id", "demo"),
            ("service_code", "objets_abandonnes_autre"),
            ("lat", &lat),
            ("long", &long),
            ("description", "Un canapé"),
            ("attribute[type_objet]", "meuble"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{posted}");
    let (_, _, forbidden) = post(
        &server,
        "/open311/v2/requests.xml",
        &[("api_key", "o311_nope"), ("jurisdiction_id", "demo")],
    )
    .await;
    let q = "jurisdiction_id=demo";
    let documents = [
        (
            "discovery.xml",
            get(&server, "/open311/v2/discovery.xml").await.2,
        ),
        (
            "services.xml",
            get(&server, &format!("/open311/v2/services.xml?{q}"))
                .await
                .2,
        ),
        (
            "service_definition.xml",
            get(
                &server,
                &format!("/open311/v2/services/objets_abandonnes_autre.xml?{q}"),
            )
            .await
            .2,
        ),
        ("post_requests.xml", posted),
        (
            "tokens.xml",
            get(&server, &format!("/open311/v2/tokens/{id}.xml?{q}"))
                .await
                .2,
        ),
        (
            "requests.xml",
            get(&server, &format!("/open311/v2/requests.xml?{q}"))
                .await
                .2,
        ),
        ("errors.xml", forbidden),
        (
            "servicerequestupdates.xml",
            get(
                &server,
                &format!("/open311/v2/servicerequestupdates.xml?{q}"),
            )
            .await
            .2,
        ),
    ];
    for (name, served) in documents {
        assert!(
            served.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            "{name}: {served}"
        );
        assert_eq!(
            xml_paths(&served),
            xml_paths(&example(name)),
            "{name}: {served}"
        );
    }

    let (status, content_type, forbidden) = post(
        &server,
        "/open311/v2/requests.json",
        &[("api_key", "o311_nope"), ("jurisdiction_id", "demo")],
    )
    .await;
    assert_eq!(
        (status, content_type.as_str()),
        (403, "application/json; charset=utf-8")
    );
    let documents = [
        (
            "discovery.json",
            get(&server, "/open311/v2/discovery.json").await.2,
        ),
        (
            "service_definition.json",
            get(
                &server,
                &format!("/open311/v2/services/objets_abandonnes_autre.json?{q}"),
            )
            .await
            .2,
        ),
        (
            "tokens.json",
            get(&server, &format!("/open311/v2/tokens/{id}.json?{q}"))
                .await
                .2,
        ),
        ("errors.json", forbidden),
    ];
    for (name, served) in documents {
        let served: Value = serde_json::from_str(&served).unwrap();
        let published: Value = serde_json::from_str(&example(name)).unwrap();
        assert_eq!(
            json_paths(&served),
            json_paths(&published),
            "{name}: {served}"
        );
    }
    // The JSON examples of services and requests are not JSON (`"service_code":001`): their
    // members are the XML's, by the Spark convention.
    let services: Value = serde_json::from_str(
        &get(&server, &format!("/open311/v2/services.json?{q}"))
            .await
            .2,
    )
    .unwrap();
    let requests: Value = serde_json::from_str(
        &get(&server, &format!("/open311/v2/requests.json?{q}"))
            .await
            .2,
    )
    .unwrap();
    let strip = |paths: BTreeSet<String>, wrapper: &str| -> BTreeSet<String> {
        paths
            .into_iter()
            .filter_map(|p| p.strip_prefix(wrapper).map(str::to_owned))
            .filter(|p| !p.is_empty())
            .collect()
    };
    assert_eq!(
        json_paths(&services),
        strip(xml_paths(&example("services.xml")), "services/service")
    );
    assert_eq!(
        json_paths(&requests),
        strip(
            xml_paths(&example("requests.xml")),
            "service_requests/request"
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn bad_input_is_answered_with_the_specifications_errors_and_changes_nothing() {
    let server = TestServer::start().await;
    let key = issue_key(&server, "FixMyStreet");
    let revoked = issue_key(&server, "Ancienne appli");
    let listed = server.admin(&["open311-keys", "--tenant", "demo", "list"], "");
    let revoked_id = listed
        .lines()
        .find(|line| line.contains("Ancienne appli"))
        .and_then(|line| line.split('\t').next())
        .unwrap()
        .to_owned();
    server.admin(
        &["open311-keys", "--tenant", "demo", "revoke", &revoked_id],
        "",
    );
    assert!(
        server
            .admin(&["open311-keys", "--tenant", "demo", "list"], "")
            .contains("revoked")
    );
    let counts = || -> (i64, i64, i64) {
        (
            server.query("SELECT COUNT(*) FROM reports", []),
            server.query("SELECT COUNT(*) FROM report_history", []),
            server.query("SELECT COUNT(*) FROM device_mutations", []),
        )
    };
    let before = counts();

    let (lat, long) = (PARIS.0.to_string(), PARIS.1.to_string());
    let (far_lat, far_long) = (OUTSIDE.0.to_string(), OUTSIDE.1.to_string());
    let good = |extra: &[(&'static str, &'static str)]| {
        let mut form: Form = vec![
            ("api_key".into(), key.clone()),
            ("jurisdiction_id".into(), "demo".into()),
            ("service_code".into(), CATEGORY.into()),
            ("lat".into(), lat.clone()),
            ("long".into(), long.clone()),
            ("description".into(), "Matelas".into()),
        ];
        for (name, value) in extra {
            form.retain(|(n, _)| n != name);
            if !value.is_empty() {
                form.push(((*name).into(), (*value).into()));
            }
        }
        form
    };
    // (the form, the status expected, words its description holds)
    let cases: Vec<(Form, u16, &str)> = vec![
        (good(&[("api_key", "o311_wrong")]), 403, "api_key"),
        (good(&[("api_key", "")]), 403, "api_key"),
        (
            {
                let mut form = good(&[]);
                form[0].1 = revoked.clone();
                form
            },
            403,
            "api_key",
        ),
        (good(&[("jurisdiction_id", "")]), 400, "jurisdiction_id"),
        (good(&[("jurisdiction_id", "atlantis")]), 404, "atlantis"),
        (good(&[("service_code", "")]), 400, "service_code"),
        (good(&[("service_code", "dragon")]), 404, "dragon"),
        (good(&[("lat", "")]), 400, "lat"),
        (good(&[("long", "deux")]), 400, "long"),
        (
            {
                let mut form = good(&[]);
                form[3].1 = far_lat.clone();
                form[4].1 = far_long.clone();
                form
            },
            400,
            "outside",
        ),
        (good(&[("description", "")]), 400, "text"),
        (
            good(&[("service_code", "objets_abandonnes_autre")]),
            400,
            "kind of item",
        ),
        (
            good(&[
                ("service_code", "objets_abandonnes_autre"),
                ("attribute[type_objet]", "licorne"),
            ]),
            400,
            "kind of item",
        ),
        (good(&[("attribute[inconnu]", "x")]), 400, "inconnu"),
    ];
    for (form, expected, words) in cases {
        let response = server
            .client
            .post(server.url("/open311/v2/requests.xml"))
            .form(&form)
            .send()
            .await
            .unwrap();
        let (status, content_type, body) = answer(response).await;
        assert_eq!(status, expected, "{form:?}: {body}");
        assert_eq!(content_type, "text/xml; charset=utf-8");
        assert!(body.contains(&format!("<code>{expected}</code>")), "{body}");
        assert!(
            body.to_lowercase().contains(&words.to_lowercase()),
            "{form:?}: {body}"
        );
    }
    // The same refusal, in French and in JSON.
    let response = server
        .client
        .post(server.url("/open311/v2/requests.json"))
        .form(&good(&[("locale", "fr"), ("service_code", "dragon")]))
        .send()
        .await
        .unwrap();
    let (status, _, body) = answer(response).await;
    assert_eq!(status, 404);
    let errors: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(errors[0]["code"], 404);
    assert!(
        errors[0]["description"]
            .as_str()
            .unwrap()
            .contains("inconnu"),
        "{body}"
    );

    // Malformed bodies: not form-encoded, not UTF-8.
    for (content_type, body) in [
        ("application/json", br#"{"service_code": "x"}"#.to_vec()),
        (
            "application/x-www-form-urlencoded",
            b"description=%FF%FE&x=\xff".to_vec(),
        ),
    ] {
        let response = server
            .client
            .post(server.url("/open311/v2/requests.json"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, _, body) = answer(response).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()[0]["code"],
            400
        );
    }
    // Reads: unknown formats, resources, requests, filters.
    for (path, expected) in [
        ("/open311/v2/services.html?jurisdiction_id=demo", 404),
        ("/open311/v2/pothole.json?jurisdiction_id=demo", 404),
        ("/open311/v2/services.json", 400),
        ("/open311/v2/services/dragon.json?jurisdiction_id=demo", 404),
        (
            "/open311/v2/requests/not-an-id.json?jurisdiction_id=demo",
            404,
        ),
        (
            "/open311/v2/requests/01936f10-0b2c-7a11-8d3e-5b9f3c2a1dff.json?jurisdiction_id=demo",
            404,
        ),
        ("/open311/v2/tokens/12345.json?jurisdiction_id=demo", 404),
        (
            "/open311/v2/requests.json?jurisdiction_id=demo&status=pending",
            400,
        ),
        (
            "/open311/v2/requests.json?jurisdiction_id=demo&service_code=dragon",
            404,
        ),
        (
            "/open311/v2/requests.json?jurisdiction_id=demo&start_date=hier",
            400,
        ),
        (
            "/open311/v2/requests.json?jurisdiction_id=demo&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            400,
        ),
        (
            "/open311/v2/servicerequestupdates.json?jurisdiction_id=demo&api_key=o311_wrong",
            403,
        ),
    ] {
        let (status, _, body) = get(&server, path).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert!(body.contains(&expected.to_string()), "{path}: {body}");
    }
    assert_eq!(counts(), before, "nothing was written");
    server.stop().await;
}

#[tokio::test]
async fn a_request_filed_through_open311_is_a_report_like_any_other() {
    let server = TestServer::start().await;
    let key = issue_key(&server, "FixMyStreet");
    let observer = server.observer().await;
    let first = file(&server, &key, "Matelas devant le 12").await;
    let second = file(&server, &key, "Un deuxième matelas").await;

    // Phones see both at their next sync, the second flagged as a probable duplicate.
    let (_, pull) = server.pull(&observer.token, "").await;
    let pulled = common::pulled_ids(&pull);
    assert!(
        pulled.contains(&first) && pulled.contains(&second),
        "{pull}"
    );
    let channel: String = server.query(
        "SELECT channel FROM reports WHERE id = ?1",
        [first.as_str()],
    );
    assert_eq!(channel, "open311");
    let filed: String = server.query(
        "SELECT channel FROM report_history WHERE report_id = ?1",
        [first.as_str()],
    );
    assert_eq!(filed, "open311");
    let duplicate_of: String = server.query(
        "SELECT duplicate_of FROM reports WHERE id = ?1",
        [second.as_str()],
    );
    assert_eq!(
        duplicate_of, first,
        "the filing rules apply: probable duplicate"
    );

    let q = "jurisdiction_id=demo";
    let (status, _, body) = get(&server, &format!("/open311/v2/requests/{first}.json?{q}")).await;
    assert_eq!(status, 200, "{body}");
    let request: Value = serde_json::from_str(&body).unwrap();
    let request = &request[0];
    assert_eq!(request["service_request_id"], first.as_str());
    assert_eq!(request["status"], "open");
    assert_eq!(request["status_notes"], "Received");
    assert_eq!(request["service_code"], CATEGORY);
    assert_eq!(request["service_name"], "Other abandoned bulky items");
    assert_eq!(request["description"], "Matelas devant le 12");
    assert_eq!(request["agency_responsible"], "Street Cleaning and Waste");
    assert!(request["address"].is_string(), "the zone's name: {request}");
    assert_eq!(request["lat"], PARIS.0);
    assert_eq!(request["long"], PARIS.1);
    assert!(
        request["requested_datetime"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert!(
        request["expected_datetime"].is_string(),
        "the response time: {request}"
    );
    let (_, _, french) = get(
        &server,
        &format!("/open311/v2/requests/{first}.xml?{q}&locale=fr"),
    )
    .await;
    assert!(
        french.contains("<status_notes>Reçu</status_notes>"),
        "{french}"
    );
    assert!(french.contains("<service_name>Autres objets encombrants abandonnés</service_name>"));

    // The filters.
    let ids = |body: &str| -> Vec<String> {
        serde_json::from_str::<Value>(body)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = |query: String| {
        let server = &server;
        async move {
            let (status, _, body) =
                get(server, &format!("/open311/v2/requests.json?{q}{query}")).await;
            assert_eq!(status, 200, "{body}");
            ids(&body)
        }
    };
    assert_eq!(
        list(String::new()).await,
        [second.clone(), first.clone()],
        "newest first"
    );
    assert_eq!(
        list(format!("&service_code={CATEGORY}&status=open"))
            .await
            .len(),
        2
    );
    assert!(list("&status=closed".into()).await.is_empty());
    assert!(
        list("&service_code=eclairage_public_eteint_nuit".into())
            .await
            .is_empty()
    );
    // An offset's `+` left unescaped by the client is read as meant.
    assert!(
        list("&start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00+01:00".into())
            .await
            .is_empty()
    );
    assert_eq!(
        list(format!(
            "&service_request_id={first},{second}&status=closed"
        ))
        .await,
        [first.clone(), second.clone()],
        "service_request_id overrides the other filters"
    );
    let (_, _, token) = get(&server, &format!("/open311/v2/tokens/{first}.json?{q}")).await;
    assert_eq!(
        serde_json::from_str::<Value>(&token).unwrap(),
        json!([{"service_request_id": first, "token": first}])
    );

    // The service list and a definition.
    let (_, _, services) = get(&server, &format!("/open311/v2/services.json?{q}")).await;
    let services: Value = serde_json::from_str(&services).unwrap();
    let other = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "objets_abandonnes_autre")
        .unwrap();
    assert_eq!(other["metadata"], true);
    assert_eq!(other["type"], "realtime");
    assert_eq!(other["group"], "Abandoned items");
    let (_, _, definition) = get(
        &server,
        &format!("/open311/v2/services/eclairage_public_eteint_nuit.json?{q}&locale=fr"),
    )
    .await;
    let definition: Value = serde_json::from_str(&definition).unwrap();
    assert_eq!(definition["attributes"][0]["datatype"], "number");
    assert_eq!(definition["attributes"][0]["required"], true);
    assert_eq!(
        definition["attributes"][0]["description"],
        "Combien de lampadaires ?"
    );
    assert_eq!(definition["attributes"][0]["values"], json!([]));
    server.stop().await;
}

#[tokio::test]
async fn the_towns_replies_reach_only_the_application_that_filed_the_request() {
    let server = TestServer::start().await;
    let filer = issue_key(&server, "FixMyStreet");
    let other = issue_key(&server, "Autre appli");
    let id = file(&server, &filer, "Matelas devant le 12").await;
    let staff = supervisor(&server).await;
    for (base_version, action, reply) in [
        (1, "acknowledge", "Nous passons demain."),
        (2, "reply", "L'équipe est en route."),
    ] {
        let response = server
            .client
            .post(server.url(&format!("/v1/demo/staff/reports/{id}/actions")))
            .bearer_auth(&staff)
            .json(
                &json!({"base_version": base_version, "action": {"type": action},
                          "reply": reply}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{action}");
    }
    let updates = |key: Option<String>| {
        let (server, id) = (&server, id.as_str());
        async move {
            let key = key.map(|k| format!("&api_key={k}")).unwrap_or_default();
            let (status, _, body) = get(
                server,
                &format!("/open311/v2/servicerequestupdates.json?jurisdiction_id=demo{key}"),
            )
            .await;
            assert_eq!(status, 200, "{body}");
            let updates: Value = serde_json::from_str(&body).unwrap();
            updates
                .as_array()
                .unwrap()
                .iter()
                .map(|u| {
                    assert_eq!(u["service_request_id"], id);
                    (
                        u["status"].as_str().unwrap().to_owned(),
                        u["description"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let investigating = |text: &str| ("investigating".to_owned(), text.to_owned());
    assert_eq!(
        updates(Some(filer)).await,
        [
            investigating("Nous passons demain."),
            investigating("L'équipe est en route.")
        ]
    );
    assert_eq!(updates(Some(other)).await, [investigating("Acknowledged")]);
    assert_eq!(updates(None).await, [investigating("Acknowledged")]);
    server.stop().await;
}
