//! The Open311 routes, under `/open311/v2/`: each resource is `name.xml` or `name.json`, the
//! town is the `jurisdiction_id` argument (a tenant's code), and every answer, refusals
//! included, is a document of the specification in the format asked (XML when the format
//! itself is not understood: it is the one every client reads).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use relais_protocol::LocalizedText;
use relais_server_database::Database;
use uuid::Uuid;

use super::documents::{Discovery, Endpoint, Endpoints, Formats, ServiceRequests, Token};
use super::error::Failure;
use super::format::Format;
use super::params::Params;
use super::{filing, listing, mapping};
use crate::router::AppState;
use crate::town::Town;

/// When the documents this server writes last changed, for the discovery's `changeset`.
const CHANGESET: &str = "2026-12-03T00:00:00Z";

const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";

/// The Open311 front door's routes.
pub fn routes<DB: Database>() -> Router<AppState<DB>> {
    Router::new()
        .route(
            "/open311/v2/{file}",
            get(resource::<DB>).post(post_resource::<DB>),
        )
        .route("/open311/v2/services/{file}", get(definition::<DB>))
        .route("/open311/v2/requests/{file}", get(request::<DB>))
        .route("/open311/v2/tokens/{file}", get(token::<DB>))
}

/// What every call starts from: the resource's name and format, its arguments and the
/// language of its texts.
struct Call {
    name: String,
    format: Format,
    params: Params,
    language: &'static str,
}

/// A call refused before it started, to answer in the format asked (XML when that is unknown).
struct Refused {
    failure: Failure,
    format: Format,
    language: &'static str,
}

impl Refused {
    fn answer(&self) -> Response {
        self.failure.answer(self.format, self.language)
    }
}

impl Call {
    fn read(file: &str, encoded: &[u8], headers: &HeaderMap) -> Result<Self, Refused> {
        let params = Params::parse(encoded);
        let language = params.as_ref().map_or_else(
            |_| Params::default().language(headers),
            |p| p.language(headers),
        );
        let Some((name, format)) = Format::split(file) else {
            return Err(Refused {
                failure: Failure::unknown_resource(),
                format: Format::Xml,
                language,
            });
        };
        match params {
            Ok(params) => Ok(Self {
                name: name.to_owned(),
                format,
                params,
                language,
            }),
            Err(failure) => Err(Refused {
                failure,
                format,
                language,
            }),
        }
    }

    /// The town named by `jurisdiction_id`.
    async fn town<DB: Database>(&self, state: &AppState<DB>) -> Result<Arc<Town>, Failure> {
        let id = self
            .params
            .get("jurisdiction_id")
            .ok_or_else(Failure::missing_jurisdiction)?;
        state
            .towns
            .get(&state.db, id)
            .await?
            .ok_or_else(|| Failure::unknown_jurisdiction(id))
    }

    /// `200` with the document, or the refusal.
    fn answer<T: serde::Serialize>(&self, root: &str, document: Result<T, Failure>) -> Response {
        match document {
            Ok(document) => self.format.answer(StatusCode::OK, root, &document),
            Err(failure) => failure.answer(self.format, self.language),
        }
    }
}

/// `GET discovery`, `services`, `requests`, `servicerequestupdates`.
async fn resource<DB: Database>(
    State(state): State<AppState<DB>>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let call = match Call::read(&file, query.unwrap_or_default().as_bytes(), &headers) {
        Ok(call) => call,
        Err(refused) => return refused.answer(),
    };
    match call.name.as_str() {
        "discovery" => call.answer("discovery", Ok(discovery(&headers, call.language))),
        "services" => {
            let services = call
                .town(&state)
                .await
                .map(|town| mapping::services(&town, call.language));
            call.answer("services", services)
        }
        "requests" => {
            let requests = async {
                let town = call.town(&state).await?;
                let reports = listing::requests(&state, &town, &call.params).await?;
                Ok(ServiceRequests {
                    request: reports
                        .iter()
                        .map(|r| mapping::request(r, &town, call.language))
                        .collect(),
                })
            };
            call.answer("service_requests", requests.await)
        }
        "servicerequestupdates" => {
            let updates = async {
                let town = call.town(&state).await?;
                listing::updates(&state, &town, &call.params, call.language).await
            };
            call.answer("service_requests_updates", updates.await)
        }
        _ => Failure::unknown_resource().answer(call.format, call.language),
    }
}

