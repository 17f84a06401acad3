//! Handlers of the `/v1/{tenant}/...` API.

pub mod catalogue;
pub mod devices;
pub mod sync;
