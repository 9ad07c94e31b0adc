//! `/_sandbox/…`: act as people and steer the platform (demos, staff
//! training, tests). Not part of LINE's API. When the sandbox has a
//! control token (the product's in-process one always does) every control
//! needs it in `X-Sandbox-Token`; everything about people is asked of one
//! channel, which sees only its own people and deliveries.

use crate::state::ChannelConfig;
use crate::{Faults, FlushOrder, PersonKind, RateLimits, Sandbox, SandboxError, WebhookBehaviour};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use line::limits;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn routes(sb: &Sandbox) -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/channels", post(add_channel))
        .route("/_sandbox/channels/{channel}/push", post(push_as_channel))
        .route("/_sandbox/channels/{channel}/plan", post(set_plan))
        .route("/_sandbox/people", get(list_people).post(create_person))
        .route("/_sandbox/people/{user_id}/follow", post(follow))
        .route("/_sandbox/people/{user_id}/block", post(block))
        .route("/_sandbox/people/{user_id}/messages", post(write))
        .route("/_sandbox/people/{user_id}/tap", post(tap))
        .route("/_sandbox/people/{user_id}/open", post(open))
        .route("/_sandbox/people/{user_id}/received", get(received))
        .route("/_sandbox/people/{user_id}/id-token", post(id_token))
        .route("/_sandbox/people/{user_id}/written", get(written))
        .route("/_sandbox/people/{user_id}/richmenu", get(rich_menu))
        .route("/_sandbox/richmenus/{rich_menu_id}/image", get(rich_menu_image))
        .route("/_sandbox/ledger", get(ledger))
        .route("/_sandbox/usage", post(usage_elsewhere))
        .route("/_sandbox/rate-limits", post(rate_limits))
        .route("/_sandbox/faults", post(faults))
        .route("/_sandbox/webhooks", post(webhooks))
        .route("/_sandbox/webhooks/flush", post(flush))
        .route("/_sandbox/narrowcasts/complete", post(complete_narrowcasts))
        .route("/_sandbox/clock/advance", post(advance))
        .layer(axum::middleware::from_fn_with_state(sb.clone(), require_token))
}

/// The control token, compared in constant time.
async fn require_token(State(sb): State<Sandbox>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if let Some(expected) = sb.control_token() {
        let given = req
            .headers()
            .get(crate::CONTROL_TOKEN_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !bool::from(subtle::ConstantTimeEq::ct_eq(given, expected.as_bytes())) {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"message": "the sandbox's controls need its token in X-Sandbox-Token"})),
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// The one channel a control about people acts for (required: no control
/// sees several channels' people at once).
#[derive(Deserialize)]
struct ChannelQuery {
    channel: String,
}

/// The channel a control names, if the sandbox has it.
fn channel_id(sb: &Sandbox, q: &ChannelQuery) -> Result<String, SandboxError> {
    sb.lock().channel_index(&q.channel)?;
    Ok(q.channel.clone())
}

fn control_error(e: SandboxError) -> Response {
    let status = match e {
        SandboxError::UnknownChannel | SandboxError::UnknownPerson => StatusCode::NOT_FOUND,
        SandboxError::NotAFriend | SandboxError::NotVisible => StatusCode::CONFLICT,
        SandboxError::WebhookUnreachable(_) => StatusCode::BAD_GATEWAY,
    };
    (status, Json(json!({"message": e.to_string()}))).into_response()
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"message": message}))).into_response()
}

fn answer<T: serde::Serialize>(result: Result<T, SandboxError>) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => control_error(e),
    }
}

fn acted(result: Result<u16, SandboxError>) -> Response {
    answer(result.map(|status| json!({"webhookStatus": status})))
}

async fn add_channel(State(sb): State<Sandbox>, Json(config): Json<ChannelConfig>) -> Response {
    let bot = sb.add_channel(config);
    Json(json!({"botUserId": bot})).into_response()
}

#[derive(Deserialize)]
struct PushAsChannel {
    to: String,
    messages: Value,
}

/// A push as the channel would make it, without its access token: for
/// demos and browser tests until the product itself composes messages.
/// The same checks, quota and ledger as `POST /v2/bot/message/push`.
async fn push_as_channel(State(sb): State<Sandbox>, Path(channel): Path<String>, Json(p): Json<PushAsChannel>) -> Response {
    let mut problems = crate::validate::Problems::default();
    crate::validate::messages(Some(&p.messages), &mut problems);
    if !problems.is_empty() {
        // The same answer LINE's push gives.
        return super::invalid(problems);
    }
    let mut st = sb.lock();
    let ch = match st.channel_index(&channel) {
        Ok(ch) => ch,
        Err(e) => return control_error(e),
    };
    if !st.is_friend(ch, &p.to) {
        return control_error(SandboxError::NotAFriend);
    }
    if !st.charge(ch, 1) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({"message": line::client::MONTHLY_LIMIT_MESSAGE})),
        )
            .into_response();
    }
    let messages = p.messages.as_array().cloned().unwrap_or_default();
    let request_id = crate::ids::request_id();
    st.deliver(ch, std::slice::from_ref(&p.to), "push", &request_id, None, &messages, None);
    Json(json!({"requestId": request_id})).into_response()
}

