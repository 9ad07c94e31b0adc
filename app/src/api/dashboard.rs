//! The dashboard's figures: the clinic's month at a glance.

use crate::api::broadcasts::BroadcastSummary;
use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

/// One day of the month: friends gained (follows and unblocks) and lost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FriendDayDto {
    /// Day of the month, from 1.
    pub day: u32,
    pub gained: i64,
    pub blocked: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardDto {
    /// 「2026年12月」 / "December 2026" is made by the page.
    pub year: i32,
    pub month: u32,
    pub days: Vec<FriendDayDto>,
    pub followed: i64,
    pub unblocked: i64,
    pub blocked: i64,
    pub net: i64,
    pub following: i64,
    pub recent_sends: Vec<BroadcastSummary>,
    pub enrolled: i64,
    pub steps_sent_today: i64,
    pub failed_runs: i64,
    pub awaiting_approval: i64,
}

#[server(endpoint = "dashboard_figures")]
pub async fn dashboard_figures() -> Result<DashboardDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let d = engine()?.dashboard(&actor).await?;
    Ok(DashboardDto {
        year: d.year,
        month: d.month,
        followed: d.followed(),
        unblocked: d.unblocked(),
        blocked: d.blocked(),
        net: d.net(),
        days: d
            .days
            .iter()
            .enumerate()
            .map(|(i, x)| FriendDayDto {
                day: i as u32 + 1,
                gained: x.followed + x.unblocked,
                blocked: x.blocked,
            })
            .collect(),
        following: d.following,
        recent_sends: d
            .recent_sends
            .into_iter()
            .map(|(r, clickers)| crate::api::broadcasts::summary(r, clickers))
            .collect(),
        enrolled: d.enrolled,
        steps_sent_today: d.steps_sent_today,
        failed_runs: d.failed_runs,
        awaiting_approval: d.awaiting_approval,
    })
}
