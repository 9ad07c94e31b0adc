//! Recording and verifying the tamper-evident audit log.

use crate::crypto::SecretBox;
use crate::{Actor, Engine, EngineError};
use store::{Audit, AuditFilter, AuditHasher, AuditRow, NewAuditEntry};

/// The text a row's hash covers: a JSON array of its sequence number, the
/// previous hash and every recorded field (JSON so no two different rows
/// can serialise to the same text).
fn canonical(seq: i64, prev_hash: &str, e: &NewAuditEntry) -> String {
    serde_json::json!([
        seq,
        prev_hash,
        e.at,
        e.organization_id,
        e.clinic_id,
        e.actor_user_id,
        e.actor_label,
        e.action,
        e.target,
        e.detail,
        e.ip
    ])
    .to_string()
}

/// The hash of one row: an HMAC keyed from `YORISOI_SECRET_KEY`, so someone
/// who can write the database but does not hold the key cannot edit a row
/// and recompute the chain after it.
impl AuditHasher for SecretBox {
    fn hash(&self, seq: i64, prev_hash: &str, entry: &NewAuditEntry) -> String {
        self.audit_mac(canonical(seq, prev_hash, entry).as_bytes())
    }
}

/// The unkeyed SHA-256 of chains written before the hashes were keyed.
struct Unkeyed;

impl AuditHasher for Unkeyed {
    fn hash(&self, seq: i64, prev_hash: &str, entry: &NewAuditEntry) -> String {
        crate::crypto::sha256_hex(canonical(seq, prev_hash, entry).as_bytes())
    }
}

/// What `verify_audit` found.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainReport {
    Intact { entries: i64 },
    Broken { seq: i64, reason: &'static str },
}

pub(crate) struct Event<'a> {
    pub organization_id: Option<i64>,
    pub clinic_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: &'a str,
    pub target: String,
    pub detail: String,
    pub ip: &'a str,
}

impl<'a> Event<'a> {
    pub(crate) fn by(actor: &Actor, action: &'a str, target: String, detail: String) -> Event<'a> {
        Event {
            organization_id: Some(actor.organization_id),
            clinic_id: Some(actor.clinic_id),
            actor_user_id: Some(actor.user_id),
            actor_label: actor.label(),
            action,
            target,
            detail,
            ip: "",
        }
    }
}

impl Engine {
    /// The entry for `ev`, to hand to the store call that makes the change
    /// (written in its transaction).
    pub(crate) fn audit(&self, ev: Event<'_>) -> Audit<'_> {
        let entry = NewAuditEntry {
            at: self.wall_ms(),
            organization_id: ev.organization_id,
            clinic_id: ev.clinic_id,
            actor_user_id: ev.actor_user_id,
            actor_label: ev.actor_label,
            action: ev.action.to_string(),
            target: ev.target,
            detail: ev.detail,
            ip: ev.ip.to_string(),
        };
        Audit {
            entry,
            hasher: &self.secrets,
        }
    }

    /// Records something that changes nothing else stored (a login, an
    /// export, a refusal).
    pub(crate) async fn record(&self, ev: Event<'_>) -> Result<(), EngineError> {
        self.db.append_audit(&self.audit(ev)).await?;
        Ok(())
    }

    /// Keys a chain written before its hashes were keyed, once, after
    /// checking it as it was written. A chain that does not verify is left
    /// as it is (and `verify_audit` keeps saying where it breaks).
    pub async fn key_audit_chain(&self) -> Result<(), EngineError> {
        if self.db.audit_chain_keyed().await? {
            return Ok(());
        }
        match self.walk_chain(&Unkeyed).await? {
            ChainReport::Intact { entries } => {
                self.db.rekey_audit_chain(&self.secrets).await?;
                tracing::info!(entries, "the audit log's hashes are now keyed with YORISOI_SECRET_KEY");
            }
            ChainReport::Broken { seq, reason } => {
                tracing::error!(seq, reason, "the audit log does not verify; its hashes were left unkeyed");
            }
        }
        Ok(())
    }

    /// The actor's clinic's log, newest first (admins only); owners also
    /// see the organization's own entries. Another clinic's entries are
    /// never shown, even within the organization.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        action_prefix: Option<String>,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, EngineError> {
        actor.require(model::Permission::ManageStaff)?;
        let filter = AuditFilter {
            organization_id: actor.organization_id,
            clinic_id: actor.clinic_id,
            with_organization_entries: actor.role == model::Role::Owner,
            action_prefix: action_prefix.filter(|p| !p.is_empty()),
            actor_user_id: None,
            before_seq,
            limit: limit.clamp(1, 200),
        };
        Ok(self.db.list_audit(&filter).await?)
    }

    /// Walks the whole chain and reports the first row that does not fit.
    pub async fn verify_audit(&self) -> Result<ChainReport, EngineError> {
        if !self.db.audit_chain_keyed().await? {
            return Ok(ChainReport::Broken {
                seq: 1,
                reason: "the chain is not keyed (it did not verify when it was to be keyed)",
            });
        }
        self.walk_chain(&self.secrets).await
    }

    async fn walk_chain(&self, hasher: &dyn AuditHasher) -> Result<ChainReport, EngineError> {
        let mut prev_seq = 0;
        let mut prev_hash = "0".repeat(64);
        loop {
            let page = self.db.audit_chain_page(prev_seq, 1000).await?;
            if page.is_empty() {
                break;
            }
            for row in page {
                if row.seq != prev_seq + 1 {
                    return Ok(ChainReport::Broken {
                        seq: prev_seq + 1,
                        reason: "missing entry",
                    });
                }
                if row.prev_hash != prev_hash {
                    return Ok(ChainReport::Broken {
                        seq: row.seq,
                        reason: "previous hash does not match",
                    });
                }
                if hasher.hash(row.seq, &row.prev_hash, &row.entry()) != row.hash {
                    return Ok(ChainReport::Broken {
                        seq: row.seq,
                        reason: "entry was altered",
                    });
                }
                prev_seq = row.seq;
                prev_hash = row.hash;
            }
        }
        let (head_seq, head_hash) = self.db.audit_head().await?;
        if head_seq != prev_seq || head_hash != prev_hash {
            return Ok(ChainReport::Broken {
                seq: prev_seq + 1,
                reason: "entries after this one were removed",
            });
        }
        Ok(ChainReport::Intact { entries: prev_seq })
    }
}
