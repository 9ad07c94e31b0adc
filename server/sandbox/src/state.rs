//! The sandbox's platform state and rules, apart from HTTP.

use crate::faults::Faults;
use crate::ids;
use crate::insight::SentRequest;
use crate::ratelimit::Buckets;
use crate::richmenu::RichMenus;
use crate::SandboxError;
use line::limits;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The plans and their ceilings are the product's own table (one place to
/// change when LINE does).
pub use model::plan::Plan;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelConfig {
    pub channel_id: String,
    pub channel_secret: String,
    pub access_token: String,
    /// Where this channel's webhook events are POSTed.
    pub webhook_url: String,
    pub bot_name: String,
    pub plan: Plan,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    Patient,
    Staff,
}

/// A simulated LINE user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub user_id: String,
    pub display_name: String,
    pub kind: PersonKind,
}

/// A person and their relation to one channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    #[serde(flatten)]
    pub person: Person,
    /// `none` (never followed), `friend` or `blocked`.
    pub status: &'static str,
}

/// One message bundle one person received.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub request_id: String,
    pub retry_key: Option<String>,
    pub at: i64,
    pub channel_id: String,
    pub to: String,
    /// `reply`, `push`, `multicast`, `broadcast` or `narrowcast`.
    pub via: &'static str,
    pub messages: Vec<Value>,
}

/// How the sandbox POSTs webhooks (LINE.md "Webhooks").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WebhookBehaviour {
    /// Queue events instead of POSTing them, until a flush sends them
    /// several to a POST and in the order asked for.
    pub hold: bool,
    /// Resend a POST the product did not answer with 2xx, marked
    /// `isRedelivery` (LINE's opt-in redelivery).
    pub redelivery: bool,
    /// Fraction of POSTs sent a second time as a redelivery even though
    /// the first one was answered.
    pub duplicate_rate: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Relation {
    Friend,
    Blocked,
}

pub(crate) struct Narrowcast {
    pub accepted_ms: i64,
    pub completed_ms: Option<i64>,
    /// Quota held back while it runs: the channel's target reach.
    pub reserved: i64,
    pub targets: Vec<String>,
    pub messages: Vec<Value>,
    pub retry_key: Option<String>,
}

pub(crate) struct Channel {
    pub config: ChannelConfig,
    pub bot_user_id: String,
    relations: HashMap<String, Relation>,
    /// Counted messages per JST month (`2026-11`).
    usage: HashMap<String, i64>,
    pub retry_keys: HashMap<String, (String, i64, Vec<Value>)>,
    pub rich_menus: RichMenus,
    pub narrowcasts: HashMap<String, Narrowcast>,
    /// Aggregation unit names used per JST month.
    pub units: HashMap<String, BTreeSet<String>>,
    pub requests: Vec<SentRequest>,
}

struct ReplyToken {
    channel_id: String,
    user_id: String,
    issued_at: i64,
}

/// Events on their way to one channel's webhook.
pub(crate) struct WebhookPost {
    pub url: String,
    pub secret: String,
    pub destination: String,
    pub events: Vec<Value>,
}

impl WebhookPost {
    pub fn body(&self) -> String {
        json!({"destination": self.destination, "events": self.events}).to_string()
    }

    /// The same events again, as LINE's redelivery sends them.
    pub fn redelivery(&self) -> WebhookPost {
        let events = self
            .events
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e["deliveryContext"]["isRedelivery"] = json!(true);
                e
            })
            .collect();
        WebhookPost {
            url: self.url.clone(),
            secret: self.secret.clone(),
            destination: self.destination.clone(),
            events,
        }
    }
}

/// What a person sees of one of their own messages.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    pub message_id: String,
    pub at: i64,
    pub channel_id: String,
    pub from: String,
    pub text: String,
    /// Marked as read by the clinic (`/v2/bot/chat/markAsRead`).
    pub read: bool,
}

