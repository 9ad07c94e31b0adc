//! The sandbox phone: staff act as simulated people in the LINE sandbox
//! (demos, training, browser tests). It talks to the sandbox's control API
//! over HTTP, so it works alike with the in-process and a separate sandbox.

use crate::webhook::MODE_SANDBOX;
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

impl Engine {
    /// The sandbox's control base and this clinic's sandbox channel ID;
    /// refused unless the clinic is in sandbox mode.
    async fn sandbox_target(&self, actor: &Actor) -> Result<(String, String), EngineError> {
        actor.require(Permission::HandlePatients)?;
        let channel = self.db.channel(actor.clinic_id).await?.ok_or(EngineError::NoChannel)?;
        if channel.mode != MODE_SANDBOX {
            return Err(EngineError::NoChannel);
        }
        let base = self
            .line_endpoints
            .sandbox_base
            .clone()
            .ok_or_else(|| EngineError::Sandbox("not running".into()))?;
        Ok((base, actor.clinic_public_id.clone()))
    }

    async fn sandbox_call(&self, req: reqwest::RequestBuilder) -> Result<Value, EngineError> {
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
        let (base, channel) = self.sandbox_target(actor).await?;
        self.sandbox_call(
            self.http
                .post(format!("{base}/_sandbox/channels/{channel}/plan"))
                .json(&json!({"plan": plan, "usage": usage.max(0)})),
        )
        .await?;
        self.reconcile_quota(actor.clinic_id).await
    }

    pub async fn sandbox_people(&self, actor: &Actor) -> Result<Vec<SandboxPerson>, EngineError> {
        let (base, channel) = self.sandbox_target(actor).await?;
        let v = self
            .sandbox_call(self.http.get(format!("{base}/_sandbox/people")).query(&[("channel", channel)]))
            .await?;
        serde_json::from_value(v).map_err(|e| EngineError::Sandbox(e.to_string()))
    }

    /// A new simulated patient (not yet a friend).
    pub async fn sandbox_add_person(&self, actor: &Actor, display_name: &str) -> Result<SandboxPerson, EngineError> {
        let name = display_name.trim();
        if name.is_empty() || name.chars().count() > 20 {
            return Err(EngineError::InvalidDisplayName);
        }
        let (base, _) = self.sandbox_target(actor).await?;
        let v = self
            .sandbox_call(
                self.http
                    .post(format!("{base}/_sandbox/people"))
                    .json(&json!({"displayName": name, "kind": "patient"})),
            )
            .await?;
        let mut p: SandboxPerson = serde_json::from_value(v).map_err(|e| EngineError::Sandbox(e.to_string()))?;
        p.status = "none".into();
        Ok(p)
    }

    pub async fn sandbox_act(&self, actor: &Actor, user_id: &str, action: PhoneAction) -> Result<(), EngineError> {
        let (base, channel) = self.sandbox_target(actor).await?;
        let verb = match action {
            PhoneAction::Follow => "follow",
            PhoneAction::Block => "block",
        };
        self.sandbox_call(
            self.http
                .post(format!("{base}/_sandbox/people/{user_id}/{verb}"))
                .query(&[("channel", channel)]),
        )
        .await?;
        Ok(())
    }

    pub async fn sandbox_write(&self, actor: &Actor, user_id: &str, text: &str) -> Result<(), EngineError> {
        if text.trim().is_empty() || line::limits::utf16_len(text) > line::limits::TEXT_MAX_UTF16 {
            return Err(EngineError::InvalidMessageText);
        }
        let (base, channel) = self.sandbox_target(actor).await?;
        self.sandbox_call(
            self.http
                .post(format!("{base}/_sandbox/people/{user_id}/messages"))
                .query(&[("channel", channel)])
                .json(&json!({"text": text})),
        )
        .await?;
        Ok(())
    }

    /// What a simulated person received from this clinic. Showing it is
    /// the person opening the chat (LINE counts an impression).
    pub async fn sandbox_received(&self, actor: &Actor, user_id: &str) -> Result<Vec<SandboxDelivery>, EngineError> {
        let (base, channel) = self.sandbox_target(actor).await?;
        // Only friends can open the chat; for anyone else there is nothing to count.
        let _ = self
            .sandbox_call(
                self.http
                    .post(format!("{base}/_sandbox/people/{user_id}/open"))
                    .query(&[("channel", &channel)]),
            )
            .await;
        let v = self
            .sandbox_call(self.http.get(format!("{base}/_sandbox/people/{user_id}/received")))
            .await?;
        let all: Vec<Value> = serde_json::from_value(v).map_err(|e| EngineError::Sandbox(e.to_string()))?;
        Ok(all
            .into_iter()
            .filter(|d| d.get("channelId").and_then(Value::as_str) == Some(channel.as_str()))
            .filter_map(|d| serde_json::from_value(d).ok())
            .collect())
    }

    /// What the person wrote to this clinic.
    pub async fn sandbox_written(&self, actor: &Actor, user_id: &str) -> Result<Vec<SandboxWritten>, EngineError> {
        let (base, channel) = self.sandbox_target(actor).await?;
        let v = self
            .sandbox_call(self.http.get(format!("{base}/_sandbox/people/{user_id}/written")))
            .await?;
        let all: Vec<SandboxWritten> = serde_json::from_value(v).map_err(|e| EngineError::Sandbox(e.to_string()))?;
        Ok(all.into_iter().filter(|w| w.channel_id == channel).collect())
    }

    /// The person taps a button they see (a rich menu area, a quick reply,
    /// a template button); the sandbox refuses buttons they cannot see.
    pub async fn sandbox_tap(&self, actor: &Actor, user_id: &str, action: &Value) -> Result<(), EngineError> {
        let (base, channel) = self.sandbox_target(actor).await?;
        self.sandbox_call(
            self.http
                .post(format!("{base}/_sandbox/people/{user_id}/tap"))
                .query(&[("channel", channel)])
                .json(&json!({"action": action})),
        )
        .await?;
        Ok(())
    }

    /// The rich menu the person sees (LINE's `RichMenuResponse`), if any.
    pub async fn sandbox_rich_menu(&self, actor: &Actor, user_id: &str) -> Result<Option<line::RichMenu>, EngineError> {
        let (base, channel) = self.sandbox_target(actor).await?;
        let v = self
            .sandbox_call(
                self.http
                    .get(format!("{base}/_sandbox/people/{user_id}/richmenu"))
                    .query(&[("channel", channel)]),
            )
            .await?;
        if v.is_null() {
            return Ok(None);
        }
        serde_json::from_value(v).map(Some).map_err(|e| EngineError::Sandbox(e.to_string()))
    }

    /// A rich menu's image as the sandbox holds it: (content type, bytes).
    pub async fn sandbox_rich_menu_image(&self, actor: &Actor, rich_menu_id: &str) -> Result<(String, Vec<u8>), EngineError> {
        let (base, channel) = self.sandbox_target(actor).await?;
        let res = self
            .http
            .get(format!("{base}/_sandbox/richmenus/{rich_menu_id}/image"))
            .query(&[("channel", channel)])
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
