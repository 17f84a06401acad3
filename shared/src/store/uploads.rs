//! Photos this device must send: one row per photo until the server has it whole.

use std::collections::BTreeMap;

use rusqlite::{Transaction, params};

use super::{Result, err};

/// Where a photo's upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Its mutation is not accepted yet: not sent (a refused report's photos never leave).
    Waiting,
    /// Never attempted: sent from offset 0 without asking first.
    Ready,
    /// Attempted before: ask the server how much it holds, then send the rest.
    Started,
}

impl State {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Ready => "ready",
            Self::Started => "started",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "waiting" => Self::Waiting,
            "ready" => Self::Ready,
            _ => Self::Started,
        }
    }
}

pub fn load(tx: &Transaction<'_>) -> Result<BTreeMap<String, State>> {
    let mut stmt = tx
        .prepare("SELECT sha256, state FROM uploads")
        .map_err(err)?;
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                State::parse(&row.get::<_, String>(1)?),
            ))
        })
        .map_err(err)?;
    rows.collect::<std::result::Result<_, _>>().map_err(err)
}

pub fn set(tx: &Transaction<'_>, sha256: &str, state: State) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO uploads (sha256, state) VALUES (?1, ?2)")
        .map_err(err)?
        .execute(params![sha256, state.as_str()])
        .map_err(err)?;
    Ok(())
}

/// Moves a photo still to send to `state`. A photo already sent whole stays sent: the late
/// failure of an older sync run's upload (its answer arriving after a newer run sent the photo)
/// must not put it back in the queue. The whole-system simulation found this.
pub fn restate(tx: &Transaction<'_>, sha256: &str, state: State) -> Result<()> {
    tx.prepare_cached("UPDATE uploads SET state = ?2 WHERE sha256 = ?1")
        .map_err(err)?
        .execute(params![sha256, state.as_str()])
        .map_err(err)?;
    Ok(())
}

/// A photo of a new mutation: it waits, unless it is already on its way for another one.
pub fn wait(tx: &Transaction<'_>, sha256: &str) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO uploads (sha256, state) VALUES (?1, 'waiting')")
        .map_err(err)?
        .execute([sha256])
        .map_err(err)?;
    Ok(())
}

/// The photo's mutation was accepted: send it.
pub fn release(tx: &Transaction<'_>, sha256: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO uploads (sha256, state) VALUES (?1, 'ready')
         ON CONFLICT (sha256) DO UPDATE SET state = 'ready' WHERE state = 'waiting'",
    )
    .map_err(err)?
    .execute([sha256])
    .map_err(err)?;
    Ok(())
}

/// The photo's mutation was refused: it will not be needed (unless already on its way).
pub fn drop_waiting(tx: &Transaction<'_>, sha256: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM uploads WHERE sha256 = ?1 AND state = 'waiting'")
        .map_err(err)?
        .execute([sha256])
        .map_err(err)?;
    Ok(())
}

/// The server has the whole photo.
pub fn remove(tx: &Transaction<'_>, sha256: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM uploads WHERE sha256 = ?1")
        .map_err(err)?
        .execute([sha256])
        .map_err(err)?;
    Ok(())
}
