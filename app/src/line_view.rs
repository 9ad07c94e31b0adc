//! LINE message objects as the sandbox phone draws them (`Drawn`): a small
//! display model built from LINE's JSON, so the page renders typed parts and
//! every button carries the exact action object LINE would report when
//! tapped. It is not the composer's `model::message::Bubble`: the phone shows
//! whatever LINE delivered (stickers, emoji, postbacks, any flex), which a
//! bundle cannot hold; the composer's preview draws a bundle through
//! `from_bundle`, so both screens draw with one component.

use model::emoji::{Piece, Placed};
use serde::{Deserialize, Serialize};
use serde_json::Value;

impl Drawn {
    /// Words alone (what a patient typed).
    pub fn plain(text: String) -> Drawn {
        Drawn::Text(vec![Piece::Words(text)])
    }
}

/// A tappable button and the action it sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawnButton {
    pub label: String,
    /// `uri` buttons open a link; the others send a webhook.
    pub uri: Option<String>,
    /// LINE's action object, handed back to the sandbox on a tap (none in
    /// the composer's preview, where nothing is sent).
    pub action: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawnCard {
    pub image: Option<String>,
    pub title: Option<String>,
    pub text: String,
    pub buttons: Vec<DrawnButton>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Drawn {
    /// Words and LINE emoji.
    Text(Vec<Piece>),
    Image(String),
    Sticker,
    /// A buttons template or one flex bubble.
    Card(DrawnCard),
    Confirm {
        text: String,
        buttons: Vec<DrawnButton>,
    },
    Carousel(Vec<DrawnCard>),
    /// Anything else LINE shows by its alt text.
    Other(String),
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

pub fn button(action: &Value) -> DrawnButton {
    let label = s(action, "label")
        .or_else(|| s(action, "text"))
        .or_else(|| s(action, "displayText"))
        .unwrap_or_else(|| s(action, "type").unwrap_or_default());
    DrawnButton {
        label,
        uri: (action.get("type").and_then(Value::as_str) == Some("uri"))
            .then(|| s(action, "uri"))
            .flatten(),
        action: action.clone(),
    }
}

fn buttons(list: Option<&Value>) -> Vec<DrawnButton> {
    list.and_then(Value::as_array)
        .map(|a| a.iter().map(button).collect())
        .unwrap_or_default()
}

fn card(col: &Value) -> DrawnCard {
    DrawnCard {
        image: s(col, "thumbnailImageUrl"),
        title: s(col, "title"),
        text: s(col, "text").unwrap_or_default(),
        buttons: buttons(col.get("actions")),
    }
}

/// Texts and buttons of a flex bubble, in order (layout is approximated).
fn flex_card(bubble: &Value) -> DrawnCard {
    fn walk(v: &Value, texts: &mut Vec<String>, buttons: &mut Vec<DrawnButton>, image: &mut Option<String>) {
        match v.get("type").and_then(Value::as_str) {
            Some("text") => texts.extend(s(v, "text")),
            Some("button") => buttons.extend(v.get("action").map(button)),
            Some("image") if image.is_none() => *image = s(v, "url"),
            _ => {}
        }
        for key in ["hero", "header", "body", "footer"] {
            if let Some(part) = v.get(key) {
                walk(part, texts, buttons, image);
            }
        }
        for child in v.get("contents").and_then(Value::as_array).into_iter().flatten() {
            walk(child, texts, buttons, image);
        }
    }
    let (mut texts, mut buttons, mut image) = (Vec::new(), Vec::new(), None);
    walk(bubble, &mut texts, &mut buttons, &mut image);
    let title = if texts.len() > 1 { Some(texts.remove(0)) } else { None };
    DrawnCard {
        image,
        title,
        text: texts.join("\n"),
        buttons,
    }
}

/// One LINE message object as the phone draws it.
pub fn drawn(m: &Value) -> Drawn {
    let alt = || s(m, "altText").unwrap_or_default();
    match m.get("type").and_then(Value::as_str) {
        Some("text") => {
            let placed: Vec<Placed> = m
                .get("emojis")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|e| Placed {
                            index: e.get("index").and_then(Value::as_u64).unwrap_or(u64::MAX) as usize,
                            product_id: s(e, "productId").unwrap_or_default(),
                            emoji_id: s(e, "emojiId").unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Drawn::Text(model::emoji::pieces_of_line_text(&s(m, "text").unwrap_or_default(), &placed))
        }
        Some("image") => Drawn::Image(s(m, "previewImageUrl").or_else(|| s(m, "originalContentUrl")).unwrap_or_default()),
        Some("sticker") => Drawn::Sticker,
        Some("template") => {
            let t = m.get("template").cloned().unwrap_or_default();
            match t.get("type").and_then(Value::as_str) {
                Some("buttons") => Drawn::Card(card(&t)),
                Some("confirm") => Drawn::Confirm {
                    text: s(&t, "text").unwrap_or_default(),
                    buttons: buttons(t.get("actions")),
                },
                Some("carousel") => Drawn::Carousel(
                    t.get("columns")
                        .and_then(Value::as_array)
                        .map(|c| c.iter().map(card).collect())
                        .unwrap_or_default(),
                ),
                Some("image_carousel") => Drawn::Carousel(
                    t.get("columns")
                        .and_then(Value::as_array)
                        .map(|c| {
                            c.iter()
                                .map(|col| DrawnCard {
                                    image: s(col, "imageUrl"),
                                    title: None,
                                    text: String::new(),
                                    buttons: col.get("action").map(button).into_iter().collect(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
                _ => Drawn::Other(alt()),
            }
        }
        Some("flex") => {
            let contents = m.get("contents").cloned().unwrap_or_default();
            match contents.get("type").and_then(Value::as_str) {
                Some("bubble") => Drawn::Card(flex_card(&contents)),
                Some("carousel") => Drawn::Carousel(
                    contents
                        .get("contents")
                        .and_then(Value::as_array)
                        .map(|b| b.iter().map(flex_card).collect())
                        .unwrap_or_default(),
                ),
                _ => Drawn::Other(alt()),
            }
        }
        _ => Drawn::Other(alt()),
    }
}

/// A composer's bundle as the phone will draw it (the preview), without
/// going through LINE's JSON.
pub fn from_bundle(bundle: &model::message::Bundle) -> (Vec<Drawn>, Vec<DrawnButton>) {
    use model::message::{Bubble as B, Button as MB, ButtonAction};
    fn btn(b: &MB) -> DrawnButton {
        DrawnButton {
            label: b.label.clone(),
            uri: match &b.does {
                ButtonAction::Open { uri } => Some(uri.clone()),
                ButtonAction::Say { .. } => None,
            },
            action: Value::Null,
        }
    }
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let bubbles = bundle
        .bubbles
        .iter()
        .map(|b| match b {
            B::Text { text } => Drawn::Text(model::emoji::pieces(text)),
            B::Image { url, preview_url } => Drawn::Image(if preview_url.is_empty() { url.clone() } else { preview_url.clone() }),
            B::Buttons {
                image_url,
                title,
                text,
                buttons,
            } => Drawn::Card(DrawnCard {
                image: opt(image_url),
                title: opt(title),
                text: text.clone(),
                buttons: buttons.iter().map(btn).collect(),
            }),
            B::Confirm { text, yes, no } => Drawn::Confirm {
                text: text.clone(),
                buttons: vec![btn(yes), btn(no)],
            },
            B::Carousel { columns } => Drawn::Carousel(
                columns
                    .iter()
                    .map(|c| DrawnCard {
                        image: opt(&c.image_url),
                        title: opt(&c.title),
                        text: c.text.clone(),
                        buttons: c.buttons.iter().map(btn).collect(),
                    })
                    .collect(),
            ),
            B::Card {
                image_url,
                title,
                body,
                button,
            } => Drawn::Card(DrawnCard {
                image: opt(image_url),
                title: Some(title.clone()),
                text: body.clone(),
                buttons: button.iter().map(btn).collect(),
            }),
        })
        .collect();
    (bubbles, bundle.quick_replies.iter().map(btn).collect())
}

/// The quick reply buttons of a message, if it has them.
pub fn quick_replies(m: &Value) -> Vec<DrawnButton> {
    m.pointer("/quickReply/items")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|i| i.get("action")).map(button).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_and_flex_become_cards_with_their_actions() {
        let yes = json!({"type": "postback", "label": "はい", "data": "y"});
        let link = json!({"type": "uri", "label": "予約", "uri": "https://clinic.example"});
        let buttons_msg = json!({"type": "template", "altText": "x", "template": {"type": "buttons", "title": "接種", "text": "希望しますか", "actions": [yes, link]}});
        let Drawn::Card(c) = drawn(&buttons_msg) else { panic!() };
        assert_eq!((c.title.as_deref(), c.text.as_str()), (Some("接種"), "希望しますか"));
        assert_eq!(c.buttons[0].label, "はい");
        assert_eq!(c.buttons[0].action, yes, "the tap sends the exact action");
        assert_eq!(c.buttons[1].uri.as_deref(), Some("https://clinic.example"));

        let flex = json!({"type": "flex", "altText": "健診", "contents": {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [
            {"type": "text", "text": "特定健診"}, {"type": "text", "text": "受付中です"}]},
            "footer": {"type": "box", "layout": "vertical", "contents": [{"type": "button", "action": link}]}}});
        let Drawn::Card(c) = drawn(&flex) else { panic!() };
        assert_eq!(
            (c.title.as_deref(), c.text.as_str(), c.buttons.len()),
            (Some("特定健診"), "受付中です", 1)
        );

        let confirm =
            json!({"type": "template", "altText": "x", "template": {"type": "confirm", "text": "来院しますか", "actions": [yes, yes]}});
        assert!(matches!(drawn(&confirm), Drawn::Confirm { buttons, .. } if buttons.len() == 2));
        let q = json!({"type": "text", "text": "?", "quickReply": {"items": [{"type": "action", "action": {"type": "message", "label": "はい", "text": "はい"}}]}});
        assert_eq!(quick_replies(&q)[0].label, "はい");
        assert_eq!(drawn(&json!({"type": "video", "altText": "動画"})), Drawn::Other("動画".into()));
    }
}
