//! The HTTP client for LINE's Messaging API (or the sandbox: the base URLs
//! are configuration). Every failure maps to one `LineError`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

/// One problem LINE found in a request (`details[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub property: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("LINE refused the request: {message}")]
    InvalidRequest { message: String, details: Vec<ErrorDetail> },
    #[error("LINE refused the channel access token: {0}")]
    Auth(String),
    #[error("not found on LINE")]
    NotFound,
    /// A retry of a request LINE already accepted: the first one was sent.
    #[error("the retry key was already accepted")]
    RetryKeyAccepted { accepted_request_id: Option<String> },
    #[error("LINE's rate limit was exceeded")]
    RateLimited,
    #[error("the month's message limit is reached")]
    MonthlyLimitReached,
    #[error("LINE answered with a server error ({0})")]
    Server(u16),
    #[error("LINE did not answer in time")]
    Timeout,
    #[error("could not reach LINE: {0}")]
    Network(String),
    #[error("unexpected answer from LINE ({0})")]
    Unexpected(u16),
}

impl LineError {
    /// Worth trying again later with the same retry key.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            LineError::RateLimited | LineError::Server(_) | LineError::Timeout | LineError::Network(_)
        )
    }
}

pub const RATE_LIMIT_MESSAGE: &str = "The API rate limit has been exceeded. Try again later.";
pub const MONTHLY_LIMIT_MESSAGE: &str = "You have reached your monthly limit.";

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Vec<ErrorDetail>,
}

