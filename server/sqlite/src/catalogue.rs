//! Tenants and their catalogue: storing a town's definition (idempotent, keyed by its digest),
//! the public catalogue (the server adds the zones' outlines, which it computes from the zone
//! shapes it holds in memory), and the zone shapes for that in-memory index.

use std::collections::HashMap;

use relais_protocol::{
    Catalogue, Category, CategoryGroup, LocalizedText, Question, TownSettings, Zone,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::error::{DbResult, corrupt};
use crate::now_ms;
use relais_server_database::TownDefinition;
use relais_server_database::{TenantSummary, ZoneShape};

/// Creates or updates the tenant from its seed. Entries that disappeared from the seed are kept:
/// stored reports still name them.
pub(super) fn seed(conn: &mut Connection, seed: &TownDefinition) -> DbResult<bool> {
    let tenant = &seed.tenant;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let stored_digest: Option<Option<String>> = tx
        .query_row(
            "SELECT seed_sha256 FROM tenants WHERE id = ?1",
            [&tenant.id],
            |row| row.get(0),
        )
        .optional()?;
    match stored_digest {
        Some(Some(digest)) if digest == seed.digest => return Ok(false),
        Some(_) => {
            tx.execute(
                "UPDATE tenants SET name = ?2, seed_sha256 = ?3,
                     catalogue_version = catalogue_version + 1
                 WHERE id = ?1",
                (&tenant.id, &tenant.name, &seed.digest),
            )?;
        }
        None => {
            // The epoch ties pull cursors to this tenant's change log.
            let epoch = hex::encode(rand::random::<[u8; 8]>());
            tx.execute(
                "INSERT INTO tenants (id, name, epoch, seed_sha256, created_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                (&tenant.id, &tenant.name, &epoch, &seed.digest, now_ms()),
            )?;
        }
    }
    let settings = tenant.settings.town();
    tx.execute(
        "UPDATE tenants SET reopen_window_days = ?2, duplicate_radius_m = ?3,
             rating_min_sample = ?4
         WHERE id = ?1",
        (
            &tenant.id,
            settings.reopen_window_days,
            settings.duplicate_radius_m,
            tenant.settings.rating_min_sample(),
        ),
    )?;
    {
        let mut service = tx.prepare_cached(
            "INSERT INTO services (tenant_id, code, name_fr, name_en) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id, code) DO UPDATE
             SET name_fr = excluded.name_fr, name_en = excluded.name_en",
        )?;
        for s in &tenant.services {
            service.execute((&tenant.id, &s.code, &s.name.fr, &s.name.en))?;
        }
        let mut group = tx.prepare_cached(
            "INSERT INTO category_groups (tenant_id, code, name_fr, name_en, position)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (tenant_id, code) DO UPDATE
             SET name_fr = excluded.name_fr, name_en = excluded.name_en,
                 position = excluded.position",
        )?;
        for (position, g) in tenant.groups.iter().enumerate() {
            group.execute((&tenant.id, &g.code, &g.name.fr, &g.name.en, position))?;
        }
        let mut category = tx.prepare_cached(
            "INSERT INTO categories (tenant_id, code, group_code, name_fr, name_en, service_code,
                                     source_type, source_subtype, position, questions,
                                     response_days, duplicate_radius_m)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (tenant_id, code) DO UPDATE
             SET group_code = excluded.group_code, name_fr = excluded.name_fr,
                 name_en = excluded.name_en, service_code = excluded.service_code,
                 source_type = excluded.source_type, source_subtype = excluded.source_subtype,
                 position = excluded.position, questions = excluded.questions,
                 response_days = excluded.response_days,
                 duplicate_radius_m = excluded.duplicate_radius_m",
        )?;
        for (position, c) in tenant.categories.iter().enumerate() {
            let source = c.source.as_ref();
            let questions = serde_json::to_string(&c.questions)
                .map_err(|e| corrupt(format!("questions of {}: {e}", c.code)))?;
            category.execute((
                &tenant.id,
                &c.code,
                &c.group,
                &c.name.fr,
                &c.name.en,
                &c.service,
                source.and_then(|s| s.kind.as_deref()),
                source.and_then(|s| s.soustype.as_deref()),
                position,
                questions,
                c.response_days,
                c.duplicate_radius_m,
            ))?;
        }
        let mut zone = tx.prepare_cached(
            "INSERT INTO zones (tenant_id, code, name, kind, parent_code, geometry)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (tenant_id, code) DO UPDATE
             SET name = excluded.name, kind = excluded.kind, parent_code = excluded.parent_code,
                 geometry = excluded.geometry",
        )?;
        for z in &seed.zones {
            zone.execute((
                &tenant.id,
                &z.code,
                &z.name,
                &z.kind,
                &z.parent,
                &z.geometry,
            ))?;
        }
    }
    tx.commit()?;
    Ok(true)
}

