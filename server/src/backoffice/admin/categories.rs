//! The categories page: each category's names in French and English, its service, published
//! response time, duplicate radius and extra questions, and a form to change them (the questions
//! as the JSON of the town's files, checked by the same rules).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use relais_protocol::{LocalizedText, Question};
use relais_server_database::Database;
use serde::Deserialize;

use super::{Done, admin_of, admin_page, answer, optional_number};
use crate::backoffice::session::Staff;
use crate::backoffice::{bad_request, forbidden, town_of};
use crate::router::AppState;
use crate::staff::admin::{TownEdit, edit_town};

const HERE: &str = "/admin/categories";

async fn render<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    shown: Option<(&str, bool)>,
) -> Response {
    let lang = staff.lang;
    let town = match town_of(state, staff).await {
        Ok(town) => town,
        Err(response) => return response,
    };
    let title = lang.choose("Catégories", "Categories");
    let questions_json =
        |questions: &[Question]| serde_json::to_string_pretty(questions).unwrap_or_default();
    admin_page(
        staff,
        HERE,
        title,
        shown,
        html! {
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
        },
    )
    .into_response()
}

pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    if admin_of(&staff).is_none() {
        return forbidden(staff.lang);
    }
    render(&state, &staff, done.notice(staff.lang)).await
}

#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    csrf: String,
    name_fr: String,
    name_en: String,
    #[serde(default)]
    response_days: String,
    #[serde(default)]
    duplicate_radius_m: String,
    #[serde(default)]
    questions: String,
}

pub async fn post<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<CategoryForm>,
) -> Response {
    let lang = staff.lang;
    let Some(admin) = admin_of(&staff).filter(|_| staff.checks(&form.csrf)) else {
        return forbidden(lang);
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
                let page = render(&state, &staff, Some((&text, true))).await;
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
    let result = edit_town(&state.db, &state.towns, &admin, edit).await;
    answer(result, &staff, HERE, async |text| {
        render(&state, &staff, Some((&text, true))).await
    })
    .await
}
