//! The alerts page: publishing a dated notice (roadworks, a water cut, an event) to the people of
//! some zones of the town, in French and English, through [`crate::staff::act::publish_alert`],
//! the same operation as the staff API's: the devices following those zones (or any zone inside
//! them) receive it at their next sync, from its first day to the end of its last. The alert is
//! stored with the admin who published it.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use relais_protocol::LocalizedText;
use relais_server_database::Database;

use super::{AdminPage, AdminStaff, Pairs, refused};
use crate::backoffice::bad_request;
use crate::backoffice::dashboard::{DAY_MS, midnight};
use crate::backoffice::session::Staff;
use crate::router::AppState;
use crate::staff::act::{ActError, AlertRequest, publish_alert};
use crate::town::Town;

const HERE: &str = "/admin/alerts";

/// The page.
pub struct Page;

impl AdminPage for Page {
    const HERE: &'static str = HERE;
    const TITLE: (&'static str, &'static str) = ("Alertes aux habitants", "Alerts to residents");

    async fn content<DB: Database>(
        _state: &AppState<DB>,
        staff: &Staff,
        town: &Town,
    ) -> Result<Markup, Response> {
        let lang = staff.lang;
        Ok(html! {
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

/// The form, read as pairs: `zone` is repeated.
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
