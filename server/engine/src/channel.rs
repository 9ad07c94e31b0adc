//! LINE連携 (SPEC §2): a clinic is connected to the sandbox or to its real
//! LINE channel. Secrets are encrypted at rest and never shown again.

use crate::audit::Event;
use crate::crypto::{random_token, SealedAt};
use crate::webhook::{MODE_LINE, MODE_SANDBOX};
use crate::{Actor, Engine, EngineError};
use line::LineError;
use model::Permission;
use serde_json::json;

/// What the settings page may show: never a secret or a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelSettings {
    pub mode: String,
    pub channel_id: String,
    pub has_token: bool,
}

pub struct ChannelInput<'a> {
    pub mode: &'a str,
    pub channel_id: &'a str,
    /// Empty keeps the stored one.
    pub channel_secret: &'a str,
    /// Empty keeps the stored one.
    pub access_token: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionReport {
    pub bot_name: String,
    /// The month's allowance, `None` when the plan has no upper limit.
    pub quota: Option<i64>,
    pub used_this_month: i64,
}

fn line_error(e: LineError) -> EngineError {
    match e {
        LineError::Auth(_) => EngineError::LineAuthFailed,
        other => EngineError::Line(other.to_string()),
    }
}

impl Engine {
    pub async fn channel_settings(&self, actor: &Actor) -> Result<Option<ChannelSettings>, EngineError> {
        actor.require(Permission::ManageClinic)?;
        Ok(self.db.channel(actor.clinic_id).await?.map(|c| ChannelSettings {
            mode: c.mode,
            channel_id: c.channel_id,
            has_token: c.token_enc.is_some(),
        }))
    }

    /// Connects the clinic to the sandbox (fresh credentials, registered
    /// with the running sandbox) or to a real channel. Nothing is stored
    /// unless every value is valid.
    pub async fn save_channel(&self, actor: &Actor, input: ChannelInput<'_>) -> Result<(), EngineError> {
        actor.require(Permission::ManageClinic)?;
        let now = self.now_ms();
        // The mode is recorded; the secret and token never are.
        let audit = self.audit(Event::by(
            actor,
            "settings.channel",
            actor.clinic_name.clone(),
            input.mode.to_string(),
        ));
        match input.mode {
            MODE_SANDBOX => {
                let (secret, token) = (random_token(), random_token());
                self.db
                    .put_channel(
                        actor.clinic_id,
                        MODE_SANDBOX,
                        "",
                        &self.secrets.seal_for(SealedAt::channel_secret(actor.clinic_id), secret.as_bytes()),
                        Some(&self.secrets.seal_for(SealedAt::channel_token(actor.clinic_id), token.as_bytes())),
                        now,
                        Some(&audit),
                    )
                    .await?;
                self.forget_webhook_keys();
                self.register_with_sandbox(actor, &secret, &token).await?;
            }
            MODE_LINE => {
                let channel_id = input.channel_id.trim();
                if channel_id.is_empty() || channel_id.len() > 20 || !channel_id.chars().all(|c| c.is_ascii_digit()) {
                    return Err(EngineError::InvalidChannelId);
                }
                let secret = input.channel_secret.trim();
                if !secret.is_empty() && (secret.len() != 32 || !secret.chars().all(|c| c.is_ascii_hexdigit())) {
                    return Err(EngineError::InvalidChannelSecret);
                }
                let token = input.access_token.trim();
                // What was typed is checked first, so it can be corrected;
                // then: the demo's generated key lives beside the database,
                // so a copy of the data directory would hold the key to a
                // real clinic's LINE account.
                if self.secrets.is_generated_for_demo() {
                    return Err(EngineError::SecretKeyRequired);
                }
                // Kept values are those of a real channel only: switching from
                // the sandbox needs both entered.
                let existing = self.db.channel(actor.clinic_id).await?.filter(|c| c.mode == MODE_LINE);
                let secret_enc = match (secret.is_empty(), &existing) {
                    (false, _) => self.secrets.seal_for(SealedAt::channel_secret(actor.clinic_id), secret.as_bytes()),
                    (true, Some(c)) => c.secret_enc.clone(),
                    (true, None) => return Err(EngineError::ChannelCredentialsRequired),
                };
                let token_enc = match (token.is_empty(), existing.as_ref().and_then(|c| c.token_enc.clone())) {
                    (false, _) => self.secrets.seal_for(SealedAt::channel_token(actor.clinic_id), token.as_bytes()),
                    (true, Some(t)) => t,
                    (true, None) => return Err(EngineError::ChannelCredentialsRequired),
                };
                self.db
                    .put_channel(
                        actor.clinic_id,
                        MODE_LINE,
                        channel_id,
                        &secret_enc,
                        Some(&token_enc),
                        now,
                        Some(&audit),
                    )
                    .await?;
                self.forget_webhook_keys();
            }
            _ => return Err(EngineError::NotFound),
        }
        Ok(())
    }

    async fn register_with_sandbox(&self, actor: &Actor, secret: &str, token: &str) -> Result<(), EngineError> {
        let (Some(sandbox), Some(webhook)) = (&self.line_endpoints.sandbox_base, &self.line_endpoints.webhook_base) else {
            return Err(EngineError::Sandbox("not running".into()));
        };
        let config = json!({
            "channelId": actor.clinic_public_id,
            "channelSecret": secret,
            "accessToken": token,
            "webhookUrl": format!("{webhook}/line/webhook/{}", actor.clinic_public_id),
            "botName": actor.clinic_name,
            "plan": "light",
        });
        let target =
            crate::sandbox_phone::SandboxTarget::new(sandbox, self.line_endpoints.sandbox_token.as_deref(), &actor.clinic_public_id)?;
        let res = target
            .request(&self.http, reqwest::Method::POST, &["channels"])
            .json(&config)
            .send()
            .await;
        match res {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(EngineError::Sandbox(format!("HTTP {}", r.status().as_u16()))),
            Err(e) => Err(EngineError::Sandbox(e.without_url().to_string())),
        }
    }

    /// 接続テスト: asks LINE (or the sandbox) for the bot's name and the
    /// month's quota with the stored token.
    pub async fn test_connection(&self, actor: &Actor) -> Result<ConnectionReport, EngineError> {
        actor.require(Permission::ManageClinic)?;
        let client = self.line_client(actor.clinic_id).await?;
        let bot = client.bot_info().await.map_err(line_error)?;
        let quota = client.quota().await.map_err(line_error)?;
        let used = client.quota_consumption().await.map_err(line_error)?;
        Ok(ConnectionReport {
            bot_name: bot.display_name,
            quota: match quota {
                line::client::Quota::Limited(n) => Some(n),
                line::client::Quota::Unlimited => None,
            },
            used_this_month: used,
        })
    }
}
