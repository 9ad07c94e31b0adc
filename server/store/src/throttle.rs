//! Counters of failed logins per account and per IP address.

use crate::{Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ThrottleRow {
    pub key: String,
    pub failures: i64,
    pub last_failure_at: i64,
    pub locked_until: i64,
}

/// How a key's attempts are limited.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    /// Failures allowed before the first lock.
    pub free: i64,
    /// The first lock, doubling with each further failure...
    pub first_delay_ms: i64,
    /// ...up to this.
    pub max_delay_ms: i64,
    /// Failures older than this are forgotten.
    pub window_ms: i64,
}

impl ThrottlePolicy {
    /// The lock after the `failures`-th failure, as SQL over `failures`
    /// (an expression): 0 below `free`, then the first delay doubling.
    fn delay_sql(&self, failures: &str) -> String {
        let mut arms = String::new();
        let mut delay = self.first_delay_ms;
        let mut extra = 0;
        while delay < self.max_delay_ms {
            arms.push_str(&format!(" WHEN {failures} = {} THEN {delay}", self.free + extra));
            delay *= 2;
            extra += 1;
        }
        format!("(CASE WHEN {failures} < {} THEN 0{arms} ELSE {} END)", self.free, self.max_delay_ms)
    }
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

    /// Takes one attempt for `key`, counted as a failure until the attempt
    /// is given back, in one statement: while the key is locked nothing is
    /// counted and `None` comes back; otherwise the count goes up and, at
    /// the allowance, the lock starts at once. So however many attempts
    /// arrive together, no more than the allowance get past it: the one
    /// that reaches it locks the door before the password is even checked.
    /// Returns the count after this attempt.
    pub async fn take_login_attempt(&self, key: &str, now: i64, policy: ThrottlePolicy) -> Result<Option<i64>, StoreError> {
        let counted = format!(
            "(CASE WHEN $2 - login_throttle.last_failure_at >= {} THEN 0 ELSE login_throttle.failures END + 1)",
            policy.window_ms
        );
        let sql = format!(
            "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES ($1, 1, $2, $2 + {first}) \
             ON CONFLICT (key) DO UPDATE SET failures = {counted}, last_failure_at = $2, locked_until = $2 + {delay} \
             WHERE login_throttle.locked_until <= $2 \
             RETURNING failures",
            first = policy.delay_sql("1"),
            delay = policy.delay_sql(&counted),
        );
        Ok(sqlx::query_scalar::<_, i64>(&sql)
            .bind(key)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Gives back an attempt that succeeded: it no longer counts, and a
    /// lock it started (by reaching the allowance) is lifted unless the
    /// failures left still reach it.
    pub async fn give_back_login_attempt(&self, key: &str, policy: ThrottlePolicy) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE login_throttle SET failures = failures - 1, \
             locked_until = CASE WHEN failures - 1 < {} THEN 0 ELSE locked_until END \
             WHERE key = $1 AND failures > 0",
            policy.free
        );
        self.exec(sqlx::query(&sql).bind(key)).await?;
        Ok(())
    }

    pub async fn clear_throttle(&self, key: &str) -> Result<(), StoreError> {
        self.exec(sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key))
            .await?;
        Ok(())
    }
}
