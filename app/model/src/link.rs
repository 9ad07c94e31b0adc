//! Tracked links (SPEC §10): each web address a patient can open in a
//! message becomes, per recipient, a short link on the product's own
//! address that records the click and sends the patient on at once.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Where tracked links are served: `{YORISOI_PUBLIC_URL}/l/{token}`.
pub const TRACKED_PATH: &str = "/l/";

/// The longest a tracked link can be (an address of up to 80 characters,
/// `/l/` and a 35-character token): a text is checked against LINE's
/// limits as if every address in it were this long.
pub const TRACKED_LINK_LONGEST: usize = 120;

/// What sent a link: its clicks are reported there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkSource {
    Broadcast,
    SequenceStep,
}

impl LinkSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkSource::Broadcast => "broadcast",
            LinkSource::SequenceStep => "sequence_step",
        }
    }

    pub fn parse(s: &str) -> Option<LinkSource> {
        match s {
            "broadcast" => Some(LinkSource::Broadcast),
            "sequence_step" => Some(LinkSource::SequenceStep),
            _ => None,
        }
    }
}

/// One link's clicks: every click, and the people who clicked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkFigures {
    pub url: String,
    pub clicks: i64,
    pub clickers: i64,
}

/// Clickers per hundred reached, to one decimal (「12.5%」); empty when
/// nobody was reached.
pub fn click_rate(clickers: i64, reached: i64) -> String {
    if reached <= 0 {
        return String::new();
    }
    let tenths = (clickers * 1000 + reached / 2) / reached;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// Where the web addresses written in `text` are (`http://` or `https://`
/// up to a space, a character outside ASCII or a quote; a full stop or
/// bracket that ends a sentence is not part of it), as LINE turns them into
/// links.
pub fn web_links_in(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = next_scheme(&text[from..]) {
        let start = from + found;
        let mut end = start;
        for (i, c) in text[start..].char_indices() {
            if !c.is_ascii() || c.is_ascii_whitespace() || c.is_ascii_control() || "<>\"'`{}|\\^".contains(c) {
                break;
            }
            end = start + i + c.len_utf8();
        }
        while end > start && text[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', ']']) {
            end -= 1;
        }
        let scheme_len = if text[start..].starts_with("https://") { 8 } else { 7 };
        if end > start + scheme_len {
            out.push(start..end);
        }
        from = end.max(start + scheme_len);
    }
    out
}

fn next_scheme(s: &str) -> Option<usize> {
    match (s.find("http://"), s.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether a button's address is one a click can be tracked through (a
/// web page; not a phone number or a LINE address).
pub fn is_web_link(uri: &str) -> bool {
    (uri.starts_with("https://") || uri.starts_with("http://")) && !uri.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        web_links_in(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn addresses_end_where_japanese_text_or_a_sentence_ends() {
        assert_eq!(
            found("詳しくはhttps://clinic.example/flu?x=1をご覧ください。"),
            vec!["https://clinic.example/flu?x=1"]
        );
        assert_eq!(
            found("See https://a.example/b. And http://c.example)"),
            vec!["https://a.example/b", "http://c.example"]
        );
        assert_eq!(found("「https://a.example/x」"), vec!["https://a.example/x"]);
        assert!(found("https:// だけ").is_empty());
        assert!(found("httpsなし").is_empty());
    }

    #[test]
    fn rates_round_to_a_tenth() {
        assert_eq!(click_rate(1, 8), "12.5%");
        assert_eq!(click_rate(2, 3), "66.7%");
        assert_eq!(click_rate(0, 5), "0.0%");
        assert_eq!(click_rate(3, 0), "");
    }

    #[test]
    fn only_web_addresses_are_tracked() {
        assert!(is_web_link("https://clinic.example"));
        assert!(!is_web_link("tel:0312345678"));
        assert!(!is_web_link("line://nv/camera"));
    }
}
