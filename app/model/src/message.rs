//! A message bundle as the composer builds it (SPEC §4): 1–5 bubbles of the
//! kinds a clinic uses, with quick replies under the last one, and every
//! limit LINE would refuse checked here — in the browser while typing and
//! again on the server before anything is stored.

use crate::line_limits as lim;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Bubble {
    Text {
        text: String,
    },
    /// A picture given by HTTPS URL (JPEG or PNG); the preview defaults to it.
    Image {
        url: String,
        #[serde(default)]
        preview_url: String,
    },
    /// LINE's buttons template: an optional picture and title, a text and
    /// 1–4 buttons.
    Buttons {
        #[serde(default)]
        image_url: String,
        #[serde(default)]
        title: String,
        text: String,
        buttons: Vec<Button>,
    },
    /// A question with exactly two answers.
    Confirm {
        text: String,
        yes: Button,
        no: Button,
    },
    /// Side-by-side cards (LINE's carousel template).
    Carousel {
        columns: Vec<Column>,
    },
    /// A simple card (a flex bubble): picture, title, body and one button.
    Card {
        #[serde(default)]
        image_url: String,
        title: String,
        #[serde(default)]
        body: String,
        #[serde(default)]
        button: Option<Button>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    #[serde(default)]
    pub image_url: String,
    #[serde(default)]
    pub title: String,
    pub text: String,
    pub buttons: Vec<Button>,
}

/// A button: opens a page (or dials), or sends a text as the patient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub label: String,
    #[serde(flatten)]
    pub does: ButtonAction,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ButtonAction {
    Open { uri: String },
    Say { text: String },
}

impl Button {
    pub fn open(label: &str, uri: &str) -> Button {
        Button {
            label: label.into(),
            does: ButtonAction::Open { uri: uri.into() },
        }
    }
    pub fn say(label: &str, text: &str) -> Button {
        Button {
            label: label.into(),
            does: ButtonAction::Say { text: text.into() },
        }
    }
}

/// Replaced, per recipient, by their LINE display name.
pub const DISPLAY_NAME: &str = "{表示名}";
/// In a sequence's steps: the appointment's day (「12月20日(日)」), its time
/// (「9:30」) and its department, as they are when the step goes.
pub const APPOINTMENT_DAY: &str = "{次回予約日}";
pub const APPOINTMENT_TIME: &str = "{予約時刻}";
pub const DEPARTMENT: &str = "{診療科}";
/// The friend's own link to the booking page (予約・変更・キャンセル),
/// signed for them when the message goes; LINE shows it as a link.
pub const BOOKING_URL: &str = "{予約URL}";
/// Every variable, with the longest value it can hold: limits are checked
/// as if each held its longest (a display name is at most 20 characters).
const VARIABLES: [(&str, usize); 5] = [
    (DISPLAY_NAME, 20),
    (APPOINTMENT_DAY, 10),
    (APPOINTMENT_TIME, 5),
    (DEPARTMENT, 20),
    (BOOKING_URL, 200),
];

fn worst_case(s: &str) -> String {
    let mut out = s.to_string();
    for (name, longest) in VARIABLES {
        if out.contains(name) {
            out = out.replace(name, &"あ".repeat(longest));
        }
    }
    // Each address becomes a tracked link, which may be longer.
    let grown: usize = crate::link::web_links_in(&out)
        .into_iter()
        .map(|r| crate::link::TRACKED_LINK_LONGEST.saturating_sub(r.len()))
        .sum();
    out.push_str(&"a".repeat(grown));
    out
}

/// Replaces each named variable in `text` by its value.
pub fn fill_values(text: &mut String, values: &[(&str, String)]) {
    for (name, value) in values {
        if text.contains(name) {
            *text = text.replace(name, value);
        }
    }
}

/// What one send delivers to each recipient.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    pub bubbles: Vec<Bubble>,
    /// Shown under the last bubble (LINE attaches them to one message).
    #[serde(default)]
    pub quick_replies: Vec<Button>,
}

