//! HTTP: LINE's endpoints with LINE's shapes and messages, and the
//! `/_sandbox/…` controls that demos and tests use to act as people.

use crate::ids;
use crate::state::{check_messages, ChannelConfig, PersonKind, Problem};
use crate::{Sandbox, SandboxError};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use line::limits;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn router(sb: Sandbox) -> Router {
    Router::new()
        .route("/v2/bot/info", get(bot_info))
        .route("/v2/bot/profile/{user_id}", get(profile))
        .route("/v2/bot/message/reply", post(|s, c, h, b| send(s, c, h, b, Via::Reply)))
        .route("/v2/bot/message/push", post(|s, c, h, b| send(s, c, h, b, Via::Push)))
        .route("/v2/bot/message/multicast", post(|s, c, h, b| send(s, c, h, b, Via::Multicast)))
        .route("/v2/bot/message/quota", get(quota))
        .route("/v2/bot/message/quota/consumption", get(consumption))
        .route("/_sandbox/channels", post(add_channel))
        .route("/_sandbox/people", get(list_people).post(create_person))
        .route("/_sandbox/people/{user_id}/follow", post(follow))
        .route("/_sandbox/people/{user_id}/block", post(block))
        .route("/_sandbox/people/{user_id}/messages", post(write))
        .route("/_sandbox/people/{user_id}/received", get(received))
        .route("/_sandbox/clock/advance", post(advance))
        .fallback(|| async { line_answer(StatusCode::NOT_FOUND, json!({"message": "Not found"}), &ids::request_id()) })
        // LINE's own 413 comes from the handlers; this only bounds memory.
        .layer(DefaultBodyLimit::max(4 * limits::MAX_BODY_BYTES))
        .with_state(sb)
}

/// Every LINE answer carries `X-Line-Request-Id`.
fn line_answer(status: StatusCode, body: Value, request_id: &str) -> Response {
    (status, [("x-line-request-id", request_id.to_string())], Json(body)).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    line_answer(status, json!({"message": message}), &ids::request_id())
}

/// LINE's 401, with the message LINE gives for the case.
struct Unauthorized(&'static str);

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        error(StatusCode::UNAUTHORIZED, self.0)
    }
}

/// The channel whose access token the request carries (an extractor, so
/// no handler can forget the check).
struct Channel(usize);

impl axum::extract::FromRequestParts<Sandbox> for Channel {
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, sb: &Sandbox) -> Result<Self, Self::Rejection> {
        authenticate(sb, &parts.headers).map(Channel)
    }
}

fn authenticate(sb: &Sandbox, headers: &HeaderMap) -> Result<usize, Unauthorized> {
    let Some(token) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Err(Unauthorized(
            "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
        ));
    };
    sb.lock().channel_by_token(token.trim()).ok_or(Unauthorized(
        "Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid.",
    ))
}

async fn bot_info(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    let st = sb.lock();
    let c = &st.channels[ch];
    let basic = format!(
        "@{}",
        &c.config
            .channel_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect::<String>()
    );
    line_answer(
        StatusCode::OK,
        json!({"userId": c.bot_user_id, "basicId": basic, "displayName": c.config.bot_name, "chatMode": "bot", "markAsReadMode": "manual"}),
        &ids::request_id(),
    )
}

async fn profile(State(sb): State<Sandbox>, Channel(ch): Channel, Path(user_id): Path<String>) -> Response {
    let st = sb.lock();
    // LINE gives profiles only of the channel's friends.
    match st.person(&user_id).filter(|_| st.is_friend(ch, &user_id)) {
        Some(p) => line_answer(
            StatusCode::OK,
            json!({"userId": p.user_id, "displayName": p.display_name, "language": "ja"}),
            &ids::request_id(),
        ),
        None => error(StatusCode::NOT_FOUND, "Not found"),
    }
}

async fn quota(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    let body = match sb.lock().channels[ch].config.plan.hard_limit() {
        Some(limit) => json!({"type": "limited", "value": limit}),
        None => json!({"type": "none"}),
    };
    line_answer(StatusCode::OK, body, &ids::request_id())
}

async fn consumption(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    let used = sb.lock().usage(ch);
    line_answer(StatusCode::OK, json!({"totalUsage": used}), &ids::request_id())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Reply,
    Push,
    Multicast,
}

