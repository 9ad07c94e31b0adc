//! A send's batches: claimed and leased by delivery workers on any instance,
//! settled (quota, the send's figures, the friends' monthly counts) in one
//! transaction, retried later, or ended unsent.

use crate::db::relaxed_commit;
use crate::lease::Claim;
use crate::quota::{ensure_month, ledger, release};
use crate::{Db, Dialect, StoreError};

/// Rows per multi-row statement: a whole batch of 500 in one.
pub(crate) const UPSERT_ROWS: usize = 500;

/// One batch to write when a send starts.
pub struct NewBatch {
    pub recipients: String,
    pub friend_ids: String,
    pub size: i64,
    pub retry_key: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedBatch {
    pub id: i64,
    pub broadcast_id: i64,
    pub clinic_id: i64,
    pub recipients: String,
    pub friend_ids: String,
    pub size: i64,
    pub retry_key: String,
    pub attempts: i64,
    pub first_attempt_at: Option<i64>,
}

/// Batch facts a settlement needs.
pub struct Settlement<'a> {
    pub batch_id: i64,
    pub broadcast_id: i64,
    pub clinic_id: i64,
    /// Recipients of the batch (what was reserved).
    pub size: i64,
    /// Of them, those LINE accepted (fewer only when a batch of single
    /// pushes met the monthly limit part-way).
    pub delivered: i64,
    /// The friends it reached.
    pub friend_ids: &'a [i64],
    /// Where the reservation is.
    pub reserved_month: &'a str,
    /// Where LINE counts it: the month it was accepted in.
    pub month: &'a str,
    pub marketing: bool,
    pub source: &'a str,
    pub request_id: Option<&'a str>,
    pub now: i64,
}

