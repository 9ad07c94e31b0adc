//! The sandbox's platform state and rules, apart from HTTP.

use crate::ids;
use line::limits;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The LINE plans (Japan, since 2023-06): data, not code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// コミュニケーションプラン: 200 a month, no more.
    Free,
    /// ライトプラン: 5,000 a month, no more.
    Light,
    /// スタンダードプラン: 30,000 included, more at a charge.
    Standard,
}

impl Plan {
    /// The hard monthly ceiling, if the plan has one.
    pub fn hard_limit(self) -> Option<i64> {
        match self {
            Plan::Free => Some(200),
            Plan::Light => Some(5_000),
            Plan::Standard => None,
        }
    }
}

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
    /// `reply`, `push` or `multicast`.
    pub via: &'static str,
    pub messages: Vec<Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("no such channel in the sandbox")]
    UnknownChannel,
    #[error("no such person in the sandbox")]
    UnknownPerson,
    #[error("this person is not a friend of the channel")]
    NotAFriend,
    #[error("the product's webhook could not be reached: {0}")]
    WebhookUnreachable(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Relation {
    Friend,
    Blocked,
}

pub(crate) struct Channel {
    pub config: ChannelConfig,
    pub bot_user_id: String,
    relations: HashMap<String, Relation>,
    /// Counted messages per JST month (`2026-11`).
    usage: HashMap<String, i64>,
    pub retry_keys: HashMap<String, (String, i64, Vec<Value>)>,
}

struct ReplyToken {
    channel_id: String,
    user_id: String,
    issued_at: i64,
}

pub(crate) struct WebhookPost {
    pub url: String,
    pub secret: String,
    pub body: String,
}

#[derive(Default)]
pub(crate) struct State {
    pub offset_ms: i64,
    pub channels: Vec<Channel>,
    people: Vec<Person>,
    pub ledger: Vec<Delivery>,
    reply_tokens: HashMap<String, ReplyToken>,
}

/// The quota month a time falls in: the calendar month in Asia/Tokyo.
pub fn jst_month(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono_tz::Asia::Tokyo).format("%Y-%m").to_string())
        .unwrap_or_default()
}

/// One problem found in a request, as LINE reports it.
pub(crate) struct Problem {
    pub message: String,
    pub property: String,
}