impl Bundle {
    pub fn texts(texts: &[&str]) -> Bundle {
        Bundle {
            bubbles: texts.iter().map(|t| Bubble::Text { text: t.to_string() }).collect(),
            quick_replies: vec![],
        }
    }

    /// Every piece of text a patient reads, with where it is (for the
    /// advertising check).
    pub fn readable_texts(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = Vec::new();
        for (i, b) in self.bubbles.iter().enumerate() {
            let at = |f: &str| format!("bubbles.{i}.{f}");
            match b {
                Bubble::Text { text } => out.push((at("text"), text)),
                Bubble::Image { .. } => {}
                Bubble::Buttons { title, text, .. } => {
                    out.push((at("title"), title));
                    out.push((at("text"), text));
                }
                Bubble::Confirm { text, .. } => out.push((at("text"), text)),
                Bubble::Carousel { columns } => {
                    for (c, col) in columns.iter().enumerate() {
                        out.push((format!("bubbles.{i}.columns.{c}.title"), &col.title));
                        out.push((format!("bubbles.{i}.columns.{c}.text"), &col.text));
                    }
                }
                Bubble::Card { title, body, .. } => {
                    out.push((at("title"), title));
                    out.push((at("body"), body));
                }
            }
        }
        out.retain(|(_, t)| !t.is_empty());
        out
    }

    /// Whether any text names a variable: each recipient then gets their
    /// own copy (a push each, not a multicast).
    pub fn is_personal(&self) -> bool {
        let mut any = false;
        self.clone()
            .map_texts(&mut |t| any |= VARIABLES.iter().any(|(name, _)| t.contains(name)));
        any
    }

    /// The bundle for one recipient: the display name replaced.
    pub fn personalised(&self, display_name: &str) -> Bundle {
        self.with_values(&[(DISPLAY_NAME, display_name.to_string())])
    }

    /// Whether any text names this variable.
    pub fn mentions(&self, variable: &str) -> bool {
        let mut any = false;
        self.clone().map_texts(&mut |t| any |= t.contains(variable));
        any
    }

    /// The bundle with each named variable replaced by its value.
    pub fn with_values(&self, values: &[(&str, String)]) -> Bundle {
        let mut b = self.clone();
        b.map_texts_mut(&mut |t| fill_values(t, values));
        b
    }

    fn map_texts(mut self, f: &mut dyn FnMut(&str)) {
        self.map_texts_mut(&mut |t| f(t));
    }

