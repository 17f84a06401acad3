//! The town's alerts as the back office lists them: the alert the devices receive, and who
//! published it when (which devices are never told).

use std::collections::HashMap;

use relais_protocol::ZoneAlert;
use uuid::Uuid;

use crate::DbError;

/// An alert of the town with its publication.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedAlert {
    pub alert: ZoneAlert,
    /// The name of the staff member who published it; `None`: the server's command line or an
    /// account since removed.
    pub published_by: Option<String>,
    pub published_at_ms: i64,
}

/// Puts each listed alert's body beside its publication, in the listing's order: `rows` are
/// what a backend listed (id, publisher, instant), `bodies` the alerts it read for those ids as
/// a pull reads them. A listed alert without its body is an inconsistent store.
pub fn with_bodies(
    rows: Vec<(String, Option<String>, i64)>,
    mut bodies: HashMap<Uuid, ZoneAlert>,
) -> Result<Vec<PublishedAlert>, DbError> {
    rows.into_iter()
        .map(|(id, published_by, published_at_ms)| {
            let alert = id
                .parse::<Uuid>()
                .ok()
                .and_then(|id| bodies.remove(&id))
                .ok_or_else(|| DbError::Corrupt(format!("alert {id}")))?;
            Ok(PublishedAlert {
                alert,
                published_by,
                published_at_ms,
            })
        })
        .collect()
}
