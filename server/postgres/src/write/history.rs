//! Appending to a report's history: every entry says what happened, who did it and through which
//! channel. Nothing rewrites history.

use relais_server_database::writes::{ActorRecord, HistoryEntry};

use crate::error::DbResult;
use crate::pipeline::{Tx, params};

pub(crate) async fn append(
    tx: &Tx<'_>,
    tenant: &str,
    report: &str,
    at_ms: i64,
    entry: &HistoryEntry,
) -> DbResult<()> {
    let (actor_kind, actor_id) = match &entry.actor {
        ActorRecord::Citizen(citizen) => ("citizen", Some(citizen.clone())),
        ActorRecord::Staff(id) => ("staff", Some(id.to_string())),
        ActorRecord::System => ("system", None),
    };
    tx.send(
        "INSERT INTO report_history (id, tenant_id, report_id, status, at_ms, action,
                                     status_changed, actor_kind, actor_id, channel, device_id,
                                     detail_fr, detail_en)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        params![
            uuid::Uuid::now_v7().to_string(),
            tenant.to_owned(),
            report.to_owned(),
            entry.status.as_str(),
            at_ms,
            entry.action.clone(),
            entry.status_changed,
            actor_kind,
            actor_id,
            entry.channel.clone(),
            entry.device.map(|d| d.to_string()),
            entry.detail.as_ref().map(|d| d.fr.clone()),
            entry.detail.as_ref().map(|d| d.en.clone()),
        ],
    )
    .await
}
