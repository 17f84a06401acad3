//! The categories page: each category's names in French and English, its service, published
//! response time, duplicate radius and extra questions, and a form to change them (the questions
//! as the JSON of the town's files, checked by the same rules).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use relais_protocol::{LocalizedText, Question};
use relais_server_database::Database;
use serde::Deserialize;

use super::{AdminPage, AdminStaff, answer, optional_number, render};
use crate::backoffice::bad_request;
use crate::backoffice::session::Staff;
use crate::router::AppState;
use crate::staff::admin::{TownEdit, edit_town};
use crate::town::Town;

const HERE: &str = "/admin/categories";

/// The page.
pub struct Page;

super::page_handler!(
    "backoffice_admin_categories",
    " An admin page: the town's categories: their names, questions, response times and duplicate radii, each with its form."
);

impl AdminPage for Page {
    const HERE: &'static str = HERE;
    const TITLE: (&'static str, &'static str) = ("Catégories", "Categories");

    async fn content<DB: Database>(
        _state: &AppState<DB>,
        staff: &Staff,
        town: &Town,
    ) -> Result<Markup, Response> {
        let lang = staff.lang;
        let questions_json =
            |questions: &[Question]| serde_json::to_string_pretty(questions).unwrap_or_default();
        Ok(html! {
            div.panel.scroll {
                table {
                    thead { tr {
                        th scope="col" { (lang.choose("Code", "Code")) }
                        th scope="col" { (lang.choose("Nom", "Name")) }
                        th scope="col" { (lang.choose("Service", "Service")) }
                        th.num scope="col" { (lang.choose("Délai (j)", "Response (d)")) }
                        th.num scope="col" { (lang.choose("Rayon doublons (m)", "Duplicate radius (m)")) }
                        th scope="col" { (lang.choose("Questions", "Questions")) }
                    } }
                    tbody {
                        @for category in &town.catalogue.categories {
                            tr {
                                td { code { (category.code) } }
                                td {
                                    (category.name.fr) br; span.meta lang="en" { (category.name.en) }
                                    details {
                                        summary { (lang.choose("Modifier", "Edit")) }
                                        form.stack method="post" action={ (HERE) "/" (category.code) } {
                                            input type="hidden" name="csrf" value=(staff.csrf);
                                            @let id = |field: &str| format!("{field}-{}", category.code);
                                            label for=(id("fr")) { (lang.choose("Nom en français", "Name in French")) }
                                            input id=(id("fr")) name="name_fr" value=(category.name.fr) required;
                                            label for=(id("en")) { (lang.choose("Nom en anglais", "Name in English")) }
                                            input id=(id("en")) name="name_en" value=(category.name.en) required;
                                            label for=(id("days")) { (lang.choose("Délai de réponse publié (jours)", "Published response time (days)")) }
                                            input id=(id("days")) name="response_days" inputmode="numeric"
                                                value=(category.response_days.map(|d| d.to_string()).unwrap_or_default());
                                            label for=(id("radius")) { (lang.choose("Rayon des doublons (m, vide : celui de la ville)", "Duplicate radius (m, empty: the town's)")) }
                                            input id=(id("radius")) name="duplicate_radius_m" inputmode="numeric"
                                                value=(category.duplicate_radius_m.map(|d| d.to_string()).unwrap_or_default());
                                            label for=(id("questions")) { (lang.choose("Questions (JSON)", "Questions (JSON)")) }
                                            textarea.code id=(id("questions")) name="questions" rows="6" { (questions_json(&category.questions)) }
                                            p { button.primary type="submit" { (lang.choose("Enregistrer", "Save")) } }
                                        }
                                    }
                                }
                                td { (lang.pick(&category.service)) }
                                td.num { (category.response_days.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                                td.num { (category.duplicate_radius_m.unwrap_or(town.catalogue.settings.duplicate_radius_m)) }
                                td {
                                    @if category.questions.is_empty() { "—" }
                                    ul.plain {
                                        @for question in &category.questions {
                                            li {
                                                (lang.pick(&question.label))
                                                @if question.required { " *" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::CategoryForm)]
pub struct CategoryForm {
    /// The session's CSRF token.
    #[serde(default)]
    csrf: String,
    /// The name in French.
    name_fr: String,
    /// The name in English.
    name_en: String,
    /// The response time in days (empty: none).
    #[serde(default)]
    response_days: String,
    /// The duplicate radius in metres (empty: the default).
    #[serde(default)]
    duplicate_radius_m: String,
    /// The questions, as JSON (empty: none).
    #[serde(default)]
    questions: String,
}

/// Changes a category: its names, response time, duplicate radius and questions.
#[utoipa::path(
    post,
    path = "/admin/categories/{code}",
    operation_id = "backoffice_admin_category",
    tag = "back office",
    params(("code" = String, Path, description = "The category's code")),
    request_body(content = CategoryForm, content_type = "application/x-www-form-urlencoded"),
    responses(crate::openapi::AdminSaved, crate::openapi::FormRefusals),
    security(("session" = [])),
)]
pub async fn post<DB: Database>(
    State(state): State<AppState<DB>>,
    signed: AdminStaff,
    Path(code): Path<String>,
    Form(form): Form<CategoryForm>,
) -> Response {
    let staff = &signed.staff;
    let lang = staff.lang;
    let admin = match signed.changing(&form.csrf) {
        Ok(admin) => admin,
        Err(page) => return page.into_response(),
    };
    let (Ok(response_days), Ok(duplicate_radius_m)) = (
        optional_number(&form.response_days),
        optional_number(&form.duplicate_radius_m),
    ) else {
        return bad_request(lang, "nombre incorrect", "wrong number");
    };
    let questions = match form.questions.trim() {
        "" => Vec::new(),
        text => match serde_json::from_str::<Vec<Question>>(text) {
            Ok(questions) => questions,
            Err(error) => {
                let text = format!(
                    "{} {error}",
                    lang.choose("Questions illisibles :", "Unreadable questions:")
                );
                let page = render::<DB, Page>(&state, staff, Some((&text, true))).await;
                return (StatusCode::BAD_REQUEST, page).into_response();
            }
        },
    };
    let edit = TownEdit::Category {
        code,
        name: LocalizedText::new(form.name_fr, form.name_en),
        response_days,
        duplicate_radius_m,
        questions,
    };
    let result = edit_town(&state.db, &state.towns, admin, edit).await;
    answer::<DB, Page>(result, &state, staff).await
}
