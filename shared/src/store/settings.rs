//! Values the core treats as a whole (the registration, the catalogue, the cursor...), kept as
//! JSON under a key.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Serialize, de::DeserializeOwned};

use super::{Result, err, from_json, to_json};

pub fn get<T: DeserializeOwned>(tx: &Transaction<'_>, key: &str) -> Result<Option<T>> {
    tx.prepare_cached("SELECT value FROM settings WHERE key = ?1")
        .map_err(err)?
        .query_row([key], |row| row.get::<_, String>(0))
        .optional()
        .map_err(err)?
        .map(|v| from_json(&v))
        .transpose()
}

pub fn put<T: Serialize + ?Sized>(tx: &Transaction<'_>, key: &str, value: &T) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)")
        .map_err(err)?
        .execute(params![key, to_json(value)?])
        .map_err(err)?;
    Ok(())
}

pub fn delete(tx: &Transaction<'_>, key: &str) -> Result<()> {
    tx.execute("DELETE FROM settings WHERE key = ?1", [key])
        .map_err(err)?;
    Ok(())
}
