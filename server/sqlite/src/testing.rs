//! Test helpers: a town definition from a `tenant.json` text, without zones.

use relais_server_database::{TownDefinition, TownFile};

/// The town of `tenant_json` (its digest is the text itself, so a changed text is a new
/// definition).
pub(crate) fn town(tenant_json: &str) -> TownDefinition {
    let tenant: TownFile = serde_json::from_str(tenant_json).expect("a valid tenant.json");
    TownDefinition {
        tenant,
        zones: Vec::new(),
        digest: tenant_json.to_owned(),
    }
}
