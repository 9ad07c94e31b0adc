//! The LINE sandbox: a local stand-in for the LINE platform (LINE.md, last
//! section), so demos, staff training and tests run without LINE. The
//! product cannot tell it from LINE except by its base URL.
//!
//! It keeps simulated people (patients and staff) who follow, block,
//! unblock and write, each turned into a correctly signed webhook POST to the
//! product; it answers the Messaging API with LINE's shapes and validation
//! messages, counts the monthly quota per plan, remembers retry keys, and
//! records every delivery in a ledger so tests can prove "exactly one copy".

mod api;
pub mod demo;
mod ids;
mod state;

pub use state::{ChannelConfig, Delivery, Person, PersonKind, PersonView, Plan, SandboxError};

use std::sync::{Arc, Mutex};

/// A running sandbox. Cheap to clone; all clones share one platform.
#[derive(Clone)]
pub struct Sandbox {
    state: Arc<Mutex<state::State>>,
    http: reqwest::Client,
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            state: Arc::new(Mutex::new(state::State::default())),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("reqwest client builds"),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The axum service: LINE's endpoints plus `/_sandbox/…` controls.
    pub fn router(&self) -> axum::Router {
        api::router(self.clone())
    }

    /// Sandbox time in milliseconds (the system clock plus any advance).
    pub fn now_ms(&self) -> i64 {
        self.lock().now_ms()
    }

    /// Moves the sandbox's clock forward (quota months, reply-token expiry,
    /// retry-key memory).
    pub fn advance(&self, ms: i64) {
        self.lock().offset_ms += ms.max(0);
    }

    /// Registers a channel (a clinic's LINE Official Account); returns its
    /// bot user ID. Registering the same channel ID again updates it.
    pub fn add_channel(&self, config: ChannelConfig) -> String {
        self.lock().add_channel(config)
    }

    pub fn add_person(&self, display_name: &str, kind: PersonKind) -> Person {
        self.lock().add_person(None, display_name, kind)
    }

    /// A person with a fixed user ID (the demo seeds the same people on
    /// every start).
    pub fn add_person_with_id(&self, user_id: &str, display_name: &str, kind: PersonKind) -> Person {
        self.lock().add_person(Some(user_id), display_name, kind)
    }

    /// Everyone, with their relation to `channel_id`.
    pub fn people(&self, channel_id: &str) -> Vec<PersonView> {
        self.lock().people(channel_id)
    }

    /// Everything `user_id` received, oldest first.
    pub fn received(&self, user_id: &str) -> Vec<Delivery> {
        self.lock().ledger.iter().filter(|d| d.to == user_id).cloned().collect()
    }

    /// Adds sends made outside the product (LINE's own manager app) to this
    /// month's usage.
    pub fn add_usage_elsewhere(&self, channel_id: &str, messages: i64) -> Result<(), SandboxError> {
        self.lock().add_usage(channel_id, messages)
    }

    /// Sets who follows whom without sending a webhook: the product already
    /// knows (used to restore the sandbox's view after a restart).
    pub fn restore_relation(&self, channel_id: &str, user_id: &str, blocked: bool) -> Result<(), SandboxError> {
        self.lock().restore_relation(channel_id, user_id, blocked)
    }

    pub async fn follow(&self, channel_id: &str, user_id: &str) -> Result<u16, SandboxError> {
        let post = self.lock().follow(channel_id, user_id)?;
        self.deliver(post).await
    }

    pub async fn block(&self, channel_id: &str, user_id: &str) -> Result<u16, SandboxError> {
        let post = self.lock().block(channel_id, user_id)?;
        self.deliver(post).await
    }

    pub async fn write(&self, channel_id: &str, user_id: &str, text: &str) -> Result<u16, SandboxError> {
        let post = self.lock().write(channel_id, user_id, text)?;
        self.deliver(post).await
    }

    /// Sends a signed webhook POST to the channel's webhook URL and returns
    /// the product's HTTP status.
    async fn deliver(&self, post: state::WebhookPost) -> Result<u16, SandboxError> {
        let res = self
            .http
            .post(&post.url)
            .header("content-type", "application/json")
            .header("x-line-signature", line::sign(&post.secret, post.body.as_bytes()))
            .body(post.body)
            .send()
            .await
            .map_err(|e| SandboxError::WebhookUnreachable(e.without_url().to_string()))?;
        Ok(res.status().as_u16())
    }
}
