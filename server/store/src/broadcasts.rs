//! Broadcasts (一斉配信): a send as stored, its audience's candidates, and
//! starting it — the reservation and every batch in one transaction.

use crate::batches::NewBatch;
use crate::quota::{ensure_month, ledger, release, reserve_under_ceiling};
use crate::{Db, StoreError};
use model::broadcast::{BroadcastStatus, Purpose};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BroadcastRow {
    pub id: i64,
    pub clinic_id: i64,
    pub public_id: String,
    pub title: String,
    pub bundle: String,
    pub messages: String,
    pub audience: String,
    #[sqlx(try_from = "String")]
    pub purpose: Purpose,
    #[sqlx(try_from = "String")]
    pub status: BroadcastStatus,
    pub reason: String,
    pub scheduled_at: Option<i64>,
    pub resume_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub quota_month: String,
    pub total: i64,
    pub delivered: i64,
    pub failed: i64,
    pub capped: i64,
    pub consecutive_failures: i64,
    pub ad_flags: i64,
    pub created_at: i64,
    /// The channel the send started on (`ChannelRow::key`); empty before.
    pub channel_key: String,
}

const BROADCAST_COLUMNS: &str = "id, clinic_id, public_id, title, bundle, messages, audience, purpose, status, reason, \
     scheduled_at, resume_at, started_at, finished_at, quota_month, total, delivered, failed, capped, consecutive_failures, ad_flags, created_at, channel_key";

/// A send as first stored.
pub struct NewBroadcast<'a> {
    pub clinic_id: i64,
    pub public_id: &'a str,
    pub title: &'a str,
    pub bundle: &'a str,
    pub audience: &'a str,
    pub purpose: Purpose,
    pub status: BroadcastStatus,
    pub scheduled_at: Option<i64>,
    pub ad_flags: i64,
    pub created_by: Option<i64>,
    pub now: i64,
}

/// What starting a send reserves.
pub struct Reservation<'a> {
    pub month: &'a str,
    pub amount: i64,
    /// The most the month may hold (used + reserved + outside) with this
    /// reservation in; `None` when the plan has no ceiling.
    pub ceiling: Option<i64>,
}

/// A friend a send could go to, with what decides whether it does.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub line_user_id: String,
    pub marketing_opt_out: i64,
    /// Marketing messages received this month.
    pub sent_this_month: i64,
}

