//! IDs shaped like LINE's.

use rand::Rng;

/// A user ID: `U` and 32 lowercase hex digits.
pub fn user_id() -> String {
    let mut rng = rand::thread_rng();
    format!("U{:032x}", rng.gen::<u128>())
}

/// A ULID (as `webhookEventId`): 48 bits of milliseconds, 80 random bits,
/// in Crockford's base32.
pub fn ulid(now_ms: i64) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let random: u128 = rand::thread_rng().gen::<u128>() & ((1u128 << 80) - 1);
    let value = ((now_ms.max(0) as u128) << 80) | random;
    (0..26)
        .rev()
        .map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// A request ID for `X-Line-Request-Id`.
pub fn request_id() -> String {
    let mut rng = rand::thread_rng();
    let v: u128 = rng.gen();
    let s = format!("{v:032x}");
    format!("{}-{}-{}-{}-{}", &s[..8], &s[8..12], &s[12..16], &s[16..20], &s[20..])
}

pub fn token() -> String {
    format!("{:032x}", rand::thread_rng().gen::<u128>())
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes() {
        let u = super::user_id();
        assert!(u.len() == 33 && u.starts_with('U') && u[1..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        let a = super::ulid(1_700_000_000_000);
        assert_eq!(a.len(), 26);
        assert!(super::ulid(1_700_000_000_001) > a, "ULIDs sort by time");
    }
}
