//! Login sessions. Only a hash of the cookie's token is stored, so a copy of
//! the database does not let anyone log in.

use crate::{Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub clinic_id: i64,
    pub stage: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// A live session with what every signed-in request needs of its caller:
/// the user, the session's clinic and the caller's role there (none when
/// the membership is disabled or gone). One query, since every page and
/// server function asks.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionCallerRow {
    pub session_id: i64,
    pub stage: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_id: i64,
    pub user_public_id: String,
    pub organization_id: i64,
    pub email: String,
    pub display_name: String,
    pub user_disabled: i64,
    pub totp_enabled: i64,
    pub clinic_id: i64,
    pub clinic_public_id: Option<String>,
    pub clinic_name: Option<String>,
    pub role: Option<String>,
}

impl Db {
    #[allow(clippy::too_many_arguments)]
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        clinic_id: i64,
        stage: &str,
        now: i64,
        expires_at: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO sessions (token_hash, user_id, clinic_id, stage, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(clinic_id)
        .bind(stage)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn session_by_token_hash(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, clinic_id, stage, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn session_caller(&self, token_hash: &str, now: i64) -> Result<Option<SessionCallerRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT s.id AS session_id, s.stage, s.created_at, s.last_seen_at, \
                    u.id AS user_id, u.public_id AS user_public_id, u.organization_id, u.email, u.display_name, \
                    u.disabled AS user_disabled, \
                    CASE WHEN u.totp_secret_enc IS NULL THEN 0 ELSE 1 END AS totp_enabled, \
                    s.clinic_id, c.public_id AS clinic_public_id, c.name AS clinic_name, m.role \
             FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             LEFT JOIN clinics c ON c.id = s.clinic_id \
             LEFT JOIN memberships m ON m.user_id = s.user_id AND m.clinic_id = s.clinic_id AND m.disabled = 0 \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Slides the idle expiry forward.
    pub async fn touch_session(&self, id: i64, now: i64, expires_at: i64) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
                .bind(now)
                .bind(expires_at)
                .bind(id),
        )
        .await?;
        Ok(())
    }

    /// Moves a session on (after a TOTP code); `audit` records the login
    /// it completes.
    pub async fn set_session_stage(&self, id: i64, stage: &str, audit: Option<&crate::Audit<'_>>) -> Result<(), StoreError> {
        let q = sqlx::query("UPDATE sessions SET stage = $1 WHERE id = $2").bind(stage).bind(id);
        self.exec_with(q, audit).await
    }

    pub async fn set_session_clinic(&self, id: i64, clinic_id: i64) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE sessions SET clinic_id = $1 WHERE id = $2")
                .bind(clinic_id)
                .bind(id),
        )
        .await?;
        Ok(())
    }

    /// Ends a session; `audit` records a logout (an expired session ends
    /// without an entry).
    pub async fn delete_session(&self, id: i64, audit: Option<&crate::Audit<'_>>) -> Result<(), StoreError> {
        let q = sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id);
        self.exec_with(q, audit).await
    }
}
