//! The photo step of a sync: after the push (the server accepts a report before its photos),
//! send the photos of this device's accepted mutations (reports, resolutions on site) that the
//! server does not have yet, [`PARALLEL`] requests at a time.
//!
//! A photo never attempted goes up whole in a *bundle*: up to [`BUNDLE_PHOTOS`] photos and
//! [`MAX_CHUNK_BYTES`] in one request, each stored or refused on its own, recorded on the device
//! in one store write. No round trip asks first: a photo the server has already is simply
//! answered stored. A photo too large for a bundle, a photo attempted before, and every photo
//! when the server takes no bundles (an older server answers `404`) go up *alone*, by
//! resumable chunks: a photo attempted before asks how much the server holds, then sends the
//! rest; one never attempted is sent from offset 0 and, if the server holds part of it after
//! all (a cut the device did not record), resumes from the offset of its `409
//! offset_mismatch`. Each chunk carries its offset and checksum, so a cut connection costs at
//! most the chunks in flight; a photo the server already has whole is never sent again.

use std::collections::{BTreeMap, BTreeSet};

use crux_core::{Command, command::CommandContext};
use relais_protocol::{
    LocalizedText, MutationOp,
    upload::{MAX_BUNDLE_PHOTOS, MAX_CHUNK_BYTES, MAX_PHOTO_BYTES},
};

use super::{Event, Failure, Model, Registration, SyncState, outbox::photos_of, sync};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure},
        photo::{self, PhotoOp, PhotoOutput},
        store::{self, StoreError, StoreOp},
    },
    i18n::Message,
    store::UploadState,
};

/// How many requests carry photos at once: enough to keep the server's group commit and the
/// device's own (each finished request is one store write) sharing their `fsync`s, few enough
/// for a phone's uplink.
pub const PARALLEL: usize = 6;

/// Most photos in one bundle: the protocol's limit.
pub const BUNDLE_PHOTOS: usize = MAX_BUNDLE_PHOTOS;

/// The photos of one sync run: those on their way, those that failed for this run, those that
/// go alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uploads {
    in_flight: BTreeSet<String>,
    skipped: BTreeSet<String>,
    /// Too large for a bundle: sent alone, by chunks.
    alone: BTreeSet<String>,
    /// Requests on their way (a bundle, or one photo's chunks).
    sends: usize,
    /// The server answered a bundle `404` (an older server): every photo goes alone.
    no_bundles: bool,
}

#[derive(Debug)]
pub enum UploadEvent {
    /// A send (a bundle, or one photo alone) ended; `run` is the sync run that started it.
    Finished {
        run: u64,
        outcomes: Vec<(String, Outcome)>,
    },
}

/// How a photo's upload ended.
#[derive(Debug)]
pub enum Outcome {
    /// The server has it whole, and the store recorded so.
    Sent,
    /// Not this time (a chunk refused, the photo unreadable or refused): the next sync tries
    /// again.
    Skipped(Option<LocalizedText>),
    /// Too large for a bundle: it goes alone.
    Alone,
    /// It did not fit in this bundle beside the others: the next bundle takes it.
    Later,
    /// The server takes no bundles: this photo and every other go alone.
    NoBundles,
    /// The server could not be reached or refused the device: the sync stops.
    Failed(ApiFailure),
    /// The store could not record that it was sent: the sync stops.
    NotRecorded(StoreError),
}

/// A mutation listing photos was queued: they wait for it to be accepted (mirrors the store).
pub fn wait_for(model: &mut Model, op: &MutationOp) {
    for sha in photos_of(op) {
        model
            .uploads
            .entry(sha.clone())
            .or_insert(UploadState::Waiting);
    }
}

/// The server answered a mutation listing photos: accepted, they may go; refused, they will not
/// be needed (mirrors the store).
pub fn answered(model: &mut Model, op: &MutationOp, accepted: bool) {
    for sha in photos_of(op) {
        match model.uploads.get(sha) {
            Some(UploadState::Waiting) if !accepted => {
                model.uploads.remove(sha);
            }
            Some(UploadState::Waiting) | None if accepted => {
                model.uploads.insert(sha.clone(), UploadState::Ready);
            }
            _ => {}
        }
    }
}

/// Photos to send now: their mutation was accepted.
pub fn pending(model: &Model) -> impl Iterator<Item = (&String, UploadState)> {
    model
        .uploads
        .iter()
        .filter(|(_, state)| **state != UploadState::Waiting)
        .map(|(sha, state)| (sha, *state))
}

