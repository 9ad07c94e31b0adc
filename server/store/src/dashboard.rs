//! The figures of the dashboard (SPEC §10): counts over the clinic's
//! tables, each one query.

use crate::{Db, StoreError};

/// Friends gained and lost on one Japan-time day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FriendDay {
    /// Days since 1970-01-01 in Japan time.
    pub day: i64,
    pub followed: i64,
    pub unblocked: i64,
    pub blocked: i64,
}

const JST_OFFSET_MS: i64 = 9 * 3_600_000;

impl Db {
    /// Follows, unblocks and blocks of patients (linked staff left out) per
    /// Japan-time day from `since`, the days with any.
    pub async fn friend_days(&self, clinic_id: i64, since: i64) -> Result<Vec<FriendDay>, StoreError> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT (e.at + $3) / 86400000, e.kind, COUNT(*) FROM friend_events e JOIN friends f ON f.id = e.friend_id \
             WHERE e.clinic_id = $1 AND e.kind IN ('follow', 'unblock', 'block') AND e.at >= $2 AND f.staff_user_id IS NULL \
             GROUP BY (e.at + $3) / 86400000, e.kind ORDER BY 1",
        )
        .bind(clinic_id)
        .bind(since)
        .bind(JST_OFFSET_MS)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<FriendDay> = Vec::new();
        for (day, kind, n) in rows {
            if out.last().is_none_or(|d| d.day != day) {
                out.push(FriendDay { day, ..Default::default() });
            }
            let d = out.last_mut().expect("pushed above");
            match kind.as_str() {
                "follow" => d.followed = n,
                "unblock" => d.unblocked = n,
                _ => d.blocked = n,
            }
        }
        Ok(out)
    }

    /// Patients following now (linked staff left out).
    pub async fn following_patients(&self, clinic_id: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM friends WHERE clinic_id = $1 AND status = 'active' AND staff_user_id IS NULL")
                .bind(clinic_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }

    /// Friends in a sequence now.
    pub async fn clinic_active_enrolments(&self, clinic_id: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM enrolments WHERE clinic_id = $1 AND status = 'active'")
            .bind(clinic_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Sequence steps (reminders among them) sent since `since`.
    pub async fn steps_sent_since(&self, clinic_id: i64, since: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM step_sends s JOIN enrolments e ON e.id = s.enrolment_id \
             WHERE e.clinic_id = $1 AND s.status = 'sent' AND s.at >= $2",
        )
        .bind(clinic_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// Automation runs that failed since `since`.
    pub async fn failed_runs_since(&self, clinic_id: i64, since: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM automation_runs WHERE clinic_id = $1 AND status = 'failed' AND started_at >= $2")
                .bind(clinic_id)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }

    /// Sends waiting for an admin's approval.
    pub async fn sends_awaiting_approval(&self, clinic_id: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM broadcasts WHERE clinic_id = $1 AND status = 'awaiting_approval'")
            .bind(clinic_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
