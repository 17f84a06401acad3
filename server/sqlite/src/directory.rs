//! The directory of public services: idempotent import (entries matched by id, the version
//! bumped only on a real change) and the public answer with rating summaries above the tenant's
//! minimum sample. Ratings are written by the push side; this module only reads them.

use std::collections::HashMap;

use relais_protocol::{Directory, PublicService, RatingSummary};
use relais_server_database::columns::{self, PUBLIC_SERVICE, rounded_mean};
use relais_server_database::{DirectoryImport, DirectoryStamp};
use rusqlite::{Connection, OptionalExtension, ToSql};

use crate::columns::Row;
use crate::error::{DbResult, Failure};

pub(super) fn import(
    tx: &Connection,
    tenant: &str,
    services: &[PublicService],
) -> DbResult<Option<DirectoryImport>> {
    let Some(version) = tx
        .query_row(
            "SELECT directory_version FROM tenants WHERE id = ?1",
            [tenant],
            |row| row.get::<_, i64>(0),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let stored: HashMap<String, PublicService> = tx
        .prepare(&format!(
            "SELECT {PUBLIC_SERVICE} FROM public_services WHERE tenant_id = ?1"
        ))?
        .query_and_then([tenant], |row| {
            let service = columns::public_service(&Row(row))?;
            Ok::<_, Failure>((service.id.clone(), service))
        })?
        .collect::<DbResult<_>>()?;
    let mut next_position: i64 = tx.query_row(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM public_services WHERE tenant_id = ?1",
        [tenant],
        |row| row.get(0),
    )?;
    let mut result = DirectoryImport {
        added: 0,
        updated: 0,
        unchanged: 0,
        version,
    };
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO public_services (tenant_id, id, name_fr, name_en, kind_fr, kind_en,
                 address, lat, lon, opening_hours, phone, website, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let mut update = tx.prepare_cached(
            "UPDATE public_services SET name_fr = ?3, name_en = ?4, kind_fr = ?5, kind_en = ?6,
                 address = ?7, lat = ?8, lon = ?9, opening_hours = ?10, phone = ?11,
                 website = ?12
             WHERE tenant_id = ?1 AND id = ?2",
        )?;
        for s in services {
            let entry = PublicService {
                ratings: None,
                ..s.clone()
            };
            let (lat, lon) = (entry.location.map(|p| p.lat), entry.location.map(|p| p.lon));
            let mut values: Vec<&dyn ToSql> = vec![
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
                    update.execute(&*values)?;
                    result.updated += 1;
                }
                None => {
                    values.push(&next_position);
                    insert.execute(&*values)?;
                    next_position += 1;
                    result.added += 1;
                }
            }
        }
    }
    if result.added + result.updated > 0 {
        result.version = tx.query_row(
            "UPDATE tenants SET directory_version = directory_version + 1 WHERE id = ?1
             RETURNING directory_version",
            [tenant],
            |row| row.get(0),
        )?;
    }
    Ok(Some(result))
}

pub(super) fn stamp(conn: &mut Connection, tenant: &str) -> DbResult<Option<DirectoryStamp>> {
    Ok(conn
        .prepare_cached("SELECT directory_version, ratings_version FROM tenants WHERE id = ?1")?
        .query_row([tenant], |row| {
            Ok(DirectoryStamp {
                version: row.get(0)?,
                ratings: row.get(1)?,
            })
        })
        .optional()?)
}

