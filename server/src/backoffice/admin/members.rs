//! The staff page: the town's accounts (address, name, role, services, zones, whether disabled),
//! a form to add one (an agent works for one service and may be limited to zones, a supervisor
//! supervises services, an admin runs the whole town), and disabling (confirmed) or enabling an
//! account: a disabled member's devices and sessions stop working at once.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use relais_protocol::StaffRole;
use relais_server_database::Database;
use serde::Deserialize;

use super::{AdminPage, AdminStaff, Pairs, answer, confirm_box};
use crate::backoffice::bad_request;
use crate::backoffice::inbox::zone_name;
use crate::backoffice::lang::Lang;
use crate::backoffice::session::Staff;
use crate::router::AppState;
use crate::staff::admin::{NewMember, add_member, set_member_disabled};
use crate::town::Town;

const HERE: &str = "/admin/staff";

/// The roles an admin may give, with their names.
const ROLES: [(StaffRole, &str, &str); 3] = [
    (StaffRole::Agent, "Agent", "Agent"),
    (StaffRole::Supervisor, "Superviseur", "Supervisor"),
    (StaffRole::Admin, "Administrateur", "Admin"),
];

fn role_name(role: StaffRole, lang: Lang) -> &'static str {
    ROLES
        .iter()
        .find(|(r, ..)| *r == role)
        .map_or("—", |(_, fr, en)| lang.choose(fr, en))
}

/// The page.
pub struct Page;

super::page_handler!(
    "backoffice_admin_staff",
    " An admin page: the town's staff accounts, and the forms that add and disable them."
);

impl AdminPage for Page {
    const HERE: &'static str = HERE;
    const TITLE: (&'static str, &'static str) = ("Personnel", "Staff");

