//! Broadcasts and their batches, the quota ledger, the clinic's delivery
//! settings, the frequency counts and the shared rate-limit windows.
//!
//! Every change that must not be half-done is one transaction: a send's
//! reservation with its batches; a batch's settlement with the quota, the
//! send's figures and the friends' monthly counts.

use crate::{Db, Dialect, StoreError};

/// Rows per multi-row statement: a whole batch of 500 in one.
const UPSERT_ROWS: usize = 500;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeliverySettingsRow {
    pub clinic_id: i64,
    pub plan: String,
    pub line_limit: Option<i64>,
    pub quiet_start: i64,
    pub quiet_end: i64,
    pub frequency_cap: i64,
    pub operational_reserve: i64,
    pub require_ad_approval: i64,
    pub ad_rules: String,
    pub updated_at: i64,
}

impl DeliverySettingsRow {
    pub fn defaults(clinic_id: i64) -> DeliverySettingsRow {
        DeliverySettingsRow {
            clinic_id,
            plan: "light".into(),
            line_limit: None,
            quiet_start: 21 * 60,
            quiet_end: 8 * 60,
            frequency_cap: 4,
            operational_reserve: 0,
            require_ad_approval: 0,
            ad_rules: "[]".into(),
            updated_at: 0,
        }
    }
}

#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct QuotaMonthRow {
    pub used: i64,
    pub reserved: i64,
    pub outside: i64,
    pub reconciled_at: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BroadcastRow {
    pub id: i64,
    pub clinic_id: i64,
    pub public_id: String,
    pub title: String,
    pub bundle: String,
    pub messages: String,
    pub audience: String,
    pub purpose: String,
    pub status: String,
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
    pub purpose: &'a str,
    pub status: &'a str,
    pub scheduled_at: Option<i64>,
    pub ad_flags: i64,
    pub created_by: Option<i64>,
    pub now: i64,
}

/// One batch to write when a send starts.
pub struct NewBatch {
    pub recipients: String,
    pub friend_ids: String,
    pub size: i64,
    pub retry_key: String,
}

/// What starting a send reserves.
pub struct Reservation<'a> {
    pub month: &'a str,
    pub amount: i64,
    /// The most the month may hold (used + reserved + outside) with this
    /// reservation in; `None` when the plan has no ceiling.
    pub ceiling: Option<i64>,
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

/// A friend a send could go to, with what decides whether it does.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub line_user_id: String,
    pub marketing_opt_out: i64,
    /// Marketing messages received this month.
    pub sent_this_month: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct QuotaEntryRow {
    pub at: i64,
    pub kind: String,
    pub source: String,
    pub amount: i64,
}

async fn ledger(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    month: &str,
    at: i64,
    kind: &str,
    source: &str,
    amount: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO quota_entries (clinic_id, month, at, kind, source, amount) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(clinic_id)
        .bind(month)
        .bind(at)
        .bind(kind)
        .bind(source)
        .bind(amount)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// On PostgreSQL, lets this transaction commit without waiting for its
/// WAL flush. Only for writes whose loss in a database crash is repaired
/// by the retry key: a lost settlement is retried, LINE answers 409, and
/// it is settled again; a lost lease or rate count only delays.
async fn relaxed_commit(tx: &mut sqlx::Transaction<'_, sqlx::Any>, dialect: Dialect) -> Result<(), StoreError> {
    if dialect == Dialect::Postgres {
        sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut **tx).await?;
    }
    Ok(())
}

