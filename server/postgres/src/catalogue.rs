//! Tenants and their catalogue: storing a town's definition (idempotent, keyed by its digest),
//! the public catalogue, the zone shapes for the server's in-memory index, and the routing rules
//! staff change. The same statements as the SQLite backend's, in PostgreSQL's dialect.

use std::collections::HashMap;

use deadpool_postgres::Transaction;
use relais_protocol::{
    Catalogue, CategoryGroup, LocalizedText, RejectionReason, RoutingRule, ServiceInfo,
    TownSettings, Zone,
};
use relais_server_database::columns::{self, CATEGORY, REPLY_TEMPLATE};
use relais_server_database::{
    CategorySource, StaffChange, TenantSummary, TownDefinition, TownZone, ZoneShape,
};
use tokio_postgres::Row;

use crate::error::{DbResult, corrupt, unsigned};
use crate::now_ms;

/// Creates or updates the tenant from its seed. Entries that disappeared from the seed are kept:
/// stored reports still name them. Two servers seeding the same town at once are serialised by
/// an advisory lock on the tenant's id (the tenant row may not exist yet to be locked).
pub(crate) async fn seed(tx: &Transaction<'_>, seed: &TownDefinition) -> DbResult<bool> {
    let tenant = &seed.tenant;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('relais.seed:' || $1, 0))",
        &[&tenant.id],
    )
    .await?;
    let stored = tx
        .query_opt(
            "SELECT seed_sha256 FROM tenants WHERE id = $1 FOR UPDATE",
            &[&tenant.id],
        )
        .await?;
    match stored {
        Some(row) if row.try_get::<_, Option<String>>(0)?.as_deref() == Some(&seed.digest) => {
            return Ok(false);
        }
        Some(_) => {
            tx.execute(
                "UPDATE tenants SET name = $2, seed_sha256 = $3,
                     catalogue_version = catalogue_version + 1
                 WHERE id = $1",
                &[&tenant.id, &tenant.name, &seed.digest],
            )
            .await?;
        }
        None => {
            // The epoch ties pull cursors to this tenant's change log.
            let epoch = hex::encode(rand::random::<[u8; 8]>());
            tx.execute(
                "INSERT INTO tenants (id, name, epoch, seed_sha256, created_at_ms)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&tenant.id, &tenant.name, &epoch, &seed.digest, &now_ms()],
            )
            .await?;
        }
    }
    let settings = tenant.settings.town();
    tx.execute(
        "UPDATE tenants SET reopen_window_days = $2, duplicate_radius_m = $3,
             rating_min_sample = $4, closed_visible_days = $5
         WHERE id = $1",
        &[
            &tenant.id,
            &i64::from(settings.reopen_window_days),
            &i64::from(settings.duplicate_radius_m),
            &i64::from(tenant.settings.rating_min_sample()),
            &i64::from(settings.closed_visible_days),
        ],
    )
    .await?;
    let service = tx
        .prepare_cached(
            "INSERT INTO services (tenant_id, code, name_fr, name_en) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, code) DO UPDATE
             SET name_fr = excluded.name_fr, name_en = excluded.name_en",
        )
        .await?;
    for s in &tenant.services {
        tx.execute(&service, &[&tenant.id, &s.code, &s.name.fr, &s.name.en])
            .await?;
    }
    let group = tx
        .prepare_cached(
            "INSERT INTO category_groups (tenant_id, code, name_fr, name_en, position)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tenant_id, code) DO UPDATE
             SET name_fr = excluded.name_fr, name_en = excluded.name_en,
                 position = excluded.position",
        )
        .await?;
    for (position, g) in (0_i64..).zip(&tenant.groups) {
        tx.execute(
            &group,
            &[&tenant.id, &g.code, &g.name.fr, &g.name.en, &position],
        )
        .await?;
    }
    let category = tx
        .prepare_cached(
            "INSERT INTO categories (tenant_id, code, group_code, name_fr, name_en, service_code,
                                     source_type, source_subtype, position, questions,
                                     response_days, duplicate_radius_m)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (tenant_id, code) DO UPDATE
             SET group_code = excluded.group_code, name_fr = excluded.name_fr,
                 name_en = excluded.name_en, service_code = excluded.service_code,
                 source_type = excluded.source_type, source_subtype = excluded.source_subtype,
                 position = excluded.position, questions = excluded.questions,
                 response_days = excluded.response_days,
                 duplicate_radius_m = excluded.duplicate_radius_m",
        )
        .await?;
    for (position, c) in (0_i64..).zip(&tenant.categories) {
        let source = c.source.as_ref();
        let questions = serde_json::to_string(&c.questions)
            .map_err(|e| corrupt(format!("questions of {}: {e}", c.code)))?;
        tx.execute(
            &category,
            &[
                &tenant.id,
                &c.code,
                &c.group,
                &c.name.fr,
                &c.name.en,
                &c.service,
                &source.and_then(|s| s.kind.as_deref()),
                &source.and_then(|s| s.soustype.as_deref()),
                &position,
                &questions,
                &c.response_days.map(i64::from),
                &c.duplicate_radius_m.map(i64::from),
            ],
        )
        .await?;
    }
    let zone = tx
        .prepare_cached(
            "INSERT INTO zones (tenant_id, code, name, kind, parent_code, geometry)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant_id, code) DO UPDATE
             SET name = excluded.name, kind = excluded.kind, parent_code = excluded.parent_code,
                 geometry = excluded.geometry",
        )
        .await?;
    for z in &seed.zones {
        tx.execute(
            &zone,
            &[
                &tenant.id,
                &z.code,
                &z.name,
                &z.kind,
                &z.parent,
                &z.geometry,
            ],
        )
        .await?;
    }
    store_workflow(tx, seed).await?;
    Ok(true)
}

