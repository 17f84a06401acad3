//! The photo step of a sync: after the push (the server accepts a report before its photos),
//! send the photos of this device's accepted reports that the server does not have yet.
//!
//! Per photo: ask how much the server holds; if not all, send the rest in chunks of at most
//! [`MAX_CHUNK_BYTES`], each with its offset and checksum. A cut connection costs at most the
//! chunk in flight: the next sync resumes from what the server holds. A photo the server already
//! has (content addressing) is never sent again.

use std::collections::BTreeSet;

use crux_core::{Command, render::render};
use relais_protocol::upload::{MAX_CHUNK_BYTES, UploadStatus};

use super::{Event, Failure, Model, SyncState, sync::SyncStep};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure},
        photo::{self, PhotoOp, PhotoOutput, PhotoResult},
        store::{self, StoreError, StoreOp},
    },
    i18n::Message,
};

#[derive(Debug)]
pub enum UploadEvent {
    /// The server said how much of `sha256` it holds.
    Status {
        sha256: String,
        result: Result<UploadStatus, ApiFailure>,
    },
    /// The photo store gave the next chunk.
    Read {
        sha256: String,
        offset: u64,
        result: PhotoResult,
    },
    /// The server took (or refused) a chunk.
    Sent {
        sha256: String,
        result: Result<UploadStatus, ApiFailure>,
    },
    /// The photo is recorded as uploaded.
    Recorded {
        sha256: String,
        result: Result<(), StoreError>,
    },
}

/// Photos of this device's reports that the server has accepted but does not have yet.
pub fn pending(model: &Model) -> BTreeSet<String> {
    model
        .reports
        .values()
        .filter(|r| {
            r.mine && r.refusal.is_none() && r.status != relais_protocol::ReportStatus::Queued
        })
        .flat_map(|r| r.photos.iter())
        .filter(|sha| !model.uploaded.contains(*sha))
        .cloned()
        .collect()
}

/// Starts on the next photo to send, or returns `None` when there is none left for this run.
pub fn next(model: &mut Model) -> Option<Command<Effect, Event>> {
    let sha256 = pending(model)
        .into_iter()
        .find(|sha| !skipped(model, sha))?;
    let (Some(registration), SyncState::Running(run)) = (&model.registration, &mut model.sync)
    else {
        return None;
    };
    run.step = SyncStep::UploadingPhotos;
    let status = api::upload_status(registration, &sha256)
        .then_send(move |result| Event::Upload(UploadEvent::Status { sha256, result }));
    Some(Command::all([status, render()]))
}

fn skipped(model: &Model, sha: &str) -> bool {
    matches!(&model.sync, SyncState::Running(run) if run.skipped_photos.contains(sha))
}

/// Handles one step of a photo's upload; `Err` carries a failure that stops the sync.
pub fn update(event: UploadEvent, model: &mut Model) -> Result<Command<Effect, Event>, Failure> {
    match event {
        UploadEvent::Status {
            sha256,
            result: Ok(status),
        }
        | UploadEvent::Sent {
            sha256,
            result: Ok(status),
        } => Ok(if status.complete {
            record(sha256)
        } else {
            read(sha256, status.offset)
        }),
        UploadEvent::Sent {
            sha256,
            result: Err(ApiFailure::OffsetMismatch { expected_offset }),
        } => Ok(read(sha256, expected_offset)),
        UploadEvent::Status {
            result: Err(failure @ (ApiFailure::Unreachable(_) | ApiFailure::Unauthorized)),
            ..
        }
        | UploadEvent::Sent {
            result: Err(failure @ (ApiFailure::Unreachable(_) | ApiFailure::Unauthorized)),
            ..
        } => Err(Failure::from(failure)),
        // Anything else (a refused chunk, a photo the server rejects) skips this photo for this
        // run; the next sync tries again from what the server holds.
        UploadEvent::Status {
            sha256,
            result: Err(_),
        }
        | UploadEvent::Sent {
            sha256,
            result: Err(_),
        } => {
            skip(model, sha256);
            Ok(continue_sync(model))
        }
        UploadEvent::Read {
            sha256,
            offset,
            result: Ok(PhotoOutput::Chunk { bytes, total }),
        } => {
            let Some(registration) = &model.registration else {
                unreachable!("uploads run only during a sync of a registered device");
            };
            Ok(
                api::upload_chunk(registration, &sha256, offset, total, bytes)
                    .then_send(move |result| Event::Upload(UploadEvent::Sent { sha256, result })),
            )
        }
        UploadEvent::Read { sha256, result, .. } => {
            if let Err(text) = result {
                model.notice = Some(Message::Localized(text));
            }
            skip(model, sha256);
            Ok(continue_sync(model))
        }
        UploadEvent::Recorded {
            sha256,
            result: Ok(()),
        } => {
            model.uploaded.insert(sha256);
            if let SyncState::Running(run) = &mut model.sync {
                run.summary.photos += 1;
            }
            Ok(continue_sync(model))
        }
        UploadEvent::Recorded { result: Err(e), .. } => {
            Err(Failure::Failed(Message::StorageFailed(e.0)))
        }
    }
}

fn read(sha256: String, offset: u64) -> Command<Effect, Event> {
    photo::run(PhotoOp::ReadChunk {
        sha256: sha256.clone(),
        offset,
        len: MAX_CHUNK_BYTES as u64,
    })
    .then_send(move |result| {
        Event::Upload(UploadEvent::Read {
            sha256,
            offset,
            result,
        })
    })
}

