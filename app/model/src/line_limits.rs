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

/// Insight figures below this many users come back as `null`.
pub const INSIGHT_MIN_USERS: i64 = 20;

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
    }

    #[test]
    fn multicast_is_slower_than_push() {
        assert_eq!(rate_limit("POST", "/v2/bot/message/multicast"), (200, 1000));
        assert_eq!(rate_limit("POST", "/v2/bot/message/push"), (2000, 1000));
        assert_eq!(rate_limit("GET", "/v2/bot/richmenu/list"), (10, 1000));
    }
}
