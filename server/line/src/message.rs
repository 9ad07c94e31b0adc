//! The message objects the product sends (LINE's `Message` schema): text
//! with quick replies, image, sticker, buttons / confirm / carousel
//! templates, and flex (its contents kept as LINE's JSON). Read back, a
//! type the product does not use becomes `Unknown`, never an error.

use crate::client::Action;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A LINE emoji in a text message: the UTF-16 index of its `$`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Emoji {
    pub index: usize,
    pub product_id: String,
    pub emoji_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Message {
    #[serde(rename_all = "camelCase")]
    Text {
        text: String,
        /// LINE emoji, each at a `$` of the text.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        emojis: Vec<Emoji>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quick_reply: Option<QuickReply>,
    },
    #[serde(rename_all = "camelCase")]
    Image {
        original_content_url: String,
        preview_image_url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quick_reply: Option<QuickReply>,
    },
    #[serde(rename_all = "camelCase")]
    Sticker { package_id: String, sticker_id: String },
    #[serde(rename_all = "camelCase")]
    Template {
        alt_text: String,
        template: Template,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quick_reply: Option<QuickReply>,
    },
    #[serde(rename_all = "camelCase")]
    Flex {
        alt_text: String,
        /// A bubble or a carousel, as LINE's flex JSON.
        contents: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quick_reply: Option<QuickReply>,
    },
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuickReply {
    pub items: Vec<QuickReplyItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuickReplyItem {
    /// Always `action`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    pub action: Action,
}

impl QuickReplyItem {
    pub fn new(action: Action) -> QuickReplyItem {
        QuickReplyItem {
            kind: "action".into(),
            image_url: None,
            action,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Template {
    #[serde(rename_all = "camelCase")]
    Buttons {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thumbnail_image_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        text: String,
        actions: Vec<Action>,
    },
    Confirm {
        text: String,
        actions: Vec<Action>,
    },
    Carousel {
        columns: Vec<CarouselColumn>,
    },
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CarouselColumn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub text: String,
    pub actions: Vec<Action>,
}

impl Message {
    pub fn text(text: impl Into<String>) -> Message {
        Message::Text {
            text: text.into(),
            emojis: Vec::new(),
            quick_reply: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialises_as_line_writes_them() {
        let m = Message::Template {
            alt_text: "予約".into(),
            template: Template::Confirm {
                text: "来院されますか".into(),
                actions: vec![
                    Action::Message {
                        label: Some("はい".into()),
                        text: "はい".into(),
                    },
                    Action::Postback {
                        label: Some("いいえ".into()),
                        data: "no".into(),
                        display_text: None,
                    },
                ],
            },
            quick_reply: Some(QuickReply {
                items: vec![QuickReplyItem::new(Action::Uri {
                    label: Some("地図".into()),
                    uri: "https://clinic.example/map".into(),
                })],
            }),
        };
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"type": "template", "altText": "予約", "template": {"type": "confirm", "text": "来院されますか", "actions": [
                {"type": "message", "label": "はい", "text": "はい"}, {"type": "postback", "label": "いいえ", "data": "no"}]},
                "quickReply": {"items": [{"type": "action", "action": {"type": "uri", "label": "地図", "uri": "https://clinic.example/map"}}]}})
        );
        assert_eq!(
            serde_json::to_value(Message::text("こんにちは")).unwrap(),
            json!({"type": "text", "text": "こんにちは"})
        );
    }

    #[test]
    fn unknown_types_are_tolerated() {
        let m: Message = serde_json::from_value(json!({"type": "video", "originalContentUrl": "https://x"})).unwrap();
        assert_eq!(m, Message::Unknown);
        let t: Template = serde_json::from_value(json!({"type": "image_carousel", "columns": []})).unwrap();
        assert_eq!(t, Template::Unknown);
        let back: Message = serde_json::from_value(json!({"type": "text", "text": "x"})).unwrap();
        assert_eq!(back, Message::text("x"));
    }
}