/// `POST requests` (form-encoded; arguments in the query string count too, as some clients
/// put `jurisdiction_id` or `api_key` there).
async fn post_resource<DB: Database>(
    State(state): State<AppState<DB>>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arguments = [query.unwrap_or_default().as_bytes(), b"&", &body].concat();
    let call = match Call::read(&file, &arguments, &headers) {
        Ok(call) => call,
        Err(refused) => return refused.answer(),
    };
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let created = async {
        match call.name.as_str() {
            "requests" if form => {}
            "requests" => {
                return Err(Failure::bad_request(
                    "Le corps doit être application/x-www-form-urlencoded.",
                    "The body must be application/x-www-form-urlencoded.",
                ));
            }
            "discovery" | "services" | "servicerequestupdates" => {
                return Err(Failure::method_not_allowed());
            }
            _ => return Err(Failure::unknown_resource()),
        }
        let town = call.town(&state).await?;
        let created = filing::file(&state, &town, &call.params, call.language).await?;
        Ok(ServiceRequests {
            request: vec![created],
        })
    };
    call.answer("service_requests", created.await)
}

/// `GET services/{service_code}`: a request type's attributes.
async fn definition<DB: Database>(
    State(state): State<AppState<DB>>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let call = match Call::read(&file, query.unwrap_or_default().as_bytes(), &headers) {
        Ok(call) => call,
        Err(refused) => return refused.answer(),
    };
    let definition = async {
        let town = call.town(&state).await?;
        let category = town
            .category(&call.name)
            .ok_or_else(|| Failure::unknown_service(&call.name))?;
        Ok(mapping::definition(category, call.language))
    };
    call.answer("service_definition", definition.await)
}

/// `GET requests/{service_request_id}`: a one-element list.
async fn request<DB: Database>(
    State(state): State<AppState<DB>>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let call = match Call::read(&file, query.unwrap_or_default().as_bytes(), &headers) {
        Ok(call) => call,
        Err(refused) => return refused.answer(),
    };
    let request = async {
        let town = call.town(&state).await?;
        let report = one_report(&state, &town, &call.name).await?;
        Ok(ServiceRequests {
            request: vec![mapping::request(&report, &town, call.language)],
        })
    };
    call.answer("service_requests", request.await)
}

/// `GET tokens/{token}`: requests are filed at once (`realtime`), so a request's token is its
/// id, for clients that ask anyway.
async fn token<DB: Database>(
    State(state): State<AppState<DB>>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let call = match Call::read(&file, query.unwrap_or_default().as_bytes(), &headers) {
        Ok(call) => call,
        Err(refused) => return refused.answer(),
    };
    let token = async {
        let town = call.town(&state).await?;
        let report = one_report(&state, &town, &call.name).await?;
        Ok(ServiceRequests {
            request: vec![Token {
                service_request_id: report.id.to_string(),
                token: call.name.clone(),
            }],
        })
    };
    call.answer("service_requests", token.await)
}

async fn one_report<DB: Database>(
    state: &AppState<DB>,
    town: &Town,
    id: &str,
) -> Result<relais_protocol::PublicReport, Failure> {
    let parsed = Uuid::parse_str(id).map_err(|_| Failure::unknown_request(id))?;
    state
        .db
        .public_reports(town.id(), vec![parsed])
        .await?
        .pop()
        .ok_or_else(|| Failure::unknown_request(id))
}

/// This server's endpoint, at the address the caller reached it by.
fn discovery(headers: &HeaderMap, language: &str) -> Discovery {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("http");
    let contact = LocalizedText::new(
        "Le service informatique de la ville qui exploite ce serveur Relais.",
        "The IT team of the town running this Relais server.",
    );
    let key_service = LocalizedText::new(
        "Une clé (api_key) par application, délivrée par l'administrateur de la ville \
         (relais-server open311-keys add) ; jurisdiction_id est le code de la ville.",
        "One api_key per application, issued by the town's administrator \
         (relais-server open311-keys add); jurisdiction_id is the town's code.",
    );
    Discovery {
        changeset: CHANGESET.to_owned(),
        contact: contact.get(language).to_owned(),
        key_service: key_service.get(language).to_owned(),
        endpoints: Endpoints {
            endpoint: vec![Endpoint {
                specification: SPECIFICATION.to_owned(),
                url: format!("{scheme}://{host}/open311/v2"),
                changeset: CHANGESET.to_owned(),
                kind: "production".to_owned(),
                formats: Formats {
                    format: vec!["text/xml".to_owned(), "application/json".to_owned()],
                },
            }],
        },
    }
}