#[derive(Default)]
pub(crate) struct State {
    pub offset_ms: i64,
    pub channels: Vec<Channel>,
    people: Vec<Person>,
    /// Position in `people` by user ID (tests add 100,000 people).
    people_at: HashMap<String, usize>,
    /// The channel a person was made for (on its phone page); they are
    /// listed only there. People without one (the demo's simulated town)
    /// are listed everywhere, being fictional.
    homes: HashMap<String, String>,
    pub ledger: Vec<Delivery>,
    pub written: Vec<Written>,
    reply_tokens: HashMap<String, ReplyToken>,
    /// markAsReadToken → (channel ID, user ID).
    read_tokens: HashMap<String, (String, String)>,
    pub buckets: Buckets,
    pub faults: Faults,
    pub webhooks: WebhookBehaviour,
    pub held: Vec<WebhookPost>,
    /// Real milliseconds a narrowcast takes to complete on its own.
    pub narrowcast_ms: Option<u64>,
    /// The newest event's timestamp: one person cannot do two things in
    /// the same millisecond, so events never share one.
    last_event_ms: i64,
    /// See `Sandbox::accept_plain_http_images_from`.
    pub plain_http_image_origin: Option<String>,
    /// LIFF's ID tokens issued: token → who, for which login channel, until when.
    id_tokens: HashMap<String, IdToken>,
}

/// An ID token as LIFF's `liff.getIDToken()` hands it to a page.
struct IdToken {
    channel_id: String,
    user_id: String,
    name: String,
    issued_ms: i64,
    expires_ms: i64,
}

/// How long LINE's ID tokens last.
const ID_TOKEN_MS: i64 = 60 * 60 * 1000;

/// The quota month a time falls in: the calendar month in Asia/Tokyo.
pub fn jst_month(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono_tz::Asia::Tokyo).format("%Y-%m").to_string())
        .unwrap_or_default()
}

/// The JST date (`yyyyMMdd`) of a time, as insight endpoints take them.
pub fn jst_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono_tz::Asia::Tokyo).format("%Y%m%d").to_string())
        .unwrap_or_default()
}

impl State {
    pub fn now_ms(&self) -> i64 {
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        system + self.offset_ms
    }

    pub fn add_channel(&mut self, config: ChannelConfig) -> String {
        if let Some(c) = self.channels.iter_mut().find(|c| c.config.channel_id == config.channel_id) {
            c.config = config;
            return c.bot_user_id.clone();
        }
        let bot_user_id = ids::user_id();
        self.channels.push(Channel {
            config,
            bot_user_id: bot_user_id.clone(),
            relations: HashMap::new(),
            usage: HashMap::new(),
            retry_keys: HashMap::new(),
            rich_menus: RichMenus::default(),
            narrowcasts: HashMap::new(),
            units: HashMap::new(),
            requests: Vec::new(),
        });
        bot_user_id
    }

    pub fn channel_by_token(&self, token: &str) -> Option<usize> {
        self.channels.iter().position(|c| c.config.access_token == token)
    }

    /// An ID token for a person opening a LIFF app of the channel (the
    /// sandbox's LIFF apps log in with the channel's own ID). Opaque to the
    /// product, which asks `/oauth2/v2.1/verify` who it is for.
    pub fn issue_id_token(&mut self, channel_id: &str, user_id: &str) -> Result<String, SandboxError> {
        self.channel_index(channel_id)?;
        let name = self.person(user_id).ok_or(SandboxError::UnknownPerson)?.display_name.clone();
        let token = format!("{}.{}.{}", crate::ids::token(), crate::ids::token(), crate::ids::token());
        let now = self.now_ms();
        self.id_tokens.insert(
            token.clone(),
            IdToken {
                channel_id: channel_id.to_string(),
                user_id: user_id.to_string(),
                name,
                issued_ms: now,
                expires_ms: now + ID_TOKEN_MS,
            },
        );
        Ok(token)
    }

