//! The real Relais server inside the simulation: `relais-server`'s own router, rules and storage
//! (SQLite in a data directory of its own, or a PostgreSQL database of its own: see
//! [`super::postgres`]), driven in process (no sockets, so a seed replays the same schedule). It
//! crashes and restarts on the same data, is backed up and restored from its backup the way
//! `relais-server backup` and `restore` do, enrols agents and acts as the town's staff the way
//! the administration commands and the back office do, and its database is read directly to
//! check the invariants.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use crux_http::protocol::{HttpHeader, HttpRequest, HttpResponse, HttpResult};
use relais_protocol::{StaffRole, WorkflowAction};
use relais_server::staff::workflow::ActionRequest;
use relais_server::staff::{Channel, StaffActor};
use relais_server::{Database, Server, Settings, Storage};
use relais_server_database::{NewApiKey, NewDevice, NewEnrolment, NewStaff, StaffMember};
use tower::ServiceExt;
use uuid::Uuid;

use super::postgres;
use super::reader::Reader;

pub const TENANT: &str = "demo";

/// The backup archive's name in its folder.
const BACKUP: &str = "backup.tar";

/// Runs `$body` with `$db` bound to the server's storage, whichever backend it is
/// ([`Storage`]).
macro_rules! on_storage {
    ($server:expr, $db:ident => $body:expr) => {
        match $server.storage() {
            Storage::Sqlite($db) => $body,
            Storage::Postgres($db) => $body,
        }
    };
}

/// The real server on its data directory (and database), and the runtime its handlers run on.
pub struct SimServer {
    runtime: tokio::runtime::Runtime,
    settings: Settings,
    /// `None` while it is down.
    server: Option<Server>,
    /// The server's routes, built once per start rather than once per request.
    router: Option<axum::Router>,
    data_dir: tempfile::TempDir,
    /// The folder of the last backup, `backup.tar`, once one was taken.
    backup: Option<tempfile::TempDir>,
    /// The town's staff member acting from the back office.
    supervisor: Option<StaffMember>,
    /// The server's PostgreSQL database, when it stores in one (dropped with the simulation).
    postgres: Option<postgres::Database>,
}

/// Where the simulation keeps its files: memory (`/dev/shm`) where there is some, since every
/// store commits with `synchronous=FULL` and the simulation is about order, not disks.
pub fn scratch() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_owned()
    } else {
        std::env::temp_dir()
    }
}

