//! What the core asks of the outside world.
//!
//! | effect   | handled by                     | why                                      |
//! |----------|--------------------------------|------------------------------------------|
//! | `Render` | the native shell               | only the shell can draw                  |
//! | `Notify` | the native shell               | system notifications are the platform's  |
//! | `Store`  | [`crate::runtime`] (rusqlite)  | same code on every platform, durable     |
//! | `Http`   | [`crate::runtime`] (reqwest)   | same code on every platform              |
//! | `Time`   | [`crate::runtime`] (std clock) | no platform API needed                   |
//! | `Photo`  | [`crate::runtime`] (image crate) | same pipeline everywhere: no metadata leaves the phone |

pub mod api;
pub mod notify;
pub mod photo;
pub mod store;

use crux_core::{macros::effect, render::RenderOperation};
use crux_http::protocol::HttpRequest;
use crux_time::TimeRequest;

pub use notify::Notification;
pub use photo::PhotoOp;
pub use store::StoreOp;

#[effect]
#[derive(Debug)]
pub enum Effect {
    Render(RenderOperation),
    Notify(Notification),
    Store(StoreOp),
    Photo(PhotoOp),
    Http(HttpRequest),
    Time(TimeRequest),
}
