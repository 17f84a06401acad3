//! End-to-end: the Linux shell as a person meets it, against the real `relais-server --demo`:
//! closed pipes, unregistered devices, languages, exit codes, drafts, dates, nearby answered by
//! the device when the server is away, zones followed offline, and a device whose account was
//! deleted from another one starting again. Everything here runs against today's server.

mod common;

use common::{Phone, Server, free_port, registered};
use serde_json::Value;

const CATEGORY: &str = "autres_encombrants_abandonnes";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn listing_into_a_closed_pipe_ends_quietly() {
    let server = Server::start(free_port());
    let phone = registered(&server);
    for command in ["categories", "services", "zones"] {
        let out = phone.run_into_closed_pipe(&[command]);
        assert_eq!(out.status.code(), Some(0), "{command}: {out:?}");
        assert!(stderr(&out).is_empty(), "{command}: {}", stderr(&out));
    }
}

#[test]
fn an_unregistered_device_says_so_in_the_users_language_and_exits_5() {
    let phone = Phone::new();
    for command in ["reports", "sync", "categories", "outbox", "alerts"] {
        let out = phone.run(&[command]);
        assert_eq!(out.status.code(), Some(5), "{command}: {out:?}");
        assert!(stderr(&out).contains("not registered: run relais init"));
    }
    let french = phone.run_lang("fr", &["reports"]);
    assert!(stderr(&french).contains("non inscrit"), "{french:?}");
    let german = phone.run_lang("de", &["reports"]);
    assert!(
        stderr(&german).contains("French (fr) and English (en) only"),
        "{german:?}"
    );
}

