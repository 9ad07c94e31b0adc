//! Secrets at rest, random tokens and digests.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("YORISOI_SECRET_KEY must be 32 bytes encoded in base64 (44 characters); generate one with `openssl rand -base64 32`")]
    Malformed,
}

/// Encrypts secrets (LINE channel secrets and tokens, TOTP seeds) with the
/// installation's key, so a copy of the database alone reveals none of them.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Arc<ChaCha20Poly1305>,
}

impl SecretBox {
    pub fn from_base64(key: &str) -> Result<SecretBox, KeyError> {
        let bytes = STANDARD.decode(key.trim()).map_err(|_| KeyError::Malformed)?;
        if bytes.len() != 32 {
            return Err(KeyError::Malformed);
        }
        Ok(SecretBox {
            cipher: Arc::new(ChaCha20Poly1305::new(Key::from_slice(&bytes))),
        })
    }

    /// A new random key, base64-encoded.
    pub fn generate_key() -> String {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        STANDARD.encode(k)
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .expect("ChaCha20-Poly1305 encryption cannot fail for in-memory input");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        STANDARD.encode(out)
    }

    /// `None` when the text was not sealed with this key or was altered.
    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, body) = bytes.split_at(12);
        self.cipher.decrypt(Nonce::from_slice(nonce), body).ok()
    }
}

/// An unguessable token for cookies and links (256 bits, URL-safe).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// An opaque public ID for URLs (96 bits).
pub fn public_id() -> String {
    let mut b = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// A UUID derived from `seed` and `i`, the same every time: the retry key of
/// part `i` of something whose own key is `seed` (LINE wants UUIDs).
pub fn derived_uuid(seed: &str, i: usize) -> String {
    let d = Sha256::digest(format!("{seed}/{i}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// A random UUID (version 4), for a retry key.
pub fn uuid_v4() -> String {
    derived_uuid(&random_token(), 0)
}

pub fn sha256_hex(data: &[u8]) -> String {
    let d = Sha256::digest(data);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_keys_are_uuids_stable_per_part() {
        let a = derived_uuid("k", 0);
        assert_eq!(a, derived_uuid("k", 0));
        assert_ne!(a, derived_uuid("k", 1));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(uuid_v4(), uuid_v4());
    }

    #[test]
    fn sealed_secret_opens_only_with_its_key() {
        let a = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let b = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let sealed = a.seal(b"channel-secret");
        assert!(!sealed.contains("channel-secret"));
        assert_eq!(a.open(&sealed).as_deref(), Some(&b"channel-secret"[..]));
        assert_eq!(b.open(&sealed), None);
        let mut tampered = STANDARD.decode(&sealed).unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(a.open(&STANDARD.encode(tampered)), None);
    }

    #[test]
    fn key_must_be_32_bytes() {
        assert!(SecretBox::from_base64("c2hvcnQ=").is_err());
        assert!(SecretBox::from_base64("not base64!").is_err());
    }

    #[test]
    fn tokens_are_distinct() {
        assert_ne!(random_token(), random_token());
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
