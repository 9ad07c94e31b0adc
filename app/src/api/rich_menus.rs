//! リッチメニュー: the clinic's menus, the designer's load and save,
//! publishing, and who sees which menu. Each server function checks the
//! session and role, calls one engine function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::rich_menu::{MenuTab, RuleAudience};
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

/// A menu as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenuItem {
    pub id: String,
    pub name: String,
    pub tabs: Vec<MenuTab>,
    /// 0: never published.
    pub version: i64,
    pub unpublished_changes: bool,
    pub archived: bool,
}

/// A display rule as the page edits it: dates as `datetime-local` values
/// in Japan time (empty: open-ended).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MenuRuleForm {
    pub menu: String,
    pub audience: RuleAudience,
    pub starts: String,
    pub ends: String,
}

/// Where LINE stands against what was published.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenuSyncDto {
    /// An error code of the last attempt, until one succeeds.
    pub last_error: Option<String>,
    /// 「2026-12-07 15:00:00」, or empty before the first.
    pub synced_at: String,
    /// Something is still to be done on LINE.
    pub pending: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RichMenusDto {
    pub menus: Vec<MenuItem>,
    pub default: String,
    pub rules: Vec<MenuRuleForm>,
    /// (ID, name) of the clinic's segments.
    pub segments: Vec<(String, String)>,
    pub sync: MenuSyncDto,
    pub can_design: bool,
}

#[server(endpoint = "rich_menus_list")]
pub async fn list_rich_menus() -> Result<RichMenusDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let menus = engine.rich_menus(&actor).await?;
    let (default, rules) = engine.rich_menu_rules(&actor).await?;
    let segments = engine.list_segments(&actor).await?;
    let sync = engine.rich_menu_sync_status(&actor).await?;
    let local = |ms: Option<i64>| ms.map(model::broadcast::jst_local).unwrap_or_default();
    Ok(RichMenusDto {
        menus: menus
            .into_iter()
            .map(|m| MenuItem {
                id: m.row.public_id,
                name: m.row.name,
                tabs: m.draft,
                version: m.row.version,
                unpublished_changes: m.unpublished_changes,
                archived: m.row.archived_at.is_some(),
            })
            .collect(),
        default: default.unwrap_or_default(),
        rules: rules
            .into_iter()
            .map(|r| MenuRuleForm {
                menu: r.menu,
                audience: r.audience,
                starts: local(r.starts_at),
                ends: local(r.ends_at),
            })
            .collect(),
        segments: segments.into_iter().map(|s| (s.public_id, s.name)).collect(),
        sync: MenuSyncDto {
            last_error: sync.last_error,
            synced_at: sync.synced_at.map(crate::format::jst_datetime).unwrap_or_default(),
            pending: sync.pending,
        },
        can_design: actor.role.can(Permission::DesignMarketing),
    })
}

/// The menu to edit (`id` empty: a new one, one compact tab).
#[server(endpoint = "rich_menu_form")]
pub async fn load_rich_menu(id: String) -> Result<(String, Vec<MenuTab>), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    if id.is_empty() {
        return Ok((String::new(), vec![model::rich_menu::blank_tab()]));
    }
    let menu = engine()?
        .rich_menus(&actor)
        .await?
        .into_iter()
        .find(|m| m.row.public_id == id)
        .ok_or_else(|| AppError::new("not_found"))?;
    Ok((menu.row.name, menu.draft))
}

/// Saves the designer's menu as a draft (`id` empty: a new one); returns
/// its ID. LINE is not touched.
#[server(endpoint = "rich_menu_save", input = Json)]
pub async fn save_rich_menu(id: String, name: String, tabs: Vec<MenuTab>) -> Result<String, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let engine = engine()?;
    if id.is_empty() {
        Ok(engine.create_rich_menu(&actor, &name, &tabs).await?)
    } else {
        engine.save_rich_menu(&actor, &id, &name, &tabs).await?;
        Ok(id)
    }
}

#[server(endpoint = "rich_menu_publish")]
pub async fn publish_rich_menu(id: String) -> Result<i64, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    Ok(engine()?.publish_rich_menu(&actor, &id).await?)
}

#[server(endpoint = "rich_menu_archive")]
pub async fn archive_rich_menu(id: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    Ok(engine()?.archive_rich_menu(&actor, &id).await?)
}

/// Sets the default menu (empty: none) and the display rules, in order.
#[server(endpoint = "rich_menu_rules", input = Json)]
pub async fn set_rich_menu_rules(default: String, rules: Vec<MenuRuleForm>) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let moment = |v: &str| -> Result<Option<i64>, AppError> {
        if v.is_empty() {
            return Ok(None);
        }
        model::broadcast::parse_jst_local(v)
            .map(Some)
            .ok_or_else(|| AppError::new("invalid_rich_menu_rule"))
    };
    let mut drafts = Vec::with_capacity(rules.len());
    for r in &rules {
        drafts.push(engine::rich_menus::MenuRuleDraft {
            menu: r.menu.clone(),
            audience: r.audience.clone(),
            starts_at: moment(&r.starts)?,
            ends_at: moment(&r.ends)?,
        });
    }
    let default = (!default.is_empty()).then_some(default.as_str());
    Ok(engine()?.set_rich_menu_rules(&actor, default, &drafts).await?)
}

/// Which menu a friend sees now, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FriendMenuDto {
    None,
    Default {
        menu: String,
    },
    /// The rule's place in the list (1-based) and its segment's name
    /// (empty: everyone, or linked staff when `staff`).
    ByRule {
        menu: String,
        number: i64,
        segment: String,
        staff: bool,
    },
}

#[server(endpoint = "friend_rich_menu")]
pub async fn friend_rich_menu(friend: String) -> Result<FriendMenuDto, AppError> {
    use engine::rich_menus::FriendMenu;
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(match engine()?.friend_rich_menu(&actor, &friend).await? {
        FriendMenu::None => FriendMenuDto::None,
        FriendMenu::Default { menu } => FriendMenuDto::Default { menu },
        FriendMenu::ByRule {
            menu,
            position,
            segment,
            staff,
        } => FriendMenuDto::ByRule {
            menu,
            number: position + 1,
            segment: segment.unwrap_or_default(),
            staff,
        },
    })
}

/// LINE's counts for one tab over the last 30 days; `None`: fewer than 20
/// people (LINE does not say).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TabStatisticsDto {
    pub impressions: Option<i64>,
    pub taps: Vec<(String, Option<i64>)>,
}

#[server(endpoint = "rich_menu_statistics")]
pub async fn rich_menu_statistics(id: String) -> Result<Vec<TabStatisticsDto>, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(engine()?
        .rich_menu_statistics(&actor, &id)
        .await?
        .into_iter()
        .map(|t| TabStatisticsDto {
            impressions: t.impressions,
            taps: t.taps,
        })
        .collect())
}
