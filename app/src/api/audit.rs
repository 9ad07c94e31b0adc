//! The audit log, for owners.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

#[server(endpoint = "audit_list")]
pub async fn list_audit(kind: String, before: Option<i64>) -> Result<Vec<AuditEntry>, AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    let rows = engine()?.list_audit(&actor, Some(kind), before, 50).await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            seq: r.seq,
            at: crate::format::jst_datetime(r.at),
            actor: r.actor_label,
            action: r.action,
            target: r.target,
            detail: r.detail,
            ip: r.ip,
        })
        .collect())
}
