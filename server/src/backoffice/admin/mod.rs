//! The pages of a town's admins: its categories and their questions, its zones (GeoJSON
//! import), its routing table, its staff accounts, and its rejection reasons and reply
//! templates. Each change goes through [`crate::staff::admin`] (the rules of the town's files,
//! the audit log); a refused change shows the page again with what is wrong, nothing changed.
//! Removing something (a routing exception), replacing zones, disabling an account and ending an
//! alert ask for a confirmation box to be ticked (checked by the browser, and again here).
//!
//! - [`categories`]: categories, their names, questions, response time and duplicate radius;
//! - [`zones`]: the zones and their GeoJSON import; [`routing`]: category × zone → service;
//! - [`members`]: staff accounts; [`replies`]: rejection reasons and reply templates;
//! - [`alerts`]: publishing an alert to the people of some zones, listing and ending them;
//! - [`directory`]: importing the directory of public services from open-data files;
//! - [`job`]: the page of an import under way (zones, directory), with its progress.

pub(crate) mod alerts;
pub(crate) mod categories;
pub(crate) mod directory;
pub(crate) mod job;
pub(crate) mod members;
pub(crate) mod replies;
pub(crate) mod routing;
pub(crate) mod zones;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::lang::Lang;
use super::layout::{notice, page};
use super::session::Staff;
use super::{forbidden, town_of};
use crate::router::AppState;
use crate::staff::admin::{Admin, Refusal};
use crate::town::Town;
use relais_server_database::{Database, StaffChange};

/// The largest import form (its files included): a town's zones or an open-data file.
const IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// The admin pages' routes.
pub fn routes<DB: Database>() -> Router<AppState<DB>> {
    Router::new()
        .route("/admin", get(home))
        .route("/admin/categories", get(categories::get::<DB>))
        .route("/admin/categories/{code}", post(categories::post::<DB>))
        .route(
            "/admin/zones",
            get(zones::get::<DB>)
                .post(zones::post::<DB>)
                .layer(DefaultBodyLimit::max(IMPORT_BYTES)),
        )
        .route(
            "/admin/routing",
            get(routing::get::<DB>).post(routing::post::<DB>),
        )
        .route(
            "/admin/staff",
            get(members::get::<DB>).post(members::post::<DB>),
        )
        .route("/admin/staff/state", post(members::set_state::<DB>))
        .route(
            "/admin/directory",
            get(directory::get::<DB>)
                .post(directory::post::<DB>)
                .layer(DefaultBodyLimit::max(IMPORT_BYTES)),
        )
        .route(
            "/admin/alerts",
            get(alerts::get::<DB>).post(alerts::post::<DB>),
        )
        .route("/admin/alerts/{id}/end", post(alerts::end::<DB>))
        .route("/admin/imports/{id}", get(job::get::<DB>))
        .route("/admin/replies", get(replies::get::<DB>))
        .route("/admin/replies/reasons", post(replies::post_reason::<DB>))
        .route(
            "/admin/replies/templates",
            post(replies::post_template::<DB>),
        )
}

/// The admin pages' home: the categories (which answer the login page without a session).
#[utoipa::path(
    get,
    path = "/admin",
    operation_id = "backoffice_admin",
    tag = "back office",
    responses((
        status = 303,
        description = "To the categories",
        headers(("Location" = String, description = "`/admin/categories`")),
    )),
)]
pub async fn home() -> Redirect {
    Redirect::to("/admin/categories")
}

/// The signed-in staff member as their town's admin: anyone else gets a forbidden page, and
/// without a session, the login page.
pub struct AdminStaff {
    pub staff: Staff,
    admin: Admin,
}

impl<DB: Database> FromRequestParts<AppState<DB>> for AdminStaff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<DB>,
    ) -> Result<Self, Self::Rejection> {
        let staff = Staff::from_request_parts(parts, state).await?;
        match Admin::of(&staff.member) {
            Some(admin) => Ok(Self { staff, admin }),
            None => Err(forbidden(staff.lang)),
        }
    }
}

