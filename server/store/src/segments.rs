//! Saved segments, and the change log by which every instance keeps its
//! in-memory segment index of a clinic current.

use crate::db::id_list;
use crate::friends::FRIEND_COLUMNS;
use crate::{Db, Dialect, FriendRow, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SegmentRow {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub description: String,
    /// `model::segment::Rule` JSON.
    pub rule: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Changes seen after `seq`, as friend IDs (repeats removed).
#[derive(Clone, Debug, Default)]
pub struct SegmentChanges {
    pub last_seq: i64,
    pub friends: Vec<i64>,
}

/// On PostgreSQL a change with a lower sequence number can commit after a
/// higher one is already visible; re-reading this window of recent changes
/// catches it (applying a change twice is harmless). SQLite commits in
/// order.
pub const POSTGRES_CHANGE_WINDOW_MS: i64 = 60_000;

/// Records, inside the caller's transaction, that segments may see
/// `friend_id` differently now.
pub(crate) async fn note_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    friend_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    note_changes(tx, &[(clinic_id, friend_id)], now).await
}

/// `note_change` for many friends (each a clinic and a friend ID) in a
/// few statements.
pub(crate) async fn note_changes(tx: &mut sqlx::Transaction<'_, sqlx::Any>, friends: &[(i64, i64)], now: i64) -> Result<(), StoreError> {
    // 2 values a row (and `now`): far below either database's limit.
    for chunk in friends.chunks(1000) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${}, $1)", 2 * i + 2, 2 * i + 3)).collect();
        let sql = format!(
            "INSERT INTO segment_changes (clinic_id, friend_id, at) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(now);
        for (clinic_id, friend_id) in chunk {
            q = q.bind(*clinic_id).bind(*friend_id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

const SEGMENT_COLUMNS: &str = "id, public_id, name, description, rule, created_at, updated_at";

impl Db {
    #[allow(clippy::too_many_arguments)]
    pub async fn create_segment(
        &self,
        clinic_id: i64,
        public_id: &str,
        name: &str,
        description: &str,
        rule: &str,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO segments (clinic_id, public_id, name, description, rule, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(clinic_id)
        .bind(public_id)
        .bind(name)
        .bind(description)
        .bind(rule)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from_insert)?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a segment's name, description and rule; false when the
    /// clinic has no such segment.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_segment(
        &self,
        clinic_id: i64,
        public_id: &str,
        name: &str,
        description: &str,
        rule: &str,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query(
                "UPDATE segments SET name = $1, description = $2, rule = $3, updated_at = $4 WHERE clinic_id = $5 AND public_id = $6",
            )
            .bind(name)
            .bind(description)
            .bind(rule)
            .bind(now)
            .bind(clinic_id)
            .bind(public_id),
            Some(audit),
        )
        .await
    }

    pub async fn delete_segment(&self, clinic_id: i64, public_id: &str, audit: &crate::Audit<'_>) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query("DELETE FROM segments WHERE clinic_id = $1 AND public_id = $2")
                .bind(clinic_id)
                .bind(public_id),
            Some(audit),
        )
        .await
    }

    pub async fn segments(&self, clinic_id: i64) -> Result<Vec<SegmentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SEGMENT_COLUMNS} FROM segments WHERE clinic_id = $1 ORDER BY name"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn segment_by_public_id(&self, clinic_id: i64, public_id: &str) -> Result<Option<SegmentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SEGMENT_COLUMNS} FROM segments WHERE clinic_id = $1 AND public_id = $2"
        ))
        .bind(clinic_id)
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The newest change's sequence number (0 when none): where an index
    /// built now starts reading.
    pub async fn segment_change_head(&self, clinic_id: i64) -> Result<i64, StoreError> {
        let (seq,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM segment_changes WHERE clinic_id = $1")
            .bind(clinic_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(seq.unwrap_or(0))
    }

    /// The friends changed after `after_seq` (and, on PostgreSQL, in the
    /// last [`POSTGRES_CHANGE_WINDOW_MS`] before `now`).
    pub async fn segment_changes_since(&self, clinic_id: i64, after_seq: i64, now: i64) -> Result<SegmentChanges, StoreError> {
        let window_start = match self.dialect() {
            Dialect::Postgres => now - POSTGRES_CHANGE_WINDOW_MS,
            Dialect::Sqlite => i64::MAX,
        };
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT seq, friend_id FROM segment_changes WHERE clinic_id = $1 AND (seq > $2 OR at >= $3) ORDER BY seq")
                .bind(clinic_id)
                .bind(after_seq)
                .bind(window_start)
                .fetch_all(&self.pool)
                .await?;
        let mut out = SegmentChanges {
            last_seq: after_seq,
            friends: Vec::with_capacity(rows.len()),
        };
        let mut seen = std::collections::HashSet::new();
        for (seq, friend) in rows {
            out.last_seq = out.last_seq.max(seq);
            if seen.insert(friend) {
                out.friends.push(friend);
            }
        }
        Ok(out)
    }

    /// Forgets changes older than `before` (every index has read them or
    /// is rebuilt).
    pub async fn prune_segment_changes(&self, before: i64) -> Result<u64, StoreError> {
        Ok(self
            .exec(sqlx::query("DELETE FROM segment_changes WHERE at < $1").bind(before))
            .await?
            .rows_affected())
    }

    /// Rows of `select … WHERE clinic_id = $1 AND <column> IN (ids)`; none
    /// for no IDs.
    async fn for_friends<T>(&self, select: &str, column: &str, clinic_id: i64, ids: &[i64]) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(
            sqlx::query_as(&format!("{select} WHERE clinic_id = $1 AND {column} IN {}", id_list(ids)))
                .bind(clinic_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Some friends of the clinic by ID (for refreshing an index).
    pub async fn friends_by_ids(&self, clinic_id: i64, ids: &[i64]) -> Result<Vec<FriendRow>, StoreError> {
        self.for_friends(&format!("SELECT {FRIEND_COLUMNS} FROM friends"), "id", clinic_id, ids)
            .await
    }

    /// (friend, tag) pairs of some friends of the clinic.
    pub async fn friend_tags_of(&self, clinic_id: i64, ids: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
        self.for_friends("SELECT friend_id, tag_id FROM friend_tags", "friend_id", clinic_id, ids)
            .await
    }

    /// (friend, field, value JSON) of some friends of the clinic.
    pub async fn field_values_of(&self, clinic_id: i64, ids: &[i64]) -> Result<Vec<(i64, i64, String)>, StoreError> {
        self.for_friends(
            "SELECT friend_id, field_id, value FROM friend_field_values",
            "friend_id",
            clinic_id,
            ids,
        )
        .await
    }
}
