//! One request as its service's staff see it: what the citizen wrote and answered, the photos,
//! where it is, its supporters, its full history and the thread with the citizen, and the
//! forms of the actions its current status allows (a written reply may start from one of the
//! town's templates). An action is decided by
//! [`crate::staff::act::act`] through the web channel, exactly as the staff API and a staff
//! device's push would have it decided; a refusal is shown with the rules' own words.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use relais_domain::status::after;
use relais_domain::words::status_name;
use relais_protocol::upload::MAX_PHOTOS_PER_REPORT;
use relais_protocol::{
    Actor, Answer, Author, Question, QuestionKind, ReplyKind, ReportStatus, Task, WorkflowAction,
};
use relais_server_database::Database;
use serde::Deserialize;
use uuid::Uuid;

use super::admin::confirm_box;
use super::inbox::{category_name, zone_name};
use super::lang::Lang;
use super::layout::{day, notice, page, when};
use super::map::{self, Dot};
use super::session::Staff;
use super::upload::{Sent, SentFile};
use super::{bad_request, forbidden, message};
use crate::photos::{self, UploadError};
use crate::router::AppState;
use crate::staff::StaffActor;
use crate::staff::access::{Channel, may_dispatch, may_work_in};
use crate::staff::act::{self, ActError};
use crate::staff::replies::{Extras, prepare, reference};
use crate::staff::workflow::ActionRequest;
use crate::town::Town;

/// What the request page is asked to show besides the request.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Shown {
    /// The action just carried out.
    done: String,
    /// A reply template to start the written reply from (a [`ReplyKind`]: `acknowledged`,
    /// `scheduled`, `resolved`...).
    template: String,
}

/// A request of the staff member's town.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct RequestPath {
    /// The request's id.
    id: Uuid,
}

/// A photo of a request.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct PhotoPath {
    /// The request's id.
    id: Uuid,
    /// The photo's name: the SHA-256 of its JPEG, in hex.
    sha256: String,
}

/// The reply templates staff may start a reply from, named by the status they go with.
pub(super) const TEMPLATES: [(ReplyKind, ReportStatus); 6] = [
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
    let town = super::town_of(state, staff).await?;
    let tenant = staff.member.tenant.clone().unwrap_or_default();
    let failure = |e| crate::error::ApiFailure::from(e).into_response();
    let not_found = || {
        message(
            lang,
            StatusCode::NOT_FOUND,
            lang.choose("Demande introuvable", "Request not found"),
            lang.choose(
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

/// One request, its thread, photos, notes and history, and the actions the staff member may take
/// on it.
#[utoipa::path(
    get,
    path = "/requests/{id}",
    operation_id = "backoffice_request",
    tag = "back office",
    params(RequestPath, Shown),
    responses(
        (status = 200, description = "The request's page", body = String, content_type = "text/html; charset=utf-8"),
        crate::openapi::PageRefusals,
        (status = 404, description = "No such request in the staff member's town", body = String, content_type = "text/html; charset=utf-8"),
    ),
    security(("session" = [])),
)]
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
                lang.choose(
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
                .map(|text| lang.pick(&text).to_owned());
            render(&staff, &town, &task, done.map(|t| (t, false)), prefill).into_response()
        }
        Err(response) => response,
    }
}

