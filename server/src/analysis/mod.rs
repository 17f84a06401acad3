//! The town's dashboards computed from its data, as pure functions over what the database
//! returns, so that a page, its chart and its CSV export always agree and each can be tested
//! on fixed data with known answers.
//!
//! - [`ipa`]: the importance–performance analysis of the directory's public services.
//! - [`operations`]: how the town handled the requests it received over a period.

pub mod ipa;
pub mod operations;
