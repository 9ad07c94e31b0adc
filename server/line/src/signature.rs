//! `x-line-signature`: Base64(HMAC-SHA256(channel secret, raw body)).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The signature LINE would send for `body`.
pub fn sign(channel_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(channel_secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks the header against the raw body bytes, in constant time. Any
/// malformed header is simply a mismatch.
pub fn verify_signature(channel_secret: &str, body: &[u8], header: &str) -> bool {
    let expected = sign(channel_secret, body);
    expected.as_bytes().ct_eq(header.trim().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    // LINE.md's test vectors.
    #[test]
    fn line_test_vectors() {
        assert_eq!(
            sign("channel_secret", b"bodybodybodybody"),
            "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k="
        );
        assert_eq!(
            sign("test_secret", br#"{"hello":"world"}"#),
            "t7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM="
        );
        assert!(verify_signature(
            "channel_secret",
            b"bodybodybodybody",
            "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k="
        ));
    }

    #[test]
    fn a_changed_body_secret_or_header_fails() {
        let sig = "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k=";
        assert!(!verify_signature("channel_secret", b"bodybodybodybodY", sig));
        assert!(!verify_signature("other_secret", b"bodybodybodybody", sig));
        assert!(!verify_signature("channel_secret", b"bodybodybodybody", ""));
        assert!(!verify_signature("channel_secret", b"bodybodybodybody", "not base64 at all"));
    }
}
