//! JSON that devices cache (the catalogue, the directory), serialised once per version together
//! with its entity tag. Answering a device whose copy is current then costs a comparison of
//! tags, not a serialisation and a hash of tens of kilobytes at every sync
//! (`handlers::v1::conditional` answers with it).

use axum::body::Bytes;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A value as devices receive it: its JSON and the `ETag` naming that JSON.
#[derive(Debug, Clone)]
pub struct Published {
    body: Bytes,
    tag: String,
}

impl Published {
    pub fn new(value: &impl Serialize) -> serde_json::Result<Self> {
        let body = serde_json::to_vec(value)?;
        // The tag names the content, so that equal bodies share it whoever built them (another
        // server, or this one after a restart).
        let tag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..16]);
        Ok(Self {
            body: body.into(),
            tag,
        })
    }

    /// The JSON (cheap to clone: shared).
    pub fn body(&self) -> Bytes {
        self.body.clone()
    }

    /// The entity tag, quoted as in an `ETag` header.
    pub fn tag(&self) -> &str {
        &self.tag
    }
}
