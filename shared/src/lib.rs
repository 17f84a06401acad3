//! The Relais core, shared by every shell (Android, iOS, the Linux CLI).
//!
//! Where to start:
//! - [`app::Relais`] is the crux app: `update` turns [`Event`]s into model changes and
//!   [`Command`](crux_core::Command)s, `view` builds the [`ViewModel`] the shells render.
//! - [`model`] holds the state machines: registration, filing a report, the outbox and the
//!   sync engine (push, pull, catalogue).
//! - [`effects`] lists what the core asks of the outside world. The local store, HTTP and time
//!   are handled in Rust by the [`runtime`]; only rendering reaches the native shell.
//! - [`store`] is the device's SQLite database (WAL, `synchronous=FULL`, migrations).
//! - [`ffi`] exports the core through UniFFI as [`ffi::RelaisCore`].

pub mod app;
pub mod effects;
pub mod ffi;
pub mod i18n;
pub mod model;
/// The photo pipeline, in its own crate so the server runs the same one.
pub use relais_photo as photo;
pub mod runtime;
#[cfg(test)]
mod simulation;
pub mod store;
pub mod view;

pub use app::Relais;
pub use model::{Event, Intent, Model};
pub use runtime::Runtime;
pub use view::ViewModel;

uniffi::setup_scaffolding!();