#[test]
fn init_tells_not_registered_from_registered_and_exit_codes_say_which() {
    let port = free_port();
    let phone = Phone::new();
    let url = format!("http://127.0.0.1:{port}");
    let out = phone.run(&["init", "--server", &url, "--tenant", "demo"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(stderr(&out).contains("nothing was saved"), "{out:?}");
    assert_eq!(phone.run(&["reports"]).status.code(), Some(5));
    let _server = Server::start(port);
    phone.ok(&["init", "--server", &url, "--tenant", "demo"]);
    let again = phone.run(&["init", "--server", &url, "--tenant", "demo"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already registered"), "{again:?}");
}

#[test]
fn a_draft_says_what_is_missing_and_discarding_it_succeeds() {
    let server = Server::start(free_port());
    let phone = registered(&server);
    phone.ok(&["draft", "start"]);
    let early = phone.run(&["draft", "submit"]);
    assert!(stderr(&early).contains("Choose a category"), "{early:?}");
    phone.ok(&["draft", "category", "objets_abandonnes_autre"]);
    phone.ok(&["draft", "locate", "--lat", "48.8566", "--lon", "2.3522"]);
    phone.ok(&["draft", "photos-done"]);
    phone.ok(&["draft", "text", "Un frigo"]);
    let missing = phone.run(&["draft", "submit"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("What kind of item?"),
        "the missing answer is named: {missing:?}"
    );
    let discard = phone.run(&["draft", "discard"]);
    assert_eq!(discard.status.code(), Some(0), "{discard:?}");
    assert!(stderr(&discard).contains("draft discarded"));
}

#[test]
fn dates_ratings_and_missing_photos_read_as_people_write_them() {
    let server = Server::start(free_port());
    let phone = registered(&server);
    let id = phone.file(CATEGORY, 48.8566, 2.3522, "Matelas");
    phone.ok(&["sync"]);
    let timeline = phone.output(&["timeline", &id]);
    let has_date = timeline.lines().skip(1).all(|line| {
        let when: Vec<char> = line.trim_start().chars().take(16).collect();
        when.len() == 16 && when[4] == '-' && when[10] == ' ' && when[13] == ':'
    });
    assert!(has_date, "local date-times: {timeline}");
    let services: Value = phone.json(&["services", "--json"]);
    let service = services[0]["id"].as_str().unwrap().to_owned();
    phone.ok(&[
        "rate",
        "--service",
        &service,
        "--satisfaction",
        "4",
        "--importance",
        "5",
    ]);
    let ratings = phone.output(&["ratings"]);
    assert!(
        ratings.contains(&service) && !ratings.contains('"'),
        "{ratings}"
    );
    let sha = "0".repeat(64);
    let missing = phone.run(&["photo", "fetch", &sha, "--out", "/dev/null"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains(&sha), "{missing:?}");
}

#[test]
fn nearby_answers_from_the_devices_copy_when_the_server_is_away_and_says_so() {
    let port = free_port();
    let mut server = Server::start(port);
    let phone = registered(&server);
    let id = phone.file(CATEGORY, 48.8566, 2.3522, "Matelas");
    phone.ok(&["sync"]);
    server.kill();
    let args = [
        "nearby",
        "--lat",
        "48.8567",
        "--lon",
        "2.3523",
        "--category",
        CATEGORY,
    ];
    let out = phone.run(&args);
    assert!(out.status.success(), "{out:?}");
    assert!(stderr(&out).contains("from this device's copy"), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));
    let mut json_args = args.to_vec();
    json_args.push("--json");
    assert_eq!(phone.json(&json_args)["source"], "device");
}

#[test]
fn zones_are_listed_and_followed_offline_with_the_reason() {
    let server = Server::start(free_port());
    let phone = registered(&server);
    let zones: Value = phone.json(&["zones", "--json"]);
    let zones = zones.as_array().unwrap();
    assert!(zones.len() >= 20, "{}", zones.len());
    let fourth = zones.iter().find(|z| z["code"] == "75104").unwrap();
    assert_eq!(fourth["kind"], "arrondissement");
    assert_eq!(fourth["followed"], false);
    let unknown = phone.run(&["follow-zone", "nowhere"]);
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("nowhere"));
    phone.ok(&["follow-zone", "75104"]);
    let followed: Value = phone.json(&["zones", "--json", "--followed"]);
    let followed = followed.as_array().unwrap();
    assert!(
        followed
            .iter()
            .any(|z| z["code"] == "75104" && z["origin"] == "pending"),
        "{followed:?}"
    );
    let outbox: Value = phone.json(&["outbox", "--json"]);
    assert_eq!(outbox[0]["kind"], "follow_zone");
}

#[test]
fn a_device_whose_account_was_deleted_from_another_starts_again() {
    let server = Server::start(free_port());
    let phone = registered(&server);
    let tablet = registered(&server);
    let code = phone.output(&["account", "set", "--email", "alice@example.org"]);
    tablet.ok(&["account", "link", code.trim()]);
    phone.ok(&["account", "delete"]);
    let stuck = tablet.run(&["sync"]);
    assert_eq!(stuck.status.code(), Some(1), "{stuck:?}");
    assert!(stderr(&stuck).contains("no longer recognises"), "{stuck:?}");
    tablet.ok(&["init", "--server", &server.url(), "--tenant", "demo"]);
    tablet.ok(&["sync"]);
    assert_eq!(tablet.json(&["outbox", "--json"]), Value::Array(vec![]));
}

/// A text as it came from the network (the local store holds what the server sent), carrying
/// a terminal escape that clears the screen and paints red, and a direction override: the
/// shell prints it neutralised, in every output (lines, JSON, the timeline).
#[test]
fn escape_sequences_from_the_network_never_reach_the_terminal() {
    let server = Server::start(free_port());
    let phone = registered(&server);
    let out = phone.run(&[
        "report",
        "--category",
        CATEGORY,
        "--lat",
        "48.8566",
        "--lon",
        "2.3522",
        "--text",
        "Matelas",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let hostile = "\u{1b}[2J\u{1b}[31mPAYÉ\u{202E}gnp.exe";
    let db = rusqlite::Connection::open(phone.data().join("relais.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE reports SET body = json_set(body, '$.text', ?1)",
            [hostile],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let id = phone.json(&["reports", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for args in [
        vec!["reports"],
        vec!["reports", "--json"],
        vec!["timeline", id.as_str()],
    ] {
        let out = phone.run(&args);
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!printed.contains('\u{1b}'), "{args:?}: {printed:?}");
        assert!(!printed.contains('\u{202E}'), "{args:?}: {printed:?}");
        assert!(printed.contains("PAYÉ"), "{args:?}: {printed:?}");
    }
}

/// A server address without a scheme panicked inside the core (issue 9): now a refusal in the
/// user's language, exit 1, nothing saved.
#[test]
fn a_server_address_without_a_scheme_is_refused_in_words() {
    let phone = Phone::new();
    let out = phone.run_lang(
        "fr",
        &["init", "--server", "127.0.0.1:8080", "--tenant", "demo"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr(&out).contains("n'est pas l'adresse d'un serveur"),
        "{out:?}"
    );
    let out = phone.run(&[
        "init",
        "--server",
        "http://127.0.0.1:1",
        "--tenant",
        "../admin",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr(&out).contains("is not the code of a town"),
        "{out:?}"
    );
    assert_eq!(phone.run(&["reports"]).status.code(), Some(5));
}
