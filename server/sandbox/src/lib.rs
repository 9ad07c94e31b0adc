//! The LINE sandbox: a local stand-in for the LINE platform (LINE.md, last
//! section), so demos, staff training and tests run without LINE. The
//! product cannot tell it from LINE except by its base URL.
//!
//! It keeps simulated people (patients and staff) who follow, block,
//! unblock, write, tap and open, each turned into a correctly signed
//! webhook POST to the product; it answers the Messaging API (both hosts)
//! with LINE's shapes and validation messages, rate limits, counts the
//! monthly quota per plan, remembers retry keys, keeps rich menus, injects
//! faults on request, and records every delivery in a ledger so tests can
//! prove "exactly one copy". State lives in memory only.

mod api;
pub mod demo;
mod faults;
mod ids;
mod insight;
mod ratelimit;
mod richmenu;
mod state;
pub mod validate;

pub use faults::Faults;
pub use ratelimit::RateLimits;
pub use state::{ChannelConfig, Delivery, Person, PersonKind, PersonView, Plan, WebhookBehaviour, Written};

use serde_json::Value;
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("no such channel in the sandbox")]
    UnknownChannel,
    #[error("no such person in the sandbox")]
    UnknownPerson,
    #[error("this person is not a friend of the channel")]
    NotAFriend,
    #[error("this person cannot see that button")]
    NotVisible,
    #[error("the product's webhook could not be reached: {0}")]
    WebhookUnreachable(String),
}

/// How held webhook events are sent when flushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlushOrder {
    AsHappened,
    Reversed,
    Shuffled,
}

/// A running sandbox. Cheap to clone; all clones share one platform.
#[derive(Clone)]
pub struct Sandbox {
    state: Arc<Mutex<state::State>>,
    http: reqwest::Client,
    control_token: Option<Arc<str>>,
}

