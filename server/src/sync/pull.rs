//! The pull rules: the opaque cursor (`"{epoch}.{seq}"`), the page size, the reset of a cursor
//! the server cannot serve, and who sees what (public changes for every device of the tenant, a
//! report's thread only for its reporter's devices, in the same sequence and cursor).

use relais_protocol::pull::MAX_PULL_LIMIT;
use relais_protocol::{Cursor, PullResponse};
use uuid::Uuid;

use relais_server_database::{Database, DbResult, LogPosition};

/// Page size when the device does not ask for one.
pub const DEFAULT_PULL_LIMIT: u32 = 500;

/// What a cursor says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CursorState {
    Start,
    At(LogPosition),
    /// Not a cursor this server writes: served from the start with a reset.
    Unreadable,
}

fn decode(cursor: &Cursor) -> CursorState {
    if cursor.is_start() {
        return CursorState::Start;
    }
    match cursor.0.split_once('.') {
        Some((epoch, seq)) if !epoch.is_empty() => match seq.parse() {
            Ok(seq) => CursorState::At(LogPosition {
                epoch: epoch.to_owned(),
                seq,
            }),
            Err(_) => CursorState::Unreadable,
        },
        _ => CursorState::Unreadable,
    }
}

fn encode(epoch: &str, seq: u64) -> Cursor {
    Cursor(format!("{epoch}.{seq}"))
}

/// One page of the changes of `tenant` after `cursor` that device `viewer` may see: the public
/// ones, and the threads of its citizen's own reports. `None` for an unknown tenant.
pub async fn pull<DB: Database>(
    db: &DB,
    tenant: &str,
    viewer: Uuid,
    cursor: &Cursor,
    limit: Option<u32>,
) -> DbResult<Option<PullResponse>> {
    let limit = limit.unwrap_or(DEFAULT_PULL_LIMIT).clamp(1, MAX_PULL_LIMIT);
    let state = decode(cursor);
    let from = match &state {
        CursorState::At(position) => Some(position.clone()),
        CursorState::Start | CursorState::Unreadable => None,
    };
    let Some(page) = db.pull(tenant, viewer, from, limit).await? else {
        return Ok(None);
    };
    Ok(Some(PullResponse {
        reset: page.reset || state == CursorState::Unreadable,
        cursor: encode(&page.epoch, page.last_seq),
        changes: page.changes.into_iter().map(|(_, change)| change).collect(),
        has_more: page.has_more,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_unreadable() {
        let cursor = encode("a1b2", 42);
        assert_eq!(
            decode(&cursor),
            CursorState::At(LogPosition {
                epoch: "a1b2".into(),
                seq: 42
            })
        );
        assert_eq!(decode(&Cursor::start()), CursorState::Start);
        for garbage in ["nope", ".3", "a1b2.", "a1b2.-1", "a1b2.x"] {
            assert_eq!(
                decode(&Cursor(garbage.into())),
                CursorState::Unreadable,
                "{garbage}"
            );
        }
    }
}
