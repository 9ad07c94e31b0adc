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
    /// A short, stable name (what runs record and the pages translate;
    /// never LINE's own text, which may echo a patient's message).
    pub fn kind(&self) -> &'static str {
        match self {
            LineError::InvalidRequest { .. } => "invalid_request",
            LineError::Auth(_) => "auth",
            LineError::NotFound => "not_found",
            LineError::RetryKeyAccepted { .. } => "accepted",
            LineError::RateLimited => "rate_limited",
            LineError::MonthlyLimitReached => "monthly_limit",
            LineError::Server(_) => "server_error",
            LineError::Timeout => "timeout",
            LineError::Network(_) => "network",
            LineError::Unexpected(_) => "unexpected",
        }
    }

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

/// Options of a counted send (push, multicast, broadcast, narrowcast).
#[derive(Clone, Debug, Default)]
pub struct SendOptions<'a> {
    /// A UUID, on the first attempt and every retry of the same send.
    pub retry_key: Option<&'a str>,
    /// Per-unit statistics name (push and multicast only).
    pub aggregation_unit: Option<&'a str>,
    pub notification_disabled: bool,
}

/// Where a narrowcast is (`GET /v2/bot/message/progress/narrowcast`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NarrowcastProgress {
    /// `waiting`, `sending`, `succeeded` or `failed`.
    pub phase: String,
    #[serde(default)]
    pub success_count: Option<i64>,
    #[serde(default)]
    pub failure_count: Option<i64>,
    #[serde(default)]
    pub target_count: Option<i64>,
    #[serde(default)]
    pub failed_description: Option<String>,
    #[serde(default)]
    pub error_code: Option<i64>,
    pub accepted_time: String,
    #[serde(default)]
    pub completed_time: Option<String>,
}

/// Which send a `validate` call checks the messages for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendKind {
    Reply,
    Push,
    Multicast,
    Narrowcast,
    Broadcast,
}

impl SendKind {
    fn path(self) -> &'static str {
        match self {
            SendKind::Reply => "reply",
            SendKind::Push => "push",
            SendKind::Multicast => "multicast",
            SendKind::Narrowcast => "narrowcast",
            SendKind::Broadcast => "broadcast",
        }
    }
}

/// An action on a rich menu area, quick reply or template button.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Action {
    #[serde(rename_all = "camelCase")]
    Postback {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        data: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display_text: Option<String>,
    },
    Message {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        text: String,
    },
    Uri {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        uri: String,
    },
    #[serde(rename = "richmenuswitch", rename_all = "camelCase")]
    RichMenuSwitch {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        rich_menu_alias_id: String,
        data: String,
    },
    #[serde(rename = "datetimepicker")]
    DatetimePicker {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        data: String,
        /// `date`, `time` or `datetime`.
        mode: String,
    },
    /// A type the product does not use (camera, location…).
    #[serde(other)]
    Unknown,
}

/// A menu's size and an area's bounds are LINE's shapes and the product's
/// geometry at once: one type each, in `model` (the browser checks them too).
pub use model::rich_menu::{Bounds, MenuSize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub bounds: Bounds,
    pub action: Action,
}

/// A rich menu object (`RichMenuRequest`; `rich_menu_id` when read back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RichMenu {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rich_menu_id: Option<String>,
    pub size: MenuSize,
    pub selected: bool,
    pub name: String,
    pub chat_bar_text: String,
    pub areas: Vec<Area>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RichMenuAlias {
    pub rich_menu_alias_id: String,
    pub rich_menu_id: String,
}

/// A count and the people behind it (LINE's insight `metrics`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    pub count: i64,
    pub unique_users: i64,
}

/// Taps on one area of a rich menu over a period.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AreaClicks {
    pub bounds: Bounds,
    pub metrics: Metrics,
}

/// A rich menu's statistics over a period (`GetRichMenuInsightSummaryResponse`):
/// `None` figures when fewer than LINE's threshold of people tapped.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RichMenuInsight {
    pub rich_menu_id: String,
    #[serde(default)]
    pub impression: Option<ImpressionMetrics>,
    #[serde(default)]
    pub clicks: Option<Vec<AreaClicks>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct ImpressionMetrics {
    pub metrics: Metrics,
}