pub(super) fn tenant(conn: &mut Connection, tenant: &str) -> DbResult<Option<TenantSummary>> {
    Ok(conn
        .prepare_cached("SELECT id, name FROM tenants WHERE id = ?1")?
        .query_row([tenant], |row| {
            Ok(TenantSummary {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        })
        .optional()?)
}

pub(super) fn zone_shapes(conn: &mut Connection) -> DbResult<Vec<(TenantSummary, Vec<ZoneShape>)>> {
    let tx = conn.transaction()?;
    let tenants = tx
        .prepare_cached("SELECT id, name FROM tenants ORDER BY id")?
        .query_map([], |row| {
            Ok(TenantSummary {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut shapes =
        tx.prepare_cached("SELECT tenant_id, code, parent_code, geometry FROM zones")?;
    let mut by_tenant: HashMap<String, Vec<ZoneShape>> = HashMap::new();
    for row in shapes.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            ZoneShape {
                code: row.get(1)?,
                parent: row.get(2)?,
                geometry: row.get(3)?,
            },
        ))
    })? {
        let (tenant, shape) = row?;
        by_tenant.entry(tenant).or_default().push(shape);
    }
    Ok(tenants
        .into_iter()
        .map(|tenant| {
            let mut zones = by_tenant.remove(&tenant.id).unwrap_or_default();
            zones.sort_by(|a, b| a.code.cmp(&b.code));
            (tenant, zones)
        })
        .collect())
}

pub(super) fn catalogue(conn: &mut Connection, tenant: &str) -> DbResult<Option<Catalogue>> {
    let tx = conn.transaction()?;
    let Some((name, version, settings)) = tx
        .prepare_cached(
            "SELECT name, catalogue_version, reopen_window_days, duplicate_radius_m
             FROM tenants WHERE id = ?1",
        )?
        .query_row([tenant], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                TownSettings {
                    reopen_window_days: row.get(2)?,
                    duplicate_radius_m: row.get(3)?,
                    ..TownSettings::default()
                },
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let groups = tx
        .prepare_cached(
            "SELECT code, name_fr, name_en FROM category_groups
             WHERE tenant_id = ?1 ORDER BY position, code",
        )?
        .query_map([tenant], |row| {
            Ok(CategoryGroup {
                code: row.get(0)?,
                name: LocalizedText::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let categories = tx
        .prepare_cached(
            "SELECT c.code, c.group_code, c.name_fr, c.name_en, s.name_fr, s.name_en,
                    c.questions, c.response_days, c.duplicate_radius_m
             FROM categories c
             JOIN services s ON s.tenant_id = c.tenant_id AND s.code = c.service_code
             WHERE c.tenant_id = ?1 ORDER BY c.position, c.code",
        )?
        .query_map([tenant], |row| {
            Ok((
                Category {
                    code: row.get(0)?,
                    group: row.get(1)?,
                    name: LocalizedText::new(row.get::<_, String>(2)?, row.get::<_, String>(3)?),
                    service: LocalizedText::new(row.get::<_, String>(4)?, row.get::<_, String>(5)?),
                    service_code: None,
                    questions: Vec::new(),
                    response_days: row.get(7)?,
                    duplicate_radius_m: row.get(8)?,
                },
                row.get::<_, String>(6)?,
            ))
        })?
        .map(|row| {
            let (mut category, questions) = row?;
            category.questions = serde_json::from_str::<Vec<Question>>(&questions)
                .map_err(|e| corrupt(format!("questions of category {}: {e}", category.code)))?;
            Ok(category)
        })
        .collect::<DbResult<Vec<_>>>()?;
    let zones = tx
        .prepare_cached(
            "SELECT code, name, kind, parent_code FROM zones WHERE tenant_id = ?1 ORDER BY code",
        )?
        .query_map([tenant], |row| {
            Ok(Zone {
                code: row.get(0)?,
                name: row.get(1)?,
                kind: row.get(2)?,
                parent: row.get(3)?,
                polygons: Vec::new(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Catalogue {
        services: Vec::new(),
        routing: Vec::new(),
        rejection_reasons: Vec::new(),
        reply_templates: Vec::new(),
        tenant: tenant.to_owned(),
        name,
        version,
        groups,
        categories,
        settings,
        zones,
    }))
}
