//! The page of the town's words to citizens: its reasons for rejecting a report and the drafts
//! of its written replies (by moment, for any category or one), each shown in French and
//! English, with forms to add or change them (a reason or draft of the same code, or the same
//! moment and category, is replaced).

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use relais_domain::words::status_name;
use relais_protocol::{LocalizedText, RejectionReason, ReplyTemplate};
use relais_server_database::Database;
use serde::Deserialize;

use super::{AdminPage, AdminStaff, answer};
use crate::backoffice::bad_request;
use crate::backoffice::inbox::category_name;
use crate::backoffice::request::TEMPLATES;
use crate::backoffice::session::Staff;
use crate::router::AppState;
use crate::staff::admin::{TownEdit, edit_town};
use crate::town::Town;

const HERE: &str = "/admin/replies";

/// The page.
pub struct Page;

super::page_handler!(
    "backoffice_admin_replies",
    " An admin page: the rejection reasons and reply templates, and their forms."
);

impl AdminPage for Page {
    const HERE: &'static str = HERE;
    const TITLE: (&'static str, &'static str) = (
        "Motifs de rejet et modèles de réponse",
        "Rejection reasons and reply templates",
    );

    async fn content<DB: Database>(
        _state: &AppState<DB>,
        staff: &Staff,
        town: &Town,
    ) -> Result<Markup, Response> {
        let lang = staff.lang;
        let catalogue = &town.catalogue;
        let moment = |kind| {
            TEMPLATES
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or("—", |(_, status)| lang.pair(status_name(*status)))
        };
        Ok(html! {
            div.columns {
                div {
                    div.panel.scroll {
                        h2 { (lang.choose("Modèles de réponse", "Reply templates")) }
                        table {
                            thead { tr {
                                th scope="col" { (lang.choose("Moment", "Moment")) }
                                th scope="col" { (lang.choose("Catégorie", "Category")) }
                                th scope="col" { (lang.choose("Texte", "Text")) }
                            } }
                            tbody {
                                @for template in &catalogue.reply_templates {
                                    tr {
                                        td { (moment(template.kind)) }
                                        td {
                                            @match (&template.category, &template.group) {
                                                (Some(code), _) => (category_name(town, code, lang)),
                                                (None, Some(group)) => code { (group) },
                                                (None, None) => (lang.choose("toutes", "any")),
                                            }
                                        }
                                        td { (template.text.fr) br; span.meta lang="en" { (template.text.en) } }
                                    }
                                }
                            }
                        }
                    }
                    div.panel.scroll {
                        h2 { (lang.choose("Motifs de rejet", "Rejection reasons")) }
                        table {
                            thead { tr {
                                th scope="col" { (lang.choose("Code", "Code")) }
                                th scope="col" { (lang.choose("Libellé", "Label")) }
                            } }
                            tbody {
                                @for reason in &catalogue.rejection_reasons {
                                    tr {
                                        td { code { (reason.code) } }
                                        td { (reason.label.fr) br; span.meta lang="en" { (reason.label.en) } }
                                    }
                                }
                            }
                        }
                    }
                }
                div {
                    div.panel {
                        h2 { (lang.choose("Écrire un modèle de réponse", "Write a reply template")) }
                        p.meta { (lang.choose(
                            "Repères : {category}, {service}, {response_days}, {date}, {reason}, {original}.",
                            "Placeholders: {category}, {service}, {response_days}, {date}, {reason}, {original}.",
                        )) }
                        form.stack method="post" action={ (HERE) "/templates" } {
                            input type="hidden" name="csrf" value=(staff.csrf);
                            label for="kind" { (lang.choose("Moment", "Moment")) }
                            select #kind name="kind" {
                                @for (kind, status) in TEMPLATES {
                                    option value=(<&str>::from(kind)) { (lang.pair(status_name(status))) }
                                }
                            }
                            label for="template-category" { (lang.choose("Catégorie", "Category")) }
                            select #template-category name="category" {
                                option value="" { (lang.choose("toutes", "any")) }
                                @for category in &catalogue.categories {
                                    option value=(category.code) { (lang.pick(&category.name)) }
                                }
                            }
                            label for="text-fr" { (lang.choose("Texte en français", "Text in French")) }
                            textarea #text-fr name="text_fr" required {}
                            label for="text-en" { (lang.choose("Texte en anglais", "Text in English")) }
                            textarea #text-en name="text_en" required {}
                            p { button.primary type="submit" { (lang.choose("Enregistrer", "Save")) } }
                        }
                    }
                    div.panel {
                        h2 { (lang.choose("Ajouter ou changer un motif de rejet", "Add or change a rejection reason")) }
                        form.stack method="post" action={ (HERE) "/reasons" } {
                            input type="hidden" name="csrf" value=(staff.csrf);
                            label for="reason-code" { (lang.choose("Code", "Code")) }
                            input #reason-code name="code" required pattern="[a-z0-9_-]+";
                            label for="label-fr" { (lang.choose("Libellé en français", "Label in French")) }
                            input #label-fr name="label_fr" required;
                            label for="label-en" { (lang.choose("Libellé en anglais", "Label in English")) }
                            input #label-en name="label_en" required;
                            p { button.primary type="submit" { (lang.choose("Enregistrer", "Save")) } }
                        }
                    }
                }
            }
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::ReasonForm)]
pub struct ReasonForm {
    /// The session's CSRF token.
    #[serde(default)]
    csrf: String,
    /// The reason's code.
    code: String,
    /// The label in French.
    label_fr: String,
    /// The label in English.
    label_en: String,
}

