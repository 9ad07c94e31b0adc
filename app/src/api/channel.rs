//! LINE連携: the channel settings and the connection test.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

// ------------------------------------------------------------ LINE channel

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelView {
    pub mode: String,
    pub channel_id: String,
    pub has_token: bool,
    pub webhook_url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub bot_name: String,
    pub quota: Option<i64>,
    pub used: i64,
}

#[server(endpoint = "channel_get")]
pub async fn get_channel() -> Result<ChannelView, AppError> {
    let actor = actor_with(Permission::ManageClinic).await?;
    let ctx = crate::ssr::context()?;
    let settings = ctx.engine.channel_settings(&actor).await?;
    Ok(ChannelView {
        mode: settings.as_ref().map(|s| s.mode.clone()).unwrap_or_else(|| "sandbox".into()),
        channel_id: settings.as_ref().map(|s| s.channel_id.clone()).unwrap_or_default(),
        has_token: settings.is_some_and(|s| s.has_token),
        webhook_url: format!("{}/line/webhook/{}", ctx.public_url, actor.clinic_public_id),
    })
}

#[server(endpoint = "channel_save")]
pub async fn save_channel(mode: String, channel_id: Option<String>, secret: Option<String>, token: Option<String>) -> Result<(), AppError> {
    let actor = actor_with(Permission::ManageClinic).await?;
    let input = engine::channel::ChannelInput {
        mode: &mode,
        channel_id: channel_id.as_deref().unwrap_or(""),
        channel_secret: secret.as_deref().unwrap_or(""),
        access_token: token.as_deref().unwrap_or(""),
    };
    Ok(engine()?.save_channel(&actor, input).await?)
}

#[server(endpoint = "channel_test")]
pub async fn test_channel() -> Result<ConnectionView, AppError> {
    let actor = actor_with(Permission::ManageClinic).await?;
    let r = engine()?.test_connection(&actor).await?;
    Ok(ConnectionView {
        bot_name: r.bot_name,
        quota: r.quota,
        used: r.used_this_month,
    })
}
