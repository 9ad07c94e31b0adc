//! A clinic's LINE channel: its mode, its sealed credentials, and the key
//! friends and sends record it by.

use crate::{Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChannelRow {
    pub clinic_id: i64,
    pub mode: String,
    pub channel_id: String,
    pub secret_enc: String,
    pub token_enc: Option<String>,
    pub bot_user_id: String,
}

impl ChannelRow {
    /// Which channel this is, as friends and sends record it: `sandbox:`
    /// or `line:<channel ID>` (the same text `CHANNEL_KEY_OF_CLINIC` makes).
    pub fn key(&self) -> String {
        format!("{}:{}", self.mode, self.channel_id)
    }
}

/// SQL for a clinic's channel key now (`{clinic}`: its ID expression).
pub(crate) const CHANNEL_KEY_OF_CLINIC: &str =
    "COALESCE((SELECT c.mode || ':' || c.channel_id FROM line_channels c WHERE c.clinic_id = {clinic}), '')";

impl Db {
    #[allow(clippy::too_many_arguments)]
    pub async fn put_channel(
        &self,
        clinic_id: i64,
        mode: &str,
        channel_id: &str,
        secret_enc: &str,
        token_enc: Option<&str>,
        now: i64,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<(), StoreError> {
        let q = sqlx::query(
            "INSERT INTO line_channels (clinic_id, mode, channel_id, secret_enc, token_enc, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (clinic_id) DO UPDATE SET mode = $2, channel_id = $3, secret_enc = $4, token_enc = $5, updated_at = $6",
        )
        .bind(clinic_id)
        .bind(mode)
        .bind(channel_id)
        .bind(secret_enc)
        .bind(token_enc)
        .bind(now);
        self.exec_with(q, audit).await
    }

    /// Every clinic's channel (to re-seal their secrets).
    pub async fn all_channels(&self) -> Result<Vec<ChannelRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT clinic_id, mode, channel_id, secret_enc, token_enc, bot_user_id FROM line_channels ORDER BY clinic_id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Replaces a channel's sealed secret and token as they are (sealed
    /// again, same values), unless the channel changed meanwhile.
    pub async fn reseal_channel(
        &self,
        clinic_id: i64,
        old_secret: &str,
        secret_enc: &str,
        token_enc: Option<&str>,
    ) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE line_channels SET secret_enc = $1, token_enc = $2 WHERE clinic_id = $3 AND secret_enc = $4")
                .bind(secret_enc)
                .bind(token_enc)
                .bind(clinic_id)
                .bind(old_secret),
        )
        .await?;
        Ok(())
    }

    pub async fn channel(&self, clinic_id: i64) -> Result<Option<ChannelRow>, StoreError> {
        Ok(
            sqlx::query_as(
                "SELECT clinic_id, mode, channel_id, secret_enc, token_enc, bot_user_id FROM line_channels WHERE clinic_id = $1",
            )
            .bind(clinic_id)
            .fetch_optional(&self.pool)
            .await?,
        )
    }

    /// Clinics connected to the sandbox rather than LINE.
    pub async fn sandbox_channels(&self) -> Result<Vec<ChannelRow>, StoreError> {
        Ok(sqlx::query_as("SELECT clinic_id, mode, channel_id, secret_enc, token_enc, bot_user_id FROM line_channels WHERE mode = 'sandbox' ORDER BY clinic_id")
            .fetch_all(&self.pool)
            .await?)
    }
}