/// Adds or changes a rejection reason.
#[utoipa::path(
    post,
    path = "/admin/replies/reasons",
    operation_id = "backoffice_admin_reason",
    tag = "back office",
    request_body(content = ReasonForm, content_type = "application/x-www-form-urlencoded"),
    responses(crate::openapi::AdminSaved, crate::openapi::FormRefusals),
    security(("session" = [])),
)]
pub async fn post_reason<DB: Database>(
    State(state): State<AppState<DB>>,
    signed: AdminStaff,
    Form(form): Form<ReasonForm>,
) -> Response {
    let staff = &signed.staff;
    let admin = match signed.changing(&form.csrf) {
        Ok(admin) => admin,
        Err(page) => return page.into_response(),
    };
    let edit = TownEdit::RejectionReason(RejectionReason {
        code: form.code.trim().to_owned(),
        label: LocalizedText::new(form.label_fr, form.label_en),
    });
    let result = edit_town(&state.db, &state.towns, admin, edit).await;
    answer::<DB, Page>(result, &state, staff).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::TemplateForm)]
pub struct TemplateForm {
    /// The session's CSRF token.
    #[serde(default)]
    csrf: String,
    /// The moment it is for: `acknowledged`, `scheduled`, `resolved`, `rejected`, `duplicate` or
    /// `transferred`.
    kind: String,
    /// A category's code (empty: the town's template).
    #[serde(default)]
    category: String,
    /// The text in French.
    text_fr: String,
    /// The text in English.
    text_en: String,
}

/// Sets a reply template (the town's, or a category's).
#[utoipa::path(
    post,
    path = "/admin/replies/templates",
    operation_id = "backoffice_admin_template",
    tag = "back office",
    request_body(content = TemplateForm, content_type = "application/x-www-form-urlencoded"),
    responses(crate::openapi::AdminSaved, crate::openapi::FormRefusals),
    security(("session" = [])),
)]
pub async fn post_template<DB: Database>(
    State(state): State<AppState<DB>>,
    signed: AdminStaff,
    Form(form): Form<TemplateForm>,
) -> Response {
    let staff = &signed.staff;
    let lang = staff.lang;
    let admin = match signed.changing(&form.csrf) {
        Ok(admin) => admin,
        Err(page) => return page.into_response(),
    };
    let Ok(kind) = form.kind.parse() else {
        return bad_request(lang, "moment inconnu", "unknown moment");
    };
    let edit = TownEdit::ReplyTemplate(ReplyTemplate {
        kind,
        group: None,
        category: Some(form.category).filter(|c| !c.is_empty()),
        text: LocalizedText::new(form.text_fr, form.text_en),
    });
    let result = edit_town(&state.db, &state.towns, admin, edit).await;
    answer::<DB, Page>(result, &state, staff).await
}
