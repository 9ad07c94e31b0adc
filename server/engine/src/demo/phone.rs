//! The sandbox phone: staff act as simulated people in the LINE sandbox
//! (demos, training, browser tests). It talks to the sandbox's control API
//! over HTTP, so it works alike with the in-process and a separate sandbox.

use crate::channel::MODE_SANDBOX;
use crate::{Actor, Engine, EngineError};
use model::Permission;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxPerson {
    pub user_id: String,
    pub display_name: String,
    pub kind: String,
    /// `none`, `friend` or `blocked` (absent for a person just made).
    #[serde(default)]
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxDelivery {
    pub at: i64,
    pub via: String,
    pub messages: Vec<Value>,
}

/// Something the person wrote, with the clinic's read mark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxWritten {
    pub at: i64,
    pub channel_id: String,
    pub text: String,
    pub read: bool,
}

#[derive(Clone, Copy, Debug)]
pub enum PhoneAction {
    Follow,
    Block,
}

/// Where the phone's calls go: the sandbox's controls, for one channel.
/// URLs are built segment by segment from IDs checked against LINE's
/// shapes, so no ID can climb out of its place (`..%2F`) to another
/// channel's people or the sandbox's global controls.
pub(crate) struct SandboxTarget {
    base: reqwest::Url,
    token: Option<String>,
    pub(crate) channel: String,
}

impl SandboxTarget {
    pub(crate) fn new(base: &str, token: Option<&str>, channel: &str) -> Result<SandboxTarget, EngineError> {
        let base = reqwest::Url::parse(base).map_err(|_| EngineError::Sandbox("bad address".into()))?;
        Ok(SandboxTarget {
            base,
            token: token.map(str::to_string),
            channel: channel.to_string(),
        })
    }

    /// `/_sandbox/<segments…>?channel=<this channel>`, each segment escaped.
    fn url(&self, segments: &[&str]) -> reqwest::Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("_sandbox").extend(segments);
        }
        url.query_pairs_mut().append_pair("channel", &self.channel);
        url
    }

    pub(crate) fn request(&self, http: &reqwest::Client, method: reqwest::Method, segments: &[&str]) -> reqwest::RequestBuilder {
        let req = http.request(method, self.url(segments));
        match &self.token {
            Some(t) => req.header("x-sandbox-token", t),
            None => req,
        }
    }
}

/// A LINE user ID, or `NotFound` (what the browser sent is not one).
fn user(user_id: &str) -> Result<&str, EngineError> {
    line::limits::is_user_id(user_id).then_some(user_id).ok_or(EngineError::NotFound)
}

