//! The pages of a town's admins: its categories and their questions, its zones (GeoJSON
//! import), its routing table, its staff accounts, and its rejection reasons and reply
//! templates. Each change goes through [`crate::staff::admin`] (the rules of the town's files,
//! the audit log); a refused change shows the page again with what is wrong, nothing changed.
//! Removing something (a routing exception) and disabling an account ask for a confirmation
//! box to be ticked.
//!
//! - [`categories`]: categories, their names, questions, response time and duplicate radius;
//! - [`zones`]: the zones and their GeoJSON import; [`routing`]: category × zone → service;
//! - [`members`]: staff accounts; [`replies`]: rejection reasons and reply templates.

mod categories;
mod members;
mod replies;
mod routing;
mod zones;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::lang::Lang;
use super::layout::{notice, page};
use super::session::Staff;
use crate::router::AppState;
use crate::staff::admin::{Admin, Refusal};
use relais_server_database::{Database, StaffChange};

/// The admin pages' routes.
pub fn routes<DB: Database>() -> Router<AppState<DB>> {
    Router::new()
        .route(
            "/admin",
            get(|| async { Redirect::to("/admin/categories") }),
        )
        .route("/admin/categories", get(categories::get::<DB>))
        .route("/admin/categories/{code}", post(categories::post::<DB>))
        .route(
            "/admin/zones",
            get(zones::get::<DB>).post(zones::post::<DB>),
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
        .route("/admin/replies", get(replies::get::<DB>))
        .route("/admin/replies/reasons", post(replies::post_reason::<DB>))
        .route(
            "/admin/replies/templates",
            post(replies::post_template::<DB>),
        )
}

/// The signed-in staff member as their town's admin (`None`: not one; they get a forbidden
/// page).
fn admin_of(staff: &Staff) -> Option<Admin> {
    Admin::of(&staff.member)
}

/// The admin pages, as tabs.
const TABS: [(&str, &str, &str); 5] = [
    ("/admin/categories", "Catégories", "Categories"),
    ("/admin/zones", "Zones", "Zones"),
    ("/admin/routing", "Aiguillage", "Routing"),
    ("/admin/staff", "Personnel", "Staff"),
    (
        "/admin/replies",
        "Motifs et modèles de réponse",
        "Reasons and reply templates",
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
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

impl Done {
    pub(super) fn notice(&self, lang: Lang) -> Option<(&'static str, bool)> {
        (!self.done.is_empty()).then(|| (lang.choose("Enregistré.", "Saved."), false))
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

/// The answer to a change: back to `page` saying it was saved, or `refused` (the page again
/// with the reason, `400`, nothing changed), or a storage failure.
async fn answer<F>(result: Result<(), Refusal>, staff: &Staff, page: &str, refused: F) -> Response
where
    F: AsyncFnOnce(String) -> Response,
{
    match result {
        Ok(()) => Redirect::to(&format!("{page}?done=1")).into_response(),
        Err(Refusal::Db(error)) => crate::error::ApiFailure::from(error).into_response(),
        Err(refusal) => {
            let mut response = refused(refusal_text(staff.lang, &refusal)).await;
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
    }
}

/// An empty form field as `None`, else its number (a wrong number is refused by the caller).
fn optional_number(text: &str) -> Result<Option<u32>, ()> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| ()),
    }
}

/// A confirmation box that a destructive action needs ticked.
fn confirm_box(lang: Lang, id: &str) -> Markup {
    html! {
        label.confirm for=(id) {
            input #(id) type="checkbox" name="confirm" value="yes" required;
            " " (lang.choose("Je confirme", "I confirm"))
        }
    }
}