/// One request's worth of photos.
enum Send {
    /// Never attempted, small as far as the device knows: whole, with others.
    Bundle(Vec<String>),
    /// By resumable chunks.
    Alone(String, UploadState),
}

/// Starts sends until [`PARALLEL`] are on their way; `None` when none is on its way and no
/// photo is left for this run.
pub fn start_more(model: &mut Model) -> Option<Command<Effect, Event>> {
    let SyncState::Running(run) = &model.sync else {
        return None;
    };
    let uploads = &run.uploads;
    let mut free = PARALLEL.saturating_sub(uploads.sends);
    let mut sends = Vec::new();
    let mut bundle = Vec::new();
    let candidates = pending(model)
        .filter(|(sha, _)| !uploads.in_flight.contains(*sha) && !uploads.skipped.contains(*sha));
    for (sha, state) in candidates {
        if free == 0 {
            break;
        }
        if state == UploadState::Started || uploads.no_bundles || uploads.alone.contains(sha) {
            sends.push(Send::Alone(sha.clone(), state));
            free -= 1;
        } else {
            bundle.push(sha.clone());
            if bundle.len() == BUNDLE_PHOTOS {
                sends.push(Send::Bundle(std::mem::take(&mut bundle)));
                free -= 1;
            }
        }
    }
    if !bundle.is_empty() && free > 0 {
        sends.push(Send::Bundle(bundle));
    }
    if sends.is_empty() && uploads.sends == 0 {
        return None;
    }
    let (registration, run_id) = (run.registration.clone(), run.id);
    let SyncState::Running(run) = &mut model.sync else {
        return None;
    };
    run.step = sync::SyncStep::UploadingPhotos;
    run.uploads.sends += sends.len();
    let commands: Vec<Command<Effect, Event>> = sends
        .into_iter()
        .map(|send| {
            match &send {
                Send::Bundle(shas) => run.uploads.in_flight.extend(shas.iter().cloned()),
                Send::Alone(sha, _) => {
                    run.uploads.in_flight.insert(sha.clone());
                }
            }
            start(registration.clone(), run_id, send)
        })
        .collect();
    Some(Command::all(commands))
}

/// One send, as one command.
fn start(registration: Registration, run: u64, send: Send) -> Command<Effect, Event> {
    Command::new(move |ctx| async move {
        let outcomes = match send {
            Send::Bundle(shas) => bundle(&ctx, &registration, shas).await,
            Send::Alone(sha256, state) => {
                let outcome = upload(&ctx, &registration, &sha256, state).await;
                vec![(sha256, outcome)]
            }
        };
        ctx.send_event(Event::Upload(UploadEvent::Finished { run, outcomes }));
    })
}

/// Sends the photos `shas` whole in one request, as many as fit; says what became of each.
async fn bundle(
    ctx: &CommandContext<Effect, Event>,
    registration: &Registration,
    shas: Vec<String>,
) -> Vec<(String, Outcome)> {
    let mut outcomes = Vec::with_capacity(shas.len());
    let (mut listed, mut body): (Vec<(String, usize)>, Vec<u8>) = (Vec::new(), Vec::new());
    let mut shas = shas.into_iter();
    for sha256 in shas.by_ref() {
        let read = photo::run(PhotoOp::ReadChunk {
            sha256: sha256.clone(),
            offset: 0,
            len: MAX_CHUNK_BYTES as u64,
        })
        .into_future(ctx.clone())
        .await;
        match read {
            Ok(PhotoOutput::Chunk { total, .. }) if total > MAX_CHUNK_BYTES as u64 => {
                outcomes.push((sha256, Outcome::Alone));
            }
            Ok(PhotoOutput::Chunk { bytes, .. }) if body.len() + bytes.len() <= MAX_CHUNK_BYTES => {
                listed.push((sha256, bytes.len()));
                body.extend_from_slice(&bytes);
            }
            Ok(PhotoOutput::Chunk { .. }) => {
                outcomes.push((sha256, Outcome::Later));
                break;
            }
            Ok(other) => unreachable!("a chunk read answered {other:?}"),
            Err(problem) => outcomes.push((sha256, Outcome::Skipped(Some(problem)))),
        }
    }
    outcomes.extend(shas.map(|sha256| (sha256, Outcome::Later)));
    if listed.is_empty() {
        return outcomes;
    }
    let answer = api::upload_bundle(registration, &listed, body)
        .into_future(ctx.clone())
        .await;
    let names = listed.into_iter().map(|(sha256, _)| sha256);
    match answer {
        Ok(answer) => {
            let said: BTreeMap<String, _> = answer
                .photos
                .into_iter()
                .map(|photo| (photo.sha256, (photo.stored, photo.refused)))
                .collect();
            let names: Vec<String> = names.collect();
            let stored: Vec<String> = names
                .iter()
                .filter(|sha256| matches!(said.get(*sha256), Some((true, _))))
                .cloned()
                .collect();
            let recorded = if stored.is_empty() {
                Ok(())
            } else {
                store::write(StoreOp::SetUploads {
                    sha256s: stored,
                    state: None,
                })
                .into_future(ctx.clone())
                .await
            };
            outcomes.extend(names.into_iter().map(|sha256| {
                let outcome = match (said.get(&sha256), &recorded) {
                    (Some((true, _)), Ok(())) => Outcome::Sent,
                    (Some((true, _)), Err(e)) => Outcome::NotRecorded(e.clone()),
                    (Some((false, refused)), _) => {
                        Outcome::Skipped(refused.as_ref().map(|reason| reason.message.clone()))
                    }
                    // Not in the answer: not taken this time.
                    (None, _) => Outcome::Skipped(None),
                };
                (sha256, outcome)
            }));
        }
        Err(ApiFailure::NotFound) => outcomes.extend(names.map(|sha| (sha, Outcome::NoBundles))),
        Err(failure) => outcomes.extend(names.map(|sha| (sha, after_failure(failure.clone())))),
    }
    outcomes
}