impl Engine {
    /// The sandbox's controls for this clinic's own sandbox channel;
    /// refused unless the clinic is in sandbox mode.
    pub(crate) async fn sandbox_target(&self, actor: &Actor) -> Result<SandboxTarget, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let channel = self.db.channel(actor.clinic_id).await?.ok_or(EngineError::NoChannel)?;
        if channel.mode != MODE_SANDBOX {
            return Err(EngineError::NoChannel);
        }
        let base = self
            .line_endpoints
            .sandbox_base
            .as_deref()
            .ok_or_else(|| EngineError::Sandbox("not running".into()))?;
        SandboxTarget::new(base, self.line_endpoints.sandbox_token.as_deref(), &actor.clinic_public_id)
    }

    pub(crate) async fn sandbox_call(&self, req: reqwest::RequestBuilder) -> Result<Value, EngineError> {
        let res = req.send().await.map_err(|e| EngineError::Sandbox(e.without_url().to_string()))?;
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            Ok(body)
        } else {
            Err(EngineError::Sandbox(
                body.get("message").and_then(Value::as_str).unwrap_or("error").to_string(),
            ))
        }
    }

    /// Switches the sandbox channel's LINE plan and this month's usage, to
    /// show staff what a Free or Light clinic sees (owner and admin).
    pub async fn sandbox_set_plan(&self, actor: &Actor, plan: model::plan::Plan, usage: i64) -> Result<(), EngineError> {
        actor.require(Permission::ManageClinic)?;
        let target = self.sandbox_target(actor).await?;
        let channel = target.channel.clone();
        self.sandbox_call(
            target
                .request(&self.http, reqwest::Method::POST, &["channels", &channel, "plan"])
                .json(&json!({"plan": plan, "usage": usage.max(0)})),
        )
        .await?;
        self.reconcile_quota(actor.clinic_id).await
    }

    /// The ID token LIFF would give this person's booking page (the sandbox
    /// phone opens the page as LINE would open the LIFF app).
    pub async fn sandbox_id_token(&self, actor: &Actor, user_id: &str) -> Result<String, EngineError> {
        let target = self.sandbox_target(actor).await?;
        let body = self
            .sandbox_call(target.request(&self.http, reqwest::Method::POST, &["people", user(user_id)?, "id-token"]))
            .await?;
        body.get("idToken")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| EngineError::Sandbox("no ID token".into()))
    }

    pub async fn sandbox_people(&self, actor: &Actor) -> Result<Vec<SandboxPerson>, EngineError> {
        let target = self.sandbox_target(actor).await?;
        let v = self
            .sandbox_call(target.request(&self.http, reqwest::Method::GET, &["people"]))
            .await?;
        serde_json::from_value(v).map_err(|e| EngineError::Sandbox(e.to_string()))
    }

    /// A new simulated patient of this clinic's sandbox (not yet a friend).
    pub async fn sandbox_add_person(&self, actor: &Actor, display_name: &str) -> Result<SandboxPerson, EngineError> {
        let name = display_name.trim();
        if name.is_empty() || name.chars().count() > 20 {
            return Err(EngineError::InvalidDisplayName);
        }
        let target = self.sandbox_target(actor).await?;
        let v = self
            .sandbox_call(
                target
                    .request(&self.http, reqwest::Method::POST, &["people"])
                    .json(&json!({"displayName": name, "kind": "patient"})),
            )
            .await?;
        let mut p: SandboxPerson = serde_json::from_value(v).map_err(|e| EngineError::Sandbox(e.to_string()))?;
        p.status = "none".into();
        Ok(p)
    }

    pub async fn sandbox_act(&self, actor: &Actor, user_id: &str, action: PhoneAction) -> Result<(), EngineError> {
        let target = self.sandbox_target(actor).await?;
        let verb = match action {
            PhoneAction::Follow => "follow",
            PhoneAction::Block => "block",
        };
        self.sandbox_call(target.request(&self.http, reqwest::Method::POST, &["people", user(user_id)?, verb]))
            .await?;
        Ok(())
    }

    pub async fn sandbox_write(&self, actor: &Actor, user_id: &str, text: &str) -> Result<(), EngineError> {
        if text.trim().is_empty() || line::limits::utf16_len(text) > line::limits::TEXT_MAX_UTF16 {
            return Err(EngineError::InvalidMessageText);
        }
        let target = self.sandbox_target(actor).await?;
        self.sandbox_call(
            target
                .request(&self.http, reqwest::Method::POST, &["people", user(user_id)?, "messages"])
                .json(&json!({"text": text})),
        )
        .await?;
        Ok(())
    }

    /// What a simulated person received from this clinic. Showing it is
    /// the person opening the chat (LINE counts an impression).
    pub async fn sandbox_received(&self, actor: &Actor, user_id: &str) -> Result<Vec<SandboxDelivery>, EngineError> {
        let target = self.sandbox_target(actor).await?;
        let user_id = user(user_id)?;
        // Only friends can open the chat; for anyone else there is nothing to count.
        let _ = self
            .sandbox_call(target.request(&self.http, reqwest::Method::POST, &["people", user_id, "open"]))
            .await;
        let v = self
            .sandbox_call(target.request(&self.http, reqwest::Method::GET, &["people", user_id, "received"]))
            .await?;
        let all: Vec<Value> = serde_json::from_value(v).map_err(|e| EngineError::Sandbox(e.to_string()))?;
        Ok(all.into_iter().filter_map(|d| serde_json::from_value(d).ok()).collect())
    }

    /// What the person wrote to this clinic.
    pub async fn sandbox_written(&self, actor: &Actor, user_id: &str) -> Result<Vec<SandboxWritten>, EngineError> {
        let target = self.sandbox_target(actor).await?;
        let v = self
            .sandbox_call(target.request(&self.http, reqwest::Method::GET, &["people", user(user_id)?, "written"]))
            .await?;
        serde_json::from_value(v).map_err(|e| EngineError::Sandbox(e.to_string()))
    }

    /// The person taps a button they see (a rich menu area, a quick reply,
    /// a template button); the sandbox refuses buttons they cannot see.
    pub async fn sandbox_tap(&self, actor: &Actor, user_id: &str, action: &Value) -> Result<(), EngineError> {
        let target = self.sandbox_target(actor).await?;
        self.sandbox_call(
            target
                .request(&self.http, reqwest::Method::POST, &["people", user(user_id)?, "tap"])
                .json(&json!({"action": action})),
        )
        .await?;
        Ok(())
    }

    /// The rich menu the person sees (LINE's `RichMenuResponse`), if any.
    pub async fn sandbox_rich_menu(&self, actor: &Actor, user_id: &str) -> Result<Option<line::RichMenu>, EngineError> {
        let target = self.sandbox_target(actor).await?;
        let v = self
            .sandbox_call(target.request(&self.http, reqwest::Method::GET, &["people", user(user_id)?, "richmenu"]))
            .await?;
        if v.is_null() {
            return Ok(None);
        }
        serde_json::from_value(v).map(Some).map_err(|e| EngineError::Sandbox(e.to_string()))
    }

    /// A rich menu's image as the sandbox holds it: (content type, bytes).
    pub async fn sandbox_rich_menu_image(&self, actor: &Actor, rich_menu_id: &str) -> Result<(String, Vec<u8>), EngineError> {
        let target = self.sandbox_target(actor).await?;
        if !line::limits::is_rich_menu_id(rich_menu_id) {
            return Err(EngineError::NotFound);
        }
        let res = target
            .request(&self.http, reqwest::Method::GET, &["richmenus", rich_menu_id, "image"])
            .send()
            .await
            .map_err(|e| EngineError::Sandbox(e.without_url().to_string()))?;
        if !res.status().is_success() {
            return Err(EngineError::NotFound);
        }
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = res.bytes().await.map_err(|e| EngineError::Sandbox(e.to_string()))?;
        Ok((content_type, bytes.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_climb_out_of_their_segment() {
        let t = SandboxTarget::new("http://127.0.0.1:3010", None, "clinic-a").unwrap();
        let url = t.url(&["people", "../../_sandbox/ledger", "received"]);
        assert_eq!(url.path(), "/_sandbox/people/..%2F..%2F_sandbox%2Fledger/received");
        assert_eq!(url.query(), Some("channel=clinic-a"));
        assert!(user("..%2FU00").is_err());
        assert!(user(&format!("U{}", "0a".repeat(16))).is_ok());
    }
}
