//! JSON columns (photos, answers, questions, stored rejections): written and read back, a
//! column that does not parse being a sign of corruption.

use serde::{Serialize, de::DeserializeOwned};

use crate::error::{DbResult, corrupt};

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> DbResult<String> {
    serde_json::to_string(value).map_err(|e| corrupt(format!("json: {e}")))
}

/// Parses a stored JSON column; `what` names it in the error.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, what: &str) -> DbResult<T> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("{what}: {e}")))
}
