//! The alerts page: publishing a dated notice (roadworks, a water cut, an event) to the people of
//! some zones of the town, in French and English, through [`crate::staff::act::publish_alert`],
//! the same operation as the staff API's: the devices following those zones (or any zone inside
//! them) receive it at their next sync, from its first day to the end of its last. The alert is
//! stored with the admin who published it.
//!
//! The page lists the town's alerts that are under way, to come, or ended in the last
//! [`LISTED_DAYS`] days (zones, texts in both languages, dates, who published them), and ends one
//! early (withdraws it, if it has not started) with a confirmation box, through
//! [`crate::staff::act::end_alert`], which writes it in the audit log: the phones holding it learn
//! its new end at their next sync and stop showing it.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use relais_protocol::LocalizedText;
use relais_server_database::{Database, PublishedAlert};
use serde::Deserialize;
use uuid::Uuid;

use super::{AdminPage, AdminStaff, Pairs, confirm_box, refused};
use crate::backoffice::bad_request;
use crate::backoffice::dashboard::{DAY_MS, midnight};
use crate::backoffice::inbox::zone_name;
use crate::backoffice::lang::Lang;
use crate::backoffice::layout::{day, when};
use crate::backoffice::session::Staff;
use crate::clock::now_ms;
use crate::router::AppState;
use crate::staff::act::{ActError, AlertRequest, end_alert, publish_alert};
use crate::town::Town;

const HERE: &str = "/admin/alerts";

/// How many days after its end an alert is still listed.
const LISTED_DAYS: i64 = 30;

/// The most alerts listed.
const LISTED: u32 = 200;

/// The page.
pub struct Page;

super::page_handler!(
    "backoffice_admin_alerts",
    " An admin page: the town's alerts, and the forms that publish and end them."
);

impl AdminPage for Page {
    const HERE: &'static str = HERE;
    const TITLE: (&'static str, &'static str) = ("Alertes aux habitants", "Alerts to residents");

    async fn content<DB: Database>(
        state: &AppState<DB>,
        staff: &Staff,
        town: &Town,
    ) -> Result<Markup, Response> {
        let lang = staff.lang;
        let now = now_ms();
        let alerts = state
            .db
            .published_alerts(town.id(), now - LISTED_DAYS * DAY_MS, LISTED)
            .await
            .map_err(|error| crate::error::ApiFailure::from(error).into_response())?;
        Ok(html! {
            (listed(&alerts, staff, town, now))
            div.panel {
                h2 { (lang.choose("Publier une alerte", "Publish an alert")) }
                p.meta { (lang.choose(
                    "Les téléphones qui suivent ces zones (ou une zone qu'elles contiennent) la reçoivent à leur prochaine synchronisation, du premier au dernier jour inclus.",
                    "The phones following these zones (or a zone inside them) receive it at their next sync, from the first to the last day included.",
                )) }
                form.stack method="post" action=(HERE) {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    label for="alert-zones" { (lang.choose("Zones (Ctrl pour plusieurs)", "Zones (Ctrl for several)")) }
                    select #alert-zones name="zone" multiple required size="6" {
                        @for zone in &town.catalogue.zones {
                            option value=(zone.code) { (zone.name) }
                        }
                    }
                    label for="title-fr" { (lang.choose("Titre en français", "Title in French")) }
                    input #title-fr name="title_fr" required maxlength="200";
                    label for="title-en" { (lang.choose("Titre en anglais", "Title in English")) }
                    input #title-en name="title_en" required maxlength="200";
                    label for="text-fr" { (lang.choose("Texte en français", "Text in French")) }
                    textarea #text-fr name="text_fr" required {}
                    label for="text-en" { (lang.choose("Texte en anglais", "Text in English")) }
                    textarea #text-en name="text_en" required {}
                    label for="alert-from" { (lang.choose("Premier jour", "First day")) }
                    input #alert-from type="date" name="from" required;
                    label for="alert-to" { (lang.choose("Dernier jour", "Last day")) }
                    input #alert-to type="date" name="to" required;
                    p { button.primary type="submit" { (lang.choose("Publier", "Publish")) } }
                }
            }
        })
    }
}

/// The alert's form, as the OpenAPI document describes it ([`post`] reads it as
/// [`super::Pairs`]).
#[derive(utoipa::ToSchema)]
#[schema(as = backoffice::AlertForm)]
#[allow(dead_code)]
pub struct AlertForm {
    /// The session's CSRF token.
    csrf: String,
    /// The zones' codes, the field repeated.
    zone: Vec<String>,
    title_fr: String,
    title_en: String,
    text_fr: String,
    text_en: String,
    /// The first day (`YYYY-MM-DD`).
    from: String,
    /// The last day, included.
    to: String,
}

