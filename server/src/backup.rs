//! Backups of a data directory while its server serves, and their restoration.
//!
//! A backup is one tar file holding `relais.db`, a copy of the database made by SQLite's
//! `VACUUM INTO` (one read transaction, so a consistent snapshot even while the server writes,
//! compacted, without the WAL), and `photos/<sha256>.jpg`, every photo that snapshot indexes.
//! Photos are content-addressed, immutable and never deleted, and a photo's file is in place
//! before its row is committed: every photo the snapshot names is on disk, and the ones that
//! arrive after the snapshot are left out with their rows. Partial uploads are not kept: their
//! rows stay, and a client whose partial file is missing starts that photo over (see
//! `photos`). The archive is written beside its destination and renamed into place, so a
//! failed backup never leaves a truncated file under the name asked for; it is readable by its
//! owner only, as the data directory is.
//!
//! On PostgreSQL (`--database`), the archive holds `relais.pgdump` instead of `relais.db`: the
//! database dumped by `pg_dump` from one snapshot, the same snapshot that lists the photos to
//! carry (see `relais_server_postgres::dump`).
//!
//! Restoring refuses a directory that a server serves (its lock, see `lock`) or that already
//! holds a database or photos, and on PostgreSQL a database that holds tables; it accepts only
//! the names above, checks every photo against its name and the database's integrity (SQLite's
//! check, or `pg_restore` in one transaction), and moves the photos into place only when all
//! is well. The restored database gets a new epoch in every town: its history went back to the
//! backup's, so every device's pull cursor is answered with a reset, and the devices send again
//! what the server acknowledged since (see the core's sync).

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use crate::lock::DataLock;

/// The database's name, in the data directory and in the archive.
const DATABASE: &str = "relais.db";
/// A PostgreSQL database's dump, in the archive.
const DUMP: &str = "relais.pgdump";
/// The folder of finished photos, in the data directory and in the archive.
const PHOTOS: &str = "photos";

/// What a backup or a restoration held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contents {
    pub database_bytes: u64,
    pub photos: usize,
}

/// Writes a backup of the data directory `data_dir` to `out`, with its photos when they are
/// kept there (`with_photos`; a bucket's photos are saved with the bucket's own tools).
///
/// # Errors
/// There is no database in `data_dir`, a photo the database indexes is missing, or a file
/// cannot be read or written.
pub fn backup(data_dir: &Path, out: &Path, with_photos: bool) -> anyhow::Result<Contents> {
    let database = data_dir.join(DATABASE);
    ensure!(
        database.is_file(),
        "there is no database in {} (no {DATABASE})",
        data_dir.display()
    );
    let staging = Staging::beside(out)?;
    let snapshot = staging.path.join(DATABASE);
    let source = Connection::open_with_flags(
        &database,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("could not open {}", database.display()))?;
    source.busy_timeout(std::time::Duration::from_secs(30))?;
    source
        .execute("VACUUM INTO ?1", [path_text(&snapshot)?])
        .context("could not copy the database (VACUUM INTO)")?;
    drop(source);
    let photos = if with_photos {
        indexed_photos(&snapshot)?
    } else {
        Vec::new()
    };
    archive(&staging, &snapshot, DATABASE, data_dir, &photos, out)
}

/// Writes a backup of the PostgreSQL database `url` names to `out` (with `pg_dump` from
/// `tools`, else the `PATH`'s), with the photos of `data_dir` when they are kept there.
///
/// # Errors
/// The database cannot be dumped, a photo it indexes is missing from `data_dir`, or a file
/// cannot be written.
pub async fn backup_postgres(
    url: &str,
    tools: Option<&Path>,
    data_dir: &Path,
    out: &Path,
    with_photos: bool,
) -> anyhow::Result<Contents> {
    let staging = Staging::beside(out)?;
    let dump = staging.path.join(DUMP);
    let mut photos = relais_server_postgres::dump::dump(url, &dump, tools)
        .await
        .context("could not dump the PostgreSQL database")?;
    if !with_photos {
        photos.clear();
    }
    check_photo_names(&photos)?;
    let (data_dir, out) = (data_dir.to_owned(), out.to_owned());
    tokio::task::spawn_blocking(move || archive(&staging, &dump, DUMP, &data_dir, &photos, &out))
        .await?
}

