//! Bearer tokens: a device's (generated once at registration), a staff member's web session (at
//! login) and a third-party application's Open311 api key (issued by the town's admin); shown
//! once, stored only as a hash.

use sha2::{Digest, Sha256};

use relais_server_database::TokenHash;

/// A freshly generated token, to hand to its holder. Redacted in `Debug`.
pub struct BearerToken(String);

impl BearerToken {
    /// A device's token: 32 bytes from the thread-local CSPRNG (ChaCha seeded by the OS), as
    /// `rls_` + hex.
    pub fn device() -> Self {
        Self::generate("rls")
    }

    /// A staff web session's token, as `rss_` + hex of 32 random bytes.
    pub fn session() -> Self {
        Self::generate("rss")
    }

    /// An Open311 application's api key, as `o311_` + hex of 32 random bytes.
    pub fn api_key() -> Self {
        Self::generate("o311")
    }

    fn generate(prefix: &str) -> Self {
        Self(format!(
            "{prefix}_{}",
            hex::encode(rand::random::<[u8; 32]>())
        ))
    }

    pub fn hash(&self) -> TokenHash {
        hash(&self.0)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
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
        let a = BearerToken::device();
        let b = BearerToken::session();
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash(), hash(&a.into_string()));
        assert!(format!("{b:?}").contains("redacted"));
        assert!(b.into_string().starts_with("rss_"));
    }
}