/// An action's form, as sent (empty: not given).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::ActionForm)]
#[serde(default)]
pub struct ActionForm {
    /// The session's CSRF token.
    csrf: String,
    /// The request's version the page showed.
    version: i64,
    /// `acknowledge`, `start`, `schedule`, `resolve`, `reject`, `transfer`, `mark_duplicate`,
    /// `assign`, `reply` or `note`.
    action: String,
    /// A reply to the citizen.
    reply: String,
    /// An internal note.
    note: String,
    /// `schedule`: the planned day (`YYYY-MM-DD`).
    date: String,
    /// `reject`: the rejection reason's code.
    reason: String,
    /// `transfer`: the service's code.
    service: String,
    /// `mark_duplicate`: the original request's id.
    of: String,
    /// `assign`: `me`, a staff member's e-mail address, or empty (nobody).
    to: String,
    /// The ticked confirmation box of the actions that close a request for good.
    confirm: String,
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

/// Whether `action` closes the request for the citizen (rejected, or a duplicate of another)
/// and so asks for a confirmation box, in the browser and checked again here, as the admin pages'
/// destructive actions do. Both are recorded in the request's history.
fn needs_confirmation(action: &WorkflowAction) -> bool {
    matches!(
        action,
        WorkflowAction::Reject { .. } | WorkflowAction::MarkDuplicate { .. }
    )
}

/// A workflow action on the request, decided by the staff operations as a staff device's would be.
#[utoipa::path(
    post,
    path = "/requests/{id}/actions",
    operation_id = "backoffice_request_action",
    tag = "back office",
    params(RequestPath),
    request_body(content = ActionForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (
            status = 303,
            description = "Done: to the request's page; or no live session: to the login page",
            headers(("Location" = String, description = "`/requests/{id}?done={action}` or `/login`")),
        ),
        (status = 404, description = "No such request in the staff member's town", body = String, content_type = "text/html; charset=utf-8"),
        (status = 409, description = "The request's page again with the rules' refusal (it changed since its version, or the action is not allowed now); nothing changed", body = String, content_type = "text/html; charset=utf-8"),
        crate::openapi::FormRefusals,
    ),
    security(("session" = [])),
)]
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
    match action_of(&form, &staff.member.profile.email) {
        Ok(action) if needs_confirmation(&action) && form.confirm != "yes" => {
            bad_request(lang, "confirmation manquante", "confirmation missing")
        }
        Ok(action) => carry_out(&state, &staff, id, &form, action).await,
        Err((fr, en)) => bad_request(lang, fr, en),
    }
}

