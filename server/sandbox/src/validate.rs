//! LINE's checks of message objects and rich menus, with LINE's wording
//! and property paths (`messages[0].template.actions[1].label`).

use line::limits;
use serde_json::Value;

/// One problem found in a request, as LINE reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub property: String,
}

#[derive(Default)]
pub struct Problems {
    pub list: Vec<Problem>,
    /// See `Sandbox::accept_plain_http_images_from`.
    plain_http_image_origin: Option<String>,
}

impl Problems {
    /// Problems of a request whose image URLs may also be plain `http`
    /// under `origin` (a local demo of the product, which has no TLS).
    pub fn with_plain_http_images_from(origin: Option<String>) -> Problems {
        Problems {
            list: Vec::new(),
            plain_http_image_origin: origin,
        }
    }

    pub fn add(&mut self, property: impl Into<String>, message: impl Into<String>) {
        self.list.push(Problem {
            message: message.into(),
            property: property.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn size(&mut self, property: &str, len: usize, min: usize, max: usize) {
        if len < min || len > max {
            self.add(property, format!("Size must be between {min} and {max}"));
        }
    }

    /// A required string no longer than `max` characters.
    fn text(&mut self, v: &Value, key: &str, at: &str, max: usize) {
        match v.get(key).and_then(Value::as_str) {
            None | Some("") => self.add(format!("{at}.{key}"), "May not be empty"),
            Some(s) => self.optional_text(Some(s), &format!("{at}.{key}"), max),
        }
    }

    fn optional_text(&mut self, s: Option<&str>, property: &str, max: usize) {
        if let Some(s) = s {
            if s.chars().count() > max {
                self.add(property, format!("Length must be between 0 and {max}"));
            }
        }
    }

    fn uri(&mut self, v: &Value, key: &str, at: &str, https_only: bool) {
        let property = format!("{at}.{key}");
        match v.get(key).and_then(Value::as_str) {
            None | Some("") => self.add(property, "May not be empty"),
            Some(uri) if !uri_allowed(uri, https_only) && !self.is_local_demo_image(uri, https_only) => self.add(property, "invalid uri"),
            Some(_) => {}
        }
    }

    fn is_local_demo_image(&self, uri: &str, https_only: bool) -> bool {
        https_only
            && self
                .plain_http_image_origin
                .as_deref()
                .is_some_and(|origin| uri.strip_prefix(origin).is_some_and(|rest| rest.starts_with('/')) && uri_allowed(uri, false))
    }
}

/// LINE takes only `http`, `https`, `line` and `tel` URIs up to 1,000
/// characters (images: `https` only).
pub fn uri_allowed(uri: &str, https_only: bool) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    let scheme_ok = if https_only {
        scheme == "https"
    } else {
        limits::URI_SCHEMES.contains(&scheme.as_str())
    };
    scheme_ok && !rest.is_empty() && uri.chars().count() <= limits::URI_MAX && !uri.chars().any(char::is_whitespace)
}

/// A text message's LINE emoji: at most 20, each at a `$` of the text
/// (indices in UTF-16 code units), each naming a product and an emoji.
fn emojis(m: &Value, text: &str, at: &str, p: &mut Problems) {
    let Some(list) = m.get("emojis") else { return };
    let Some(list) = list.as_array() else {
        p.add(format!("{at}.emojis"), "Must be an array");
        return;
    };
    p.size(&format!("{at}.emojis"), list.len(), 0, model::emoji::MAX_PER_TEXT);
    let units: Vec<u16> = text.encode_utf16().collect();
    for (i, e) in list.iter().enumerate() {
        let here = format!("{at}.emojis[{i}]");
        match e.get("index").and_then(Value::as_u64) {
            Some(n) if units.get(n as usize) == Some(&(b'$' as u16)) => {}
            _ => p.add(format!("{here}.index"), "The index must point to a '$' character in the text"),
        }
        for key in ["productId", "emojiId"] {
            if e.get(key).and_then(Value::as_str).is_none_or(str::is_empty) {
                p.add(format!("{here}.{key}"), "May not be empty");
            }
        }
    }
}

/// Checks a `messages` array against LINE's limits.
pub fn messages(list: Option<&Value>, p: &mut Problems) {
    let Some(list) = list.and_then(Value::as_array) else {
        p.add("messages", "May not be empty");
        return;
    };
    p.size("messages", list.len(), 1, limits::MAX_MESSAGES);
    for (i, m) in list.iter().enumerate() {
        message(m, &format!("messages[{i}]"), p);
    }
}

fn message(m: &Value, at: &str, p: &mut Problems) {
    match m.get("type").and_then(Value::as_str) {
        None => p.add(format!("{at}.type"), "May not be empty"),
        Some("text") => match m.get("text").and_then(Value::as_str) {
            None | Some("") => p.add(format!("{at}.text"), "May not be empty"),
            Some(t) if limits::utf16_len(t) > limits::TEXT_MAX_UTF16 => p.add(
                format!("{at}.text"),
                format!("Length must be between 0 and {}", limits::TEXT_MAX_UTF16),
            ),
            Some(t) => emojis(m, t, at, p),
        },
        Some("image") => {
            p.uri(m, "originalContentUrl", at, true);
            p.uri(m, "previewImageUrl", at, true);
        }
        Some("sticker") => {
            for key in ["packageId", "stickerId"] {
                if m.get(key).and_then(Value::as_str).is_none_or(str::is_empty) {
                    p.add(format!("{at}.{key}"), "May not be empty");
                }
            }
        }
        Some("template") => {
            p.text(m, "altText", at, limits::ALT_TEXT_MAX);
            match m.get("template") {
                Some(t) => template(t, &format!("{at}.template"), p),
                None => p.add(format!("{at}.template"), "May not be empty"),
            }
        }
        Some("flex") => {
            p.text(m, "altText", at, limits::ALT_TEXT_MAX);
            flex(m.get("contents"), &format!("{at}.contents"), p);
        }
        Some("video" | "audio" | "location" | "imagemap") => {}
        Some(_) => p.add(format!("{at}.type"), "Invalid message type"),
    }
    if let Some(qr) = m.get("quickReply") {
        let items = qr.get("items").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        p.size(&format!("{at}.quickReply.items"), items.len(), 1, limits::QUICK_REPLY_MAX_ITEMS);
        for (i, item) in items.iter().enumerate() {
            let at = format!("{at}.quickReply.items[{i}].action");
            match item.get("action") {
                Some(a) => action(a, &at, limits::ACTION_LABEL_MAX, true, p),
                None => p.add(at, "May not be empty"),
            }
        }
    }
}

fn template(t: &Value, at: &str, p: &mut Problems) {
    let actions = |t: &Value| t.get("actions").and_then(Value::as_array).cloned().unwrap_or_default();
    match t.get("type").and_then(Value::as_str) {
        Some("buttons") => {
            let has_title = t.get("title").and_then(Value::as_str).is_some_and(|s| !s.is_empty());
            let has_image = t.get("thumbnailImageUrl").is_some();
            if has_image {
                p.uri(t, "thumbnailImageUrl", at, true);
            }
            p.optional_text(
                t.get("title").and_then(Value::as_str),
                &format!("{at}.title"),
                limits::BUTTONS_TITLE_MAX,
            );
            let max = if has_title || has_image {
                limits::BUTTONS_TEXT_WITH_IMAGE_OR_TITLE_MAX
            } else {
                limits::BUTTONS_TEXT_MAX
            };
            p.text(t, "text", at, max);
            let list = actions(t);
            p.size(&format!("{at}.actions"), list.len(), 1, limits::BUTTONS_MAX_ACTIONS);
            for (i, a) in list.iter().enumerate() {
                action(a, &format!("{at}.actions[{i}]"), limits::ACTION_LABEL_MAX, true, p);
            }
        }
        Some("confirm") => {
            p.text(t, "text", at, limits::CONFIRM_TEXT_MAX);
            let list = actions(t);
            p.size(&format!("{at}.actions"), list.len(), 2, 2);
            for (i, a) in list.iter().enumerate() {
                action(a, &format!("{at}.actions[{i}]"), limits::ACTION_LABEL_MAX, true, p);
            }
        }
        Some("carousel") => {
            let columns = t.get("columns").and_then(Value::as_array).cloned().unwrap_or_default();
            p.size(&format!("{at}.columns"), columns.len(), 1, limits::CAROUSEL_MAX_COLUMNS);
            for (c, col) in columns.iter().enumerate() {
                let at = format!("{at}.columns[{c}]");
                if col.get("thumbnailImageUrl").is_some() {
                    p.uri(col, "thumbnailImageUrl", &at, true);
                }
                let title = col.get("title").and_then(Value::as_str);
                p.optional_text(title, &format!("{at}.title"), limits::BUTTONS_TITLE_MAX);
                let max = if title.is_some_and(|s| !s.is_empty()) || col.get("thumbnailImageUrl").is_some() {
                    limits::BUTTONS_TEXT_WITH_IMAGE_OR_TITLE_MAX
                } else {
                    limits::CAROUSEL_COLUMN_TEXT_MAX
                };
                p.text(col, "text", &at, max);
                let list = actions(col);
                p.size(&format!("{at}.actions"), list.len(), 1, limits::CAROUSEL_COLUMN_MAX_ACTIONS);
                for (i, a) in list.iter().enumerate() {
                    action(a, &format!("{at}.actions[{i}]"), limits::ACTION_LABEL_MAX, true, p);
                }
            }
        }
        Some("image_carousel") => {
            let columns = t.get("columns").and_then(Value::as_array).cloned().unwrap_or_default();
            p.size(&format!("{at}.columns"), columns.len(), 1, limits::CAROUSEL_MAX_COLUMNS);
            for (c, col) in columns.iter().enumerate() {
                let at = format!("{at}.columns[{c}]");
                p.uri(col, "imageUrl", &at, true);
                match col.get("action") {
                    Some(a) => action(a, &format!("{at}.action"), limits::IMAGE_CAROUSEL_LABEL_MAX, false, p),
                    None => p.add(format!("{at}.action"), "May not be empty"),
                }
            }
        }
        _ => p.add(format!("{at}.type"), "Invalid template type"),
    }
}

fn flex(contents: Option<&Value>, at: &str, p: &mut Problems) {
    let Some(c) = contents else {
        p.add(at, "May not be empty");
        return;
    };
    let bytes = c.to_string().len();
    match c.get("type").and_then(Value::as_str) {
        Some("bubble") => {
            if bytes > limits::FLEX_BUBBLE_MAX_BYTES {
                p.add(at, format!("Size must be at most {} bytes", limits::FLEX_BUBBLE_MAX_BYTES));
            }
            flex_actions(c, at, p);
        }
        Some("carousel") => {
            let bubbles = c.get("contents").and_then(Value::as_array).cloned().unwrap_or_default();
            p.size(&format!("{at}.contents"), bubbles.len(), 1, limits::FLEX_CAROUSEL_MAX_BUBBLES);
            if bytes > limits::FLEX_CAROUSEL_MAX_BYTES {
                p.add(at, format!("Size must be at most {} bytes", limits::FLEX_CAROUSEL_MAX_BYTES));
            }
            for (i, b) in bubbles.iter().enumerate() {
                let at = format!("{at}.contents[{i}]");
                if bubbles[i].to_string().len() > limits::FLEX_BUBBLE_MAX_BYTES {
                    p.add(&at, format!("Size must be at most {} bytes", limits::FLEX_BUBBLE_MAX_BYTES));
                }
                flex_actions(b, &at, p);
            }
        }
        _ => p.add(format!("{at}.type"), "Invalid flex container type"),
    }
}

/// Every `action` inside a flex tree: buttons may have 40-character labels.
fn flex_actions(v: &Value, at: &str, p: &mut Problems) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "action" && child.is_object() {
                    let is_button = map.get("type").and_then(Value::as_str) == Some("button");
                    let max = if is_button {
                        limits::FLEX_BUTTON_LABEL_MAX
                    } else {
                        limits::ACTION_LABEL_MAX
                    };
                    action(child, &format!("{at}.action"), max, is_button, p);
                } else {
                    flex_actions(child, &format!("{at}.{k}"), p);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                flex_actions(child, &format!("{at}[{i}]"), p);
            }
        }
        _ => {}
    }
}

