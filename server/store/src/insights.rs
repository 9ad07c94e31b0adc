//! LINE's figures of a send's opens, by custom aggregation unit, and the
//! unit names used each month.

use crate::{Db, StoreError};
use model::link::LinkSource;

/// At most this many unit names a month per channel (LINE.md).
pub const UNITS_PER_MONTH: i64 = 1000;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InsightRow {
    pub id: i64,
    pub clinic_id: i64,
    pub unit: String,
    pub first_sent_at: i64,
    pub synced_at: Option<i64>,
    pub opened: Option<i64>,
    pub clicked: Option<i64>,
}

const INSIGHT_COLUMNS: &str = "id, clinic_id, unit, first_sent_at, synced_at, opened, clicked";

impl Db {
    /// Whether the send may carry `unit` this month: used already, or one
    /// of the month's first [`UNITS_PER_MONTH`] (then recorded).
    pub async fn use_aggregation_unit(&self, clinic_id: i64, month: &str, unit: &str) -> Result<bool, StoreError> {
        let _turn = self.writer_turn().await;
        sqlx::query(
            "INSERT INTO aggregation_units (clinic_id, month, unit) \
             SELECT $1, $2, $3 WHERE (SELECT COUNT(*) FROM aggregation_units WHERE clinic_id = $1 AND month = $2) < $4 \
             ON CONFLICT (clinic_id, month, unit) DO NOTHING",
        )
        .bind(clinic_id)
        .bind(month)
        .bind(unit)
        .bind(UNITS_PER_MONTH)
        .execute(&self.pool)
        .await?;
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM aggregation_units WHERE clinic_id = $1 AND month = $2 AND unit = $3")
            .bind(clinic_id)
            .bind(month)
            .bind(unit)
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 1)
    }

    /// Starts watching a send's figures (once; the first send's time stays).
    pub async fn watch_insight(
        &self,
        clinic_id: i64,
        source: LinkSource,
        source_id: i64,
        unit: &str,
        now: i64,
        first_sync_at: i64,
    ) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        sqlx::query(
            "INSERT INTO message_insights (clinic_id, source_kind, source_id, unit, first_sent_at, next_sync_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (clinic_id, source_kind, source_id) DO NOTHING",
        )
        .bind(clinic_id)
        .bind(source.as_str())
        .bind(source_id)
        .bind(unit)
        .bind(now)
        .bind(first_sync_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sends whose figures are due to be asked for, sent since `since`.
    pub async fn insights_due(&self, now: i64, since: i64, limit: i64) -> Result<Vec<InsightRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INSIGHT_COLUMNS} FROM message_insights WHERE next_sync_at <= $1 AND first_sent_at >= $2 ORDER BY next_sync_at, id LIMIT $3"
        ))
        .bind(now)
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// LINE's answer (`None`: fewer than 20 people), and when to ask again.
    pub async fn record_insight(&self, id: i64, opened: Option<i64>, clicked: Option<i64>, now: i64, next: i64) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        sqlx::query("UPDATE message_insights SET opened = $1, clicked = $2, synced_at = $3, next_sync_at = $4 WHERE id = $5")
            .bind(opened)
            .bind(clicked)
            .bind(now)
            .bind(next)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Asks again later (LINE refused or its limit is reached).
    pub async fn postpone_insight(&self, id: i64, next: i64) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        sqlx::query("UPDATE message_insights SET next_sync_at = $1 WHERE id = $2")
            .bind(next)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn insight_of(&self, clinic_id: i64, source: LinkSource, source_id: i64) -> Result<Option<InsightRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INSIGHT_COLUMNS} FROM message_insights WHERE clinic_id = $1 AND source_kind = $2 AND source_id = $3"
        ))
        .bind(clinic_id)
        .bind(source.as_str())
        .bind(source_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
