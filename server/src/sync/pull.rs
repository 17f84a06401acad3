//! The pull rules: who sees what (a device's scope, a set of change-log buckets: see
//! docs/protocol.md), the page size, and the opaque cursor, which records where the device
//! stands in each bucket of its scope.
//!
//! The cursor is `2.` then the URL-safe base64 of `{"e": epoch, "b": {bucket: seq}}`. A bucket
//! the cursor does not name (a zone newly followed) is read from its beginning. The earlier
//! form `epoch.seq` (every bucket at `seq`) is still read. Anything else is served from the
//! start with a reset.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use relais_protocol::pull::MAX_PULL_LIMIT;
use relais_protocol::{Cursor, PullResponse, ResourceTags, StaffRole};
use relais_server_database::{Database, DbResult, DeviceRecord, Position, Scope};
use serde::{Deserialize, Serialize};

use crate::directory::current::Directories;
use crate::town::{Town, Towns};

/// Page size when the device does not ask for one.
pub const DEFAULT_PULL_LIMIT: u32 = 500;

#[derive(Serialize, Deserialize)]
struct Positions {
    e: String,
    b: BTreeMap<String, u64>,
}

/// What a cursor says; `None` when it is not one this server writes.
fn decode(cursor: &Cursor) -> Option<Position> {
    if cursor.is_start() {
        return Some(Position::Start);
    }
    if let Some(encoded) = cursor.0.strip_prefix("2.") {
        let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
        let Positions { e, b } = serde_json::from_slice(&bytes).ok()?;
        return Some(Position::PerBucket { epoch: e, seqs: b });
    }
    match cursor.0.split_once('.') {
        Some((epoch, seq)) if !epoch.is_empty() => Some(Position::Everywhere {
            epoch: epoch.to_owned(),
            seq: seq.parse().ok()?,
        }),
        _ => None,
    }
}

fn encode(epoch: String, seqs: BTreeMap<String, u64>) -> Cursor {
    let json = serde_json::to_vec(&Positions { e: epoch, b: seqs }).unwrap_or_default();
    Cursor(format!("2.{}", URL_SAFE_NO_PAD.encode(json)))
}

/// The buckets `device` reads: a citizen's own bucket and those of the zones it follows (each
/// with the zones inside it); a staff member's services (an admin: every service of the town),
/// limited to their zones if their account is.
pub async fn scope<DB: Database>(db: &DB, town: &Town, device: &DeviceRecord) -> DbResult<Scope> {
    let mut buckets = Vec::new();
    let mut task_zones = None;
    let citizen = match &device.staff {
        Some(member) => {
            let profile = &member.profile;
            let services: Vec<&str> = match profile.role {
                StaffRole::Admin => town.service_codes().collect(),
                StaffRole::Agent | StaffRole::Supervisor => {
                    profile.services.iter().map(String::as_str).collect()
                }
                StaffRole::Operator => Vec::new(),
            };
            buckets.extend(services.into_iter().map(|s| format!("s:{s}")));
            if profile.role == StaffRole::Agent && !profile.zones.is_empty() {
                task_zones = Some(profile.zones.iter().flat_map(|z| town.within(z)).collect());
            }
            None
        }
        None => {
            buckets.push(format!("c:{}", device.citizen));
            for follow in db.follows(&device.tenant, &device.citizen).await? {
                buckets.extend(
                    town.within(&follow.zone)
                        .into_iter()
                        .map(|z| format!("z:{z}")),
                );
            }
            Some(device.citizen.clone())
        }
    };
    buckets.sort();
    buckets.dedup();
    Ok(Scope {
        tenant: device.tenant.clone(),
        citizen,
        buckets,
        task_zones,
    })
}

/// One page of what `device` may see after `cursor`; the last one with the tags `GET
/// /catalogue` and `GET /directory` would answer now, from the counters read with the page (a
/// device whose copies carry them asks for neither: two requests of an idle sync's four).
/// `None` for an unknown tenant.
pub async fn pull<DB: Database>(
    db: &DB,
    towns: &Towns,
    directories: &Directories,
    device: &DeviceRecord,
    cursor: &Cursor,
    limit: Option<u32>,
) -> DbResult<Option<PullResponse>> {
    let limit = limit.unwrap_or(DEFAULT_PULL_LIMIT).clamp(1, MAX_PULL_LIMIT);
    let Some(town) = towns.get(db, &device.tenant).await? else {
        return Ok(None);
    };
    let scope = scope(db, &town, device).await?;
    let position = decode(cursor);
    let unreadable = position.is_none();
    let Some(page) = db
        .pull(scope, position.unwrap_or(Position::Start), limit)
        .await?
    else {
        return Ok(None);
    };
    let resources = if page.has_more {
        None
    } else {
        let tenant = &device.tenant;
        let Some(town) = towns.at_version(db, tenant, page.catalogue_version).await? else {
            return Ok(None);
        };
        let directory = directories.at_stamp(db, tenant, page.directory).await?;
        Some(ResourceTags {
            catalogue: town.published_catalogue().tag().to_owned(),
            directory: directory.map(|d| d.tag().to_owned()),
        })
    };
    Ok(Some(PullResponse {
        reset: page.reset || unreadable,
        cursor: encode(page.epoch, page.seqs),
        changes: page.changes,
        has_more: page.has_more,
        resources,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_unreadable() {
        let seqs = BTreeMap::from([("c:me".to_owned(), 42), ("z:75104".to_owned(), 40)]);
        let cursor = encode("a1b2".into(), seqs.clone());
        assert_eq!(
            decode(&cursor),
            Some(Position::PerBucket {
                epoch: "a1b2".into(),
                seqs
            })
        );
        assert_eq!(decode(&Cursor::start()), Some(Position::Start));
        assert_eq!(
            decode(&Cursor("a1b2.7".into())),
            Some(Position::Everywhere {
                epoch: "a1b2".into(),
                seq: 7
            })
        );
        for garbage in ["nope", ".3", "a1b2.", "a1b2.-1", "a1b2.x", "2.!!", "2.e30"] {
            assert_eq!(decode(&Cursor(garbage.into())), None, "{garbage}");
        }
    }
}
