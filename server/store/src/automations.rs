//! Automations, the queue of happenings they answer, and their runs. A
//! happening is queued in the transaction of the change that caused it; a
//! worker leases it, runs each matching automation once (a run row per
//! happening and automation), and marks it done.

use crate::lease::Claim;
use crate::{Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AutomationRow {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    /// `model::automation::Automation` JSON.
    pub definition: String,
    pub trigger_on: String,
    pub enabled: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Something that happened to a friend, for the automations to answer.
#[derive(Clone, Debug)]
pub struct Happening {
    /// The kind (an automation's `trigger_on`).
    pub kind: String,
    /// `model::automation::Happening` JSON.
    pub detail: String,
    pub reply_token: Option<String>,
    pub event_at: i64,
    pub depth: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct QueuedHappening {
    pub id: i64,
    pub clinic_id: i64,
    pub friend_id: i64,
    pub happened: String,
    pub reply_token: Option<String>,
    pub event_at: i64,
    pub depth: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub status: String,
    pub actions_done: i64,
    pub retry_key: String,
    /// While running: the marker of a send in progress.
    pub error: String,
}

/// A run as the automations page lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RunListRow {
    pub automation_id: i64,
    pub friend_public_id: String,
    pub friend_name: String,
    pub status: String,
    pub error: String,
    pub started_at: i64,
}

/// Queues a happening inside the caller's transaction.
pub(crate) async fn enqueue(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    friend_id: i64,
    h: &Happening,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO automation_queue (clinic_id, friend_id, happened, reply_token, event_at, depth, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(clinic_id)
    .bind(friend_id)
    .bind(&h.detail)
    .bind(h.reply_token.as_deref())
    .bind(h.event_at)
    .bind(h.depth)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const AUTOMATION_COLUMNS: &str = "id, public_id, name, definition, trigger_on, enabled, created_at, updated_at";

impl Db {
    #[allow(clippy::too_many_arguments)]
    pub async fn create_automation(
        &self,
        clinic_id: i64,
        public_id: &str,
        name: &str,
        definition: &str,
        trigger_on: &str,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO automations (clinic_id, public_id, name, definition, trigger_on, enabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
        )
        .bind(clinic_id)
        .bind(public_id)
        .bind(name)
        .bind(definition)
        .bind(trigger_on)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from_insert)?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn update_automation(
        &self,
        clinic_id: i64,
        public_id: &str,
        name: &str,
        definition: &str,
        trigger_on: &str,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query(
                "UPDATE automations SET name = $1, definition = $2, trigger_on = $3, updated_at = $4 WHERE clinic_id = $5 AND public_id = $6",
            )
            .bind(name)
            .bind(definition)
            .bind(trigger_on)
            .bind(now)
            .bind(clinic_id)
            .bind(public_id),
            Some(audit),
        )
        .await
    }

    pub async fn set_automation_enabled(
        &self,
        clinic_id: i64,
        public_id: &str,
        enabled: bool,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query("UPDATE automations SET enabled = $1, updated_at = $2 WHERE clinic_id = $3 AND public_id = $4")
                .bind(crate::db::flag(enabled))
                .bind(now)
                .bind(clinic_id)
                .bind(public_id),
            Some(audit),
        )
        .await
    }

    pub async fn automations(&self, clinic_id: i64) -> Result<Vec<AutomationRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {AUTOMATION_COLUMNS} FROM automations WHERE clinic_id = $1 ORDER BY created_at, id"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Whether the clinic has an enabled automation triggered by `kind`
    /// (nothing is queued otherwise).
    /// Whether an enabled automation, or an active step sequence, starts
    /// on this kind of happening (only then is it queued).
    pub async fn listens_for(&self, clinic_id: i64, kind: &str) -> Result<bool, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM automations WHERE clinic_id = $1 AND trigger_on = $2 AND enabled = 1) \
             + (SELECT COUNT(*) FROM sequences WHERE clinic_id = $1 AND listens_for = $2 AND status = 'active')",
        )
        .bind(clinic_id)
        .bind(kind)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// Queues a happening on its own (when no other change goes with it).
    pub async fn enqueue_happening(&self, clinic_id: i64, friend_id: i64, h: &Happening, now: i64) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        enqueue(&mut tx, clinic_id, friend_id, h, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the oldest happening not done and not leased by a live worker,
    /// until `until`. One at a time: a worker that dies holds only the one
    /// it was running.
    pub async fn claim_happening(&self, now: i64, until: i64) -> Result<Option<QueuedHappening>, StoreError> {
        let sql = Claim {
            table: "automation_queue",
            alias: "",
            due: "FROM automation_queue WHERE done_at IS NULL",
            order: "id",
            still: "done_at IS NULL",
            also_set: "",
            returning: "id, clinic_id, friend_id, happened, reply_token, event_at, depth",
        }
        .sql(self.dialect());
        Ok(sqlx::query_as(&sql)
            .bind(until)
            .bind(now)
            .bind(1i64)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn finish_happening(&self, id: i64, now: i64) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE automation_queue SET done_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id),
        )
        .await?;
        Ok(())
    }

    /// The run of `automation_id` for happening `queue_id`: created
    /// (running, with `retry_key`) the first time, the stored one after a
    /// crash.
    pub async fn start_run(
        &self,
        queue_id: i64,
        automation_id: i64,
        clinic_id: i64,
        friend_id: i64,
        retry_key: &str,
        now: i64,
    ) -> Result<RunRow, StoreError> {
        sqlx::query(
            "INSERT INTO automation_runs (queue_id, automation_id, clinic_id, friend_id, status, retry_key, started_at) \
             VALUES ($1, $2, $3, $4, 'running', $5, $6) ON CONFLICT (queue_id, automation_id) DO NOTHING",
        )
        .bind(queue_id)
        .bind(automation_id)
        .bind(clinic_id)
        .bind(friend_id)
        .bind(retry_key)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(sqlx::query_as(
            "SELECT id, status, actions_done, retry_key, error FROM automation_runs WHERE queue_id = $1 AND automation_id = $2",
        )
        .bind(queue_id)
        .bind(automation_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Records that the first `actions_done` actions of a run are done
    /// (clearing any send marker), with the timeline entry of the last one
    /// if it has one, in one transaction: a resumed run never redoes it.
    pub async fn finish_run_action(
        &self,
        run_id: i64,
        actions_done: i64,
        entry: Option<(i64, i64, i64, &str, &str)>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        if let Some((clinic_id, friend_id, at, kind, detail)) = entry {
            crate::friends::insert_event(&mut tx, clinic_id, friend_id, at, kind, detail, None).await?;
        }
        sqlx::query("UPDATE automation_runs SET actions_done = $1, error = '' WHERE id = $2")
            .bind(actions_done)
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks (or, with "", unmarks) a send in progress on a running run.
    pub async fn set_run_marker(&self, run_id: i64, marker: &str) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE automation_runs SET error = $1 WHERE id = $2")
                .bind(marker)
                .bind(run_id),
        )
        .await?;
        Ok(())
    }

    pub async fn finish_run(&self, run_id: i64, status: &str, error: &str, now: i64) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE automation_runs SET status = $1, error = $2, finished_at = $3 WHERE id = $4")
                .bind(status)
                .bind(error)
                .bind(now)
                .bind(run_id),
        )
        .await?;
        Ok(())
    }

    /// The clinic's latest runs (skipped ones left out), newest first.
    pub async fn recent_runs(&self, clinic_id: i64, limit: i64) -> Result<Vec<RunListRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT r.automation_id, f.public_id AS friend_public_id, f.display_name AS friend_name, r.status, r.error, r.started_at \
             FROM automation_runs r JOIN friends f ON f.id = r.friend_id \
             WHERE r.clinic_id = $1 AND r.status <> 'skipped' ORDER BY r.id DESC LIMIT $2",
        )
        .bind(clinic_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records a timeline entry of a friend (an automation ran, a message went out).
    pub async fn add_friend_event(&self, clinic_id: i64, friend_id: i64, at: i64, kind: &str, detail: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        crate::friends::insert_event(&mut tx, clinic_id, friend_id, at, kind, detail, None).await?;
        tx.commit().await?;
        Ok(())
    }
}
