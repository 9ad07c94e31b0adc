//! Inflow routes (流入経路, SPEC §10): one URL and QR code per place a
//! patient meets the clinic (the reception poster, the website, the paper
//! handed at checkout); a friend added through one is counted there and
//! greeted by its own automation.

/// Where a route's URL lives: `{YORISOI_PUBLIC_URL}/r/{code}`.
pub const ROUTE_PATH: &str = "/r/";

pub const ROUTE_NAME_MAX: usize = 40;

/// A patient's visit to a route's page counts for a follow this long
/// after it (they read the page, open LINE, add the friend).
pub const ARRIVAL_WINDOW_MS: i64 = 60 * 60 * 1000;

/// Below this many friends a route shows counts but no rates (as LINE
/// hides small numbers; a rate of 1 in 3 says nothing).
pub const RATES_FROM: i64 = 20;

/// The name of a route, trimmed; `None` when empty or too long.
pub fn route_name(name: &str) -> Option<String> {
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= ROUTE_NAME_MAX).then(|| name.to_string())
}

/// The share of a route's friends still following, in whole percent;
/// `None` below [`RATES_FROM`] friends.
pub fn retention(friends: i64, blocked: i64) -> Option<i64> {
    (friends >= RATES_FROM).then(|| (friends - blocked) * 100 / friends)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_only_from_twenty_friends() {
        assert_eq!(retention(19, 1), None);
        assert_eq!(retention(20, 5), Some(75));
        assert_eq!(route_name("  受付ポスター "), Some("受付ポスター".into()));
        assert_eq!(route_name(" "), None);
        assert_eq!(route_name(&"あ".repeat(41)), None);
    }
}
