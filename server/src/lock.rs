//! One serving server per data directory. Two servers on the same SQLite file would each hold
//! the towns in memory and each run the expiry, and their photo uploads would race on the same
//! partial files: the second one is refused at start, with the reason. The administration
//! commands open the same database while the server serves (SQLite serialises their writes), so
//! they do not take the lock.
//!
//! The lock is advisory (`flock` on `DIR/server.lock`), released by the kernel when the process
//! ends, however it ends: a killed server leaves no stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use anyhow::{Context, bail};

/// The lock file, held for as long as the server serves.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

impl DataLock {
    /// Takes the lock of `data_dir`, or says which server holds it.
    ///
    /// # Errors
    /// Another process holds the lock, or the lock file cannot be opened.
    pub fn acquire(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join("server.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("could not open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => bail!(
                "another relais-server already serves the data directory {} (it holds {}): stop \
                 it first, or give this one another --data",
                data_dir.display(),
                path.display()
            ),
            Err(TryLockError::Error(error)) => {
                Err(error).with_context(|| format!("could not lock {}", path.display()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_server_on_the_same_directory_is_refused_until_the_first_stops() {
        let dir = tempfile::TempDir::new().unwrap();
        let first = DataLock::acquire(dir.path()).unwrap();
        let refused = DataLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(refused.contains("already serves"), "{refused}");
        drop(first);
        DataLock::acquire(dir.path()).unwrap();
    }
}