/// Most exchanges for one photo: every chunk, plus a few offset corrections.
const MAX_EXCHANGES: u64 = MAX_PHOTO_BYTES / MAX_CHUNK_BYTES as u64 + 4;

async fn upload(
    ctx: &CommandContext<Effect, Event>,
    registration: &Registration,
    sha256: &str,
    state: UploadState,
) -> Outcome {
    let mut offset = 0;
    if state == UploadState::Started {
        match api::upload_status(registration, sha256)
            .into_future(ctx.clone())
            .await
        {
            Ok(status) if status.complete => return recorded(ctx, sha256).await,
            Ok(status) => offset = status.offset,
            Err(failure) => return after_failure(failure),
        }
    }
    for _ in 0..MAX_EXCHANGES {
        let chunk = photo::run(PhotoOp::ReadChunk {
            sha256: sha256.to_owned(),
            offset,
            len: MAX_CHUNK_BYTES as u64,
        })
        .into_future(ctx.clone())
        .await;
        let (bytes, total) = match chunk {
            Ok(PhotoOutput::Chunk { bytes, total }) => (bytes, total),
            Ok(other) => unreachable!("a chunk read answered {other:?}"),
            Err(problem) => return Outcome::Skipped(Some(problem)),
        };
        let answer = api::upload_chunk(registration, sha256, offset, total, bytes)
            .into_future(ctx.clone())
            .await;
        match answer {
            Ok(status) if status.complete => return recorded(ctx, sha256).await,
            Ok(status) => offset = status.offset,
            Err(ApiFailure::OffsetMismatch { expected_offset }) => offset = expected_offset,
            Err(failure) => {
                // Attempted: the next sync asks how much the server holds before sending. If
                // this write fails, the next sync sends from 0 and the server says where to
                // resume: nothing is lost either way.
                let _ = store::write(StoreOp::SetUploads {
                    sha256s: vec![sha256.to_owned()],
                    state: Some(UploadState::Started),
                })
                .into_future(ctx.clone())
                .await;
                return after_failure(failure);
            }
        }
    }
    Outcome::Skipped(None)
}

fn after_failure(failure: ApiFailure) -> Outcome {
    match failure {
        ApiFailure::Unreachable(_) | ApiFailure::Unauthorized => Outcome::Failed(failure),
        // A refused chunk, a photo the server rejects: this photo waits for the next sync.
        _ => Outcome::Skipped(None),
    }
}

async fn recorded(ctx: &CommandContext<Effect, Event>, sha256: &str) -> Outcome {
    let write = store::write(StoreOp::SetUploads {
        sha256s: vec![sha256.to_owned()],
        state: None,
    });
    match write.into_future(ctx.clone()).await {
        Ok(()) => Outcome::Sent,
        Err(e) => Outcome::NotRecorded(e),
    }
}

