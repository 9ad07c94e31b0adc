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
///
/// Each sealed value is bound to where it lives (`SecretBox::seal_for`):
/// copied into another row, column or clinic it no longer opens.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Arc<ChaCha20Poly1305>,
    /// Keys the audit chain's hashes, so someone who can only write the
    /// database cannot recompute the chain after editing it.
    audit_key: Arc<[u8; 32]>,
    /// Signs the patients' booking links (`booking.rs`); derived apart from
    /// the audit key so neither can stand in for the other.
    link_key: Arc<[u8; 32]>,
    /// Signs and hides what a tracked link names (`tracked_link_token`).
    click_key: Arc<[u8; 32]>,
    /// The key was generated into the data directory (the demo), not given
    /// by `YORISOI_SECRET_KEY`.
    generated: bool,
}

/// Where a sealed value lives: its table, column and row. Sealing binds the
/// value to it as associated data.
#[derive(Clone, Copy, Debug)]
pub struct SealedAt<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: i64,
}

impl SealedAt<'static> {
    pub fn channel_secret(clinic_id: i64) -> Self {
        SealedAt {
            table: "line_channels",
            column: "secret_enc",
            row: clinic_id,
        }
    }

    pub fn channel_token(clinic_id: i64) -> Self {
        SealedAt {
            table: "line_channels",
            column: "token_enc",
            row: clinic_id,
        }
    }

    /// A user's TOTP seed, pending or confirmed (confirming moves the
    /// pending value to the active column unchanged).
    pub fn totp(user_id: i64) -> Self {
        SealedAt {
            table: "users",
            column: "totp",
            row: user_id,
        }
    }
}

impl SealedAt<'_> {
    fn associated_data(&self) -> String {
        format!("yorisoi:{}.{}:{}", self.table, self.column, self.row)
    }
}

/// Bytes of signature in a tracked link's token (80 bits).
const TRACKED_TAG_LEN: usize = 10;

/// Values sealed with their place start with this; older ones (sealed
/// before places were bound) have no prefix and are re-sealed at start-up.
const BOUND: &str = "v2.";

