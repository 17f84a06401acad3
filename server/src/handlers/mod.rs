//! HTTP handlers, one module per resource, named by verb. Versioned API handlers live in [`v1`].

pub mod health;
pub mod metrics;
pub mod openapi;
pub mod v1;