/// Writes the archive of `database` (named `name` in it) and of the `photos` of `data_dir` in
/// `staging`, then moves it to `out`.
fn archive(
    staging: &Staging,
    database: &Path,
    name: &str,
    data_dir: &Path,
    photos: &[String],
    out: &Path,
) -> anyhow::Result<Contents> {
    let partial = staging.path.join("backup.tar");
    let mut archive = tar::Builder::new(private_file(&partial)?);
    archive.mode(tar::HeaderMode::Deterministic);
    archive
        .append_path_with_name(database, name)
        .context("could not archive the database")?;
    for sha256 in photos {
        let name = format!("{PHOTOS}/{sha256}.jpg");
        archive
            .append_path_with_name(data_dir.join(&name), &name)
            .with_context(|| format!("could not archive the indexed photo {name}"))?;
    }
    let file = archive.into_inner()?;
    file.sync_all()?;
    fs::rename(&partial, out).with_context(|| format!("could not write {}", out.display()))?;
    sync_parent(out)?;
    Ok(Contents {
        database_bytes: fs::metadata(database)?.len(),
        photos: photos.len(),
    })
}

/// Restores the backup `from` into `data_dir`, which no server may be serving and which must
/// hold no database or photos yet (created if missing).
///
/// # Errors
/// The directory is in use or not empty, the archive holds something else than a backup of a
/// SQLite database, a photo does not match its name, or the database fails its integrity check.
pub fn restore(from: &Path, data_dir: &Path) -> anyhow::Result<Contents> {
    let unpacked = Unpacked::new(from, data_dir, DATABASE)?;
    let database = data_dir.join(DATABASE);
    check_integrity(&unpacked.staging.path.join(DATABASE))?;
    renew_epochs(&unpacked.staging.path.join(DATABASE))?;
    fs::rename(unpacked.staging.path.join(DATABASE), &database)?;
    unpacked.photos_into_place()
}

/// Restores the backup `from` of a PostgreSQL database into the empty database `url` names
/// (with `pg_restore` from `tools`, else the `PATH`'s), and its photos into `data_dir`, which
/// no server may be serving and which must hold no photos yet.
///
/// # Errors
/// As [`restore`], and the database holds tables already or `pg_restore` fails.
pub async fn restore_postgres(
    from: &Path,
    url: &str,
    tools: Option<&Path>,
    data_dir: &Path,
) -> anyhow::Result<Contents> {
    let (from_, data_dir_) = (from.to_owned(), data_dir.to_owned());
    let unpacked =
        tokio::task::spawn_blocking(move || Unpacked::new(&from_, &data_dir_, DUMP)).await??;
    relais_server_postgres::dump::restore(url, &unpacked.staging.path.join(DUMP), tools)
        .await
        .context("could not restore the PostgreSQL database")?;
    unpacked.photos_into_place()
}

/// A backup archive checked and unpacked beside the data directory it is restored into, which
/// stays locked meanwhile.
struct Unpacked {
    staging: Staging,
    contents: Contents,
    data_dir: PathBuf,
    _lock: DataLock,
}

impl Unpacked {
    /// Unpacks `from`, whose database must be named `database` ([`DATABASE`] or [`DUMP`]), for
    /// `data_dir`, refusing a directory in use or holding data.
    fn new(from: &Path, data_dir: &Path, database: &str) -> anyhow::Result<Self> {
        crate::launch::create_data_dir(data_dir)?;
        let lock = DataLock::acquire(data_dir)?;
        if data_dir.join(DATABASE).exists() || is_non_empty_dir(&data_dir.join(PHOTOS))? {
            bail!(
                "{} already holds a database or photos: restore into a new directory (or move \
                 this one's {DATABASE} and {PHOTOS}/ aside first)",
                data_dir.display()
            );
        }
        let file = File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
        let staging = Staging::beside(&data_dir.join("restore"))?;
        fs::create_dir(staging.path.join(PHOTOS))?;
        let mut contents = Contents {
            database_bytes: 0,
            photos: 0,
        };
        let mut archive = tar::Archive::new(file);
        for entry in archive
            .entries()
            .with_context(|| format!("{} is not a backup archive", from.display()))?
        {
            let mut entry = entry.context("the backup archive is damaged")?;
            let name = entry.path()?.to_string_lossy().into_owned();
            if name == database {
                let mut file = private_file(&staging.path.join(database))?;
                contents.database_bytes =
                    io::copy(&mut entry, &mut file).context("the backup archive is damaged")?;
                file.sync_all()?;
            } else if name == DATABASE || name == DUMP {
                bail!(
                    "{} is the backup of a {} database: restore it {}",
                    from.display(),
                    if name == DUMP { "PostgreSQL" } else { "SQLite" },
                    if name == DUMP {
                        "with --database naming an empty PostgreSQL database"
                    } else {
                        "without --database"
                    }
                );
            } else if let Some(sha256) = photo_name(&name) {
                ensure!(
                    entry.size() <= relais_protocol::upload::MAX_PHOTO_BYTES,
                    "the photo {name} in the backup is larger than any photo the server keeps"
                );
                let mut bytes = Vec::new();
                entry
                    .read_to_end(&mut bytes)
                    .context("the backup archive is damaged")?;
                ensure!(
                    hex::encode(Sha256::digest(&bytes)) == sha256,
                    "the photo {name} in the backup does not match its name: the archive is \
                     damaged"
                );
                write_private(&staging.path.join(&name), &bytes)?;
                contents.photos += 1;
            } else {
                bail!("the backup holds {name:?}, which is not part of a Relais backup");
            }
        }
        ensure!(
            contents.database_bytes > 0,
            "{} holds no {database}: not a Relais backup",
            from.display()
        );
        Ok(Self {
            staging,
            contents,
            data_dir: data_dir.to_owned(),
            _lock: lock,
        })
    }

