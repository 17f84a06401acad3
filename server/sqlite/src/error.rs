//! The error type inside this backend: the storage trait's [`DbError`], with conversions from the
//! driver's errors so that `?` works on rusqlite calls. (The trait's crate cannot know rusqlite,
//! and Rust's orphan rule keeps this crate from adding the conversion to `DbError` itself.)

use relais_server_database::DbError;

/// A failure of this backend, turned into a [`DbError`] at the trait's boundary.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) DbError);

pub(crate) type DbResult<T> = Result<T, Failure>;

impl From<rusqlite::Error> for Failure {
    fn from(error: rusqlite::Error) -> Self {
        Self(DbError::Backend(Box::new(error)))
    }
}

impl From<DbError> for Failure {
    fn from(error: DbError) -> Self {
        Self(error)
    }
}

impl From<Failure> for DbError {
    fn from(Failure(error): Failure) -> Self {
        error
    }
}

/// Stored data that does not read back as this backend wrote it.
pub(crate) fn corrupt(what: impl Into<String>) -> Failure {
    Failure(DbError::Corrupt(what.into()))
}
