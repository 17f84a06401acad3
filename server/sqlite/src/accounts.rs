//! Citizens' optional accounts: creation, update and linking, and what the export
//! ([`super::export`]) and the deletion ([`super::erasure`]) share.
//!
//! A citizen is its account when its device is linked to one, else the device itself; the
//! `citizen` columns (supports, ratings) hold that id, or the device's id for what it did before
//! it was linked, so both are read and deleted.

use relais_protocol::account::AccountDetails;
use relais_server_database::stored;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::parse_uuid;
use crate::changelog::ChangeLog;
use crate::error::{DbResult, corrupt};
use relais_server_database::{AccountRecord, DeviceRecord, LinkOutcome, TokenHash};

pub(super) fn account(
    conn: &mut Connection,
    device: &DeviceRecord,
) -> DbResult<Option<AccountRecord>> {
    let tx = conn.transaction()?;
    match account_of(&tx, device)? {
        Some(id) => read_account(&tx, &id).map(Some),
        None => Ok(None),
    }
}

pub(super) fn save(
    tx: &Connection,
    device: &DeviceRecord,
    details: &AccountDetails,
    link_code: TokenHash,
    now_ms: i64,
) -> DbResult<AccountRecord> {
    let id = if let Some(id) = account_of(tx, device)? {
        tx.prepare_cached(
            "UPDATE accounts SET email = ?2, phone = ?3, contact = ?4, language = ?5,
                                 link_code_sha256 = ?6
             WHERE id = ?1",
        )?
        .execute((
            &id,
            &details.email,
            &details.phone,
            stored::contact_name(details.contact),
            &details.language,
            &link_code.0[..],
        ))?;
        id
    } else {
        let id = Uuid::now_v7().to_string();
        tx.prepare_cached(
            "INSERT INTO accounts (id, tenant_id, email, phone, contact, language,
                                   link_code_sha256, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute((
            &id,
            &device.tenant,
            &details.email,
            &details.phone,
            stored::contact_name(details.contact),
            &details.language,
            &link_code.0[..],
            now_ms,
        ))?;
        tx.prepare_cached("UPDATE devices SET account_id = ?2 WHERE id = ?1")?
            .execute((device.id.to_string(), &id))?;
        adopt(tx, device, &id)?;
        id
    };
    read_account(tx, &id)
}

pub(super) fn link(
    tx: &Connection,
    device: &DeviceRecord,
    code: TokenHash,
    next_code: TokenHash,
) -> DbResult<LinkOutcome> {
    // Looked up by the code's hash through a unique index: the time taken says nothing about how
    // close a wrong code was.
    let Some(id) = tx
        .prepare_cached("SELECT id FROM accounts WHERE tenant_id = ?1 AND link_code_sha256 = ?2")?
        .query_row((&device.tenant, &code.0[..]), |row| row.get::<_, String>(0))
        .optional()?
    else {
        return Ok(LinkOutcome::UnknownCode);
    };
    if account_of(tx, device)?.is_some_and(|current| current != id) {
        return Ok(LinkOutcome::OtherAccount);
    }
    tx.prepare_cached("UPDATE devices SET account_id = ?2 WHERE id = ?1")?
        .execute((device.id.to_string(), &id))?;
    adopt(tx, device, &id)?;
    tx.prepare_cached("UPDATE accounts SET link_code_sha256 = ?2 WHERE id = ?1")?
        .execute((&id, &next_code.0[..]))?;
    let record = read_account(tx, &id)?;
    Ok(LinkOutcome::Linked(record))
}
/// A device joins an account: what it followed as itself (zones, supported reports) the account
/// follows, and the account's reports (this device's included) and their threads are stamped
/// in the account's bucket, so that every device of the account receives them as its own.
fn adopt(tx: &Connection, device: &DeviceRecord, account: &str) -> DbResult<()> {
    let id = device.id.to_string();
    tx.prepare_cached(
        "INSERT OR IGNORE INTO zone_follows (tenant_id, citizen, zone_code, origin, at_ms)
         SELECT tenant_id, ?2, zone_code, origin, at_ms FROM zone_follows
         WHERE tenant_id = ?3 AND citizen = ?1",
    )?
    .execute((&id, account, &device.tenant))?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO report_followers (tenant_id, report_id, citizen, origin)
         SELECT tenant_id, report_id, ?2, origin FROM report_followers WHERE citizen = ?1",
    )?
    .execute((&id, account))?;
    let reports = tx
        .prepare_cached(
            "SELECT r.id FROM reports r JOIN devices d ON d.id = r.device_id
             WHERE d.account_id = ?1
             UNION SELECT report_id FROM report_followers WHERE citizen = ?1",
        )?
        .query_map([account], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut log = ChangeLog::open(tx, &device.tenant)?;
    for report in &reports {
        log.report(tx, report)?;
        log.thread(tx, report)?;
    }
    log.follows(tx, account)?;
    log.close(tx)
}

/// The devices and citizen ids of a caller: its account's devices, or itself.
pub(super) struct Identity {
    pub(super) account: Option<String>,
    pub(super) devices: Vec<String>,
}

impl Identity {
    pub(super) fn read(
        tx: &Connection,
        device: &DeviceRecord,
        account: Option<String>,
    ) -> DbResult<Self> {
        let devices = match &account {
            Some(account) => tx
                .prepare_cached("SELECT id FROM devices WHERE tenant_id = ?1 AND account_id = ?2")?
                .query_map((&device.tenant, account), |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![device.id.to_string()],
        };
        Ok(Self { account, devices })
    }

    /// Every id the `citizen` columns may hold for this person.
    pub(super) fn citizens(&self) -> Vec<String> {
        self.devices
            .iter()
            .cloned()
            .chain(self.account.clone())
            .collect()
    }
}

pub(super) fn account_of(tx: &Connection, device: &DeviceRecord) -> DbResult<Option<String>> {
    Ok(tx
        .prepare_cached("SELECT account_id FROM devices WHERE id = ?1 AND tenant_id = ?2")?
        .query_row((device.id.to_string(), &device.tenant), |row| {
            row.get::<_, Option<String>>(0)
        })
        .optional()?
        .flatten())
}

pub(super) fn read_account(tx: &Connection, id: &str) -> DbResult<AccountRecord> {
    let (email, phone, contact, language, devices) = tx
        .prepare_cached(
            "SELECT email, phone, contact, language,
                    (SELECT COUNT(*) FROM devices WHERE account_id = a.id)
             FROM accounts a WHERE id = ?1",
        )?
        .query_row([id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, u32>(4)?,
            ))
        })?;
    Ok(AccountRecord {
        id: parse_uuid(id)?,
        details: AccountDetails {
            email,
            phone,
            contact: stored::contact(&contact)?,
            language,
        },
        devices,
    })
}

pub(super) fn json<T: serde::Serialize>(value: &T) -> DbResult<String> {
    serde_json::to_string(value).map_err(|e| corrupt(format!("json: {e}")))
}
