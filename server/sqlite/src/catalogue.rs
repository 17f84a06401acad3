//! Tenants and their catalogue: storing a town's definition (idempotent, keyed by its digest),
//! the public catalogue (the server adds the zones' outlines, which it computes from the zone
//! shapes it holds in memory), and the zone shapes for that in-memory index.

use std::collections::HashMap;

use relais_protocol::{
    Catalogue, CategoryGroup, LocalizedText, RejectionReason, RoutingRule, ServiceInfo,
    TownSettings, Zone,
};
use relais_server_database::columns::{self, CATEGORY, REPLY_TEMPLATE};
use rusqlite::{Connection, OptionalExtension};

use crate::columns::Row;
use crate::error::{DbResult, Failure, corrupt};
use crate::now_ms;
use relais_server_database::{CategorySource, TownDefinition, TownZone};
use relais_server_database::{StaffChange, TenantSummary, ZoneShape};

/// Creates or updates the tenant from its seed. Entries that disappeared from the seed are kept:
/// stored reports still name them.
pub(super) fn seed(tx: &Connection, seed: &TownDefinition) -> DbResult<bool> {
    let tenant = &seed.tenant;
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
             rating_min_sample = ?4, closed_visible_days = ?5
         WHERE id = ?1",
        (
            &tenant.id,
            settings.reopen_window_days,
            settings.duplicate_radius_m,
            tenant.settings.rating_min_sample(),
            settings.closed_visible_days,
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
    store_workflow(tx, seed)?;
    Ok(true)
}

/// The town's routing table, rejection reasons and reply templates, as the definition gives
/// them (they replace the stored ones: reports already received keep their service).
fn store_workflow(tx: &Connection, seed: &TownDefinition) -> DbResult<()> {
    let tenant = &seed.tenant;
    for table in ["routing_rules", "rejection_reasons", "reply_templates"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE tenant_id = ?1"),
            [&tenant.id],
        )?;
    }
    let mut rule = tx.prepare_cached(
        "INSERT INTO routing_rules (tenant_id, category_code, zone_code, service_code)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for r in &tenant.routing {
        rule.execute((&tenant.id, &r.category, &r.zone, &r.service))?;
    }
    let mut reason = tx.prepare_cached(
        "INSERT INTO rejection_reasons (tenant_id, code, label_fr, label_en, position)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (position, r) in tenant.rejection_reasons.iter().enumerate() {
        reason.execute((&tenant.id, &r.code, &r.label.fr, &r.label.en, position))?;
    }
    let mut template = tx.prepare_cached(
        "INSERT INTO reply_templates (tenant_id, kind, group_code, category_code, text_fr,
                                      text_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for t in &tenant.reply_templates {
        let kind: &str = t.kind.into();
        template.execute((
            &tenant.id,
            kind,
            t.group.as_deref().unwrap_or(""),
            t.category.as_deref().unwrap_or(""),
            &t.text.fr,
            &t.text.en,
        ))?;
    }
    Ok(())
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

/// The rows of `sql` (a code, its French text, its English text; `?1` the tenant).
fn coded_texts(
    conn: &Connection,
    sql: &str,
    tenant: &str,
) -> DbResult<Vec<(String, LocalizedText)>> {
    Ok(conn
        .prepare_cached(sql)?
        .query_map([tenant], |row| {
            Ok((
                row.get(0)?,
                LocalizedText::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?)
}

pub(super) fn catalogue_version(conn: &mut Connection, tenant: &str) -> DbResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT catalogue_version FROM tenants WHERE id = ?1")?
        .query_row([tenant], |row| row.get(0))
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
    catalogue_in(&tx, tenant)
}

/// The town's definition as stored: its catalogue with what devices are not sent (where each
/// category comes from, the minimum sample of raters, the zones' geometry) and the digest of the
/// last definition stored, from one snapshot.
pub(super) fn town_definition(
    conn: &mut Connection,
    tenant: &str,
) -> DbResult<Option<TownDefinition>> {
    let tx = conn.transaction()?;
    let Some(catalogue) = catalogue_in(&tx, tenant)? else {
        return Ok(None);
    };
    let (digest, rating_min_sample): (Option<String>, u32) = tx
        .prepare_cached("SELECT seed_sha256, rating_min_sample FROM tenants WHERE id = ?1")?
        .query_row([tenant], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let mut sources: HashMap<String, CategorySource> = HashMap::new();
    for row in tx
        .prepare_cached(
            "SELECT code, source_type, source_subtype FROM categories
             WHERE tenant_id = ?1 AND (source_type IS NOT NULL OR source_subtype IS NOT NULL)",
        )?
        .query_map([tenant], |row| {
            Ok((
                row.get::<_, String>(0)?,
                CategorySource {
                    kind: row.get(1)?,
                    soustype: row.get(2)?,
                },
            ))
        })?
    {
        let (code, source) = row?;
        sources.insert(code, source);
    }
    let zones = tx
        .prepare_cached(
            "SELECT code, name, kind, parent_code, geometry FROM zones
             WHERE tenant_id = ?1 ORDER BY code",
        )?
        .query_map([tenant], |row| {
            Ok(TownZone {
                code: row.get(0)?,
                name: row.get(1)?,
                kind: row.get(2)?,
                parent: row.get(3)?,
                geometry: row.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(TownDefinition::stored(
        catalogue,
        rating_min_sample,
        sources,
        zones,
        digest,
    )))
}

fn catalogue_in(tx: &Connection, tenant: &str) -> DbResult<Option<Catalogue>> {
    let Some((name, version, settings)) = tx
        .prepare_cached(
            "SELECT name, catalogue_version, reopen_window_days, duplicate_radius_m,
                    closed_visible_days
             FROM tenants WHERE id = ?1",
        )?
        .query_row([tenant], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                TownSettings {
                    reopen_window_days: row.get(2)?,
                    duplicate_radius_m: row.get(3)?,
                    closed_visible_days: row.get(4)?,
                },
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let groups = coded_texts(
        tx,
        "SELECT code, name_fr, name_en FROM category_groups
         WHERE tenant_id = ?1 ORDER BY position, code",
        tenant,
    )?
    .into_iter()
    .map(|(code, name)| CategoryGroup { code, name })
    .collect();
    let categories = tx
        .prepare_cached(&format!(
            "SELECT {CATEGORY}
             FROM categories c
             JOIN services s ON s.tenant_id = c.tenant_id AND s.code = c.service_code
             WHERE c.tenant_id = ?1 ORDER BY c.position, c.code"
        ))?
        .query_and_then([tenant], |row| {
            Ok::<_, Failure>(columns::category(&Row(row))?)
        })?
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
    let services = coded_texts(
        tx,
        "SELECT code, name_fr, name_en FROM services WHERE tenant_id = ?1 ORDER BY code",
        tenant,
    )?
    .into_iter()
    .map(|(code, name)| ServiceInfo { code, name })
    .collect();
    let routing = tx
        .prepare_cached(
            "SELECT category_code, zone_code, service_code FROM routing_rules
             WHERE tenant_id = ?1 ORDER BY category_code, zone_code",
        )?
        .query_map([tenant], |row| {
            Ok(RoutingRule {
                category: row.get(0)?,
                zone: row.get(1)?,
                service: row.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let rejection_reasons = coded_texts(
        tx,
        "SELECT code, label_fr, label_en FROM rejection_reasons
         WHERE tenant_id = ?1 ORDER BY position, code",
        tenant,
    )?
    .into_iter()
    .map(|(code, label)| RejectionReason { code, label })
    .collect();
    let reply_templates = tx
        .prepare_cached(&format!(
            "SELECT {REPLY_TEMPLATE} FROM reply_templates
             WHERE tenant_id = ?1 ORDER BY kind, category_code, group_code"
        ))?
        .query_and_then([tenant], |row| {
            Ok::<_, Failure>(columns::reply_template(&Row(row))?)
        })?
        .collect::<DbResult<Vec<_>>>()?;
    Ok(Some(Catalogue {
        services,
        routing,
        rejection_reasons,
        reply_templates,
        tenant: tenant.to_owned(),
        name,
        version,
        groups,
        categories,
        settings,
        zones,
    }))
}

pub(super) fn tenants(conn: &mut Connection) -> DbResult<Vec<TenantSummary>> {
    Ok(conn
        .prepare_cached("SELECT id, name FROM tenants ORDER BY id")?
        .query_map([], |row| {
            Ok(TenantSummary {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// Sets or removes one routing rule, checking what it names, and bumps the catalogue version.
pub(super) fn set_routing(
    tx: &Connection,
    tenant: &str,
    category: &str,
    zone: &str,
    service: Option<&str>,
) -> DbResult<StaffChange> {
    let exists = |table: &str, code: &str| -> DbResult<bool> {
        Ok(tx
            .prepare_cached(&format!(
                "SELECT 1 FROM {table} WHERE tenant_id = ?1 AND code = ?2"
            ))?
            .query_row((tenant, code), |_| Ok(()))
            .optional()?
            .is_some())
    };
    if !crate::facts::tenant_exists(tx, tenant)? {
        return Ok(StaffChange::UnknownTenant);
    }
    if !exists("zones", zone)? {
        return Ok(StaffChange::UnknownZone);
    }
    if !exists("categories", category)?
        || service.is_some_and(|s| !exists("services", s).unwrap_or(false))
    {
        return Ok(StaffChange::UnknownService);
    }
    match service {
        Some(service) => tx
            .prepare_cached(
                "INSERT INTO routing_rules (tenant_id, category_code, zone_code, service_code)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (tenant_id, category_code, zone_code)
                 DO UPDATE SET service_code = excluded.service_code",
            )?
            .execute((tenant, category, zone, service))?,
        None => tx
            .prepare_cached(
                "DELETE FROM routing_rules
                 WHERE tenant_id = ?1 AND category_code = ?2 AND zone_code = ?3",
            )?
            .execute((tenant, category, zone))?,
    };
    tx.prepare_cached(
        "UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE id = ?1",
    )?
    .execute([tenant])?;
    Ok(StaffChange::Done)
}
