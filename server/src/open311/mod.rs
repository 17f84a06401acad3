//! The Open311 GeoReport v2 front door: other civic software (FixMyStreet, a city's own apps,
//! 311 dashboards) lists a town's request types and requests, files requests with an api key
//! the town's admin issued, and follows what the town does about them. It is a door, not a
//! second set of rules: a request filed here is judged by the same filing rules as a phone's
//! push (`crate::sync::push::apply`), staff work it through the same workflow, and phones see
//! it at their next sync.
//!
//! - `routes`: the resources under `/open311/v2/`, `jurisdiction_id` naming the town.
//! - `documents`: the specification's documents, field for field.
//! - `format`: XML (quick-xml) and JSON (the Spark convention) from the same documents.
//! - `mapping`: Relais categories, questions and reports as request types, attributes and
//!   requests; statuses as `open`/`closed` and as FixMyStreet's update statuses.
//! - `filing`: `POST requests`, authenticated by an api key.
//! - `listing`: `GET requests` with its filters, and `GET servicerequestupdates`.
//! - `params`: the form-encoded arguments and the language of the answer.
//! - `error`: the specification's error document, with its HTTP statuses.
//!
//! The api keys themselves are issued by the `open311-keys` administration task
//! ([`crate::command`]) and stored hashed through the `Database` trait.

mod documents;
mod error;
mod filing;
mod format;
mod listing;
mod mapping;
mod params;
pub(crate) mod routes;

pub use routes::routes;