/// Adds `amount` to the month's reservations only if used, reserved and
/// sent elsewhere then stay within `ceiling`: one conditional statement, so
/// concurrent sends on any number of instances can never together pass it.
async fn reserve_under_ceiling(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    month: &str,
    amount: i64,
    ceiling: Option<i64>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE quota_months SET reserved = reserved + $1 WHERE clinic_id = $2 AND month = $3 \
         AND used + reserved + outside + $1 <= $4",
    )
    .bind(amount)
    .bind(clinic_id)
    .bind(month)
    .bind(ceiling.unwrap_or(i64::MAX))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn ensure_month(tx: &mut sqlx::Transaction<'_, sqlx::Any>, clinic_id: i64, month: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO quota_months (clinic_id, month) VALUES ($1, $2) ON CONFLICT (clinic_id, month) DO NOTHING")
        .bind(clinic_id)
        .bind(month)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Gives back `amount` reserved messages.
async fn release(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    month: &str,
    source: &str,
    amount: i64,
    now: i64,
) -> Result<(), StoreError> {
    if amount == 0 {
        return Ok(());
    }
    sqlx::query("UPDATE quota_months SET reserved = reserved - $1 WHERE clinic_id = $2 AND month = $3")
        .bind(amount)
        .bind(clinic_id)
        .bind(month)
        .execute(&mut **tx)
        .await?;
    ledger(tx, clinic_id, month, now, "release", source, amount).await
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
    pub async fn delivery_settings(&self, clinic_id: i64) -> Result<DeliverySettingsRow, StoreError> {
        let row: Option<DeliverySettingsRow> = sqlx::query_as(
            "SELECT clinic_id, plan, line_limit, quiet_start, quiet_end, frequency_cap, operational_reserve, require_ad_approval, ad_rules, updated_at \
             FROM delivery_settings WHERE clinic_id = $1",
        )
        .bind(clinic_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.unwrap_or_else(|| DeliverySettingsRow::defaults(clinic_id)))
    }

    /// `audit` is `None` when the product itself records what LINE said
    /// (the plan learned by reconciliation).
    pub async fn save_delivery_settings(&self, s: &DeliverySettingsRow, audit: Option<&crate::Audit<'_>>) -> Result<(), StoreError> {
        let q = sqlx::query(
            "INSERT INTO delivery_settings (clinic_id, plan, line_limit, quiet_start, quiet_end, frequency_cap, operational_reserve, require_ad_approval, ad_rules, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (clinic_id) DO UPDATE SET \
             plan = excluded.plan, line_limit = excluded.line_limit, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, \
             frequency_cap = excluded.frequency_cap, operational_reserve = excluded.operational_reserve, \
             require_ad_approval = excluded.require_ad_approval, ad_rules = excluded.ad_rules, updated_at = excluded.updated_at",
        )
        .bind(s.clinic_id)
        .bind(&s.plan)
        .bind(s.line_limit)
        .bind(s.quiet_start)
        .bind(s.quiet_end)
        .bind(s.frequency_cap)
        .bind(s.operational_reserve)
        .bind(s.require_ad_approval)
        .bind(&s.ad_rules)
        .bind(s.updated_at);
        self.exec_with(q, audit).await
    }

    pub async fn quota_month(&self, clinic_id: i64, month: &str) -> Result<QuotaMonthRow, StoreError> {
        let row: Option<QuotaMonthRow> =
            sqlx::query_as("SELECT used, reserved, outside, reconciled_at FROM quota_months WHERE clinic_id = $1 AND month = $2")
                .bind(clinic_id)
                .bind(month)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.unwrap_or_default())
    }

    /// Records what LINE counts beyond the product's own sends.
    pub async fn set_quota_outside(&self, clinic_id: i64, month: &str, outside: i64, now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        ensure_month(&mut tx, clinic_id, month).await?;
        let (before,): (i64,) = sqlx::query_as("SELECT outside FROM quota_months WHERE clinic_id = $1 AND month = $2")
            .bind(clinic_id)
            .bind(month)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("UPDATE quota_months SET outside = $1, reconciled_at = $2 WHERE clinic_id = $3 AND month = $4")
            .bind(outside)
            .bind(now)
            .bind(clinic_id)
            .bind(month)
            .execute(&mut *tx)
            .await?;
        if before != outside {
            ledger(&mut tx, clinic_id, month, now, "reconcile", "line_app", outside - before).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn quota_entries(&self, clinic_id: i64, month: &str, limit: i64) -> Result<Vec<QuotaEntryRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT at, kind, source, amount FROM quota_entries WHERE clinic_id = $1 AND month = $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(clinic_id)
        .bind(month)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Messages settled per JST day of the month (`at` of each settlement),
    /// for the pace forecast: (day start ms, messages).
    pub async fn quota_settlements(&self, clinic_id: i64, month: &str) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT at, amount FROM quota_entries WHERE clinic_id = $1 AND month = $2 AND kind = 'settle' ORDER BY at")
                .bind(clinic_id)
                .bind(month)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Every active friend of the clinic with their marketing opt-out and
    /// this month's marketing count.
    pub async fn send_candidates(&self, clinic_id: i64, month: &str) -> Result<Vec<Candidate>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT f.id, f.line_user_id, f.marketing_opt_out, COALESCE(m.marketing, 0) AS sent_this_month \
             FROM friends f LEFT JOIN friend_month_sends m ON m.friend_id = f.id AND m.month = $2 \
             WHERE f.clinic_id = $1 AND f.status = 'active' ORDER BY f.id",
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
        let mut tx = self.pool.begin().await?;
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
        let mut tx = self.pool.begin().await?;
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

    /// Leases the next batch due, until `until`: one worker of any
    /// instance gets it (PostgreSQL: `SKIP LOCKED`; SQLite writes one at a
    /// time). A batch of a cancelled or stopped send is still taken when an
    /// earlier attempt may have reached LINE, to learn what became of it.
    pub async fn claim_batch(&self, now: i64, until: i64) -> Result<Option<ClaimedBatch>, StoreError> {
        const DUE: &str = "FROM broadcast_batches b JOIN broadcasts s ON s.id = b.broadcast_id \
             WHERE b.status = 'pending' AND b.next_attempt_at <= $1 AND (b.lease_until IS NULL OR b.lease_until < $1) \
             AND (s.status = 'sending' OR (b.attempts > 0 AND s.status IN ('cancelled', 'stopped')))";
        // Idle workers only read: on SQLite a write would take the
        // database's one write lock several times a second for nothing.
        if self.dialect() == Dialect::Sqlite {
            let any: Option<(i64,)> = sqlx::query_as(&format!("SELECT b.id {DUE} LIMIT 1"))
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
            if any.is_none() {
                return Ok(None);
            }
        }
        let lock = match self.dialect() {
            Dialect::Postgres => "FOR UPDATE OF b SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let due = DUE.replace("$1", "$2");
        let sql = format!(
            "UPDATE broadcast_batches SET lease_until = $1, attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, $2) \
             WHERE id = (SELECT b.id {due} ORDER BY b.next_attempt_at, b.id LIMIT 1 {lock}) \
             AND status = 'pending' AND (lease_until IS NULL OR lease_until < $2) \
             RETURNING id, broadcast_id, clinic_id, recipients, friend_ids, size, retry_key, attempts, first_attempt_at"
        );
        let mut tx = self.pool.begin().await?;
        relaxed_commit(&mut tx, self.dialect()).await?;
        let claimed = sqlx::query_as(&sql).bind(until).bind(now).fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records a batch LINE accepted (or had accepted: 409): the batch, the
    /// quota, the send's figures and the friends' counts together, once.
    /// False when it was settled already.
    pub async fn settle_batch(&self, s: &Settlement<'_>) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
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
            for chunk in s.friend_ids.chunks(crate::broadcasts::UPSERT_ROWS) {
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
        let mut tx = self.pool.begin().await?;
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
        let mut tx = self.pool.begin().await?;
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

    /// Ends a send (`cancelled` or `stopped`): every batch no attempt of
    /// which can have reached LINE is released with its reservation;
    /// batches that may have gone out stay to be resolved by their retry
    /// key. False when the send was not in one of `from`.
    #[allow(clippy::too_many_arguments)]
    pub async fn end_broadcast(
        &self,
        broadcast_id: i64,
        from: &[&str],
        status: &str,
        reason: &str,
        source: &str,
        now: i64,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let marks: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 5)).collect();
        let sql = format!(
            "UPDATE broadcasts SET status = $1, reason = $2, updated_at = $3 WHERE id = $4 AND status IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(status).bind(reason).bind(now).bind(broadcast_id);
        for f in from {
            q = q.bind(*f);
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
        from: &[&str],
        to: &str,
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
        let mut q = sqlx::query(&sql).bind(to).bind(reason).bind(resume_at).bind(now).bind(broadcast_id);
        for f in from {
            q = q.bind(*f);
        }
        self.exec_one(q, audit).await
    }

    /// Approves a send waiting for it; one without a time of its own is
    /// then due at once.
    pub async fn approve_broadcast(
        &self,
        broadcast_id: i64,
        approver: i64,
        to: &str,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query(
                "UPDATE broadcasts SET status = $1, approved_by = $2, updated_at = $3, scheduled_at = COALESCE(scheduled_at, $3) \
                 WHERE id = $4 AND status = 'awaiting_approval'",
            )
            .bind(to)
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

    /// Reserves one message for a single push (an automation's, a test
    /// send) before it is made, under `ceiling` like any send. `source`
    /// names the push by its retry key: a resumed attempt finds its own
    /// reservation (true) and reserves nothing more.
    pub async fn reserve_single_send(
        &self,
        clinic_id: i64,
        month: &str,
        source: &str,
        ceiling: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        ensure_month(&mut tx, clinic_id, month).await?;
        let (had,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM quota_entries WHERE clinic_id = $1 AND source = $2 AND kind = 'reserve'")
            .bind(clinic_id)
            .bind(source)
            .fetch_one(&mut *tx)
            .await?;
        if had > 0 {
            tx.rollback().await?;
            return Ok(true);
        }
        if !reserve_under_ceiling(&mut tx, clinic_id, month, 1, ceiling).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        ledger(&mut tx, clinic_id, month, now, "reserve", source, 1).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Settles a single push's reservation: used when LINE took it,
    /// released when LINE refused it. Once per source; the month is the
    /// reservation's, even when the push went out after midnight on the 1st.
    pub async fn settle_single_send(&self, clinic_id: i64, source: &str, delivered: bool, now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // The claim is the first statement, a write: a second settler finds
        // it and stops (and SQLite takes its write lock at once).
        let (kind, used) = if delivered { ("settle", 1) } else { ("release", 0) };
        let claimed = sqlx::query(
            "INSERT INTO quota_entries (clinic_id, month, at, kind, source, amount) \
             SELECT clinic_id, month, $3, $4, source, 1 FROM quota_entries r WHERE r.clinic_id = $1 AND r.source = $2 AND r.kind = 'reserve' \
             AND NOT EXISTS (SELECT 1 FROM quota_entries s WHERE s.clinic_id = $1 AND s.source = $2 AND s.kind IN ('settle', 'release'))",
        )
        .bind(clinic_id)
        .bind(source)
        .bind(now)
        .bind(kind)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if claimed {
            sqlx::query(
                "UPDATE quota_months SET reserved = reserved - 1, used = used + $1 WHERE clinic_id = $2 \
                 AND month = (SELECT month FROM quota_entries WHERE clinic_id = $2 AND source = $3 AND kind = 'reserve')",
            )
            .bind(used)
            .bind(clinic_id)
            .bind(source)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Takes one request of `scope`'s window starting at `win` (ms) if
    /// fewer than `cap` were taken: the same count for every instance.
    pub async fn take_rate(&self, scope: &str, win: i64, cap: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        relaxed_commit(&mut tx, self.dialect()).await?;
        let done = sqlx::query(
            "INSERT INTO rate_windows (scope, win, used) VALUES ($1, $2, 1) ON CONFLICT (scope, win) \
             DO UPDATE SET used = rate_windows.used + 1 WHERE rate_windows.used < $3",
        )
        .bind(scope)
        .bind(win)
        .bind(cap)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn prune_rate_windows(&self, before_win: i64) -> Result<(), StoreError> {
        self.exec(sqlx::query("DELETE FROM rate_windows WHERE win < $1").bind(before_win))
            .await?;
        Ok(())
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
    .bind(b.purpose)
    .bind(b.status)
    .bind(b.scheduled_at)
    .bind(b.ad_flags)
    .bind(b.created_by)
    .bind(b.now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TemplateRow {
    pub public_id: String,
    pub folder: String,
    pub name: String,
    pub bundle: String,
    pub updated_at: i64,
}

impl Db {
    pub async fn templates(&self, clinic_id: i64) -> Result<Vec<TemplateRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT public_id, folder, name, bundle, updated_at FROM message_templates WHERE clinic_id = $1 ORDER BY folder, name",
        )
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Saves a template; one of the same folder and name is replaced.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_template(
        &self,
        clinic_id: i64,
        public_id: &str,
        folder: &str,
        name: &str,
        bundle: &str,
        user_id: i64,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<(), StoreError> {
        self.exec_audited(
            vec![sqlx::query(
                "INSERT INTO message_templates (clinic_id, public_id, folder, name, bundle, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (clinic_id, folder, name) \
                 DO UPDATE SET bundle = excluded.bundle, updated_at = excluded.updated_at",
            )
            .bind(clinic_id)
            .bind(public_id)
            .bind(folder)
            .bind(name)
            .bind(bundle)
            .bind(user_id)
            .bind(now)],
            audit,
        )
        .await?;
        Ok(())
    }

    pub async fn delete_template(&self, clinic_id: i64, public_id: &str, audit: &crate::Audit<'_>) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query("DELETE FROM message_templates WHERE clinic_id = $1 AND public_id = $2")
                .bind(clinic_id)
                .bind(public_id),
            Some(audit),
        )
        .await
    }
}

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