/// Clicks on one URL of one message.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClickStat {
    pub seq: i64,
    pub url: String,
    pub click: Option<i64>,
    pub unique_click: Option<i64>,
}

/// What LINE says of a send's reception. LINE gives `None` below 20 users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reception {
    /// Only for broadcast and narrowcast.
    pub delivered: Option<i64>,
    pub unique_impression: Option<i64>,
    pub unique_click: Option<i64>,
    pub clicks: Vec<ClickStat>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReceptionBody {
    #[serde(default)]
    overview: ReceptionOverview,
    #[serde(default)]
    clicks: Vec<ClickStat>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ReceptionOverview {
    delivered: Option<i64>,
    unique_impression: Option<i64>,
    unique_click: Option<i64>,
}

impl From<ReceptionBody> for Reception {
    fn from(b: ReceptionBody) -> Reception {
        Reception {
            delivered: b.overview.delivered,
            unique_impression: b.overview.unique_impression,
            unique_click: b.overview.unique_click,
            clicks: b.clicks,
        }
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    api_base: String,
    data_base: String,
    token: String,
}

/// LINE's two hosts.
pub const API_BASE: &str = "https://api.line.me";
pub const DATA_BASE: &str = "https://api-data.line.me";

/// What LINE Login says an ID token is for.
#[derive(Clone, Debug, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    /// The user ID.
    pub sub: String,
    /// The LINE Login channel ID.
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(default)]
    pub name: Option<String>,
}

impl Client {
    /// `api_base` is `https://api.line.me`, `data_base`
    /// `https://api-data.line.me` (rich menu images), or both the sandbox.
    pub fn new(api_base: &str, data_base: &str, token: &str) -> Client {
        Client::with_timeout(api_base, data_base, token, Duration::from_secs(15))
    }

