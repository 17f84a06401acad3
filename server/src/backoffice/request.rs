//! One request as its service's staff see it: what the citizen wrote and answered, the photos,
//! where it is, its supporters, its full history and the thread with the citizen, and the
//! forms of the actions its current status allows (a written reply may start from one of the
//! town's templates). An action is decided by
//! [`crate::staff::act::act`] through the web channel, exactly as the staff API and a staff
//! device's push would have it decided; a refusal is shown with the rules' own words.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use relais_domain::status::after;
use relais_domain::words::status_name;
use relais_protocol::{
    Actor, Answer, Author, Question, QuestionKind, ReplyKind, ReportStatus, Task, WorkflowAction,
};
use relais_server_database::Database;
use serde::Deserialize;
use uuid::Uuid;

use super::inbox::{category_name, zone_name};
use super::lang::Lang;
use super::layout::{day, notice, page, when};
use super::map::{self, Dot};
use super::session::Staff;
use super::{bad_request, forbidden, message};
use crate::router::AppState;
use crate::staff::StaffActor;
use crate::staff::access::{Channel, may_dispatch, may_work_in};
use crate::staff::act::{self, ActError};
use crate::staff::replies::{Extras, prepare, reference};
use crate::staff::workflow::ActionRequest;
use crate::town::Town;

/// What the request page is asked to show besides the request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Shown {
    /// The action just carried out.
    done: String,
    /// A reply template to start the written reply from (a [`ReplyKind`]).
    template: String,
}

/// The reply templates staff may start a reply from, named by the status they go with.
const TEMPLATES: [(ReplyKind, ReportStatus); 6] = [
    (ReplyKind::Acknowledged, ReportStatus::Acknowledged),
    (ReplyKind::Scheduled, ReportStatus::Scheduled),
    (ReplyKind::Resolved, ReportStatus::Resolved),
    (ReplyKind::Rejected, ReportStatus::Rejected),
    (ReplyKind::Duplicate, ReportStatus::Duplicate),
    (ReplyKind::Transferred, ReportStatus::Transferred),
];

/// The request `id` if this staff member may work on it, with its town.
async fn load<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    id: Uuid,
) -> Result<(std::sync::Arc<Town>, Task), Response> {
    let lang = staff.lang;
    let tenant = staff.member.tenant.clone().unwrap_or_default();
    let failure = |e| crate::error::ApiFailure::from(e).into_response();
    let town = state
        .towns
        .get(&state.db, &tenant)
        .await
        .map_err(failure)?
        .ok_or_else(|| forbidden(lang))?;
    let not_found = || {
        message(
            lang,
            StatusCode::NOT_FOUND,
            lang.t("Demande introuvable", "Request not found"),
            lang.t(
                "Cette demande n'existe pas dans votre ville.",
                "This request does not exist in your town.",
            ),
        )
    };
    let task = state
        .db
        .task(&tenant, id)
        .await
        .map_err(failure)?
        .ok_or_else(not_found)?;
    let report = &task.report;
    let service = report.service_code.as_deref().unwrap_or_default();
    if !may_work_in(&staff.member, &town, &tenant, service, &report.zone) {
        return Err(forbidden(lang));
    }
    Ok((town, task))
}

pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Query(shown): Query<Shown>,
) -> Response {
    let lang = staff.lang;
    let template = match shown.template.as_str() {
        "" => None,
        code => match code.parse::<ReplyKind>() {
            Ok(kind) => Some(kind),
            Err(_) => return bad_request(lang, "modèle inconnu", "unknown template"),
        },
    };
    match load(&state, &staff, id).await {
        Ok((town, task)) => {
            let done = (!shown.done.is_empty()).then(|| {
                lang.t(
                    "C'est fait : la demande est à jour.",
                    "Done: the request is up to date.",
                )
            });
            let report = &task.report;
            let extras = Extras {
                date_ms: report.scheduled_for_ms,
                original: report.duplicate_of,
                ..Extras::default()
            };
            let service = report.service_code.as_deref().unwrap_or_default();
            let prefill = template
                .and_then(|kind| prepare(&town, &report.category, service, kind, &extras, true))
                .map(|text| lang.of(&text).to_owned());
            render(&staff, &town, &task, done.map(|t| (t, false)), prefill).into_response()
        }
        Err(response) => response,
    }
}

