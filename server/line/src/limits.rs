//! LINE's numbers (LINE.md), in one place: when LINE changes one, it
//! changes here.

/// Message objects per send request.
pub const MAX_MESSAGES: usize = 5;
/// Text message length, in UTF-16 code units (🍎 counts 2).
pub const TEXT_MAX_UTF16: usize = 5000;
/// Recipients of one multicast.
pub const MULTICAST_MAX_RECIPIENTS: usize = 500;
/// Request bodies above this are refused with 413.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// A reply token is good for about this long after its event.
pub const REPLY_TOKEN_TTL_MS: i64 = 60_000;
/// LINE remembers a retry key this long.
pub const RETRY_KEY_TTL_MS: i64 = 24 * 3600 * 1000;

/// Length as LINE counts it.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    #[test]
    fn emoji_count_twice() {
        assert_eq!(super::utf16_len("🍎"), 2);
        assert_eq!(super::utf16_len("予約"), 2);
    }
}