impl Db {
    /// Batches waiting to be sent (due or not), and their recipients.
    pub async fn send_queue(&self) -> Result<(i64, i64), StoreError> {
        let (n, r): (i64, Option<i64>) =
            sqlx::query_as("SELECT COUNT(*), CAST(SUM(size) AS BIGINT) FROM broadcast_batches WHERE status = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        Ok((n, r.unwrap_or(0)))
    }

    /// Leases the next batch due, until `until`: one worker of any
    /// instance gets it (PostgreSQL: `SKIP LOCKED`; SQLite writes one at a
    /// time). A batch of a cancelled or stopped send is still taken when an
    /// earlier attempt may have reached LINE, to learn what became of it.
    pub async fn claim_batch(&self, now: i64, until: i64) -> Result<Option<ClaimedBatch>, StoreError> {
        let claim = Claim {
            table: "broadcast_batches",
            alias: "b",
            due: "FROM broadcast_batches b JOIN broadcasts s ON s.id = b.broadcast_id \
                  WHERE b.status = 'pending' AND b.next_attempt_at <= $2 \
                  AND (s.status = 'sending' OR (b.attempts > 0 AND s.status IN ('cancelled', 'stopped')))",
            order: "b.next_attempt_at, b.id",
            still: "status = 'pending'",
            also_set: ", attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, $2)",
            returning: "id, broadcast_id, clinic_id, recipients, friend_ids, size, retry_key, attempts, first_attempt_at",
        };
        // Idle workers only read: on SQLite a write would take the
        // database's one write lock several times a second for nothing.
        if self.dialect() == Dialect::Sqlite {
            let any: Option<(i64,)> = sqlx::query_as(&claim.any_ready_sql())
                .bind(until)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
            if any.is_none() {
                return Ok(None);
            }
        }
        let sql = claim.sql(self.dialect());
        let mut tx = self.begin().await?;
        relaxed_commit(&mut tx, self.dialect()).await?;
        let claimed = sqlx::query_as(&sql)
            .bind(until)
            .bind(now)
            .bind(1i64)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records a batch LINE accepted (or had accepted: 409): the batch, the
    /// quota, the send's figures and the friends' counts together, once.
    /// False when it was settled already.
    pub async fn settle_batch(&self, s: &Settlement<'_>) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        relaxed_commit(&mut tx, self.dialect()).await?;
        let done = sqlx::query(
            "UPDATE broadcast_batches SET status = 'done', done_at = $1, request_id = $2, lease_until = NULL, error = '' \
             WHERE id = $3 AND status = 'pending'",
        )
        .bind(s.now)
        .bind(s.request_id)
        .bind(s.batch_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        ledger(&mut tx, s.clinic_id, s.month, s.now, "settle", s.source, s.delivered).await?;
        if s.delivered < s.size {
            ledger(
                &mut tx,
                s.clinic_id,
                s.reserved_month,
                s.now,
                "release",
                s.source,
                s.size - s.delivered,
            )
            .await?;
        }
        if s.marketing {
            for chunk in s.friend_ids.chunks(UPSERT_ROWS) {
                let marks: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, $1, 1)", i + 2)).collect();
                let sql = format!(
                    "INSERT INTO friend_month_sends (friend_id, month, marketing) VALUES {} \
                     ON CONFLICT (friend_id, month) DO UPDATE SET marketing = friend_month_sends.marketing + 1",
                    marks.join(", ")
                );
                let mut q = sqlx::query(&sql).bind(s.month);
                for f in chunk {
                    q = q.bind(*f);
                }
                q.execute(&mut *tx).await?;
            }
        }
        // The rows every batch of the send shares, last: each transaction
        // holds their locks only until its commit.
        if s.reserved_month == s.month {
            sqlx::query("UPDATE quota_months SET reserved = reserved - $1, used = used + $2 WHERE clinic_id = $3 AND month = $4")
                .bind(s.size)
                .bind(s.delivered)
                .bind(s.clinic_id)
                .bind(s.month)
                .execute(&mut *tx)
                .await?;
        } else {
            // Reserved last month, accepted this one: LINE counts it now.
            sqlx::query("UPDATE quota_months SET reserved = reserved - $1 WHERE clinic_id = $2 AND month = $3")
                .bind(s.size)
                .bind(s.clinic_id)
                .bind(s.reserved_month)
                .execute(&mut *tx)
                .await?;
            ensure_month(&mut tx, s.clinic_id, s.month).await?;
            sqlx::query("UPDATE quota_months SET used = used + $1 WHERE clinic_id = $2 AND month = $3")
                .bind(s.delivered)
                .bind(s.clinic_id)
                .bind(s.month)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE broadcasts SET delivered = delivered + $1, consecutive_failures = 0, updated_at = $2 WHERE id = $3")
            .bind(s.delivered)
            .bind(s.now)
            .bind(s.broadcast_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Puts a batch back to be tried at `next_at`; returns the send's run
    /// of failures (counted only when `count_failure`).
    pub async fn retry_batch_later(
        &self,
        batch_id: i64,
        broadcast_id: i64,
        next_at: i64,
        error: &str,
        count_failure: bool,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE broadcast_batches SET lease_until = NULL, next_attempt_at = $1, error = $2 WHERE id = $3 AND status = 'pending'",
        )
        .bind(next_at)
        .bind(error)
        .bind(batch_id)
        .execute(&mut *tx)
        .await?;
        if count_failure {
            sqlx::query("UPDATE broadcasts SET consecutive_failures = consecutive_failures + 1 WHERE id = $1")
                .bind(broadcast_id)
                .execute(&mut *tx)
                .await?;
        }
        let (n,): (i64,) = sqlx::query_as("SELECT consecutive_failures FROM broadcasts WHERE id = $1")
            .bind(broadcast_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Gives a leased batch back untouched (its send was paused or held).
    pub async fn unlease_batch(&self, batch_id: i64) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE broadcast_batches SET lease_until = NULL, attempts = attempts - 1 WHERE id = $1 AND status = 'pending'")
                .bind(batch_id),
        )
        .await?;
        Ok(())
    }

    /// Ends a batch that was not and will not be delivered: `failed` (LINE
    /// refused it) or `released` (nothing of it was sent). Its reservation
    /// is given back.
    #[allow(clippy::too_many_arguments)]
    pub async fn end_batch_unsent(
        &self,
        batch_id: i64,
        broadcast_id: i64,
        clinic_id: i64,
        reserved_month: &str,
        source: &str,
        status: &str,
        error: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let (size,): (i64,) = match sqlx::query_as(
            "UPDATE broadcast_batches SET status = $1, error = $2, lease_until = NULL, done_at = $3 WHERE id = $4 AND status = 'pending' RETURNING size",
        )
        .bind(status)
        .bind(error)
        .bind(now)
        .bind(batch_id)
        .fetch_optional(&mut *tx)
        .await?
        {
            Some(r) => r,
            None => {
                tx.rollback().await?;
                return Ok(false);
            }
        };
        release(&mut tx, clinic_id, reserved_month, source, size, now).await?;
        if status == "failed" {
            sqlx::query("UPDATE broadcasts SET failed = failed + $1, updated_at = $2 WHERE id = $3")
                .bind(size)
                .bind(now)
                .bind(broadcast_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
