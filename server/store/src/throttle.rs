//! Counters of failed logins per account and per IP address.

use crate::{Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ThrottleRow {
    pub key: String,
    pub failures: i64,
    pub last_failure_at: i64,
    pub locked_until: i64,
}

impl Db {
    pub async fn throttle(&self, key: &str) -> Result<Option<ThrottleRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT key, failures, last_failure_at, locked_until FROM login_throttle WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn put_throttle(&self, row: &ThrottleRow) -> Result<(), StoreError> {
        self.exec(
            sqlx::query(
                "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (key) DO UPDATE SET failures = $2, last_failure_at = $3, locked_until = $4",
            )
            .bind(&row.key)
            .bind(row.failures)
            .bind(row.last_failure_at)
            .bind(row.locked_until),
        )
        .await?;
        Ok(())
    }

    pub async fn clear_throttle(&self, key: &str) -> Result<(), StoreError> {
        self.exec(sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key))
            .await?;
        Ok(())
    }
}
