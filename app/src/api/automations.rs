//! 自動アクション: the list with recent runs, saving, turning on and off.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

// -------------------------------------------------------------- automations

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AutomationItem {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub automation: model::automation::Automation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunItem {
    pub automation: String,
    pub friend_id: String,
    pub friend_name: String,
    pub status: String,
    pub error: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AutomationsDto {
    pub items: Vec<AutomationItem>,
    pub runs: Vec<RunItem>,
}

#[server(endpoint = "automations_list")]
pub async fn list_automations() -> Result<AutomationsDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let views = engine.list_automations(&actor).await?;
    let runs = engine.recent_automation_runs(&actor, 30).await?;
    let name_of = |id: i64| {
        views
            .iter()
            .find(|v| v.row.id == id)
            .map(|v| v.row.name.clone())
            .unwrap_or_default()
    };
    Ok(AutomationsDto {
        runs: runs
            .into_iter()
            .map(|r| RunItem {
                automation: name_of(r.automation_id),
                friend_id: r.friend_public_id,
                friend_name: r.friend_name,
                status: r.status,
                error: r.error,
                at: crate::format::jst_datetime(r.started_at),
            })
            .collect(),
        items: views
            .into_iter()
            .map(|v| AutomationItem {
                id: v.row.public_id,
                name: v.row.name,
                enabled: v.row.enabled == 1,
                automation: v.automation,
            })
            .collect(),
    })
}

/// Saves an automation. A refusal returns its problems, each said under
/// the part of the editor it concerns.
#[server(endpoint = "automation_save", input = Json)]
pub async fn save_automation(
    id: String,
    name: String,
    automation: model::automation::Automation,
) -> Result<Result<String, Vec<model::automation::AutomationProblem>>, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let existing = Some(id.as_str()).filter(|i| !i.is_empty());
    match engine()?.save_automation(&actor, existing, &name, &automation).await {
        Ok(pid) => Ok(Ok(pid)),
        Err(engine::EngineError::InvalidAutomation(problems)) => Ok(Err(problems)),
        Err(e) => Err(e.into()),
    }
}

#[server(endpoint = "automation_enable")]
pub async fn set_automation_enabled(id: String, enabled: bool) -> Result<Result<(), Vec<model::automation::AutomationProblem>>, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    match engine()?.set_automation_enabled(&actor, &id, enabled).await {
        Ok(()) => Ok(Ok(())),
        Err(engine::EngineError::InvalidAutomation(problems)) => Ok(Err(problems)),
        Err(e) => Err(e.into()),
    }
}
