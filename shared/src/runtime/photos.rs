//! Runs photo operations: the pipeline ([`crate::photo`]) on a blocking thread, and the app's
//! photo store, a folder of JPEG files named by their SHA-256.

use std::{
    fs,
    io::{Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use relais_protocol::LocalizedText;

use super::{Job, http::Executor};
use crate::{
    effects::photo::{PhotoOp, PhotoOutput, PhotoResult},
    i18n::Lang,
    photo::{self, Limits},
};

/// The folder of processed photos, inside the app's data directory.
pub struct PhotoStore {
    dir: PathBuf,
}

impl PhotoStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("photos"),
        }
    }

    pub fn submit(&self, executor: &Executor, job: Job<PhotoOp>) {
        let dir = self.dir.clone();
        executor.spawn_blocking(move || {
            let result = run(&dir, job.operation());
            job.resolve(result);
        });
    }
}

/// Runs one operation on the photo store in `dir` (also used by the core's tests).
pub(crate) fn run(dir: &Path, op: &PhotoOp) -> PhotoResult {
    match op {
        PhotoOp::Import { path } => import(dir, Path::new(path)),
        PhotoOp::ReadChunk {
            sha256,
            offset,
            len,
        } => {
            let path = dir.join(format!("{sha256}.jpg"));
            read_chunk(&path, *offset, *len).map_err(|e| io_problem(&path, &e))
        }
        PhotoOp::Save { path, bytes } => fs::write(path, bytes)
            .map(|()| PhotoOutput::Saved)
            .map_err(|e| io_problem(Path::new(path), &e)),
    }
}

fn import(dir: &Path, path: &Path) -> PhotoResult {
    let limits = Limits::default();
    let size = fs::metadata(path).map_err(|e| io_problem(path, &e))?.len();
    if size > limits.max_input_bytes as u64 {
        let e = photo::PhotoError::TooManyBytes {
            max: limits.max_input_bytes,
        };
        return Err(both(|lang| e.message(lang)));
    }
    let input = fs::read(path).map_err(|e| io_problem(path, &e))?;
    let processed = photo::process(&input, &limits).map_err(|e| both(|lang| e.message(lang)))?;
    let target = dir.join(format!("{}.jpg", processed.sha256));
    if !target.exists() {
        write_atomically(dir, &target, &processed.jpeg).map_err(|e| io_problem(&target, &e))?;
    }
    Ok(PhotoOutput::Imported {
        sha256: processed.sha256,
        gps: processed.gps,
    })
}

/// Writes to a temporary file, syncs it, then renames it into place: a crash never leaves a
/// half-written photo under its final name.
fn write_atomically(dir: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let temporary = target.with_extension("part");
    let mut file = fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&temporary, target)?;
    fs::File::open(dir)?.sync_all()
}

fn read_chunk(path: &Path, offset: u64, len: u64) -> std::io::Result<PhotoOutput> {
    let mut file = fs::File::open(path)?;
    let total = file.metadata()?.len();
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::new();
    file.take(len).read_to_end(&mut bytes)?;
    Ok(PhotoOutput::Chunk { bytes, total })
}

fn both(message: impl Fn(Lang) -> String) -> LocalizedText {
    LocalizedText::new(message(Lang::Fr), message(Lang::En))
}

fn io_problem(path: &Path, error: &std::io::Error) -> LocalizedText {
    LocalizedText::new(
        format!(
            "Lecture ou écriture impossible de {} : {error}",
            path.display()
        ),
        format!("Cannot read or write {}: {error}", path.display()),
    )
}
