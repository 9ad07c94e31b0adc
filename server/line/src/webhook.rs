//! Webhook events as LINE posts them. Every event type the product handles
//! is typed; any other event or message type parses into an `Unknown`
//! variant (stored and skipped), never into an error. Only a body that is
//! not a webhook at all (not JSON, or an event without its ID, time, mode or
//! delivery context) is refused.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The body of one webhook POST.
#[derive(Clone, Debug, Deserialize)]
pub struct CallbackRequest {
    /// The bot's user ID. LINE's connectivity check may send it empty.
    #[serde(default)]
    pub destination: String,
    pub events: Vec<Event>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Active,
    /// Another module holds the chat: the event must not be answered.
    Standby,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// ULID; the key for deduplicating redeliveries.
    pub webhook_event_id: String,
    /// Milliseconds since the Unix epoch.
    pub timestamp: i64,
    pub mode: Mode,
    pub is_redelivery: bool,
    pub source: Option<Source>,
    /// Absent in standby mode and for events that cannot be replied to.
    pub reply_token: Option<String>,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    User { user_id: String },
    Group { group_id: String, user_id: Option<String> },
    Room { room_id: String, user_id: Option<String> },
    Unknown { source_type: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// Added as a friend, or unblocked (`is_unblocked`).
    Follow {
        is_unblocked: bool,
    },
    /// Blocked.
    Unfollow,
    Message(MessageContent),
    /// A postback action; rich menu switches carry
    /// `params.newRichMenuAliasId` and `params.status`, date pickers their value.
    Postback {
        data: String,
        params: BTreeMap<String, String>,
    },
    /// The user unsent a message: delete the stored copy.
    Unsend {
        message_id: String,
    },
    AccountLink {
        ok: bool,
        nonce: String,
    },
    Unknown {
        event_type: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum MessageContent {
    Text {
        id: String,
        text: String,
        quote_token: Option<String>,
    },
    Image {
        id: String,
    },
    Video {
        id: String,
    },
    Audio {
        id: String,
        duration_ms: Option<i64>,
    },
    File {
        id: String,
        file_name: String,
        file_size: i64,
    },
    Location {
        id: String,
        title: Option<String>,
        address: Option<String>,
        latitude: f64,
        longitude: f64,
    },
    Sticker {
        id: String,
        package_id: String,
        sticker_id: String,
    },
    Unknown {
        id: String,
        message_type: String,
    },
}

impl Event {
    /// The LINE user behind the event, when there is one.
    pub fn user_id(&self) -> Option<&str> {
        match self.source.as_ref()? {
            Source::User { user_id } => Some(user_id),
            Source::Group { user_id, .. } | Source::Room { user_id, .. } => user_id.as_deref(),
            Source::Unknown { .. } => None,
        }
    }

    /// The event's type as LINE names it.
    pub fn type_name(&self) -> &str {
        match &self.kind {
            EventKind::Follow { .. } => "follow",
            EventKind::Unfollow => "unfollow",
            EventKind::Message(_) => "message",
            EventKind::Postback { .. } => "postback",
            EventKind::Unsend { .. } => "unsend",
            EventKind::AccountLink { .. } => "accountLink",
            EventKind::Unknown { event_type } => event_type,
        }
    }
}

fn str_field(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_string)
}

fn required<E: serde::de::Error>(obj: &Map<String, Value>, key: &str, what: &str) -> Result<String, E> {
    str_field(obj, key).ok_or_else(|| E::custom(format!("{what} without {key}")))
}

fn object(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let obj = Map::deserialize(d)?;
        let event_type = required::<D::Error>(&obj, "type", "event")?;
        let webhook_event_id = required::<D::Error>(&obj, "webhookEventId", "event")?;
        let timestamp = obj
            .get("timestamp")
            .and_then(Value::as_i64)
            .ok_or_else(|| D::Error::custom("event without timestamp"))?;
        let mode = match obj.get("mode").and_then(Value::as_str) {
            Some("standby") => Mode::Standby,
            Some(_) => Mode::Active,
            None => return Err(D::Error::custom("event without mode")),
        };
        let is_redelivery = obj
            .get("deliveryContext")
            .and_then(|c| c.get("isRedelivery"))
            .and_then(Value::as_bool)
            .ok_or_else(|| D::Error::custom("event without deliveryContext.isRedelivery"))?;
        let source = obj.get("source").and_then(Value::as_object).map(|s| {
            let user_id = str_field(s, "userId");
            match s.get("type").and_then(Value::as_str) {
                Some("user") => match user_id {
                    Some(user_id) => Source::User { user_id },
                    None => Source::Unknown {
                        source_type: "user".into(),
                    },
                },
                Some("group") => Source::Group {
                    group_id: str_field(s, "groupId").unwrap_or_default(),
                    user_id,
                },
                Some("room") => Source::Room {
                    room_id: str_field(s, "roomId").unwrap_or_default(),
                    user_id,
                },
                other => Source::Unknown {
                    source_type: other.unwrap_or("").to_string(),
                },
            }
        });
        let kind = match event_type.as_str() {
            "follow" => EventKind::Follow {
                is_unblocked: obj
                    .get("follow")
                    .and_then(|f| f.get("isUnblocked"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
            "unfollow" => EventKind::Unfollow,
            "message" => {
                let m = obj
                    .get("message")
                    .and_then(Value::as_object)
                    .ok_or_else(|| D::Error::custom("message event without message"))?;
                EventKind::Message(message_content::<D::Error>(m)?)
            }
            "postback" => {
                let p = object(obj.get("postback"));
                let params = object(p.get("params"))
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => s,
                            other => other.to_string(),
                        };
                        (k, v)
                    })
                    .collect();
                EventKind::Postback {
                    data: str_field(&p, "data").unwrap_or_default(),
                    params,
                }
            }
            "unsend" => EventKind::Unsend {
                message_id: str_field(&object(obj.get("unsend")), "messageId")
                    .ok_or_else(|| D::Error::custom("unsend event without messageId"))?,
            },
            "accountLink" => {
                let link = object(obj.get("link"));
                EventKind::AccountLink {
                    ok: link.get("result").and_then(Value::as_str) == Some("ok"),
                    nonce: str_field(&link, "nonce").unwrap_or_default(),
                }
            }
            _ => EventKind::Unknown {
                event_type: event_type.clone(),
            },
        };
        Ok(Event {
            webhook_event_id,
            timestamp,
            mode,
            is_redelivery,
            source,
            reply_token: str_field(&obj, "replyToken"),
            kind,
        })
    }
}

fn message_content<E: serde::de::Error>(m: &Map<String, Value>) -> Result<MessageContent, E> {
    let id = required::<E>(m, "id", "message")?;
    let message_type = required::<E>(m, "type", "message")?;
    Ok(match message_type.as_str() {
        "text" => MessageContent::Text {
            id,
            text: str_field(m, "text").unwrap_or_default(),
            quote_token: str_field(m, "quoteToken"),
        },
        "image" => MessageContent::Image { id },
        "video" => MessageContent::Video { id },
        "audio" => MessageContent::Audio {
            id,
            duration_ms: m.get("duration").and_then(Value::as_i64),
        },
        "file" => MessageContent::File {
            id,
            file_name: str_field(m, "fileName").unwrap_or_default(),
            file_size: m.get("fileSize").and_then(Value::as_i64).unwrap_or(0),
        },
        "location" => MessageContent::Location {
            id,
            title: str_field(m, "title"),
            address: str_field(m, "address"),
            latitude: m.get("latitude").and_then(Value::as_f64).unwrap_or(0.0),
            longitude: m.get("longitude").and_then(Value::as_f64).unwrap_or(0.0),
        },
        "sticker" => MessageContent::Sticker {
            id,
            package_id: str_field(m, "packageId").unwrap_or_default(),
            sticker_id: str_field(m, "stickerId").unwrap_or_default(),
        },
        _ => MessageContent::Unknown { id, message_type },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "U4af4980629f0f8cb0bb68e6d8c3a1e2b";

    fn event(extra: &str) -> String {
        format!(
            r#"{{"timestamp":1700000000000,"mode":"active","webhookEventId":"01HZXABCDEF0123456789ABCDE","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{USER}"}},{extra}}}"#
        )
    }

    fn parse(extra: &str) -> Event {
        serde_json::from_str(&event(extra)).unwrap()
    }

    #[test]
    fn follow_and_unblock() {
        let e = parse(r#""type":"follow","replyToken":"rt","follow":{"isUnblocked":true}"#);
        assert_eq!(e.kind, EventKind::Follow { is_unblocked: true });
        assert_eq!(e.user_id(), Some(USER));
        assert_eq!(e.reply_token.as_deref(), Some("rt"));
        assert_eq!(parse(r#""type":"unfollow""#).kind, EventKind::Unfollow);
    }

    #[test]
    fn every_message_type() {
        let cases = [
            (
                r#"{"type":"text","id":"1","text":"予約したいです","quoteToken":"q"}"#,
                MessageContent::Text {
                    id: "1".into(),
                    text: "予約したいです".into(),
                    quote_token: Some("q".into()),
                },
            ),
            (
                r#"{"type":"image","id":"2","contentProvider":{"type":"line"}}"#,
                MessageContent::Image { id: "2".into() },
            ),
            (
                r#"{"type":"video","id":"3","duration":1000}"#,
                MessageContent::Video { id: "3".into() },
            ),
            (
                r#"{"type":"audio","id":"4","duration":2000}"#,
                MessageContent::Audio {
                    id: "4".into(),
                    duration_ms: Some(2000),
                },
            ),
            (
                r#"{"type":"file","id":"5","fileName":"問診票.pdf","fileSize":1234}"#,
                MessageContent::File {
                    id: "5".into(),
                    file_name: "問診票.pdf".into(),
                    file_size: 1234,
                },
            ),
            (
                r#"{"type":"location","id":"6","title":"駐車場","address":"東京都","latitude":35.6,"longitude":139.7}"#,
                MessageContent::Location {
                    id: "6".into(),
                    title: Some("駐車場".into()),
                    address: Some("東京都".into()),
                    latitude: 35.6,
                    longitude: 139.7,
                },
            ),
            (
                r#"{"type":"sticker","id":"7","packageId":"446","stickerId":"1988","stickerResourceType":"STATIC","quoteToken":"q"}"#,
                MessageContent::Sticker {
                    id: "7".into(),
                    package_id: "446".into(),
                    sticker_id: "1988".into(),
                },
            ),
            (
                r#"{"type":"hologram","id":"8"}"#,
                MessageContent::Unknown {
                    id: "8".into(),
                    message_type: "hologram".into(),
                },
            ),
        ];
        for (json, expected) in cases {
            let e = parse(&format!(r#""type":"message","replyToken":"rt","message":{json}"#));
            assert_eq!(e.kind, EventKind::Message(expected), "{json}");
        }
    }

    #[test]
    fn postback_with_rich_menu_switch_params() {
        let e = parse(
            r#""type":"postback","replyToken":"rt","postback":{"data":"tab=2","params":{"newRichMenuAliasId":"tab-2","status":"SUCCESS"}}"#,
        );
        let EventKind::Postback { data, params } = e.kind else { panic!() };
        assert_eq!(data, "tab=2");
        assert_eq!(params.get("newRichMenuAliasId").map(String::as_str), Some("tab-2"));
        assert_eq!(params.get("status").map(String::as_str), Some("SUCCESS"));
    }

    #[test]
    fn unsend_and_account_link() {
        assert_eq!(
            parse(r#""type":"unsend","unsend":{"messageId":"325708"}"#).kind,
            EventKind::Unsend {
                message_id: "325708".into()
            }
        );
        assert_eq!(
            parse(r#""type":"accountLink","link":{"result":"ok","nonce":"n"}"#).kind,
            EventKind::AccountLink {
                ok: true,
                nonce: "n".into()
            }
        );
    }

    #[test]
    fn unknown_event_types_are_tolerated() {
        for t in ["join", "memberJoined", "beacon", "membership", "somethingNew"] {
            let e = parse(&format!(r#""type":"{t}","whatever":{{"x":1}}"#));
            assert_eq!(e.kind, EventKind::Unknown { event_type: t.into() });
            assert_eq!(e.type_name(), t);
        }
    }

    #[test]
    fn standby_and_redelivery_are_read() {
        let json = event(r#""type":"unfollow""#)
            .replace(r#""mode":"active""#, r#""mode":"standby""#)
            .replace(r#""isRedelivery":false"#, r#""isRedelivery":true"#);
        let e: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(e.mode, Mode::Standby);
        assert!(e.is_redelivery);
        assert_eq!(e.reply_token, None);
    }

    #[test]
    fn a_body_of_several_events_and_the_empty_check() {
        let body = format!(
            r#"{{"destination":"U0123456789abcdef0123456789abcdef","events":[{},{}]}}"#,
            event(r#""type":"unfollow""#),
            event(r#""type":"follow","follow":{"isUnblocked":false}"#)
        );
        let req: CallbackRequest = serde_json::from_str(&body).unwrap();
        assert_eq!(req.events.len(), 2);
        let empty: CallbackRequest = serde_json::from_str(r#"{"destination":"U0123456789abcdef0123456789abcdef","events":[]}"#).unwrap();
        assert!(empty.events.is_empty());
    }

    #[test]
    fn malformed_bodies_are_refused() {
        for bad in [
            "not json",
            r#"{"events":{}}"#,
            r#"{"events":[{"type":"follow"}]}"#,
            &event(r#""type":"message""#),
            &event(r#""type":"message","message":{"type":"text"}"#),
        ] {
            let wrapped = if bad.starts_with(r#"{"timestamp""#) {
                format!(r#"{{"events":[{bad}]}}"#)
            } else {
                bad.to_string()
            };
            assert!(serde_json::from_str::<CallbackRequest>(&wrapped).is_err(), "{wrapped}");
        }
    }
}