    /// Every text a patient reads (labels and words a button sends too).
    fn map_texts_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        let button = |b: &mut Button, f: &mut dyn FnMut(&mut String)| {
            f(&mut b.label);
            if let ButtonAction::Say { text } = &mut b.does {
                f(text)
            }
        };
        for b in &mut self.bubbles {
            match b {
                Bubble::Text { text } => f(text),
                Bubble::Image { .. } => {}
                Bubble::Buttons { title, text, buttons, .. } => {
                    f(title);
                    f(text);
                    buttons.iter_mut().for_each(|x| button(x, f));
                }
                Bubble::Confirm { text, yes, no } => {
                    f(text);
                    button(yes, f);
                    button(no, f);
                }
                Bubble::Carousel { columns } => {
                    for c in columns {
                        f(&mut c.title);
                        f(&mut c.text);
                        c.buttons.iter_mut().for_each(|x| button(x, f));
                    }
                }
                Bubble::Card {
                    title, body, button: b, ..
                } => {
                    f(title);
                    f(body);
                    if let Some(x) = b {
                        button(x, f)
                    }
                }
            }
        }
        self.quick_replies.iter_mut().for_each(|x| button(x, f));
    }

    /// Every web address a patient can open, each once, in order: buttons
    /// that open a page, and addresses written in a text bubble (LINE makes
    /// those into links; it does not in templates or cards).
    pub fn links(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        self.clone().each_link_mut(&mut |u| {
            if !out.iter().any(|o| o == u) {
                out.push(u.clone())
            }
        });
        out
    }

    /// The bundle with each web address replaced by `to(address)`.
    pub fn with_links(&self, to: &mut dyn FnMut(&str) -> String) -> Bundle {
        let mut b = self.clone();
        b.each_link_mut(&mut |u| *u = to(u));
        b
    }

    fn each_link_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        let mut button = |b: &mut Button| {
            if let ButtonAction::Open { uri } = &mut b.does {
                if crate::link::is_web_link(uri) {
                    f(uri)
                }
            }
        };
        let mut texts: Vec<&mut String> = Vec::new();
        for b in &mut self.bubbles {
            match b {
                Bubble::Text { text } => texts.push(text),
                Bubble::Image { .. } => {}
                Bubble::Buttons { buttons, .. } => buttons.iter_mut().for_each(&mut button),
                Bubble::Confirm { yes, no, .. } => {
                    button(yes);
                    button(no);
                }
                Bubble::Carousel { columns } => columns.iter_mut().flat_map(|c| c.buttons.iter_mut()).for_each(&mut button),
                Bubble::Card { button: b, .. } => b.iter_mut().for_each(&mut button),
            }
        }
        self.quick_replies.iter_mut().for_each(&mut button);
        for text in texts {
            let mut out = String::with_capacity(text.len());
            let mut at = 0;
            for r in crate::link::web_links_in(text) {
                out.push_str(&text[at..r.start]);
                let mut link = text[r.clone()].to_string();
                f(&mut link);
                out.push_str(&link);
                at = r.end;
            }
            out.push_str(&text[at..]);
            *text = out;
        }
    }

    /// Every image URL of the bundle, to change in place.
    fn each_image_url(&mut self, mut f: impl FnMut(&mut String)) {
        for b in &mut self.bubbles {
            match b {
                Bubble::Image { url, preview_url } => {
                    f(url);
                    f(preview_url);
                }
                Bubble::Buttons { image_url, .. } | Bubble::Card { image_url, .. } => f(image_url),
                Bubble::Carousel { columns } => columns.iter_mut().for_each(|c| f(&mut c.image_url)),
                _ => {}
            }
        }
    }

    /// Whether a picture uploaded to the product is in it.
    pub fn uses_uploads(&self) -> bool {
        let mut found = false;
        self.clone().each_image_url(|u| found |= is_uploaded_media(u));
        found
    }

    /// The bundle with uploaded pictures' paths made into full URLs under
    /// `public_url` (the product's own address, as LINE reaches it).
    pub fn with_media_base(&self, public_url: &str) -> Bundle {
        let mut out = self.clone();
        let base = public_url.trim_end_matches('/');
        out.each_image_url(|u| {
            if is_uploaded_media(u) {
                *u = format!("{base}{u}");
            }
        });
        out
    }

    /// Every image URL of the bundle.
    pub fn image_urls(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for b in &self.bubbles {
            match b {
                Bubble::Image { url, .. } => out.push(url.as_str()),
                Bubble::Buttons { image_url, .. } | Bubble::Card { image_url, .. } => out.push(image_url.as_str()),
                Bubble::Carousel { columns } => out.extend(columns.iter().map(|c| c.image_url.as_str())),
                _ => {}
            }
        }
        out.retain(|u| !u.is_empty());
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    NoBubbles,
    TooManyBubbles {
        max: usize,
    },
    Empty,
    /// Longer than LINE allows (`len` as LINE counts it).
    TooLong {
        max: usize,
        len: usize,
    },
    TooManyButtons {
        max: usize,
    },
    NoButtons,
    TooManyColumns {
        max: usize,
    },
    NoColumns,
    /// Carousel columns must all have a picture or none, a title or none,
    /// and the same number of buttons.
    UnevenColumns,
    TooManyQuickReplies {
        max: usize,
    },
    /// More LINE emoji than one text message may hold.
    TooManyEmoji {
        max: usize,
    },
    /// `{絵文字:…}` that names no LINE emoji.
    BadEmoji,
    /// A picture must be an `https://` address.
    NotHttps,
    /// A button's address must be http(s), line or tel.
    BadUri,
    /// The card is over LINE's size for a flex bubble.
    CardTooLarge {
        max_bytes: usize,
    },
}

