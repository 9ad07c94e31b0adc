//! The month's messages and the delivery settings.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::adcheck::AdRule;
#[cfg(feature = "ssr")]
use model::broadcast::Purpose;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuotaDto {
    pub month: String,
    pub plan: String,
    pub ceiling: Option<i64>,
    pub used: i64,
    pub reserved: i64,
    pub outside: i64,
    pub left: Option<i64>,
    pub percent: i64,
    pub warning: Option<i64>,
    pub operational_reserve: i64,
    pub scheduled: i64,
    pub per_day: i64,
    pub runs_out_on: String,
    pub reconciled_at: String,
    /// (time, kind, source, amount), newest first.
    pub entries: Vec<(String, String, String, i64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliverySettingsDto {
    pub quiet_start: String,
    pub quiet_end: String,
    pub frequency_cap: i64,
    pub operational_reserve: i64,
    pub require_ad_approval: bool,
    pub ad_rules: Vec<AdRule>,
    pub can_edit: bool,
}

#[server(endpoint = "quota_report")]
pub async fn quota_report() -> Result<QuotaDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let r = engine()?.quota_report(&actor).await?;
    let s = &r.status;
    Ok(QuotaDto {
        month: s.month.clone(),
        plan: s.plan.as_str().into(),
        ceiling: s.ceiling,
        used: s.used,
        reserved: s.reserved,
        outside: s.outside,
        left: s.left_for(Purpose::Operational),
        percent: s.percent(),
        warning: s.warning(),
        operational_reserve: s.operational_reserve,
        scheduled: r.scheduled,
        per_day: r.per_day,
        runs_out_on: r.runs_out_on.clone().unwrap_or_default(),
        reconciled_at: crate::format::jst_datetime_or_empty(s.reconciled_at),
        entries: r
            .entries
            .into_iter()
            .map(|e| (crate::format::jst_datetime_or_empty(Some(e.at)), e.kind, e.source, e.amount))
            .collect(),
    })
}

/// The month's share taken and its warning level, for the dashboard
/// (from the ledger alone: no call to LINE).
#[server(endpoint = "quota_glance")]
pub async fn quota_glance() -> Result<(i64, Option<i64>, Option<i64>), AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let s = engine()?.quota_status(actor.clinic_id).await?;
    Ok((s.percent(), s.warning(), s.left_for(Purpose::Operational)))
}

#[server(endpoint = "delivery_settings_get")]
pub async fn get_delivery_settings() -> Result<DeliverySettingsDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let s = engine()?.delivery_settings(&actor).await?;
    Ok(DeliverySettingsDto {
        quiet_start: model::broadcast::QuietHours::hhmm(s.quiet.start),
        quiet_end: model::broadcast::QuietHours::hhmm(s.quiet.end),
        frequency_cap: s.frequency_cap,
        operational_reserve: s.operational_reserve,
        require_ad_approval: s.require_ad_approval,
        ad_rules: s.ad_rules,
        can_edit: actor.role.can(Permission::ManageClinic),
    })
}

#[server(endpoint = "delivery_settings_save", input = Json)]
pub async fn save_delivery_settings(settings: DeliverySettingsDto) -> Result<(), AppError> {
    let actor = actor_with(Permission::ManageClinic).await?;
    let d = settings;
    let minutes = |s: &str| model::broadcast::QuietHours::parse_hhmm(s).ok_or_else(|| AppError::new("invalid_delivery_settings"));
    let s = engine::quota::DeliverySettings {
        quiet: model::broadcast::QuietHours {
            start: minutes(&d.quiet_start)?,
            end: minutes(&d.quiet_end)?,
        },
        frequency_cap: d.frequency_cap,
        operational_reserve: d.operational_reserve,
        require_ad_approval: d.require_ad_approval,
        ad_rules: d.ad_rules,
    };
    engine()?.save_delivery_settings(&actor, &s).await?;
    Ok(())
}