/// An action's form, as sent (empty: not given).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
    version: i64,
    action: String,
    reply: String,
    note: String,
    date: String,
    reason: String,
    service: String,
    of: String,
    to: String,
}

fn given(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The workflow action a form asks for; `Err` names what is wrong with the form.
fn action_of(form: &ActionForm, me: &str) -> Result<WorkflowAction, (&'static str, &'static str)> {
    Ok(match form.action.as_str() {
        "acknowledge" => WorkflowAction::Acknowledge,
        "start" => WorkflowAction::Start,
        "schedule" => WorkflowAction::Schedule {
            for_ms: Some(
                relais_domain::dates::planned_day(&form.date)
                    .ok_or(("date manquante ou incorrecte", "missing or wrong date"))?,
            ),
        },
        "resolve" => WorkflowAction::Resolve { photos: Vec::new() },
        "reject" => WorkflowAction::Reject {
            reason: form.reason.clone(),
        },
        "transfer" => WorkflowAction::Transfer {
            service: form.service.clone(),
        },
        "mark_duplicate" => WorkflowAction::MarkDuplicate {
            of: Uuid::parse_str(form.of.trim())
                .map_err(|_| ("identifiant de demande incorrect", "wrong request id"))?,
        },
        "assign" => WorkflowAction::Assign {
            to: match form.to.trim() {
                "" => None,
                "me" => Some(me.to_owned()),
                email => Some(email.to_owned()),
            },
        },
        "reply" => WorkflowAction::Reply,
        "note" => WorkflowAction::Note,
        _ => return Err(("action inconnue", "unknown action")),
    })
}

pub async fn act<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Response {
    let lang = staff.lang;
    if !staff.checks(&form.csrf) {
        return forbidden(lang);
    }
    let action = match action_of(&form, &staff.member.profile.email) {
        Ok(action) => action,
        Err((fr, en)) => return bad_request(lang, fr, en),
    };
    let tenant = staff.member.tenant.clone().unwrap_or_default();
    let actor = StaffActor {
        member: staff.member.clone(),
        channel: Channel::Web,
    };
    let request = ActionRequest {
        report_id: id,
        base_version: form.version,
        action,
        reply: given(&form.reply),
        note: given(&form.note),
        legacy: false,
    };
    match act::act(&state.db, &state.towns, &actor, &tenant, request).await {
        Ok(Ok(())) => Redirect::to(&format!("/requests/{id}?done={}", form.action)).into_response(),
        Ok(Err(reason)) => match load(&state, &staff, id).await {
            Ok((town, task)) => (
                StatusCode::CONFLICT,
                render(
                    &staff,
                    &town,
                    &task,
                    Some((lang.of(&reason.message), true)),
                    None,
                ),
            )
                .into_response(),
            Err(response) => response,
        },
        Err(ActError::UnknownTenant) => forbidden(lang),
        Err(ActError::Db(error)) => crate::error::ApiFailure::from(error).into_response(),
    }
}

/// A photo of a request this staff member may work on.
pub async fn photo<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Path((id, sha256)): Path<(Uuid, String)>,
) -> Response {
    let task = match load(&state, &staff, id).await {
        Ok((_, task)) => task,
        Err(response) => return response,
    };
    let report = &task.report;
    if !report.photos.contains(&sha256) && !report.completion_photos.contains(&sha256) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match state.photos.listed(&sha256).await {
        Ok(Some(bytes)) => (
            [
                (CONTENT_TYPE, "image/jpeg"),
                (CACHE_CONTROL, "private, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "could not read a photo");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn render(
    staff: &Staff,
    town: &Town,
    task: &Task,
    notice_text: Option<(&str, bool)>,
    prefill: Option<String>,
) -> Markup {
    let lang = staff.lang;
    let report = &task.report;
    let category = town.category(&report.category);
    let title = format!(
        "{} · {}",
        category_name(town, &report.category, lang),
        reference(report.id)
    );
    let dot = Dot {
        lat: report.location.lat,
        lon: report.location.lon,
        late: false,
        label: title.clone(),
        href: format!("/requests/{}", report.id),
    };
    let content = html! {
        p { a href="/inbox" { "← " (lang.t("Demandes", "Requests")) } }
        h1 { (title) }
        @if let Some((text, error)) = notice_text { (notice(text, error)) }
        div.columns {
            div {
                section.panel aria-labelledby="facts" {
                    h2 #facts { (lang.t("La demande", "The request")) }
                    dl.facts {
                        dt { (lang.t("Statut", "Status")) } dd #status { (lang.pair(status_name(report.status))) }
                        dt { (lang.t("Service", "Service")) } dd { (lang.of(&report.service)) }
                        dt { (lang.t("Zone", "Zone")) } dd { (zone_name(town, &report.zone)) }
                        dt { (lang.t("Déposée le", "Filed on")) } dd { (when(report.created_at_ms)) }
                        @if let Some(due) = report.due_at_ms {
                            dt { (lang.t("Échéance", "Due")) } dd { (day(due)) }
                        }
                        @if let Some(planned) = report.scheduled_for_ms {
                            dt { (lang.t("Intervention prévue", "Planned for")) } dd { (day(planned)) }
                        }
                        dt { (lang.t("Soutiens", "Supporters")) } dd { (report.supporters) }
                        dt { (lang.t("Attribuée à", "Assigned to")) }
                        dd { (task.assigned_to.as_ref().map_or(lang.t("personne", "nobody"), |s| s.name.as_str())) }
                        dt { (lang.t("Position", "Location")) }
                        dd { (format!("{:.5}, {:.5}", report.location.lat, report.location.lon)) }
                        @if let Some(original) = report.duplicate_of {
                            dt { (lang.t("Doublon probable de", "Probable duplicate of")) }
                            dd { a href={ "/requests/" (original) } { (reference(original)) } }
                        }
                    }
                    h2 { (lang.t("Texte du citoyen", "The citizen's text")) }
                    p { (report.text) }
                    @if !task.answers.is_empty() {
                        h2 { (lang.t("Réponses aux questions", "Answers")) }
                        dl.facts {
                            @for (code, answer) in &task.answers {
                                @let question = category.and_then(|c| c.questions.iter().find(|q| &q.code == code));
                                dt { (question.map_or(code.as_str(), |q| lang.of(&q.label))) }
                                dd { (answer_text(answer, question, lang)) }
                            }
                        }
                    }
                    @if !report.photos.is_empty() || !report.completion_photos.is_empty() {
                        h2 { (lang.t("Photos", "Photos")) }
                        div.photos {
                            @for (i, sha) in report.photos.iter().chain(&report.completion_photos).enumerate() {
                                a href={ "/requests/" (report.id) "/photos/" (sha) } {
                                    img src={ "/requests/" (report.id) "/photos/" (sha) } alt={ (lang.t("Photo", "Photo")) " " (i + 1) };
                                }
                            }
                        }
                    }
                }
                section.panel aria-labelledby="thread" {
                    h2 #thread { (lang.t("Échanges avec le citoyen", "Conversation with the citizen")) }
                    @if task.thread.is_empty() { p { (lang.t("Aucun message.", "No message.")) } }
                    ol.thread {
                        @for message in &task.thread {
                            li.city[message.author == Author::City] {
                                div.meta {
                                    (match message.author { Author::City => lang.t("La ville", "The town"), Author::Citizen => lang.t("Le citoyen", "The citizen") })
                                    " · " (when(message.at_ms))
                                }
                                (message.text)
                            }
                        }
                    }
                    @if !task.notes.is_empty() {
                        h2 { (lang.t("Notes internes", "Internal notes")) }
                        ol.thread {
                            @for note in &task.notes {
                                li { div.meta { (note.author) " · " (when(note.at_ms)) } (note.text) }
                            }
                        }
                    }
                }
                section.panel aria-labelledby="history" {
                    h2 #history { (lang.t("Historique", "History")) }
                    table {
                        thead { tr {
                            th scope="col" { (lang.t("Quand", "When")) }
                            th scope="col" { (lang.t("Quoi", "What")) }
                            th scope="col" { (lang.t("Qui", "Who")) }
                            th scope="col" { (lang.t("Par", "Through")) }
                        } }
                        tbody {
                            @for entry in &task.log {
                                tr {
                                    td { (when(entry.at_ms)) }
                                    td {
                                        (action_name(&entry.action, lang))
                                        @if let Some(status) = entry.status { " → " (lang.pair(status_name(status))) }
                                        @if let Some(detail) = &entry.detail { br; span.meta { (lang.of(detail)) } }
                                    }
                                    td { (match &entry.actor { Actor::Citizen => lang.t("le citoyen", "the citizen"), Actor::Staff { name } => name.as_str(), Actor::System => lang.t("le serveur", "the server") }) }
                                    td { (channel_name(&entry.channel, lang)) }
                                }
                            }
                        }
                    }
                }
            }
            div {
                section.panel.actions aria-labelledby="actions" {
                    h2 #actions { (lang.t("Actions", "Actions")) }
                    (actions(staff, town, task, prefill))
                }
                section.panel aria-labelledby="where" {
                    h2 #where { (lang.t("Sur la carte", "On the map")) }
                    (map::svg(town, &[dot], lang))
                }
            }
        }
    };
    page(
        lang,
        Some(staff),
        &format!("/requests/{}", report.id),
        &title,
        content,
    )
}

/// An answer in words: a choice by its label in the question (its code if the town no longer
/// offers it).
fn answer_text(answer: &Answer, question: Option<&Question>, lang: Lang) -> String {
    let label = |code: &str| {
        let options = match question.map(|q| &q.kind) {
            Some(
                QuestionKind::SingleChoice { options } | QuestionKind::MultiChoice { options },
            ) => options.as_slice(),
            _ => &[],
        };
        options
            .iter()
            .find(|o| o.code == code)
            .map_or(code, |o| lang.of(&o.label))
            .to_owned()
    };
    match answer {
        Answer::Text(text) => text.clone(),
        Answer::Choice(code) => label(code),
        Answer::Number(n) => n.to_string(),
        Answer::Choices(codes) => codes
            .iter()
            .map(|c| label(c))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn action_name(action: &str, lang: Lang) -> &str {
    let (fr, en) = match action {
        "filed" => ("Déposée", "Filed"),
        "acknowledge" => ("Prise en compte", "Acknowledged"),
        "schedule" => ("Intervention programmée", "Scheduled"),
        "start" => ("Travaux commencés", "Work started"),
        "resolve" => ("Résolue", "Resolved"),
        "reject" => ("Rejetée", "Rejected"),
        "transfer" => ("Transférée", "Transferred"),
        "mark_duplicate" => ("Marquée comme doublon", "Marked as a duplicate"),
        "assign" => ("Attribuée", "Assigned"),
        "reply" => ("Réponse écrite", "Written reply"),
        "note" => ("Note interne", "Internal note"),
        "supported" => ("Soutenue", "Supported"),
        "confirmed" => ("Résolution confirmée", "Resolution confirmed"),
        "reopened" => ("Rouverte", "Reopened"),
        "citizen_reply" => ("Message du citoyen", "Message from the citizen"),
        other => return other,
    };
    lang.t(fr, en)
}

fn channel_name(channel: &str, lang: Lang) -> &str {
    let (fr, en) = match channel {
        "device" => ("appareil", "device"),
        "web" => ("back-office", "back office"),
        "server" => ("serveur", "server"),
        other => return other,
    };
    lang.t(fr, en)
}

/// The forms of the actions the request's status allows this staff member.
fn actions(staff: &Staff, town: &Town, task: &Task, prefill: Option<String>) -> Markup {
    let lang = staff.lang;
    let report = &task.report;
    let allows = |action: &WorkflowAction| after(report.status, action).is_ok();
    let form = |action: &'static str, label: &str, open: bool, fields: Markup| {
        html! {
            details open[open] {
                summary { (label) }
                form method="post" action={ "/requests/" (report.id) "/actions" } {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    input type="hidden" name="version" value=(report.version);
                    input type="hidden" name="action" value=(action);
                    (fields)
                    button.primary type="submit" { (label) }
                }
            }
        }
    };
    let reply_field = |id: &str, required: bool| {
        html! {
            label for=(id) {
                (lang.t("Réponse au citoyen", "Reply to the citizen"))
                @if !required { " " span.meta { (lang.t("(vide : le modèle de la ville)", "(empty: the town's template)")) } }
            }
            textarea id=(id) name="reply" required[required] {}
        }
    };
    let note_field = |id: &str| {
        html! {
            label for=(id) { (lang.t("Note interne", "Internal note")) " " span.meta { (lang.t("(facultative)", "(optional)")) } }
            textarea id=(id) name="note" {}
        }
    };
    let open_now = relais_domain::status::is_open(report.status);
    html! {
        @if allows(&WorkflowAction::Acknowledge) {
            (form("acknowledge", lang.t("Prendre en compte", "Acknowledge"), true, reply_field("ack-reply", false)))
        }
        @if allows(&WorkflowAction::Schedule { for_ms: None }) {
            (form("schedule", lang.t("Programmer une intervention", "Schedule"), false, html! {
                label for="schedule-date" { (lang.t("Date prévue", "Planned date")) }
                input #schedule-date type="date" name="date" required;
                (reply_field("schedule-reply", false))
            }))
        }
        @if allows(&WorkflowAction::Start) {
            (form("start", lang.t("Commencer les travaux", "Start work"), false, note_field("start-note")))
        }
        @if allows(&WorkflowAction::Resolve { photos: Vec::new() }) {
            (form("resolve", lang.t("Résoudre", "Resolve"), false, html! {
                (reply_field("resolve-reply", false))
                (note_field("resolve-note"))
            }))
        }
        @if allows(&WorkflowAction::Reject { reason: String::new() }) {
            (form("reject", lang.t("Rejeter", "Reject"), false, html! {
                label for="reject-reason" { (lang.t("Motif", "Reason")) }
                select #reject-reason name="reason" required {
                    @for reason in &town.catalogue.rejection_reasons {
                        option value=(reason.code) { (lang.of(&reason.label)) }
                    }
                }
                (reply_field("reject-reply", false))
            }))
        }
        @if allows(&WorkflowAction::Transfer { service: String::new() }) {
            (form("transfer", lang.t("Transférer à un autre service", "Transfer to another service"), false, html! {
                label for="transfer-service" { (lang.t("Service", "Service")) }
                select #transfer-service name="service" required {
                    @for service in town.catalogue.services.iter().filter(|s| Some(&s.code) != report.service_code.as_ref()) {
                        option value=(service.code) { (lang.of(&service.name)) }
                    }
                }
                (note_field("transfer-note"))
            }))
        }
        @if allows(&WorkflowAction::MarkDuplicate { of: Uuid::nil() }) {
            (form("mark_duplicate", lang.t("Marquer comme doublon", "Mark as a duplicate"), false, html! {
                label for="duplicate-of" { (lang.t("Identifiant de la demande d'origine", "Id of the original request")) }
                input #duplicate-of type="text" name="of" required value=(report.duplicate_of.map(|u| u.to_string()).unwrap_or_default());
                (reply_field("duplicate-reply", false))
            }))
        }
        @if allows(&WorkflowAction::Assign { to: None }) {
            (form("assign", lang.t("Attribuer", "Assign"), false, html! {
                label for="assign-to" { (lang.t("À qui", "To whom")) }
                @if may_dispatch(&staff.member) {
                    input #assign-to type="email" name="to" placeholder=(lang.t("adresse e-mail (vide : personne)", "e-mail address (empty: nobody)"));
                } @else {
                    select #assign-to name="to" {
                        option value="me" { (lang.t("Moi", "Me")) }
                        option value="" { (lang.t("Personne", "Nobody")) }
                    }
                }
            }))
        }
        @if allows(&WorkflowAction::Reply) {
            form.template method="get" action={ "/requests/" (report.id) } {
                label for="template" { (lang.t("Partir d'un modèle de la ville", "Start from a town template")) }
                select #template name="template" {
                    @for (kind, status) in TEMPLATES {
                        option value=(kind.as_ref()) { (lang.pair(status_name(status))) }
                    }
                }
                " "
                button type="submit" { (lang.t("Préparer la réponse", "Prepare the reply")) }
            }
            (form("reply", lang.t("Écrire au citoyen", "Write to the citizen"), !open_now || prefill.is_some(), html! {
                label for="reply-text" { (lang.t("Réponse au citoyen", "Reply to the citizen")) }
                textarea #reply-text name="reply" required { (prefill.clone().unwrap_or_default()) }
            }))
            (form("note", lang.t("Ajouter une note interne", "Add an internal note"), false, html! {
                label for="note-text" { (lang.t("Note interne", "Internal note")) }
                textarea #note-text name="note" required {}
            }))
        }
        @if report.status == ReportStatus::Queued {
            p { (lang.t("Aucune action possible.", "No action is possible.")) }
        }
    }
}
