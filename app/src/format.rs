//! Showing times to people: clinic-local (Asia/Tokyo) at the edge only.

/// `2026-11-22 09:05:00` in Japan time, from UTC milliseconds.
#[cfg(feature = "ssr")]
pub fn jst_datetime(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono_tz::Asia::Tokyo).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// `jst_datetime`, or nothing for a moment that has not come.
#[cfg(feature = "ssr")]
pub fn jst_datetime_or_empty(ms: Option<i64>) -> String {
    ms.map(jst_datetime).unwrap_or_default()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn utc_is_shown_in_tokyo_time() {
        assert_eq!(super::jst_datetime(1_790_000_000_000), "2026-09-21 23:13:20");
        assert_eq!(super::jst_datetime(0), "1970-01-01 09:00:00");
    }
}
