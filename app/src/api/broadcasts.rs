//! 配信: the composer's choices and estimate, creating, listing and acting on sends.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::adcheck::{AdFlag, AdRule};
use model::broadcast::{Audience, BroadcastAct, BroadcastStatus, Purpose};
use model::message::Bundle;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

/// What the composer holds: everything staff typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    pub bundle: Bundle,
    pub audience: Audience,
    pub purpose: Purpose,
    /// `datetime-local` in Japan time; empty: now.
    pub scheduled_at: String,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            title: String::new(),
            bundle: Bundle::texts(&[""]),
            audience: Audience::All,
            purpose: Purpose::Marketing,
            scheduled_at: String::new(),
        }
    }
}

/// The summary before sending.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EstimateDto {
    pub recipients: i64,
    pub opted_out: i64,
    pub capped: i64,
    pub unknown_numbers: Vec<String>,
    pub messages: i64,
    pub plan: String,
    pub ceiling: Option<i64>,
    /// Used, reserved and counted by LINE elsewhere, this month.
    pub taken: i64,
    pub left: Option<i64>,
    pub left_after: Option<i64>,
    pub extra_yen: i64,
    pub shortfall: i64,
    pub needs_approval: bool,
    /// Asked for as 業務連絡 (operational), but its wording makes it marketing.
    pub marked_marketing: bool,
    /// `2026-12-02 08:00:00` when a marketing send now would wait.
    pub held_until: String,
}

/// What the composer offers to choose from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComposerChoices {
    /// (public ID, name) of saved segments.
    pub segments: Vec<(String, String)>,
    /// (public ID, name) of tags.
    pub tags: Vec<(String, String)>,
    /// The clinic's own advertising rules (the defaults are in `model`).
    pub ad_rules: Vec<AdRule>,
    /// Flagged sends wait for an admin's approval.
    pub require_ad_approval: bool,
    pub can_send: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BroadcastSummary {
    pub id: String,
    pub title: String,
    pub purpose: Purpose,
    pub status: BroadcastStatus,
    pub reason: String,
    pub total: i64,
    pub delivered: i64,
    pub failed: i64,
    pub capped: i64,
    pub created_at: String,
    pub scheduled_at: String,
    pub resume_at: String,
    pub finished_at: String,
    pub ad_flags: i64,
    /// People who clicked any of its tracked links.
    pub clickers: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BroadcastDetail {
    pub summary: BroadcastSummary,
    pub bundle: Bundle,
    pub audience: Audience,
    /// A segment's or tags' names, for the audience line.
    pub audience_names: Vec<String>,
    /// Each tracked link's clicks.
    pub links: Vec<model::link::LinkFigures>,
    /// LINE has been asked about its opens; `opened` is `None` under 20.
    pub opens_asked: bool,
    pub opened: Option<i64>,
    pub can_send: bool,
    pub can_approve: bool,
}

#[cfg(feature = "ssr")]
pub(crate) fn summary(r: engine::broadcasts::BroadcastRow, clickers: i64) -> BroadcastSummary {
    BroadcastSummary {
        id: r.public_id,
        title: r.title,
        purpose: r.purpose,
        status: r.status,
        reason: r.reason,
        total: r.total,
        delivered: r.delivered,
        failed: r.failed,
        capped: r.capped,
        created_at: crate::format::jst_datetime_or_empty(Some(r.created_at)),
        scheduled_at: crate::format::jst_datetime_or_empty(r.scheduled_at),
        resume_at: crate::format::jst_datetime_or_empty(r.resume_at),
        finished_at: crate::format::jst_datetime_or_empty(r.finished_at),
        ad_flags: r.ad_flags,
        clickers,
    }
}

#[cfg(feature = "ssr")]
fn request(d: Draft) -> Result<engine::broadcasts::BroadcastRequest, AppError> {
    let scheduled_at = if d.scheduled_at.trim().is_empty() {
        None
    } else {
        Some(model::broadcast::parse_jst_local(&d.scheduled_at).ok_or_else(|| AppError::new("schedule_in_past"))?)
    };
    Ok(engine::broadcasts::BroadcastRequest {
        title: d.title,
        bundle: d.bundle,
        audience: d.audience,
        purpose: d.purpose,
        scheduled_at,
    })
}

#[server(endpoint = "composer_options")]
pub async fn composer_options() -> Result<ComposerChoices, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let segments = engine
        .list_segments(&actor)
        .await?
        .into_iter()
        .map(|s| (s.public_id, s.name))
        .collect();
    let tags = engine
        .tag_choices(&actor)
        .await?
        .into_iter()
        .map(|t| (t.public_id, t.name))
        .collect();
    let settings = engine.delivery_settings(&actor).await?;
    Ok(ComposerChoices {
        segments,
        tags,
        ad_rules: settings.ad_rules,
        require_ad_approval: settings.require_ad_approval,
        can_send: actor.role.can(Permission::DesignMarketing),
    })
}

