//! The Open311 routes, under `/open311/v2/`: each resource is `name.xml` or `name.json`, the
//! town is the `jurisdiction_id` argument (a tenant's code), and every answer, refusals
//! included, is a document of the specification in the format asked (XML when the format
//! itself is not understood: it is the one every client reads).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use relais_protocol::LocalizedText;
use relais_server_database::Database;
use uuid::Uuid;

use super::documents::{
    Created, Discovery, Endpoint, Endpoints, Error, Formats, Request, Service, ServiceDefinition,
    ServiceRequests, Token, Update,
};
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
            get(resource::<DB>).post(post_request::<DB>),
        )
        .route("/open311/v2/services/{file}", get(definition::<DB>))
        .route("/open311/v2/requests/{file}", get(request::<DB>))
        .route("/open311/v2/tokens/{file}", get(token::<DB>))
}

/// What every call starts from: the resource's name and format, its arguments and the
/// language of its texts.
pub struct Call {
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

/// A `GET`'s call: its arguments are the query string's.
impl<S: Send + Sync> FromRequestParts<S> for Call {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path(file) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let query = parts.uri.query().unwrap_or_default().as_bytes();
        Self::read(&file, query, &parts.headers).map_err(|refused| refused.answer())
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
    headers: HeaderMap,
    call: Call,
) -> Response {
    match call.name.as_str() {
        "discovery" => discovery(&call, &headers),
        "services" => services(&state, &call).await,
        "requests" => requests(&state, &call).await,
        "servicerequestupdates" => updates(&state, &call).await,
        _ => Failure::unknown_resource().answer(call.format, call.language),
    }
}

/// Service discovery: this server's endpoint, its formats, how to get a key.
#[utoipa::path(
    get,
    path = "/open311/v2/discovery.{format}",
    operation_id = "open311_discovery",
    tag = "open311",
    params(("format" = inline(Format), Path, description = "The answer's format")),
    responses(
        (status = 200, description = "The discovery document", content(
            (Discovery = "application/json"), (String = "text/xml"))),
        (status = 400, description = "Unreadable arguments (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "Neither `.json` nor `.xml` (`<errors>`, in XML)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub fn discovery(call: &Call, headers: &HeaderMap) -> Response {
    call.answer("discovery", Ok(discovery_document(headers, call.language)))
}

/// The request types: the town's categories.
#[utoipa::path(
    get,
    path = "/open311/v2/services.{format}",
    operation_id = "open311_services",
    tag = "open311",
    params(("format" = inline(Format), Path, description = "The answer's format"), crate::openapi::Jurisdiction),
    responses(
        (status = 200, description = "The request types", content(
            (Vec<Service> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "Unreadable arguments or no `jurisdiction_id` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such town, or neither `.json` nor `.xml` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub async fn services<DB: Database>(state: &AppState<DB>, call: &Call) -> Response {
    let services = call
        .town(state)
        .await
        .map(|town| mapping::services(&town, call.language));
    call.answer("services", services)
}

/// The town's requests the filters select, newest first (at most 1,000 over at most 90 days).
#[utoipa::path(
    get,
    path = "/open311/v2/requests.{format}",
    operation_id = "open311_requests",
    tag = "open311",
    params(
        ("format" = inline(Format), Path, description = "The answer's format"),
        crate::openapi::Jurisdiction, crate::openapi::RequestFilters, crate::openapi::Period,
    ),
    responses(
        (status = 200, description = "The requests", content(
            (Vec<Request> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "Unreadable arguments, no `jurisdiction_id`, an unknown \
            status or a wrong period (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such town, request type or request, or neither `.json` nor `.xml` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub async fn requests<DB: Database>(state: &AppState<DB>, call: &Call) -> Response {
    let requests = async {
        let town = call.town(state).await?;
        let reports = listing::requests(state, &town, &call.params).await?;
        Ok(ServiceRequests {
            request: reports
                .iter()
                .map(|r| mapping::request(r, &town, call.language))
                .collect(),
        })
    };
    call.answer("service_requests", requests.await)
}

/// FixMyStreet's extension: the updates of the town's requests over the period.
#[utoipa::path(
    get,
    path = "/open311/v2/servicerequestupdates.{format}",
    operation_id = "open311_updates",
    tag = "open311",
    params(
        ("format" = inline(Format), Path, description = "The answer's format"),
        crate::openapi::Jurisdiction, crate::openapi::Period, crate::openapi::ApiKey,
    ),
    responses(
        (status = 200, description = "The updates", content(
            (Vec<Update> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "Unreadable arguments, no `jurisdiction_id` or a wrong \
            period (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 403, description = "An `api_key` the town did not issue (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such town, or neither `.json` nor `.xml` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub async fn updates<DB: Database>(state: &AppState<DB>, call: &Call) -> Response {
    let updates = async {
        let town = call.town(state).await?;
        listing::updates(state, &town, &call.params, call.language).await
    };
    call.answer("service_requests_updates", updates.await)
}

/// `POST requests` (form-encoded; arguments in the query string count too, as some clients
/// put `jurisdiction_id` or `api_key` there): files a request, judged by the same rules as a
/// phone's.
#[utoipa::path(
    post,
    path = "/open311/v2/requests.{format}",
    operation_id = "open311_post_request",
    tag = "open311",
    params(
        ("format" = inline(Format), Path, description = "The answer's format"),
        crate::openapi::Jurisdiction, crate::openapi::ApiKey,
    ),
    request_body(content = inline(crate::openapi::NewRequest),
        content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Filed: its id", content(
            (Vec<Created> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "Not a form, unreadable arguments, no `jurisdiction_id`, \
            `service_code`, `lat` or `long`, or refused by the town's rules (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 403, description = "No `api_key`, or one the town did not issue (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such town or request type, or neither `.json` nor `.xml` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub async fn post_request<DB: Database>(
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
#[utoipa::path(
    get,
    path = "/open311/v2/services/{service_code}.{format}",
    operation_id = "open311_service_definition",
    tag = "open311",
    params(
        ("service_code" = String, Path, description = "The request type"),
        ("format" = inline(Format), Path, description = "The answer's format"),
        crate::openapi::Jurisdiction,
    ),
    responses(
        (status = 200, description = "Found", content(
            (ServiceDefinition = "application/json"), (String = "text/xml"))),
        (status = 400, description = "Unreadable arguments or no `jurisdiction_id` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such town or request type, or neither `.json` nor `.xml` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub async fn definition<DB: Database>(State(state): State<AppState<DB>>, call: Call) -> Response {
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
#[utoipa::path(
    get,
    path = "/open311/v2/requests/{service_request_id}.{format}",
    operation_id = "open311_request",
    tag = "open311",
    params(
        ("service_request_id" = String, Path, description = "The request's id"),
        ("format" = inline(Format), Path, description = "The answer's format"),
        crate::openapi::Jurisdiction,
    ),
    responses(
        (status = 200, description = "Found", content(
            (Vec<Request> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "Unreadable arguments or no `jurisdiction_id` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such town or request, or neither `.json` nor `.xml` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub async fn request<DB: Database>(State(state): State<AppState<DB>>, call: Call) -> Response {
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
#[utoipa::path(
    get,
    path = "/open311/v2/tokens/{token}.{format}",
    operation_id = "open311_token",
    tag = "open311",
    params(
        ("token" = String, Path, description = "The token (a request's id: requests are filed at once)"),
        ("format" = inline(Format), Path, description = "The answer's format"),
        crate::openapi::Jurisdiction,
    ),
    responses(
        (status = 200, description = "Found", content(
            (Vec<Token> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "Unreadable arguments or no `jurisdiction_id` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such town or token, or neither `.json` nor `.xml` (`<errors>`)", content(
            (Vec<Error> = "application/json"), (String = "text/xml"))),
    ),
)]
pub async fn token<DB: Database>(State(state): State<AppState<DB>>, call: Call) -> Response {
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
fn discovery_document(headers: &HeaderMap, language: &str) -> Discovery {
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
