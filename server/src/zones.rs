//! Routing by place: each tenant's zones (arrondissements, quartiers, communes...) held in memory
//! as [`TenantZones`], built from the database at startup and after seeding, looked up by point,
//! and simplified once into the outlines the catalogue sends to devices.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use relais_domain::zones::{OUTLINE_TOLERANCE_DEG, WirePolygons, ZoneGeometry, ZoneMap};
use relais_protocol::Catalogue;
use relais_server_database::{Database, DbError, DbResult, TenantSummary, ZoneShape};

/// A tenant and its zones, ready for point lookups.
#[derive(Debug)]
pub struct TenantZones {
    pub tenant: TenantSummary,
    map: ZoneMap,
    outlines: HashMap<String, WirePolygons>,
}

impl TenantZones {
    /// Builds the index; a stored geometry that no longer parses is a data error.
    pub fn new(tenant: TenantSummary, shapes: Vec<ZoneShape>) -> Result<Self, String> {
        let mut outlines = HashMap::new();
        let mut zones = Vec::with_capacity(shapes.len());
        for shape in shapes {
            let geometry = ZoneGeometry::parse(&shape.geometry)
                .map_err(|e| format!("zone {} of {}: {e}", shape.code, tenant.id))?;
            outlines.insert(shape.code.clone(), geometry.outline(OUTLINE_TOLERANCE_DEG));
            zones.push((shape.code, shape.parent, Some(geometry)));
        }
        Ok(Self {
            tenant,
            map: ZoneMap::new(zones),
            outlines,
        })
    }

    /// The codes of the zones covering the point, finest first (a quartier, then its
    /// arrondissement); empty outside every zone.
    pub fn locate(&self, lon: f64, lat: f64) -> Vec<&str> {
        self.map.locate(lon, lat)
    }

    /// Gives each zone of the tenant's catalogue its outline, simplified to about a metre.
    pub fn outline(&self, catalogue: &mut Catalogue) {
        for zone in &mut catalogue.zones {
            zone.polygons = self.outlines.get(&zone.code).cloned().unwrap_or_default();
        }
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
            let zones = TenantZones::new(tenant, shapes).map_err(DbError::Corrupt)?;
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
