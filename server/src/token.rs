//! Device bearer tokens: generated once at registration, shown once, stored only as a hash.

use sha2::{Digest, Sha256};

use relais_server_database::TokenHash;

/// A freshly generated token, to hand to its device. Redacted in `Debug`.
pub struct DeviceToken(String);

impl DeviceToken {
    /// 32 bytes from the thread-local CSPRNG (ChaCha seeded by the OS), as `rls_` + hex.
    pub fn generate() -> Self {
        Self(format!("rls_{}", hex::encode(rand::random::<[u8; 32]>())))
    }

    pub fn hash(&self) -> TokenHash {
        hash(&self.0)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceToken(<redacted>)")
    }
}

/// SHA-256 of a presented token. A plain fast hash is enough: the token carries 256 bits of
/// entropy, so unlike a password it cannot be guessed from its hash by brute force, and a slow
/// hash (argon2, bcrypt) would only cost CPU on every request.
pub fn hash(token: &str) -> TokenHash {
    TokenHash(Sha256::digest(token.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_like_their_text() {
        let a = DeviceToken::generate();
        let b = DeviceToken::generate();
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash(), hash(&a.into_string()));
        assert!(format!("{b:?}").contains("redacted"));
    }
}