/// The town's routing table, rejection reasons and reply templates, as the definition gives
/// them (they replace the stored ones: reports already received keep their service).
async fn store_workflow(tx: &Transaction<'_>, seed: &TownDefinition) -> DbResult<()> {
    let tenant = &seed.tenant;
    for table in ["routing_rules", "rejection_reasons", "reply_templates"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE tenant_id = $1"),
            &[&tenant.id],
        )
        .await?;
    }
    let rule = tx
        .prepare_cached(
            "INSERT INTO routing_rules (tenant_id, category_code, zone_code, service_code)
             VALUES ($1, $2, $3, $4)",
        )
        .await?;
    for r in &tenant.routing {
        tx.execute(&rule, &[&tenant.id, &r.category, &r.zone, &r.service])
            .await?;
    }
    let reason = tx
        .prepare_cached(
            "INSERT INTO rejection_reasons (tenant_id, code, label_fr, label_en, position)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .await?;
    for (position, r) in (0_i64..).zip(&tenant.rejection_reasons) {
        tx.execute(
            &reason,
            &[&tenant.id, &r.code, &r.label.fr, &r.label.en, &position],
        )
        .await?;
    }
    let template = tx
        .prepare_cached(
            "INSERT INTO reply_templates (tenant_id, kind, group_code, category_code, text_fr,
                                          text_en)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    for t in &tenant.reply_templates {
        let kind: &str = t.kind.into();
        tx.execute(
            &template,
            &[
                &tenant.id,
                &kind,
                &t.group.as_deref().unwrap_or(""),
                &t.category.as_deref().unwrap_or(""),
                &t.text.fr,
                &t.text.en,
            ],
        )
        .await?;
    }
    Ok(())
}

fn summary(row: &Row) -> DbResult<TenantSummary> {
    Ok(TenantSummary {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
    })
}

pub(crate) async fn tenant(tx: &Transaction<'_>, tenant: &str) -> DbResult<Option<TenantSummary>> {
    let stmt = tx
        .prepare_cached("SELECT id, name FROM tenants WHERE id = $1")
        .await?;
    tx.query_opt(&stmt, &[&tenant])
        .await?
        .as_ref()
        .map(summary)
        .transpose()
}

pub(crate) async fn tenants(tx: &Transaction<'_>) -> DbResult<Vec<TenantSummary>> {
    let stmt = tx
        .prepare_cached("SELECT id, name FROM tenants ORDER BY id")
        .await?;
    tx.query(&stmt, &[]).await?.iter().map(summary).collect()
}

pub(crate) async fn catalogue_version(tx: &Transaction<'_>, tenant: &str) -> DbResult<Option<i64>> {
    let stmt = tx
        .prepare_cached("SELECT catalogue_version FROM tenants WHERE id = $1")
        .await?;
    Ok(match tx.query_opt(&stmt, &[&tenant]).await? {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    })
}

