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

/// Quick reply buttons under one message.
pub const QUICK_REPLY_MAX_ITEMS: usize = 13;
/// Action labels on rich menus, quick replies and templates.
pub const ACTION_LABEL_MAX: usize = 20;
/// Labels of image-carousel columns.
pub const IMAGE_CAROUSEL_LABEL_MAX: usize = 12;
/// Labels of flex buttons.
pub const FLEX_BUTTON_LABEL_MAX: usize = 40;
pub const ALT_TEXT_MAX: usize = 400;
pub const POSTBACK_DATA_MAX: usize = 300;
pub const URI_MAX: usize = 1000;
/// The only schemes a URI action may use.
pub const URI_SCHEMES: [&str; 4] = ["http", "https", "line", "tel"];
pub const BUTTONS_TITLE_MAX: usize = 40;
pub const BUTTONS_TEXT_MAX: usize = 160;
/// Buttons template text when it has an image or a title.
pub const BUTTONS_TEXT_WITH_IMAGE_OR_TITLE_MAX: usize = 60;
pub const BUTTONS_MAX_ACTIONS: usize = 4;
pub const CONFIRM_TEXT_MAX: usize = 240;
pub const CAROUSEL_MAX_COLUMNS: usize = 10;
/// Carousel column text (60 with an image or a title, as for buttons).
pub const CAROUSEL_COLUMN_TEXT_MAX: usize = 120;
pub const CAROUSEL_COLUMN_MAX_ACTIONS: usize = 3;
pub const FLEX_BUBBLE_MAX_BYTES: usize = 30 * 1024;
pub const FLEX_CAROUSEL_MAX_BUBBLES: usize = 12;
pub const FLEX_CAROUSEL_MAX_BYTES: usize = 50 * 1024;
pub const IMAGE_ORIGINAL_MAX_BYTES: usize = 10 * 1024 * 1024;
pub const IMAGE_PREVIEW_MAX_BYTES: usize = 1024 * 1024;

/// Rich menus (LINE.md "Rich menus").
pub const RICH_MENU_MIN_WIDTH: u32 = 800;
pub const RICH_MENU_MAX_WIDTH: u32 = 2500;
pub const RICH_MENU_MIN_HEIGHT: u32 = 250;
/// width / height must be at least this.
pub const RICH_MENU_MIN_ASPECT: f64 = 1.45;
pub const RICH_MENU_IMAGE_MAX_BYTES: usize = 1024 * 1024;
pub const RICH_MENU_MAX_AREAS: usize = 20;
pub const RICH_MENU_CHAT_BAR_TEXT_MAX: usize = 14;
pub const RICH_MENU_NAME_MAX: usize = 300;
/// A message action's text (what a tap sends as the user's message).
pub const MESSAGE_ACTION_TEXT_MAX: usize = 300;
pub const RICH_MENUS_PER_CHANNEL: usize = 1000;
pub const RICH_MENU_ALIASES_PER_CHANNEL: usize = 1000;
pub const RICH_MENU_BULK_MAX_USERS: usize = 500;