    async fn content<DB: Database>(
        state: &AppState<DB>,
        staff: &Staff,
        town: &Town,
    ) -> Result<Markup, Response> {
        let lang = staff.lang;
        let accounts = match state.db.staff_accounts(Some(town.id().to_owned())).await {
            Ok(accounts) => accounts,
            Err(error) => return Err(crate::error::ApiFailure::from(error).into_response()),
        };
        let service = |code: &String| {
            town.service_name(code)
                .map_or_else(|| code.clone(), |n| lang.pick(n).to_owned())
        };
        Ok(html! {
            div.columns {
                div.panel.scroll {
                    table {
                        thead { tr {
                            th scope="col" { (lang.choose("Adresse", "Address")) }
                            th scope="col" { (lang.choose("Nom", "Name")) }
                            th scope="col" { (lang.choose("Rôle", "Role")) }
                            th scope="col" { (lang.choose("Services et zones", "Services and zones")) }
                            th scope="col" { (lang.choose("État", "State")) }
                        } }
                        tbody {
                            @for (i, account) in accounts.iter().enumerate() {
                                @let profile = &account.member.profile;
                                tr {
                                    td { (profile.email) }
                                    td { (profile.name) }
                                    td { (role_name(profile.role, lang)) }
                                    td {
                                        (profile.services.iter().map(service).collect::<Vec<_>>().join(", "))
                                        @if !profile.zones.is_empty() {
                                            br; span.meta { (profile.zones.iter().map(|z| zone_name(town, z)).collect::<Vec<_>>().join(", ")) }
                                        }
                                    }
                                    td {
                                        form method="post" action={ (HERE) "/state" } {
                                            input type="hidden" name="csrf" value=(staff.csrf);
                                            input type="hidden" name="email" value=(profile.email);
                                            @if account.disabled_at_ms.is_some() {
                                                span.late { (lang.choose("désactivé", "disabled")) } " "
                                                input type="hidden" name="disabled" value="no";
                                                button type="submit" { (lang.choose("Réactiver", "Enable")) }
                                            } @else {
                                                (lang.choose("actif", "active")) " "
                                                input type="hidden" name="disabled" value="yes";
                                                (confirm_box(&format!("disable-{i}"), lang.choose("Je confirme", "I confirm")))
                                                " "
                                                button type="submit" { (lang.choose("Désactiver", "Disable")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div.panel {
                    h2 { (lang.choose("Ajouter un membre du personnel", "Add a staff member")) }
                    form.stack method="post" action=(HERE) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        label for="email" { (lang.choose("Adresse e-mail", "E-mail address")) }
                        input #email type="email" name="email" required;
                        label for="name" { (lang.choose("Nom", "Name")) }
                        input #name name="name" required;
                        label for="role" { (lang.choose("Rôle", "Role")) }
                        select #role name="role" {
                            @for (role, fr, en) in ROLES {
                                option value=(role.as_str()) { (lang.choose(fr, en)) }
                            }
                        }
                        label for="services" { (lang.choose("Services (un pour un agent ; Ctrl pour plusieurs)", "Services (one for an agent; Ctrl for several)")) }
                        select #services name="service" multiple size="5" {
                            @for info in &town.catalogue.services {
                                option value=(info.code) { (lang.pick(&info.name)) }
                            }
                        }
                        label for="zones" { (lang.choose("Zones d'un agent (aucune : toutes)", "An agent's zones (none: all)")) }
                        select #zones name="zone" multiple size="5" {
                            @for zone in &town.catalogue.zones {
                                option value=(zone.code) { (zone.name) }
                            }
                        }
                        label for="password" { (lang.choose("Premier mot de passe (12 caractères au moins ; vide : appareil seulement)", "First password (at least 12 characters; empty: device only)")) }
                        input #password type="password" name="password" autocomplete="new-password";
                        p { button.primary type="submit" { (lang.choose("Créer le compte", "Create the account")) } }
                    }
                }
            }
        })
    }
}

/// The new account's form, as the OpenAPI document describes it ([`post`] reads it as
/// [`super::Pairs`]).
#[derive(utoipa::ToSchema)]
#[schema(as = backoffice::NewMemberForm)]
#[allow(dead_code)]
pub struct NewMemberForm {
    /// The session's CSRF token.
    csrf: String,
    email: String,
    name: String,
    /// `agent`, `supervisor` or `admin`.
    role: String,
    /// The services' codes (exactly one for an agent), the field repeated.
    service: Option<Vec<String>>,
    /// An agent's zones' codes (none: all), the field repeated.
    zone: Option<Vec<String>>,
    /// The first password, 12 characters at least (empty: the account logs in on a device only).
    password: Option<String>,
}

/// Adds a staff account. The form is read as pairs: `service` and `zone` are repeated fields.
#[utoipa::path(
    post,
    path = HERE,
    operation_id = "backoffice_admin_add_staff",
    tag = "back office",
    request_body(content = NewMemberForm, content_type = "application/x-www-form-urlencoded"),
    responses(crate::openapi::AdminSaved, crate::openapi::FormRefusals),
    security(("session" = [])),
)]
pub async fn post<DB: Database>(
    State(state): State<AppState<DB>>,
    signed: AdminStaff,
    Form(fields): Form<Pairs>,
) -> Response {
    let staff = &signed.staff;
    let lang = staff.lang;
    let admin = match signed.changing(fields.text("csrf")) {
        Ok(admin) => admin,
        Err(page) => return page.into_response(),
    };
    let Some(role) = ROLES
        .iter()
        .map(|(role, ..)| *role)
        .find(|role| role.as_str() == fields.text("role"))
    else {
        return bad_request(lang, "rôle inconnu", "unknown role");
    };
    let member = NewMember {
        email: fields.text("email").to_owned(),
        name: fields.text("name").to_owned(),
        role,
        services: fields.all("service"),
        zones: fields.all("zone"),
        password: Some(fields.text("password").to_owned()).filter(|p| !p.is_empty()),
    };
    let result = add_member(&state.db, admin, member).await.map(|_| ());
    answer::<DB, Page>(result, &state, staff).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::StateForm)]
pub struct StateForm {
    /// The session's CSRF token.
    #[serde(default)]
    csrf: String,
    /// The account's e-mail address.
    email: String,
    /// `yes`: disable it; anything else: enable it.
    disabled: String,
    /// `yes`: the disabling confirmed.
    #[serde(default)]
    confirm: String,
}

/// Disables or enables a staff account (disabling ends its sessions).
#[utoipa::path(
    post,
    path = "/admin/staff/state",
    operation_id = "backoffice_admin_staff_state",
    tag = "back office",
    request_body(content = StateForm, content_type = "application/x-www-form-urlencoded"),
    responses(crate::openapi::AdminSaved, crate::openapi::FormRefusals),
    security(("session" = [])),
)]
pub async fn set_state<DB: Database>(
    State(state): State<AppState<DB>>,
    signed: AdminStaff,
    Form(form): Form<StateForm>,
) -> Response {
    let staff = &signed.staff;
    let lang = staff.lang;
    let admin = match signed.changing(&form.csrf) {
        Ok(admin) => admin,
        Err(page) => return page.into_response(),
    };
    let disable = form.disabled == "yes";
    if disable && form.confirm != "yes" {
        return bad_request(lang, "confirmation manquante", "confirmation missing");
    }
    let result = set_member_disabled(&state.db, admin, &form.email, disable).await;
    answer::<DB, Page>(result, &state, staff).await
}
