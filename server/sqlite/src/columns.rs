//! This backend's rows as the storage crate's `Columns`, so that the records both backends read
//! alike are read by one function (`relais_server_database::columns`).

use relais_server_database::DbError;

/// A rusqlite row, read by column position.
pub(crate) struct Row<'a, 'b>(pub(crate) &'a rusqlite::Row<'b>);

relais_server_database::impl_columns!(Row<'_, '_>, |row, column| row
    .0
    .get(column)
    .map_err(|e| DbError::Backend(Box::new(e))));
