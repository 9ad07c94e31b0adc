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

/// Computes a row's hash from its sequence number, the previous hash and
/// the entry (the engine keys it; the store only chains).
pub trait AuditHasher: Send + Sync {
    fn hash(&self, seq: i64, prev_hash: &str, entry: &NewAuditEntry) -> String;
}

/// An entry for the audit log, written in the same transaction as the
/// change it records: a change is never stored without its entry, nor an
/// entry without its change.
pub struct Audit<'a> {
    pub entry: NewAuditEntry,
    pub hasher: &'a dyn AuditHasher,
}

impl Audit<'_> {
    /// Appends the entry inside the caller's transaction. The chain head is
    /// locked until that transaction ends, so two appends (even from two
    /// server instances) can never fork the chain.
    pub(crate) async fn append(&self, conn: &mut sqlx::AnyConnection) -> Result<i64, StoreError> {
        self.append_entry(conn, &self.entry).await
    }

    /// Appends the entry with `{count}` in its detail replaced by `count`
    /// (how many rows the change touched, known only inside it).
    pub(crate) async fn append_counted(&self, conn: &mut sqlx::AnyConnection, count: usize) -> Result<i64, StoreError> {
        let mut entry = self.entry.clone();
        entry.detail = entry.detail.replace("{count}", &count.to_string());
        self.append_entry(conn, &entry).await
    }

    async fn append_entry(&self, conn: &mut sqlx::AnyConnection, entry: &NewAuditEntry) -> Result<i64, StoreError> {
        let (seq, prev): (i64, String) = sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *conn)
            .await?;
        let hash = self.hasher.hash(seq, &prev, entry);
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
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *conn)
            .await?;
        Ok(seq)
    }
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub organization_id: i64,
    /// Entries of this clinic...
    pub clinic_id: i64,
    /// ...and, for owners, those of the organization as a whole.
    pub with_organization_entries: bool,
    pub action_prefix: Option<String>,
    pub actor_user_id: Option<i64>,
    /// Only rows with `seq` below this (keyset paging, newest first).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

impl AuditRow {
    /// The recorded fields, as they were appended.
    pub fn entry(&self) -> NewAuditEntry {
        NewAuditEntry {
            at: self.at,
            organization_id: self.organization_id,
            clinic_id: self.clinic_id,
            actor_user_id: self.actor_user_id,
            actor_label: self.actor_label.clone(),
            action: self.action.clone(),
            target: self.target.clone(),
            detail: self.detail.clone(),
            ip: self.ip.clone(),
        }
    }
}

const AUDIT_COLUMNS: &str =
    "id, seq, at, organization_id, clinic_id, actor_user_id, actor_label, action, target, detail, ip, prev_hash, hash";

impl Db {
    /// Appends an entry that records no stored change of its own (a login,
    /// an export).
    pub async fn append_audit(&self, audit: &Audit<'_>) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let seq = audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Whether the chain's hashes are keyed (see `rekey_audit_chain`).
    pub async fn audit_chain_keyed(&self) -> Result<bool, StoreError> {
        let (keyed,): (i64,) = sqlx::query_as("SELECT keyed FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(keyed != 0)
    }

    /// Recomputes every row's hash with `hasher`, in order, and marks the
    /// chain keyed, in one transaction (once, after an upgrade; the caller
    /// verified the old chain first).
    pub async fn rekey_audit_chain(&self, hasher: &dyn AuditHasher) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // Taken first: no entry is appended while the chain is rewritten.
        sqlx::query("UPDATE audit_head SET keyed = 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let rows: Vec<AuditRow> = sqlx::query_as(&format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"))
            .fetch_all(&mut *tx)
            .await?;
        let mut prev = "0".repeat(64);
        for r in rows {
            let hash = hasher.hash(r.seq, &prev, &r.entry());
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(r.id)
                .execute(&mut *tx)
                .await?;
            prev = hash;
        }
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One clinic's entries (and the organization's own, when asked),
    /// newest first.
    pub async fn list_audit(&self, f: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
        let prefix = f.action_prefix.as_ref().map(|p| format!("{}%", p.replace(['%', '_'], "")));
        Ok(sqlx::query_as(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE organization_id = $1 \
               AND (clinic_id = $6 OR ($7 = 1 AND clinic_id IS NULL)) \
               AND ($2 IS NULL OR action LIKE $2) AND ($3 IS NULL OR actor_user_id = $3) AND ($4 IS NULL OR seq < $4) \
             ORDER BY seq DESC LIMIT $5"
        ))
        .bind(f.organization_id)
        .bind(prefix)
        .bind(f.actor_user_id)
        .bind(f.before_seq)
        .bind(f.limit)
        .bind(f.clinic_id)
        .bind(crate::db::flag(f.with_organization_entries))
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
