//! End-to-end: a request filed by a third-party application through the Open311 front door of a
//! real `relais-server --demo` is handled by an agent's phone (the real `relais` binary), then
//! read back through Open311 with its new status, and followed as FixMyStreet follows requests:
//! through `servicerequestupdates`, the town's replies included for the application that filed
//! it.

mod common;

use common::{Server, free_port};
use serde_json::Value;

const CATEGORY: &str = "autres_encombrants_abandonnes";

/// One HTTP call: `(status, body)`.
fn call(request: reqwest::RequestBuilder) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    })
}

fn get(server: &Server, path: &str) -> (u16, String) {
    call(reqwest::Client::new().get(format!("{}{path}", server.url())))
}

/// The text of every `<name>` element of an XML document, in order.
fn elements(xml: &str, name: &str) -> Vec<String> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(text, _)| text.to_owned()))
        .collect()
}

#[test]
fn a_request_filed_through_open311_is_handled_by_an_agents_phone_and_read_back() {
    let server = Server::start(free_port());
    let key = server.admin(&[
        "open311-keys",
        "--tenant",
        "demo",
        "add",
        "--name",
        "FixMyStreet",
    ]);
    let (status, body) = call(
        reqwest::Client::new()
            // The town may be named in the query string as well as in the form.
            .post(format!(
                "{}/open311/v2/requests.json?jurisdiction_id=demo",
                server.url()
            ))
            .form(&[
                ("api_key", key.as_str()),
                ("service_code", CATEGORY),
                ("lat", "48.8566"),
                ("long", "2.3522"),
                ("description", "Matelas abandonné devant l'Hôtel de Ville"),
            ]),
    );
    assert_eq!(status, 200, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(created[0]["service_notice"].is_string(), "{body}");

    // The agent's phone receives it in its work list at its first sync, and works it.
    let agent = server.agent_phone("proprete", "agent.proprete@paris.example");
    let work: Value = agent.json(&["agent", "list", "--json"]);
    assert!(
        work.as_array()
            .unwrap()
            .iter()
            .any(|task| task["report"]["id"] == id.as_str()),
        "{work}"
    );
    agent.ok(&[
        "status",
        &id,
        "--to",
        "acknowledged",
        "--reply",
        "Nous passons demain matin.",
    ]);
    agent.ok(&["status", &id, "--to", "resolved"]);
    let sync: Value = agent.json(&["sync", "--json"]);
    assert_eq!(
        (sync["sent"].as_u64(), sync["refused"].as_u64()),
        (Some(2), Some(0)),
        "{sync}"
    );

    // Read back through Open311: closed, resolved.
    let (status, request) = get(
        &server,
        &format!("/open311/v2/requests/{id}.xml?jurisdiction_id=demo"),
    );
    assert_eq!(status, 200, "{request}");
    assert_eq!(elements(&request, "status"), ["closed"]);
    assert_eq!(elements(&request, "status_notes"), ["Resolved"]);
    let (_, closed) = get(
        &server,
        "/open311/v2/requests.json?jurisdiction_id=demo&status=closed",
    );
    assert!(closed.contains(&id), "{closed}");

    // The application that filed it follows its updates, the town's replies included.
    let (status, updates) = get(
        &server,
        &format!("/open311/v2/servicerequestupdates.xml?jurisdiction_id=demo&api_key={key}"),
    );
    assert_eq!(status, 200, "{updates}");
    assert!(updates.contains("<service_requests_updates>"), "{updates}");
    assert_eq!(
        elements(&updates, "service_request_id"),
        [id.clone(), id.clone()]
    );
    assert_eq!(elements(&updates, "status"), ["investigating", "fixed"]);
    let descriptions = elements(&updates, "description");
    assert_eq!(descriptions[0], "Nous passons demain matin.");
    assert!(
        !descriptions[1].is_empty() && descriptions[1] != "Résolu",
        "the town's written reply with the resolution: {updates}"
    );
    for field in ["update_id", "updated_datetime"] {
        assert_eq!(elements(&updates, field).len(), 2, "{updates}");
    }
    assert_eq!(updates.matches("<media_url/>").count(), 2, "{updates}");

    // Anyone else sees the status changes, not the replies (they are the reporter's).
    let (_, public) = get(
        &server,
        "/open311/v2/servicerequestupdates.json?jurisdiction_id=demo",
    );
    let public: Value = serde_json::from_str(&public).unwrap();
    let descriptions: Vec<&str> = public
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["description"].as_str().unwrap())
        .collect();
    assert_eq!(descriptions, ["Acknowledged", "Resolved"]);
}