/// `customAggregationUnits` names: `^[a-zA-Z0-9_]{1,30}$`.
pub fn is_aggregation_unit(name: &str) -> bool {
    (1..=30).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Rich menu alias IDs: `^[a-z0-9_-]{1,32}$`.
pub fn is_rich_menu_alias_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// LINE user IDs: `U` and 32 lowercase hex digits (per provider).
pub fn is_user_id(id: &str) -> bool {
    id.len() == 33 && id.starts_with('U') && id[1..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Rich menu IDs: `richmenu-` and 32 lowercase hex digits.
pub fn is_rich_menu_id(id: &str) -> bool {
    id.strip_prefix("richmenu-")
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// Insight figures below this many users come back as `null`.
pub const INSIGHT_MIN_USERS: i64 = 20;

/// A day as LINE's statistics endpoints take it: the Japan-time date as
/// `yyyyMMdd`.
pub fn insight_date(ms: i64) -> String {
    let d = crate::segment::Date::jst_of_ms(ms);
    format!("{:04}{:02}{:02}", d.y, d.m, d.d)
}

/// One rate limit: `limit` requests per `per_ms`, per channel, for one
/// endpoint (LINE.md "Rate limits and errors").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub method: &'static str,
    /// The path as LINE's reference writes it (`{richMenuId}` for a parameter).
    pub path: &'static str,
    pub limit: u32,
    pub per_ms: i64,
}

const SECOND: i64 = 1000;
const HOUR: i64 = 3600 * SECOND;
const MINUTE: i64 = 60 * SECOND;

/// Endpoints with their own limit; every other endpoint has
/// [`DEFAULT_RATE_LIMIT`].
pub const RATE_LIMITS: &[RateLimit] = &[
    RateLimit {
        method: "POST",
        path: "/v2/bot/message/multicast",
        limit: 200,
        per_ms: SECOND,
    },
    RateLimit {
        method: "POST",
        path: "/v2/bot/message/narrowcast",
        limit: 60,
        per_ms: HOUR,
    },
    RateLimit {
        method: "POST",
        path: "/v2/bot/message/broadcast",
        limit: 60,
        per_ms: HOUR,
    },
    RateLimit {
        method: "POST",
        path: "/v2/bot/richmenu",
        limit: 100,
        per_ms: HOUR,
    },
    RateLimit {
        method: "DELETE",
        path: "/v2/bot/richmenu/{richMenuId}",
        limit: 100,
        per_ms: HOUR,
    },
    RateLimit {
        method: "GET",
        path: "/v2/bot/richmenu/list",
        limit: 10,
        per_ms: SECOND,
    },
    RateLimit {
        method: "POST",
        path: "/v2/bot/richmenu/batch",
        limit: 3,
        per_ms: HOUR,
    },
    RateLimit {
        method: "GET",
        path: "/v2/bot/insight/message/event",
        limit: 60,
        per_ms: HOUR,
    },
    RateLimit {
        method: "GET",
        path: "/v2/bot/insight/message/event/aggregation",
        limit: 60,
        per_ms: HOUR,
    },
    RateLimit {
        method: "GET",
        path: "/v2/bot/insight/richmenu/{richMenuId}/summary",
        limit: 60,
        per_ms: HOUR,
    },
    RateLimit {
        method: "GET",
        path: "/v2/bot/insight/richmenu/{richMenuId}/daily",
        limit: 60,
        per_ms: HOUR,
    },
    RateLimit {
        method: "POST",
        path: "/v2/bot/audienceGroup/upload",
        limit: 60,
        per_ms: MINUTE,
    },
];

/// Everything else: 2,000 requests a second.
pub const DEFAULT_RATE_LIMIT: (u32, i64) = (2000, SECOND);

/// The limit for one endpoint (`path` as in [`RateLimit::path`]).
pub fn rate_limit(method: &str, path: &str) -> (u32, i64) {
    RATE_LIMITS
        .iter()
        .find(|r| r.method == method && r.path == path)
        .map(|r| (r.limit, r.per_ms))
        .unwrap_or(DEFAULT_RATE_LIMIT)
}

/// Length as LINE counts it.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The first bytes of every PNG file.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The pixel size of a PNG or JPEG, read from its header; `None` for
/// anything else (LINE takes only these two).
pub fn image_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.starts_with(PNG_SIGNATURE) {
        // The first chunk must be IHDR: width and height, big-endian.
        if bytes.len() < 24 || &bytes[12..16] != b"IHDR" {
            return None;
        }
        let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
        let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
        return (w > 0 && h > 0).then_some((w, h));
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        // Walk the segments to the first start-of-frame marker.
        let mut i = 2;
        while i + 4 <= bytes.len() {
            if bytes[i] != 0xFF {
                return None;
            }
            let marker = bytes[i + 1];
            if marker == 0xFF {
                i += 1;
                continue;
            }
            let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
            let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
            if is_sof {
                if i + 9 > bytes.len() {
                    return None;
                }
                let h = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]) as u32;
                let w = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]) as u32;
                return (w > 0 && h > 0).then_some((w, h));
            }
            if len < 2 {
                return None;
            }
            i += 2 + len;
        }
    }
    None
}

/// The content type of a PNG or JPEG, read from its first bytes.
pub fn image_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(PNG_SIGNATURE) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_count_twice() {
        assert_eq!(utf16_len("🍎"), 2);
        assert_eq!(utf16_len("予約"), 2);
    }

    #[test]
    fn patterns() {
        assert!(is_aggregation_unit("flu_2026"));
        assert!(!is_aggregation_unit("flu-2026"));
        assert!(!is_aggregation_unit(&"a".repeat(31)));
        assert!(is_rich_menu_alias_id("tab-a_1"));
        assert!(!is_rich_menu_alias_id("Tab"));
        assert!(!is_rich_menu_alias_id(""));
        assert!(!is_rich_menu_alias_id(&"a".repeat(33)));
        assert!(is_user_id(&format!("U{}", "0a".repeat(16))));
        assert!(!is_user_id(&format!("U{}", "0A".repeat(16))));
        assert!(!is_user_id("U123"));
        assert!(is_rich_menu_id(&format!("richmenu-{}", "0a".repeat(16))));
        assert!(!is_rich_menu_id("richmenu-1"));
        assert!(!is_rich_menu_id(&format!("richmenu-..%2F{}", "0".repeat(27))));
    }

    #[test]
    fn multicast_is_slower_than_push() {
        assert_eq!(rate_limit("POST", "/v2/bot/message/multicast"), (200, 1000));
        assert_eq!(rate_limit("POST", "/v2/bot/message/push"), (2000, 1000));
        assert_eq!(rate_limit("GET", "/v2/bot/richmenu/list"), (10, 1000));
    }

    #[test]
    fn image_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(2500u32.to_be_bytes());
        png.extend(843u32.to_be_bytes());
        assert_eq!(image_size(&png), Some((2500, 843)));
        // APP0 segment, then SOF0 with height 1686, width 2500.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x06, 0x96, 0x09, 0xC4,
        ];
        assert_eq!(image_size(&jpeg), Some((2500, 1686)));
        assert_eq!(image_size(b"GIF89a...."), None);
        assert_eq!(image_size(&png[..20]), None);
        assert_eq!(image_content_type(&png), Some("image/png"));
        assert_eq!(image_content_type(&jpeg), Some("image/jpeg"));
        assert_eq!(image_content_type(b"GIF89a"), None);
    }
}