/// The header that carries the controls' token.
pub const CONTROL_TOKEN_HEADER: &str = "x-sandbox-token";

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let mut state = state::State::default();
        state.narrowcast_ms = Some(500);
        Sandbox {
            state: Arc::new(Mutex::new(state)),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("reqwest client builds"),
            control_token: None,
        }
    }

    /// Guards `/_sandbox/…` with `token` (sent in `X-Sandbox-Token`).
    pub fn with_control_token(mut self, token: &str) -> Sandbox {
        self.control_token = Some(token.into());
        self
    }

    pub(crate) fn control_token(&self) -> Option<&str> {
        self.control_token.as_deref()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The axum service: both LINE hosts' endpoints plus `/_sandbox/…`
    /// controls.
    pub fn router(&self) -> axum::Router {
        api::router(self.clone())
    }

    /// Sandbox time in milliseconds (the system clock plus any advance).
    pub fn now_ms(&self) -> i64 {
        self.lock().now_ms()
    }

    /// Moves the sandbox's clock forward (quota months, reply-token expiry,
    /// retry-key memory, rate-limit refills).
    pub fn advance(&self, ms: i64) {
        self.lock().offset_ms += ms.max(0);
    }

    /// Registers a channel (a clinic's LINE Official Account); returns its
    /// bot user ID. Registering the same channel ID again updates it.
    pub fn add_channel(&self, config: ChannelConfig) -> String {
        self.lock().add_channel(config)
    }

    /// LINE takes images only by `https` URL. A product demo on a laptop
    /// has no TLS, so its own uploads (`http://127.0.0.1:3000/media/…`) are
    /// taken from this one origin as LINE would take the same file behind
    /// HTTPS; every other image URL must still be `https`.
    pub fn accept_plain_http_images_from(&self, origin: Option<String>) {
        self.lock().plain_http_image_origin = origin.map(|o| o.trim_end_matches('/').to_string());
    }

    pub(crate) fn message_problems(&self) -> validate::Problems {
        validate::Problems::with_plain_http_images_from(self.lock().plain_http_image_origin.clone())
    }

    pub fn set_rate_limits(&self, config: RateLimits) {
        self.lock().buckets.configure(config);
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    pub fn set_webhooks(&self, behaviour: WebhookBehaviour) {
        self.lock().webhooks = behaviour;
    }

    /// How long (real time) a narrowcast runs before it completes by
    /// itself; `None` keeps narrowcasts running until
    /// [`Sandbox::complete_narrowcasts`].
    pub fn set_narrowcast_duration(&self, ms: Option<u64>) {
        self.lock().narrowcast_ms = ms;
    }

    pub fn complete_narrowcasts(&self) {
        self.lock().complete_narrowcasts(None);
    }

    pub fn add_person(&self, display_name: &str, kind: PersonKind) -> Person {
        self.lock().add_person(None, display_name, kind)
    }

    /// A person made for one channel (its phone page), listed only there.
    pub fn add_person_for(&self, channel_id: &str, user_id: &str, display_name: &str, kind: PersonKind) -> Person {
        let mut st = self.lock();
        let person = st.add_person(Some(user_id), display_name, kind);
        st.set_home(user_id, channel_id);
        person
    }

    /// A new person (a fresh user ID) made for one channel.
    pub fn add_person_to(&self, channel_id: &str, display_name: &str, kind: PersonKind) -> Result<Person, SandboxError> {
        let mut st = self.lock();
        st.channel_index(channel_id)?;
        let person = st.add_person(None, display_name, kind);
        st.set_home(&person.user_id, channel_id);
        Ok(person)
    }

    /// A person with a fixed user ID (the demo seeds the same people on
    /// every start).
    pub fn add_person_with_id(&self, user_id: &str, display_name: &str, kind: PersonKind) -> Person {
        self.lock().add_person(Some(user_id), display_name, kind)
    }

    /// The person changes their LINE name (the product sees it at its next
    /// profile refresh).
    pub fn rename(&self, user_id: &str, display_name: &str) -> Result<(), SandboxError> {
        self.lock().rename(user_id, display_name)
    }

    /// The people `channel_id` may see, with their relation to it.
    pub fn people(&self, channel_id: &str) -> Vec<PersonView> {
        self.lock().people(channel_id)
    }

    /// Everything `user_id` received, oldest first.
    pub fn received(&self, user_id: &str) -> Vec<Delivery> {
        self.lock().ledger.iter().filter(|d| d.to == user_id).cloned().collect()
    }

    /// Every delivery of every channel, oldest first.
    pub fn ledger(&self) -> Vec<Delivery> {
        self.lock().ledger.clone()
    }

    /// What `user_id` wrote, with the clinic's read marks.
    pub fn written(&self, user_id: &str) -> Vec<Written> {
        self.lock().written.iter().filter(|w| w.from == user_id).cloned().collect()
    }

    /// What `user_id` received from `channel_id` alone.
    pub fn received_from(&self, channel_id: &str, user_id: &str) -> Vec<Delivery> {
        self.lock()
            .ledger
            .iter()
            .filter(|d| d.to == user_id && d.channel_id == channel_id)
            .cloned()
            .collect()
    }

    /// What `user_id` wrote to `channel_id` alone.
    pub fn written_to(&self, channel_id: &str, user_id: &str) -> Vec<Written> {
        self.lock()
            .written
            .iter()
            .filter(|w| w.from == user_id && w.channel_id == channel_id)
            .cloned()
            .collect()
    }

    /// One channel's deliveries, oldest first.
    pub fn ledger_of(&self, channel_id: &str) -> Vec<Delivery> {
        self.lock().ledger.iter().filter(|d| d.channel_id == channel_id).cloned().collect()
    }

    /// The rich menu `user_id` sees in `channel_id` (LINE's
    /// `RichMenuResponse`), if any.
    pub fn rich_menu_of(&self, channel_id: &str, user_id: &str) -> Option<Value> {
        let st = self.lock();
        let ch = st.channel_index(channel_id).ok()?;
        st.channels[ch].rich_menus.shown_to(user_id).map(|m| m.response())
    }

    /// Every rich menu of a channel (LINE's `RichMenuResponse`s, oldest
    /// first), its aliases (alias → menu) and its API default.
    pub fn rich_menus_of(&self, channel_id: &str) -> (Vec<Value>, Vec<(String, String)>, Option<String>) {
        let st = self.lock();
        let Ok(ch) = st.channel_index(channel_id) else {
            return (vec![], vec![], None);
        };
        let r = &st.channels[ch].rich_menus;
        (
            r.menus.iter().map(|m| m.response()).collect(),
            r.aliases.iter().map(|(a, m)| (a.clone(), m.clone())).collect(),
            r.default.clone(),
        )
    }

    /// The image of a rich menu, with its content type.
    pub fn rich_menu_image(&self, channel_id: &str, rich_menu_id: &str) -> Option<(String, Vec<u8>)> {
        let st = self.lock();
        let ch = st.channel_index(channel_id).ok()?;
        st.channels[ch].rich_menus.get(rich_menu_id)?.image.clone()
    }

    /// Adds sends made outside the product (LINE's own manager app) to this
    /// month's usage.
    pub fn add_usage_elsewhere(&self, channel_id: &str, messages: i64) -> Result<(), SandboxError> {
        self.lock().add_usage(channel_id, messages)
    }

    /// Changes a channel's plan and, if given, sets this month's usage.
    pub fn set_plan(&self, channel_id: &str, plan: Plan, usage: Option<i64>) -> Result<(), SandboxError> {
        self.lock().set_plan(channel_id, plan, usage)
    }

    /// Whether `user_id` follows `channel_id` now (and has not blocked it).
    pub fn is_friend_of(&self, channel_id: &str, user_id: &str) -> bool {
        let st = self.lock();
        st.channel_index(channel_id).is_ok_and(|ch| st.is_friend(ch, user_id))
    }

    /// This month's counted messages of a channel.
    pub fn usage(&self, channel_id: &str) -> Result<i64, SandboxError> {
        let st = self.lock();
        let ch = st.channel_index(channel_id)?;
        Ok(st.usage(ch))
    }

    /// People with these user IDs who are friends of the channel already
    /// (no webhooks), for tests and benchmarks.
    pub fn add_friends(&self, channel_id: &str, users: &[String]) -> Result<(), SandboxError> {
        for (k, u) in users.iter().enumerate() {
            self.add_person_with_id(u, &format!("患者 {k}"), PersonKind::Patient);
            self.restore_relation(channel_id, u, false)?;
        }
        Ok(())
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

    /// The person taps a button they can see (rich menu area, quick reply,
    /// template or flex button). Returns the product's answer to the
    /// webhook, or `None` for a link (only counted as a click).
    pub async fn tap(&self, channel_id: &str, user_id: &str, action: &Value) -> Result<Option<u16>, SandboxError> {
        let post = {
            let mut st = self.lock();
            if !st.can_see_action(channel_id, user_id, action) {
                return Err(SandboxError::NotVisible);
            }
            st.tap(channel_id, user_id, action)?
        };
        match post {
            Some(post) => self.deliver(post).await.map(Some),
            None => Ok(None),
        }
    }

    /// The person opens the chat: everything received counts as seen.
    pub fn open(&self, channel_id: &str, user_id: &str) -> Result<(), SandboxError> {
        self.lock().open(channel_id, user_id)
    }

    /// Sends the held events, `per_post` to a POST, in `order`. Returns the
    /// product's answers.
    pub async fn flush_webhooks(&self, per_post: usize, order: FlushOrder) -> Result<Vec<u16>, SandboxError> {
        let mut held = std::mem::take(&mut self.lock().held);
        match order {
            FlushOrder::AsHappened => {}
            FlushOrder::Reversed => held.reverse(),
            FlushOrder::Shuffled => {
                use rand::seq::SliceRandom;
                held.shuffle(&mut rand::thread_rng());
            }
        }
        // Only events for the same webhook can share a POST.
        let mut posts: Vec<state::WebhookPost> = Vec::new();
        for p in held {
            match posts.last_mut() {
                Some(last) if last.url == p.url && last.events.len() < per_post.max(1) => last.events.extend(p.events),
                _ => posts.push(p),
            }
        }
        let mut statuses = Vec::new();
        for p in posts {
            statuses.push(self.send_post(p).await?);
        }
        Ok(statuses)
    }

    /// Sends a webhook POST, or holds it when webhooks are held. Returns
    /// the product's HTTP status (200 for a held event).
    async fn deliver(&self, post: state::WebhookPost) -> Result<u16, SandboxError> {
        {
            let mut st = self.lock();
            if st.webhooks.hold {
                st.held.push(post);
                return Ok(200);
            }
        }
        self.send_post(post).await
    }

    async fn send_post(&self, post: state::WebhookPost) -> Result<u16, SandboxError> {
        let behaviour = self.lock().webhooks.clone();
        let first = self.post_once(&post).await;
        let answered = matches!(first, Ok(s) if (200..300).contains(&s));
        let duplicate = answered && behaviour.duplicate_rate > 0.0 && rand::random::<f64>() < behaviour.duplicate_rate;
        if (!answered && behaviour.redelivery) || duplicate {
            let again = self.post_once(&post.redelivery()).await;
            if !answered {
                return again;
            }
        }
        first
    }

    async fn post_once(&self, post: &state::WebhookPost) -> Result<u16, SandboxError> {
        let body = post.body();
        let res = self
            .http
            .post(&post.url)
            .header("content-type", "application/json")
            .header("x-line-signature", line::sign(&post.secret, body.as_bytes()))
            .body(body)
            .send()
            .await
            .map_err(|e| SandboxError::WebhookUnreachable(e.without_url().to_string()))?;
        Ok(res.status().as_u16())
    }
}