    /// LINE Login's answer to verifying an ID token for `client_id`, or its
    /// `error_description`.
    pub fn verify_id_token(&self, token: &str, client_id: &str) -> Result<serde_json::Value, &'static str> {
        let t = self.id_tokens.get(token).ok_or("Invalid IdToken.")?;
        if t.expires_ms <= self.now_ms() {
            return Err("IdToken expired.");
        }
        if t.channel_id != client_id {
            return Err("Invalid IdToken Audience.");
        }
        Ok(serde_json::json!({
            "iss": "https://access.line.me",
            "sub": t.user_id,
            "aud": t.channel_id,
            "exp": t.expires_ms / 1000,
            "iat": t.issued_ms / 1000,
            "amr": ["linesso"],
            "name": t.name,
        }))
    }

    pub fn channel_index(&self, channel_id: &str) -> Result<usize, SandboxError> {
        self.channels
            .iter()
            .position(|c| c.config.channel_id == channel_id)
            .ok_or(SandboxError::UnknownChannel)
    }

    pub fn add_person(&mut self, user_id: Option<&str>, display_name: &str, kind: PersonKind) -> Person {
        if let Some(existing) = user_id.and_then(|id| self.person(id)) {
            return existing.clone();
        }
        let person = Person {
            user_id: user_id.map(str::to_string).unwrap_or_else(ids::user_id),
            display_name: display_name.to_string(),
            kind,
        };
        self.people_at.insert(person.user_id.clone(), self.people.len());
        self.people.push(person.clone());
        person
    }

    pub fn rename(&mut self, user_id: &str, display_name: &str) -> Result<(), SandboxError> {
        let at = *self.people_at.get(user_id).ok_or(SandboxError::UnknownPerson)?;
        let p = &mut self.people[at];
        p.display_name = display_name.to_string();
        Ok(())
    }

    pub fn person(&self, user_id: &str) -> Option<&Person> {
        self.people_at.get(user_id).map(|&at| &self.people[at])
    }

    /// Makes a person belong to one channel's list.
    pub fn set_home(&mut self, user_id: &str, channel_id: &str) {
        self.homes.insert(user_id.to_string(), channel_id.to_string());
    }

    /// The people channel `channel_id` may see: its own, the fictional
    /// town, and anyone who ever followed it.
    pub fn people(&self, channel_id: &str) -> Vec<PersonView> {
        let channel = self.channels.iter().find(|c| c.config.channel_id == channel_id);
        self.people
            .iter()
            .filter(|p| {
                self.homes.get(&p.user_id).is_none_or(|home| home == channel_id)
                    || channel.is_some_and(|c| c.relations.contains_key(&p.user_id))
            })
            .map(|p| PersonView {
                person: p.clone(),
                status: match channel.and_then(|c| c.relations.get(&p.user_id)) {
                    Some(Relation::Friend) => "friend",
                    Some(Relation::Blocked) => "blocked",
                    None => "none",
                },
            })
            .collect()
    }

    /// Whether `user_id` is a friend (following, not blocking) of channel `ch`.
    pub fn is_friend(&self, ch: usize, user_id: &str) -> bool {
        self.channels[ch].relations.get(user_id) == Some(&Relation::Friend)
    }

    /// Everyone who would receive a broadcast now.
    pub fn friends(&self, ch: usize) -> Vec<String> {
        let mut v: Vec<String> = self.channels[ch]
            .relations
            .iter()
            .filter(|(_, r)| **r == Relation::Friend)
            .map(|(u, _)| u.clone())
            .collect();
        v.sort();
        v
    }

    pub fn add_usage(&mut self, channel_id: &str, n: i64) -> Result<(), SandboxError> {
        let ch = self.channel_index(channel_id)?;
        self.count(ch, n);
        Ok(())
    }

    /// Adds `n` messages to this month's usage.
    fn count(&mut self, ch: usize, n: i64) {
        let month = jst_month(self.now_ms());
        *self.channels[ch].usage.entry(month).or_default() += n;
    }

    pub fn set_plan(&mut self, channel_id: &str, plan: Plan, usage: Option<i64>) -> Result<(), SandboxError> {
        let ch = self.channel_index(channel_id)?;
        self.channels[ch].config.plan = plan;
        if let Some(n) = usage {
            let month = jst_month(self.now_ms());
            self.channels[ch].usage.insert(month, n);
        }
        Ok(())
    }

    pub fn usage(&self, ch: usize) -> i64 {
        self.channels[ch].usage.get(&jst_month(self.now_ms())).copied().unwrap_or(0)
    }

    /// Quota held by running narrowcasts.
    fn reserved(&self, ch: usize) -> i64 {
        self.channels[ch]
            .narrowcasts
            .values()
            .filter(|n| n.completed_ms.is_none())
            .map(|n| n.reserved)
            .sum()
    }

    /// Whether `n` more messages fit this month (running narrowcasts'
    /// reservations included).
    pub fn fits(&self, ch: usize, n: i64) -> bool {
        match self.channels[ch].config.plan.hard_limit() {
            Some(limit) => self.usage(ch) + self.reserved(ch) + n <= limit,
            None => true,
        }
    }

    /// Counts `n` messages of this month's quota, all or nothing.
    pub fn charge(&mut self, ch: usize, n: i64) -> bool {
        if !self.fits(ch, n) {
            return false;
        }
        self.count(ch, n);
        true
    }

    /// Records one accepted send: the ledger of every recipient, and the
    /// request for insight.
    #[allow(clippy::too_many_arguments)]
    pub fn deliver(
        &mut self,
        ch: usize,
        to: &[String],
        via: &'static str,
        request_id: &str,
        retry_key: Option<&str>,
        messages: &[Value],
        unit: Option<String>,
    ) {
        let at = self.now_ms();
        let channel_id = self.channels[ch].config.channel_id.clone();
        for user in to {
            self.ledger.push(Delivery {
                request_id: request_id.to_string(),
                retry_key: retry_key.map(str::to_string),
                at,
                channel_id: channel_id.clone(),
                to: user.clone(),
                via,
                messages: messages.to_vec(),
            });
        }
        self.channels[ch].requests.push(SentRequest {
            request_id: request_id.to_string(),
            at_ms: at,
            via,
            unit,
            delivered: to.iter().cloned().collect(),
            message_count: messages.len(),
            opened: HashSet::new(),
            clicks: Vec::new(),
        });
    }

    /// Keeps an aggregation unit name if this month still has room for it
    /// (LINE drops names over 1,000 a month without telling).
    pub fn use_unit(&mut self, ch: usize, name: &str) -> Option<String> {
        let month = jst_month(self.now_ms());
        let units = self.channels[ch].units.entry(month).or_default();
        if units.contains(name) || units.len() < 1000 {
            units.insert(name.to_string());
            Some(name.to_string())
        } else {
            None
        }
    }

    pub fn units_this_month(&self, ch: usize) -> Vec<String> {
        self.channels[ch]
            .units
            .get(&jst_month(self.now_ms()))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Starts a narrowcast to every friend: the target reach is reserved
    /// now and settled when it completes. `None` if the reach does not fit.
    pub fn start_narrowcast(
        &mut self,
        ch: usize,
        request_id: &str,
        messages: Vec<Value>,
        max: Option<usize>,
        retry_key: Option<String>,
    ) -> bool {
        let reach = self.friends(ch);
        if !self.fits(ch, reach.len() as i64) {
            return false;
        }
        let mut targets = reach.clone();
        if let Some(max) = max {
            targets.truncate(max);
        }
        let now = self.now_ms();
        self.channels[ch].narrowcasts.insert(
            request_id.to_string(),
            Narrowcast {
                accepted_ms: now,
                completed_ms: None,
                reserved: reach.len() as i64,
                targets,
                messages,
                retry_key,
            },
        );
        true
    }

    /// Delivers running narrowcasts (all, or `only` the one with that
    /// request ID) and releases their reservations.
    pub fn complete_narrowcasts(&mut self, only: Option<&str>) {
        let now = self.now_ms();
        for ch in 0..self.channels.len() {
            let running: Vec<String> = self.channels[ch]
                .narrowcasts
                .iter()
                .filter(|(id, n)| n.completed_ms.is_none() && only.is_none_or(|o| o == id.as_str()))
                .map(|(id, _)| id.clone())
                .collect();
            for id in running {
                let (targets, messages, key) = {
                    let n = self.channels[ch].narrowcasts.get_mut(&id).expect("listed above");
                    n.completed_ms = Some(now);
                    (std::mem::take(&mut n.targets), n.messages.clone(), n.retry_key.clone())
                };
                // Friends who blocked meanwhile get nothing.
                let to: Vec<String> = targets.into_iter().filter(|u| self.is_friend(ch, u)).collect();
                self.count(ch, to.len() as i64);
                self.deliver(ch, &to, "narrowcast", &id, key.as_deref(), &messages, None);
            }
        }
    }

    /// Spends a reply token: the user it answers, if it is valid.
    pub fn take_reply_token(&mut self, ch: usize, token: &str) -> Option<String> {
        let t = self.reply_tokens.remove(token)?;
        let fresh = self.now_ms() - t.issued_at <= limits::REPLY_TOKEN_TTL_MS;
        (fresh && t.channel_id == self.channels[ch].config.channel_id).then_some(t.user_id)
    }

    /// Marks everything `token`'s user wrote to channel `ch` as read.
    pub fn mark_as_read(&mut self, ch: usize, token: &str) -> bool {
        let channel_id = self.channels[ch].config.channel_id.clone();
        match self.read_tokens.get(token) {
            Some((c, user)) if *c == channel_id => {
                let user = user.clone();
                for w in self.written.iter_mut().filter(|w| w.channel_id == channel_id && w.from == user) {
                    w.read = true;
                }
                true
            }
            _ => false,
        }
    }

    /// Forgets retry keys older than LINE's 24 hours.
    pub fn expire_retry_keys(&mut self, ch: usize) {
        let now = self.now_ms();
        self.channels[ch]
            .retry_keys
            .retain(|_, (_, at, _)| now - *at < limits::RETRY_KEY_TTL_MS);
    }

    /// One webhook event from `user_id`, as a POST of its own.
    fn event(&mut self, ch: usize, user_id: &str, kind: &str, extra: Value, with_reply_token: bool) -> WebhookPost {
        let now = self.now_ms().max(self.last_event_ms + 1);
        self.last_event_ms = now;
        let mut e = json!({
            "type": kind,
            "timestamp": now,
            "mode": "active",
            "webhookEventId": ids::ulid(now),
            "deliveryContext": {"isRedelivery": false},
            "source": {"type": "user", "userId": user_id},
        });
        if with_reply_token {
            let token = ids::token();
            self.reply_tokens.insert(
                token.clone(),
                ReplyToken {
                    channel_id: self.channels[ch].config.channel_id.clone(),
                    user_id: user_id.to_string(),
                    issued_at: now,
                },
            );
            e["replyToken"] = json!(token);
        }
        if let (Some(obj), Some(extra)) = (e.as_object_mut(), extra.as_object()) {
            obj.extend(extra.clone());
        }
        let c = &self.channels[ch];
        WebhookPost {
            url: c.config.webhook_url.clone(),
            secret: c.config.channel_secret.clone(),
            destination: c.bot_user_id.clone(),
            events: vec![e],
        }
    }

    fn resolve(&self, channel_id: &str, user_id: &str) -> Result<usize, SandboxError> {
        let ch = self.channel_index(channel_id)?;
        self.person(user_id).ok_or(SandboxError::UnknownPerson)?;
        Ok(ch)
    }

    fn resolve_friend(&self, channel_id: &str, user_id: &str) -> Result<usize, SandboxError> {
        let ch = self.resolve(channel_id, user_id)?;
        if !self.is_friend(ch, user_id) {
            return Err(SandboxError::NotAFriend);
        }
        Ok(ch)
    }

    pub fn restore_relation(&mut self, channel_id: &str, user_id: &str, blocked: bool) -> Result<(), SandboxError> {
        let ch = self.resolve(channel_id, user_id)?;
        self.channels[ch]
            .relations
            .insert(user_id.to_string(), if blocked { Relation::Blocked } else { Relation::Friend });
        Ok(())
    }

    /// Adds the channel as a friend, or unblocks it.
    pub fn follow(&mut self, channel_id: &str, user_id: &str) -> Result<WebhookPost, SandboxError> {
        let ch = self.resolve(channel_id, user_id)?;
        let was_blocked = self.channels[ch].relations.insert(user_id.to_string(), Relation::Friend) == Some(Relation::Blocked);
        Ok(self.event(ch, user_id, "follow", json!({"follow": {"isUnblocked": was_blocked}}), true))
    }

    pub fn block(&mut self, channel_id: &str, user_id: &str) -> Result<WebhookPost, SandboxError> {
        let ch = self.resolve_friend(channel_id, user_id)?;
        self.channels[ch].relations.insert(user_id.to_string(), Relation::Blocked);
        Ok(self.event(ch, user_id, "unfollow", json!({}), false))
    }

    pub fn write(&mut self, channel_id: &str, user_id: &str, text: &str) -> Result<WebhookPost, SandboxError> {
        let ch = self.resolve_friend(channel_id, user_id)?;
        let id = format!("{}", rand_id());
        let read_token = ids::token();
        self.read_tokens
            .insert(read_token.clone(), (channel_id.to_string(), user_id.to_string()));
        let now = self.now_ms();
        self.written.push(Written {
            message_id: id.clone(),
            at: now,
            channel_id: channel_id.to_string(),
            from: user_id.to_string(),
            text: text.to_string(),
            read: false,
        });
        let message = json!({"type": "text", "id": id, "quoteToken": ids::token(), "markAsReadToken": read_token, "text": text});
        Ok(self.event(ch, user_id, "message", json!({"message": message}), true))
    }

    /// A postback (rich menu area, quick reply, template button).
    fn postback(&mut self, ch: usize, user_id: &str, data: &str, params: Option<Value>) -> WebhookPost {
        let mut postback = json!({"data": data});
        if let Some(p) = params {
            postback["params"] = p;
        }
        self.event(ch, user_id, "postback", json!({"postback": postback}), true)
    }

    /// A person taps an action they can see: the webhook it causes, if
    /// any (a `uri` action is a click, seen only in insight).
    pub fn tap(&mut self, channel_id: &str, user_id: &str, action: &Value) -> Result<Option<WebhookPost>, SandboxError> {
        let ch = self.resolve_friend(channel_id, user_id)?;
        let now = self.now_ms();
        self.channels[ch].rich_menus.record_tap(user_id, action, now);
        let s = |k: &str| action.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        Ok(match s("type").as_str() {
            "postback" => Some(self.postback(ch, user_id, &s("data"), None)),
            "datetimepicker" => {
                let today = jst_date(self.now_ms());
                let date = format!("{}-{}-{}", &today[..4], &today[4..6], &today[6..]);
                let params = match s("mode").as_str() {
                    "time" => json!({"time": "10:00"}),
                    "datetime" => json!({"datetime": format!("{date}T10:00")}),
                    _ => json!({"date": date}),
                };
                Some(self.postback(ch, user_id, &s("data"), Some(params)))
            }
            "richmenuswitch" => {
                let alias = s("richMenuAliasId");
                let status = self.channels[ch].rich_menus.switch(user_id, &alias);
                let params = json!({"newRichMenuAliasId": alias, "status": status});
                Some(self.postback(ch, user_id, &s("data"), Some(params)))
            }
            "message" => Some(self.write(channel_id, user_id, &s("text"))?),
            "uri" => {
                self.click(ch, user_id, &s("uri"));
                None
            }
            _ => None,
        })
    }

    /// Whether `action` is on something `user_id` can see: their rich
    /// menu, or a message they received (template buttons, quick replies,
    /// flex buttons).
    pub fn can_see_action(&self, channel_id: &str, user_id: &str, action: &Value) -> bool {
        let Ok(ch) = self.channel_index(channel_id) else {
            return false;
        };
        let in_menu = self.channels[ch]
            .rich_menus
            .shown_to(user_id)
            .is_some_and(|m| contains_action(&m.body, action));
        in_menu
            || self
                .ledger
                .iter()
                .any(|d| d.to == user_id && d.channel_id == channel_id && d.messages.iter().any(|m| contains_action(m, action)))
    }

    /// The person opened their chat: every delivery so far counts as seen.
    pub fn open(&mut self, channel_id: &str, user_id: &str) -> Result<(), SandboxError> {
        let ch = self.resolve_friend(channel_id, user_id)?;
        let now = self.now_ms();
        self.channels[ch].rich_menus.record_impression(user_id, now);
        for r in self.channels[ch].requests.iter_mut().filter(|r| r.delivered.contains(user_id)) {
            r.opened.insert(user_id.to_string());
        }
        Ok(())
    }

    /// A click on `uri` in the newest delivery that holds it.
    fn click(&mut self, ch: usize, user_id: &str, uri: &str) {
        if let Some(r) = self.channels[ch].requests.iter_mut().rev().find(|r| r.delivered.contains(user_id)) {
            let seq = self
                .ledger
                .iter()
                .rev()
                .find(|d| d.request_id == r.request_id)
                .and_then(|d| d.messages.iter().position(|m| m.to_string().contains(uri)))
                .map_or(1, |i| i + 1);
            r.opened.insert(user_id.to_string());
            r.clicks.push((seq, uri.to_string(), user_id.to_string()));
        }
    }
}