/// Publishes an alert to the people of some zones. The form is read as pairs: `zone` is
/// repeated.
#[utoipa::path(
    post,
    path = HERE,
    operation_id = "backoffice_admin_publish_alert",
    tag = "back office",
    request_body(content = AlertForm, content_type = "application/x-www-form-urlencoded"),
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
    if let Err(page) = signed.changing(fields.text("csrf")) {
        return page.into_response();
    }
    let (Some(starts_at_ms), Some(last_day)) =
        (midnight(fields.text("from")), midnight(fields.text("to")))
    else {
        return bad_request(
            lang,
            "date manquante ou incorrecte",
            "missing or wrong date",
        );
    };
    let alert = AlertRequest {
        zones: fields.all("zone"),
        title: LocalizedText::new(fields.text("title_fr"), fields.text("title_en")),
        text: LocalizedText::new(fields.text("text_fr"), fields.text("text_en")),
        starts_at_ms,
        ends_at_ms: last_day + DAY_MS,
    };
    let tenant = staff.member.tenant.clone().unwrap_or_default();
    match publish_alert(&state.db, &state.towns, Some(&staff.member), &tenant, alert).await {
        Ok(Ok(_)) => Redirect::to(&format!("{HERE}?done=1")).into_response(),
        Ok(Err(reason)) => refused::<DB, Page>(&state, staff, lang.pick(&reason.message)).await,
        Err(ActError::UnknownTenant) => crate::backoffice::forbidden(lang),
        Err(ActError::Db(error)) => crate::error::ApiFailure::from(error).into_response(),
    }
}

/// The listed alerts, each with its form to end it while it has not ended.
fn listed(alerts: &[PublishedAlert], staff: &Staff, town: &Town, now: i64) -> Markup {
    let lang = staff.lang;
    html! {
        div.panel.scroll #alerts {
            h2 { (lang.choose("Alertes publiées", "Published alerts")) }
            @if alerts.is_empty() {
                p.meta { (lang.choose(
                    "Aucune alerte en cours, à venir ou terminée depuis moins de 30 jours.",
                    "No alert under way, to come, or ended less than 30 days ago.",
                )) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (lang.choose("Zones", "Zones")) }
                        th scope="col" { (lang.choose("Français", "French")) }
                        th scope="col" { (lang.choose("Anglais", "English")) }
                        th scope="col" { (lang.choose("Dates", "Dates")) }
                        th scope="col" { (lang.choose("Publiée par", "Published by")) }
                        th scope="col" { (lang.choose("État", "State")) }
                    } }
                    tbody {
                        @for (i, published) in alerts.iter().enumerate() {
                            @let alert = &published.alert;
                            tr data-alert=(alert.id) {
                                td { (alert.zones.iter().map(|z| zone_name(town, z)).collect::<Vec<_>>().join(", ")) }
                                td { strong { (alert.title.fr) } br; (alert.text.fr) }
                                td { strong { (alert.title.en) } br; (alert.text.en) }
                                td { (day(alert.starts_at_ms)) " → " (when(alert.ends_at_ms)) }
                                td {
                                    (published.published_by.as_deref().unwrap_or(lang.choose("ligne de commande", "command line")))
                                    br; span.meta { (when(published.published_at_ms)) }
                                }
                                td { (state_of(alert.starts_at_ms, alert.ends_at_ms, now, lang))
                                    @if alert.ends_at_ms > now {
                                        form method="post" action={ (HERE) "/" (alert.id) "/end" } {
                                            input type="hidden" name="csrf" value=(staff.csrf);
                                            (confirm_box(&format!("end-{i}"), lang.choose("Je confirme", "I confirm")))
                                            " "
                                            button type="submit" { (if alert.starts_at_ms > now {
                                                lang.choose("Retirer", "Withdraw")
                                            } else {
                                                lang.choose("Terminer maintenant", "End now")
                                            }) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Whether an alert is to come, under way or ended, in words.
fn state_of(starts_at_ms: i64, ends_at_ms: i64, now: i64, lang: Lang) -> &'static str {
    if ends_at_ms <= now {
        lang.choose("terminée", "ended")
    } else if starts_at_ms > now {
        lang.choose("à venir", "to come")
    } else {
        lang.choose("en cours", "under way")
    }
}

/// The form that ends an alert: the session's token and the ticked confirmation.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = backoffice::EndForm)]
pub struct EndForm {
    /// The session's CSRF token.
    #[serde(default)]
    csrf: String,
    /// `yes`: the end confirmed.
    #[serde(default)]
    confirm: String,
}

/// Ends alert `id` now, once confirmed; the page again with the list, or with why not.
#[utoipa::path(
    post,
    path = "/admin/alerts/{id}/end",
    operation_id = "backoffice_admin_end_alert",
    tag = "back office",
    params(("id" = Uuid, Path, description = "The alert's id")),
    request_body(content = EndForm, content_type = "application/x-www-form-urlencoded"),
    responses(crate::openapi::AdminSaved, crate::openapi::FormRefusals),
    security(("session" = [])),
)]
pub async fn end<DB: Database>(
    State(state): State<AppState<DB>>,
    signed: AdminStaff,
    Path(id): Path<Uuid>,
    Form(form): Form<EndForm>,
) -> Response {
    let staff = &signed.staff;
    let lang = staff.lang;
    if let Err(page) = signed.changing(&form.csrf) {
        return page.into_response();
    }
    if form.confirm != "yes" {
        return bad_request(lang, "confirmation manquante", "confirmation missing");
    }
    let tenant = staff.member.tenant.clone().unwrap_or_default();
    match end_alert(&state.db, &state.towns, &staff.member, &tenant, id).await {
        Ok(Ok(())) => Redirect::to(&format!("{HERE}?done=1")).into_response(),
        Ok(Err(reason)) => refused::<DB, Page>(&state, staff, lang.pick(&reason.message)).await,
        Err(ActError::UnknownTenant) => crate::backoffice::forbidden(lang),
        Err(ActError::Db(error)) => crate::error::ApiFailure::from(error).into_response(),
    }
}