/// The resolve form with its photos (`multipart/form-data`): the fields of [`ActionForm`] it
/// has (`csrf`, `version`, `reply`, `note`) and up to [`MAX_PHOTOS_PER_REPORT`] files named
/// `photo` (JPEG, PNG or WebP, straight from a camera). Each goes through the phones' photo
/// pipeline ([`photos::prepare`]: shrunk, upright, no metadata) before anything is kept (one
/// refused: the page again saying which and why, `400`, nothing changed), is stored as the
/// town's, and the resolution names them, exactly as a staff device's completion photos.
#[utoipa::path(
    post,
    path = "/requests/{id}/resolve",
    operation_id = "backoffice_request_resolve",
    tag = "back office",
    params(RequestPath),
    request_body(content = ResolveForm, content_type = "multipart/form-data"),
    responses(
        (
            status = 303,
            description = "Resolved: to the request's page; or no live session: to the login page",
            headers(("Location" = String, description = "`/requests/{id}?done=resolve` or `/login`")),
        ),
        (status = 400, response = inline(crate::openapi::PageBadRequest)),
        (status = 403, response = inline(crate::openapi::PageForbidden)),
        (status = 404, description = "No such request in the staff member's town", body = String, content_type = "text/html; charset=utf-8"),
        (status = 409, description = "The request's page again with the rules' refusal; nothing changed", body = String, content_type = "text/html; charset=utf-8"),
    ),
    security(("session" = [])),
)]
pub async fn resolve<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Path(id): Path<Uuid>,
    multipart: Multipart,
) -> Response {
    let lang = staff.lang;
    let Ok(sent) = Sent::read(multipart).await else {
        return bad_request(lang, "formulaire illisible", "unreadable form");
    };
    // The token first: nothing of a forged form is looked at, let alone kept.
    if !staff.checks(sent.text("csrf")) {
        return forbidden(lang);
    }
    let Ok(version) = sent.text("version").trim().parse() else {
        return bad_request(lang, "version incorrecte", "wrong version");
    };
    let form = ActionForm {
        action: "resolve".to_owned(),
        version,
        reply: sent.text("reply").to_owned(),
        note: sent.text("note").to_owned(),
        ..ActionForm::default()
    };
    let files: Vec<&SentFile> = sent.files("photo").collect();
    if files.len() > MAX_PHOTOS_PER_REPORT {
        return bad_request(
            lang,
            "trop de photos (5 au plus)",
            "too many photos (at most 5)",
        );
    }
    // Every photo through the pipeline before any is kept: one refused, none is.
    let mut prepared = Vec::with_capacity(files.len());
    for file in &files {
        match photos::prepare(file.bytes.clone()).await {
            Ok(photo) => prepared.push(photo),
            Err(error) => {
                tracing::info!(%error, "a photo from the back office refused");
                let text = photo_refused(&file.name, &error.message(lang), lang);
                return refused_page(&state, &staff, id, &text, StatusCode::BAD_REQUEST).await;
            }
        }
    }
    // Nothing is kept for a request this staff member may not work on.
    if let Err(page) = load(&state, &staff, id).await {
        return page;
    }
    let tenant = staff.member.tenant.clone().unwrap_or_default();
    let mut names = Vec::with_capacity(prepared.len());
    for (file, photo) in files.iter().zip(prepared) {
        match state.photos.put(&state.db, &tenant, photo).await {
            Ok(name) => names.push(name),
            Err(UploadError::Refused(refusal)) => {
                let text = photo_refused(&file.name, lang.pick(&refusal.reason().message), lang);
                return refused_page(&state, &staff, id, &text, StatusCode::BAD_REQUEST).await;
            }
            Err(error) => {
                tracing::error!(%error, "could not store a photo from the back office");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    }
    let action = WorkflowAction::Resolve { photos: names };
    carry_out(&state, &staff, id, &form, action).await
}

/// The resolve form, as the OpenAPI document describes it ([`resolve`] reads it with
/// [`Sent`]).
#[derive(utoipa::ToSchema)]
#[schema(as = backoffice::ResolveForm)]
#[allow(dead_code)]
pub struct ResolveForm {
    /// The session's CSRF token.
    csrf: String,
    /// The request's version the page showed.
    version: i64,
    /// A reply to the citizen.
    reply: Option<String>,
    /// An internal note.
    note: Option<String>,
    /// Up to five photos (JPEG, PNG or WebP), each a file of this field.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    photo: Option<Vec<Vec<u8>>>,
}

/// The page's words for the photo `file` refused, `why` (in `lang`).
fn photo_refused(file: &str, why: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("Photo refusée : « {file} ». {why} Rien n'a été modifié."),
        Lang::En => format!("Photo refused: \"{file}\". {why} Nothing was changed."),
    }
}

/// Decides `action` on request `id` through the staff operations, then back to the request
/// (or the page again with the rules' refusal, `409`, nothing changed).
async fn carry_out<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    id: Uuid,
    form: &ActionForm,
    action: WorkflowAction,
) -> Response {
    let lang = staff.lang;
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
        Ok(Err(reason)) => {
            refused_page(
                state,
                staff,
                id,
                lang.pick(&reason.message),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(ActError::UnknownTenant) => forbidden(lang),
        Err(ActError::Db(error)) => crate::error::ApiFailure::from(error).into_response(),
    }
}

/// The request's page again, saying why nothing changed.
async fn refused_page<DB: Database>(
    state: &AppState<DB>,
    staff: &Staff,
    id: Uuid,
    text: &str,
    status: StatusCode,
) -> Response {
    match load(state, staff, id).await {
        Ok((town, task)) => (
            status,
            render(staff, &town, &task, Some((text, true)), None),
        )
            .into_response(),
        Err(response) => response,
    }
}

/// A photo of a request this staff member may work on (the citizen's or the resolution's).
#[utoipa::path(
    get,
    path = "/requests/{id}/photos/{sha256}",
    operation_id = "backoffice_request_photo",
    tag = "back office",
    params(PhotoPath),
    responses(
        (status = 200, description = "The JPEG (cached a day, privately)", body = Vec<u8>, content_type = "image/jpeg"),
        crate::openapi::PageRefusals,
        (status = 404, description = "No such request in the staff member's town, or no such photo of it", body = String, content_type = "text/html; charset=utf-8"),
    ),
    security(("session" = [])),
)]
pub async fn photo<DB: Database>(
    State(state): State<AppState<DB>>,
    staff: Staff,
    Path((id, sha256)): Path<(Uuid, String)>,
) -> Response {
    let task = match load(&state, &staff, id).await {
        Ok((_, task)) => task,
        Err(response) => return response,
    };
    let lang = staff.lang;
    let not_found = || {
        message(
            lang,
            StatusCode::NOT_FOUND,
            lang.choose("Photo introuvable", "Photo not found"),
            lang.choose(
                "Cette demande n'a pas cette photo.",
                "This request has no such photo.",
            ),
        )
    };
    let report = &task.report;
    if !report.photos.contains(&sha256) && !report.completion_photos.contains(&sha256) {
        return not_found();
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
        Ok(None) => not_found(),
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
        p { a href="/inbox" { "← " (lang.choose("Demandes", "Requests")) } }
        h1 { (title) }
        @if let Some((text, error)) = notice_text { (notice(text, error)) }
        div.columns {
            div {
                section.panel aria-labelledby="facts" {
                    h2 #facts { (lang.choose("La demande", "The request")) }
                    dl.facts {
                        dt { (lang.choose("Statut", "Status")) } dd #status { (lang.pair(status_name(report.status))) }
                        dt { (lang.choose("Service", "Service")) } dd { (lang.pick(&report.service)) }
                        dt { (lang.choose("Zone", "Zone")) } dd { (zone_name(town, &report.zone)) }
                        dt { (lang.choose("Déposée le", "Filed on")) } dd { (when(report.created_at_ms)) }
                        @if let Some(due) = report.due_at_ms {
                            dt { (lang.choose("Échéance", "Due")) } dd { (day(due)) }
                        }
                        @if let Some(planned) = report.scheduled_for_ms {
                            dt { (lang.choose("Intervention prévue", "Planned for")) } dd { (day(planned)) }
                        }
                        dt { (lang.choose("Soutiens", "Supporters")) } dd { (report.supporters) }
                        dt { (lang.choose("Attribuée à", "Assigned to")) }
                        dd { (task.assigned_to.as_ref().map_or(lang.choose("personne", "nobody"), |s| s.name.as_str())) }
                        dt { (lang.choose("Position", "Location")) }
                        dd { (format!("{:.5}, {:.5}", report.location.lat, report.location.lon)) }
                        @if let Some(original) = report.duplicate_of {
                            dt { (lang.choose("Doublon probable de", "Probable duplicate of")) }
                            dd { a href={ "/requests/" (original) } { (reference(original)) } }
                        }
                    }
                    h2 { (lang.choose("Texte du citoyen", "The citizen's text")) }
                    p { (report.text) }
                    @if !task.answers.is_empty() {
                        h2 { (lang.choose("Réponses aux questions", "Answers")) }
                        dl.facts {
                            @for (code, answer) in &task.answers {
                                @let question = category.and_then(|c| c.questions.iter().find(|q| &q.code == code));
                                dt { (question.map_or(code.as_str(), |q| lang.pick(&q.label))) }
                                dd { (answer_text(answer, question, lang)) }
                            }
                        }
                    }
                    @if !report.photos.is_empty() || !report.completion_photos.is_empty() {
                        h2 { (lang.choose("Photos", "Photos")) }
                        div.photos {
                            @for (i, sha) in report.photos.iter().chain(&report.completion_photos).enumerate() {
                                a href={ "/requests/" (report.id) "/photos/" (sha) } {
                                    img src={ "/requests/" (report.id) "/photos/" (sha) } alt={ (lang.choose("Photo", "Photo")) " " (i + 1) };
                                }
                            }
                        }
                    }
                }
                section.panel aria-labelledby="thread" {
                    h2 #thread { (lang.choose("Échanges avec le citoyen", "Conversation with the citizen")) }
                    @if task.thread.is_empty() { p { (lang.choose("Aucun message.", "No message.")) } }
                    ol.thread {
                        @for message in &task.thread {
                            li.city[message.author == Author::City] {
                                div.meta {
                                    (match message.author { Author::City => lang.choose("La ville", "The town"), Author::Citizen => lang.choose("Le citoyen", "The citizen") })
                                    " · " (when(message.at_ms))
                                }
                                (message.text)
                            }
                        }
                    }
                    @if !task.notes.is_empty() {
                        h2 { (lang.choose("Notes internes", "Internal notes")) }
                        ol.thread {
                            @for note in &task.notes {
                                li { div.meta { (note.author) " · " (when(note.at_ms)) } (note.text) }
                            }
                        }
                    }
                }
                section.panel aria-labelledby="history" {
                    h2 #history { (lang.choose("Historique", "History")) }
                    table {
                        thead { tr {
                            th scope="col" { (lang.choose("Quand", "When")) }
                            th scope="col" { (lang.choose("Quoi", "What")) }
                            th scope="col" { (lang.choose("Qui", "Who")) }
                            th scope="col" { (lang.choose("Par", "Through")) }
                        } }
                        tbody {
                            @for entry in &task.log {
                                tr {
                                    td { (when(entry.at_ms)) }
                                    td {
                                        (action_name(&entry.action, lang))
                                        @if let Some(status) = entry.status { " → " (lang.pair(status_name(status))) }
                                        @if let Some(detail) = &entry.detail { br; span.meta { (lang.pick(detail)) } }
                                    }
                                    td { (match &entry.actor { Actor::Citizen => lang.choose("le citoyen", "the citizen"), Actor::Staff { name } => name.as_str(), Actor::System => lang.choose("le serveur", "the server") }) }
                                    td { (channel_name(&entry.channel, lang)) }
                                }
                            }
                        }
                    }
                }
            }
            div {
                section.panel.actions aria-labelledby="actions" {
                    h2 #actions { (lang.choose("Actions", "Actions")) }
                    (actions(staff, town, task, prefill))
                }
                section.panel aria-labelledby="where" {
                    h2 #where { (lang.choose("Sur la carte", "On the map")) }
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
            .map_or(code, |o| lang.pick(&o.label))
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
    lang.choose(fr, en)
}

fn channel_name(channel: &str, lang: Lang) -> &str {
    let (fr, en) = match channel {
        "device" => ("appareil", "device"),
        "web" => ("back-office", "back office"),
        "server" => ("serveur", "server"),
        other => return other,
    };
    lang.choose(fr, en)
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
                (lang.choose("Réponse au citoyen", "Reply to the citizen"))
                @if !required { " " span.meta { (lang.choose("(vide : le modèle de la ville)", "(empty: the town's template)")) } }
            }
            textarea id=(id) name="reply" required[required] {}
        }
    };
    let note_field = |id: &str| {
        html! {
            label for=(id) { (lang.choose("Note interne", "Internal note")) " " span.meta { (lang.choose("(facultative)", "(optional)")) } }
            textarea id=(id) name="note" {}
        }
    };
    let open_now = relais_domain::status::is_open(report.status);
    html! {
        @if allows(&WorkflowAction::Acknowledge) {
            (form("acknowledge", lang.choose("Prendre en compte", "Acknowledge"), true, reply_field("ack-reply", false)))
        }
        @if allows(&WorkflowAction::Schedule { for_ms: None }) {
            (form("schedule", lang.choose("Programmer une intervention", "Schedule"), false, html! {
                label for="schedule-date" { (lang.choose("Date prévue", "Planned date")) }
                input #schedule-date type="date" name="date" required;
                (reply_field("schedule-reply", false))
            }))
        }
        @if allows(&WorkflowAction::Start) {
            (form("start", lang.choose("Commencer les travaux", "Start work"), false, note_field("start-note")))
        }
        @if allows(&WorkflowAction::Resolve { photos: Vec::new() }) {
            // Its own form: the photos travel as files.
            details {
                summary { (lang.choose("Résoudre", "Resolve")) }
                form method="post" action={ "/requests/" (report.id) "/resolve" } enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    input type="hidden" name="version" value=(report.version);
                    (reply_field("resolve-reply", false))
                    (note_field("resolve-note"))
                    label for="resolve-photos" {
                        (lang.choose("Photos de l'intervention", "Photos of the work done"))
                        " " span.meta { (lang.choose("(facultatives, 5 au plus ; JPEG, PNG ou WebP : réduites à 2048 px, redressées et sans métadonnées à l'envoi)", "(optional, at most 5; JPEG, PNG or WebP: shrunk to 2048 px, turned upright and stripped of metadata when sent)")) }
                    }
                    input #resolve-photos type="file" name="photo" accept="image/jpeg,image/png,image/webp" multiple;
                    button.primary type="submit" { (lang.choose("Résoudre", "Resolve")) }
                }
            }
        }
        @if allows(&WorkflowAction::Reject { reason: String::new() }) {
            (form("reject", lang.choose("Rejeter", "Reject"), false, html! {
                label for="reject-reason" { (lang.choose("Motif", "Reason")) }
                select #reject-reason name="reason" required {
                    @for reason in &town.catalogue.rejection_reasons {
                        option value=(reason.code) { (lang.pick(&reason.label)) }
                    }
                }
                (reply_field("reject-reply", false))
                (confirm_box("reject-confirm", lang.choose("Je confirme le rejet", "I confirm the rejection")))
            }))
        }
        @if allows(&WorkflowAction::Transfer { service: String::new() }) {
            (form("transfer", lang.choose("Transférer à un autre service", "Transfer to another service"), false, html! {
                label for="transfer-service" { (lang.choose("Service", "Service")) }
                select #transfer-service name="service" required {
                    @for service in town.catalogue.services.iter().filter(|s| Some(&s.code) != report.service_code.as_ref()) {
                        option value=(service.code) { (lang.pick(&service.name)) }
                    }
                }
                (note_field("transfer-note"))
            }))
        }
        @if allows(&WorkflowAction::MarkDuplicate { of: Uuid::nil() }) {
            (form("mark_duplicate", lang.choose("Marquer comme doublon", "Mark as a duplicate"), false, html! {
                label for="duplicate-of" { (lang.choose("Identifiant de la demande d'origine", "Id of the original request")) }
                input #duplicate-of type="text" name="of" required value=(report.duplicate_of.map(|u| u.to_string()).unwrap_or_default());
                (reply_field("duplicate-reply", false))
                (confirm_box("duplicate-confirm", lang.choose("Je confirme que c'est un doublon", "I confirm it is a duplicate")))
            }))
        }
        @if allows(&WorkflowAction::Assign { to: None }) {
            (form("assign", lang.choose("Attribuer", "Assign"), false, html! {
                label for="assign-to" { (lang.choose("À qui", "To whom")) }
                @if may_dispatch(&staff.member) {
                    input #assign-to type="email" name="to" placeholder=(lang.choose("adresse e-mail (vide : personne)", "e-mail address (empty: nobody)"));
                } @else {
                    select #assign-to name="to" {
                        option value="me" { (lang.choose("Moi", "Me")) }
                        option value="" { (lang.choose("Personne", "Nobody")) }
                    }
                }
            }))
        }
        @if allows(&WorkflowAction::Reply) {
            form.template method="get" action={ "/requests/" (report.id) } {
                label for="template" { (lang.choose("Partir d'un modèle de la ville", "Start from a town template")) }
                select #template name="template" {
                    @for (kind, status) in TEMPLATES {
                        option value=(kind.as_ref()) { (lang.pair(status_name(status))) }
                    }
                }
                " "
                button type="submit" { (lang.choose("Préparer la réponse", "Prepare the reply")) }
            }
            (form("reply", lang.choose("Écrire au citoyen", "Write to the citizen"), !open_now || prefill.is_some(), html! {
                label for="reply-text" { (lang.choose("Réponse au citoyen", "Reply to the citizen")) }
                textarea #reply-text name="reply" required { (prefill.clone().unwrap_or_default()) }
            }))
            (form("note", lang.choose("Ajouter une note interne", "Add an internal note"), false, html! {
                label for="note-text" { (lang.choose("Note interne", "Internal note")) }
                textarea #note-text name="note" required {}
            }))
        }
        @if report.status == ReportStatus::Queued {
            p { (lang.choose("Aucune action possible.", "No action is possible.")) }
        }
    }
}
