//! The quota ledger (SPEC §5): the month's reservations, settlements and
//! releases, single sends, and the clinic's delivery settings.

use crate::{Db, StoreError};

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
    /// The hours marketing messages wait out.
    pub fn quiet(&self) -> model::broadcast::QuietHours {
        model::broadcast::QuietHours {
            start: self.quiet_start,
            end: self.quiet_end,
        }
    }
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
pub struct QuotaEntryRow {
    pub at: i64,
    pub kind: String,
    pub source: String,
    pub amount: i64,
}

pub(crate) async fn ledger(
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

/// Adds `amount` to the month's reservations only if used, reserved and
/// sent elsewhere then stay within `ceiling`: one conditional statement, so
/// concurrent sends on any number of instances can never together pass it.
pub(crate) async fn reserve_under_ceiling(
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

pub(crate) async fn ensure_month(tx: &mut sqlx::Transaction<'_, sqlx::Any>, clinic_id: i64, month: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO quota_months (clinic_id, month) VALUES ($1, $2) ON CONFLICT (clinic_id, month) DO NOTHING")
        .bind(clinic_id)
        .bind(month)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Gives back `amount` reserved messages.
pub(crate) async fn release(
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
        let mut tx = self.begin().await?;
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
        let mut tx = self.begin().await?;
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
        let mut tx = self.begin().await?;
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
}
