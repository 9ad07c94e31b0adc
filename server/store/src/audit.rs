//! The audit log: an append-only hash chain. Each row's hash covers the
//! previous row's hash, so editing or deleting a row breaks every later hash.

use crate::{Db, StoreError};

#[derive(Clone, Debug, Default)]
pub struct NewAuditEntry {
    pub at: i64,
    pub organization_id: Option<i64>,
    pub clinic_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub seq: i64,
    pub at: i64,
    pub organization_id: Option<i64>,
    pub clinic_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub organization_id: i64,
    pub action_prefix: Option<String>,
    pub actor_user_id: Option<i64>,
    /// Only rows with `seq` below this (keyset paging, newest first).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

const AUDIT_COLUMNS: &str =
    "id, seq, at, organization_id, clinic_id, actor_user_id, actor_label, action, target, detail, ip, prev_hash, hash";

impl Db {
    /// Appends one entry. `hash_of(seq, prev_hash, entry)` computes the new
    /// row's hash; the chain head is locked for the whole append, so two
    /// appends (even from two server instances) can never fork the chain.
    pub async fn append_audit(
        &self,
        entry: &NewAuditEntry,
        hash_of: impl FnOnce(i64, &str, &NewAuditEntry) -> String,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let (seq, prev): (i64, String) = sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        let hash = hash_of(seq, &prev, entry);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, organization_id, clinic_id, actor_user_id, actor_label, action, target, detail, ip, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(seq)
        .bind(entry.at)
        .bind(entry.organization_id)
        .bind(entry.clinic_id)
        .bind(entry.actor_user_id)
        .bind(&entry.actor_label)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(&entry.detail)
        .bind(&entry.ip)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// One organization's entries, newest first.
    pub async fn list_audit(&self, f: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
        let prefix = f.action_prefix.as_ref().map(|p| format!("{}%", p.replace(['%', '_'], "")));
        Ok(sqlx::query_as(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE organization_id = $1 \
               AND ($2 IS NULL OR action LIKE $2) AND ($3 IS NULL OR actor_user_id = $3) AND ($4 IS NULL OR seq < $4) \
             ORDER BY seq DESC LIMIT $5"
        ))
        .bind(f.organization_id)
        .bind(prefix)
        .bind(f.actor_user_id)
        .bind(f.before_seq)
        .bind(f.limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The whole chain in order, a page at a time (for verification).
    pub async fn audit_chain_page(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The chain head: the last sequence number and hash.
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        Ok(sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?)
    }
}