impl SecretBox {
    pub fn from_base64(key: &str) -> Result<SecretBox, KeyError> {
        let bytes = STANDARD.decode(key.trim()).map_err(|_| KeyError::Malformed)?;
        if bytes.len() != 32 {
            return Err(KeyError::Malformed);
        }
        use hmac::Mac;
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&bytes).expect("HMAC takes a key of any length");
        mac.update(b"yorisoi audit chain v1");
        let audit_key: [u8; 32] = mac.finalize().into_bytes().into();
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&bytes).expect("HMAC takes a key of any length");
        mac.update(b"yorisoi booking link v1");
        let link_key: [u8; 32] = mac.finalize().into_bytes().into();
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&bytes).expect("HMAC takes a key of any length");
        mac.update(b"yorisoi tracked link v1");
        let click_key: [u8; 32] = mac.finalize().into_bytes().into();
        Ok(SecretBox {
            cipher: Arc::new(ChaCha20Poly1305::new(Key::from_slice(&bytes))),
            audit_key: Arc::new(audit_key),
            link_key: Arc::new(link_key),
            click_key: Arc::new(click_key),
            generated: false,
        })
    }

    /// Marks a key generated for the demo: real LINE credentials are not
    /// stored under it.
    pub fn generated_for_demo(mut self) -> SecretBox {
        self.generated = true;
        self
    }

    pub fn is_generated_for_demo(&self) -> bool {
        self.generated
    }

    /// HMAC-SHA-256 under the audit chain's key, hex.
    pub fn audit_mac(&self, data: &[u8]) -> String {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&self.audit_key[..]).expect("HMAC takes a key of any length");
        mac.update(data);
        hex(&mac.finalize().into_bytes())
    }

    /// A signature for a link given to a patient (base64url).
    pub fn sign_link(&self, payload: &[u8]) -> String {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&self.link_key[..]).expect("HMAC takes a key of any length");
        mac.update(payload);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `signature` is this installation's for `payload`, compared
    /// in constant time.
    pub fn link_signed(&self, payload: &[u8], signature: &str) -> bool {
        use hmac::Mac;
        let Ok(given) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&self.link_key[..]).expect("HMAC takes a key of any length");
        mac.update(payload);
        mac.verify_slice(&given).is_ok()
    }

    fn click_mac(&self, label: &[u8], data: &[u8]) -> hmac::Hmac<Sha256> {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&self.click_key[..]).expect("HMAC takes a key of any length");
        mac.update(label);
        mac.update(data);
        mac
    }

    /// The token of a tracked link for one recipient (35 URL-safe
    /// characters): the two numbers hidden and signed, so the address
    /// tells nothing about the patient and cannot be altered or made up.
    /// The same numbers always give the same token (a deterministic
    /// SIV-style construction: the signature is the mask's seed).
    pub fn tracked_link_token(&self, link_id: i64, friend_id: i64) -> String {
        use hmac::Mac;
        let mut plain = [0u8; 16];
        plain[..8].copy_from_slice(&link_id.to_be_bytes());
        plain[8..].copy_from_slice(&friend_id.to_be_bytes());
        let tag = self.click_mac(b"tag", &plain).finalize().into_bytes();
        let tag = &tag[..TRACKED_TAG_LEN];
        let mask = self.click_mac(b"mask", tag).finalize().into_bytes();
        let mut out = tag.to_vec();
        out.extend(plain.iter().zip(mask.iter()).map(|(p, m)| p ^ m));
        URL_SAFE_NO_PAD.encode(out)
    }

    /// The link and friend a token names; `None` when it was not made by
    /// this installation or was altered (checked in constant time).
    pub fn open_tracked_link_token(&self, token: &str) -> Option<(i64, i64)> {
        use hmac::Mac;
        if token.len() != 35 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        if bytes.len() != TRACKED_TAG_LEN + 16 {
            return None;
        }
        let (tag, body) = bytes.split_at(TRACKED_TAG_LEN);
        let mask = self.click_mac(b"mask", tag).finalize().into_bytes();
        let mut plain = [0u8; 16];
        for (i, (b, m)) in body.iter().zip(mask.iter()).enumerate() {
            plain[i] = b ^ m;
        }
        self.click_mac(b"tag", &plain).verify_truncated_left(tag).ok()?;
        let link = i64::from_be_bytes(plain[..8].try_into().ok()?);
        let friend = i64::from_be_bytes(plain[8..].try_into().ok()?);
        Some((link, friend))
    }

    /// Seals `plaintext` for one place; it opens only there.
    pub fn seal_for(&self, at: SealedAt<'_>, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = at.associated_data();
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                chacha20poly1305::aead::Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .expect("ChaCha20-Poly1305 encryption cannot fail for in-memory input");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{BOUND}{}", STANDARD.encode(out))
    }

    /// Opens a value sealed for `at`; `None` when it was sealed elsewhere,
    /// with another key, or altered. A value from before places were bound
    /// still opens (until `reseal` binds it).
    pub fn open_at(&self, at: SealedAt<'_>, sealed: &str) -> Option<Vec<u8>> {
        let Some(bound) = sealed.strip_prefix(BOUND) else {
            return self.open(sealed);
        };
        let bytes = STANDARD.decode(bound).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, body) = bytes.split_at(12);
        let aad = at.associated_data();
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                chacha20poly1305::aead::Payload {
                    msg: body,
                    aad: aad.as_bytes(),
                },
            )
            .ok()
    }

    /// A value from before places were bound, sealed again for `at`;
    /// `None` when it is bound already (or cannot be opened).
    pub fn reseal(&self, at: SealedAt<'_>, sealed: &str) -> Option<String> {
        if sealed.starts_with(BOUND) {
            return None;
        }
        self.open(sealed).map(|plain| self.seal_for(at, &plain))
    }

    /// A new random key, base64-encoded.
    pub fn generate_key() -> String {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        STANDARD.encode(k)
    }

    /// Unbound sealing, as values were sealed before places were bound (for
    /// the tests of reading them).
    #[cfg(test)]
    fn seal(&self, plaintext: &[u8]) -> String {
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
    fn open(&self, sealed: &str) -> Option<Vec<u8>> {
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
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    fn tracked_link_tokens_hide_their_numbers_and_refuse_any_change() {
        let a = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let b = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let token = a.tracked_link_token(7, 1234);
        assert_eq!(token.len(), 35);
        assert_eq!(token, a.tracked_link_token(7, 1234), "one recipient's link is stable");
        assert_ne!(token, a.tracked_link_token(7, 1235));
        assert_eq!(a.open_tracked_link_token(&token), Some((7, 1234)));
        assert_eq!(b.open_tracked_link_token(&token), None, "another installation's key");
        // Neither number shows in the token's bytes.
        let raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        assert!(!raw.windows(8).any(|w| w == 1234i64.to_be_bytes() || w == 7i64.to_be_bytes()));
        // Any one character changed (each position, a different character) is refused.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for i in 0..token.len() {
            let mut t = token.clone().into_bytes();
            t[i] = *alphabet.iter().find(|&&c| c != t[i]).unwrap();
            let t = String::from_utf8(t).unwrap();
            assert_eq!(a.open_tracked_link_token(&t), None, "changed at {i}: {t}");
        }
        assert_eq!(a.open_tracked_link_token(&token[..34]), None);
        assert_eq!(a.open_tracked_link_token(""), None);
        assert_eq!(a.open_tracked_link_token("not a token at all, not at all!!!!"), None);
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
    fn a_sealed_value_opens_only_where_it_was_sealed() {
        let k = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let a = k.seal_for(SealedAt::channel_token(1), b"token-of-clinic-1");
        assert_eq!(
            k.open_at(SealedAt::channel_token(1), &a).as_deref(),
            Some(&b"token-of-clinic-1"[..])
        );
        // Copied to another clinic's row, or to the secret's column: refused.
        assert_eq!(k.open_at(SealedAt::channel_token(2), &a), None);
        assert_eq!(k.open_at(SealedAt::channel_secret(1), &a), None);
        assert_eq!(k.open_at(SealedAt::totp(1), &a), None);
        // An old unbound value still opens, and is bound by `reseal`.
        let old = k.seal(b"legacy");
        assert_eq!(k.open_at(SealedAt::totp(7), &old).as_deref(), Some(&b"legacy"[..]));
        let bound = k.reseal(SealedAt::totp(7), &old).unwrap();
        assert_eq!(k.open_at(SealedAt::totp(7), &bound).as_deref(), Some(&b"legacy"[..]));
        assert_eq!(k.open_at(SealedAt::totp(8), &bound), None);
        assert_eq!(k.reseal(SealedAt::totp(7), &bound), None, "bound already");
    }

    #[test]
    fn the_audit_mac_needs_the_key() {
        let a = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let b = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        assert_eq!(a.audit_mac(b"row").len(), 64);
        assert_ne!(a.audit_mac(b"row"), b.audit_mac(b"row"));
        assert_ne!(a.audit_mac(b"row"), sha256_hex(b"row"));
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
