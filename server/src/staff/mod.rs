//! The town's side of every request: the staff operations that a staff device's push, the back
//! office and the server's command line all go through, so that every rule has one place.
//!
//! - [`access`]: who may act on which report (role, service, zones, town).
//! - [`admin`]: running a town (its definition, routing table and staff accounts).
//! - [`accounts`]: staff accounts (addresses, roles, argon2id passwords).
//! - [`workflow`]: deciding a staff action on a report (pure, over facts read up front).
//! - [`replies`]: the written reply the town sends when staff write none (its templates).
//! - [`act`]: one staff action from the back office or the command line, in one transaction.
//! - [`sessions`]: logging in (within limits) and web sessions.

pub mod access;
pub mod accounts;
pub mod act;
pub mod admin;
pub mod replies;
pub mod sessions;
pub mod workflow;

pub use access::{Channel, StaffActor};
