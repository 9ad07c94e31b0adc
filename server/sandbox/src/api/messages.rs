//! Sending: reply, push, multicast, broadcast, narrowcast (+ progress),
//! validate; quota, profiles, bot info, loading animation, mark-as-read.

use super::{error, invalid, json_body, json_request, line_answer, not_found, ok, Channel};
use crate::ids;
use crate::validate::{self, Problems};
use crate::Sandbox;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use line::limits;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/v2/bot/info", get(bot_info))
        .route("/v2/bot/profile/{userId}", get(profile))
        .route("/v2/bot/message/reply", post(|s, c, h, b| send(s, c, h, b, Via::Reply)))
        .route("/v2/bot/message/push", post(|s, c, h, b| send(s, c, h, b, Via::Push)))
        .route("/v2/bot/message/multicast", post(|s, c, h, b| send(s, c, h, b, Via::Multicast)))
        .route("/v2/bot/message/broadcast", post(|s, c, h, b| send(s, c, h, b, Via::Broadcast)))
        .route("/v2/bot/message/narrowcast", post(|s, c, h, b| send(s, c, h, b, Via::Narrowcast)))
        .route("/v2/bot/message/progress/narrowcast", get(narrowcast_progress))
        .route("/v2/bot/message/validate/{kind}", post(validate_messages))
        .route("/v2/bot/message/quota", get(quota))
        .route("/v2/bot/message/quota/consumption", get(consumption))
        .route("/v2/bot/message/aggregation/info", get(aggregation_info))
        .route("/v2/bot/message/aggregation/list", get(aggregation_list))
        .route("/v2/bot/chat/loading/start", post(loading))
        .route("/v2/bot/chat/markAsRead", post(mark_as_read))
}

async fn bot_info(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    let st = sb.lock();
    let c = &st.channels[ch];
    let basic: String = c.config.channel_id.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
    ok(
        json!({"userId": c.bot_user_id, "basicId": format!("@{basic}"), "displayName": c.config.bot_name,
              "chatMode": "bot", "markAsReadMode": "manual"}),
    )
}

async fn profile(State(sb): State<Sandbox>, Channel(ch): Channel, Path(user_id): Path<String>) -> Response {
    let st = sb.lock();
    // LINE gives profiles only of the channel's friends.
    match st.person(&user_id).filter(|_| st.is_friend(ch, &user_id)) {
        Some(p) => ok(json!({"userId": p.user_id, "displayName": p.display_name, "language": "ja"})),
        None => not_found(),
    }
}

async fn quota(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    match sb.lock().channels[ch].config.plan.hard_limit() {
        Some(limit) => ok(json!({"type": "limited", "value": limit})),
        None => ok(json!({"type": "none"})),
    }
}

async fn consumption(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    let used = sb.lock().usage(ch);
    ok(json!({"totalUsage": used}))
}

async fn aggregation_info(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    let n = sb.lock().units_this_month(ch).len();
    ok(json!({"numOfCustomAggregationUnits": n}))
}

async fn aggregation_list(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    let units = sb.lock().units_this_month(ch);
    ok(json!({"customAggregationUnits": units}))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Reply,
    Push,
    Multicast,
    Broadcast,
    Narrowcast,
}