/// Whether `tree` holds an action equal to `action`.
fn contains_action(tree: &Value, action: &Value) -> bool {
    match tree {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| (k == "action" && v == action) || contains_action(v, action)),
        Value::Array(items) => items.iter().any(|v| v == action || contains_action(v, action)),
        _ => false,
    }
}

fn rand_id() -> u64 {
    use rand::Rng;
    rand::thread_rng().gen_range(100_000_000_000_000..999_999_999_999_999)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_month_is_the_tokyo_calendar_month() {
        // 2026-11-30 15:00 UTC is already December 1st, 00:00 in Tokyo.
        let t = 1_796_050_800_000;
        assert_eq!(jst_month(t - 1), "2026-11");
        assert_eq!(jst_month(t), "2026-12");
        assert_eq!(jst_date(t), "20261201");
        assert_eq!(jst_month(0), "1970-01");
    }

    #[test]
    fn actions_are_found_in_nested_messages() {
        let a = json!({"type": "postback", "label": "はい", "data": "yes"});
        let m =
            json!({"type": "template", "template": {"type": "confirm", "actions": [a, {"type": "message", "label": "x", "text": "x"}]}});
        assert!(contains_action(&m, &a));
        assert!(!contains_action(&m, &json!({"type": "postback", "label": "はい", "data": "no"})));
    }
}