fn record(sha256: String) -> Command<Effect, Event> {
    store::write(StoreOp::MarkUploaded(sha256.clone()))
        .then_send(move |result| Event::Upload(UploadEvent::Recorded { sha256, result }))
}

fn skip(model: &mut Model, sha256: String) {
    if let SyncState::Running(run) = &mut model.sync {
        run.skipped_photos.insert(sha256);
    }
}

/// The next photo, or the rest of the sync.
fn continue_sync(model: &mut Model) -> Command<Effect, Event> {
    next(model).unwrap_or_else(|| super::sync::after_uploads(model))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use rand::{Rng, SeedableRng, rngs::StdRng};
    use relais_protocol::upload::MAX_CHUNK_BYTES;

    use super::super::testing::{Filing, Harness, ServerOracle, connection_refused};
    use crate::model::Intent;

    /// A noisy picture: it compresses badly, so its JPEG spans several upload chunks.
    fn noisy_png(dir: &Path, name: &str, seed: u64) -> PathBuf {
        let mut rng = StdRng::seed_from_u64(seed);
        let image = image::RgbImage::from_fn(1200, 900, |_, _| {
            image::Rgb([rng.random(), rng.random(), rng.random()])
        });
        let path = dir.join(name);
        image.save(&path).unwrap();
        path
    }

    fn file_with_photos(h: &mut Harness, photos: &[PathBuf]) -> uuid::Uuid {
        h.send_report(Filing {
            photos: photos
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect(),
            ..Filing::default()
        });
        h.saved_id()
    }

    /// Syncs until nothing is left to send, answering each request with `answer`.
    fn sync_until_done(
        h: &mut Harness,
        server: &mut ServerOracle,
        mut answer: impl FnMut(
            &mut ServerOracle,
            &crux_http::protocol::HttpRequest,
        ) -> crux_http::protocol::HttpResult,
    ) {
        for _ in 0..200 {
            h.send(Intent::Sync);
            while h.has_http() {
                let request = h.take_http();
                let result = answer(server, &request.operation);
                h.respond(request, result);
            }
            if h.view().outbox.is_empty() && super::pending(&h.model).is_empty() {
                return;
            }
        }
        panic!("the photos never finished uploading");
    }

    #[test]
    fn photos_follow_their_report_exactly_and_resume_after_cuts() {
        let pictures = tempfile::tempdir().unwrap();
        let inputs = [
            noisy_png(pictures.path(), "a.png", 1),
            noisy_png(pictures.path(), "b.png", 2),
        ];
        for seed in 0..6 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut server = ServerOracle::default();
            let mut h = Harness::registered(&mut server);
            let id = file_with_photos(&mut h, &inputs);
            let report = h
                .view()
                .reports
                .into_iter()
                .find(|r| r.id == id.to_string())
                .unwrap();
            assert_eq!(report.photos.len(), 2);
            assert_eq!(report.photos_sent, 0);
            let mut cuts = 0;
            sync_until_done(&mut h, &mut server, |server, request| {
                let upload = request.method == "PATCH";
                match rng.random_range(0..10) {
                    0..=2 if upload => {
                        cuts += 1;
                        connection_refused() // cut before the chunk arrived
                    }
                    3..=4 if upload => {
                        cuts += 1;
                        let _ = server.handle(request); // cut after the chunk arrived
                        connection_refused()
                    }
                    _ => server.handle(request),
                }
            });
            let mut total = 0;
            for sha in &report.photos {
                let local = std::fs::read(h.photo_path(sha)).unwrap();
                assert_eq!(server.photos[sha], local, "seed {seed}: exact bytes");
                total += local.len();
            }
            assert!(
                total > MAX_CHUNK_BYTES,
                "the photos span several chunks ({total} bytes)"
            );
            assert!(
                server.uploaded_bytes <= total + cuts * MAX_CHUNK_BYTES,
                "seed {seed}: {} bytes sent for {total} with {cuts} cuts",
                server.uploaded_bytes
            );
            let report = h
                .view()
                .reports
                .into_iter()
                .find(|r| r.id == id.to_string())
                .unwrap();
            assert_eq!(report.photos_sent, 2);
        }
    }

    #[test]
    fn a_photo_the_server_has_is_not_sent_again_and_no_metadata_leaves_the_device() {
        let pictures = tempfile::tempdir().unwrap();
        let input = noisy_png(pictures.path(), "a.png", 3);
        let mut server = ServerOracle::default();
        let mut first = Harness::registered(&mut server);
        file_with_photos(&mut first, std::slice::from_ref(&input));
        sync_until_done(&mut first, &mut server, ServerOracle::handle);
        let sent = server.uploaded_bytes;
        let mut second = Harness::registered(&mut server);
        file_with_photos(&mut second, &[input]);
        sync_until_done(&mut second, &mut server, ServerOracle::handle);
        assert_eq!(
            server.uploaded_bytes, sent,
            "content addressing: nothing sent twice"
        );
        for bytes in server.photos.values() {
            assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
            assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF block");
        }
    }

    #[test]
    fn a_picture_that_is_not_one_is_refused_before_anything_is_saved() {
        let pictures = tempfile::tempdir().unwrap();
        let fake = pictures.path().join("fake.jpg");
        std::fs::write(&fake, b"not a picture at all").unwrap();
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let action = h.send_report(Filing {
            photos: vec![fake.to_string_lossy().into_owned()],
            ..Filing::default()
        });
        assert!(
            matches!(action, crate::view::ActionView::Failed { .. }),
            "{action:?}"
        );
        assert!(h.view().outbox.is_empty());
    }
}
