//! The town's dashboards computed from its data, as pure functions over what the database
//! returns, so that a page, its chart and its CSV export always agree and each can be tested
//! on fixed data with known answers.
//!
//! - [`ipa`]: the importance–performance analysis of the directory's public services.
//! - [`rated`]: which ratings an importance–performance analysis is made of.
//! - [`comments`]: the words that set a service's unhappy comments apart from its happy ones.
//! - [`operations`]: how the town handled the requests it received over a period.

pub mod comments;
pub mod ipa;
pub mod operations;
pub mod rated;