/// A folder that lives as long as this test process: `relais-sim-PID-NAME` in [`scratch`]. A
/// static is never dropped, so the folders of processes that are gone (`/proc/PID` missing) are
/// removed here instead, by the next process that makes one.
pub fn process_folder(name: &str) -> PathBuf {
    let scratch = scratch();
    if let Ok(entries) = std::fs::read_dir(&scratch) {
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let pid = file_name
                .to_str()
                .and_then(|n| n.strip_prefix("relais-sim-"))
                .and_then(|rest| rest.split_once('-'))
                .map(|(pid, _)| pid.to_owned());
            if let Some(pid) = pid
                && Path::new("/proc/self").exists()
                && !Path::new("/proc").join(&pid).exists()
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = scratch.join(format!("relais-sim-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A data directory holding the demo town, made once per test process: seeding it costs more
/// than a whole seed of the simulation, so every seed starts from a copy.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = process_folder("template");
        let runtime = runtime();
        let settings = settings(&dir, true);
        runtime.block_on(async {
            let server = Server::open(&settings).await.unwrap();
            drop(server);
        });
        dir
    })
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The settings of a server in `dir` storing in SQLite, its database a copy of the template's.
fn sqlite_demo_town(dir: &Path) -> Settings {
    let template = settings(template(), true).database_path();
    let settings = settings(dir, false);
    rusqlite::Connection::open_with_flags(&template, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .execute(
            "VACUUM INTO ?1",
            [settings.database_path().to_str().unwrap()],
        )
        .unwrap();
    settings
}

fn settings(dir: &Path, demo: bool) -> Settings {
    Settings::local(dir.to_owned(), demo)
}

/// The most changes a pull page of the simulated server holds.
const SIMULATED_PULL_PAGE: u32 = 3;

impl SimServer {
    /// A server holding the demo town, with a supervisor of every service for staff actions.
    pub fn start() -> Self {
        let dir = tempfile::tempdir_in(scratch()).unwrap();
        let runtime = runtime();
        let (settings, postgres) = match postgres::server() {
            Some(server) => {
                let database = postgres::Database::demo_town(server, &runtime);
                (
                    postgres::settings(dir.path(), false, &database.url),
                    Some(database),
                )
            }
            None => (sqlite_demo_town(dir.path()), None),
        };
        let mut sim = Self {
            runtime,
            settings,
            server: None,
            router: None,
            data_dir: dir,
            backup: None,
            supervisor: None,
            postgres,
        };
        sim.restart();
        let email = "supervisor@relais.test";
        sim.add_staff(email, StaffRole::Supervisor, Vec::new());
        sim.supervisor = Some(sim.member(email));
        sim
    }

    fn server(&self) -> &Server {
        self.server.as_ref().expect("the server is up")
    }

    /// The server dies (what it had not committed is lost with it) and starts again on its
    /// data (its files, or its PostgreSQL database, which rolls back what it had not committed).
    pub fn restart(&mut self) {
        self.server = None;
        self.router = None;
        let server = self.runtime.block_on(Server::open(&self.settings)).unwrap();
        self.router = Some(server.router());
        self.server = Some(server);
    }

    /// Takes a backup of the serving server, as the nightly `relais-server backup` does.
    pub fn back_up(&mut self) {
        let folder = tempfile::tempdir_in(scratch()).unwrap();
        let (data_dir, out) = (&self.settings.data_dir, &folder.path().join(BACKUP));
        match &self.postgres {
            Some(database) => self
                .runtime
                .block_on(relais_server::backup::backup_postgres(
                    &database.url,
                    postgres::tools().as_deref(),
                    data_dir,
                    out,
                    true,
                ))
                .unwrap(),
            None => relais_server::backup::backup(data_dir, out, true).unwrap(),
        };
        self.backup = Some(folder);
    }

    /// The server dies and is restored from its last backup into a new data directory, as
    /// `relais-server restore` does, then starts there: what it stored since the backup is
    /// gone. Whether there was a backup to restore.
    pub fn restore(&mut self) -> bool {
        let Some(backup) = &self.backup else {
            return false;
        };
        self.server = None;
        self.router = None;
        let dir = tempfile::tempdir_in(scratch()).unwrap();
        let archive = backup.path().join(BACKUP);
        match self.postgres.take() {
            Some(old) => {
                let database = postgres::Database::empty(old.server(), &self.runtime);
                self.runtime
                    .block_on(relais_server::backup::restore_postgres(
                        &archive,
                        &database.url,
                        postgres::tools().as_deref(),
                        dir.path(),
                    ))
                    .unwrap();
                old.remove(&self.runtime);
                self.settings = postgres::settings(dir.path(), false, &database.url);
                self.postgres = Some(database);
            }
            None => {
                relais_server::backup::restore(&archive, dir.path()).unwrap();
                self.settings = settings(dir.path(), false);
            }
        }
        self.data_dir = dir;
        self.restart();
        true
    }

    /// A read-only connection to the server's database, to read what it holds.
    pub fn reader(&self) -> Reader<'_> {
        match &self.postgres {
            Some(database) => Reader::postgres(&database.url, &self.runtime),
            None => Reader::sqlite(&self.settings.database_path()),
        }
    }

    /// Where the server keeps its files (its photos under `photos/`).
    pub fn data_dir(&self) -> &Path {
        &self.settings.data_dir
    }

    /// `GET path` with `token` (or none), answered by the server's router: what a device or a
    /// third party reads.
    pub fn get(&self, path: &str, token: Option<&str>) -> HttpResponse {
        let request = HttpRequest {
            method: "GET".into(),
            url: format!("{}{path}", crate::model::testing::SERVER),
            headers: token
                .map(|token| HttpHeader {
                    name: "authorization".into(),
                    value: format!("Bearer {token}"),
                })
                .into_iter()
                .collect(),
            body: Vec::new(),
        };
        match self.handle(&request) {
            HttpResult::Ok(response) => response,
            HttpResult::Err(error) => unreachable!("the router answers in process: {error:?}"),
        }
    }

    /// Answers one of the core's requests with the server's own router.
    pub fn handle(&self, request: &HttpRequest) -> HttpResult {
        let url = url::Url::parse(&request.url).expect("the core sends absolute URLs");
        let target = match url.query() {
            // Pages of a few changes, where a phone asks for 500: a sync reads several pages,
            // each asked for while the store applies the one before it.
            Some(query) if url.path().ends_with("/sync/pull") => {
                let query = query.replace(
                    &format!("limit={}", crate::effects::api::PULL_PAGE),
                    &format!("limit={SIMULATED_PULL_PAGE}"),
                );
                format!("{}?{query}", url.path())
            }
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let mut builder = axum::http::Request::builder()
            .method(request.method.as_str())
            .uri(target);
        for header in &request.headers {
            builder = builder.header(&header.name, &header.value);
        }
        let mut http_request = builder.body(Body::from(request.body.clone())).unwrap();
        // What the accept loop gives every request: the client's address.
        http_request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                0,
            ))));
        let router = self.router.clone().expect("the server is up");
        self.runtime.block_on(async move {
            let response = router.oneshot(http_request).await.unwrap();
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| HttpHeader {
                    name: name.as_str().to_owned(),
                    value: value.to_str().unwrap_or_default().to_owned(),
                })
                .collect();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec();
            HttpResult::Ok(HttpResponse {
                status,
                headers,
                body,
            })
        })
    }

    fn add_staff(&self, email: &str, role: StaffRole, services: Vec<String>) {
        let staff = NewStaff {
            id: Uuid::now_v7(),
            tenant: Some(TENANT.into()),
            email: email.into(),
            name: email.into(),
            role,
            services,
            zones: Vec::new(),
            password_hash: None,
            created_at_ms: now_ms(),
        };
        on_storage!(self.server(), db => self.runtime.block_on(db.add_staff(staff))).unwrap();
    }

    fn member(&self, email: &str) -> StaffMember {
        let tenant = Some(TENANT.to_owned());
        on_storage!(self.server(), db => self.runtime.block_on(db.staff_accounts(tenant)))
            .unwrap()
            .into_iter()
            .find(|account| account.member.profile.email == email)
            .expect("the staff member exists")
            .member
    }

    /// Creates the account of an agent of `service` and returns a one-time enrolment code for
    /// their device, as `relais-server enrol-agent` does.
    pub fn enrol_agent(&self, email: &str, service: &str) -> String {
        self.add_staff(email, StaffRole::Agent, vec![service.into()]);
        let member = self.member(email);
        let code = relais_server::enrolment::EnrolmentCode::generate();
        let now = now_ms();
        let enrolment = NewEnrolment {
            code: code.hash(),
            tenant: TENANT.into(),
            staff: member.id,
            created_at_ms: now,
            expires_at_ms: now + relais_server::enrolment::VALIDITY_MS,
        };
        on_storage!(self.server(), db => self.runtime.block_on(db.create_enrolment(enrolment)))
            .unwrap();
        code.as_str().to_owned()
    }

    /// Issues an Open311 api key to the application `name`, as `relais-server open311-keys
    /// add` does: the application files as a citizen device of its own.
    pub fn add_open311_key(&self, name: &str) -> String {
        let key = relais_server::token::BearerToken::api_key();
        let api_key = NewApiKey {
            id: Uuid::now_v7(),
            name: name.into(),
            key: key.hash(),
            device: NewDevice {
                id: Uuid::now_v7(),
                tenant: TENANT.into(),
                token: relais_server::token::BearerToken::device().hash(),
                platform: "open311".into(),
                app_version: name.into(),
                language: Some("fr".into()),
                created_at_ms: now_ms(),
            },
        };
        let added =
            on_storage!(self.server(), db => self.runtime.block_on(db.add_api_key(api_key)))
                .unwrap();
        assert!(added, "the town exists");
        key.into_string()
    }

    /// The supervisor acts on a report from the back office, having seen it at `base_version`.
    /// Whether the rules took it.
    pub fn staff_act(&self, report_id: Uuid, base_version: i64, action: WorkflowAction) -> bool {
        let actor = StaffActor {
            member: self.supervisor.clone().expect("the supervisor exists"),
            channel: Channel::Web,
        };
        let request = ActionRequest {
            report_id,
            base_version,
            action,
            reply: None,
            note: Some(format!("NOTE-{report_id}")),
            legacy: false,
        };
        let server = self.server();
        let towns = server.towns();
        on_storage!(server, db => self.runtime.block_on(
            relais_server::staff::act::act(db, towns, &actor, TENANT, request)
        ))
        .unwrap()
        .is_ok()
    }
}

impl Drop for SimServer {
    /// The server dies, then its PostgreSQL database goes, if it has one.
    fn drop(&mut self) {
        self.router = None;
        self.server = None;
        if let Some(database) = self.postgres.take() {
            database.remove(&self.runtime);
        }
    }
}

fn now_ms() -> i64 {
    crate::model::millis(std::time::SystemTime::now())
}
