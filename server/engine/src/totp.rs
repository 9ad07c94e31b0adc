//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30 s, 6 digits), the
//! kind every authenticator app on a staff member's phone understands.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const PERIOD_SECS: i64 = 30;
pub const DIGITS: u32 = 6;

/// A new 160-bit secret, in the base32 that authenticator apps expect.
pub fn new_secret() -> String {
    let mut b = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut b);
    data_encoding::BASE32_NOPAD.encode(&b)
}

/// The time step a Unix time (seconds) falls in.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(PERIOD_SECS)
}

/// The code of one time step (RFC 4226 dynamic truncation).
pub fn code(secret: &[u8], step: i64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin =
        (u32::from(h[offset] & 0x7f) << 24) | (u32::from(h[offset + 1]) << 16) | (u32::from(h[offset + 2]) << 8) | u32::from(h[offset + 3]);
    format!("{:0width$}", bin % 10u32.pow(digits), width = digits as usize)
}

/// The step whose code matches `typed` within one step of clock drift either
/// way, or `None`. Spaces in what the user typed are ignored.
pub fn matching_step(secret_b32: &str, typed: &str, unix_secs: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let secret = data_encoding::BASE32_NOPAD.decode(secret_b32.as_bytes()).ok()?;
    let now = step_at(unix_secs);
    [now - 1, now, now + 1].into_iter().find(|&s| {
        let expected = code(&secret, s, DIGITS);
        subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), typed.as_bytes()).into()
    })
}

/// The `otpauth://` URI an authenticator app scans.
pub fn provisioning_uri(secret_b32: &str, account: &str) -> String {
    format!(
        "otpauth://totp/Yorisoi:{}?secret={secret_b32}&issuer=Yorisoi&algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECS}",
        model::percent_encode(account)
    )
}

/// The provisioning URI as an SVG QR code.
pub fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA1 rows (the seed is the ASCII "12345678901234567890").
    #[test]
    fn rfc6238_vectors() {
        let seed = b"12345678901234567890";
        for (t, expected) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(code(seed, step_at(t), 8), expected, "t={t}");
        }
    }

    #[test]
    fn accepts_one_step_of_drift_and_nothing_else() {
        let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        let t = 1_111_111_111;
        let now_code = code(b"12345678901234567890", step_at(t), 6);
        assert_eq!(matching_step(&secret, &now_code, t), Some(step_at(t)));
        assert_eq!(matching_step(&secret, &now_code, t + 30), Some(step_at(t)));
        assert_eq!(matching_step(&secret, &now_code, t + 90), None);
        let spaced = format!("{} {}", &now_code[..3], &now_code[3..]);
        assert_eq!(matching_step(&secret, &spaced, t), Some(step_at(t)));
        assert_eq!(matching_step(&secret, "12345", t), None);
        assert_eq!(matching_step(&secret, "abcdef", t), None);
    }

    #[test]
    fn uri_names_the_account() {
        let uri = provisioning_uri("ABC", "a+b@example.jp");
        assert!(uri.starts_with("otpauth://totp/Yorisoi:a%2Bb%40example.jp?secret=ABC"));
        assert!(qr_svg(&uri).contains("<svg"));
    }
}
