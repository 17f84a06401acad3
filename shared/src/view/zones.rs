//! The town's zones with whether the citizen follows each and why, and the alerts of the zones
//! they follow.

use relais_protocol::FollowedZone;
use serde::Serialize;

use crate::{
    i18n::{self, Lang},
    model::{Model, zones},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct ZoneView {
    pub code: String,
    pub name: String,
    /// `commune`, `arrondissement`, `quartier`...
    pub kind: String,
    pub parent: Option<String>,
    /// Its reports and alerts come to this device.
    pub followed: bool,
    /// Why, when it is followed itself: `explicit` (chosen), `reported` (the citizen reported
    /// there) or `pending` (chosen, not sent yet).
    pub origin: Option<String>,
    /// When it is followed through a zone it lies in: that zone's code.
    pub via: Option<String>,
    /// Why it is followed, in words.
    pub why: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct AlertView {
    pub id: String,
    pub zones: Vec<String>,
    pub title: String,
    pub text: String,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    /// Under way now (else upcoming).
    pub current: bool,
}

pub(crate) fn zones(model: &Model, lang: Lang) -> Vec<ZoneView> {
    let Some(catalogue) = &model.catalogue else {
        return Vec::new();
    };
    let followed = zones::followed(model.follows.as_deref(), &model.outbox);
    let find = |code: &str| followed.iter().find(|f| f.zone == code);
    catalogue
        .zones
        .iter()
        .map(|zone| {
            let own: Option<&FollowedZone> = find(&zone.code);
            let via = own
                .is_none()
                .then(|| zones::ancestors(catalogue, &zone.code).find(|a| find(a).is_some()))
                .flatten();
            let why = match (own, via) {
                (Some(f), _) => Some(i18n::follow_origin(&f.origin, lang).to_owned()),
                (None, Some(parent)) => Some(i18n::followed_via(parent, lang)),
                (None, None) => None,
            };
            ZoneView {
                code: zone.code.clone(),
                name: zone.name.clone(),
                kind: zone.kind.clone(),
                parent: zone.parent.clone(),
                followed: own.is_some() || via.is_some(),
                origin: own.map(|f| f.origin.clone()),
                via: via.map(str::to_owned),
                why,
            }
        })
        .collect()
}

pub(crate) fn alerts(model: &Model, lang: Lang) -> Vec<AlertView> {
    let now = model.now_ms;
    model
        .alerts
        .iter()
        .filter(|a| a.ends_at_ms > now)
        .map(|a| AlertView {
            id: a.id.to_string(),
            zones: a.zones.clone(),
            title: lang.pick(&a.title).to_owned(),
            text: lang.pick(&a.text).to_owned(),
            starts_at_ms: a.starts_at_ms,
            ends_at_ms: a.ends_at_ms,
            current: a.starts_at_ms <= now,
        })
        .collect()
}
