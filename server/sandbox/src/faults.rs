//! Fault injection: LINE answering 5xx, slowly, too late, or not at all.

use serde::{Deserialize, Serialize};

/// Rates are fractions of LINE API requests (0.0–1.0), drawn independently.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Answer 500 without doing anything.
    pub server_error_rate: f64,
    /// Do the work, but only after `slow_ms`.
    pub slow_rate: f64,
    pub slow_ms: u64,
    /// Do the work, then wait `timeout_ms` before answering, longer than a
    /// client waits: the caller cannot know it happened.
    pub timeout_rate: f64,
    pub timeout_ms: u64,
    /// Do the work, then drop the connection without an answer.
    pub drop_rate: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    ServerError,
    Slow(u64),
    Timeout(u64),
    Drop,
}

impl Faults {
    pub fn draw(&self) -> Option<Fault> {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        let mut hit = |rate: f64| rate > 0.0 && rng.gen::<f64>() < rate;
        if hit(self.server_error_rate) {
            Some(Fault::ServerError)
        } else if hit(self.drop_rate) {
            Some(Fault::Drop)
        } else if hit(self.timeout_rate) {
            Some(Fault::Timeout(self.timeout_ms.max(1)))
        } else if hit(self.slow_rate) {
            Some(Fault::Slow(self.slow_ms))
        } else {
            None
        }
    }
}
