//! The oracle's upload protocol: offset query, chunks checked against their offset and checksum,
//! the whole photo against its name; bundles of whole photos, each against its name.

use std::collections::BTreeMap;

use crux_http::protocol::{HttpRequest, HttpResponse, HttpResult};
use relais_protocol::{
    ApiError, ErrorCode,
    upload::{self, BundleAnswer, BundledPhoto, UploadStatus},
};
use sha2::{Digest, Sha256};

use super::{ServerOracle, header, ok_json, status};

/// Partial uploads, by SHA-256.
pub type Uploads = BTreeMap<String, Vec<u8>>;

impl ServerOracle {
    pub(super) fn upload(&mut self, sha: &str, request: &HttpRequest) -> HttpResult {
        let status = |offset: usize, complete: bool| {
            ok_json(&UploadStatus {
                offset: offset as u64,
                complete,
            })
        };
        if self.photos.contains_key(sha) {
            return status(self.photos[sha].len(), true);
        }
        let held = self.uploads.get(sha).map_or(0, Vec::len);
        if request.method == "GET" {
            return status(held, false);
        }
        let header = |name: &str| header(request, name).unwrap();
        let offset: usize = header(upload::UPLOAD_OFFSET).parse().unwrap();
        let total: usize = header(upload::UPLOAD_LENGTH).parse().unwrap();
        if offset != held {
            let mut e = ApiError::new(ErrorCode::OffsetMismatch, "offset");
            e.expected_offset = Some(held as u64);
            return HttpResult::Ok(HttpResponse::status(409).json(e).build());
        }
        let checksum = format!("sha256 {}", hex::encode(Sha256::digest(&request.body)));
        assert_eq!(header(upload::UPLOAD_CHECKSUM), checksum);
        assert!(request.body.len() <= upload::MAX_CHUNK_BYTES);
        self.uploaded_bytes += request.body.len();
        let data = self.uploads.entry(sha.to_owned()).or_default();
        data.extend_from_slice(&request.body);
        if data.len() == total {
            let data = self.uploads.remove(sha).unwrap();
            assert_eq!(
                hex::encode(Sha256::digest(&data)),
                sha,
                "the photo arrived intact"
            );
            self.photos.insert(sha.to_owned(), data);
            return status(total, true);
        }
        status(offset + request.body.len(), false)
    }

    pub(super) fn bundle(&mut self, request: &HttpRequest) -> HttpResult {
        if self.no_bundles {
            return status(404, ErrorCode::NotFound);
        }
        let listed = upload::parse_bundle(&header(request, upload::UPLOAD_PHOTOS).unwrap())
            .and_then(|listed| upload::locate_bundle(listed, request.body.len()))
            .expect("a well-formed bundle");
        self.bundles += 1;
        self.uploaded_bytes += request.body.len();
        let mut photos = Vec::new();
        for (sha, range) in listed {
            let bytes = &request.body[range];
            let stored = hex::encode(Sha256::digest(bytes)) == sha;
            assert!(stored, "the photo {sha} arrived intact");
            self.uploads.remove(&sha);
            self.photos.insert(sha.clone(), bytes.to_vec());
            photos.push(BundledPhoto {
                sha256: sha,
                stored,
                refused: None,
            });
        }
        ok_json(&BundleAnswer { photos })
    }
}
