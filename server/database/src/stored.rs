//! Reading back what a backend stored as text, alike for every backend: ids, report statuses,
//! contact channels and JSON columns (photos, answers, questions, stored rejections). A value that does not parse is
//! a sign of corruption ([`DbError::Corrupt`]).

use relais_protocol::ReportStatus;
use relais_protocol::account::ContactChannel;
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::{DbError, DbResult};

/// A UUID stored as text.
pub fn uuid(text: &str) -> DbResult<Uuid> {
    Uuid::parse_str(text).map_err(|e| DbError::Corrupt(format!("bad uuid {text:?}: {e}")))
}

/// A report status stored as its name.
pub fn status(status: &str) -> DbResult<ReportStatus> {
    ReportStatus::parse(status).ok_or_else(|| DbError::Corrupt(format!("status {status:?}")))
}

/// A value as the JSON text a column stores.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> DbResult<String> {
    serde_json::to_string(value).map_err(|e| DbError::Corrupt(format!("json: {e}")))
}

/// Parses a stored JSON column; `what` names it in the error.
pub fn parse<T: DeserializeOwned>(text: &str, what: &str) -> DbResult<T> {
    serde_json::from_str(text).map_err(|e| DbError::Corrupt(format!("{what}: {e}")))
}

/// A contact channel as stored.
pub const fn contact_name(contact: ContactChannel) -> &'static str {
    match contact {
        ContactChannel::InApp => "in_app",
        ContactChannel::Email => "email",
        ContactChannel::Sms => "sms",
    }
}

/// A contact channel stored by [`contact_name`].
pub fn contact(name: &str) -> DbResult<ContactChannel> {
    match name {
        "in_app" => Ok(ContactChannel::InApp),
        "email" => Ok(ContactChannel::Email),
        "sms" => Ok(ContactChannel::Sms),
        other => Err(DbError::Corrupt(format!("contact channel {other:?}"))),
    }
}
