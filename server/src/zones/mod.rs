//! Routing by place: each tenant's zones (arrondissements, communes...) held in memory as
//! [`TenantZones`], built from the database at startup and after seeding, and looked up by point.

mod geometry;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub use geometry::{OUTLINE_TOLERANCE_DEG, WirePolygons, ZoneGeometry};

use crate::store::{Database, DbResult, TenantSummary, ZoneShape};

/// A tenant and its zones, ready for point lookups.
#[derive(Debug)]
pub struct TenantZones {
    pub tenant: TenantSummary,
    zones: Vec<(String, ZoneGeometry)>,
}

impl TenantZones {
    /// Builds the index; a stored geometry that no longer parses is a data error.
    pub fn new(tenant: TenantSummary, shapes: Vec<ZoneShape>) -> Result<Self, String> {
        let zones = shapes
            .into_iter()
            .map(|shape| {
                ZoneGeometry::parse(&shape.geometry)
                    .map(|geometry| (shape.code.clone(), geometry))
                    .map_err(|e| format!("zone {} of {}: {e}", shape.code, tenant.id))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { tenant, zones })
    }

    /// The code of the first zone covering the point, if any.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<&str> {
        self.zones
            .iter()
            .find(|(_, geometry)| geometry.covers(lon, lat))
            .map(|(code, _)| code.as_str())
    }
}

/// Every tenant's zones, by tenant id. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct ZoneDirectory {
    tenants: Arc<RwLock<HashMap<String, Arc<TenantZones>>>>,
}

impl ZoneDirectory {
    /// Rebuilds the whole directory from the database.
    pub async fn reload(&self, db: &impl Database) -> DbResult<()> {
        let mut tenants = HashMap::new();
        for (tenant, shapes) in db.zone_shapes().await? {
            let id = tenant.id.clone();
            let zones = TenantZones::new(tenant, shapes).map_err(crate::store::DbError::Corrupt)?;
            tenants.insert(id, Arc::new(zones));
        }
        *self.tenants.write().unwrap_or_else(|e| e.into_inner()) = tenants;
        Ok(())
    }

    /// The zones of `tenant`, reloading the directory once if the tenant is not in it yet (created
    /// since the last reload). `None` for a tenant the database does not know either.
    pub async fn tenant(
        &self,
        db: &impl Database,
        tenant: &str,
    ) -> DbResult<Option<Arc<TenantZones>>> {
        if let Some(zones) = self.get(tenant) {
            return Ok(Some(zones));
        }
        self.reload(db).await?;
        Ok(self.get(tenant))
    }

    fn get(&self, tenant: &str) -> Option<Arc<TenantZones>> {
        self.tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(tenant)
            .cloned()
    }
}
