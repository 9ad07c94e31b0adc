//! Recording and verifying the tamper-evident audit log.

use crate::{Actor, Engine, EngineError};
use store::{AuditFilter, AuditRow, NewAuditEntry};

/// The hash of one row: SHA-256 over a JSON array of its sequence number,
/// the previous hash and every recorded field (JSON so no two different rows
/// can serialise to the same text).
pub fn entry_hash(seq: i64, prev_hash: &str, e: &NewAuditEntry) -> String {
    let canonical = serde_json::json!([
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
    ]);
    crate::crypto::sha256_hex(canonical.to_string().as_bytes())
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
    pub(crate) async fn record(&self, ev: Event<'_>) -> Result<(), EngineError> {
        let entry = NewAuditEntry {
            at: self.now_ms(),
            organization_id: ev.organization_id,
            clinic_id: ev.clinic_id,
            actor_user_id: ev.actor_user_id,
            actor_label: ev.actor_label,
            action: ev.action.to_string(),
            target: ev.target,
            detail: ev.detail,
            ip: ev.ip.to_string(),
        };
        self.db.append_audit(&entry, entry_hash).await?;
        Ok(())
    }

    /// The actor's organization's log, newest first (admins only).
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
            action_prefix: action_prefix.filter(|p| !p.is_empty()),
            actor_user_id: None,
            before_seq,
            limit: limit.clamp(1, 200),
        };
        Ok(self.db.list_audit(&filter).await?)
    }

    /// Walks the whole chain and reports the first row that does not fit.
    pub async fn verify_audit(&self) -> Result<ChainReport, EngineError> {
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
                if entry_hash(row.seq, &row.prev_hash, &as_entry(&row)) != row.hash {
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

fn as_entry(r: &AuditRow) -> NewAuditEntry {
    NewAuditEntry {
        at: r.at,
        organization_id: r.organization_id,
        clinic_id: r.clinic_id,
        actor_user_id: r.actor_user_id,
        actor_label: r.actor_label.clone(),
        action: r.action.clone(),
        target: r.target.clone(),
        detail: r.detail.clone(),
        ip: r.ip.clone(),
    }
}