/// An action object; `label_required` for buttons that show their label.
pub fn action(a: &Value, at: &str, label_max: usize, label_required: bool, p: &mut Problems) {
    let label = a.get("label").and_then(Value::as_str);
    if label_required && label.is_none_or(str::is_empty) && a.get("type").and_then(Value::as_str) != Some("richmenuswitch") {
        p.add(format!("{at}.label"), "May not be empty");
    }
    p.optional_text(label, &format!("{at}.label"), label_max);
    match a.get("type").and_then(Value::as_str) {
        Some("postback") => p.text(a, "data", at, limits::POSTBACK_DATA_MAX),
        Some("message") => p.text(a, "text", at, 300),
        Some("uri") => p.uri(a, "uri", at, false),
        Some("datetimepicker") => {
            p.text(a, "data", at, limits::POSTBACK_DATA_MAX);
            if !matches!(a.get("mode").and_then(Value::as_str), Some("date" | "time" | "datetime")) {
                p.add(format!("{at}.mode"), "Invalid mode");
            }
        }
        Some("richmenuswitch") => {
            p.text(a, "data", at, limits::POSTBACK_DATA_MAX);
            match a.get("richMenuAliasId").and_then(Value::as_str) {
                Some(id) if limits::is_rich_menu_alias_id(id) => {}
                _ => p.add(format!("{at}.richMenuAliasId"), "Invalid rich menu alias ID"),
            }
        }
        Some("camera" | "cameraRoll" | "location" | "clipboard") => {}
        Some(_) => p.add(format!("{at}.type"), "Invalid action type"),
        None => p.add(format!("{at}.type"), "May not be empty"),
    }
}