impl Via {
    fn name(self) -> &'static str {
        match self {
            Via::Reply => "reply",
            Via::Push => "push",
            Via::Multicast => "multicast",
            Via::Broadcast => "broadcast",
            Via::Narrowcast => "narrowcast",
        }
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// The recipients a request names, with the problems in how it names them.
fn recipients(req: &Value, via: Via, p: &mut Problems) -> Vec<String> {
    match via {
        Via::Reply => {
            if req.get("replyToken").and_then(Value::as_str).is_none_or(str::is_empty) {
                p.add("replyToken", "May not be empty");
            }
            Vec::new()
        }
        Via::Push => match req.get("to").and_then(Value::as_str) {
            Some(to) if !to.is_empty() => vec![to.to_string()],
            _ => {
                p.add("to", "May not be empty");
                Vec::new()
            }
        },
        Via::Multicast => {
            let list: Vec<String> = req
                .get("to")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            if list.is_empty() || list.len() > limits::MULTICAST_MAX_RECIPIENTS {
                p.add("to", format!("Size must be between 1 and {}", limits::MULTICAST_MAX_RECIPIENTS));
            }
            list
        }
        Via::Broadcast | Via::Narrowcast => Vec::new(),
    }
}

/// `customAggregationUnits` (push and multicast): one valid name at most.
fn aggregation_unit(req: &Value, via: Via, p: &mut Problems) -> Option<String> {
    let units = req.get("customAggregationUnits")?;
    if !matches!(via, Via::Push | Via::Multicast) {
        p.add("customAggregationUnits", "Unrecognized field");
        return None;
    }
    let names: Vec<&str> = units
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if names.len() != 1 {
        p.add("customAggregationUnits", "Size must be between 1 and 1");
        return None;
    }
    if !limits::is_aggregation_unit(names[0]) {
        p.add("customAggregationUnits[0]", "Invalid custom aggregation unit");
        return None;
    }
    Some(names[0].to_string())
}

async fn send(State(sb): State<Sandbox>, Channel(ch): Channel, headers: HeaderMap, body: Bytes, via: Via) -> Response {
    let req = match json_body(&body) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    let retry_key = headers.get("x-line-retry-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(key) = &retry_key {
        if via == Via::Reply {
            return error(StatusCode::BAD_REQUEST, "X-Line-Retry-Key is not supported for this endpoint");
        }
        if !is_uuid(key) {
            return error(StatusCode::BAD_REQUEST, "The value for the 'X-Line-Retry-Key' header is invalid");
        }
    }

    let mut problems = sb.message_problems();
    validate::messages(req.get("messages"), &mut problems);
    let named = recipients(&req, via, &mut problems);
    let unit = aggregation_unit(&req, via, &mut problems);
    if via == Via::Narrowcast && (req.get("recipient").is_some() || req.get("filter").is_some()) {
        problems.add(
            "recipient",
            "The sandbox narrowcasts to all friends only: audiences and demographic filters are not simulated",
        );
    }
    if !problems.is_empty() {
        return invalid(problems);
    }
    let messages: Vec<Value> = req.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();

    let mut st = sb.lock();
    st.expire_retry_keys(ch);
    if let Some(key) = &retry_key {
        if let Some((accepted, _, sent)) = st.channels[ch].retry_keys.get(key) {
            let mut body = json!({"message": "The retry key is already accepted"});
            if via == Via::Push {
                body["sentMessages"] = json!(sent);
            }
            let accepted = accepted.clone();
            return (
                StatusCode::CONFLICT,
                [("x-line-request-id", ids::request_id()), ("x-line-accepted-request-id", accepted)],
                Json(body),
            )
                .into_response();
        }
    }
    let request_id = ids::request_id();
    let remember = |st: &mut std::sync::MutexGuard<'_, crate::state::State>, sent: &[Value]| {
        if let Some(key) = &retry_key {
            let now = st.now_ms();
            st.channels[ch]
                .retry_keys
                .insert(key.clone(), (request_id.clone(), now, sent.to_vec()));
        }
    };

