//! LINE連携 (SPEC §2): a clinic is connected to the sandbox or to its real
//! LINE channel. Secrets are encrypted at rest and never shown again.

use crate::audit::Event;
use crate::crypto::{random_token, SealedAt};
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
            crate::demo::phone::SandboxTarget::new(sandbox, self.line_endpoints.sandbox_token.as_deref(), &actor.clinic_public_id)?;
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

/// How a clinic is connected: the built-in sandbox or LINE itself.
pub const MODE_SANDBOX: &str = "sandbox";

pub const MODE_LINE: &str = "line";

/// Whether a clinic's stored channel mode (none without a channel) is the
/// sandbox's.
pub fn is_sandbox(mode: Option<&str>) -> bool {
    mode == Some(MODE_SANDBOX)
}

impl Engine {
    /// Stores a clinic's channel secret (encrypted) and access token.
    pub async fn connect_channel(
        &self,
        clinic_id: i64,
        mode: &str,
        channel_secret: &str,
        access_token: Option<&str>,
    ) -> Result<(), EngineError> {
        let secret = self
            .secrets
            .seal_for(SealedAt::channel_secret(clinic_id), channel_secret.as_bytes());
        let token = access_token.map(|t| self.secrets.seal_for(SealedAt::channel_token(clinic_id), t.as_bytes()));
        self.db
            .put_channel(clinic_id, mode, "", &secret, token.as_deref(), self.now_ms(), None)
            .await?;
        self.forget_webhook_keys();
        Ok(())
    }

    /// Whether the clinic talks to the sandbox rather than LINE.
    pub async fn in_sandbox_mode(&self, clinic_id: i64) -> Result<bool, EngineError> {
        Ok(is_sandbox(self.db.channel(clinic_id).await?.as_ref().map(|c| c.mode.as_str())))
    }

    /// The clinic's channel secret and access token, decrypted (for
    /// registering sandbox channels; never shown or logged).
    pub async fn channel_credentials(&self, clinic_id: i64) -> Result<(String, String), EngineError> {
        let channel = self.db.channel(clinic_id).await?.ok_or(EngineError::NoChannel)?;
        Ok((self.open_channel_secret(&channel)?, self.open_channel_token(&channel)?))
    }

    pub(crate) fn open_channel_secret(&self, channel: &store::ChannelRow) -> Result<String, EngineError> {
        self.open_sealed(SealedAt::channel_secret(channel.clinic_id), Some(&channel.secret_enc))
    }

    pub(crate) fn open_channel_token(&self, channel: &store::ChannelRow) -> Result<String, EngineError> {
        self.open_sealed(SealedAt::channel_token(channel.clinic_id), channel.token_enc.as_deref())
    }

    pub(crate) fn open_sealed(&self, at: SealedAt<'_>, sealed: Option<&str>) -> Result<String, EngineError> {
        let bytes = sealed.and_then(|s| self.secrets.open_at(at, s)).ok_or(EngineError::Corrupt)?;
        String::from_utf8(bytes).map_err(|_| EngineError::Corrupt)
    }

    /// Binds secrets sealed before values were bound to their place (see
    /// `SecretBox::seal_for`) by sealing them again where they are. Run at
    /// start-up; a no-op once done. Returns how many values changed.
    pub async fn reseal_secrets(&self) -> Result<usize, EngineError> {
        let mut changed = 0;
        for c in self.db.all_channels().await? {
            let secret = self.secrets.reseal(SealedAt::channel_secret(c.clinic_id), &c.secret_enc);
            let token = c
                .token_enc
                .as_deref()
                .and_then(|t| self.secrets.reseal(SealedAt::channel_token(c.clinic_id), t));
            if secret.is_some() || token.is_some() {
                let secret = secret.unwrap_or_else(|| c.secret_enc.clone());
                let token = token.or(c.token_enc.clone());
                self.db
                    .reseal_channel(c.clinic_id, &c.secret_enc, &secret, token.as_deref())
                    .await?;
                changed += 1;
            }
        }
        for u in self.db.users_with_totp().await? {
            let at = SealedAt::totp(u.id);
            let active = u.totp_secret_enc.as_deref().and_then(|s| self.secrets.reseal(at, s));
            let pending = u.totp_pending_enc.as_deref().and_then(|s| self.secrets.reseal(at, s));
            if active.is_some() || pending.is_some() {
                self.db
                    .reseal_totp(
                        u.id,
                        active.or(u.totp_secret_enc).as_deref(),
                        pending.or(u.totp_pending_enc).as_deref(),
                    )
                    .await?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// A client for the clinic's channel: LINE itself, or the sandbox.
    pub async fn line_client(&self, clinic_id: i64) -> Result<line::Client, EngineError> {
        let channel = self.db.channel(clinic_id).await?.ok_or(EngineError::NoChannel)?;
        self.client_for(&channel, std::time::Duration::from_secs(15))
    }

    /// A client for the channel as stored (read once by the caller), whose
    /// calls give up after `timeout`.
    pub(crate) fn client_for(&self, channel: &store::ChannelRow, timeout: std::time::Duration) -> Result<line::Client, EngineError> {
        let token = self.open_channel_token(channel)?;
        let endpoints = &self.line_endpoints;
        Ok(if channel.mode == MODE_SANDBOX {
            // The sandbox serves both of LINE's hosts.
            let sandbox = endpoints.sandbox_base.as_deref().ok_or(EngineError::NoChannel)?;
            line::Client::with_timeout(sandbox, sandbox, &token, timeout)
        } else {
            line::Client::with_timeout(&endpoints.api_base, &endpoints.data_base, &token, timeout)
        })
    }
}
