//! Citizens' optional accounts: creation, update and linking of a device.
//!
//! A citizen is its account when its device is linked to one, else the device itself; the
//! `citizen` columns (supports, ratings, follows) hold that id, or the device's id for what it
//! did before it was linked. Every write here locks the tenant first (see `changelog`): linking
//! re-stamps the account's reports in its bucket.

use deadpool_postgres::Transaction;
use relais_protocol::account::AccountDetails;
use relais_server_database::stored;
use relais_server_database::{AccountRecord, DeviceRecord, LinkOutcome, TokenHash};
use uuid::Uuid;

use crate::changelog::ChangeLog;
use crate::error::{DbResult, unsigned};
use crate::parse_uuid;
use crate::pipeline::Tx;

pub(crate) async fn account(
    tx: &Transaction<'_>,
    device: &DeviceRecord,
) -> DbResult<Option<AccountRecord>> {
    match account_of(tx, device).await? {
        Some(id) => read_account(tx, &id).await.map(Some),
        None => Ok(None),
    }
}

pub(crate) async fn save(
    tx: &Tx<'_>,
    device: &DeviceRecord,
    details: &AccountDetails,
    link_code: TokenHash,
    now_ms: i64,
) -> DbResult<AccountRecord> {
    let mut log = ChangeLog::open(tx, &device.tenant).await?;
    let contact = stored::contact_name(details.contact);
    let id = if let Some(id) = account_of(tx, device).await? {
        tx.execute(
            "UPDATE accounts SET email = $2, phone = $3, contact = $4, language = $5,
                                 link_code_sha256 = $6
             WHERE id = $1",
            &[
                &id,
                &details.email,
                &details.phone,
                &contact,
                &details.language,
                &&link_code.0[..],
            ],
        )
        .await?;
        id
    } else {
        let id = Uuid::now_v7().to_string();
        tx.execute(
            "INSERT INTO accounts (id, tenant_id, email, phone, contact, language,
                                   link_code_sha256, created_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id,
                &device.tenant,
                &details.email,
                &details.phone,
                &contact,
                &details.language,
                &&link_code.0[..],
                &now_ms,
            ],
        )
        .await?;
        tx.execute(
            "UPDATE devices SET account_id = $2 WHERE id = $1",
            &[&device.id.to_string(), &id],
        )
        .await?;
        adopt(tx, &mut log, device, &id).await?;
        id
    };
    log.close(tx).await?;
    read_account(tx, &id).await
}

pub(crate) async fn link(
    tx: &Tx<'_>,
    device: &DeviceRecord,
    code: TokenHash,
    next_code: TokenHash,
) -> DbResult<LinkOutcome> {
    let mut log = ChangeLog::open(tx, &device.tenant).await?;
    // Looked up by the code's hash through a unique index: the time taken says nothing about how
    // close a wrong code was.
    let Some(row) = tx
        .query_opt(
            "SELECT id FROM accounts WHERE tenant_id = $1 AND link_code_sha256 = $2",
            &[&device.tenant, &&code.0[..]],
        )
        .await?
    else {
        return Ok(LinkOutcome::UnknownCode);
    };
    let id: String = row.try_get(0)?;
    if account_of(tx, device)
        .await?
        .is_some_and(|current| current != id)
    {
        return Ok(LinkOutcome::OtherAccount);
    }
    tx.execute(
        "UPDATE devices SET account_id = $2 WHERE id = $1",
        &[&device.id.to_string(), &id],
    )
    .await?;
    adopt(tx, &mut log, device, &id).await?;
    tx.execute(
        "UPDATE accounts SET link_code_sha256 = $2 WHERE id = $1",
        &[&id, &&next_code.0[..]],
    )
    .await?;
    log.close(tx).await?;
    Ok(LinkOutcome::Linked(read_account(tx, &id).await?))
}

/// A device joins an account: what it followed as itself (zones, supported reports) the account
/// follows, and the account's reports (this device's included) and their threads are stamped
/// in the account's bucket, so that every device of the account receives them as its own.
async fn adopt(
    tx: &Tx<'_>,
    log: &mut ChangeLog<'_>,
    device: &DeviceRecord,
    account: &str,
) -> DbResult<()> {
    let id = device.id.to_string();
    tx.execute(
        "INSERT INTO zone_follows (tenant_id, citizen, zone_code, origin, at_ms)
         SELECT tenant_id, $2, zone_code, origin, at_ms FROM zone_follows
         WHERE tenant_id = $3 AND citizen = $1
         ON CONFLICT DO NOTHING",
        &[&id, &account, &device.tenant],
    )
    .await?;
    tx.execute(
        "INSERT INTO report_followers (tenant_id, report_id, citizen, origin)
         SELECT tenant_id, report_id, $2, origin FROM report_followers WHERE citizen = $1
         ON CONFLICT DO NOTHING",
        &[&id, &account],
    )
    .await?;
    let reports: Vec<String> = tx
        .query(
            "SELECT r.id FROM reports r JOIN devices d ON d.id = r.device_id
             WHERE d.account_id = $1
             UNION SELECT report_id FROM report_followers WHERE citizen = $1",
            &[&account],
        )
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    for report in &reports {
        log.report(tx, report).await?;
        log.thread(tx, report).await?;
    }
    log.follows(tx, account).await
}

pub(crate) async fn account_of(
    tx: &Transaction<'_>,
    device: &DeviceRecord,
) -> DbResult<Option<String>> {
    Ok(
        match tx
            .query_opt(
                "SELECT account_id FROM devices WHERE id = $1 AND tenant_id = $2",
                &[&device.id.to_string(), &device.tenant],
            )
            .await?
        {
            Some(row) => row.try_get(0)?,
            None => None,
        },
    )
}

pub(crate) async fn read_account(tx: &Transaction<'_>, id: &str) -> DbResult<AccountRecord> {
    let row = tx
        .query_one(
            "SELECT email, phone, contact, language,
                    (SELECT COUNT(*) FROM devices WHERE account_id = a.id)
             FROM accounts a WHERE id = $1",
            &[&id],
        )
        .await?;
    Ok(AccountRecord {
        id: parse_uuid(id)?,
        details: AccountDetails {
            email: row.try_get(0)?,
            phone: row.try_get(1)?,
            contact: stored::contact(row.try_get(2)?)?,
            language: row.try_get(3)?,
        },
        devices: unsigned(row.try_get(4)?, "devices")?,
    })
}

/// The devices and citizen ids of a caller: its account's devices, or itself.
pub(crate) struct Identity {
    pub(crate) account: Option<String>,
    pub(crate) devices: Vec<String>,
}

impl Identity {
    pub(crate) async fn read(
        tx: &Transaction<'_>,
        device: &DeviceRecord,
        account: Option<String>,
    ) -> DbResult<Self> {
        let devices = match &account {
            Some(account) => tx
                .query(
                    "SELECT id FROM devices WHERE tenant_id = $1 AND account_id = $2",
                    &[&device.tenant, account],
                )
                .await?
                .iter()
                .map(|row| row.try_get(0))
                .collect::<Result<_, _>>()?,
            None => vec![device.id.to_string()],
        };
        Ok(Self { account, devices })
    }

    /// Every id the `citizen` columns may hold for this person.
    pub(crate) fn citizens(&self) -> Vec<String> {
        self.devices
            .iter()
            .cloned()
            .chain(self.account.clone())
            .collect()
    }
}