    if via == Via::Narrowcast {
        let max = req.pointer("/limit/max").and_then(Value::as_u64).map(|m| m as usize);
        if !st.start_narrowcast(ch, &request_id, messages, max, retry_key.clone()) {
            return error(StatusCode::TOO_MANY_REQUESTS, line::client::MONTHLY_LIMIT_MESSAGE);
        }
        remember(&mut st, &[]);
        if let Some(ms) = st.narrowcast_ms {
            let (sb, id) = (sb.clone(), request_id.clone());
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                sb.lock().complete_narrowcasts(Some(&id));
            });
        }
        return line_answer(StatusCode::ACCEPTED, json!({}), &request_id);
    }

    let to: Vec<String> = match via {
        Via::Reply => match st.take_reply_token(ch, req["replyToken"].as_str().unwrap_or_default()) {
            Some(user) => vec![user],
            None => return error(StatusCode::BAD_REQUEST, "Invalid reply token"),
        },
        Via::Broadcast => st.friends(ch),
        _ => {
            // Blocked users and unknown IDs get nothing and are not counted.
            let mut seen = std::collections::HashSet::new();
            named
                .into_iter()
                .filter(|u| seen.insert(u.clone()) && st.is_friend(ch, u))
                .collect()
        }
    };
    if via != Via::Reply && !st.charge(ch, to.len() as i64) {
        return error(StatusCode::TOO_MANY_REQUESTS, line::client::MONTHLY_LIMIT_MESSAGE);
    }
    let unit = unit.and_then(|u| st.use_unit(ch, &u));
    st.deliver(ch, &to, via.name(), &request_id, retry_key.as_deref(), &messages, unit);
    let sent: Vec<Value> = messages
        .iter()
        .map(|_| json!({"id": format!("{}", rand::random::<u64>() >> 4), "quoteToken": ids::token()}))
        .collect();
    remember(&mut st, &sent);
    let body = match via {
        Via::Reply | Via::Push => json!({"sentMessages": sent}),
        _ => json!({}),
    };
    line_answer(StatusCode::OK, body, &request_id)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestIdQuery {
    request_id: Option<String>,
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

async fn narrowcast_progress(State(sb): State<Sandbox>, Channel(ch): Channel, Query(q): Query<RequestIdQuery>) -> Response {
    let st = sb.lock();
    let Some(n) = q.request_id.as_deref().and_then(|id| st.channels[ch].narrowcasts.get(id)) else {
        return not_found();
    };
    let mut body = json!({"phase": "sending", "acceptedTime": iso(n.accepted_ms), "targetCount": n.reserved});
    if let Some(done) = n.completed_ms {
        let delivered = st.channels[ch]
            .requests
            .iter()
            .find(|r| Some(&r.request_id) == q.request_id.as_ref())
            .map_or(0, |r| r.delivered.len());
        body["phase"] = json!("succeeded");
        body["successCount"] = json!(delivered);
        body["failureCount"] = json!(0);
        body["completedTime"] = json!(iso(done));
    }
    ok(body)
}

async fn validate_messages(
    State(sb): State<Sandbox>,
    Channel(_): Channel,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !matches!(kind.as_str(), "reply" | "push" | "multicast" | "narrowcast" | "broadcast") {
        return not_found();
    }
    let req = match json_request(&headers, &body) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    let mut problems = sb.message_problems();
    validate::messages(req.get("messages"), &mut problems);
    if problems.is_empty() {
        ok(json!({}))
    } else {
        invalid(problems)
    }
}

async fn loading(State(sb): State<Sandbox>, Channel(ch): Channel, headers: HeaderMap, body: Bytes) -> Response {
    let req = match json_request(&headers, &body) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    let mut problems = Problems::default();
    let chat = req.get("chatId").and_then(Value::as_str).unwrap_or_default();
    if !sb.lock().is_friend(ch, chat) {
        problems.add("chatId", "Invalid chat ID");
    }
    if let Some(s) = req.get("loadingSeconds") {
        match s.as_u64() {
            Some(n) if (5..=60).contains(&n) && n % 5 == 0 => {}
            _ => problems.add("loadingSeconds", "Must be a multiple of 5 between 5 and 60"),
        }
    }
    if !problems.is_empty() {
        return invalid(problems);
    }
    line_answer(StatusCode::ACCEPTED, json!({}), &ids::request_id())
}

async fn mark_as_read(State(sb): State<Sandbox>, Channel(ch): Channel, headers: HeaderMap, body: Bytes) -> Response {
    let req = match json_request(&headers, &body) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    let token = req.get("markAsReadToken").and_then(Value::as_str).unwrap_or_default();
    if sb.lock().mark_as_read(ch, token) {
        ok(json!({}))
    } else {
        error(StatusCode::BAD_REQUEST, "Invalid markAsReadToken")
    }
}
