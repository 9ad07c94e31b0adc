//! What LINE counts after a send: opens (impressions) and link clicks, by
//! request (broadcast/narrowcast) or by aggregation unit (push/multicast).
//! Figures under 20 users come back as `null`, as LINE does.

use line::limits::INSIGHT_MIN_USERS;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};

pub struct SentRequest {
    pub request_id: String,
    pub at_ms: i64,
    pub via: &'static str,
    pub unit: Option<String>,
    pub delivered: HashSet<String>,
    pub message_count: usize,
    pub opened: HashSet<String>,
    /// (seq from 1, url, user) for every click.
    pub clicks: Vec<(usize, String, String)>,
}

/// LINE hides small numbers.
fn shown(n: usize) -> Value {
    if (n as i64) < INSIGHT_MIN_USERS {
        Value::Null
    } else {
        json!(n)
    }
}

fn media_nulls(v: &mut Value, keys: &[&str]) {
    for k in keys {
        v[*k] = Value::Null;
    }
}

const MESSAGE_MEDIA: [&str; 10] = [
    "mediaPlayed",
    "mediaPlayed25Percent",
    "mediaPlayed50Percent",
    "mediaPlayed75Percent",
    "mediaPlayed100Percent",
    "uniqueMediaPlayed",
    "uniqueMediaPlayed25Percent",
    "uniqueMediaPlayed50Percent",
    "uniqueMediaPlayed75Percent",
    "uniqueMediaPlayed100Percent",
];

/// `messages` and `clicks` of an insight answer over some requests.
fn messages_and_clicks(requests: &[&SentRequest], unique_impressions: bool) -> (Vec<Value>, Vec<Value>) {
    let seqs = requests.iter().map(|r| r.message_count).max().unwrap_or(0);
    let opened: usize = requests.iter().map(|r| r.opened.len()).sum();
    let messages = (1..=seqs)
        .map(|seq| {
            let mut m = json!({"seq": seq, "impression": shown(opened)});
            if unique_impressions {
                m["uniqueImpression"] = shown(opened);
            }
            media_nulls(&mut m, &MESSAGE_MEDIA);
            m
        })
        .collect();
    let mut by_url: BTreeMap<(usize, String), (usize, HashSet<&str>)> = BTreeMap::new();
    let mut of_request: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    for r in requests {
        for (seq, url, user) in &r.clicks {
            let e = by_url.entry((*seq, url.clone())).or_default();
            e.0 += 1;
            e.1.insert(user);
            of_request.entry(url).or_default().insert(user);
        }
    }
    let clicks = by_url
        .iter()
        .map(|((seq, url), (count, users))| {
            json!({"seq": seq, "url": url, "click": shown(*count), "uniqueClick": shown(users.len()),
                   "uniqueClickOfRequest": shown(of_request.get(url.as_str()).map_or(0, HashSet::len))})
        })
        .collect();
    (messages, clicks)
}

/// `GET /v2/bot/insight/message/event` for one broadcast or narrowcast.
pub fn message_event(r: &SentRequest) -> Value {
    let clickers: HashSet<&String> = r.clicks.iter().map(|(_, _, u)| u).collect();
    let mut overview = json!({
        "requestId": r.request_id,
        "timestamp": r.at_ms / 1000,
        "delivered": r.delivered.len(),
        "uniqueImpression": shown(r.opened.len()),
        "uniqueClick": shown(clickers.len()),
    });
    media_nulls(&mut overview, &["uniqueMediaPlayed", "uniqueMediaPlayed100Percent"]);
    let (messages, clicks) = messages_and_clicks(&[r], false);
    json!({"overview": overview, "messages": messages, "clicks": clicks})
}

/// `GET /v2/bot/insight/message/event/aggregation` over the requests of
/// one unit in a date range.
pub fn per_unit(requests: &[&SentRequest]) -> Value {
    let opened: HashSet<&String> = requests.iter().flat_map(|r| r.opened.iter()).collect();
    let clickers: HashSet<&String> = requests.iter().flat_map(|r| r.clicks.iter().map(|(_, _, u)| u)).collect();
    let mut overview = json!({"uniqueImpression": shown(opened.len()), "uniqueClick": shown(clickers.len())});
    media_nulls(&mut overview, &["uniqueMediaPlayed", "uniqueMediaPlayed100Percent"]);
    let (messages, clicks) = messages_and_clicks(requests, true);
    json!({"overview": overview, "messages": messages, "clicks": clicks})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(opened: usize, clickers: usize) -> SentRequest {
        SentRequest {
            request_id: "r".into(),
            at_ms: 1_000_000,
            via: "broadcast",
            unit: None,
            delivered: (0..100).map(|i| format!("U{i}")).collect(),
            message_count: 2,
            opened: (0..opened).map(|i| format!("U{i}")).collect(),
            clicks: (0..clickers)
                .map(|i| (1, "https://a.example".to_string(), format!("U{i}")))
                .collect(),
        }
    }

    #[test]
    fn small_numbers_are_hidden() {
        let v = message_event(&request(19, 5));
        assert_eq!(v["overview"]["delivered"], 100);
        assert!(v["overview"]["uniqueImpression"].is_null());
        assert!(v["clicks"][0]["click"].is_null());
        let v = message_event(&request(20, 25));
        assert_eq!(v["overview"]["uniqueImpression"], 20);
        assert_eq!(v["overview"]["uniqueClick"], 25);
        assert_eq!(v["messages"].as_array().unwrap().len(), 2);
        assert_eq!(v["clicks"][0]["uniqueClick"], 25);
    }
}