/// One problem and where it is (`bubbles.1.text`, `quick_replies.0.label`…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageProblem {
    pub at: String,
    pub problem: Problem,
}

fn too_long(out: &mut Vec<MessageProblem>, at: String, s: &str, max: usize) {
    let len = lim::utf16_len(&worst_case(s));
    if len > max {
        out.push(MessageProblem {
            at,
            problem: Problem::TooLong { max, len },
        });
    }
}

fn required(out: &mut Vec<MessageProblem>, at: String, s: &str, max: usize) {
    if s.trim().is_empty() {
        out.push(MessageProblem {
            at,
            problem: Problem::Empty,
        });
    } else {
        too_long(out, at, s, max);
    }
}

/// Where the product serves uploaded pictures. A bundle keeps an upload as
/// this path, so saved templates survive a change of address; it becomes a
/// full URL only when sent (`Bundle::with_media_base`).
pub const MEDIA_PATH: &str = "/media/";

/// The characters of an upload's token (URL-safe base64).
pub fn is_media_token(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A picture uploaded to the product (`/media/<token>` or its preview).
pub fn is_uploaded_media(url: &str) -> bool {
    url.strip_prefix(MEDIA_PATH)
        .is_some_and(|rest| is_media_token(rest.strip_suffix("/preview").unwrap_or(rest)))
}

fn image(out: &mut Vec<MessageProblem>, at: String, url: &str, required_here: bool) {
    if url.trim().is_empty() {
        if required_here {
            out.push(MessageProblem {
                at,
                problem: Problem::Empty,
            });
        }
    } else if is_uploaded_media(url) {
    } else if !url.starts_with("https://") || url.len() <= "https://".len() {
        out.push(MessageProblem {
            at,
            problem: Problem::NotHttps,
        });
    } else {
        too_long(out, at, url, lim::URI_MAX);
    }
}

/// Whether LINE takes this as a URI action's address.
pub fn uri_ok(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    lim::URI_SCHEMES.contains(&scheme) && !rest.trim().is_empty() && !uri.contains(char::is_whitespace)
}

fn button(out: &mut Vec<MessageProblem>, at: &str, b: &Button) {
    required(out, format!("{at}.label"), &b.label, lim::ACTION_LABEL_MAX);
    match &b.does {
        ButtonAction::Open { uri } => {
            if uri.trim().is_empty() {
                out.push(MessageProblem {
                    at: format!("{at}.uri"),
                    problem: Problem::Empty,
                });
            } else if !uri_ok(uri) {
                out.push(MessageProblem {
                    at: format!("{at}.uri"),
                    problem: Problem::BadUri,
                });
            } else {
                too_long(out, format!("{at}.uri"), uri, lim::URI_MAX);
            }
        }
        ButtonAction::Say { text } => required(out, format!("{at}.text"), text, lim::TEXT_MAX_UTF16),
    }
}

fn buttons(out: &mut Vec<MessageProblem>, at: &str, list: &[Button], max: usize) {
    if list.is_empty() {
        out.push(MessageProblem {
            at: format!("{at}.buttons"),
            problem: Problem::NoButtons,
        });
    }
    if list.len() > max {
        out.push(MessageProblem {
            at: format!("{at}.buttons"),
            problem: Problem::TooManyButtons { max },
        });
    }
    for (j, b) in list.iter().enumerate() {
        button(out, &format!("{at}.buttons.{j}"), b);
    }
}

/// A rough upper bound of a card's flex JSON size (LINE counts the JSON).
fn card_bytes(image_url: &str, title: &str, body: &str, button: &Option<Button>) -> usize {
    let b = button.as_ref().map_or(0, |b| {
        b.label.len()
            + match &b.does {
                ButtonAction::Open { uri } => uri.len(),
                ButtonAction::Say { text } => text.len(),
            }
    });
    // The fixed structure of the bubble is about 600 bytes.
    600 + image_url.len() + title.len() + body.len() + b
}

impl Bundle {
    /// Every limit of LINE's this bundle breaks; empty when LINE would take it.
    pub fn problems(&self) -> Vec<MessageProblem> {
        let mut out = Vec::new();
        if self.bubbles.is_empty() {
            out.push(MessageProblem {
                at: "bubbles".into(),
                problem: Problem::NoBubbles,
            });
        }
        if self.bubbles.len() > lim::MAX_MESSAGES {
            out.push(MessageProblem {
                at: "bubbles".into(),
                problem: Problem::TooManyBubbles { max: lim::MAX_MESSAGES },
            });
        }
        for (i, b) in self.bubbles.iter().enumerate() {
            let at = format!("bubbles.{i}");
            match b {
                Bubble::Text { text } => {
                    // LINE counts each emoji as its one `$`.
                    let (sent, placed) = crate::emoji::expand(text);
                    required(&mut out, format!("{at}.text"), &sent, lim::TEXT_MAX_UTF16);
                    if placed.len() > crate::emoji::MAX_PER_TEXT {
                        out.push(MessageProblem {
                            at: format!("{at}.text"),
                            problem: Problem::TooManyEmoji {
                                max: crate::emoji::MAX_PER_TEXT,
                            },
                        });
                    }
                    if !crate::emoji::malformed(text).is_empty() {
                        out.push(MessageProblem {
                            at: format!("{at}.text"),
                            problem: Problem::BadEmoji,
                        });
                    }
                }
                Bubble::Image { url, preview_url } => {
                    image(&mut out, format!("{at}.url"), url, true);
                    image(&mut out, format!("{at}.preview_url"), preview_url, false);
                }
                Bubble::Buttons {
                    image_url,
                    title,
                    text,
                    buttons: list,
                } => {
                    image(&mut out, format!("{at}.image_url"), image_url, false);
                    too_long(&mut out, format!("{at}.title"), title, lim::BUTTONS_TITLE_MAX);
                    let max = if image_url.is_empty() && title.is_empty() {
                        lim::BUTTONS_TEXT_MAX
                    } else {
                        lim::BUTTONS_TEXT_WITH_IMAGE_OR_TITLE_MAX
                    };
                    required(&mut out, format!("{at}.text"), text, max);
                    buttons(&mut out, &at, list, lim::BUTTONS_MAX_ACTIONS);
                }
                Bubble::Confirm { text, yes, no } => {
                    required(&mut out, format!("{at}.text"), text, lim::CONFIRM_TEXT_MAX);
                    button(&mut out, &format!("{at}.yes"), yes);
                    button(&mut out, &format!("{at}.no"), no);
                }
                Bubble::Carousel { columns } => {
                    if columns.is_empty() {
                        out.push(MessageProblem {
                            at: format!("{at}.columns"),
                            problem: Problem::NoColumns,
                        });
                    }
                    if columns.len() > lim::CAROUSEL_MAX_COLUMNS {
                        out.push(MessageProblem {
                            at: format!("{at}.columns"),
                            problem: Problem::TooManyColumns {
                                max: lim::CAROUSEL_MAX_COLUMNS,
                            },
                        });
                    }
                    if let Some(first) = columns.first() {
                        let uneven = columns.iter().any(|c| {
                            c.image_url.is_empty() != first.image_url.is_empty()
                                || c.title.is_empty() != first.title.is_empty()
                                || c.buttons.len() != first.buttons.len()
                        });
                        if uneven {
                            out.push(MessageProblem {
                                at: format!("{at}.columns"),
                                problem: Problem::UnevenColumns,
                            });
                        }
                    }
                    for (c, col) in columns.iter().enumerate() {
                        let cat = format!("{at}.columns.{c}");
                        image(&mut out, format!("{cat}.image_url"), &col.image_url, false);
                        too_long(&mut out, format!("{cat}.title"), &col.title, lim::BUTTONS_TITLE_MAX);
                        let max = if col.image_url.is_empty() && col.title.is_empty() {
                            lim::CAROUSEL_COLUMN_TEXT_MAX
                        } else {
                            lim::BUTTONS_TEXT_WITH_IMAGE_OR_TITLE_MAX
                        };
                        required(&mut out, format!("{cat}.text"), &col.text, max);
                        buttons(&mut out, &cat, &col.buttons, lim::CAROUSEL_COLUMN_MAX_ACTIONS);
                    }
                }
                Bubble::Card {
                    image_url,
                    title,
                    body,
                    button: b,
                } => {
                    image(&mut out, format!("{at}.image_url"), image_url, false);
                    required(&mut out, format!("{at}.title"), title, lim::ALT_TEXT_MAX);
                    too_long(&mut out, format!("{at}.body"), body, lim::TEXT_MAX_UTF16);
                    if let Some(b) = b {
                        button(&mut out, &format!("{at}.button"), b);
                    }
                    if card_bytes(image_url, title, body, b) > lim::FLEX_BUBBLE_MAX_BYTES {
                        out.push(MessageProblem {
                            at: at.clone(),
                            problem: Problem::CardTooLarge {
                                max_bytes: lim::FLEX_BUBBLE_MAX_BYTES,
                            },
                        });
                    }
                }
            }
        }
        if self.quick_replies.len() > lim::QUICK_REPLY_MAX_ITEMS {
            out.push(MessageProblem {
                at: "quick_replies".into(),
                problem: Problem::TooManyQuickReplies {
                    max: lim::QUICK_REPLY_MAX_ITEMS,
                },
            });
        }
        for (j, b) in self.quick_replies.iter().enumerate() {
            button(&mut out, &format!("quick_replies.{j}"), b);
        }
        out
    }

    /// The short text LINE shows in notifications and the chat list for a
    /// bubble that is not plain text (`altText`, ≤ 400).
    pub fn alt_text(b: &Bubble) -> String {
        let s = match b {
            Bubble::Text { text } => text.clone(),
            Bubble::Image { .. } => "画像".into(),
            Bubble::Buttons { title, text, .. } => {
                if title.is_empty() {
                    text.clone()
                } else {
                    title.clone()
                }
            }
            Bubble::Confirm { text, .. } => text.clone(),
            Bubble::Carousel { columns } => columns.first().map(|c| c.text.clone()).unwrap_or_default(),
            Bubble::Card { title, .. } => title.clone(),
        };
        let mut out = String::new();
        for c in s.chars() {
            if lim::utf16_len(&out) + c.len_utf16() > lim::ALT_TEXT_MAX {
                break;
            }
            out.push(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_of(b: Bubble) -> Vec<Problem> {
        Bundle {
            bubbles: vec![b],
            quick_replies: vec![],
        }
        .problems()
        .into_iter()
        .map(|p| p.problem)
        .collect()
    }

    #[test]
    fn links_are_the_web_addresses_a_patient_can_open() {
        let bundle = Bundle {
            bubbles: vec![
                Bubble::Text {
                    text: "予約はhttps://a.example/bookから。電話 tel:03 {予約URL}".into(),
                },
                Bubble::Buttons {
                    image_url: "https://a.example/pic.jpg".into(),
                    title: String::new(),
                    text: "https://not.a.link/in-a-template".into(),
                    buttons: vec![
                        Button::open("詳しく", "https://a.example/flu"),
                        Button::open("電話", "tel:0312345678"),
                        Button::say("https://said.example", "https://said.example"),
                    ],
                },
            ],
            quick_replies: vec![Button::open("予約", "https://a.example/book")],
        };
        assert_eq!(bundle.links(), vec!["https://a.example/flu", "https://a.example/book"]);
        let mut n = 0;
        let tracked = bundle.with_links(&mut |u| {
            n += 1;
            format!("https://t.example/l/{n}?{}", u.len())
        });
        assert_eq!(
            tracked.bubbles[0],
            Bubble::Text {
                text: "予約はhttps://t.example/l/3?22から。電話 tel:03 {予約URL}".into()
            }
        );
        let Bubble::Buttons {
            text, buttons, image_url, ..
        } = &tracked.bubbles[1]
        else {
            panic!("still buttons")
        };
        assert_eq!(text, "https://not.a.link/in-a-template");
        assert_eq!(image_url, "https://a.example/pic.jpg");
        assert_eq!(buttons[0], Button::open("詳しく", "https://t.example/l/1?21"));
        assert_eq!(buttons[1], Button::open("電話", "tel:0312345678"));
        assert_eq!(buttons[2], Button::say("https://said.example", "https://said.example"));
        assert_eq!(tracked.quick_replies[0], Button::open("予約", "https://t.example/l/2?22"));
    }

    #[test]
    fn a_text_is_checked_as_if_its_addresses_were_tracked_links() {
        // 4,987 characters, a space and a 12-character address fit as they are, but
        // not once the address is a tracked link.
        let text = format!("{} https://a.jp", "あ".repeat(4987));
        assert_eq!(lim::utf16_len(&text), 5000);
        assert!(matches!(
            problems_of(Bubble::Text { text })[..],
            [Problem::TooLong { max: 5000, .. }]
        ));
    }

    #[test]
    fn text_is_counted_in_utf16_like_line() {
        let ok = "あ".repeat(5000);
        assert!(problems_of(Bubble::Text { text: ok }).is_empty());
        // 4,999 characters and one apple: 5,001 code units.
        let over = format!("{}🍎", "あ".repeat(4999));
        assert_eq!(
            problems_of(Bubble::Text { text: over }),
            vec![Problem::TooLong { max: 5000, len: 5001 }]
        );
        assert_eq!(problems_of(Bubble::Text { text: "  ".into() }), vec![Problem::Empty]);
    }

    #[test]
    fn uploads_are_kept_as_paths_and_sent_as_urls() {
        let up = "/media/AbC-_9";
        let bundle = Bundle {
            bubbles: vec![
                Bubble::Image {
                    url: up.into(),
                    preview_url: format!("{up}/preview"),
                },
                Bubble::Text { text: "x".into() },
            ],
            quick_replies: vec![],
        };
        assert!(bundle.problems().is_empty(), "{:?}", bundle.problems());
        assert!(bundle.uses_uploads());
        assert!(!Bundle::texts(&["x"]).uses_uploads());
        let sent = bundle.with_media_base("https://clinic.example/");
        assert_eq!(
            sent.bubbles[0],
            Bubble::Image {
                url: "https://clinic.example/media/AbC-_9".into(),
                preview_url: "https://clinic.example/media/AbC-_9/preview".into(),
            }
        );
        assert_eq!(sent.bubbles[1], bundle.bubbles[1]);
        // Other paths are neither uploads nor URLs LINE takes.
        for bad in ["/media/", "/media/../secret", "/etc/passwd", "media/x", "http://a.example/x.png"] {
            assert_eq!(
                problems_of(Bubble::Image {
                    url: bad.into(),
                    preview_url: String::new()
                }),
                vec![Problem::NotHttps],
                "{bad}"
            );
        }
    }

    #[test]
    fn emoji_count_as_one_and_at_most_twenty() {
        let e = "{絵文字:001}";
        // 4,999 characters and one emoji: 5,000 as LINE counts, however long the token.
        let ok = format!("{}{e}", "あ".repeat(4999));
        assert!(problems_of(Bubble::Text { text: ok }).is_empty());
        assert_eq!(
            problems_of(Bubble::Text { text: e.repeat(21) }),
            vec![Problem::TooManyEmoji { max: 20 }]
        );
        assert_eq!(
            problems_of(Bubble::Text {
                text: "予約{絵文字:1}".into()
            }),
            vec![Problem::BadEmoji]
        );
    }

    #[test]
    fn bundle_size_is_one_to_five() {
        assert_eq!(Bundle::default().problems()[0].problem, Problem::NoBubbles);
        assert!(Bundle::texts(&["1", "2", "3", "4", "5"]).problems().is_empty());
        assert_eq!(
            Bundle::texts(&["1", "2", "3", "4", "5", "6"]).problems()[0],
            MessageProblem {
                at: "bubbles".into(),
                problem: Problem::TooManyBubbles { max: 5 }
            }
        );
    }

    #[test]
    fn buttons_text_shrinks_with_a_title() {
        let b = |title: &str, n: usize| Bubble::Buttons {
            image_url: String::new(),
            title: title.into(),
            text: "x".repeat(n),
            buttons: vec![Button::open("予約", "https://clinic.example/r")],
        };
        assert!(problems_of(b("", 160)).is_empty());
        assert_eq!(problems_of(b("予約", 61)), vec![Problem::TooLong { max: 60, len: 61 }]);
        let five = Bubble::Buttons {
            image_url: String::new(),
            title: String::new(),
            text: "x".into(),
            buttons: vec![Button::say("a", "a"); 5],
        };
        assert_eq!(problems_of(five), vec![Problem::TooManyButtons { max: 4 }]);
    }

    #[test]
    fn addresses_and_labels() {
        let confirm = Bubble::Confirm {
            text: "来院されますか".into(),
            yes: Button::open("はい", "javascript:alert(1)"),
            no: Button::say(&"い".repeat(21), "いいえ"),
        };
        let p = Bundle {
            bubbles: vec![confirm],
            quick_replies: vec![],
        }
        .problems();
        assert_eq!(
            p,
            vec![
                MessageProblem {
                    at: "bubbles.0.yes.uri".into(),
                    problem: Problem::BadUri
                },
                MessageProblem {
                    at: "bubbles.0.no.label".into(),
                    problem: Problem::TooLong { max: 20, len: 21 }
                },
            ]
        );
        assert!(uri_ok("tel:0312345678"));
        assert!(!uri_ok("https://a b"));
        assert_eq!(
            problems_of(Bubble::Image {
                url: "http://clinic.example/a.jpg".into(),
                preview_url: String::new()
            }),
            vec![Problem::NotHttps]
        );
    }

    #[test]
    fn carousel_columns_must_match_and_quick_replies_are_capped() {
        let col = |img: &str| Column {
            image_url: img.into(),
            title: String::new(),
            text: "内科".into(),
            buttons: vec![Button::say("詳しく", "内科")],
        };
        assert!(problems_of(Bubble::Carousel {
            columns: vec![col(""), col("")]
        })
        .is_empty());
        assert_eq!(
            problems_of(Bubble::Carousel {
                columns: vec![col(""), col("https://clinic.example/a.png")]
            }),
            vec![Problem::UnevenColumns]
        );
        assert_eq!(
            problems_of(Bubble::Carousel {
                columns: vec![col(""); 11]
            }),
            vec![Problem::TooManyColumns { max: 10 }]
        );
        let mut many = Bundle::texts(&["x"]);
        many.quick_replies = vec![Button::say("a", "a"); 14];
        assert_eq!(many.problems()[0].problem, Problem::TooManyQuickReplies { max: 13 });
    }

    #[test]
    fn a_display_name_is_put_in_for_each_recipient_and_counted_at_its_longest() {
        let b = Bundle::texts(&["{表示名}様、健診のご案内です"]);
        assert!(b.is_personal());
        assert!(!Bundle::texts(&["健診のご案内です"]).is_personal());
        assert_eq!(b.personalised("山田 花子"), Bundle::texts(&["山田 花子様、健診のご案内です"]));
        // 4,981 characters and a name of up to 20 would pass 5,000.
        let near = format!("{}{}", "あ".repeat(4981), DISPLAY_NAME);
        assert_eq!(
            Bundle::texts(&[&near]).problems()[0].problem,
            Problem::TooLong { max: 5000, len: 5001 }
        );
    }

    #[test]
    fn alt_text_fits_line() {
        let long = Bubble::Card {
            image_url: String::new(),
            title: "🍎".repeat(300),
            body: String::new(),
            button: None,
        };
        assert_eq!(lim::utf16_len(&Bundle::alt_text(&long)), 400);
    }
}
