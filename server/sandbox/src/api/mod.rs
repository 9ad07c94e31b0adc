//! HTTP: LINE's endpoints (both hosts) with LINE's shapes and messages,
//! and the `/_sandbox/…` controls that demos and tests use to act as
//! people and to steer the platform.

// Helpers return LINE's finished answer as the error; it is sent at once,
// never carried around, so its size does not matter.
#![allow(clippy::result_large_err)]

mod controls;
mod insight;
mod messages;
mod richmenu;

use crate::faults::Fault;
use crate::ids;
use crate::validate::Problems;
use crate::Sandbox;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use line::limits;
use serde_json::{json, Value};

pub fn router(sb: Sandbox) -> Router {
    let line_api = Router::new()
        .merge(messages::routes())
        .merge(richmenu::routes())
        .merge(insight::routes())
        .route("/oauth2/v2.1/verify", axum::routing::post(verify_id_token))
        .layer(axum::middleware::from_fn_with_state(sb.clone(), inject_faults));
    line_api
        .merge(controls::routes(&sb))
        .fallback(|| async { line_answer(StatusCode::NOT_FOUND, json!({"message": "Not found"}), &ids::request_id()) })
        // LINE's own 413 comes from the handlers; this only bounds memory.
        .layer(DefaultBodyLimit::max(4 * limits::MAX_BODY_BYTES))
        .with_state(sb)
}

/// LINE Login's `POST /oauth2/v2.1/verify` (form: `id_token`, `client_id`):
/// who an ID token is for, or LINE's 400 with `error_description`.
async fn verify_id_token(State(sb): State<Sandbox>, axum::Form(form): axum::Form<std::collections::HashMap<String, String>>) -> Response {
    let (Some(token), Some(client_id)) = (form.get("id_token"), form.get("client_id")) else {
        return line_answer(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "Required parameter is missing."}),
            &ids::request_id(),
        );
    };
    match sb.lock().verify_id_token(token, client_id) {
        Ok(claims) => ok(claims),
        Err(why) => line_answer(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": why}),
            &ids::request_id(),
        ),
    }
}

/// Every LINE answer carries `X-Line-Request-Id`.
fn line_answer(status: StatusCode, body: Value, request_id: &str) -> Response {
    (status, [("x-line-request-id", request_id.to_string())], Json(body)).into_response()
}

fn ok(body: Value) -> Response {
    line_answer(StatusCode::OK, body, &ids::request_id())
}

fn error(status: StatusCode, message: &str) -> Response {
    line_answer(status, json!({"message": message}), &ids::request_id())
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not found")
}

/// LINE's 400 with one detail per problem.
fn invalid(problems: Problems) -> Response {
    let details: Vec<Value> = problems
        .list
        .iter()
        .map(|p| json!({"message": p.message, "property": p.property}))
        .collect();
    line_answer(
        StatusCode::BAD_REQUEST,
        json!({"message": format!("The request body has {} error(s)", details.len()), "details": details}),
        &ids::request_id(),
    )
}

/// A JSON request body within LINE's 2 MB, or LINE's answer to it.
fn json_body(body: &Bytes) -> Result<Value, Response> {
    if body.len() > limits::MAX_BODY_BYTES {
        return Err(error(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"));
    }
    serde_json::from_slice::<Value>(body).map_err(|_| error(StatusCode::BAD_REQUEST, "The request body could not be parsed as JSON"))
}

/// The JSON body of a request to an endpoint that takes no retry key.
fn json_request(headers: &HeaderMap, body: &Bytes) -> Result<Value, Response> {
    no_retry_key(headers)?;
    json_body(body)
}

/// Refuses a retry key on an endpoint that takes none.
fn no_retry_key(headers: &HeaderMap) -> Result<(), Response> {
    if headers.contains_key("x-line-retry-key") {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "X-Line-Retry-Key is not supported for this endpoint",
        ));
    }
    Ok(())
}

/// LINE's 401, with the message LINE gives for the case, or its 429.
enum Refusal {
    Unauthorized(&'static str),
    RateLimited,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unauthorized(m) => error(StatusCode::UNAUTHORIZED, m),
            Refusal::RateLimited => error(StatusCode::TOO_MANY_REQUESTS, line::client::RATE_LIMIT_MESSAGE),
        }
    }
}

/// The channel whose access token the request carries, after its rate
/// limit for this endpoint (an extractor, so no handler can forget them).
struct Channel(usize);

impl axum::extract::FromRequestParts<Sandbox> for Channel {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, sb: &Sandbox) -> Result<Self, Self::Rejection> {
        let Some(token) = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return Err(Refusal::Unauthorized(
                "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
            ));
        };
        let mut st = sb.lock();
        let ch = st.channel_by_token(token.trim()).ok_or(Refusal::Unauthorized(
            "Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid.",
        ))?;
        let path = parts
            .extensions
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        let now = st.now_ms();
        let channel_id = st.channels[ch].config.channel_id.clone();
        if !st.buckets.take(&channel_id, parts.method.as_str(), &path, now) {
            return Err(Refusal::RateLimited);
        }
        Ok(Channel(ch))
    }
}

/// Fault injection around LINE's endpoints (not the controls).
async fn inject_faults(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let fault = sb.lock().faults.draw();
    let pause = |ms: u64| tokio::time::sleep(std::time::Duration::from_millis(ms));
    match fault {
        None => next.run(req).await,
        Some(Fault::ServerError) => error(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"),
        Some(Fault::Slow(ms)) => {
            pause(ms).await;
            next.run(req).await
        }
        Some(Fault::Timeout(ms)) => {
            let answer = next.run(req).await;
            pause(ms).await;
            answer
        }
        Some(Fault::Drop) => {
            // The work is done; the answer never arrives whole.
            let _ = next.run(req).await;
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "dropped"))
            });
            Response::builder()
                .status(StatusCode::OK)
                .header("content-length", "64")
                .body(Body::from_stream(broken))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}
