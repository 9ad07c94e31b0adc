//! A message bundle as LINE's message objects: the one mapping from what
//! staff compose (`model::message`) to what the client sends.

use line::message::{CarouselColumn, Message, QuickReply, QuickReplyItem, Template};
use model::message::{Bubble, Bundle, Button, ButtonAction};
use serde_json::{json, Value};
pub use store::BroadcastRow;

/// The LINE message objects of a bundle, its uploaded pictures under
/// `public_url`.
pub fn to_line_messages(bundle: &Bundle, public_url: &str) -> Vec<Message> {
    let bundle = bundle.with_media_base(public_url);
    let mut out: Vec<Message> = bundle.bubbles.iter().map(to_line_message).collect();
    if !bundle.quick_replies.is_empty() {
        let items = QuickReply {
            items: bundle.quick_replies.iter().map(|b| QuickReplyItem::new(action(b))).collect(),
        };
        match out.last_mut() {
            Some(Message::Text { quick_reply, .. })
            | Some(Message::Image { quick_reply, .. })
            | Some(Message::Template { quick_reply, .. })
            | Some(Message::Flex { quick_reply, .. }) => *quick_reply = Some(items),
            _ => {}
        }
    }
    out
}

pub(crate) fn action(b: &Button) -> line::Action {
    match &b.does {
        ButtonAction::Open { uri } => line::Action::Uri {
            label: Some(b.label.clone()),
            uri: uri.clone(),
        },
        ButtonAction::Say { text } => line::Action::Message {
            label: Some(b.label.clone()),
            text: text.clone(),
        },
    }
}

pub(crate) fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

pub(crate) fn to_line_message(b: &Bubble) -> Message {
    let alt_text = Bundle::alt_text(b);
    match b {
        Bubble::Text { text } => {
            let (text, placed) = model::emoji::expand(text);
            Message::Text {
                text,
                emojis: placed
                    .into_iter()
                    .map(|p| line::message::Emoji {
                        index: p.index,
                        product_id: p.product_id,
                        emoji_id: p.emoji_id,
                    })
                    .collect(),
                quick_reply: None,
            }
        }
        Bubble::Image { url, preview_url } => Message::Image {
            original_content_url: url.clone(),
            preview_image_url: if preview_url.is_empty() { url.clone() } else { preview_url.clone() },
            quick_reply: None,
        },
        Bubble::Buttons {
            image_url,
            title,
            text,
            buttons,
        } => Message::Template {
            alt_text,
            template: Template::Buttons {
                thumbnail_image_url: some(image_url),
                title: some(title),
                text: text.clone(),
                actions: buttons.iter().map(action).collect(),
            },
            quick_reply: None,
        },
        Bubble::Confirm { text, yes, no } => Message::Template {
            alt_text,
            template: Template::Confirm {
                text: text.clone(),
                actions: vec![action(yes), action(no)],
            },
            quick_reply: None,
        },
        Bubble::Carousel { columns } => Message::Template {
            alt_text,
            template: Template::Carousel {
                columns: columns
                    .iter()
                    .map(|c| CarouselColumn {
                        thumbnail_image_url: some(&c.image_url),
                        title: some(&c.title),
                        text: c.text.clone(),
                        actions: c.buttons.iter().map(action).collect(),
                    })
                    .collect(),
            },
            quick_reply: None,
        },
        Bubble::Card {
            image_url,
            title,
            body,
            button,
        } => {
            let mut contents = vec![json!({"type": "text", "text": title, "weight": "bold", "size": "lg", "wrap": true})];
            if !body.is_empty() {
                contents.push(json!({"type": "text", "text": body, "size": "sm", "color": "#555555", "wrap": true, "margin": "md"}));
            }
            let mut bubble = json!({"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": contents}});
            if !image_url.is_empty() {
                bubble["hero"] = json!({"type": "image", "url": image_url, "size": "full", "aspectRatio": "20:13", "aspectMode": "cover"});
            }
            if let Some(b) = button {
                bubble["footer"] = json!({"type": "box", "layout": "vertical", "contents": [
                    {"type": "button", "style": "primary", "color": "#0a7d5a", "action": serde_json::to_value(action(b)).unwrap_or(Value::Null)}
                ]});
            }
            Message::Flex {
                alt_text,
                contents: bubble,
                quick_reply: None,
            }
        }
    }
}
