//! The clinic's domain: every rule and change of state, called alike by the
//! server functions, the webhook and the workers.

pub mod accounts;
pub mod audit;
pub mod authz;
pub mod clock;
pub mod crypto;
mod error;
pub mod password;
pub mod seed;
pub mod totp;
pub mod webhook;

pub use authz::Actor;
pub use clock::{Clock, ManualClock, SystemClock};
pub use crypto::SecretBox;
pub use error::EngineError;
pub use store::Db;

use std::sync::Arc;

/// Everything the engine needs, passed in once at start-up. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub secrets: SecretBox,
    /// Woken when new webhook events are stored, so the worker starts at once.
    pub inbox_signal: Arc<tokio::sync::Notify>,
}

impl Engine {
    pub fn new(db: Db, clock: Arc<dyn Clock>, secrets: SecretBox) -> Engine {
        Engine {
            db,
            clock,
            secrets,
            inbox_signal: Arc::new(tokio::sync::Notify::new()),
        }
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}
