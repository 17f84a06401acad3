//! The administration tasks as a town's IT runs them (`relais-server tenant add`, `staff add`,
//! `tenant retention`, `open311-keys`, `import-directory`...), on the two storage backends: the
//! SQLite file of a data directory, and a PostgreSQL database named by `--database` (a fresh
//! database on the server `RELAIS_TEST_POSTGRES` names; `scripts/postgres` starts one). The same
//! scenario runs on both, then a server started on that storage serves what the tasks stored.

mod common;

use std::path::Path;
use std::process::Output;

use common::{run_admin, spawn_binary};
use relais_server_postgres::testing::{fresh_database, test_server};
use tempfile::TempDir;

/// `relais-server --data DATA [--database URL] ARGS...` with `stdin`.
fn admin(data: &Path, database: Option<&str>, args: &[&str], stdin: &str) -> Output {
    let mut all = database.map_or_else(Vec::new, |url| vec!["--database", url]);
    all.extend(args);
    run_admin(data, &all, stdin)
}

/// The standard output of a task that must succeed.
fn done(data: &Path, database: Option<&str>, args: &[&str], stdin: &str) -> String {
    let output = admin(data, database, args, stdin);
    assert!(
        output.status.success(),
        "relais-server {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The error of a task that must fail.
fn refused(data: &Path, database: Option<&str>, args: &[&str]) -> String {
    refused_with(data, database, args, "")
}

/// The error of a task that must fail, given `stdin`.
fn refused_with(data: &Path, database: Option<&str>, args: &[&str], stdin: &str) -> String {
    let output = admin(data, database, args, stdin);
    assert!(!output.status.success(), "relais-server {args:?} succeeded");
    String::from_utf8(output.stderr).unwrap()
}

fn seed(file: &str) -> String {
    format!("{}/seed/demo/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// Creates the demo town from its files, its staff, its retention, an Open311 key and its
/// directory through the tasks, checks each task's answer, then serves the result.
async fn a_town_is_set_up_from_the_command_line(data: &Path, database: Option<&str>) {
    let (catalogue, zones) = (seed("tenant.json"), seed("zones.geojson"));
    let add = [
        "tenant",
        "add",
        "--catalogue",
        &catalogue,
        "--zones",
        &zones,
    ];
    let said = done(data, database, &add, "");
    assert!(
        said.starts_with("town demo: ") && said.contains("stored"),
        "{said}"
    );
    assert!(done(data, database, &add, "").contains("already up to date"));
    assert_eq!(
        done(data, database, &["tenant", "list"], ""),
        "demo\tParis (démo)\n"
    );

    let ana = [
        "staff",
        "add",
        "--tenant",
        "demo",
        "--email",
        "Ana@Example.org",
        "--name",
        "Ana",
        "--role",
        "supervisor",
        "--service",
        "voirie",
        "--password-stdin",
    ];
    let password = "correct horse battery staple\n";
    done(data, database, &ana, password);
    let again = refused_with(data, database, &ana, password);
    assert!(again.contains("already has an account"), "{again}");
    let unknown = refused(
        data,
        database,
        &[
            "staff",
            "add",
            "--tenant",
            "demo",
            "--email",
            "b@example.org",
            "--name",
            "B",
            "--service",
            "nowhere",
        ],
    );
    assert!(unknown.contains("no such service"), "{unknown}");
    done(
        data,
        database,
        &[
            "staff",
            "disable",
            "--tenant",
            "demo",
            "--email",
            "ana@example.org",
        ],
        "",
    );
    let listed = done(data, database, &["staff", "list", "--tenant", "demo"], "");
    assert_eq!(
        listed,
        "ana@example.org\tAna\tsupervisor\tservices=voirie\tzones=\tdisabled\n"
    );
    done(
        data,
        database,
        &[
            "staff",
            "enable",
            "--tenant",
            "demo",
            "--email",
            "ana@example.org",
        ],
        "",
    );

    let short = refused(
        data,
        database,
        &["tenant", "retention", "--tenant", "demo", "--days", "3"],
    );
    assert!(short.contains("reopen window (28 days)"), "{short}");
    done(
        data,
        database,
        &["tenant", "retention", "--tenant", "demo", "--days", "400"],
        "",
    );

    let key = done(
        data,
        database,
        &[
            "open311-keys",
            "--tenant",
            "demo",
            "add",
            "--name",
            "FixMyStreet",
        ],
        "",
    );
    let key = key.lines().next().unwrap().to_owned();
    assert!(!key.is_empty());
    let keys = done(
        data,
        database,
        &["open311-keys", "--tenant", "demo", "list"],
        "",
    );
    assert!(keys.contains("FixMyStreet"), "{keys}");

    let services = done(data, database, &["services", "--tenant", "demo"], "");
    assert!(
        services.lines().any(|l| l.starts_with("voirie\t")),
        "{services}"
    );
    let imported = done(
        data,
        database,
        &[
            "import-directory",
            "--tenant",
            "demo",
            &seed("directory.json"),
        ],
        "",
    );
    assert!(imported.contains("added"), "{imported}");
    let code = done(
        data,
        database,
        &[
            "staff",
            "enrol",
            "--tenant",
            "demo",
            "--email",
            "ana@example.org",
        ],
        "",
    );
    let enrolments = done(
        data,
        database,
        &["enrolments", "--tenant", "demo", "list"],
        "",
    );
    assert!(enrolments.contains("ana@example.org"), "{enrolments}");

    // A server on that storage serves what the tasks stored: the town, the directory, the
    // Open311 key and the enrolment code.
    let mut args = Vec::new();
    if let Some(url) = database {
        args.extend(["--database", url]);
    }
    let (server, base) = spawn_binary(data, &args, false);
    let client = reqwest::Client::new();
    let discovery = client
        .get(format!(
            "{base}/open311/v2/services.json?jurisdiction_id=demo"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(discovery.status(), 200);
    let posted = client
        .post(format!("{base}/open311/v2/requests.json"))
        .form(&[
            ("api_key", key.as_str()),
            ("jurisdiction_id", "demo"),
            ("service_code", "autres_encombrants_abandonnes"),
            ("lat", "48.8566"),
            ("long", "2.3522"),
            ("description", "Un matelas sur le trottoir"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200, "{}", posted.text().await.unwrap());
    let login = client
        .post(format!("{base}/v1/staff/login"))
        .json(&serde_json::json!({
            "tenant": "demo", "email": "ana@example.org", "password": "correct horse battery staple"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "{}", login.text().await.unwrap());
    let enrolled = client
        .post(format!("{base}/v1/demo/devices"))
        .json(&serde_json::json!({
            "platform": "linux", "app_version": "test", "enrolment_code": code.trim()
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), 201, "{}", enrolled.text().await.unwrap());
    let enrolled: serde_json::Value = enrolled.json().await.unwrap();
    assert_eq!(enrolled["staff"]["email"], "ana@example.org");
    common::terminate(server);
}

#[tokio::test]
async fn a_town_is_set_up_from_the_command_line_on_sqlite() {
    let data = TempDir::new().unwrap();
    a_town_is_set_up_from_the_command_line(data.path(), None).await;
}

#[tokio::test]
async fn a_town_is_set_up_from_the_command_line_on_postgres() {
    let Some(server) = test_server("a_town_is_set_up_from_the_command_line") else {
        return;
    };
    let url = fresh_database(&server).await.unwrap();
    let data = TempDir::new().unwrap();
    a_town_is_set_up_from_the_command_line(data.path(), Some(&url)).await;
}