impl AdminStaff {
    /// The admin making a change, when the form carries this session's CSRF token.
    fn changing(&self, csrf: &str) -> Result<&Admin, Forbidden> {
        if self.staff.checks(csrf) {
            Ok(&self.admin)
        } else {
            Err(Forbidden(self.staff.lang))
        }
    }
}

/// A form without this session's CSRF token: the forbidden page.
struct Forbidden(Lang);

impl IntoResponse for Forbidden {
    fn into_response(self) -> Response {
        forbidden(self.0)
    }
}

/// An admin page: where it is, its title, and what it shows of the admin's town.
trait AdminPage {
    const HERE: &'static str;
    /// In French and English.
    const TITLE: (&'static str, &'static str);

    fn content<DB: Database>(
        state: &AppState<DB>,
        staff: &Staff,
        town: &Town,
    ) -> impl Future<Output = Result<Markup, Response>> + Send;
}

/// Page `P` with what just happened (`Some((text, is_error))`).
async fn render<DB: Database, P: AdminPage>(
    state: &AppState<DB>,
    staff: &Staff,
    shown: Option<(&str, bool)>,
) -> Response {
    let town = match town_of(state, staff).await {
        Ok(town) => town,
        Err(response) => return response,
    };
    match P::content(state, staff, &town).await {
        Ok(content) => {
            let title = staff.lang.choose(P::TITLE.0, P::TITLE.1);
            admin_page(staff, P::HERE, title, shown, content).into_response()
        }
        Err(response) => response,
    }
}

/// Defines, in an admin page's module, its `GET` handler ([`show`] of its `Page`) with the
/// OpenAPI description every admin page shares: the operation's id and its summary vary.
macro_rules! page_handler {
    ($operation:literal, $summary:literal) => {
        #[doc = $summary]
        #[utoipa::path(
            get,
            path = HERE,
            operation_id = $operation,
            tag = "back office",
            params(super::Done),
            responses(
                (status = 200, description = "The page", body = String, content_type = "text/html; charset=utf-8"),
                crate::openapi::PageRefusals,
            ),
            security(("session" = [])),
        )]
        pub async fn get<DB: Database>(
            state: axum::extract::State<AppState<DB>>,
            signed: super::AdminStaff,
            done: axum::extract::Query<super::Done>,
        ) -> axum::response::Response {
            super::show::<DB, Page>(state, signed, done).await
        }
    };
}
use page_handler;

/// `GET` of an admin page (`?done=1`: a change was just saved).
async fn show<DB: Database, P: AdminPage>(
    State(state): State<AppState<DB>>,
    signed: AdminStaff,
    Query(done): Query<Done>,
) -> Response {
    render::<DB, P>(&state, &signed.staff, done.notice(signed.staff.lang)).await
}

/// The admin pages, as tabs.
const TABS: [(&str, &str, &str); 7] = [
    ("/admin/categories", "Catégories", "Categories"),
    ("/admin/zones", "Zones", "Zones"),
    ("/admin/routing", "Aiguillage", "Routing"),
    ("/admin/staff", "Personnel", "Staff"),
    (
        "/admin/replies",
        "Motifs et modèles de réponse",
        "Reasons and reply templates",
    ),
    ("/admin/alerts", "Alertes", "Alerts"),
    (
        "/admin/directory",
        "Annuaire des services",
        "Directory of services",
    ),
];

/// An admin page: the tabs, then what happened (`Some((text, is_error))`), then `content`.
fn admin_page(
    staff: &Staff,
    here: &str,
    title: &str,
    shown: Option<(&str, bool)>,
    content: Markup,
) -> Markup {
    let lang = staff.lang;
    page(
        lang,
        Some(staff),
        here,
        title,
        html! {
            nav.tabs aria-label=(lang.choose("Administration", "Administration")) {
                @for (path, fr, en) in TABS {
                    @if path == here {
                        a href=(path) aria-current="page" { (lang.choose(fr, en)) }
                    } @else {
                        a href=(path) { (lang.choose(fr, en)) }
                    }
                }
            }
            h1 { (title) }
            @if let Some((text, error)) = shown { (notice(text, error)) }
            (content)
        },
    )
}

/// What a page shows after a change: `?done=1` says it was saved.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Done {
    /// Not empty: a change was just saved (the page says so).
    done: String,
}

