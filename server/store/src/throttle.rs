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
    /// The lock after the `failures`-th failure: none below `free`, then the
    /// first delay, doubling, at most `max_delay_ms`.
    pub fn delay_ms(&self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(20) as u32;
        self.first_delay_ms.saturating_mul(1 << doublings).min(self.max_delay_ms)
    }

    /// `delay_ms` as SQL over `failures` (an expression), so the statement
    /// that takes an attempt sets the same lock: one arm per count until
    /// the delay reaches its ceiling.
    fn delay_sql(&self, failures: &str) -> String {
        let arms: String = (self.free..)
            .take_while(|&n| self.delay_ms(n) < self.max_delay_ms)
            .map(|n| format!(" WHEN {failures} = {n} THEN {}", self.delay_ms(n)))
            .collect();
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

#[cfg(test)]
mod tests {
    use super::ThrottlePolicy;

    const POLICY: ThrottlePolicy = ThrottlePolicy {
        free: 5,
        first_delay_ms: 30_000,
        max_delay_ms: 15 * 60_000,
        window_ms: 3_600_000,
    };

    #[test]
    fn delay_grows_and_is_capped() {
        assert_eq!(POLICY.delay_ms(4), 0);
        assert_eq!(POLICY.delay_ms(5), 30_000);
        assert_eq!(POLICY.delay_ms(6), 60_000);
        assert_eq!(POLICY.delay_ms(7), 120_000);
        assert_eq!(POLICY.delay_ms(50), 15 * 60_000);
    }

    #[test]
    fn the_sql_sets_the_same_delays() {
        let sql = POLICY.delay_sql("n");
        assert!(
            sql.starts_with("(CASE WHEN n < 5 THEN 0 WHEN n = 5 THEN 30000 WHEN n = 6 THEN 60000"),
            "{sql}"
        );
        assert!(sql.ends_with("WHEN n = 9 THEN 480000 ELSE 900000 END)"), "{sql}");
    }
}
