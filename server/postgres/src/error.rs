//! The error type inside this backend: the storage trait's [`DbError`], with conversions from the
//! driver's and the pool's errors so that `?` works on their calls. (The trait's crate cannot
//! know tokio-postgres, and Rust's orphan rule keeps this crate from adding the conversion to
//! `DbError` itself.)

use relais_server_database::DbError;

/// A failure of this backend, turned into a [`DbError`] at the trait's boundary.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) DbError);

pub(crate) type DbResult<T> = Result<T, Failure>;

impl From<tokio_postgres::Error> for Failure {
    fn from(error: tokio_postgres::Error) -> Self {
        Self(DbError::Backend(Box::new(error)))
    }
}

impl From<deadpool_postgres::PoolError> for Failure {
    fn from(error: deadpool_postgres::PoolError) -> Self {
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

/// A stored count or size as the unsigned number the records hold.
pub(crate) fn unsigned<T: TryFrom<i64>>(value: i64, what: &str) -> DbResult<T> {
    T::try_from(value).map_err(|_| corrupt(format!("{what}: {value} out of range")))
}

/// An unsigned number of the records as the signed column that stores it.
pub(crate) fn signed(value: u64, what: &str) -> DbResult<i64> {
    i64::try_from(value).map_err(|_| corrupt(format!("{what}: {value} out of range")))
}
