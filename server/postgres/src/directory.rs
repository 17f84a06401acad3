//! The directory of public services: idempotent import (entries matched by id, the version
//! bumped only on a real change) and the public answer with rating summaries above the tenant's
//! minimum sample. Ratings are written by the push side; this module only reads them.

use std::collections::HashMap;

use deadpool_postgres::Transaction;
use relais_protocol::{Directory, PublicService, RatingSummary};
use relais_server_database::columns::{self, PUBLIC_SERVICE, rounded_mean};
use relais_server_database::{DirectoryImport, DirectoryStamp};

use crate::columns::Row;
use crate::error::{DbResult, unsigned};

/// Imports under the tenant's lock (two servers importing at once run one after the other).
pub(crate) async fn import(
    tx: &Transaction<'_>,
    tenant: &str,
    services: &[PublicService],
) -> DbResult<Option<DirectoryImport>> {
    let Some(row) = tx
        .query_opt(
            "SELECT directory_version FROM tenants WHERE id = $1 FOR UPDATE",
            &[&tenant],
        )
        .await?
    else {
        return Ok(None);
    };
    let mut result = DirectoryImport {
        added: 0,
        updated: 0,
        unchanged: 0,
        version: row.try_get(0)?,
    };
    let stored: HashMap<String, PublicService> = tx
        .query(
            &format!("SELECT {PUBLIC_SERVICE} FROM public_services WHERE tenant_id = $1"),
            &[&tenant],
        )
        .await?
        .iter()
        .map(|row| {
            let service = columns::public_service(&Row(row))?;
            Ok((service.id.clone(), service))
        })
        .collect::<DbResult<_>>()?;
    let mut next_position: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM public_services WHERE tenant_id = $1",
            &[&tenant],
        )
        .await?
        .try_get(0)?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO public_services (tenant_id, id, name_fr, name_en, kind_fr, kind_en,
                 address, lat, lon, opening_hours, phone, website, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .await?;
    let update = tx
        .prepare_cached(
            "UPDATE public_services SET name_fr = $3, name_en = $4, kind_fr = $5, kind_en = $6,
                 address = $7, lat = $8, lon = $9, opening_hours = $10, phone = $11,
                 website = $12
             WHERE tenant_id = $1 AND id = $2",
        )
        .await?;
    for s in services {
        let entry = PublicService {
            ratings: None,
            ..s.clone()
        };
        let (lat, lon) = (entry.location.map(|p| p.lat), entry.location.map(|p| p.lon));
        let mut values: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![
            &tenant,
            &entry.id,
            &entry.name.fr,
            &entry.name.en,
            &entry.kind.fr,
            &entry.kind.en,
            &entry.address,
            &lat,
            &lon,
            &entry.opening_hours,
            &entry.phone,
            &entry.website,
        ];
        match stored.get(&entry.id) {
            Some(old) if *old == entry => result.unchanged += 1,
            Some(_) => {
                tx.execute(&update, &values).await?;
                result.updated += 1;
            }
            None => {
                values.push(&next_position);
                tx.execute(&insert, &values).await?;
                next_position += 1;
                result.added += 1;
            }
        }
    }
    if result.added + result.updated > 0 {
        result.version = tx
            .query_one(
                "UPDATE tenants SET directory_version = directory_version + 1 WHERE id = $1
                 RETURNING directory_version",
                &[&tenant],
            )
            .await?
            .try_get(0)?;
    }
    Ok(Some(result))
}

pub(crate) async fn stamp(tx: &Transaction<'_>, tenant: &str) -> DbResult<Option<DirectoryStamp>> {
    let stmt = tx
        .prepare_cached("SELECT directory_version, ratings_version FROM tenants WHERE id = $1")
        .await?;
    Ok(match tx.query_opt(&stmt, &[&tenant]).await? {
        Some(row) => Some(DirectoryStamp {
            version: row.try_get(0)?,
            ratings: row.try_get(1)?,
        }),
        None => None,
    })
}

pub(crate) async fn directory(tx: &Transaction<'_>, tenant: &str) -> DbResult<Option<Directory>> {
    let Some(row) = tx
        .query_opt(
            "SELECT directory_version, rating_min_sample FROM tenants WHERE id = $1",
            &[&tenant],
        )
        .await?
    else {
        return Ok(None);
    };
    let version: i64 = row.try_get(0)?;
    let min_sample: u32 = unsigned(row.try_get(1)?, "rating minimum sample")?;
    // One current rating per citizen and service (the table's key), so a row count is a count
    // of distinct citizens. Below the minimum sample nothing is published, not even the count.
    let mut summaries: HashMap<String, RatingSummary> = HashMap::new();
    for row in tx
        .query(
            "SELECT service_id, COUNT(*), AVG(satisfaction)::float8, AVG(importance)::float8
             FROM ratings WHERE tenant_id = $1 GROUP BY service_id HAVING COUNT(*) >= $2",
            &[&tenant, &i64::from(min_sample.max(1))],
        )
        .await?
    {
        summaries.insert(
            row.try_get(0)?,
            RatingSummary {
                count: unsigned(row.try_get(1)?, "rating count")?,
                satisfaction_mean: rounded_mean(row.try_get(2)?),
                importance_mean: rounded_mean(row.try_get(3)?),
            },
        );
    }
    let services = tx
        .query(
            &format!(
                "SELECT {PUBLIC_SERVICE} FROM public_services WHERE tenant_id = $1 ORDER BY position, id"
            ),
            &[&tenant],
        )
        .await?
        .iter()
        .map(|row| {
            let mut service = columns::public_service(&Row(row))?;
            service.ratings = summaries.get(&service.id).copied();
            Ok(service)
        })
        .collect::<DbResult<Vec<_>>>()?;
    Ok(Some(Directory {
        version,
        min_sample,
        services,
    }))
}
