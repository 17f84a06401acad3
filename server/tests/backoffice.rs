//! The back office over HTTP on the real router, as a browser without script would use it
//! (forms, cookies, redirects): logging in (CSRF of the login form, wrong passwords, the login
//! limit), the session cookie's flags, the inbox of one's services and nothing of another's,
//! acting on a request (CSRF, a stale version refused with nothing changed, the reply reaching
//! the citizen's thread), logging out, the language switch, and the importance–performance
//! page and its CSV over ratings pushed by real citizen devices.

mod common;

use std::collections::HashMap;

use common::{CATEGORY, PARIS, TestServer, batch, create_report};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use uuid::Uuid;

const PASSWORD: &str = "un mot de passe solide";

/// A browser: its own cookies, no automatic redirect (each is checked).
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
    /// The `Set-Cookie` headers of the last answer.
    last_set_cookies: Vec<String>,
}

impl Browser {
    fn new(server: &TestServer) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: server.url(""),
            cookies: HashMap::new(),
            last_set_cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &reqwest::Response) {
        self.last_set_cookies = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for set in &self.last_set_cookies {
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, Option<String>) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.answer(response).await
    }

    async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.answer(response).await
    }

    /// Posts a `multipart/form-data` form: text fields, then files `(field, file name, bytes)`.
    async fn post_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> (StatusCode, String, Option<String>) {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        for (field, file, bytes) in files {
            let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name((*file).to_owned());
            form = form.part((*field).to_owned(), part);
        }
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.answer(response).await
    }

    /// Follows an import job's page (`location`) until it has finished; its last page.
    async fn finished_job(&mut self, location: Option<String>) -> String {
        let job = location.expect("the job's page");
        assert!(job.starts_with("/admin/imports/"), "{job}");
        loop {
            let (status, page, _) = self.get(&job).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            if page.contains(r#"data-finished="true""#) {
                return page;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    async fn answer(
        &mut self,
        response: reqwest::Response,
    ) -> (StatusCode, String, Option<String>) {
        self.keep(&response);
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        (status, response.text().await.unwrap(), location)
    }

    /// Opens the login page and logs in; the answer of the form.
    async fn log_in(
        &mut self,
        email: &str,
        password: &str,
    ) -> (StatusCode, String, Option<String>) {
        let (status, page, _) = self.get("/login").await;
        assert_eq!(status, StatusCode::OK);
        let csrf = hidden(&page, "csrf");
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("tenant", "demo"),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }
}

/// The value of the first hidden field `name` of a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

fn add_staff(server: &TestServer, email: &str, name: &str, role: &str, service: Option<&str>) {
    let mut args = vec![
        "staff",
        "add",
        "--password-stdin",
        "--tenant",
        "demo",
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
    ];
    if let Some(service) = service {
        args.extend(["--service", service]);
    }
    server.admin(&args, &format!("{PASSWORD}\n"));
}

/// A server with an agent of `proprete` (the demo category's service), an agent of `voirie`,
/// and one report of the category filed by a citizen.
async fn town() -> (TestServer, String, Uuid) {
    let server = TestServer::start().await;
    server.without_questions();
    add_staff(
        &server,
        "a.propre@paris.example",
        "Ana Propre",
        "agent",
        Some("proprete"),
    );
    add_staff(
        &server,
        "b.voirie@paris.example",
        "Bruno Voirie",
        "agent",
        Some("voirie"),
    );
    let citizen = server.register().await.token;
    let id = Uuid::now_v7();
    let response = server
        .push(&citizen, &batch(vec![create_report(1, id, PARIS)]))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["results"][0]["outcome"], "applied", "{body}");
    (server, citizen, id)
}

#[tokio::test]
async fn staff_log_in_with_the_forms_token_and_get_a_strict_http_only_session() {
    let (server, _, _) = town().await;
    let mut browser = Browser::new(&server);
    // Without a session every page leads to the login page.
    let (status, _, location) = browser.get("/").await;
    assert!(status.is_redirection());
    assert_eq!(location.as_deref(), Some("/inbox"));
    let (status, _, location) = browser.get("/inbox").await;
    assert!(status.is_redirection());
    assert_eq!(location.as_deref(), Some("/login"));

    // A login form posted without the form's token (from another site) is refused.
    let (status, page, _) = browser
        .post(
            "/login",
            &[
                ("csrf", "forged"),
                ("tenant", "demo"),
                ("email", "a.propre@paris.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Le formulaire a expiré"), "{page}");
    assert!(!browser.cookies.contains_key("relais_session"));

    // A wrong password: the same answer as an unknown address, and no session.
    let (status, page, _) = browser
        .log_in("a.propre@paris.example", "wrong password")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        page.contains("Adresse e-mail ou mot de passe incorrect"),
        "{page}"
    );
    assert!(!browser.cookies.contains_key("relais_session"));

    let (status, _, location) = browser.log_in("a.propre@paris.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/inbox"));
    let session = browser
        .last_set_cookies
        .iter()
        .find(|c| c.starts_with("relais_session="))
        .unwrap()
        .clone();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    assert!(!session.contains("Secure"), "not configured: {session}");
    let (status, page, _) = browser.get("/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ana Propre"), "{page}");
    assert!(page.contains("<html lang=\"fr\""), "French by default");

    // Logging out needs the session's CSRF token, then ends the session for good.
    let csrf = hidden(&page, "csrf");
    let (status, _, _) = browser.post("/logout", &[("csrf", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/inbox").await.0, StatusCode::OK);
    let kept = browser.cookie_header();
    let (status, _, location) = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert!(status.is_redirection());
    assert_eq!(location.as_deref(), Some("/login"));
    assert!(!browser.cookies.contains_key("relais_session"));
    // The old cookie, replayed, no longer opens anything.
    let replay = browser
        .client
        .get(server.url("/inbox"))
        .header("cookie", kept)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.headers()[LOCATION], "/login");
    server.stop().await;
}

#[tokio::test]
async fn logins_over_the_limit_are_refused_even_with_the_right_password() {
    let (server, _, _) = town().await;
    let mut browser = Browser::new(&server);
    // Five a minute per account: the attempts after the fifth are refused (a slow machine may
    // earn one back every 12 s while the wrong passwords are checked, hence the loop).
    let mut refused = 0;
    for attempt in 0..20 {
        let (status, _, _) = browser.log_in("a.propre@paris.example", "wrong").await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(attempt >= 5, "refused after {attempt} attempts");
            refused += 1;
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(refused, 1, "the limit never applied");
    let (status, page, _) = browser.log_in("a.propre@paris.example", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Trop de tentatives"), "{page}");
    assert!(!browser.cookies.contains_key("relais_session"));
    server.stop().await;
}

#[tokio::test]
async fn an_agent_works_a_request_of_their_service_and_the_citizen_reads_the_reply() {
    let (server, citizen, id) = town().await;
    let reference = &id.to_string()[..8];
    let mut ana = Browser::new(&server);
    assert_eq!(
        ana.log_in("a.propre@paris.example", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );
    let (_, inbox, _) = ana.get("/inbox").await;
    assert!(inbox.contains(&format!("/requests/{id}")), "{inbox}");
    assert!(inbox.contains("1 demande(s)"), "{inbox}");
    // Filters: a bad one is a clear error; an overdue-only view has nothing yet.
    assert_eq!(
        ana.get("/inbox?status=lost").await.0,
        StatusCode::BAD_REQUEST
    );
    let (_, overdue, _) = ana.get("/inbox?overdue=1").await;
    assert!(!overdue.contains(&format!("/requests/{id}")), "{overdue}");

    // An agent of another service sees neither the request in their inbox nor its page.
    let mut bruno = Browser::new(&server);
    assert_eq!(
        bruno.log_in("b.voirie@paris.example", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );
    let (_, inbox, _) = bruno.get("/inbox?status=all").await;
    assert!(!inbox.contains(reference), "{inbox}");
    assert_eq!(
        bruno.get(&format!("/requests/{id}")).await.0,
        StatusCode::FORBIDDEN
    );
    // Nor can they act on it, with their own valid token.
    let (_, page, _) = bruno.get("/inbox").await;
    let bruno_csrf = hidden(&page, "csrf");
    let (status, _, _) = bruno
        .post(
            &format!("/requests/{id}/actions"),
            &[
                ("csrf", &bruno_csrf),
                ("version", "1"),
                ("action", "acknowledge"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let path = format!("/requests/{id}");
    let (status, page, _) = ana.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Reçu"), "{page}");
    let csrf = hidden(&page, "csrf");
    let version = hidden(&page, "version");
    let actions = format!("{path}/actions");
    // Without the session's CSRF token nothing happens.
    let (status, _, _) = ana
        .post(
            &actions,
            &[
                ("csrf", "forged"),
                ("version", &version),
                ("action", "acknowledge"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A form that names no known action, or a date that is not one, is a clear error.
    let (status, _, _) = ana
        .post(
            &actions,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "explode"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = ana
        .post(
            &actions,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "schedule"),
                ("date", "tomorrow"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, page, _) = ana.get(&path).await;
    assert_eq!(hidden(&page, "version"), version, "nothing changed");

    // A written reply may start from one of the town's templates, filled in for this request.
    let (_, page, _) = ana.get(&format!("{path}?template=acknowledged")).await;
    let start = page
        .find(r#"name="reply" required>"#)
        .expect("the reply form")
        + 22;
    let drafted = &page[start..page[start..].find("</textarea>").unwrap() + start];
    assert!(
        drafted.len() > 20 && !drafted.contains("{category}"),
        "{drafted}"
    );
    assert_eq!(
        ana.get(&format!("{path}?template=poem")).await.0,
        StatusCode::BAD_REQUEST
    );

    // Ana takes it: it is hers in the inbox, and nobody else's.
    assert!(!ana.get("/inbox?assigned=me").await.1.contains(reference));
    assert!(
        ana.get("/inbox?assigned=nobody")
            .await
            .1
            .contains(reference)
    );
    let (status, _, _) = ana
        .post(
            &actions,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "assign"),
                ("to", "me"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(ana.get("/inbox?assigned=me").await.1.contains(reference));
    assert!(
        !ana.get("/inbox?assigned=nobody")
            .await
            .1
            .contains(reference)
    );
    assert_eq!(
        ana.get("/inbox?assigned=someone").await.0,
        StatusCode::BAD_REQUEST
    );
    let (_, page, _) = ana.get(&path).await;
    assert!(page.contains("Ana Propre</dd>"), "{page}");
    let version = hidden(&page, "version");

    let (status, _, location) = ana
        .post(
            &actions,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "acknowledge"),
                ("reply", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("{path}?done=acknowledge")));
    let (_, page, _) = ana.get(&format!("{path}?done=acknowledge")).await;
    assert!(page.contains("C'est fait"), "{page}");
    assert!(page.contains("Pris en compte"), "{page}");
    assert!(
        page.contains("back-office"),
        "the history says through what: {page}"
    );

    // The same form again is stale: refused with the rules' words, nothing changed.
    let (status, page, _) = ana
        .post(
            &actions,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "resolve"),
                ("reply", "Trop tard"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("notice error"), "{page}");
    assert!(page.contains("Pris en compte"), "{page}");

    let version = hidden(&page, "version");
    let reply = "Les encombrants ont été enlevés ce matin.";
    let (status, _, _) = ana
        .post(
            &actions,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "resolve"),
                ("reply", reply),
                ("note", "camion 12"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = ana.get(&path).await;
    assert!(page.contains("Résolu"), "{page}");
    assert!(page.contains(reply), "{page}");
    assert!(page.contains("camion 12"), "the internal note: {page}");

    // The citizen's device pulls the status and the written reply, not the internal note.
    let (text, pulled) = server.pull(&citizen, "").await;
    let changes = pulled["changes"].as_array().unwrap();
    let report = changes
        .iter()
        .find(|c| c["kind"] == "report" && c["report"]["id"] == json!(id))
        .unwrap();
    assert_eq!(report["report"]["status"], "resolved");
    let thread = changes
        .iter()
        .find(|c| c["kind"] == "thread" && c["report_id"] == json!(id))
        .unwrap();
    assert!(
        thread["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["text"] == reply && m["author"] == "city"),
        "{thread}"
    );
    assert!(!text.contains("camion 12"));

    // The operations dashboard counts it for Ana's service, not for Bruno's.
    let (status, page, _) = ana.get("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<dd id="total-requests">1</dd>"#), "{page}");
    let (_, csv, _) = ana.get("/dashboard.csv").await;
    let line = csv
        .lines()
        .find(|l| l.starts_with("service,proprete,"))
        .unwrap_or_else(|| panic!("{csv}"));
    // One request, resolved, with a due date, in time; not reopened, no answer from the citizen.
    assert!(line.ends_with(",1,0,0.0000,1,0,0.0000,0,"), "{line}");
    assert!(line.contains(",1,1,"), "{line}");
    assert!(csv.contains("status,resolved,Résolu,1,1,"), "{csv}");
    let (_, page, _) = bruno.get("/dashboard").await;
    assert!(page.contains(r#"<dd id="total-requests">0</dd>"#), "{page}");
    // A period that is not one is a clear error.
    assert_eq!(
        ana.get("/dashboard?from=hier").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        ana.get("/dashboard?from=2026-12-10&to=2026-12-01").await.0,
        StatusCode::BAD_REQUEST
    );
    // A period before the request: nothing.
    let (_, page, _) = ana.get("/dashboard?from=2020-01-01&to=2020-01-31").await;
    assert!(page.contains(r#"<dd id="total-requests">0</dd>"#), "{page}");
    server.stop().await;
}

/// A real camera photo of the project's shared data (EXIF with GPS, or an orientation).
fn camera_photo(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../shared/data/photos/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A JPEG a few kilobytes long whose frame header declares 60,000 × 60,000 pixels.
fn jpeg_bomb() -> Vec<u8> {
    let mut jpeg = common::fake_jpeg(1_000, 3);
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    // FF C0, length (2), precision (1), height (2), width (2).
    jpeg[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
    jpeg
}

/// The size of a stored photo, after checking it is one a phone would have sent (whole,
/// baseline, no metadata segment, nothing after its end).
fn stored_size(jpeg: &[u8]) -> (u32, u32) {
    assert_eq!(relais_domain::jpeg::check_stripped(jpeg), Ok(()));
    let image = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).unwrap();
    (image.width(), image.height())
}

#[tokio::test]
async fn a_request_is_resolved_with_photos_sent_from_the_browser() {
    let (server, citizen, id) = town().await;
    let mut ana = Browser::new(&server);
    ana.log_in("a.propre@paris.example", PASSWORD).await;
    let path = format!("/requests/{id}");
    let resolve = format!("{path}/resolve");
    let (_, page, _) = ana.get(&path).await;
    assert!(
        page.contains(&format!(
            r#"action="{resolve}" enctype="multipart/form-data""#
        )),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    let version = hidden(&page, "version");
    let photo = common::fake_jpeg(30_000, 7);
    let stored =
        |server: &TestServer| -> i64 { server.query("SELECT COUNT(*) FROM tenant_photos", []) };

    // A decompression bomb is refused from its header, saying which and why, even beside a
    // good photo; nothing is kept or changed.
    let (status, page, _) = ana
        .post_files(
            &resolve,
            &[("csrf", &csrf), ("version", &version), ("reply", "Fait.")],
            &[
                ("photo", "chantier.jpg", photo.clone()),
                ("photo", "bombe.jpg", jpeg_bomb()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains(
            "Photo refusée : « bombe.jpg ». Cette photo a trop de pixels (plus de 50 mégapixels). Rien n'a été modifié."
        ),
        "{page}"
    );
    assert!(page.contains("Reçu"), "{page}");
    assert_eq!(stored(&server), 0);
    // Not a photo at all, and a forged token: refused too.
    let (status, page, _) = ana
        .post_files(
            &resolve,
            &[("csrf", &csrf), ("version", &version)],
            &[("photo", "note.txt", b"<script>alert(1)</script>".to_vec())],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("Ce format d'image n'est pas pris en charge"),
        "{page}"
    );
    let (status, _, _) = ana
        .post_files(
            &resolve,
            &[("csrf", "forged"), ("version", &version)],
            &[("photo", "chantier.jpg", photo.clone())],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&server), 0);

    // An agent of another service cannot leave photos in the town through it.
    let mut bruno = Browser::new(&server);
    bruno.log_in("b.voirie@paris.example", PASSWORD).await;
    let (_, inbox, _) = bruno.get("/inbox").await;
    let bruno_csrf = hidden(&inbox, "csrf");
    let (status, _, _) = bruno
        .post_files(
            &resolve,
            &[("csrf", &bruno_csrf), ("version", &version)],
            &[("photo", "chantier.jpg", photo.clone())],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&server), 0);

    // Two camera originals as they come off the phone: the Xiaomi's 4000 × 3000 pixels stored
    // on their side (EXIF orientation 6), the iPhone's with its GPS position in EXIF. Both go
    // through the phones' photo pipeline: upright, 2048 pixels on the long edge, no metadata.
    let (status, _, location) = ana
        .post_files(
            &resolve,
            &[("csrf", &csrf), ("version", &version), ("reply", "Fait.")],
            &[
                (
                    "photo",
                    "IMG_20190520.jpg",
                    camera_photo("large_xiaomi_mi9t_4000x3000_orient6_emptygps.jpg"),
                ),
                (
                    "photo",
                    "IMG_0042.JPG",
                    camera_photo("gps_iphone6_madrid_3264x2448.jpg"),
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("{path}?done=resolve")));
    assert_eq!(stored(&server), 2);
    let (_, page, _) = ana.get(&path).await;
    assert!(page.contains("Résolu"), "{page}");
    // The citizen's phone pulls the resolution with its photos, and downloads them.
    let (_, pulled) = server.pull(&citizen, "").await;
    let report = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "report" && c["report"]["id"] == json!(id))
        .unwrap();
    assert_eq!(report["report"]["status"], "resolved");
    let names: Vec<String> = report["report"]["completion_photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 2, "{report}");
    let mut sizes = Vec::new();
    for name in &names {
        assert!(page.contains(&format!("{path}/photos/{name}")), "{page}");
        let in_office = reqwest::Client::new()
            .get(server.url(&format!("{path}/photos/{name}")))
            .header("cookie", ana.cookie_header())
            .send()
            .await
            .unwrap();
        assert_eq!(in_office.status(), 200);
        let in_office = in_office.bytes().await.unwrap();
        assert_eq!(common::sha256_hex(&in_office), *name);
        let on_phone = reqwest::Client::new()
            .get(server.url(&format!("/v1/demo/photos/{name}")))
            .bearer_auth(&citizen)
            .send()
            .await
            .unwrap();
        assert_eq!(on_phone.status(), 200, "the phone downloads it");
        assert_eq!(on_phone.bytes().await.unwrap(), in_office);
        sizes.push(stored_size(&in_office));
    }
    // The Xiaomi's turned upright (portrait), the iPhone's landscape as it was taken.
    assert_eq!(sizes, [(1536, 2048), (2048, 1536)]);
    // A photo the request does not have: a page saying so.
    let missing = reqwest::Client::new()
        .get(server.url(&format!("{path}/photos/{}", "0".repeat(64))))
        .header("cookie", ana.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["content-type"],
        "text/html; charset=utf-8",
        "the not-found page, as the OpenAPI document says"
    );
    server.stop().await;
}

/// Two servers on one PostgreSQL database (a town behind a load balancer): an import started on
/// one is followed to its end on the other, whose memory never held it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_started_on_one_server_is_followed_on_another_sharing_its_database() {
    let Some(postgres) = relais_server_postgres::testing::test_server("an_import_followed") else {
        return;
    };
    let url = relais_server_postgres::testing::fresh_database(&postgres)
        .await
        .unwrap();
    let (a, b) = tokio::join!(TestServer::start_on(&url), TestServer::start_on(&url));
    let output = common::run_admin(
        a.data_dir(),
        &[
            "--database",
            &url,
            "staff",
            "add",
            "--password-stdin",
            "--tenant",
            "demo",
            "--email",
            "ada@paris.example",
            "--name",
            "Ada Admin",
            "--role",
            "admin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(output.status.success(), "{output:?}");
    let mut on_a = Browser::new(&a);
    on_a.log_in("ada@paris.example", PASSWORD).await;
    let (_, page, _) = on_a.get("/admin/zones").await;
    let csrf = hidden(&page, "csrf");
    let zones = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"code": "7510497", "name": "Îlot test", "kind": "quartier", "parent": "75104"},
        "geometry": {"type": "Polygon", "coordinates":
            [[[2.35, 48.855], [2.36, 48.855], [2.36, 48.86], [2.35, 48.855]]]}}]});
    let (status, _, job) = on_a
        .post_files(
            "/admin/zones",
            &[("csrf", &csrf), ("confirm", "yes")],
            &[("file", "ilot.geojson", zones.to_string().into_bytes())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The same session, through the other server.
    let mut on_b = Browser::new(&b);
    on_b.cookies = on_a.cookies.clone();
    let done = on_b.finished_job(job.clone()).await;
    assert!(done.contains("1 zone(s) importée(s)."), "{done}");
    let (status, again, _) = on_a.get(&job.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(again.contains("1 zone(s) importée(s)."), "{again}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn rejecting_or_marking_a_duplicate_asks_for_the_confirmation_box() {
    let (server, _, id) = town().await;
    let mut ana = Browser::new(&server);
    ana.log_in("a.propre@paris.example", PASSWORD).await;
    let path = format!("/requests/{id}");
    let actions = format!("{path}/actions");
    let (_, page, _) = ana.get(&path).await;
    for confirm in ["reject-confirm", "duplicate-confirm"] {
        assert!(
            page.contains(&format!(
                r#"id="{confirm}" type="checkbox" name="confirm" value="yes" required"#
            )),
            "{confirm}: {page}"
        );
    }
    let csrf = hidden(&page, "csrf");
    let version = hidden(&page, "version");
    let marker = r#"<select id="reject-reason" name="reason" required><option value=""#;
    let reason = page[page.find(marker).expect("the reasons") + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let original = Uuid::now_v7().to_string();
    let reject = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("action", "reject"),
        ("reason", &reason),
    ];
    let duplicate = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("action", "mark_duplicate"),
        ("of", &original),
    ];
    // Without the box ticked: refused, nothing changed.
    for form in [&reject[..], &duplicate[..]] {
        let (status, page, _) = ana.post(&actions, form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("confirmation manquante"), "{page}");
    }
    let (_, page, _) = ana.get(&path).await;
    assert_eq!(hidden(&page, "version"), version, "nothing changed");
    // Ticked: rejected, and in the request's history.
    let confirmed: Vec<(&str, &str)> = reject.iter().copied().chain([("confirm", "yes")]).collect();
    let (status, _, location) = ana.post(&actions, &confirmed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("{path}?done=reject")));
    let (_, page, _) = ana.get(&path).await;
    assert!(page.contains("Rejetée"), "{page}");
    server.stop().await;
}

#[tokio::test]
async fn the_language_switch_comes_back_to_the_page_in_english() {
    let (server, _, _) = town().await;
    let mut browser = Browser::new(&server);
    let (status, _, location) = browser.get("/lang/en?back=/login").await;
    assert!(status.is_redirection());
    assert_eq!(location.as_deref(), Some("/login"));
    let (_, page, _) = browser.get("/login").await;
    assert!(page.contains("<html lang=\"en\""), "{page}");
    assert!(page.contains("Staff login"), "{page}");
    // Only this site's pages are gone back to.
    let (_, _, location) = browser.get("/lang/fr?back=//elsewhere.example/").await;
    assert_eq!(location.as_deref(), Some("/inbox"));
    // Nor a path a `Location` header cannot carry (it was a 500).
    let (status, _, location) = browser.get("/lang/fr?back=/inbox%0Ax").await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(location.as_deref(), Some("/inbox"));
    assert_eq!(browser.get("/lang/de").await.0, StatusCode::BAD_REQUEST);
    server.stop().await;
}

/// Citizens rate directory services through their devices' pushes: the town hall of the 3rd
/// matters and disappoints, the 5th's satisfies, the 6th's has too few raters.
async fn rate(server: &TestServer) {
    let ratings = [
        (
            "mairie-75103",
            [(5, 2), (5, 1), (4, 2), (4, 3), (5, 2)].as_slice(),
        ),
        (
            "mairie-75105",
            [(4, 4), (5, 5), (4, 4), (5, 5), (4, 4)].as_slice(),
        ),
        ("mairie-75106", [(5, 1), (5, 1)].as_slice()),
    ];
    for (service, given) in ratings {
        for &(importance, satisfaction) in given {
            let citizen = server.register().await.token;
            let mutation = json!({"seq": 1, "mutation_id": Uuid::now_v7(), "op": {
                "type": "rate_service", "service_id": service,
                "importance": importance, "satisfaction": satisfaction}});
            let response = server.push(&citizen, &batch(vec![mutation])).await;
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["results"][0]["outcome"], "applied", "{body}");
        }
    }
}

#[tokio::test]
async fn the_importance_performance_page_places_rated_services_and_exports_them() {
    let (server, _, _) = town().await;
    rate(&server).await;
    let mut browser = Browser::new(&server);
    assert_eq!(
        browser.log_in("a.propre@paris.example", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );
    let (status, page, _) = browser.get("/ratings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg"), "{page}");
    assert!(
        page.contains(r#"data-service="mairie-75103" data-quadrant="concentrate_here""#),
        "{page}"
    );
    assert!(
        page.contains(r#"data-service="mairie-75105" data-quadrant="keep_up_the_good_work""#),
        "{page}"
    );
    assert!(
        page.contains(r#"<li data-service="mairie-75106">"#),
        "listed apart: {page}"
    );
    assert!(
        !page.contains(r#"data-service="mairie-75106" data-quadrant"#),
        "never placed"
    );
    // At the means (importance 4.5, satisfaction 3.2) the 5th's hall (importance 4.4) matters
    // less than the average: its effort may be more than needed.
    let (_, page, _) = browser.get("/ratings?crosshairs=means").await;
    assert!(
        page.contains(r#"data-service="mairie-75105" data-quadrant="possible_overkill""#),
        "{page}"
    );
    assert!(
        page.contains(r#"data-service="mairie-75103" data-quadrant="concentrate_here""#),
        "{page}"
    );
    assert_eq!(
        browser.get("/ratings?crosshairs=sideways").await.0,
        StatusCode::BAD_REQUEST
    );

    // Filters: a zone (the services located in it), a kind of service, a period of ratings.
    let (_, page, _) = browser.get("/ratings?zone=75105").await;
    assert!(
        page.contains(r#"data-service="mairie-75105" data-quadrant"#),
        "{page}"
    );
    assert!(!page.contains("mairie-75103"), "not in the 5th: {page}");
    let (_, page, _) = browser.get("/ratings?kind=Mairie").await;
    assert!(page.contains(r#"data-service="mairie-75103" data-quadrant"#));
    assert!(page.contains(r#"<li data-service="mairie-75106">"#));
    let (_, page, _) = browser.get("/ratings?kind=Bassin%20de%20natation").await;
    assert!(!page.contains("mairie-75103"), "only pools: {page}");
    assert!(
        !page.contains(r#"data-quadrant="concentrate_here""#),
        "{page}"
    );
    let (_, page, _) = browser.get("/ratings?from=2090-01-01").await;
    assert!(
        !page.contains(r#"data-service="mairie-75103" data-quadrant"#),
        "no rating given then: {page}"
    );
    assert!(
        page.contains(r#"<li data-service="mairie-75103">"#),
        "{page}"
    );
    let (_, page, _) = browser.get("/ratings?from=2020-01-01&to=2090-12-31").await;
    assert!(page.contains(r#"data-service="mairie-75103" data-quadrant"#));
    for bad in [
        "kind=Nope",
        "zone=nowhere",
        "from=2026-13-01",
        "from=2026-05-02&to=2026-05-01",
    ] {
        assert_eq!(
            browser.get(&format!("/ratings?{bad}")).await.0,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let (_, csv, _) = browser.get("/ratings.csv?zone=75105").await;
    assert!(csv.contains("\nmairie-75105,"), "{csv}");
    assert!(!csv.contains("mairie-75103"), "{csv}");

    let (status, csv, _) = browser.get("/ratings.csv").await;
    assert_eq!(status, StatusCode::OK);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("service_id,name,raters,importance_mean")
    );
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("mairie-75103,"),
        "largest shortfall first: {first}"
    );
    assert!(first.contains(",5,4.6000,"), "{first}");
    assert!(
        first.ends_with(",concentrate_here,Concentrer les efforts ici"),
        "{first}"
    );
    assert!(
        csv.contains("mairie-75106,Mairie du 6e arrondissement de Paris,2,,,,,,,,too_few_raters"),
        "{csv}"
    );
    server.stop().await;
}

#[tokio::test]
async fn pages_of_the_back_office_need_a_session() {
    let (server, _, id) = town().await;
    let mut browser = Browser::new(&server);
    for path in [
        "/inbox",
        "/ratings",
        "/ratings.csv",
        &format!("/requests/{id}"),
    ] {
        let (status, _, location) = browser.get(path).await;
        assert!(status.is_redirection(), "{path}");
        assert_eq!(location.as_deref(), Some("/login"), "{path}");
    }
    let (status, _, _) = browser
        .post(
            &format!("/requests/{id}/actions"),
            &[("action", "acknowledge"), ("version", "1")],
        )
        .await;
    assert!(status.is_redirection());
    // Every page forbids scripts, frames and caching.
    let response = browser
        .client
        .get(server.url("/login"))
        .send()
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert_eq!(response.headers()["cache-control"], "no-store");
    // The style sheet is public and served by the server itself.
    let (status, css, _) = browser.get("/backoffice.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains("--accent"));
    server.stop().await;
}

/// The form's answer: a redirect to `page?done=1`.
fn saved(answer: &(StatusCode, String, Option<String>), page: &str) {
    assert_eq!(answer.0, StatusCode::SEE_OTHER, "{}", answer.1);
    assert_eq!(answer.2.as_deref(), Some(format!("{page}?done=1").as_str()));
}

/// The catalogue devices receive.
async fn catalogue(server: &TestServer, citizen: &str) -> Value {
    server
        .get(citizen, "/v1/demo/catalogue")
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_admin_runs_the_town_from_the_back_office_and_bad_changes_change_nothing() {
    let (server, citizen, _) = town().await;
    add_staff(&server, "ada@paris.example", "Ada Admin", "admin", None);
    let audit_before: i64 = server.query("SELECT COUNT(*) FROM audit_log", []);

    // An agent has no admin page.
    let mut ana = Browser::new(&server);
    ana.log_in("a.propre@paris.example", PASSWORD).await;
    assert_eq!(ana.get("/admin/staff").await.0, StatusCode::FORBIDDEN);
    assert_eq!(ana.get("/towns").await.0, StatusCode::FORBIDDEN);
    let (_, inbox, _) = ana.get("/inbox").await;
    assert!(!inbox.contains("href=\"/admin\""), "{inbox}");

    let mut ada = Browser::new(&server);
    ada.log_in("ada@paris.example", PASSWORD).await;
    let (status, page, _) = ada.get("/admin/categories").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("/admin/categories/{CATEGORY}")),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    let version = catalogue(&server, &citizen).await["version"]
        .as_i64()
        .unwrap();

    // A category: names, response time, a question; the devices' catalogue follows.
    let path = format!("/admin/categories/{CATEGORY}");
    let questions = r#"[{"code":"floor","label":{"fr":"Étage","en":"Floor"},
        "kind":{"type":"number"},"required":false}]"#;
    let edit = |name_fr: &'static str, questions: &'static str, csrf: &str| {
        [
            ("csrf", csrf.to_owned()),
            ("name_fr", name_fr.to_owned()),
            ("name_en", "Bulky waste".to_owned()),
            ("response_days", "4".to_owned()),
            ("duplicate_radius_m", String::new()),
            ("questions", questions.to_owned()),
        ]
    };
    let form =
        |fields: &[(&'static str, String)]| -> Vec<(&'static str, String)> { fields.to_vec() };
    let post = async |browser: &mut Browser, path: &str, fields: Vec<(&'static str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser.post(path, &fields).await
    };
    let answer = post(
        &mut ada,
        &path,
        form(&edit("Encombrants", questions, &csrf)),
    )
    .await;
    saved(&answer, "/admin/categories");
    let after = catalogue(&server, &citizen).await;
    assert!(after["version"].as_i64().unwrap() > version);
    let category = after["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == CATEGORY)
        .unwrap();
    assert_eq!(category["name"]["fr"], "Encombrants");
    assert_eq!(category["response_days"], 4);
    assert_eq!(category["questions"][0]["code"], "floor");
    // Refused: a forged token, a blank name, unreadable questions, a choice without options.
    let forged = post(&mut ada, &path, form(&edit("X", "[]", "forged"))).await;
    assert_eq!(forged.0, StatusCode::FORBIDDEN);
    let blank = post(&mut ada, &path, form(&edit(" ", "[]", &csrf))).await;
    assert_eq!(blank.0, StatusCode::BAD_REQUEST);
    assert!(blank.1.contains("Modification refusée"), "{}", blank.1);
    let unreadable = post(&mut ada, &path, form(&edit("Y", "[{", &csrf))).await;
    assert_eq!(unreadable.0, StatusCode::BAD_REQUEST);
    let no_options = r#"[{"code":"q","label":{"fr":"Q","en":"Q"},
        "kind":{"type":"single_choice","options":[]},"required":true}]"#;
    let choice = post(&mut ada, &path, form(&edit("Z", no_options, &csrf))).await;
    assert_eq!(choice.0, StatusCode::BAD_REQUEST);
    assert_eq!(catalogue(&server, &citizen).await, after, "nothing changed");

    // Routing: an exception by zone, then its removal, which needs the box ticked.
    let route = [
        ("csrf", csrf.as_str()),
        ("category", CATEGORY),
        ("zone", "75104"),
        ("service", "voirie"),
    ];
    saved(&ada.post("/admin/routing", &route).await, "/admin/routing");
    let rules_of = async || -> Vec<Value> {
        let routing = catalogue(&server, &citizen).await["routing"].clone();
        let rules = routing.as_array().unwrap().iter();
        rules
            .filter(|r| r["category"] == CATEGORY)
            .cloned()
            .collect()
    };
    assert_eq!(
        rules_of().await,
        [json!({"category": CATEGORY, "zone": "75104", "service": "voirie"})]
    );
    let unset = [
        ("csrf", csrf.as_str()),
        ("category", CATEGORY),
        ("zone", "75104"),
    ];
    assert_eq!(
        ada.post("/admin/routing", &unset).await.0,
        StatusCode::BAD_REQUEST
    );
    let bad_zone = [route[0], route[1], ("zone", "nowhere"), route[3]];
    let refused = ada.post("/admin/routing", &bad_zone).await;
    assert_eq!(refused.0, StatusCode::BAD_REQUEST);
    assert!(refused.1.contains("pas cette zone"), "{}", refused.1);
    let confirmed = [unset[0], unset[1], unset[2], ("confirm", "yes")];
    saved(
        &ada.post("/admin/routing", &confirmed).await,
        "/admin/routing",
    );
    assert_eq!(rules_of().await, Vec::<Value>::new());

    // Zones: a GeoJSON import of a quartier inside a stored arrondissement; an orphan refused.
    let zone = |code: &str, parent: &str| {
        json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"code": code, "name": "Îlot test", "kind": "quartier", "parent": parent},
            "geometry": {"type": "Polygon", "coordinates":
                [[[2.35, 48.855], [2.36, 48.855], [2.36, 48.86], [2.35, 48.855]]]}}]})
        .to_string()
    };
    // As a file, confirmed: a job whose page ends saying what it did.
    let import = zone("7510499", "75104");
    let confirmed = [("csrf", csrf.as_str()), ("confirm", "yes")];
    let answer = ada
        .post_files(
            "/admin/zones",
            &confirmed,
            &[("file", "ilot.geojson", import.clone().into_bytes())],
        )
        .await;
    assert_eq!(answer.0, StatusCode::SEE_OTHER);
    let done = ada.finished_job(answer.2).await;
    assert!(done.contains("1 zone(s) importée(s)."), "{done}");
    assert!(
        done.contains(r#"<progress id="import-progress" max="2" value="2">"#),
        "{done}"
    );
    // Pasted, the orphan is refused by the job: nothing changed.
    let orphan = zone("7510498", "nowhere");
    let answer = ada
        .post_files(
            "/admin/zones",
            &[("csrf", &csrf), ("confirm", "yes"), ("geojson", &orphan)],
            &[],
        )
        .await;
    let refused = ada.finished_job(answer.2).await;
    assert!(refused.contains("notice error"), "{refused}");
    assert!(refused.contains("nowhere"), "{refused}");
    // Without the confirmation, with a forged token, or without GeoJSON: nothing starts.
    let answer = ada
        .post_files(
            "/admin/zones",
            &[("csrf", &csrf), ("geojson", &orphan)],
            &[],
        )
        .await;
    assert_eq!(answer.0, StatusCode::BAD_REQUEST);
    let answer = ada
        .post_files(
            "/admin/zones",
            &[("csrf", "forged"), ("confirm", "yes"), ("geojson", &orphan)],
            &[],
        )
        .await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    assert_eq!(
        ada.post_files("/admin/zones", &confirmed, &[]).await.0,
        StatusCode::BAD_REQUEST
    );
    // Another town's job, or none, is not found.
    assert_eq!(
        ada.get(&format!("/admin/imports/{}", Uuid::now_v7()))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let zones = catalogue(&server, &citizen).await["zones"].clone();
    let codes: Vec<&str> = zones
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"7510499") && !codes.contains(&"7510498"),
        "{codes:?}"
    );
    let (_, page, _) = ada.get("/admin/zones").await;
    assert!(page.contains("Îlot test"), "{page}");

    // Reasons and reply templates.
    let reason = [
        ("csrf", csrf.as_str()),
        ("code", "private_land"),
        ("label_fr", "Terrain privé"),
        ("label_en", "Private land"),
    ];
    saved(
        &ada.post("/admin/replies/reasons", &reason).await,
        "/admin/replies",
    );
    let template = [
        ("csrf", csrf.as_str()),
        ("kind", "resolved"),
        ("category", CATEGORY),
        ("text_fr", "Vos encombrants ont été enlevés."),
        ("text_en", "Your bulky waste was removed."),
    ];
    saved(
        &ada.post("/admin/replies/templates", &template).await,
        "/admin/replies",
    );
    let bad_kind = [
        template[0],
        ("kind", "lost"),
        template[2],
        template[3],
        template[4],
    ];
    assert_eq!(
        ada.post("/admin/replies/templates", &bad_kind).await.0,
        StatusCode::BAD_REQUEST
    );
    let after = catalogue(&server, &citizen).await;
    assert!(
        after["rejection_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "private_land")
    );
    assert!(
        after["reply_templates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| {
                t["kind"] == "resolved"
                    && t["category"] == CATEGORY
                    && t["text"]["en"] == "Your bulky waste was removed."
            })
    );

    // Staff: an agent needs exactly one service; a new agent logs in, then is disabled.
    let agent = |services: &[&'static str]| {
        let mut fields = vec![
            ("csrf", csrf.clone()),
            ("email", "c.nouveau@paris.example".to_owned()),
            ("name", "Chloé Nouveau".to_owned()),
            ("role", "agent".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("zone", "75104".to_owned()),
        ];
        fields.extend(services.iter().map(|s| ("service", (*s).to_owned())));
        fields
    };
    let two = post(&mut ada, "/admin/staff", agent(&["proprete", "voirie"])).await;
    assert_eq!(two.0, StatusCode::BAD_REQUEST);
    assert!(two.1.contains("exactement un service"), "{}", two.1);
    saved(
        &post(&mut ada, "/admin/staff", agent(&["proprete"])).await,
        "/admin/staff",
    );
    let taken = post(&mut ada, "/admin/staff", agent(&["proprete"])).await;
    assert_eq!(taken.0, StatusCode::BAD_REQUEST);
    let mut chloe = Browser::new(&server);
    assert_eq!(
        chloe.log_in("c.nouveau@paris.example", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );
    let disable = [
        ("csrf", csrf.as_str()),
        ("email", "c.nouveau@paris.example"),
        ("disabled", "yes"),
    ];
    assert_eq!(
        ada.post("/admin/staff/state", &disable).await.0,
        StatusCode::BAD_REQUEST
    );
    let confirmed = [disable[0], disable[1], disable[2], ("confirm", "yes")];
    saved(
        &ada.post("/admin/staff/state", &confirmed).await,
        "/admin/staff",
    );
    assert_eq!(
        chloe.get("/inbox").await.2.as_deref(),
        Some("/login"),
        "sessions end at once"
    );
    let own = [
        disable[0],
        ("email", "ada@paris.example"),
        disable[2],
        ("confirm", "yes"),
    ];
    let refused = ada.post("/admin/staff/state", &own).await;
    assert_eq!(refused.0, StatusCode::BAD_REQUEST);
    let (_, page, _) = ada.get("/admin/staff").await;
    assert!(
        page.contains("Chloé Nouveau") && page.contains("désactivé"),
        "{page}"
    );

    // The directory of public services, imported from a file in a job; a file that is no
    // directory is refused by the job, nothing changed.
    let kiosk =
        json!([{"id": "kiosque-test", "name": {"fr": "Kiosque du square", "en": "Square kiosk"},
        "kind": {"fr": "Kiosque", "en": "Kiosk"}, "location": {"lat": 48.857, "lon": 2.355}}])
        .to_string();
    let answer = ada
        .post_files(
            "/admin/directory",
            &[("csrf", &csrf)],
            &[("files", "kiosque.json", kiosk.into_bytes())],
        )
        .await;
    let done = ada.finished_job(answer.2).await;
    assert!(done.contains("1 ajoutée(s), 0 modifiée(s)"), "{done}");
    let answer = ada
        .post_files(
            "/admin/directory",
            &[("csrf", &csrf)],
            &[("files", "liste.json", b"{\"not\": \"a list\"}".to_vec())],
        )
        .await;
    let refused = ada.finished_job(answer.2).await;
    assert!(refused.contains("Fichiers refusés"), "{refused}");
    let (_, page, _) = ada.get("/admin/directory").await;
    assert!(page.contains("<td>Kiosque</td>"), "{page}");

    // An alert to the people of an arrondissement; one without a zone is refused.
    let alert = |zone: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("zone", zone.to_owned()),
            ("title_fr", "Travaux rue de Rivoli".to_owned()),
            ("title_en", "Roadworks rue de Rivoli".to_owned()),
            ("text_fr", "La rue est fermée la nuit.".to_owned()),
            ("text_en", "The street is closed at night.".to_owned()),
            ("from", "2026-12-07".to_owned()),
            ("to", "2026-12-11".to_owned()),
        ]
    };
    assert_eq!(
        post(&mut ada, "/admin/alerts", alert("")).await.0,
        StatusCode::BAD_REQUEST
    );
    saved(
        &post(&mut ada, "/admin/alerts", alert("75104")).await,
        "/admin/alerts",
    );
    let alerts: i64 = server.query(
        "SELECT COUNT(*) FROM alerts WHERE title_fr = 'Travaux rue de Rivoli'",
        [],
    );
    assert_eq!(alerts, 1);
    // The page lists it, both languages, its dates and who published it; ending it asks for the
    // confirmation box, then the phones following its zones receive its new end.
    let observer = server.observer().await;
    let (_, page, _) = ada.get("/admin/alerts").await;
    for shown in [
        "Travaux rue de Rivoli",
        "The street is closed at night.",
        "2026-12-07 → 2026-12-12 00:00 UTC",
        "Ada Admin",
        "à venir",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    let id: String = server.query("SELECT id FROM alerts", []);
    let end = format!("/admin/alerts/{id}/end");
    let unconfirmed = ada.post(&end, &[("csrf", &csrf)]).await;
    assert_eq!(unconfirmed.0, StatusCode::BAD_REQUEST);
    let forged = ada
        .post(&end, &[("csrf", "forged"), ("confirm", "yes")])
        .await;
    assert_eq!(forged.0, StatusCode::FORBIDDEN);
    let ends_at =
        |server: &TestServer| -> i64 { server.query("SELECT ends_at_ms FROM alerts", []) };
    let planned_end = ends_at(&server);
    saved(
        &ada.post(&end, &[("csrf", &csrf), ("confirm", "yes")]).await,
        "/admin/alerts",
    );
    assert!(ends_at(&server) < planned_end);
    let (_, page, _) = ada.get("/admin/alerts").await;
    assert!(page.contains("terminée"), "{page}");
    let again = ada.post(&end, &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!(again.0, StatusCode::BAD_REQUEST);
    assert!(again.1.contains("déjà terminée"), "{}", again.1);
    let (_, pulled) = server.pull(&observer.token, "").await;
    let alert = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "alert")
        .unwrap_or_else(|| panic!("{pulled}"));
    assert_eq!(alert["alert"]["ends_at_ms"], json!(ends_at(&server)));

    // Every change is in the audit log, with who made it, and refusals left nothing there.
    let audited: String = server.query(
        "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_log
         WHERE staff_id IS NOT NULL ORDER BY rowid)",
        [],
    );
    assert_eq!(
        audited,
        "town.category routing.set routing.unset town.zones town.rejection_reason \
         town.reply_template staff.add staff.disable directory.import alert.end"
    );
    let audit_after: i64 = server.query("SELECT COUNT(*) FROM audit_log", []);
    assert_eq!(audit_after - audit_before, 10);
    server.stop().await;
}

#[tokio::test]
async fn the_operator_lists_the_towns_and_adds_one_from_its_files() {
    let server = TestServer::start().await;
    server.admin(
        &[
            "staff",
            "add",
            "--operator",
            "--password-stdin",
            "--email",
            "it@syndicat.example",
            "--name",
            "Iris Tech",
        ],
        &format!("{PASSWORD}\n"),
    );
    let mut iris = Browser::new(&server);
    let (_, page, _) = iris.get("/login").await;
    let csrf = hidden(&page, "csrf");
    let answer = iris
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("tenant", ""),
                ("email", "it@syndicat.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer.2.as_deref(), Some("/towns"));
    let (status, page, _) = iris.get("/towns").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<code>demo</code>"), "{page}");
    // An operator runs towns, not their requests.
    assert_eq!(iris.get("/inbox").await.0, StatusCode::FORBIDDEN);
    let csrf = hidden(&page, "csrf");
    let tenant = r#"{"id":"givors","name":"Givors","services":[{"code":"tech","name":{"fr":"Services techniques","en":"Technical services"}}],
        "groups":[{"code":"voirie","name":{"fr":"Voirie","en":"Roads"}}],
        "categories":[{"code":"nid","group":"voirie","name":{"fr":"Nid de poule","en":"Pothole"},"service":"tech"}]}"#;
    let zones = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"code":"69091","name":"Givors","kind":"commune"},
        "geometry":{"type":"Polygon","coordinates":[[[4.7,45.57],[4.8,45.57],[4.8,45.6],[4.7,45.57]]]}}]}"#;
    let bad_tenant = tenant.replace("\"tech\"}]}", "\"nowhere\"}]}");
    let refused = iris
        .post(
            "/towns",
            &[
                ("csrf", &csrf),
                ("tenant_json", &bad_tenant),
                ("zones_geojson", zones),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.0, StatusCode::BAD_REQUEST);
    assert!(refused.1.contains("nowhere"), "{}", refused.1);
    // Without the confirmation box ticked, nothing is stored.
    let unconfirmed = iris
        .post(
            "/towns",
            &[
                ("csrf", &csrf),
                ("tenant_json", tenant),
                ("zones_geojson", zones),
            ],
        )
        .await;
    assert_eq!(unconfirmed.0, StatusCode::BAD_REQUEST);
    assert!(!iris.get("/towns").await.1.contains("<code>givors</code>"));
    saved(
        &iris
            .post(
                "/towns",
                &[
                    ("csrf", &csrf),
                    ("tenant_json", tenant),
                    ("zones_geojson", zones),
                    ("confirm", "yes"),
                ],
            )
            .await,
        "/towns",
    );
    let (_, page, _) = iris.get("/towns").await;
    assert!(page.contains("<code>givors</code>"), "{page}");
    // Phones of the new town register and read its catalogue at once.
    let registered = reqwest::Client::new()
        .post(server.url("/v1/givors/devices"))
        .json(&json!({"platform": "linux", "app_version": "test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    let token = registered.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let catalogue: Value = server
        .get(&token, "/v1/givors/catalogue")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(catalogue["categories"][0]["name"]["en"], "Pothole");
    server.stop().await;
}

/// The shipped history's rows: `days_ago` then the other fields, by header.
fn history(file: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(file.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_demo_history_fills_the_dashboards_through_the_towns_rules() {
    let server = TestServer::start().await;
    let loaded = server.admin(&["--demo", "demo-history"], "");
    let requests = history(include_str!("../seed/demo/history-requests.csv"));
    let ratings = history(include_str!("../seed/demo/history-ratings.csv"));
    assert!(
        loaded.contains(&format!("{} requests", requests.len())),
        "{loaded}"
    );
    // Every request was judged by the rules: stored, with a history entry per step.
    let stored: i64 = server.query("SELECT COUNT(*) FROM reports", []);
    assert_eq!(stored, i64::try_from(requests.len()).unwrap());
    let open_in_file = requests
        .iter()
        .filter(|r| r["outcome"] == "open" || r["fixed"] == "0")
        .count();
    let open_stored: i64 = server.query(
        "SELECT COUNT(*) FROM reports WHERE status NOT IN ('resolved', 'rejected')",
        [],
    );
    assert_eq!(open_stored, i64::try_from(open_in_file).unwrap());

    add_staff(&server, "ada@paris.example", "Ada Admin", "admin", None);
    let mut ada = Browser::new(&server);
    ada.log_in("ada@paris.example", PASSWORD).await;
    // The last 30 days (today included) hold the requests of the last 29 days (none today).
    let recent = requests
        .iter()
        .filter(|r| r["days_ago"].parse::<i64>().unwrap() <= 29)
        .count();
    let (_, page, _) = ada.get("/dashboard").await;
    assert!(
        page.contains(&format!("<dd id=\"total-requests\">{recent}</dd>")),
        "{recent} expected: {page}"
    );
    // Over the whole history: the reopened requests and the reporters' satisfaction.
    let (_, csv, _) = ada
        .get("/dashboard.csv?from=2020-01-01&to=2099-12-31")
        .await;
    let town = history(&csv)
        .into_iter()
        .find(|r| r["dimension"] == "town")
        .unwrap();
    let reopened = requests.iter().filter(|r| r["fixed"] == "0").count();
    assert_eq!(town["requests"], requests.len().to_string());
    assert_eq!(town["reopened"], reopened.to_string());
    let answers: Vec<f64> = requests
        .iter()
        .filter_map(|r| r["satisfaction"].parse().ok())
        .collect();
    assert_eq!(town["satisfaction_answers"], answers.len().to_string());
    let mean = answers.iter().sum::<f64>() / answers.len() as f64;
    assert_eq!(town["satisfaction_mean"], format!("{mean:.4}"));
    // One service in one arrondissement: the rows of the file there, per the town's zones.
    let (status, page, _) = ada
        .get("/dashboard?from=2020-01-01&to=2099-12-31&service=voirie&zone=75104")
        .await;
    assert_eq!(status, StatusCode::OK);
    let narrowed: i64 = server.query(
        "SELECT COUNT(*) FROM reports WHERE service_code = 'voirie' AND zone_code LIKE '75104%'",
        [],
    );
    assert!(
        page.contains(&format!("<dd id=\"total-requests\">{narrowed}</dd>")),
        "{narrowed}: {page}"
    );
    assert_eq!(
        ada.get("/dashboard?zone=nowhere").await.0,
        StatusCode::BAD_REQUEST
    );
    // The inbox's selection as GeoJSON: the open requests, as points where they were filed.
    let (status, geojson, _) = ada.get("/inbox.geojson?status=open").await;
    assert_eq!(status, StatusCode::OK);
    let geojson: Value = serde_json::from_str(&geojson).unwrap();
    assert_eq!(geojson["type"], "FeatureCollection");
    let features = geojson["features"].as_array().unwrap();
    assert_eq!(features.len(), open_in_file);
    let point = &features[0]["geometry"]["coordinates"];
    assert!(requests.iter().any(|r| {
        (r["lon"].parse::<f64>().unwrap() - point[0].as_f64().unwrap()).abs() < 1e-6
            && (r["lat"].parse::<f64>().unwrap() - point[1].as_f64().unwrap()).abs() < 1e-6
    }));

    // Services rated by at least the town's minimum of 5 citizens are placed on the chart.
    let mut raters: HashMap<&str, usize> = HashMap::new();
    for rating in &ratings {
        *raters.entry(rating["service_id"].as_str()).or_default() += 1;
    }
    let placed = raters.values().filter(|n| **n >= 5).count();
    let (_, page, _) = ada.get("/ratings").await;
    assert_eq!(page.matches("<g class=\"service\"").count(), placed);

    // A second load is refused: the town already has requests.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .arg("--data")
        .arg(server.data_dir())
        .args(["--demo", "demo-history"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has"));
    server.stop().await;
}
