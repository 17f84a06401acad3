//! Handlers of the `/v1/{tenant}/...` API.

pub mod account;
pub mod catalogue;
mod conditional;
pub mod devices;
pub mod directory;
pub mod nearby;
pub mod photos;
pub mod staff;
pub mod sync;
pub mod uploads;