/// Checks a `messages` array against LINE's limits.
pub(crate) fn check_messages(messages: Option<&Value>, problems: &mut Vec<Problem>) {
    let Some(list) = messages.and_then(Value::as_array) else {
        problems.push(Problem {
            message: "May not be empty".into(),
            property: "messages".into(),
        });
        return;
    };
    if list.is_empty() || list.len() > limits::MAX_MESSAGES {
        problems.push(Problem {
            message: format!("Size must be between 1 and {}", limits::MAX_MESSAGES),
            property: "messages".into(),
        });
    }
    for (i, m) in list.iter().enumerate() {
        match m.get("type").and_then(Value::as_str) {
            None => problems.push(Problem {
                message: "May not be empty".into(),
                property: format!("messages[{i}].type"),
            }),
            Some("text") => match m.get("text").and_then(Value::as_str) {
                None | Some("") => problems.push(Problem {
                    message: "May not be empty".into(),
                    property: format!("messages[{i}].text"),
                }),
                Some(t) if limits::utf16_len(t) > limits::TEXT_MAX_UTF16 => problems.push(Problem {
                    message: format!("Length must be between 0 and {}", limits::TEXT_MAX_UTF16),
                    property: format!("messages[{i}].text"),
                }),
                Some(_) => {}
            },
            Some(_) => {}
        }
    }
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
        });
        bot_user_id
    }

    pub fn channel_by_token(&self, token: &str) -> Option<usize> {
        self.channels.iter().position(|c| c.config.access_token == token)
    }

    fn channel_index(&self, channel_id: &str) -> Result<usize, crate::SandboxError> {
        self.channels
            .iter()
            .position(|c| c.config.channel_id == channel_id)
            .ok_or(crate::SandboxError::UnknownChannel)
    }

    pub fn add_person(&mut self, user_id: Option<&str>, display_name: &str, kind: PersonKind) -> Person {
        if let Some(existing) = user_id.and_then(|id| self.people.iter().find(|p| p.user_id == id)) {
            return existing.clone();
        }
        let person = Person {
            user_id: user_id.map(str::to_string).unwrap_or_else(ids::user_id),
            display_name: display_name.to_string(),
            kind,
        };
        self.people.push(person.clone());
        person
    }

    pub fn person(&self, user_id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.user_id == user_id)
    }

    pub fn people(&self, channel_id: &str) -> Vec<PersonView> {
        let channel = self.channels.iter().find(|c| c.config.channel_id == channel_id);
        self.people
            .iter()
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

    pub fn add_usage(&mut self, channel_id: &str, n: i64) -> Result<(), crate::SandboxError> {
        let ch = self.channel_index(channel_id)?;
        self.count(ch, n);
        Ok(())
    }

    /// Adds `n` messages to this month's usage.
    fn count(&mut self, ch: usize, n: i64) {
        let month = jst_month(self.now_ms());
        *self.channels[ch].usage.entry(month).or_default() += n;
    }

    pub fn usage(&self, ch: usize) -> i64 {
        self.channels[ch].usage.get(&jst_month(self.now_ms())).copied().unwrap_or(0)
    }

    /// Reserves `n` messages of this month's quota, all or nothing.
    pub fn charge(&mut self, ch: usize, n: i64) -> bool {
        let used = self.usage(ch);
        if let Some(limit) = self.channels[ch].config.plan.hard_limit() {
            if used + n > limit {
                return false;
            }
        }
        self.count(ch, n);
        true
    }

    pub fn record(&mut self, ch: usize, to: &str, via: &'static str, request_id: &str, retry_key: Option<&str>, messages: &[Value]) {
        let at = self.now_ms();
        self.ledger.push(Delivery {
            request_id: request_id.to_string(),
            retry_key: retry_key.map(str::to_string),
            at,
            channel_id: self.channels[ch].config.channel_id.clone(),
            to: to.to_string(),
            via,
            messages: messages.to_vec(),
        });
    }

    /// Spends a reply token: the user it answers, if it is valid.
    pub fn take_reply_token(&mut self, ch: usize, token: &str) -> Option<String> {
        let t = self.reply_tokens.remove(token)?;
        let fresh = self.now_ms() - t.issued_at <= limits::REPLY_TOKEN_TTL_MS;
        (fresh && t.channel_id == self.channels[ch].config.channel_id).then_some(t.user_id)
    }

    /// Forgets retry keys older than LINE's 24 hours.
    pub fn expire_retry_keys(&mut self, ch: usize) {
        let now = self.now_ms();
        self.channels[ch]
            .retry_keys
            .retain(|_, (_, at, _)| now - *at < limits::RETRY_KEY_TTL_MS);
    }

    fn event(&mut self, ch: usize, user_id: &str, kind: &str, extra: Value, with_reply_token: bool) -> WebhookPost {
        let now = self.now_ms();
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
            body: json!({"destination": c.bot_user_id, "events": [e]}).to_string(),
        }
    }

    fn resolve(&self, channel_id: &str, user_id: &str) -> Result<usize, crate::SandboxError> {
        let ch = self.channel_index(channel_id)?;
        self.person(user_id).ok_or(crate::SandboxError::UnknownPerson)?;
        Ok(ch)
    }

    pub fn restore_relation(&mut self, channel_id: &str, user_id: &str, blocked: bool) -> Result<(), crate::SandboxError> {
        let ch = self.resolve(channel_id, user_id)?;
        self.channels[ch]
            .relations
            .insert(user_id.to_string(), if blocked { Relation::Blocked } else { Relation::Friend });
        Ok(())
    }

    /// Adds the channel as a friend, or unblocks it.
    pub fn follow(&mut self, channel_id: &str, user_id: &str) -> Result<WebhookPost, crate::SandboxError> {
        let ch = self.resolve(channel_id, user_id)?;
        let was_blocked = self.channels[ch].relations.insert(user_id.to_string(), Relation::Friend) == Some(Relation::Blocked);
        Ok(self.event(ch, user_id, "follow", json!({"follow": {"isUnblocked": was_blocked}}), true))
    }

    pub fn block(&mut self, channel_id: &str, user_id: &str) -> Result<WebhookPost, crate::SandboxError> {
        let ch = self.resolve(channel_id, user_id)?;
        if !self.is_friend(ch, user_id) {
            return Err(crate::SandboxError::NotAFriend);
        }
        self.channels[ch].relations.insert(user_id.to_string(), Relation::Blocked);
        Ok(self.event(ch, user_id, "unfollow", json!({}), false))
    }

    pub fn write(&mut self, channel_id: &str, user_id: &str, text: &str) -> Result<WebhookPost, crate::SandboxError> {
        let ch = self.resolve(channel_id, user_id)?;
        if !self.is_friend(ch, user_id) {
            return Err(crate::SandboxError::NotAFriend);
        }
        let message = json!({"type": "text", "id": format!("{}", rand_id()), "quoteToken": ids::token(), "text": text});
        Ok(self.event(ch, user_id, "message", json!({"message": message}), true))
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
        assert_eq!(jst_month(0), "1970-01");
    }
}