fn invalid(problems: Vec<Problem>) -> Response {
    let details: Vec<Value> = problems
        .iter()
        .map(|p| json!({"message": p.message, "property": p.property}))
        .collect();
    line_answer(
        StatusCode::BAD_REQUEST,
        json!({"message": format!("The request body has {} error(s)", details.len()), "details": details}),
        &ids::request_id(),
    )
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

async fn send(State(sb): State<Sandbox>, Channel(ch): Channel, headers: HeaderMap, body: Bytes, via: Via) -> Response {
    if body.len() > limits::MAX_BODY_BYTES {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "The request body could not be parsed as JSON");
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

    let mut problems = Vec::new();
    check_messages(req.get("messages"), &mut problems);
    let recipients: Vec<String> = match via {
        Via::Reply => {
            if req.get("replyToken").and_then(Value::as_str).is_none_or(str::is_empty) {
                problems.push(Problem {
                    message: "May not be empty".into(),
                    property: "replyToken".into(),
                });
            }
            Vec::new()
        }
        Via::Push => match req.get("to").and_then(Value::as_str) {
            Some(to) if !to.is_empty() => vec![to.to_string()],
            _ => {
                problems.push(Problem {
                    message: "May not be empty".into(),
                    property: "to".into(),
                });
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
                problems.push(Problem {
                    message: format!("Size must be between 1 and {}", limits::MULTICAST_MAX_RECIPIENTS),
                    property: "to".into(),
                });
            }
            list
        }
    };
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
    let to: Vec<String> = match via {
        Via::Reply => match st.take_reply_token(ch, req["replyToken"].as_str().unwrap_or_default()) {
            Some(user) => vec![user],
            None => return error(StatusCode::BAD_REQUEST, "Invalid reply token"),
        },
        _ => {
            // Blocked users and unknown IDs get nothing and are not counted.
            let mut seen = std::collections::HashSet::new();
            recipients
                .into_iter()
                .filter(|u| seen.insert(u.clone()) && st.is_friend(ch, u))
                .collect()
        }
    };
    if via != Via::Reply && !st.charge(ch, to.len() as i64) {
        return error(StatusCode::TOO_MANY_REQUESTS, line::client::MONTHLY_LIMIT_MESSAGE);
    }
    let request_id = ids::request_id();
    let via_name = match via {
        Via::Reply => "reply",
        Via::Push => "push",
        Via::Multicast => "multicast",
    };
    for user in &to {
        st.record(ch, user, via_name, &request_id, retry_key.as_deref(), &messages);
    }
    let sent: Vec<Value> = messages
        .iter()
        .map(|_| json!({"id": format!("{}", rand::random::<u64>() >> 4), "quoteToken": ids::token()}))
        .collect();
    if let Some(key) = retry_key {
        let now = st.now_ms();
        st.channels[ch].retry_keys.insert(key, (request_id.clone(), now, sent.clone()));
    }
    let body = if via == Via::Multicast {
        json!({})
    } else {
        json!({"sentMessages": sent})
    };
    line_answer(StatusCode::OK, body, &request_id)
}

// ------------------------------------------------------------ controls

#[derive(Deserialize)]
struct ChannelQuery {
    channel: Option<String>,
}

/// The channel a control names, or the only/first one.
fn channel_id(sb: &Sandbox, q: &ChannelQuery) -> Option<String> {
    q.channel
        .clone()
        .or_else(|| sb.lock().channels.first().map(|c| c.config.channel_id.clone()))
}

fn control_error(e: SandboxError) -> Response {
    let status = match e {
        SandboxError::UnknownChannel | SandboxError::UnknownPerson => StatusCode::NOT_FOUND,
        SandboxError::NotAFriend => StatusCode::CONFLICT,
        SandboxError::WebhookUnreachable(_) => StatusCode::BAD_GATEWAY,
    };
    (status, Json(json!({"message": e.to_string()}))).into_response()
}

async fn add_channel(State(sb): State<Sandbox>, Json(config): Json<ChannelConfig>) -> Response {
    let bot = sb.add_channel(config);
    Json(json!({"botUserId": bot})).into_response()
}

async fn list_people(State(sb): State<Sandbox>, Query(q): Query<ChannelQuery>) -> Response {
    let id = channel_id(&sb, &q).unwrap_or_default();
    Json(sb.people(&id)).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewPerson {
    display_name: String,
    #[serde(default)]
    kind: Option<PersonKind>,
}

async fn create_person(State(sb): State<Sandbox>, Json(p): Json<NewPerson>) -> Response {
    if p.display_name.trim().is_empty() || p.display_name.chars().count() > 20 {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": "displayName must be 1 to 20 characters"})),
        )
            .into_response();
    }
    Json(sb.add_person(p.display_name.trim(), p.kind.unwrap_or(PersonKind::Patient))).into_response()
}

async fn acted(result: Result<u16, SandboxError>) -> Response {
    match result {
        Ok(status) => Json(json!({"webhookStatus": status})).into_response(),
        Err(e) => control_error(e),
    }
}

async fn follow(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    let Some(ch) = channel_id(&sb, &q) else {
        return control_error(SandboxError::UnknownChannel);
    };
    acted(sb.follow(&ch, &user).await).await
}

async fn block(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    let Some(ch) = channel_id(&sb, &q) else {
        return control_error(SandboxError::UnknownChannel);
    };
    acted(sb.block(&ch, &user).await).await
}

async fn write(
    State(sb): State<Sandbox>,
    Path(user): Path<String>,
    Query(q): Query<ChannelQuery>,
    Json(body): Json<HashMap<String, String>>,
) -> Response {
    let Some(ch) = channel_id(&sb, &q) else {
        return control_error(SandboxError::UnknownChannel);
    };
    let text = body.get("text").cloned().unwrap_or_default();
    if text.is_empty() || limits::utf16_len(&text) > limits::TEXT_MAX_UTF16 {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": "text must be 1 to 5000 characters"})),
        )
            .into_response();
    }
    acted(sb.write(&ch, &user, &text).await).await
}

async fn received(State(sb): State<Sandbox>, Path(user): Path<String>) -> Response {
    Json(sb.received(&user)).into_response()
}

async fn advance(State(sb): State<Sandbox>, Json(body): Json<HashMap<String, i64>>) -> Response {
    sb.advance(body.get("ms").copied().unwrap_or(0));
    Json(json!({"now": sb.now_ms()})).into_response()
}