#[server(endpoint = "broadcast_estimate", input = Json)]
pub async fn estimate_broadcast(draft: Draft) -> Result<EstimateDto, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let req = request(draft)?;
    let e = engine()?.estimate_broadcast(&actor, &req).await?;
    Ok(EstimateDto {
        recipients: e.recipients,
        opted_out: e.opted_out,
        capped: e.capped,
        unknown_numbers: e.unknown_numbers,
        messages: e.messages,
        plan: e.quota.plan.as_str().into(),
        ceiling: e.quota.ceiling,
        taken: e.quota.taken(),
        left: e.quota.left_for(e.purpose),
        left_after: e.left_after,
        extra_yen: e.extra_yen,
        shortfall: e.shortfall,
        needs_approval: e.needs_approval,
        marked_marketing: e.marked_marketing,
        held_until: crate::format::jst_datetime_or_empty(e.held_until),
    })
}

#[server(endpoint = "broadcast_create", input = Json)]
pub async fn create_broadcast(draft: Draft) -> Result<String, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    Ok(engine()?.create_broadcast(&actor, &request(draft)?).await?)
}

#[server(endpoint = "broadcasts_list")]
pub async fn list_broadcasts() -> Result<Vec<BroadcastSummary>, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let rows = engine.list_broadcasts(&actor, 200).await?;
    let clickers = engine.broadcast_clickers(&actor, &rows.iter().collect::<Vec<_>>()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let n = clickers.get(&r.id).copied().unwrap_or(0);
            summary(r, n)
        })
        .collect())
}

#[server(endpoint = "broadcast_get")]
pub async fn get_broadcast(id: String) -> Result<BroadcastDetail, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let v = engine.broadcast_view(&actor, &id).await?;
    let results = engine.broadcast_results(&actor, &v.row).await?;
    let audience_names = match &v.audience {
        Audience::Segment { segment } => engine.segment(&actor, segment).await.map(|(s, _)| vec![s.name]).unwrap_or_default(),
        Audience::Tags { tags, .. } => {
            let all = engine.tag_choices(&actor).await?;
            tags.iter()
                .filter_map(|t| all.iter().find(|v| &v.public_id == t).map(|v| v.name.clone()))
                .collect()
        }
        _ => vec![],
    };
    Ok(BroadcastDetail {
        summary: summary(v.row, v.clickers),
        links: results.links,
        opens_asked: results.opens.asked,
        opened: results.opens.opened,
        bundle: v.bundle,
        audience: v.audience,
        audience_names,
        can_send: actor.role.can(Permission::DesignMarketing),
        can_approve: actor.role.can(Permission::ManageClinic),
    })
}

/// Just the figures, for the live progress bar.
#[server(endpoint = "broadcast_progress")]
pub async fn broadcast_progress(id: String) -> Result<BroadcastSummary, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let v = engine()?.broadcast_view(&actor, &id).await?;
    Ok(summary(v.row, v.clickers))
}

/// `pause`, `resume`, `cancel` or `approve`.
#[server(endpoint = "broadcast_act")]
pub async fn act_on_broadcast(id: String, act: BroadcastAct) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let engine = engine()?;
    match act {
        BroadcastAct::Pause => engine.pause_broadcast(&actor, &id).await?,
        BroadcastAct::Resume => engine.resume_broadcast(&actor, &id).await?,
        BroadcastAct::Cancel => engine.cancel_broadcast(&actor, &id).await?,
        BroadcastAct::Approve => engine.approve_broadcast(&actor, &id).await?,
    }
    Ok(())
}

/// The advertising flags of a bundle with the clinic's rules (the same
/// code the server runs).
pub fn ad_flags(bundle: &Bundle, own: &[AdRule]) -> Vec<AdFlag> {
    let rules: Vec<AdRule> = model::adcheck::default_rules().into_iter().chain(own.iter().cloned()).collect();
    model::adcheck::check_bundle(bundle, &rules)
}
