//! `POST requests`: a third-party application files a request with its api key. The request
//! becomes a `create_report` of the application's own citizen device, judged by the same rules
//! as a phone's (category, point inside the town's zones, text, answers to the category's
//! questions, routing, probable duplicates) and stored in one transaction; from then on it is a
//! report like any other: in its zone's and its service's scopes at their next sync, in the
//! workflow, answered in writing. Relais places every request on the map, so `lat` and `long`
//! are required; photos travel only through phones (`media_url` is not fetched).

use relais_protocol::{GeoPoint, MutationOp};
use relais_server_database::{Database, DeviceRecord};
use uuid::Uuid;

use super::documents::Created;
use super::error::Failure;
use super::mapping;
use super::params::Params;
use crate::clock::now_ms;
use crate::router::AppState;
use crate::sync::push::{self, PushError, Source};
use crate::token;
use crate::town::Town;

/// The device the caller's `api_key` files requests as, in `town`.
pub async fn application<DB: Database>(
    state: &AppState<DB>,
    town: &Town,
    key: &str,
) -> Result<DeviceRecord, Failure> {
    state
        .db
        .api_key(town.id(), token::hash(key))
        .await?
        .ok_or_else(Failure::invalid_api_key)
}

/// Files the request described by `params`; refused with nothing written when the key, the
/// arguments or the rules say no.
pub async fn file<DB: Database>(
    state: &AppState<DB>,
    town: &Town,
    params: &Params,
    language: &str,
) -> Result<Created, Failure> {
    let key = params.get("api_key").ok_or_else(Failure::invalid_api_key)?;
    let device = application(state, town, key).await?;
    let code = params.get("service_code").ok_or_else(|| {
        Failure::bad_request(
            "service_code manquant : le type de la demande (GET services).",
            "service_code was not provided: the request's type (GET services).",
        )
    })?;
    let category = town
        .category(code)
        .ok_or_else(|| Failure::unknown_service(code))?;
    let location = location(params)?;
    let answers = mapping::answers(category, params.attributes())?;
    let report_id = Uuid::now_v7();
    let op = MutationOp::CreateReport {
        report_id,
        category: category.code.clone(),
        location,
        text: params.get("description").unwrap_or_default().to_owned(),
        created_at_ms: now_ms(),
        photos: Vec::new(),
        answers,
    };
    match push::apply(&state.db, &state.towns, &device, op, Source::Open311).await {
        Ok(Ok(())) => Ok(Created {
            service_request_id: report_id.to_string(),
            service_notice: mapping::service_notice(category, language),
            account_id: None,
        }),
        Ok(Err(reason)) => Err(Failure::refused(&reason)),
        Err(PushError::Db(error)) => Err(error.into()),
        Err(PushError::UnknownTenant) => Err(Failure::unknown_jurisdiction(town.id())),
        Err(error @ (PushError::Malformed(_) | PushError::Refused(_))) => {
            tracing::error!(%error, "a single Open311 request was refused as a batch");
            Err(Failure::internal())
        }
    }
}

/// `lat` and `long`, both present and numbers (whether they lie in the town is the rules' call).
fn location(params: &Params) -> Result<GeoPoint, Failure> {
    let number = |name: &str| {
        params
            .get(name)
            .map(|text| {
                text.trim().parse::<f64>().map_err(|_| {
                    Failure::bad_request(
                        format!("{name} n'est pas un nombre : {text}."),
                        format!("{name} is not a number: {text}."),
                    )
                })
            })
            .transpose()
    };
    match (number("lat")?, number("long")?) {
        (Some(lat), Some(lon)) => Ok(GeoPoint {
            lat,
            lon,
            accuracy_m: None,
        }),
        _ => Err(Failure::bad_request(
            "lat et long sont requis : la ville place chaque demande sur sa carte \
             (address_string et address_id seuls ne suffisent pas).",
            "lat and long are required: the town places every request on its map \
             (address_string or address_id alone are not enough).",
        )),
    }
}
