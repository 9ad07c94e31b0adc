//! The shared rate-limit windows: every instance counts its LINE calls in
//! the same rows, so together they stay under LINE's limits.

use crate::db::relaxed_commit;
use crate::{Db, StoreError};

impl Db {
    /// Takes one request of `scope`'s window starting at `win` (ms) if
    /// fewer than `cap` were taken: the same count for every instance.
    pub async fn take_rate(&self, scope: &str, win: i64, cap: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
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
}