    /// Moves the photos into the data directory, once the database is in place.
    fn photos_into_place(self) -> anyhow::Result<Contents> {
        let photos = self.data_dir.join(PHOTOS);
        if photos.exists() {
            fs::remove_dir(&photos)?;
        }
        fs::rename(self.staging.path.join(PHOTOS), &photos)?;
        sync_parent(&photos)?;
        Ok(self.contents)
    }
}

/// The photos a database indexes.
fn indexed_photos(database: &Path) -> anyhow::Result<Vec<String>> {
    let conn = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare("SELECT sha256 FROM photos ORDER BY sha256")?;
    let names = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    check_photo_names(&names)?;
    Ok(names)
}

/// Refuses a database that indexes a photo under a name that is not a photo's.
fn check_photo_names(names: &[String]) -> anyhow::Result<()> {
    for name in names {
        ensure!(
            photo_name(&format!("{PHOTOS}/{name}.jpg")).is_some(),
            "the database indexes a photo named {name:?}, which is not a photo's name"
        );
    }
    Ok(())
}

/// Gives every town of `database` a new epoch (the form the seeding gives: 8 random bytes in
/// lowercase hex), so that no device's cursor of the history it followed is taken as a place in
/// the restored one.
fn renew_epochs(database: &Path) -> anyhow::Result<()> {
    let conn = Connection::open(database).context("the backup's database cannot be opened")?;
    conn.execute("UPDATE tenants SET epoch = lower(hex(randomblob(8)))", [])
        .context("the backup's towns cannot be given a new epoch")?;
    Ok(())
}

fn check_integrity(database: &Path) -> anyhow::Result<()> {
    let conn = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .context("the backup's database cannot be opened")?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .context("the backup's database is not a database")?;
    ensure!(
        verdict == "ok",
        "the backup's database fails its integrity check: {verdict}"
    );
    Ok(())
}

/// The SHA-256 of an archive name `photos/<64 lowercase hex>.jpg`.
fn photo_name(name: &str) -> Option<&str> {
    let sha256 = name.strip_prefix("photos/")?.strip_suffix(".jpg")?;
    (sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    .then_some(sha256)
}

fn is_non_empty_dir(dir: &Path) -> io::Result<bool> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn path_text(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not a UTF-8 path", path.display()))
}

/// Creates `path` readable and writable by its owner only.
fn private_file(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = private_file(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => Ok(()),
    }
}

/// A private working directory beside a destination (same file system, so a rename moves its
/// files into place), removed with whatever it still holds when dropped.
struct Staging {
    path: PathBuf,
}

impl Staging {
    fn beside(destination: &Path) -> anyhow::Result<Self> {
        let name = destination
            .file_name()
            .with_context(|| format!("{} names no file", destination.display()))?;
        let parent = destination
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut staging = name.to_owned();
        staging.push(format!(".partial-{}", std::process::id()));
        let path = parent.join(staging);
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&path)
            .with_context(|| format!("could not create {}", path.display()))?;
        Ok(Self { path })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_photo_names_are_taken_from_an_archive() {
        let sha = "a".repeat(64);
        assert_eq!(photo_name(&format!("photos/{sha}.jpg")), Some(sha.as_str()));
        assert_eq!(photo_name(&format!("photos/../{sha}.jpg")), None);
        assert_eq!(photo_name("photos/x.jpg"), None);
        assert_eq!(photo_name(&format!("photos/{}.jpg", "A".repeat(64))), None);
    }

    #[test]
    fn a_foreign_archive_is_refused_and_leaves_the_directory_empty() {
        let dir = tempfile::TempDir::new().unwrap();
        let archive = dir.path().join("foreign.tar");
        let mut builder = tar::Builder::new(File::create(&archive).unwrap());
        let mut header = tar::Header::new_gnu();
        header.set_size(3);
        header.set_cksum();
        builder
            .append_data(&mut header, "etc/passwd", &b"bad"[..])
            .unwrap();
        builder.finish().unwrap();
        drop(builder);
        let data = dir.path().join("data");
        let error = restore(&archive, &data).unwrap_err().to_string();
        assert!(error.contains("not part of a Relais backup"), "{error}");
        assert!(!data.join(DATABASE).exists());
        assert!(!is_non_empty_dir(&data.join(PHOTOS)).unwrap());
    }
}
