//! Staff LINE links: the one-time code a staff member sends from their own
//! LINE, and the link it makes.

use crate::{Db, StoreError};

impl Db {
    /// Starts (or restarts) linking a staff member's LINE account.
    pub async fn set_staff_link_code(&self, user_id: i64, clinic_id: i64, code: &str, expires_at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO staff_line_links (user_id, clinic_id, code, code_expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, clinic_id) DO UPDATE SET code = excluded.code, code_expires_at = excluded.code_expires_at",
        )
        .bind(user_id)
        .bind(clinic_id)
        .bind(code)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Links the LINE user who wrote a pending, unexpired `code`; the code
    /// is used up. Returns the staff member's user ID.
    /// The staff member whose unexpired link code this is.
    pub async fn staff_code_owner(&self, clinic_id: i64, code: &str, now: i64) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT user_id FROM staff_line_links WHERE clinic_id = $1 AND code = $2 AND code_expires_at >= $3")
                .bind(clinic_id)
                .bind(code)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(u,)| u))
    }

    /// Links `user_id`'s LINE account by their code, which is used up:
    /// false when the code is no longer theirs to use.
    pub async fn link_staff_by_code(
        &self,
        clinic_id: i64,
        user_id: i64,
        code: &str,
        line_user_id: &str,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query(
                "UPDATE staff_line_links SET line_user_id = $1, linked_at = $2, code = NULL, code_expires_at = NULL \
                 WHERE clinic_id = $3 AND code = $4 AND code_expires_at >= $2 AND user_id = $5",
            )
            .bind(line_user_id)
            .bind(now)
            .bind(clinic_id)
            .bind(code)
            .bind(user_id),
            Some(audit),
        )
        .await
    }

    /// (linked LINE user ID, pending code, its expiry) of a staff member.
    pub async fn staff_link(&self, user_id: i64, clinic_id: i64) -> Result<(Option<String>, Option<String>, Option<i64>), StoreError> {
        let row: Option<(Option<String>, Option<String>, Option<i64>)> =
            sqlx::query_as("SELECT line_user_id, code, code_expires_at FROM staff_line_links WHERE user_id = $1 AND clinic_id = $2")
                .bind(user_id)
                .bind(clinic_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.unwrap_or((None, None, None)))
    }
}