pub(crate) async fn zone_shapes(
    tx: &Transaction<'_>,
) -> DbResult<Vec<(TenantSummary, Vec<ZoneShape>)>> {
    let tenants = tenants(tx).await?;
    let mut by_tenant: HashMap<String, Vec<ZoneShape>> = HashMap::new();
    for row in tx
        .query(
            "SELECT tenant_id, code, parent_code, geometry FROM zones",
            &[],
        )
        .await?
    {
        by_tenant
            .entry(row.try_get(0)?)
            .or_default()
            .push(ZoneShape {
                code: row.try_get(1)?,
                parent: row.try_get(2)?,
                geometry: row.try_get(3)?,
            });
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

/// The town's settings as stored (`reopen_window_days, duplicate_radius_m,
/// closed_visible_days` from column `first` on).
pub(crate) fn town_settings(row: &Row, first: usize) -> DbResult<TownSettings> {
    Ok(TownSettings {
        reopen_window_days: unsigned(row.try_get(first)?, "reopen window")?,
        duplicate_radius_m: unsigned(row.try_get(first + 1)?, "duplicate radius")?,
        closed_visible_days: unsigned(row.try_get(first + 2)?, "closed visible days")?,
    })
}

/// The rows of `sql` (a code, its French text, its English text; `$1` the tenant).
async fn coded_texts(
    tx: &Transaction<'_>,
    sql: &str,
    tenant: &str,
) -> DbResult<Vec<(String, LocalizedText)>> {
    let stmt = tx.prepare_cached(sql).await?;
    tx.query(&stmt, &[&tenant])
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                LocalizedText::new(row.try_get::<_, String>(1)?, row.try_get::<_, String>(2)?),
            ))
        })
        .collect()
}

