//! LINE's per-channel, per-endpoint token buckets, on sandbox time.

use line::limits;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How the sandbox limits request rates.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimits {
    /// Off for throughput tests.
    #[serde(default)]
    pub disabled: bool,
    /// `"POST /v2/bot/message/multicast"` → (limit, per milliseconds),
    /// replacing LINE's number for that endpoint.
    #[serde(default)]
    pub overrides: HashMap<String, (u32, i64)>,
}

impl RateLimits {
    fn limit(&self, method: &str, path: &str) -> (u32, i64) {
        self.overrides
            .get(&format!("{method} {path}"))
            .copied()
            .unwrap_or_else(|| limits::rate_limit(method, path))
    }
}

struct Bucket {
    tokens: f64,
    at_ms: i64,
}

#[derive(Default)]
pub struct Buckets {
    pub config: RateLimits,
    buckets: HashMap<(String, String, String), Bucket>,
}

impl Buckets {
    /// Takes one token for `(channel, method, path)`; false when the bucket
    /// is empty (LINE answers 429).
    pub fn take(&mut self, channel_id: &str, method: &str, path: &str, now_ms: i64) -> bool {
        if self.config.disabled {
            return true;
        }
        let (limit, per_ms) = self.config.limit(method, path);
        let capacity = limit.max(1) as f64;
        let bucket = self
            .buckets
            .entry((channel_id.to_string(), method.to_string(), path.to_string()))
            .or_insert(Bucket {
                tokens: capacity,
                at_ms: now_ms,
            });
        let elapsed = (now_ms - bucket.at_ms).max(0) as f64;
        bucket.tokens = (bucket.tokens + elapsed * capacity / per_ms.max(1) as f64).min(capacity);
        bucket.at_ms = now_ms;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn configure(&mut self, config: RateLimits) {
        self.config = config;
        self.buckets.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refills_at_the_endpoint_rate() {
        let mut b = Buckets::default();
        let path = "/v2/bot/message/broadcast";
        for _ in 0..60 {
            assert!(b.take("c", "POST", path, 0));
        }
        assert!(!b.take("c", "POST", path, 0), "61st broadcast within the hour");
        assert!(b.take("c2", "POST", path, 0), "buckets are per channel");
        assert!(b.take("c", "POST", "/v2/bot/message/push", 0), "and per endpoint");
        assert!(!b.take("c", "POST", path, 59_000));
        assert!(b.take("c", "POST", path, 60_000), "one token a minute comes back");
        b.configure(RateLimits {
            disabled: true,
            ..Default::default()
        });
        assert!((0..1000).all(|_| b.take("c", "POST", path, 60_000)));
    }
}