/// A rich menu object (`POST /v2/bot/richmenu` and `/validate`).
pub fn rich_menu(m: &Value, p: &mut Problems) {
    let width = m.pointer("/size/width").and_then(Value::as_u64).unwrap_or(0) as u32;
    let height = m.pointer("/size/height").and_then(Value::as_u64).unwrap_or(0) as u32;
    if !(limits::RICH_MENU_MIN_WIDTH..=limits::RICH_MENU_MAX_WIDTH).contains(&width) {
        p.add(
            "size.width",
            format!(
                "Must be between {} and {}",
                limits::RICH_MENU_MIN_WIDTH,
                limits::RICH_MENU_MAX_WIDTH
            ),
        );
    }
    if height < limits::RICH_MENU_MIN_HEIGHT {
        p.add("size.height", format!("Must be at least {}", limits::RICH_MENU_MIN_HEIGHT));
    } else if (width as f64) / (height as f64) < limits::RICH_MENU_MIN_ASPECT {
        p.add("size", format!("width/height must be at least {}", limits::RICH_MENU_MIN_ASPECT));
    }
    if m.get("selected").and_then(Value::as_bool).is_none() {
        p.add("selected", "May not be empty");
    }
    p.text(m, "name", "", limits::RICH_MENU_NAME_MAX);
    p.text(m, "chatBarText", "", limits::RICH_MENU_CHAT_BAR_TEXT_MAX);
    let areas = m.get("areas").and_then(Value::as_array).cloned().unwrap_or_default();
    p.size("areas", areas.len(), 1, limits::RICH_MENU_MAX_AREAS);
    for (i, a) in areas.iter().enumerate() {
        let at = format!("areas[{i}]");
        let b = |k: &str| a.pointer(&format!("/bounds/{k}")).and_then(Value::as_i64);
        match (b("x"), b("y"), b("width"), b("height")) {
            (Some(x), Some(y), Some(w), Some(h)) if x >= 0 && y >= 0 && w > 0 && h > 0 => {
                if x + w > width as i64 || y + h > height as i64 {
                    p.add(format!("{at}.bounds"), "The area must be inside the rich menu");
                }
            }
            _ => p.add(format!("{at}.bounds"), "Invalid bounds"),
        }
        match a.get("action") {
            Some(act) => action(act, &format!("{at}.action"), limits::ACTION_LABEL_MAX, false, p),
            None => p.add(format!("{at}.action"), "May not be empty"),
        }
    }
    // Top-level keys have no leading dot.
    for problem in &mut p.list {
        if let Some(rest) = problem.property.strip_prefix('.') {
            problem.property = rest.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(messages_json: Value) -> Vec<Problem> {
        let mut p = Problems::default();
        messages(Some(&messages_json), &mut p);
        p.list
    }

    #[test]
    fn uri_schemes() {
        for ok in ["https://a.example", "http://a.example", "line://ti/p/@x", "tel:0312345678"] {
            assert!(uri_allowed(ok, false), "{ok}");
        }
        for bad in ["javascript:alert(1)", "ftp://x", "mailto:a@b", "https://a b", "nocolon"] {
            assert!(!uri_allowed(bad, false), "{bad}");
        }
        assert!(!uri_allowed("http://a.example/x.png", true));
        assert!(!uri_allowed(&format!("https://a.example/{}", "x".repeat(1000)), false));
    }

    #[test]
    fn template_limits() {
        let action = json!({"type": "postback", "label": "はい", "data": "a=1"});
        let ok = json!([{"type": "template", "altText": "確認", "template": {"type": "confirm", "text": "予約しますか", "actions": [action, action]}}]);
        assert!(problems(ok).is_empty());

        let one_action =
            json!([{"type": "template", "altText": "確認", "template": {"type": "confirm", "text": "?", "actions": [action]}}]);
        assert_eq!(problems(one_action)[0].property, "messages[0].template.actions");

        let long_label = json!({"type": "uri", "label": "あ".repeat(21), "uri": "https://a.example"});
        let buttons = json!([{"type": "template", "altText": "x", "template": {"type": "buttons", "text": "t", "actions": [long_label]}}]);
        let p = problems(buttons);
        assert_eq!(p[0].property, "messages[0].template.actions[0].label");
        assert_eq!(p[0].message, "Length must be between 0 and 20");

        let bad_uri = json!({"type": "uri", "label": "開く", "uri": "javascript:alert(1)"});
        let p = problems(json!([{"type": "template", "altText": "x", "template": {"type": "buttons", "text": "t", "actions": [bad_uri]}}]));
        assert_eq!(
            (p[0].property.as_str(), p[0].message.as_str()),
            ("messages[0].template.actions[0].uri", "invalid uri")
        );

        let with_title = json!([{"type": "template", "altText": "x", "template": {"type": "buttons", "title": "題", "text": "あ".repeat(61), "actions": [action]}}]);
        assert_eq!(problems(with_title)[0].property, "messages[0].template.text");

        let columns: Vec<Value> = (0..11).map(|_| json!({"text": "c", "actions": [action]})).collect();
        let carousel = json!([{"type": "template", "altText": "x", "template": {"type": "carousel", "columns": columns}}]);
        assert_eq!(problems(carousel)[0].message, "Size must be between 1 and 10");

        let alt = json!([{"type": "template", "altText": "あ".repeat(401), "template": {"type": "confirm", "text": "?", "actions": [action, action]}}]);
        assert_eq!(problems(alt)[0].property, "messages[0].altText");
    }

    #[test]
    fn quick_reply_and_postback_limits() {
        let item = json!({"type": "action", "action": {"type": "message", "label": "はい", "text": "はい"}});
        let items: Vec<Value> = (0..14).map(|_| item.clone()).collect();
        let p = problems(json!([{"type": "text", "text": "?", "quickReply": {"items": items}}]));
        assert_eq!(p[0].property, "messages[0].quickReply.items");
        let data = json!({"type": "action", "action": {"type": "postback", "label": "x", "data": "d".repeat(301)}});
        let p = problems(json!([{"type": "text", "text": "?", "quickReply": {"items": [data]}}]));
        assert_eq!(p[0].property, "messages[0].quickReply.items[0].action.data");
    }

    #[test]
    fn flex_size() {
        let big = json!({"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": "x".repeat(31 * 1024)}]}});
        let p = problems(json!([{"type": "flex", "altText": "x", "contents": big}]));
        assert_eq!(p[0].property, "messages[0].contents");
        let button = json!({"type": "bubble", "footer": {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "action": {"type": "uri", "label": "あ".repeat(40), "uri": "https://a.example"}}]}});
        assert!(problems(json!([{"type": "flex", "altText": "x", "contents": button}])).is_empty());
    }

    #[test]
    fn rich_menu_rules() {
        let area = json!({"bounds": {"x": 0, "y": 0, "width": 1250, "height": 843}, "action": {"type": "postback", "data": "a"}});
        let ok =
            json!({"size": {"width": 2500, "height": 843}, "selected": false, "name": "n", "chatBarText": "メニュー", "areas": [area]});
        let mut p = Problems::default();
        rich_menu(&ok, &mut p);
        assert!(p.is_empty(), "{:?}", p.list);

        let mut bad = ok.clone();
        bad["size"] = json!({"width": 1000, "height": 1000});
        bad["chatBarText"] = json!("あ".repeat(15));
        bad["areas"] = json!((0..21).map(|_| area.clone()).collect::<Vec<_>>());
        let mut p = Problems::default();
        rich_menu(&bad, &mut p);
        let props: Vec<&str> = p.list.iter().map(|x| x.property.as_str()).collect();
        assert!(props.contains(&"size"), "{props:?}");
        assert!(props.contains(&"chatBarText"), "{props:?}");
        assert!(props.contains(&"areas"), "{props:?}");
        assert!(props.contains(&"areas[0].bounds"), "outside the 1000-high menu: {props:?}");
    }

    #[test]
    fn plain_http_images_only_from_the_local_demo() {
        let image = |url: &str| json!([{"type": "image", "originalContentUrl": url, "previewImageUrl": url}]);
        assert_eq!(problems(image("http://127.0.0.1:3000/media/a")).len(), 2, "LINE takes https only");
        let demo = |url: &str| {
            let mut p = Problems::with_plain_http_images_from(Some("http://127.0.0.1:3000".into()));
            messages(Some(&image(url)), &mut p);
            p.list.len()
        };
        assert_eq!(demo("http://127.0.0.1:3000/media/a"), 0);
        assert_eq!(demo("https://cdn.example/a.png"), 0);
        assert_eq!(demo("http://127.0.0.1:30001/media/a"), 2, "another port is another origin");
        assert_eq!(demo("http://evil.example/media/a"), 2);
    }

    #[test]
    fn emoji_must_sit_on_a_dollar_sign() {
        let text = |emojis: Value| json!([{"type": "text", "text": "🍎予$約", "emojis": emojis}]);
        let ok = json!([{"index": 3, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}]);
        assert!(problems(text(ok)).is_empty(), "UTF-16: the apple is two units");
        let off = json!([{"index": 2, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}]);
        assert_eq!(problems(text(off))[0].property, "messages[0].emojis[0].index");
        let bare = json!([{"index": 3}]);
        assert_eq!(problems(text(bare)).len(), 2);
    }
}
