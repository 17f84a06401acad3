//! The rules of Relais that a phone and the server both apply, written once.
//!
//! The device judges an action offline so the citizen hears about a mistake at once; the server
//! judges it again because devices cannot be trusted. Both call the same functions here, so they
//! can never disagree on what a valid answer, an open report or a point inside the town is.
//!
//! Where to start:
//! - [`status`]: which statuses are open, and the moves staff may make between them.
//! - [`answers`]: answers to a category's extra questions.
//! - [`text`]: what a free text must be (visible, not too long, no control characters nor
//!   direction overrides) and its one form (NFC).
//! - [`jpeg`]: a JPEG's segments, and what a photo must be to travel (whole, no metadata).
//! - [`ranges`]: points, instants and numbers a device may send.
//! - [`tenant`]: what may name a town in URLs.
//! - [`geo`]: distances at street scale and the grid cells the duplicate lookup is indexed by.
//! - [`zones`]: zone outlines (GeoJSON or the catalogue's wire form) and which zones hold a point.
//! - [`routing`]: which service receives a report of a category at a point.
//! - [`dates`]: a planned day as staff type it.
//! - [`replies`]: the town's written-reply drafts and their placeholders.
//! - [`lang`]: the two languages of every text a person reads, and picking one.
//! - [`follows`]: how many zones a citizen follows because it reported there.
//!
//! - [`words`]: the names of statuses, which the device and the server must say alike.
//!
//! No I/O here, and little wording: each caller turns a typed problem into its own message.

pub mod answers;
pub mod dates;
pub mod follows;
pub mod geo;
pub mod jpeg;
pub mod lang;
pub mod ranges;
pub mod replies;
pub mod routing;
pub mod status;
pub mod tenant;
pub mod text;
pub mod words;
pub mod zones;