/// The town's definition as stored: its catalogue with what devices are not sent (where each
/// category comes from, the minimum sample of raters, the zones' geometry) and the digest of the
/// last definition stored, from the caller's snapshot.
pub(crate) async fn town_definition(
    tx: &Transaction<'_>,
    tenant: &str,
) -> DbResult<Option<TownDefinition>> {
    let Some(catalogue) = catalogue(tx, tenant).await? else {
        return Ok(None);
    };
    let row = tx
        .query_one(
            "SELECT seed_sha256, rating_min_sample FROM tenants WHERE id = $1",
            &[&tenant],
        )
        .await?;
    let digest: Option<String> = row.try_get(0)?;
    let rating_min_sample = unsigned(row.try_get(1)?, "rating_min_sample")?;
    let mut sources = HashMap::new();
    for row in tx
        .query(
            "SELECT code, source_type, source_subtype FROM categories
             WHERE tenant_id = $1 AND (source_type IS NOT NULL OR source_subtype IS NOT NULL)",
            &[&tenant],
        )
        .await?
    {
        let source = CategorySource {
            kind: row.try_get(1)?,
            soustype: row.try_get(2)?,
        };
        sources.insert(row.try_get::<_, String>(0)?, source);
    }
    let zones = tx
        .query(
            "SELECT code, name, kind, parent_code, geometry FROM zones
             WHERE tenant_id = $1 ORDER BY code",
            &[&tenant],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(TownZone {
                code: row.try_get(0)?,
                name: row.try_get(1)?,
                kind: row.try_get(2)?,
                parent: row.try_get(3)?,
                geometry: row.try_get(4)?,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    Ok(Some(TownDefinition::stored(
        catalogue,
        rating_min_sample,
        sources,
        zones,
        digest,
    )))
}

pub(crate) async fn catalogue(tx: &Transaction<'_>, tenant: &str) -> DbResult<Option<Catalogue>> {
    let Some(row) = tx
        .query_opt(
            "SELECT name, catalogue_version, reopen_window_days, duplicate_radius_m,
                    closed_visible_days
             FROM tenants WHERE id = $1",
            &[&tenant],
        )
        .await?
    else {
        return Ok(None);
    };
    let (name, version, settings) = (row.try_get(0)?, row.try_get(1)?, town_settings(&row, 2)?);
    let groups = coded_texts(
        tx,
        "SELECT code, name_fr, name_en FROM category_groups
         WHERE tenant_id = $1 ORDER BY position, code",
        tenant,
    )
    .await?
    .into_iter()
    .map(|(code, name)| CategoryGroup { code, name })
    .collect();
    let categories = tx
        .query(
            &format!(
                "SELECT {CATEGORY}
                 FROM categories c
                 JOIN services s ON s.tenant_id = c.tenant_id AND s.code = c.service_code
                 WHERE c.tenant_id = $1 ORDER BY c.position, c.code"
            ),
            &[&tenant],
        )
        .await?
        .iter()
        .map(|row| Ok(columns::category(&crate::columns::Row(row))?))
        .collect::<DbResult<Vec<_>>>()?;
    let zones = tx
        .query(
            "SELECT code, name, kind, parent_code FROM zones WHERE tenant_id = $1 ORDER BY code",
            &[&tenant],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(Zone {
                code: row.try_get(0)?,
                name: row.try_get(1)?,
                kind: row.try_get(2)?,
                parent: row.try_get(3)?,
                polygons: Vec::new(),
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    let services = coded_texts(
        tx,
        "SELECT code, name_fr, name_en FROM services WHERE tenant_id = $1 ORDER BY code",
        tenant,
    )
    .await?
    .into_iter()
    .map(|(code, name)| ServiceInfo { code, name })
    .collect();
    let routing = tx
        .query(
            "SELECT category_code, zone_code, service_code FROM routing_rules
             WHERE tenant_id = $1 ORDER BY category_code, zone_code",
            &[&tenant],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(RoutingRule {
                category: row.try_get(0)?,
                zone: row.try_get(1)?,
                service: row.try_get(2)?,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    let rejection_reasons = coded_texts(
        tx,
        "SELECT code, label_fr, label_en FROM rejection_reasons
         WHERE tenant_id = $1 ORDER BY position, code",
        tenant,
    )
    .await?
    .into_iter()
    .map(|(code, label)| RejectionReason { code, label })
    .collect();
    let reply_templates = tx
        .query(
            &format!(
                "SELECT {REPLY_TEMPLATE} FROM reply_templates
                 WHERE tenant_id = $1 ORDER BY kind, category_code, group_code"
            ),
            &[&tenant],
        )
        .await?
        .iter()
        .map(|row| Ok(columns::reply_template(&crate::columns::Row(row))?))
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

/// Whether `tenant` has the entry `code` in `table` (services, zones, categories).
pub(crate) async fn exists(
    tx: &Transaction<'_>,
    table: &str,
    tenant: &str,
    code: &str,
) -> DbResult<bool> {
    let stmt = tx
        .prepare_cached(&format!(
            "SELECT 1 FROM {table} WHERE tenant_id = $1 AND code = $2"
        ))
        .await?;
    Ok(tx.query_opt(&stmt, &[&tenant, &code]).await?.is_some())
}

/// Sets or removes one routing rule, checking what it names, and bumps the catalogue version.
pub(crate) async fn set_routing(
    tx: &Transaction<'_>,
    tenant: &str,
    category: &str,
    zone: &str,
    service: Option<&str>,
) -> DbResult<StaffChange> {
    if crate::changelog::lock_tenant(tx, tenant).await?.is_none() {
        return Ok(StaffChange::UnknownTenant);
    }
    if !exists(tx, "zones", tenant, zone).await? {
        return Ok(StaffChange::UnknownZone);
    }
    let known_service = match service {
        Some(service) => exists(tx, "services", tenant, service).await?,
        None => true,
    };
    if !exists(tx, "categories", tenant, category).await? || !known_service {
        return Ok(StaffChange::UnknownService);
    }
    match service {
        Some(service) => {
            tx.execute(
                "INSERT INTO routing_rules (tenant_id, category_code, zone_code, service_code)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant_id, category_code, zone_code)
                 DO UPDATE SET service_code = excluded.service_code",
                &[&tenant, &category, &zone, &service],
            )
            .await?
        }
        None => {
            tx.execute(
                "DELETE FROM routing_rules
                 WHERE tenant_id = $1 AND category_code = $2 AND zone_code = $3",
                &[&tenant, &category, &zone],
            )
            .await?
        }
    };
    tx.execute(
        "UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE id = $1",
        &[&tenant],
    )
    .await?;
    Ok(StaffChange::Done)
}