    pub fn with_timeout(api_base: &str, data_base: &str, token: &str, timeout: Duration) -> Client {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .build()
            .expect("a reqwest client with timeouts builds");
        Client {
            http,
            api_base: api_base.trim_end_matches('/').to_string(),
            data_base: data_base.trim_end_matches('/').to_string(),
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
                LineError::Network(e.without_url().to_string())
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

    async fn get<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T, LineError> {
        let (_, body) = self.call(self.http.get(self.url(path))).await?;
        Self::json(&body, 200)
    }

    async fn post_json(&self, path: &str, body: &Value) -> Result<Option<String>, LineError> {
        Ok(self.call(self.http.post(self.url(path)).json(body)).await?.0)
    }

    /// A POST that LINE defines without a body.
    async fn post_empty(&self, path: &str) -> Result<(), LineError> {
        self.call(self.http.post(self.url(path))).await.map(|_| ())
    }

    async fn delete(&self, path: &str) -> Result<(), LineError> {
        self.call(self.http.delete(self.url(path))).await.map(|_| ())
    }

    /// A GET whose 404 means "none".
    async fn get_optional<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<Option<T>, LineError> {
        match self.get(path).await {
            Ok(v) => Ok(Some(v)),
            Err(LineError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// LINE Login: who an ID token (LIFF's `liff.getIDToken()`) is for,
    /// checked by LINE for the LINE Login channel `client_id`. A token
    /// altered, expired or for another channel is `InvalidRequest`.
    pub async fn verify_id_token(&self, id_token: &str, client_id: &str) -> Result<IdTokenClaims, LineError> {
        let form = [("id_token", id_token), ("client_id", client_id)];
        let (_, body) = self.call(self.http.post(self.url("/oauth2/v2.1/verify")).form(&form)).await?;
        Self::json(&body, 200)
    }

    pub async fn profile(&self, user_id: &str) -> Result<Profile, LineError> {
        self.get(&format!("/v2/bot/profile/{user_id}")).await
    }

    pub async fn bot_info(&self) -> Result<BotInfo, LineError> {
        self.get("/v2/bot/info").await
    }

    pub async fn quota(&self) -> Result<Quota, LineError> {
        let v: Value = self.get("/v2/bot/message/quota").await?;
        Ok(match v.get("type").and_then(Value::as_str) {
            Some("limited") => Quota::Limited(v.get("value").and_then(Value::as_i64).unwrap_or(0)),
            _ => Quota::Unlimited,
        })
    }

    pub async fn quota_consumption(&self) -> Result<i64, LineError> {
        let v: Value = self.get("/v2/bot/message/quota/consumption").await?;
        Ok(v.get("totalUsage").and_then(Value::as_i64).unwrap_or(0))
    }

    /// Aggregation unit names used this month (LINE allows 1,000).
    pub async fn aggregation_units_used(&self) -> Result<i64, LineError> {
        let v: Value = self.get("/v2/bot/message/aggregation/info").await?;
        Ok(v.get("numOfCustomAggregationUnits").and_then(Value::as_i64).unwrap_or(0))
    }

    /// Free: answers the event the token came with.
    pub async fn reply(&self, reply_token: &str, messages: &[impl Serialize]) -> Result<Sent, LineError> {
        let request_id = self
            .post_json("/v2/bot/message/reply", &json!({"replyToken": reply_token, "messages": messages}))
            .await?;
        Ok(Sent { request_id })
    }

    /// Counted: one user. A retry key must be on the first attempt too.
    pub async fn push(&self, to: &str, messages: &[impl Serialize], options: &SendOptions<'_>) -> Result<Sent, LineError> {
        self.counted_send("/v2/bot/message/push", json!({"to": to, "messages": messages}), options)
            .await
    }

    /// Counted per recipient: up to 500 users.
    pub async fn multicast(&self, to: &[String], messages: &[impl Serialize], options: &SendOptions<'_>) -> Result<Sent, LineError> {
        self.counted_send("/v2/bot/message/multicast", json!({"to": to, "messages": messages}), options)
            .await
    }

    /// Counted per friend: every friend of the account.
    pub async fn broadcast(&self, messages: &[impl Serialize], options: &SendOptions<'_>) -> Result<Sent, LineError> {
        self.counted_send("/v2/bot/message/broadcast", json!({"messages": messages}), options)
            .await
    }

    /// Asynchronous (LINE answers 202): follow it with
    /// [`Client::narrowcast_progress`] and the returned request ID.
    pub async fn narrowcast(&self, messages: &[impl Serialize], max: Option<u32>, options: &SendOptions<'_>) -> Result<Sent, LineError> {
        let mut body = json!({"messages": messages});
        if let Some(max) = max {
            body["limit"] = json!({"max": max});
        }
        self.counted_send("/v2/bot/message/narrowcast", body, options).await
    }

    pub async fn narrowcast_progress(&self, request_id: &str) -> Result<NarrowcastProgress, LineError> {
        let req = self
            .http
            .get(self.url("/v2/bot/message/progress/narrowcast"))
            .query(&[("requestId", request_id)]);
        let (_, body) = self.call(req).await?;
        Self::json(&body, 200)
    }

    /// Asks LINE whether the messages are valid for that kind of send,
    /// without sending: `InvalidRequest` with LINE's details if not.
    pub async fn validate(&self, kind: SendKind, messages: &[impl Serialize]) -> Result<(), LineError> {
        self.post_json(&format!("/v2/bot/message/validate/{}", kind.path()), &json!({"messages": messages}))
            .await
            .map(|_| ())
    }

    /// A counted send: these endpoints take a retry key, which must be on
    /// the first attempt as well as on every retry.
    async fn counted_send(&self, path: &str, mut body: Value, options: &SendOptions<'_>) -> Result<Sent, LineError> {
        if let Some(unit) = options.aggregation_unit {
            body["customAggregationUnits"] = json!([unit]);
        }
        if options.notification_disabled {
            body["notificationDisabled"] = json!(true);
        }
        let mut req = self.http.post(self.url(path)).json(&body);
        if let Some(k) = options.retry_key {
            req = req.header("X-Line-Retry-Key", k);
        }
        let (request_id, _) = self.call(req).await?;
        Ok(Sent { request_id })
    }

    /// Shows "…" in the user's chat for `seconds` (5–60, by fives).
    pub async fn show_loading(&self, user_id: &str, seconds: u32) -> Result<(), LineError> {
        self.post_json("/v2/bot/chat/loading/start", &json!({"chatId": user_id, "loadingSeconds": seconds}))
            .await
            .map(|_| ())
    }

    /// Marks the user's messages as read, with the token of a message event.
    pub async fn mark_as_read(&self, mark_as_read_token: &str) -> Result<(), LineError> {
        self.post_json("/v2/bot/chat/markAsRead", &json!({"markAsReadToken": mark_as_read_token}))
            .await
            .map(|_| ())
    }

    // ---------------------------------------------------------- rich menus

    pub async fn validate_rich_menu(&self, menu: &RichMenu) -> Result<(), LineError> {
        let body = serde_json::to_value(menu).unwrap_or_default();
        self.post_json("/v2/bot/richmenu/validate", &body).await.map(|_| ())
    }

    /// Returns the new rich menu's ID. It has no image yet.
    pub async fn create_rich_menu(&self, menu: &RichMenu) -> Result<String, LineError> {
        let body = serde_json::to_value(menu).unwrap_or_default();
        let (_, answer) = self.call(self.http.post(self.url("/v2/bot/richmenu")).json(&body)).await?;
        let v: Value = Self::json(&answer, 200)?;
        v.get("richMenuId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(LineError::Unexpected(200))
    }

    /// Uploads the menu's image (on the data host): JPEG or PNG, exactly
    /// the menu's size, at most 1 MB, once.
    pub async fn upload_rich_menu_image(&self, rich_menu_id: &str, content_type: &str, image: Vec<u8>) -> Result<(), LineError> {
        let url = format!("{}/v2/bot/richmenu/{rich_menu_id}/content", self.data_base);
        let req = self.http.post(url).header("content-type", content_type).body(image);
        self.call(req).await.map(|_| ())
    }

    pub async fn download_rich_menu_image(&self, rich_menu_id: &str) -> Result<Vec<u8>, LineError> {
        let url = format!("{}/v2/bot/richmenu/{rich_menu_id}/content", self.data_base);
        Ok(self.call(self.http.get(url)).await?.1)
    }

    pub async fn rich_menu(&self, rich_menu_id: &str) -> Result<Option<RichMenu>, LineError> {
        self.get_optional(&format!("/v2/bot/richmenu/{rich_menu_id}")).await
    }

    pub async fn rich_menus(&self) -> Result<Vec<RichMenu>, LineError> {
        #[derive(Deserialize)]
        struct List {
            richmenus: Vec<RichMenu>,
        }
        Ok(self.get::<List>("/v2/bot/richmenu/list").await?.richmenus)
    }

    pub async fn delete_rich_menu(&self, rich_menu_id: &str) -> Result<(), LineError> {
        self.delete(&format!("/v2/bot/richmenu/{rich_menu_id}")).await
    }

    pub async fn set_default_rich_menu(&self, rich_menu_id: &str) -> Result<(), LineError> {
        self.post_empty(&format!("/v2/bot/user/all/richmenu/{rich_menu_id}")).await
    }

    pub async fn default_rich_menu(&self) -> Result<Option<String>, LineError> {
        let v: Option<Value> = self.get_optional("/v2/bot/user/all/richmenu").await?;
        Ok(v.and_then(|v| v.get("richMenuId").and_then(Value::as_str).map(str::to_string)))
    }

    pub async fn clear_default_rich_menu(&self) -> Result<(), LineError> {
        self.delete("/v2/bot/user/all/richmenu").await
    }

    pub async fn link_rich_menu(&self, user_id: &str, rich_menu_id: &str) -> Result<(), LineError> {
        self.post_empty(&format!("/v2/bot/user/{user_id}/richmenu/{rich_menu_id}")).await
    }

    pub async fn unlink_rich_menu(&self, user_id: &str) -> Result<(), LineError> {
        self.delete(&format!("/v2/bot/user/{user_id}/richmenu")).await
    }

    /// The menu linked to this user (not the default), if any.
    pub async fn user_rich_menu(&self, user_id: &str) -> Result<Option<String>, LineError> {
        let v: Option<Value> = self.get_optional(&format!("/v2/bot/user/{user_id}/richmenu")).await?;
        Ok(v.and_then(|v| v.get("richMenuId").and_then(Value::as_str).map(str::to_string)))
    }

    /// Up to 500 users; LINE applies it asynchronously (202).
    pub async fn bulk_link_rich_menu(&self, rich_menu_id: &str, user_ids: &[String]) -> Result<(), LineError> {
        self.post_json(
            "/v2/bot/richmenu/bulk/link",
            &json!({"richMenuId": rich_menu_id, "userIds": user_ids}),
        )
        .await
        .map(|_| ())
    }

    pub async fn bulk_unlink_rich_menu(&self, user_ids: &[String]) -> Result<(), LineError> {
        self.post_json("/v2/bot/richmenu/bulk/unlink", &json!({"userIds": user_ids}))
            .await
            .map(|_| ())
    }

    pub async fn create_rich_menu_alias(&self, alias_id: &str, rich_menu_id: &str) -> Result<(), LineError> {
        let body = json!({"richMenuAliasId": alias_id, "richMenuId": rich_menu_id});
        self.post_json("/v2/bot/richmenu/alias", &body).await.map(|_| ())
    }

    pub async fn update_rich_menu_alias(&self, alias_id: &str, rich_menu_id: &str) -> Result<(), LineError> {
        self.post_json(&format!("/v2/bot/richmenu/alias/{alias_id}"), &json!({"richMenuId": rich_menu_id}))
            .await
            .map(|_| ())
    }

    pub async fn rich_menu_alias(&self, alias_id: &str) -> Result<Option<RichMenuAlias>, LineError> {
        self.get_optional(&format!("/v2/bot/richmenu/alias/{alias_id}")).await
    }

    /// A rich menu's impressions and taps per area over JST days
    /// `from..=to` (`yyyyMMdd`, at most 396 days apart).
    pub async fn rich_menu_insight(&self, rich_menu_id: &str, from: &str, to: &str) -> Result<RichMenuInsight, LineError> {
        self.get(&format!("/v2/bot/insight/richmenu/{rich_menu_id}/summary?from={from}&to={to}"))
            .await
    }

    pub async fn rich_menu_aliases(&self) -> Result<Vec<RichMenuAlias>, LineError> {
        #[derive(Deserialize)]
        struct List {
            aliases: Vec<RichMenuAlias>,
        }
        Ok(self.get::<List>("/v2/bot/richmenu/alias/list").await?.aliases)
    }

    pub async fn delete_rich_menu_alias(&self, alias_id: &str) -> Result<(), LineError> {
        self.delete(&format!("/v2/bot/richmenu/alias/{alias_id}")).await
    }

    // ------------------------------------------------------------- insight

    /// Reception of one broadcast or narrowcast, by its request ID.
    pub async fn message_reception(&self, request_id: &str) -> Result<Reception, LineError> {
        let req = self
            .http
            .get(self.url("/v2/bot/insight/message/event"))
            .query(&[("requestId", request_id)]);
        let (_, body) = self.call(req).await?;
        Ok(Self::json::<ReceptionBody>(&body, 200)?.into())
    }

    /// Reception of the pushes and multicasts sent with `unit`, between two
    /// JST dates (`yyyyMMdd`, at most 30 days apart).
    pub async fn unit_reception(&self, unit: &str, from: &str, to: &str) -> Result<Reception, LineError> {
        let req = self.http.get(self.url("/v2/bot/insight/message/event/aggregation")).query(&[
            ("customAggregationUnit", unit),
            ("from", from),
            ("to", to),
        ]);
        let (_, body) = self.call(req).await?;
        Ok(Self::json::<ReceptionBody>(&body, 200)?.into())
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
