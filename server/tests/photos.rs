//! Resumable, content-addressed photo uploads and photo reads over HTTP: the real router and
//! SQLite file on loopback, with the photo folders in the server's temporary data directory.

mod common;

use common::{PARIS, TestServer, batch, create_report_with_photos, fake_jpeg, sha256_hex};
use relais_protocol::upload::{self, MAX_CHUNK_BYTES, MAX_PHOTO_BYTES};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

const CHUNK: usize = MAX_CHUNK_BYTES;

async fn start() -> TestServer {
    let server = TestServer::start().await;
    // The demo seed's extra questions are not what these tests are about.
    server.without_questions();
    server
}

async fn error(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

/// Uploads `photo` from its start in chunks of `chunk` bytes, checking every answer.
async fn upload(server: &TestServer, token: &str, photo: &[u8], chunk: usize) {
    let sha = sha256_hex(photo);
    for (i, part) in photo.chunks(chunk).enumerate() {
        let offset = i * chunk;
        let response = server
            .patch_upload("demo", token, &sha, offset, photo.len(), part)
            .await;
        assert_eq!(response.status(), 200);
        let status: Value = response.json().await.unwrap();
        assert_eq!(status["offset"], offset + part.len());
        assert_eq!(status["complete"], offset + part.len() == photo.len());
    }
}

async fn read_photo(
    server: &TestServer,
    tenant: &str,
    token: &str,
    sha: &str,
) -> reqwest::Response {
    server
        .get(token, &format!("/v1/{tenant}/photos/{sha}"))
        .await
}

fn stored(server: &TestServer, sha: &str) -> Option<Vec<u8>> {
    std::fs::read(server.data_dir().join("photos").join(format!("{sha}.jpg"))).ok()
}

fn partial(server: &TestServer, sha: &str) -> Option<Vec<u8>> {
    std::fs::read(
        server
            .data_dir()
            .join("uploads")
            .join(format!("{sha}.part")),
    )
    .ok()
}

#[tokio::test]
async fn a_photo_uploaded_in_one_go_is_stored_and_readable_by_its_uploader() {
    let server = start().await;
    let device = server.register().await;
    let photo = fake_jpeg(100_000, 1);
    let sha = sha256_hex(&photo);
    assert_eq!(
        server.upload_status("demo", &device.token, &sha).await,
        (0, false)
    );

    upload(&server, &device.token, &photo, CHUNK).await;
    assert_eq!(
        server.upload_status("demo", &device.token, &sha).await,
        (photo.len() as u64, true)
    );
    assert_eq!(stored(&server, &sha).unwrap(), photo);
    assert_eq!(partial(&server, &sha), None);
    let count: i64 = server.query("SELECT COUNT(*) FROM uploads", []);
    assert_eq!(count, 0);

    let response = read_photo(&server, "demo", &device.token, &sha).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(response.bytes().await.unwrap(), photo);
    server.stop().await;
}

#[tokio::test]
async fn a_photo_sent_in_chunks_resumes_where_the_server_stands() {
    let server = start().await;
    let device = server.register().await;
    let photo = fake_jpeg(2 * CHUNK + 1234, 2);
    let sha = sha256_hex(&photo);

    let first = server
        .patch_upload("demo", &device.token, &sha, 0, photo.len(), &photo[..CHUNK])
        .await;
    assert_eq!(first.status(), 200);
    // The connection drops; the device asks where to resume.
    let (offset, complete) = server.upload_status("demo", &device.token, &sha).await;
    assert_eq!((offset, complete), (CHUNK as u64, false));
    assert_eq!(partial(&server, &sha).unwrap(), photo[..CHUNK]);

    for start in [CHUNK, 2 * CHUNK] {
        let end = (start + CHUNK).min(photo.len());
        let response = server
            .patch_upload(
                "demo",
                &device.token,
                &sha,
                start,
                photo.len(),
                &photo[start..end],
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    assert_eq!(
        server.upload_status("demo", &device.token, &sha).await,
        (photo.len() as u64, true)
    );
    assert_eq!(stored(&server, &sha).unwrap(), photo);
    server.stop().await;
}

/// Sends a PATCH whose body stops after `sent` of its announced bytes, then hangs up.
async fn cut_patch(
    server: &TestServer,
    token: &str,
    sha: &str,
    offset: usize,
    length: usize,
    chunk: &[u8],
    sent: usize,
) {
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "PATCH /v1/demo/uploads/{sha} HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {token}\r\n\
         upload-offset: {offset}\r\nupload-length: {length}\r\nupload-checksum: sha256 {}\r\n\
         content-type: application/offset+octet-stream\r\ncontent-length: {}\r\n\r\n",
        sha256_hex(chunk),
        chunk.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&chunk[..sent]).await.unwrap();
    stream.flush().await.unwrap();
    drop(stream);
    // Let the server notice.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
}

#[tokio::test]
async fn a_chunk_cut_mid_body_is_not_kept_and_the_upload_ends_with_the_exact_bytes() {
    let server = start().await;
    let device = server.register().await;
    let photo = fake_jpeg(3 * CHUNK, 3);
    let sha = sha256_hex(&photo);
    for offset in [0, CHUNK, 2 * CHUNK] {
        // Cut chunks, then the same chunk whole after asking where to resume.
        for sent in [0, 17, CHUNK / 2, CHUNK - 1] {
            cut_patch(
                &server,
                &device.token,
                &sha,
                offset,
                photo.len(),
                &photo[offset..offset + CHUNK],
                sent,
            )
            .await;
        }
        let (held, complete) = server.upload_status("demo", &device.token, &sha).await;
        assert_eq!((held, complete), (offset as u64, false));
        let response = server
            .patch_upload(
                "demo",
                &device.token,
                &sha,
                offset,
                photo.len(),
                &photo[offset..offset + CHUNK],
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    // The rest: a real JPEG is a little longer than the three chunks asked for.
    let response = server
        .patch_upload(
            "demo",
            &device.token,
            &sha,
            3 * CHUNK,
            photo.len(),
            &photo[3 * CHUNK..],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(stored(&server, &sha).unwrap(), photo);
    server.stop().await;
}

#[tokio::test]
async fn a_wrong_offset_is_409_with_the_expected_offset_and_changes_nothing() {
    let server = start().await;
    let device = server.register().await;
    let photo = fake_jpeg(2 * CHUNK, 4);
    let sha = sha256_hex(&photo);
    let first = server
        .patch_upload("demo", &device.token, &sha, 0, photo.len(), &photo[..CHUNK])
        .await;
    assert_eq!(first.status(), 200);

    for offset in [0, CHUNK + 1, 2 * CHUNK] {
        let response = server
            .patch_upload(
                "demo",
                &device.token,
                &sha,
                offset,
                photo.len(),
                &photo[CHUNK..CHUNK + 10],
            )
            .await;
        let body = error(response, 409).await;
        assert_eq!(body["error"], "offset_mismatch");
        assert_eq!(body["expected_offset"], CHUNK);
    }
    assert_eq!(
        server.upload_status("demo", &device.token, &sha).await,
        (CHUNK as u64, false)
    );
    assert_eq!(partial(&server, &sha).unwrap(), photo[..CHUNK]);
    server.stop().await;
}

#[tokio::test]
async fn a_chunk_that_does_not_match_its_checksum_is_400_and_not_kept() {
    let server = start().await;
    let device = server.register().await;
    let photo = fake_jpeg(1000, 5);
    let sha = sha256_hex(&photo);
    let response = server
        .client
        .patch(server.url(&format!("/v1/demo/uploads/{sha}")))
        .bearer_auth(&device.token)
        .header("upload-offset", "0")
        .header("upload-length", photo.len().to_string())
        .header(
            "upload-checksum",
            format!("sha256 {}", sha256_hex(b"other bytes")),
        )
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(error(response, 400).await["error"], "checksum_mismatch");
    assert_eq!(
        server.upload_status("demo", &device.token, &sha).await,
        (0, false)
    );
    assert!(partial(&server, &sha).is_none_or(|bytes| bytes.is_empty()));
    let count: i64 = server.query("SELECT COUNT(*) FROM uploads", []);
    assert_eq!(count, 0);
    server.stop().await;
}

#[tokio::test]
async fn a_photo_that_does_not_match_its_name_is_422_and_discarded() {
    let server = start().await;
    let device = server.register().await;
    let photo = fake_jpeg(CHUNK + 10, 6);
    let wrong = sha256_hex(b"another photo");
    for (offset, part) in [(0, &photo[..CHUNK]), (CHUNK, &photo[CHUNK..])] {
        let response = server
            .patch_upload("demo", &device.token, &wrong, offset, photo.len(), part)
            .await;
        if offset == 0 {
            assert_eq!(response.status(), 200);
        } else {
            assert_eq!(error(response, 422).await["error"], "digest_mismatch");
        }
    }
    assert_eq!(
        server.upload_status("demo", &device.token, &wrong).await,
        (0, false)
    );
    assert_eq!(partial(&server, &wrong), None);
    assert_eq!(stored(&server, &wrong), None);
    server.stop().await;
}

#[tokio::test]
async fn a_photo_that_is_not_a_jpeg_is_415_and_discarded() {
    let server = start().await;
    let device = server.register().await;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(fake_jpeg(500, 7));
    let sha = sha256_hex(&png);
    let response = server
        .patch_upload("demo", &device.token, &sha, 0, png.len(), &png)
        .await;
    assert_eq!(error(response, 415).await["error"], "unsupported_media");
    assert_eq!(
        server.upload_status("demo", &device.token, &sha).await,
        (0, false)
    );
    assert_eq!(partial(&server, &sha), None);
    assert_eq!(stored(&server, &sha), None);
    server.stop().await;
}

/// What a probe of the server sent as photos: a camera original with its EXIF position, a
/// script behind JPEG magic bytes, a real photo with a script appended. Each is refused in
/// words, and nothing is kept.
#[tokio::test]
async fn photos_with_metadata_scripts_or_appended_bytes_are_415_and_not_kept() {
    let server = start().await;
    let device = server.register().await;
    let madrid = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/photos/gps_iphone6_madrid_3264x2448.jpg"
    ))
    .unwrap();
    let mut appended = fake_jpeg(2000, 13);
    appended.extend(b"<?php system($_GET['c']); ?>");
    for (name, photo) in [
        ("camera original", madrid),
        (
            "script",
            b"\xFF\xD8\xFF\xE0<?php system($_GET['c']); ?>".to_vec(),
        ),
        ("appended script", appended),
    ] {
        let sha = sha256_hex(&photo);
        let mut last = None;
        for start in (0..photo.len()).step_by(CHUNK) {
            let end = (start + CHUNK).min(photo.len());
            last = Some(
                server
                    .patch_upload(
                        "demo",
                        &device.token,
                        &sha,
                        start,
                        photo.len(),
                        &photo[start..end],
                    )
                    .await,
            );
        }
        let body = error(last.unwrap(), 415).await;
        assert_eq!(body["error"], "unsupported_media", "{name}: {body}");
        assert_eq!(body["reason"]["code"], "invalid_photo", "{name}: {body}");
        assert!(
            body["reason"]["message"]["fr"].as_str().is_some(),
            "{name}: {body}"
        );
        assert_eq!(
            server.upload_status("demo", &device.token, &sha).await,
            (0, false),
            "{name}"
        );
        assert_eq!(stored(&server, &sha), None, "{name}");
        assert_eq!(partial(&server, &sha), None, "{name}");
    }
    server.stop().await;
}

#[tokio::test]
async fn oversized_photos_and_chunks_are_413() {
    let server = start().await;
    let device = server.register().await;
    let sha = sha256_hex(b"whatever");
    let too_long = usize::try_from(MAX_PHOTO_BYTES).unwrap() + 1;
    let response = server
        .patch_upload("demo", &device.token, &sha, 0, too_long, b"\xFF\xD8\xFF")
        .await;
    assert_eq!(error(response, 413).await["error"], "body_too_large");

    let chunk = fake_jpeg(CHUNK + 1, 8);
    let response = server
        .patch_upload("demo", &device.token, &sha, 0, 4 * CHUNK, &chunk)
        .await;
    assert_eq!(error(response, 413).await["error"], "body_too_large");
    assert_eq!(
        server.upload_status("demo", &device.token, &sha).await,
        (0, false)
    );
    server.stop().await;
}

#[tokio::test]
async fn malformed_uploads_are_400() {
    let server = start().await;
    let device = server.register().await;
    let photo = fake_jpeg(2 * CHUNK, 9);
    let sha = sha256_hex(&photo);
    let url = server.url(&format!("/v1/demo/uploads/{sha}"));
    // Missing or unreadable headers.
    for (offset, length, checksum) in [
        (
            None,
            Some("10"),
            Some(format!("sha256 {}", sha256_hex(b"x"))),
        ),
        (
            Some("0"),
            Some("ten"),
            Some(format!("sha256 {}", sha256_hex(b"x"))),
        ),
        (Some("0"), Some("10"), None),
        (
            Some("0"),
            Some("10"),
            Some(format!("md5 {}", sha256_hex(b"x"))),
        ),
        (Some("0"), Some("10"), Some("sha256 zz".to_owned())),
    ] {
        let mut request = server
            .client
            .patch(&url)
            .bearer_auth(&device.token)
            .body("x");
        for (name, value) in [
            ("upload-offset", offset.map(str::to_owned)),
            ("upload-length", length.map(str::to_owned)),
            ("upload-checksum", checksum),
        ] {
            if let Some(value) = value {
                request = request.header(name, value);
            }
        }
        let response = request.send().await.unwrap();
        assert_eq!(error(response, 400).await["error"], "malformed_request");
    }
    // Not a content address.
    let response = server
        .patch_upload("demo", &device.token, "NOT-A-SHA", 0, 3, b"abc")
        .await;
    assert_eq!(error(response, 400).await["error"], "malformed_request");
    // A length that changes between chunks.
    let first = server
        .patch_upload("demo", &device.token, &sha, 0, photo.len(), &photo[..CHUNK])
        .await;
    assert_eq!(first.status(), 200);
    let response = server
        .patch_upload(
            "demo",
            &device.token,
            &sha,
            CHUNK,
            photo.len() + 1,
            &photo[CHUNK..2 * CHUNK],
        )
        .await;
    assert_eq!(error(response, 400).await["error"], "malformed_request");
    // A chunk beyond the announced length.
    let response = server
        .patch_upload(
            "demo",
            &device.token,
            &sha,
            CHUNK,
            CHUNK + 5,
            &photo[CHUNK..2 * CHUNK],
        )
        .await;
    assert_eq!(error(response, 400).await["error"], "malformed_request");
    assert_eq!(
        server.upload_status("demo", &device.token, &sha).await,
        (CHUNK as u64, false)
    );
    // No token.
    let response = server.client.get(&url).send().await.unwrap();
    assert_eq!(error(response, 401).await["error"], "unauthorized");
    server.stop().await;
}

#[tokio::test]
async fn a_stored_photo_is_complete_for_every_device_of_the_tenant_and_a_patch_is_a_no_op() {
    let server = start().await;
    let first = server.register().await;
    let second = server.register().await;
    let photo = fake_jpeg(5000, 10);
    let sha = sha256_hex(&photo);
    upload(&server, &first.token, &photo, CHUNK).await;

    assert_eq!(
        server.upload_status("demo", &second.token, &sha).await,
        (photo.len() as u64, true)
    );
    let response = server
        .patch_upload("demo", &second.token, &sha, 0, photo.len(), &photo)
        .await;
    assert_eq!(response.status(), 200);
    let status: Value = response.json().await.unwrap();
    assert_eq!(status["complete"], true);
    assert_eq!(status["offset"], photo.len());
    assert_eq!(stored(&server, &sha).unwrap(), photo);
    server.stop().await;
}

#[tokio::test]
async fn other_devices_read_a_photo_once_a_report_lists_it_and_other_towns_never() {
    let server = start().await;
    let author = server.register().await;
    let neighbour = server.register().await;
    let stranger = server.register_in_lyon().await;
    let photo = fake_jpeg(3000, 11);
    let sha = sha256_hex(&photo);
    upload(&server, &author.token, &photo, CHUNK).await;

    let response = read_photo(&server, "demo", &neighbour.token, &sha).await;
    assert_eq!(error(response, 404).await["error"], "not_found");

    let pushed = server
        .push(
            &author.token,
            &batch(vec![create_report_with_photos(
                1,
                Uuid::now_v7(),
                PARIS,
                &[&sha],
            )]),
        )
        .await;
    let pushed: Value = pushed.json().await.unwrap();
    assert_eq!(pushed["results"][0]["outcome"], "applied", "{pushed}");

    let response = read_photo(&server, "demo", &neighbour.token, &sha).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap(), photo);

    // Another town: the photo does not exist there, and its upload starts from nothing.
    let response = read_photo(&server, "lyon", &stranger.token, &sha).await;
    let foreign = error(response, 404).await;
    let unknown = error(
        read_photo(&server, "lyon", &stranger.token, &sha256_hex(b"nothing")).await,
        404,
    )
    .await;
    assert_eq!(foreign, unknown);
    assert_eq!(
        server.upload_status("lyon", &stranger.token, &sha).await,
        (0, false)
    );
    // A demo token is unknown in lyon.
    let response = read_photo(&server, "lyon", &author.token, &sha).await;
    assert_eq!(response.status(), 401);

    // The other town may upload the same bytes: stored once, now held by both towns.
    let response = server
        .patch_upload("lyon", &stranger.token, &sha, 0, photo.len(), &photo)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        server.upload_status("lyon", &stranger.token, &sha).await,
        (photo.len() as u64, true)
    );
    let response = read_photo(&server, "lyon", &stranger.token, &sha).await;
    assert_eq!(response.bytes().await.unwrap(), photo);
    server.stop().await;
}

#[tokio::test]
async fn two_devices_sending_the_same_photo_at_once_store_it_intact() {
    let server = start().await;
    let photo = fake_jpeg(5 * CHUNK + 77, 12);
    let sha = sha256_hex(&photo);
    let mut devices = Vec::new();
    for _ in 0..3 {
        devices.push(server.register().await);
    }
    let server = std::sync::Arc::new(server);
    let mut tasks = Vec::new();
    for (i, device) in devices.into_iter().enumerate() {
        let (server, photo, sha) = (server.clone(), photo.clone(), sha.clone());
        // Each device sends chunks of a different size, resuming from what the server holds.
        let chunk = CHUNK / (i + 1);
        tasks.push(tokio::spawn(async move {
            for _ in 0..200 {
                let (offset, complete) = server.upload_status("demo", &device.token, &sha).await;
                if complete {
                    return;
                }
                let start = usize::try_from(offset).unwrap();
                let end = (start + chunk).min(photo.len());
                let response = server
                    .patch_upload(
                        "demo",
                        &device.token,
                        &sha,
                        start,
                        photo.len(),
                        &photo[start..end],
                    )
                    .await;
                assert!(
                    matches!(response.status().as_u16(), 200 | 409),
                    "{}",
                    response.status()
                );
            }
            panic!("the upload did not finish");
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(stored(&server, &sha).unwrap(), photo);
    assert_eq!(partial(&server, &sha), None);
}

/// `POST /v1/demo/uploads` with `header` as the bundle's list and `body` as its bytes.
async fn post_bundle(
    server: &TestServer,
    token: &str,
    header: Option<&str>,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut request = server
        .client
        .post(server.url("/v1/demo/uploads"))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(body);
    if let Some(header) = header {
        request = request.header(upload::UPLOAD_PHOTOS, header);
    }
    request.send().await.unwrap()
}

/// A bundle of `photos` under the names given: its header and its body.
fn bundle_of(photos: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let header = upload::bundle_header(photos.iter().map(|(name, bytes)| (*name, bytes.len())));
    (
        header,
        photos
            .iter()
            .flat_map(|(_, bytes)| bytes.to_vec())
            .collect(),
    )
}

#[tokio::test]
async fn a_bundle_stores_each_photo_on_its_own_and_answers_in_order() {
    let server = start().await;
    let device = server.register().await;
    let (fresh, held, partly) = (
        fake_jpeg(3_000, 21),
        fake_jpeg(2_000, 22),
        fake_jpeg(5_000, 23),
    );
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(fake_jpeg(500, 24));
    let misnamed = fake_jpeg(1_000, 25);
    let (fresh_sha, held_sha, partly_sha) =
        (sha256_hex(&fresh), sha256_hex(&held), sha256_hex(&partly));
    let (png_sha, wrong_sha) = (sha256_hex(&png), sha256_hex(b"not these bytes"));
    // One photo the server already has, one it holds the start of.
    upload(&server, &device.token, &held, CHUNK).await;
    let response = server
        .patch_upload(
            "demo",
            &device.token,
            &partly_sha,
            0,
            partly.len(),
            &partly[..100],
        )
        .await;
    assert_eq!(response.status(), 200);

    let (header, body) = bundle_of(&[
        (&fresh_sha, &fresh),
        (&held_sha, &held),
        (&png_sha, &png),
        (&wrong_sha, &misnamed),
        (&partly_sha, &partly),
    ]);
    let response = post_bundle(&server, &device.token, Some(&header), body).await;
    assert_eq!(response.status(), 200);
    let answer: upload::BundleAnswer = response.json().await.unwrap();
    let said: Vec<(&str, bool, Option<&str>)> = answer
        .photos
        .iter()
        .map(|p| {
            (
                p.sha256.as_str(),
                p.stored,
                p.refused.as_ref().map(|r| r.code.as_str()),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            (fresh_sha.as_str(), true, None),
            (held_sha.as_str(), true, None),
            (png_sha.as_str(), false, Some("invalid_photo")),
            (wrong_sha.as_str(), false, Some("digest_mismatch")),
            (partly_sha.as_str(), true, None),
        ]
    );
    for (sha, bytes) in [
        (&fresh_sha, &fresh),
        (&held_sha, &held),
        (&partly_sha, &partly),
    ] {
        assert_eq!(stored(&server, sha).as_ref(), Some(bytes), "exact bytes");
        assert_eq!(
            server.upload_status("demo", &device.token, sha).await,
            (bytes.len() as u64, true)
        );
        assert_eq!(partial(&server, sha), None);
        let read = read_photo(&server, "demo", &device.token, sha).await;
        assert_eq!(read.status(), 200, "the uploader reads its photo");
        assert_eq!(&read.bytes().await.unwrap()[..], &bytes[..]);
    }
    for sha in [&png_sha, &wrong_sha] {
        assert_eq!(stored(&server, sha), None);
        assert_eq!(partial(&server, sha), None);
        assert_eq!(
            server.upload_status("demo", &device.token, sha).await,
            (0, false)
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn a_malformed_bundle_is_refused_whole_and_changes_nothing() {
    let server = start().await;
    let device = server.register().await;
    let (a, b) = (fake_jpeg(2_000, 31), fake_jpeg(2_500, 32));
    let (a_sha, b_sha) = (sha256_hex(&a), sha256_hex(&b));
    let (header, body) = bundle_of(&[(&a_sha, &a), (&b_sha, &b)]);
    let short = body[..body.len() - 1].to_vec();
    let twice = format!("{a_sha}:{},{a_sha}:{}", a.len(), a.len());
    let cases: [(Option<&str>, Vec<u8>, &str); 5] = [
        (None, body.clone(), "no list"),
        (Some(&header), short, "a body shorter than its list"),
        (
            Some(&twice),
            [a.clone(), a.clone()].concat(),
            "a photo listed twice",
        ),
        (Some("not a list"), body.clone(), "a list that is not one"),
        (
            Some(&header.to_uppercase()),
            body.clone(),
            "names that are not SHA-256s",
        ),
    ];
    for (header, body, what) in cases {
        let response = post_bundle(&server, &device.token, header, body).await;
        assert_eq!(
            error(response, 400).await["error"],
            "malformed_request",
            "{what}"
        );
    }
    let response = post_bundle(&server, "not-a-token", Some(&header), body.clone()).await;
    assert_eq!(response.status(), 401);
    let big = fake_jpeg(CHUNK + 1, 33);
    let (big_header, big_body) = bundle_of(&[(&sha256_hex(&big), &big)]);
    let response = post_bundle(&server, &device.token, Some(&big_header), big_body).await;
    assert!(
        [400, 413].contains(&response.status().as_u16()),
        "a bundle over {CHUNK} bytes: {}",
        response.status()
    );
    for sha in [&a_sha, &b_sha] {
        assert_eq!(stored(&server, sha), None);
        assert_eq!(
            server.upload_status("demo", &device.token, sha).await,
            (0, false)
        );
    }
    server.stop().await;
}
