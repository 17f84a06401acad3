//! Each town's directory as devices receive it, kept in memory with the [`DirectoryStamp`] it
//! was read at and rebuilt only when the stored stamp moved (an import, a rating, the minimum
//! sample). A device syncing while its copy is current costs one read of two counters, where it
//! cost the whole directory, its ratings' averages, a serialisation and a hash (the largest part
//! of an idle sync).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use relais_server_database::{Database, DbError, DbResult, DirectoryStamp};

use crate::published::Published;

/// A town's directory as published, with the stamp it was read at.
type Held = (DirectoryStamp, Arc<Published>);

/// Every town's directory as last published, by tenant id. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Directories {
    held: Arc<RwLock<HashMap<String, Held>>>,
}

impl Directories {
    /// The directory of `tenant` as stored now; `None` for a tenant the database does not know.
    pub async fn current(
        &self,
        db: &impl Database,
        tenant: &str,
    ) -> DbResult<Option<Arc<Published>>> {
        let Some(stamp) = db.directory_stamp(tenant).await? else {
            return Ok(None);
        };
        self.at_stamp(db, tenant, stamp).await
    }

    /// The directory of `tenant` at `stamp`, read just now by the caller (with a pull page):
    /// the one held if it has that stamp, else built again.
    pub async fn at_stamp(
        &self,
        db: &impl Database,
        tenant: &str,
        stamp: DirectoryStamp,
    ) -> DbResult<Option<Arc<Published>>> {
        if let Some((held, published)) = self.held(tenant)
            && held == stamp
        {
            return Ok(Some(published));
        }
        // Read after the stamp: a change landing in between is in this directory and moves
        // the stored stamp past the one it is kept with, so the next request builds it again.
        let Some(directory) = db.directory(tenant).await? else {
            return Ok(None);
        };
        let published =
            Arc::new(Published::new(&directory).map_err(|e| DbError::Corrupt(e.to_string()))?);
        self.held
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tenant.to_owned(), (stamp, Arc::clone(&published)));
        Ok(Some(published))
    }

    fn held(&self, tenant: &str) -> Option<Held> {
        self.held
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(tenant)
            .cloned()
    }
}