/// A send ended: record what became of its photos, then start the next sends or go on with
/// the sync.
pub fn update(event: UploadEvent, model: &mut Model) -> Command<Effect, Event> {
    let UploadEvent::Finished { run, outcomes } = event;
    for (sha256, outcome) in &outcomes {
        if matches!(outcome, Outcome::Sent) {
            // The store recorded it, whether or not the run that sent it is still going.
            model.uploads.remove(sha256);
        }
    }
    let SyncState::Running(current) = &mut model.sync else {
        return Command::done();
    };
    if current.id != run {
        return Command::done();
    }
    let uploads = &mut current.uploads;
    uploads.sends -= 1;
    let mut stop = None;
    for (sha256, outcome) in outcomes {
        uploads.in_flight.remove(&sha256);
        match outcome {
            Outcome::Sent => current.summary.photos += 1,
            Outcome::Skipped(problem) => {
                uploads.skipped.insert(sha256);
                if let Some(problem) = problem {
                    model.notice = Some(Message::Localized(problem));
                }
            }
            Outcome::Alone => {
                uploads.alone.insert(sha256);
            }
            Outcome::Later => {}
            Outcome::NoBundles => uploads.no_bundles = true,
            Outcome::Failed(failure) => {
                stop.get_or_insert(Failure::from(failure));
            }
            Outcome::NotRecorded(e) => {
                stop.get_or_insert(Failure::Failed(Message::StorageFailed(e.0)));
            }
        }
    }
    if let Some(failure) = stop {
        return sync::stop(model, failure);
    }
    start_more(model).unwrap_or_else(|| sync::after_uploads(model))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use rand::{Rng, SeedableRng, rngs::StdRng};
    use relais_protocol::upload::MAX_CHUNK_BYTES;

    use crate::model::Intent;
    use crate::model::testing::{Filing, Harness, ServerOracle, connection_refused};

    /// A noisy picture: it compresses badly, so its JPEG spans several upload chunks.
    fn noisy_png(dir: &Path, name: &str, seed: u64) -> PathBuf {
        noisy_png_of(dir, name, seed, (1200, 900))
    }

    /// A noisy picture of `width × height` pixels.
    fn noisy_png_of(dir: &Path, name: &str, seed: u64, (width, height): (u32, u32)) -> PathBuf {
        let mut rng = StdRng::seed_from_u64(seed);
        let image = image::RgbImage::from_fn(width, height, |_, _| {
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
            if h.view().outbox.is_empty() && super::pending(&h.model).next().is_none() {
                return;
            }
        }
        panic!("the photos never finished uploading");
    }

    /// Starts a sync and answers its push: the photo step's first requests wait.
    fn start_sync_past_the_push(h: &mut Harness, server: &mut ServerOracle) {
        h.send(Intent::Sync);
        let push = h.take_http();
        let answer = server.handle(&push.operation);
        h.respond(push, answer);
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
            let report = h.report(id);
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
            let report = h.report(id);
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

    #[test]
    fn photos_go_several_at_a_time_and_a_new_one_starts_with_its_first_chunk() {
        let pictures = tempfile::tempdir().unwrap();
        let inputs: Vec<PathBuf> = (0..8)
            .map(|i| noisy_png(pictures.path(), &format!("{i}.png"), 10 + i))
            .collect();
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        // More photos than go at once, over two reports (a report holds at most 5).
        assert!(inputs.len() > super::PARALLEL);
        file_with_photos(&mut h, &inputs[..4]);
        file_with_photos(&mut h, &inputs[4..]);
        start_sync_past_the_push(&mut h, &mut server);
        let waiting = h.waiting();
        assert_eq!(waiting.len(), super::PARALLEL, "{waiting:?}");
        assert!(
            waiting.iter().all(|r| r.starts_with("PATCH ")),
            "no round trip to ask first: {waiting:?}"
        );
        // A cut on one of them: the others go on, the sync stops, the next one resumes.
        let cut = h.take_http();
        h.respond(cut, connection_refused());
        h.serve_all(&mut server);
        assert!(matches!(
            h.view().sync,
            crate::view::SyncView::Unreachable { .. }
        ));
        sync_until_done(&mut h, &mut server, ServerOracle::handle);
        assert_eq!(server.photos.len(), 8);
        for report in &h.view().reports {
            assert_eq!(report.photos_sent, 4);
        }
    }

    /// A small, smooth picture: its JPEG is a few kilobytes, so many fit in one bundle.
    fn small_png(dir: &Path, name: &str, seed: u8) -> PathBuf {
        let image = image::RgbImage::from_fn(160, 120, |x, y| {
            image::Rgb([seed.wrapping_add(x as u8), y as u8, seed.wrapping_mul(7)])
        });
        let path = dir.join(name);
        image.save(&path).unwrap();
        path
    }

    #[test]
    fn small_photos_go_up_together_in_one_bundle_and_a_large_one_alone() {
        let pictures = tempfile::tempdir().unwrap();
        let small: Vec<PathBuf> = (0..9)
            .map(|i| small_png(pictures.path(), &format!("{i}.png"), i))
            .collect();
        let large = noisy_png(pictures.path(), "large.png", 40);
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let ids = [
            file_with_photos(&mut h, &small[..5]),
            file_with_photos(&mut h, &small[5..]),
            file_with_photos(&mut h, &[large]),
        ];
        start_sync_past_the_push(&mut h, &mut server);
        let waiting = h.waiting();
        assert_eq!(waiting.len(), 1, "one bundle first: {waiting:?}");
        assert!(waiting[0].starts_with("POST "), "{waiting:?}");
        h.serve_all(&mut server);
        assert_eq!(server.bundles, 1, "the nine small photos in one request");
        assert_eq!(server.photos.len(), 10, "and the large one by chunks");
        let h = h.restart();
        for (id, count) in ids.into_iter().zip([5, 4, 1]) {
            let report = h.report(id);
            assert_eq!(report.photos_sent, count, "recorded as sent");
            for sha in &report.photos {
                let local = std::fs::read(h.photo_path(sha)).unwrap();
                assert_eq!(server.photos[sha], local, "exact bytes");
            }
        }
        assert_eq!(super::pending(&h.model).count(), 0, "nothing left to send");
    }

    #[test]
    fn a_bundle_cut_is_sent_again_and_an_older_server_gets_each_photo_alone() {
        let pictures = tempfile::tempdir().unwrap();
        let small: Vec<PathBuf> = (0..4)
            .map(|i| small_png(pictures.path(), &format!("{i}.png"), 50 + i))
            .collect();
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let id = file_with_photos(&mut h, &small);
        // The server stores the bundle, the answer is lost: nothing recorded, the sync stops.
        start_sync_past_the_push(&mut h, &mut server);
        let bundle = h.take_http();
        let _ = server.handle(&bundle.operation);
        h.respond(bundle, connection_refused());
        assert!(matches!(
            h.view().sync,
            crate::view::SyncView::Unreachable { .. }
        ));
        assert_eq!(h.report(id).photos_sent, 0);
        // Sent again: the server says stored, the device records it.
        sync_until_done(&mut h, &mut server, ServerOracle::handle);
        assert_eq!(server.bundles, 2);
        assert_eq!(h.report(id).photos_sent, 4);

        let mut older = ServerOracle::default();
        older.no_bundles = true;
        let mut h = Harness::registered(&mut older);
        let id = file_with_photos(&mut h, &small);
        let mut requests = Vec::new();
        sync_until_done(&mut h, &mut older, |server, request| {
            requests.push(request.method.clone());
            server.handle(request)
        });
        assert_eq!(h.report(id).photos_sent, 4);
        assert_eq!(older.photos.len(), 4);
        let posts = requests.iter().filter(|m| *m == "POST").count();
        let patches = requests.iter().filter(|m| *m == "PATCH").count();
        assert_eq!(
            (posts, patches),
            (2, 4),
            "the push, one refused bundle, then each photo alone: {requests:?}"
        );
    }

    #[test]
    fn photos_that_fit_a_bundle_only_alone_go_one_per_bundle() {
        let pictures = tempfile::tempdir().unwrap();
        let medium: Vec<PathBuf> = (0..3)
            .map(|i| noisy_png_of(pictures.path(), &format!("{i}.png"), 60 + i, (560, 420)))
            .collect();
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let id = file_with_photos(&mut h, &medium);
        for sha in &h.report(id).photos {
            let size = std::fs::metadata(h.photo_path(sha)).unwrap().len() as usize;
            assert!(
                (MAX_CHUNK_BYTES / 2..MAX_CHUNK_BYTES).contains(&size),
                "two do not fit in one bundle, one does: {size} bytes"
            );
        }
        sync_until_done(&mut h, &mut server, ServerOracle::handle);
        assert_eq!(server.bundles, 3, "one bundle each, none alone by chunks");
        assert_eq!(h.report(id).photos_sent, 3);
        for sha in &h.report(id).photos {
            let local = std::fs::read(h.photo_path(sha)).unwrap();
            assert_eq!(server.photos[sha], local, "exact bytes");
        }
    }
}