impl Done {
    pub(super) fn notice(&self, lang: Lang) -> Option<(&'static str, bool)> {
        (!self.done.is_empty()).then(|| (lang.choose("Enregistré.", "Saved."), false))
    }
}

/// A form read as pairs, for the forms with repeated fields (services, zones).
#[derive(Debug, serde::Deserialize)]
#[serde(transparent)]
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    /// The field `name` (empty when absent).
    fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// Every non-empty value of the repeated field `name`, in order.
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.clone())
            .collect()
    }
}

/// The words for a refused change.
pub(super) fn refusal_text(lang: Lang, refusal: &Refusal) -> String {
    use crate::staff::accounts::AccountProblem as P;
    let (fr, en): (&str, &str) = match refusal {
        Refusal::Account(P::Email(_)) => ("Adresse e-mail incorrecte.", "Not an e-mail address."),
        Refusal::Account(P::Name) => ("Un nom est nécessaire.", "A name is needed."),
        Refusal::Account(P::ShortPassword) => (
            "Le mot de passe doit compter au moins 12 caractères.",
            "The password needs at least 12 characters.",
        ),
        Refusal::Account(P::AgentServices) => (
            "Un agent travaille pour exactement un service.",
            "An agent works for exactly one service.",
        ),
        Refusal::Account(P::SupervisorServices) => (
            "Un superviseur supervise au moins un service.",
            "A supervisor supervises at least one service.",
        ),
        Refusal::Account(P::Zones) => (
            "Seuls les agents sont limités à des zones.",
            "Only agents are limited to zones.",
        ),
        Refusal::Account(P::Town) => ("Rôle impossible ici.", "This role is not possible here."),
        Refusal::Change(StaffChange::UnknownService) => (
            "La ville n'a pas ce service (ou cette catégorie).",
            "The town has no such service (or category).",
        ),
        Refusal::Change(StaffChange::UnknownZone) => {
            ("La ville n'a pas cette zone.", "The town has no such zone.")
        }
        Refusal::Change(StaffChange::EmailTaken) => (
            "Cette adresse a déjà un compte ici.",
            "This address already has an account here.",
        ),
        Refusal::Change(StaffChange::UnknownStaff) => (
            "Aucun compte à cette adresse.",
            "No account at this address.",
        ),
        Refusal::Change(_) => ("Ville inconnue.", "Unknown town."),
        Refusal::OwnAccount => (
            "Vous ne pouvez pas désactiver votre propre compte.",
            "You cannot disable your own account.",
        ),
        Refusal::Definition(detail) => {
            return format!(
                "{} {detail}",
                lang.choose("Modification refusée :", "Change refused:")
            );
        }
        Refusal::Db(_) => ("Erreur de stockage.", "Storage failure."),
    };
    lang.choose(fr, en).to_owned()
}

/// The answer to a change on page `P`: back to it saying it was saved, or the refusal (see
/// [`refused`]), or a storage failure.
async fn answer<DB: Database, P: AdminPage>(
    result: Result<(), Refusal>,
    state: &AppState<DB>,
    staff: &Staff,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("{}?done=1", P::HERE)).into_response(),
        Err(Refusal::Db(error)) => crate::error::ApiFailure::from(error).into_response(),
        Err(refusal) => refused::<DB, P>(state, staff, &refusal_text(staff.lang, &refusal)).await,
    }
}

/// Page `P` again with what is wrong, `400`: nothing changed.
async fn refused<DB: Database, P: AdminPage>(
    state: &AppState<DB>,
    staff: &Staff,
    text: &str,
) -> Response {
    let mut response = render::<DB, P>(state, staff, Some((text, true))).await;
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}

/// An empty form field as `None`, else its number (a wrong number is refused by the caller).
fn optional_number(text: &str) -> Result<Option<u32>, ()> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| ()),
    }
}

/// A confirmation box that a destructive action needs ticked, saying what is confirmed.
pub(super) fn confirm_box(id: &str, what: &str) -> Markup {
    html! {
        label.confirm for=(id) {
            input #(id) type="checkbox" name="confirm" value="yes" required;
            " " (what)
        }
    }
}
