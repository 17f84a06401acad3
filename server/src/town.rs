//! Each town's static knowledge, held in memory: its catalogue (categories with their questions
//! and response times, services, routing, rejection reasons, reply templates, settings) and its
//! zones (parsed outlines for point lookups, the simplified outlines sent to devices, and the
//! nesting of zones). Built from the database at startup, after a town changes, and whenever a
//! write finds the stored catalogue newer than the one held (another server changed it).
//!
//! The rules read the town from here rather than inside each write transaction: the writer only
//! reads what changes with every request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use relais_domain::routing::Routing;
use relais_domain::zones::{OUTLINE_TOLERANCE_DEG, ZoneGeometry, ZoneMap};
use relais_protocol::{Catalogue, Category, LocalizedText, ReplyTemplate, TownSettings};
use relais_server_database::{Database, DbError, DbResult, ZoneShape};

use crate::published::Published;

/// A town, ready for the rules.
#[derive(Debug)]
pub struct Town {
    /// The catalogue as devices receive it, zones' outlines included.
    pub catalogue: Catalogue,
    /// It as devices receive it, serialised and tagged once.
    published: Published,
    routing: Routing,
    zones: ZoneMap,
    /// Each zone's children.
    children: HashMap<String, Vec<String>>,
}

impl Town {
    /// Builds the town from its stored catalogue and zone shapes; a stored geometry that no
    /// longer parses is a data error.
    pub fn new(mut catalogue: Catalogue, shapes: Vec<ZoneShape>) -> Result<Self, String> {
        let mut outlines = HashMap::new();
        let mut zones = Vec::with_capacity(shapes.len());
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for shape in shapes {
            let geometry = ZoneGeometry::parse(&shape.geometry)
                .map_err(|e| format!("zone {} of {}: {e}", shape.code, catalogue.tenant))?;
            outlines.insert(shape.code.clone(), geometry.outline(OUTLINE_TOLERANCE_DEG));
            if let Some(parent) = &shape.parent {
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(shape.code.clone());
            }
            zones.push((shape.code, shape.parent, Some(geometry)));
        }
        for zone in &mut catalogue.zones {
            zone.polygons = outlines.remove(&zone.code).unwrap_or_default();
        }
        Ok(Self {
            routing: Routing::of(&catalogue),
            zones: ZoneMap::new(zones),
            children,
            published: Published::new(&catalogue).map_err(|e| e.to_string())?,
            catalogue,
        })
    }

    /// The catalogue as devices receive it.
    pub const fn published_catalogue(&self) -> &Published {
        &self.published
    }

    pub fn id(&self) -> &str {
        &self.catalogue.tenant
    }

    pub fn name(&self) -> &str {
        &self.catalogue.name
    }

    /// The catalogue version this town was built from.
    pub const fn version(&self) -> i64 {
        self.catalogue.version
    }

    pub const fn settings(&self) -> &TownSettings {
        &self.catalogue.settings
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.catalogue.category(code)
    }

    /// The codes of the zones holding the point, finest first; empty outside every zone.
    pub fn locate(&self, lon: f64, lat: f64) -> Vec<String> {
        self.zones
            .locate(lon, lat)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// The service a report of `category` at a point inside `zones` (finest first) goes to.
    pub fn route(&self, category: &str, zones: &[String]) -> Option<&str> {
        let zones: Vec<&str> = zones.iter().map(String::as_str).collect();
        self.routing.route(category, &zones)
    }

    pub fn has_zone(&self, code: &str) -> bool {
        self.catalogue.zone(code).is_some()
    }

    /// A zone and every zone inside it, at any depth: the buckets a follower of the zone reads.
    pub fn within(&self, code: &str) -> Vec<String> {
        let mut found = vec![code.to_owned()];
        let mut next = 0;
        while next < found.len() {
            if let Some(children) = self.children.get(&found[next]) {
                found.extend(children.iter().cloned());
            }
            next += 1;
        }
        found
    }

    /// The zones holding `code`, itself first, then its parent and so on.
    pub fn chain(&self, code: &str) -> Vec<String> {
        let mut chain = vec![code.to_owned()];
        while let Some(parent) = self
            .catalogue
            .zone(chain.last().map_or("", String::as_str))
            .and_then(|z| z.parent.clone())
            .filter(|p| !chain.contains(p))
        {
            chain.push(parent);
        }
        chain
    }

    pub fn service_name(&self, code: &str) -> Option<&LocalizedText> {
        self.catalogue.service(code).map(|s| &s.name)
    }

    pub fn rejection_reason(&self, code: &str) -> Option<&LocalizedText> {
        self.catalogue
            .rejection_reasons
            .iter()
            .find(|r| r.code == code)
            .map(|r| &r.label)
    }

    pub fn reply_templates(&self) -> &[ReplyTemplate] {
        &self.catalogue.reply_templates
    }

    pub fn service_codes(&self) -> impl Iterator<Item = &str> {
        self.catalogue.services.iter().map(|s| s.code.as_str())
    }
}

/// Every town, by tenant id. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Towns {
    towns: Arc<RwLock<HashMap<String, Arc<Town>>>>,
}

impl Towns {
    /// The town `tenant`, loading it if it is not held yet (created since). `None` for a tenant
    /// the database does not know.
    pub async fn get(&self, db: &impl Database, tenant: &str) -> DbResult<Option<Arc<Town>>> {
        if let Some(town) = self.held(tenant) {
            return Ok(Some(town));
        }
        self.reload(db, tenant).await
    }

    /// The town `tenant` as stored now: the one held when its catalogue version is still the
    /// stored one, else read again. For answers that must not lag behind an administrator's
    /// command run beside the server (the catalogue a device caches).
    pub async fn current(&self, db: &impl Database, tenant: &str) -> DbResult<Option<Arc<Town>>> {
        match db.catalogue_version(tenant).await? {
            Some(version) => self.at_version(db, tenant, version).await,
            None => self.reload(db, tenant).await,
        }
    }

    /// The town `tenant` at catalogue `version`, read just now by the caller (with a pull
    /// page): the one held if it is at that version, else read again.
    pub async fn at_version(
        &self,
        db: &impl Database,
        tenant: &str,
        version: i64,
    ) -> DbResult<Option<Arc<Town>>> {
        match self.held(tenant) {
            Some(town) if town.version() == version => Ok(Some(town)),
            _ => self.reload(db, tenant).await,
        }
    }

    /// Reads the town `tenant` from the database again (after it changed).
    pub async fn reload(&self, db: &impl Database, tenant: &str) -> DbResult<Option<Arc<Town>>> {
        let Some(catalogue) = db.catalogue(tenant).await? else {
            self.towns
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .remove(tenant);
            return Ok(None);
        };
        let shapes = db
            .zone_shapes()
            .await?
            .into_iter()
            .find(|(summary, _)| summary.id == tenant)
            .map(|(_, shapes)| shapes)
            .unwrap_or_default();
        let town = Arc::new(Town::new(catalogue, shapes).map_err(DbError::Corrupt)?);
        self.towns
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tenant.to_owned(), Arc::clone(&town));
        Ok(Some(town))
    }

    /// Loads every town (at startup, so that a corrupt zone fails the start, not a request).
    pub async fn load_all(&self, db: &impl Database) -> DbResult<()> {
        for (summary, _) in db.zone_shapes().await? {
            self.reload(db, &summary.id).await?;
        }
        Ok(())
    }

    fn held(&self, tenant: &str) -> Option<Arc<Town>> {
        self.towns
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(tenant)
            .cloned()
    }
}
