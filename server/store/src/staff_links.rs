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

    /// Links `user_id`'s LINE account by their code, which is used up, and
    /// marks that friend as them (a friend marked before, from an earlier
    /// link, is a friend like any other again): false when the code is no
    /// longer theirs to use.
    #[allow(clippy::too_many_arguments)]
    pub async fn link_staff_by_code(
        &self,
        clinic_id: i64,
        user_id: i64,
        code: &str,
        line_user_id: &str,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<bool, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let linked = sqlx::query(
            "UPDATE staff_line_links SET line_user_id = $1, linked_at = $2, code = NULL, code_expires_at = NULL \
             WHERE clinic_id = $3 AND code = $4 AND code_expires_at >= $2 AND user_id = $5",
        )
        .bind(line_user_id)
        .bind(now)
        .bind(clinic_id)
        .bind(code)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if linked != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let mut changed = unmark_staff_friend(&mut tx, clinic_id, user_id).await?;
        let marked: Vec<(i64,)> =
            sqlx::query_as("UPDATE friends SET staff_user_id = $1 WHERE clinic_id = $2 AND line_user_id = $3 RETURNING id")
                .bind(user_id)
                .bind(clinic_id)
                .bind(line_user_id)
                .fetch_all(&mut *tx)
                .await?;
        changed.extend(marked.into_iter().map(|(id,)| (clinic_id, id)));
        crate::segments::note_changes(&mut tx, &changed, now).await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends a staff member's LINE link in a clinic: the friend is no longer
    /// marked as them, and no push still waiting may reach them.
    pub async fn unlink_staff(&self, user_id: i64, clinic_id: i64, now: i64, audit: &crate::Audit<'_>) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        unlink_staff_in(&mut tx, user_id, clinic_id, now).await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(())
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

/// Unlinks inside the caller's transaction (also used when a member is
/// disabled, so no post can reach them from that moment).
pub(crate) async fn unlink_staff_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: i64,
    clinic_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE staff_line_links SET line_user_id = NULL, linked_at = NULL, code = NULL, code_expires_at = NULL \
         WHERE user_id = $1 AND clinic_id = $2",
    )
    .bind(user_id)
    .bind(clinic_id)
    .execute(&mut **tx)
    .await?;
    let changed = unmark_staff_friend(tx, clinic_id, user_id).await?;
    crate::segments::note_changes(tx, &changed, now).await?;
    sqlx::query("UPDATE staff_deliveries SET status = 'dropped', at = $1 WHERE clinic_id = $2 AND user_id = $3 AND status = 'pending'")
        .bind(now)
        .bind(clinic_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Clears the staff mark of the friend marked as `user_id`: (clinic, friend)
/// of each, for the segment change log (they are a patient friend again).
async fn unmark_staff_friend(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    clinic_id: i64,
    user_id: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("UPDATE friends SET staff_user_id = NULL WHERE clinic_id = $1 AND staff_user_id = $2 RETURNING id")
            .bind(clinic_id)
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(id,)| (clinic_id, id)).collect())
}