pub(super) fn directory(conn: &mut Connection, tenant: &str) -> DbResult<Option<Directory>> {
    let tx = conn.transaction()?;
    let Some((version, min_sample)) = tx
        .prepare_cached("SELECT directory_version, rating_min_sample FROM tenants WHERE id = ?1")?
        .query_row([tenant], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, u32>(1)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    // One current rating per citizen and service (the table's key), so a row count is a count
    // of distinct citizens. Below the minimum sample nothing is published, not even the count.
    let summaries: HashMap<String, RatingSummary> = tx
        .prepare_cached(
            "SELECT service_id, COUNT(*), AVG(satisfaction), AVG(importance) FROM ratings
             WHERE tenant_id = ?1 GROUP BY service_id HAVING COUNT(*) >= ?2",
        )?
        .query_map((tenant, min_sample.max(1)), |row| {
            Ok((
                row.get::<_, String>(0)?,
                RatingSummary {
                    count: row.get(1)?,
                    satisfaction_mean: rounded_mean(row.get(2)?),
                    importance_mean: rounded_mean(row.get(3)?),
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    let services = tx
        .prepare_cached(&format!(
            "SELECT {PUBLIC_SERVICE} FROM public_services WHERE tenant_id = ?1 ORDER BY position, id"
        ))?
        .query_and_then([tenant], |row| {
            let mut service = columns::public_service(&Row(row))?;
            service.ratings = summaries.get(&service.id).copied();
            Ok::<_, Failure>(service)
        })?
        .collect::<DbResult<Vec<_>>>()?;
    Ok(Some(Directory {
        version,
        min_sample,
        services,
    }))
}

#[cfg(test)]
mod tests {
    use relais_protocol::{GeoPoint, LocalizedText, PublicService};
    use rusqlite::Connection;
    use tempfile::TempDir;

    use relais_server_database::Database;

    use crate::Sqlite;
    use crate::testing::town;

    /// Two tenants, `a` (minimum sample 3) and `b` (the default, 5).
    async fn two_towns() -> (TempDir, Sqlite, Connection) {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("relais.db");
        let db = Sqlite::open(&path).await.unwrap();
        for (id, settings) in [("a", r#","settings":{"rating_min_sample":3}"#), ("b", "")] {
            let tenant = format!(
                r#"{{"id":"{id}","name":"{id}"{settings},"services":[],"groups":[],"categories":[]}}"#
            );
            db.seed(town(&tenant)).await.unwrap();
        }
        let raw = Connection::open(&path).unwrap();
        (dir, db, raw)
    }

    fn entry(id: &str, name: &str) -> PublicService {
        PublicService {
            id: id.into(),
            name: LocalizedText::new(name, name),
            kind: LocalizedText::new("Piscine", "Swimming pool"),
            address: Some("1 rue de la Piscine".into()),
            location: Some(GeoPoint {
                lat: 48.85,
                lon: 2.35,
                accuracy_m: None,
            }),
            opening_hours: Some("Lundi 09:00–12:00".into()),
            phone: None,
            website: None,
            ratings: None,
        }
    }

    /// What the push side writes: one current rating per citizen.
    fn rate(raw: &Connection, tenant: &str, service: &str, citizen: &str, s: u8, i: u8) {
        raw.execute(
            "INSERT INTO ratings (tenant_id, service_id, citizen, satisfaction, importance, at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, 0)
             ON CONFLICT (tenant_id, service_id, citizen) DO UPDATE
             SET satisfaction = excluded.satisfaction, importance = excluded.importance",
            (tenant, service, citizen, s, i),
        )
        .unwrap();
    }

    #[tokio::test]
    async fn importing_again_changes_nothing_and_a_change_bumps_the_version() {
        let (_dir, db, _raw) = two_towns().await;
        let entries = vec![entry("p1", "Piscine 1"), entry("p2", "Piscine 2")];
        let first = db
            .import_directory("a", entries.clone())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((first.added, first.updated, first.version), (2, 0, 1));
        let again = db
            .import_directory("a", entries.clone())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 2));
        assert_eq!(again.version, 1);

        let renamed = vec![entry("p2", "Piscine Deux"), entry("p3", "Piscine 3")];
        let change = db.import_directory("a", renamed).await.unwrap().unwrap();
        assert_eq!((change.added, change.updated, change.version), (1, 1, 2));
        let directory = db.directory("a").await.unwrap().unwrap();
        let names: Vec<_> = directory
            .services
            .iter()
            .map(|s| s.name.fr.as_str())
            .collect();
        // Kept in first-import order; an entry absent from a later file stays.
        assert_eq!(names, ["Piscine 1", "Piscine Deux", "Piscine 3"]);
        assert_eq!(directory.services[0], entries[0]);
    }

    #[tokio::test]
    async fn a_summary_is_published_only_from_the_minimum_sample() {
        let (_dir, db, raw) = two_towns().await;
        db.import_directory("a", vec![entry("p1", "P")])
            .await
            .unwrap();
        let summary = async || db.directory("a").await.unwrap().unwrap().services[0].ratings;

        rate(&raw, "a", "p1", "alice", 2, 5);
        rate(&raw, "a", "p1", "bob", 3, 4);
        // Bob changes his mind: still two citizens.
        rate(&raw, "a", "p1", "bob", 4, 4);
        assert_eq!(db.directory("a").await.unwrap().unwrap().min_sample, 3);
        assert_eq!(summary().await, None);

        rate(&raw, "a", "p1", "chloé", 5, 3);
        let shown = summary().await.unwrap();
        assert_eq!(shown.count, 3);
        assert_eq!(shown.satisfaction_mean, 3.67);
        assert_eq!(shown.importance_mean, 4.0);
    }

    #[tokio::test]
    async fn each_town_sees_only_its_own_directory_and_ratings() {
        let (_dir, db, raw) = two_towns().await;
        db.import_directory("a", vec![entry("p1", "Piscine de A")])
            .await
            .unwrap();
        db.import_directory(
            "b",
            vec![entry("p1", "Piscine de B"), entry("g1", "Gymnase")],
        )
        .await
        .unwrap();
        for citizen in ["1", "2", "3"] {
            rate(&raw, "a", "p1", citizen, 5, 5);
        }
        let a = db.directory("a").await.unwrap().unwrap();
        let b = db.directory("b").await.unwrap().unwrap();
        assert_eq!(a.services.len(), 1);
        assert_eq!(a.services[0].name.fr, "Piscine de A");
        assert_eq!(a.services[0].ratings.unwrap().count, 3);
        assert_eq!(b.services.len(), 2);
        assert!(b.services.iter().all(|s| s.ratings.is_none()));
        assert_eq!((a.version, b.version, b.min_sample), (1, 1, 5));
        assert_eq!(db.directory("c").await.unwrap(), None);
        assert_eq!(db.import_directory("c", vec![]).await.unwrap(), None);
    }
}