/// Turns a non-success answer into the error it means. A 429 is told apart
/// only by its message (LINE sends no rate headers).
pub fn classify(status: u16, body: &[u8], accepted_request_id: Option<String>) -> LineError {
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    match status {
        400 => LineError::InvalidRequest {
            message: parsed.message,
            details: parsed.details,
        },
        401 | 403 => LineError::Auth(parsed.message),
        404 => LineError::NotFound,
        409 => LineError::RetryKeyAccepted { accepted_request_id },
        429 if parsed.message == MONTHLY_LIMIT_MESSAGE => LineError::MonthlyLimitReached,
        429 => LineError::RateLimited,
        500..=599 => LineError::Server(status),
        other => LineError::Unexpected(other),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub user_id: String,
    pub display_name: String,
    #[serde(default)]
    pub picture_url: Option<String>,
    #[serde(default)]
    pub status_message: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotInfo {
    pub user_id: String,
    pub basic_id: String,
    pub display_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Quota {
    Unlimited,
    Limited(i64),
}

/// What LINE answered to a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub request_id: Option<String>,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    api_base: String,
    token: String,
}

impl Client {
    /// `api_base` is `https://api.line.me` or the sandbox's address.
    pub fn new(api_base: &str, token: &str) -> Client {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("a reqwest client with timeouts builds");
        Client {
            http,
            api_base: api_base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        }
    }

    async fn call(&self, req: reqwest::RequestBuilder) -> Result<(Option<String>, Vec<u8>), LineError> {
        let res = req.bearer_auth(&self.token).send().await.map_err(|e| {
            if e.is_timeout() {
                LineError::Timeout
            } else {
                LineError::Network(e.without_url().to_string())
            }
        })?;
        let status = res.status().as_u16();
        let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let request_id = header("x-line-request-id");
        let accepted = header("x-line-accepted-request-id");
        let body = res.bytes().await.map_err(|e| {
            if e.is_timeout() {
                LineError::Timeout
            } else {
                LineError::Network(e.to_string())
            }
        })?;
        if (200..300).contains(&status) {
            Ok((request_id, body.to_vec()))
        } else {
            Err(classify(status, &body, accepted))
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.api_base, path)
    }

    fn json<T: for<'de> Deserialize<'de>>(body: &[u8], status_hint: u16) -> Result<T, LineError> {
        serde_json::from_slice(body).map_err(|_| LineError::Unexpected(status_hint))
    }

    pub async fn profile(&self, user_id: &str) -> Result<Profile, LineError> {
        let (_, body) = self.call(self.http.get(self.url(&format!("/v2/bot/profile/{user_id}")))).await?;
        Self::json(&body, 200)
    }

    pub async fn bot_info(&self) -> Result<BotInfo, LineError> {
        let (_, body) = self.call(self.http.get(self.url("/v2/bot/info"))).await?;
        Self::json(&body, 200)
    }

    pub async fn quota(&self) -> Result<Quota, LineError> {
        let (_, body) = self.call(self.http.get(self.url("/v2/bot/message/quota"))).await?;
        let v: Value = Self::json(&body, 200)?;
        Ok(match v.get("type").and_then(Value::as_str) {
            Some("limited") => Quota::Limited(v.get("value").and_then(Value::as_i64).unwrap_or(0)),
            _ => Quota::Unlimited,
        })
    }

    pub async fn quota_consumption(&self) -> Result<i64, LineError> {
        let (_, body) = self.call(self.http.get(self.url("/v2/bot/message/quota/consumption"))).await?;
        let v: Value = Self::json(&body, 200)?;
        Ok(v.get("totalUsage").and_then(Value::as_i64).unwrap_or(0))
    }

    /// Free: answers the event the token came with.
    pub async fn reply(&self, reply_token: &str, messages: &[Value]) -> Result<Sent, LineError> {
        let req = self
            .http
            .post(self.url("/v2/bot/message/reply"))
            .json(&json!({"replyToken": reply_token, "messages": messages}));
        let (request_id, _) = self.call(req).await?;
        Ok(Sent { request_id })
    }

    /// Counted: one user. `retry_key` must be on the first attempt too.
    pub async fn push(&self, to: &str, messages: &[Value], retry_key: Option<&str>) -> Result<Sent, LineError> {
        self.counted_send("/v2/bot/message/push", json!({"to": to, "messages": messages}), retry_key)
            .await
    }

    /// Counted per recipient: up to 500 users.
    pub async fn multicast(&self, to: &[String], messages: &[Value], retry_key: Option<&str>) -> Result<Sent, LineError> {
        self.counted_send("/v2/bot/message/multicast", json!({"to": to, "messages": messages}), retry_key)
            .await
    }

    /// A counted send: these endpoints take a retry key, which must be on
    /// the first attempt as well as on every retry.
    async fn counted_send(&self, path: &str, body: Value, retry_key: Option<&str>) -> Result<Sent, LineError> {
        let mut req = self.http.post(self.url(path)).json(&body);
        if let Some(k) = retry_key {
            req = req.header("X-Line-Retry-Key", k);
        }
        let (request_id, _) = self.call(req).await?;
        Ok(Sent { request_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_told_apart() {
        let invalid =
            br#"{"message":"The request body has 1 error(s)","details":[{"message":"May not be empty","property":"messages[0].text"}]}"#;
        assert_eq!(
            classify(400, invalid, None),
            LineError::InvalidRequest {
                message: "The request body has 1 error(s)".into(),
                details: vec![ErrorDetail {
                    message: "May not be empty".into(),
                    property: "messages[0].text".into()
                }]
            }
        );
        assert!(matches!(
            classify(401, br#"{"message":"Authentication failed"}"#, None),
            LineError::Auth(_)
        ));
        assert_eq!(classify(404, br#"{"message":"Not found"}"#, None), LineError::NotFound);
        assert_eq!(
            classify(409, b"{}", Some("r-1".into())),
            LineError::RetryKeyAccepted {
                accepted_request_id: Some("r-1".into())
            }
        );
        assert_eq!(
            classify(429, br#"{"message":"You have reached your monthly limit."}"#, None),
            LineError::MonthlyLimitReached
        );
        assert_eq!(
            classify(
                429,
                br#"{"message":"The API rate limit has been exceeded. Try again later."}"#,
                None
            ),
            LineError::RateLimited
        );
        assert_eq!(classify(503, b"", None), LineError::Server(503));
        assert!(classify(503, b"", None).is_transient());
        assert!(!LineError::MonthlyLimitReached.is_transient());
    }
}
