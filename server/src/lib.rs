//! The Relais sync server: devices register, push their queued mutations and pull the tenant's
//! public change log. Every resource belongs to a tenant (a town), named in the URL.
//!
//! Where to start:
//! - [`launch`] / [`Server`]: open the storage and serve; [`Settings`] are the settings (flags,
//!   variables, the [`config`] file); [`command`] the administration tasks.
//! - [`sync`]: the protocol rules — [`sync::push`] decides a batch (sequence, validation,
//!   routing), [`sync::pull`] reads a device's scope of the change log with an opaque cursor.
//! - [`staff`]: the town's staff operations (who may act, the request workflow, written
//!   replies, alerts), shared by staff devices' pushes, the back office and the command line.
//! - storage: the [`Database`] trait (crate `relais-server-database`) and its SQLite backend
//!   [`Sqlite`] (crate `relais-server-sqlite`).
//! - [`directory`]: the directory of public services, its open-data importers and each town's
//!   directory as devices receive it; [`published`] what devices cache, serialised once.
//! - [`demo_history`]: the demo town's history (requests from Paris open data, ratings), loaded
//!   through the town's own rules.
//! - [`analysis`]: the town's dashboards computed from its data (the importance–performance
//!   analysis of its public services).
//! - `backoffice`: the staff's web pages, served by this server over the same staff operations.
//! - `open311`: the Open311 GeoReport v2 front door for other civic software, over the same
//!   rules.
//! - [`town`]: each town's catalogue, routing and zones, held in memory for the rules.
//! - `photos`: resumable, content-addressed photo uploads and the photo files; `account`: the
//!   citizens' optional accounts (details checks, link codes).
//! - `router` and `handlers`: the HTTP surface; `error` maps every failure to a JSON
//!   [`relais_protocol::ApiError`]; [`openapi`] its OpenAPI document, derived from the code.

mod account;
pub mod analysis;
mod auth;
mod backoffice;
pub mod backup;
mod clock;
pub mod command;
pub mod config;
mod connections;
pub mod demo_history;
pub mod directory;
pub mod enrolment;
mod error;
mod extract;
mod handlers;
mod launch;
mod limits;
mod lock;
mod metrics;
mod open311;
pub mod openapi;
mod photos;
pub mod published;
pub mod reasons;
mod request_id;
mod router;
pub mod seed;
mod settings;
pub mod staff;
pub mod sync;
pub mod telemetry;
pub mod token;
pub mod town;

pub use launch::{Server, Storage, launch, open_database, shutdown_signal};
pub use relais_server_database::{Database, DbError, DbResult};
pub use relais_server_postgres::Postgres;
pub use relais_server_sqlite::Sqlite;
pub use settings::{Cli, Connections, LogFormat, PhotoStorage, Settings};

#[cfg(test)]
mod tests;
