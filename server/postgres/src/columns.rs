//! This backend's rows as the storage crate's `Columns`, so that the records both backends read
//! alike are read by one function (`relais_server_database::columns`).

use relais_server_database::DbError;

/// A tokio-postgres row, read by column position.
pub(crate) struct Row<'a>(pub(crate) &'a tokio_postgres::Row);

relais_server_database::impl_columns!(Row<'_>, |row, column| row
    .0
    .try_get(column)
    .map_err(|e| DbError::Backend(Box::new(e))));