async fn list_people(State(sb): State<Sandbox>, Query(q): Query<ChannelQuery>) -> Response {
    answer(channel_id(&sb, &q).map(|id| sb.people(&id)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewPerson {
    display_name: String,
    #[serde(default)]
    kind: Option<PersonKind>,
}

async fn create_person(State(sb): State<Sandbox>, Query(q): Query<ChannelQuery>, Json(p): Json<NewPerson>) -> Response {
    if p.display_name.trim().is_empty() || p.display_name.chars().count() > 20 {
        return bad_request("displayName must be 1 to 20 characters");
    }
    answer(sb.add_person_to(&q.channel, p.display_name.trim(), p.kind.unwrap_or(PersonKind::Patient)))
}

async fn follow(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    match channel_id(&sb, &q) {
        Ok(ch) => acted(sb.follow(&ch, &user).await),
        Err(e) => control_error(e),
    }
}

/// LIFF: the ID token the person's LINE app would hand the booking page.
async fn id_token(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    let issued = channel_id(&sb, &q).and_then(|ch| sb.lock().issue_id_token(&ch, &user));
    match issued {
        Ok(token) => Json(json!({ "idToken": token })).into_response(),
        Err(e) => control_error(e),
    }
}

async fn block(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    match channel_id(&sb, &q) {
        Ok(ch) => acted(sb.block(&ch, &user).await),
        Err(e) => control_error(e),
    }
}

async fn write(
    State(sb): State<Sandbox>,
    Path(user): Path<String>,
    Query(q): Query<ChannelQuery>,
    Json(body): Json<HashMap<String, String>>,
) -> Response {
    let text = body.get("text").cloned().unwrap_or_default();
    if text.is_empty() || limits::utf16_len(&text) > limits::TEXT_MAX_UTF16 {
        return bad_request("text must be 1 to 5000 characters");
    }
    match channel_id(&sb, &q) {
        Ok(ch) => acted(sb.write(&ch, &user, &text).await),
        Err(e) => control_error(e),
    }
}

#[derive(Deserialize)]
struct Tap {
    action: Value,
}

async fn tap(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>, Json(t): Json<Tap>) -> Response {
    let ch = match channel_id(&sb, &q) {
        Ok(ch) => ch,
        Err(e) => return control_error(e),
    };
    answer(sb.tap(&ch, &user, &t.action).await.map(|status| json!({"webhookStatus": status})))
}

async fn open(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    answer(channel_id(&sb, &q).and_then(|ch| sb.open(&ch, &user)).map(|_| json!({})))
}

async fn received(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    answer(channel_id(&sb, &q).map(|ch| sb.received_from(&ch, &user)))
}

async fn written(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    answer(channel_id(&sb, &q).map(|ch| sb.written_to(&ch, &user)))
}

async fn rich_menu(State(sb): State<Sandbox>, Path(user): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    answer(channel_id(&sb, &q).map(|ch| sb.rich_menu_of(&ch, &user)))
}

async fn rich_menu_image(State(sb): State<Sandbox>, Path(id): Path<String>, Query(q): Query<ChannelQuery>) -> Response {
    let image = channel_id(&sb, &q).ok().and_then(|ch| sb.rich_menu_image(&ch, &id));
    match image {
        Some((content_type, bytes)) => ([("content-type", content_type)], bytes).into_response(),
        None => control_error(SandboxError::UnknownChannel),
    }
}

async fn ledger(State(sb): State<Sandbox>, Query(q): Query<ChannelQuery>) -> Response {
    answer(channel_id(&sb, &q).map(|ch| sb.ledger_of(&ch)))
}

#[derive(Deserialize)]
struct Usage {
    channel: String,
    messages: i64,
}

async fn usage_elsewhere(State(sb): State<Sandbox>, Json(u): Json<Usage>) -> Response {
    answer(sb.add_usage_elsewhere(&u.channel, u.messages).map(|_| json!({})))
}

#[derive(Deserialize)]
struct PlanChange {
    plan: crate::Plan,
    /// Also set this month's usage so far (sends "elsewhere" included).
    #[serde(default)]
    usage: Option<i64>,
}

/// Switches a channel's plan (a demo of what a Free clinic sees).
async fn set_plan(State(sb): State<Sandbox>, Path(channel): Path<String>, Json(c): Json<PlanChange>) -> Response {
    answer(sb.set_plan(&channel, c.plan, c.usage).map(|_| json!({})))
}

async fn rate_limits(State(sb): State<Sandbox>, Json(config): Json<RateLimits>) -> Response {
    sb.set_rate_limits(config);
    Json(json!({})).into_response()
}

async fn faults(State(sb): State<Sandbox>, Json(f): Json<Faults>) -> Response {
    let rates = [f.server_error_rate, f.slow_rate, f.timeout_rate, f.drop_rate];
    if rates.iter().any(|r| !(0.0..=1.0).contains(r)) {
        return bad_request("rates must be between 0 and 1");
    }
    sb.set_faults(f);
    Json(json!({})).into_response()
}

async fn webhooks(State(sb): State<Sandbox>, Json(b): Json<WebhookBehaviour>) -> Response {
    if !(0.0..=1.0).contains(&b.duplicate_rate) {
        return bad_request("duplicateRate must be between 0 and 1");
    }
    sb.set_webhooks(b);
    Json(json!({})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Flush {
    per_post: Option<usize>,
    order: Option<FlushOrder>,
}

async fn flush(State(sb): State<Sandbox>, Json(f): Json<Flush>) -> Response {
    let result = sb
        .flush_webhooks(f.per_post.unwrap_or(1), f.order.unwrap_or(FlushOrder::AsHappened))
        .await;
    answer(result.map(|statuses| json!({"webhookStatuses": statuses})))
}

async fn complete_narrowcasts(State(sb): State<Sandbox>) -> Response {
    sb.complete_narrowcasts();
    Json(json!({})).into_response()
}

async fn advance(State(sb): State<Sandbox>, Json(body): Json<HashMap<String, i64>>) -> Response {
    sb.advance(body.get("ms").copied().unwrap_or(0));
    Json(json!({"now": sb.now_ms()})).into_response()
}