async fn insert_broadcast(tx: &mut sqlx::Transaction<'_, sqlx::Any>, b: &NewBroadcast<'_>) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO broadcasts (clinic_id, public_id, title, bundle, audience, purpose, status, scheduled_at, ad_flags, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(b.clinic_id)
    .bind(b.public_id)
    .bind(b.title)
    .bind(b.bundle)
    .bind(b.audience)
    .bind(b.purpose.as_str())
    .bind(b.status.as_str())
    .bind(b.scheduled_at)
    .bind(b.ad_flags)
    .bind(b.created_by)
    .bind(b.now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

impl Db {
    /// Every active patient friend of the clinic (never a staff member's
    /// linked LINE) with their marketing opt-out and this month's marketing
    /// count.
    pub async fn send_candidates(&self, clinic_id: i64, month: &str) -> Result<Vec<Candidate>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT f.id, f.line_user_id, f.marketing_opt_out, COALESCE(m.marketing, 0) AS sent_this_month \
             FROM friends f LEFT JOIN friend_month_sends m ON m.friend_id = f.id AND m.month = $2 \
             WHERE f.clinic_id = $1 AND f.status = 'active' AND f.staff_user_id IS NULL ORDER BY f.id",
        )
        .bind(clinic_id)
        .bind(month)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Friend IDs by patient number (unknown numbers are left out).
    pub async fn friends_by_patient_numbers(&self, clinic_id: i64, numbers: &[String]) -> Result<Vec<(String, i64)>, StoreError> {
        let mut out = Vec::new();
        for chunk in numbers.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT patient_number, id FROM friends WHERE clinic_id = $1 AND patient_number IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query_as::<_, (String, i64)>(&sql).bind(clinic_id);
            for n in chunk {
                q = q.bind(n);
            }
            out.extend(q.fetch_all(&self.pool).await?);
        }
        Ok(out)
    }

    pub async fn insert_broadcast(&self, b: &NewBroadcast<'_>, audit: &crate::Audit<'_>) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = insert_broadcast(&mut tx, b).await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Starts a send in one transaction: reserves its quota, writes its
    /// batches (each with its retry key) and marks it sending. `existing`
    /// is a stored send (scheduled, approved); otherwise `new` is stored
    /// here. Returns the send's ID, or `None` — with nothing written — when
    /// the reservation does not fit under the ceiling.
    #[allow(clippy::too_many_arguments)]
    pub async fn begin_sending(
        &self,
        existing: Option<i64>,
        new: Option<&NewBroadcast<'_>>,
        clinic_id: i64,
        messages: &str,
        batches: &[NewBatch],
        capped: i64,
        reservation: &Reservation<'_>,
        source: impl Fn(&str) -> String,
        now: i64,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin().await?;
        // A write first, so SQLite takes its write lock at once (a read
        // first could not be upgraded while another send reserves).
        ensure_month(&mut tx, clinic_id, reservation.month).await?;
        if !reserve_under_ceiling(&mut tx, clinic_id, reservation.month, reservation.amount, reservation.ceiling).await? {
            tx.rollback().await?;
            return Ok(None);
        }
        let id = match (existing, new) {
            (Some(id), _) => id,
            (None, Some(b)) => insert_broadcast(&mut tx, b).await?,
            (None, None) => return Err(StoreError::Corrupt("a send to start".into())),
        };
        let (public_id,): (String,) = sqlx::query_as("SELECT public_id FROM broadcasts WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        ledger(
            &mut tx,
            clinic_id,
            reservation.month,
            now,
            "reserve",
            &source(&public_id),
            reservation.amount,
        )
        .await?;
        for chunk in batches.chunks(50) {
            let marks: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let b = 4 * i + 3;
                    format!("($1, $2, ${b}, ${}, ${}, ${}, 0)", b + 1, b + 2, b + 3)
                })
                .collect();
            let sql = format!(
                "INSERT INTO broadcast_batches (broadcast_id, clinic_id, recipients, friend_ids, size, retry_key, next_attempt_at) VALUES {}",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(id).bind(clinic_id);
            for b in chunk {
                q = q.bind(&b.recipients).bind(&b.friend_ids).bind(b.size).bind(&b.retry_key);
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query(&format!(
            "UPDATE broadcasts SET status = 'sending', reason = '', messages = $1, total = $2, capped = $3, quota_month = $4, \
                 started_at = $5, updated_at = $5, channel_key = {} WHERE id = $6",
            crate::channels::CHANNEL_KEY_OF_CLINIC.replace("{clinic}", "broadcasts.clinic_id")
        ))
        .bind(messages)
        .bind(reservation.amount)
        .bind(capped)
        .bind(reservation.month)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(audit) = audit {
            audit.append(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Ends a send (`cancelled` or `stopped`): every batch no attempt of
    /// which can have reached LINE is released with its reservation;
    /// batches that may have gone out stay to be resolved by their retry
    /// key. False when the send was not in one of `from`.
    #[allow(clippy::too_many_arguments)]
    pub async fn end_broadcast(
        &self,
        broadcast_id: i64,
        from: &[BroadcastStatus],
        status: BroadcastStatus,
        reason: &str,
        source: &str,
        now: i64,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let marks: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 5)).collect();
        let sql = format!(
            "UPDATE broadcasts SET status = $1, reason = $2, updated_at = $3 WHERE id = $4 AND status IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(status.as_str()).bind(reason).bind(now).bind(broadcast_id);
        for f in from {
            q = q.bind(f.as_str());
        }
        if q.execute(&mut *tx).await?.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let (clinic_id, month): (i64, String) = sqlx::query_as("SELECT clinic_id, quota_month FROM broadcasts WHERE id = $1")
            .bind(broadcast_id)
            .fetch_one(&mut *tx)
            .await?;
        let released: Vec<(i64,)> = sqlx::query_as(
            "UPDATE broadcast_batches SET status = 'released', done_at = $1 WHERE broadcast_id = $2 AND status = 'pending' \
             AND attempts = 0 AND (lease_until IS NULL OR lease_until < $1) RETURNING size",
        )
        .bind(now)
        .bind(broadcast_id)
        .fetch_all(&mut *tx)
        .await?;
        let amount: i64 = released.iter().map(|(n,)| n).sum();
        if !month.is_empty() {
            release(&mut tx, clinic_id, &month, source, amount, now).await?;
        }
        if let Some(audit) = audit {
            audit.append(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Moves a send between states (pause, resume, hold, approve…); false
    /// when it was not in one of `from`.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_broadcast_status(
        &self,
        broadcast_id: i64,
        from: &[BroadcastStatus],
        to: BroadcastStatus,
        reason: &str,
        resume_at: Option<i64>,
        now: i64,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<bool, StoreError> {
        let marks: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 6)).collect();
        let sql = format!(
            "UPDATE broadcasts SET status = $1, reason = $2, resume_at = $3, updated_at = $4, \
             consecutive_failures = CASE WHEN $1 = 'sending' THEN 0 ELSE consecutive_failures END \
             WHERE id = $5 AND status IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(to.as_str())
            .bind(reason)
            .bind(resume_at)
            .bind(now)
            .bind(broadcast_id);
        for f in from {
            q = q.bind(f.as_str());
        }
        self.exec_one(q, audit).await
    }

    /// Approves a send waiting for it; one without a time of its own is
    /// then due at once.
    pub async fn approve_broadcast(
        &self,
        broadcast_id: i64,
        approver: i64,
        to: BroadcastStatus,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query(
                "UPDATE broadcasts SET status = $1, approved_by = $2, updated_at = $3, scheduled_at = COALESCE(scheduled_at, $3) \
                 WHERE id = $4 AND status = 'awaiting_approval'",
            )
            .bind(to.as_str())
            .bind(approver)
            .bind(now)
            .bind(broadcast_id),
            Some(audit),
        )
        .await
    }

    /// Marks a send done once none of its batches is pending.
    pub async fn finish_broadcast_if_complete(&self, broadcast_id: i64, now: i64) -> Result<bool, StoreError> {
        let done = self
            .exec(
                sqlx::query(
                    "UPDATE broadcasts SET status = CASE WHEN status IN ('sending', 'held', 'paused') THEN 'done' ELSE status END, \
                     finished_at = $1, updated_at = $1 \
                     WHERE id = $2 AND finished_at IS NULL AND status IN ('sending', 'held', 'paused', 'cancelled', 'stopped') \
                     AND NOT EXISTS (SELECT 1 FROM broadcast_batches WHERE broadcast_id = $2 AND status = 'pending')",
                )
                .bind(now)
                .bind(broadcast_id),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn broadcast(&self, broadcast_id: i64) -> Result<Option<BroadcastRow>, StoreError> {
        Ok(sqlx::query_as(&format!("SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE id = $1"))
            .bind(broadcast_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn broadcast_by_public_id(&self, clinic_id: i64, public_id: &str) -> Result<Option<BroadcastRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE clinic_id = $1 AND public_id = $2"
        ))
        .bind(clinic_id)
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn broadcasts(&self, clinic_id: i64, limit: i64) -> Result<Vec<BroadcastRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE clinic_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(clinic_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sends whose time has come (scheduled) or whose quiet hours are over (held).
    pub async fn broadcasts_due(&self, now: i64) -> Result<Vec<BroadcastRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE (status = 'scheduled' AND scheduled_at <= $1) \
             OR (status = 'held' AND resume_at <= $1) ORDER BY id"
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sends still going, for the worker's checks (quiet hours, completion).
    pub async fn broadcasts_in_flight(&self) -> Result<Vec<BroadcastRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE finished_at IS NULL AND status IN ('sending', 'cancelled', 'stopped') ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Scheduled sends of the clinic still to start (for the forecast).
    pub async fn scheduled_broadcasts(&self, clinic_id: i64) -> Result<Vec<BroadcastRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE clinic_id = $1 AND status IN ('scheduled', 'awaiting_approval') ORDER BY scheduled_at"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn set_marketing_opt_out(&self, clinic_id: i64, friend_public_id: &str, opt_out: bool) -> Result<bool, StoreError> {
        let done = self
            .exec(
                sqlx::query("UPDATE friends SET marketing_opt_out = $1 WHERE clinic_id = $2 AND public_id = $3")
                    .bind(crate::db::flag(opt_out))
                    .bind(clinic_id)
                    .bind(friend_public_id),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
