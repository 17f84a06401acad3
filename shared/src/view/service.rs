//! How the town's public services look on screen, with the user's own rating.

use serde::Serialize;

use crate::{
    i18n::Lang,
    model::{Model, OutboxState},
};

#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub opening_hours: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// Published only above the town's minimum number of raters.
    pub ratings_count: Option<u32>,
    pub satisfaction_mean: Option<f64>,
    pub importance_mean: Option<f64>,
    pub my_rating: Option<MyRatingView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct MyRatingView {
    pub satisfaction: u8,
    pub importance: u8,
    pub comment: Option<String>,
    pub at_ms: i64,
    /// `queued`, `sent` or `rejected`.
    pub state: String,
}

pub(crate) fn services(model: &Model, lang: Lang) -> Vec<ServiceView> {
    let Some(directory) = &model.directory else {
        return Vec::new();
    };
    directory
        .services
        .iter()
        .map(|s| ServiceView {
            id: s.id.clone(),
            name: lang.pick(&s.name).to_owned(),
            kind: lang.pick(&s.kind).to_owned(),
            address: s.address.clone(),
            lat: s.location.map(|p| p.lat),
            lon: s.location.map(|p| p.lon),
            opening_hours: s.opening_hours.clone(),
            phone: s.phone.clone(),
            website: s.website.clone(),
            ratings_count: s.ratings.map(|r| r.count),
            satisfaction_mean: s.ratings.map(|r| r.satisfaction_mean),
            importance_mean: s.ratings.map(|r| r.importance_mean),
            my_rating: model.my_ratings.get(&s.id).map(|r| MyRatingView {
                satisfaction: r.satisfaction,
                importance: r.importance,
                comment: r.comment.clone(),
                at_ms: r.at_ms,
                state: rating_state(model, &s.id).into(),
            }),
        })
        .collect()
}

/// Whether the latest rating of `service_id` is still queued, refused, or sent.
fn rating_state(model: &Model, service_id: &str) -> &'static str {
    use relais_protocol::MutationOp;
    let latest = model.outbox.items().iter().rev().find(
        |i| matches!(&i.mutation.op, MutationOp::RateService { service_id: s, .. } if s == service_id),
    );
    match latest.map(|i| &i.state) {
        Some(OutboxState::Queued) => "queued",
        Some(OutboxState::Rejected(_)) => "rejected",
        None => "sent",
    }
}
