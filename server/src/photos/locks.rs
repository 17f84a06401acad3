//! One async lock per photo, created on demand and dropped when nobody holds or awaits it, so
//! that two devices sending the same photo take turns instead of interleaving their chunks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OwnedMutexGuard;

type Slot = Arc<tokio::sync::Mutex<()>>;

#[derive(Debug, Clone, Default)]
pub(super) struct Locks(Arc<Mutex<HashMap<String, Slot>>>);

/// Held while working on one photo.
pub(super) struct KeyGuard {
    locks: Locks,
    key: String,
    guard: OwnedMutexGuard<()>,
}

impl Locks {
    pub(super) async fn lock(&self, key: &str) -> KeyGuard {
        let slot = Arc::clone(
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key.to_owned())
                .or_default(),
        );
        KeyGuard {
            locks: self.clone(),
            key: key.to_owned(),
            guard: slot.lock_owned().await,
        }
    }
}

impl Drop for KeyGuard {
    fn drop(&mut self) {
        let mut map = self.locks.0.lock().unwrap_or_else(PoisonError::into_inner);
        // The map and this guard: nobody else holds or awaits the lock. New waiters clone the slot
        // under the map's mutex, which we hold, so none can appear meanwhile.
        if Arc::strong_count(OwnedMutexGuard::mutex(&self.guard)) == 2 {
            map.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_held_by_one_at_a_time_and_forgotten_when_free() {
        let locks = Locks::default();
        let first = locks.lock("a").await;
        let other = locks.lock("b").await;
        let waiter = tokio::spawn({
            let locks = locks.clone();
            async move { drop(locks.lock("a").await) }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(first);
        waiter.await.unwrap();
        drop(other);
        assert!(locks.0.lock().unwrap().is_empty());
    }
}
