//! One serving server per data directory. Two servers on the same SQLite file would each hold
//! the towns in memory and each run the expiry, and their photo uploads would race on the same
//! partial files: the second one is refused at start, with the reason. The administration
//! commands open the same database while the server serves (SQLite serialises their writes), so
//! they do not take the lock.
//!
//! The lock is advisory (`flock` on `DIR/server.lock`), released by the kernel when the process
//! ends, however it ends: a killed server leaves no stale lock behind.
//!
//! A child process shares its parent's descriptors from the moment it is forked until it
//! executes its program, when they close: a lock released a moment ago may still be held, for
//! that moment, by a `pg_dump` another thread of the same process was starting (the whole-system
//! simulation runs seeds side by side, each restarting its server and backing it up). A refusal
//! is therefore tried again for [`GRACE`] before it is final.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// How long a lock held by someone else is waited for before the start is refused.
const GRACE: Duration = Duration::from_secs(2);

/// How often the lock is tried again meanwhile.
const RETRY: Duration = Duration::from_millis(10);

/// The lock file, held for as long as the server serves.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

impl DataLock {
    /// Takes the lock of `data_dir`, or says which server holds it (after waiting [`GRACE`] for
    /// it to be released).
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
        let deadline = Instant::now() + GRACE;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file }),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(RETRY);
                }
                Err(TryLockError::WouldBlock) => bail!(
                    "another relais-server already serves the data directory {} (it holds {}): \
                     stop it first, or give this one another --data",
                    data_dir.display(),
                    path.display()
                ),
                Err(TryLockError::Error(error)) => {
                    return Err(error)
                        .with_context(|| format!("could not lock {}", path.display()));
                }
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

    #[test]
    fn a_lock_released_within_the_grace_is_taken() {
        let dir = tempfile::TempDir::new().unwrap();
        let first = DataLock::acquire(dir.path()).unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(GRACE / 4);
            drop(first);
        });
        DataLock::acquire(dir.path()).unwrap();
        release.join().unwrap();
    }
}
