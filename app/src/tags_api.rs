//! Server functions of タグ, セグメント and 自動アクション: each checks the
//! session and role, calls one engine function and maps its error. Rules
//! and automations travel as their `model` JSON.

use crate::errors::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
#[cfg(feature = "ssr")]
use model::Permission;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FolderDto {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagDto {
    pub id: String,
    /// The folder's public ID, or empty.
    pub folder: String,
    pub name: String,
    pub color: String,
    pub description: String,
    pub rule_text: String,
    pub friends: i64,
    pub last_applied: String,
    /// Not attached to anyone for 90 days (or never): a candidate to prune.
    pub unused: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDto {
    pub id: String,
    pub name: String,
    pub field_type: String,
    pub choices: Vec<String>,
}

/// Everything a page needs to name tags and fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagsDto {
    pub folders: Vec<FolderDto>,
    pub tags: Vec<TagDto>,
    pub fields: Vec<FieldDto>,
    pub colors: Vec<String>,
    /// The caller may create tags, fields, segments and automations.
    pub can_design: bool,
    /// The caller may attach and remove tags.
    pub can_tag: bool,
}

impl TagsDto {
    /// What a rule may name, for checking it in the browser.
    pub fn catalog(&self) -> model::segment::Catalog {
        model::segment::Catalog {
            tags: self.tags.iter().map(|t| t.id.clone()).collect(),
            fields: self
                .fields
                .iter()
                .filter_map(|f| model::segment::FieldType::parse(&f.field_type).map(|k| (f.id.clone(), k)))
                .collect(),
        }
    }

    pub fn tag_name(&self, id: &str) -> String {
        self.tags.iter().find(|t| t.id == id).map(|t| t.name.clone()).unwrap_or_default()
    }
}

/// Unused for this long puts a tag on the review list.
#[cfg(feature = "ssr")]
const UNUSED_AFTER_MS: i64 = 90 * 24 * 3600 * 1000;

#[server(endpoint = "tags_overview")]
pub async fn tags_overview() -> Result<TagsDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let now = engine.now_ms();
    let folders = engine.tag_folders(&actor).await?;
    let tags = engine.list_tags(&actor).await?;
    let fields = engine.list_fields(&actor).await?;
    let folder_pid = |id: Option<i64>| {
        id.and_then(|id| folders.iter().find(|f| f.id == id))
            .map(|f| f.public_id.clone())
            .unwrap_or_default()
    };
    Ok(TagsDto {
        tags: tags
            .into_iter()
            .map(|v| TagDto {
                id: v.tag.public_id,
                folder: folder_pid(v.tag.folder_id),
                name: v.tag.name,
                color: v.tag.color,
                description: v.tag.description,
                rule_text: v.tag.rule_text,
                friends: v.friends,
                last_applied: v.last_applied.map(crate::format::jst_datetime).unwrap_or_default(),
                unused: v.last_applied.unwrap_or(v.tag.created_at) < now - UNUSED_AFTER_MS,
            })
            .collect(),
        folders: folders
            .iter()
            .map(|f| FolderDto {
                id: f.public_id.clone(),
                name: f.name.clone(),
            })
            .collect(),
        fields: fields
            .into_iter()
            .map(|f| FieldDto {
                id: f.public_id,
                name: f.name,
                field_type: f.field_type,
                choices: serde_json::from_str(&f.choices).unwrap_or_default(),
            })
            .collect(),
        colors: engine::tags::TAG_COLORS.iter().map(|c| c.to_string()).collect(),
        can_design: actor.role.can(Permission::DesignMarketing),
        can_tag: actor.role.can(Permission::HandlePatients),
    })
}

#[server(endpoint = "tag_folder_create")]
pub async fn create_tag_folder(name: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    engine()?.create_tag_folder(&actor, &name).await?;
    Ok(())
}

#[server(endpoint = "tag_create")]
pub async fn create_tag(folder: String, name: String, color: String, description: String, rule_text: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let input = engine::tags::TagInput {
        folder: Some(&folder),
        name: &name,
        color: &color,
        description: &description,
        rule_text: &rule_text,
    };
    engine()?.create_tag(&actor, &input).await?;
    Ok(())
}

/// `choices`: one per line.
#[server(endpoint = "field_create")]
pub async fn create_field(name: String, field_type: String, choices: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let choices: Vec<String> = choices.lines().map(str::to_string).collect();
    engine()?.create_field(&actor, &name, &field_type, &choices).await?;
    Ok(())
}

/// How many friends carry `a`, `b`, and both.
#[server(endpoint = "tag_overlap")]
pub async fn tag_overlap(a: String, b: String) -> Result<(u64, u64, u64), AppError> {
    use model::segment::*;
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let rule = |tags: &[&String]| Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: tags
                .iter()
                .map(|t| {
                    Node::Condition(Condition::Tag {
                        tag: t.to_string(),
                        has: true,
                    })
                })
                .collect(),
        },
    };
    let count = |r: Rule| {
        let (engine, actor) = (engine.clone(), actor.clone());
        async move { engine.count_segment(&actor, &r, 0).await.map(|c| c.count) }
    };
    Ok((count(rule(&[&a])).await?, count(rule(&[&b])).await?, count(rule(&[&a, &b])).await?))
}

/// The tags one friend carries (public IDs).
#[server(endpoint = "friend_tags")]
pub async fn friend_tags(id: String) -> Result<Vec<String>, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(engine()?
        .friend_tag_list(&actor, &id)
        .await?
        .into_iter()
        .map(|t| t.public_id)
        .collect())
}

/// Attaches (or removes) a tag on friends given by public ID, one or many.
#[server(endpoint = "friends_tag_set")]
pub async fn set_friends_tag(friends: Vec<String>, tag: String, attach: bool) -> Result<u64, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.set_tag(&actor, &tag, &friends, attach).await?)
}

// ----------------------------------------------------------------- segments

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentItem {
    pub id: String,
    pub name: String,
    pub description: String,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentEdit {
    pub name: String,
    pub description: String,
    pub rule: model::segment::Rule,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountDto {
    pub count: u64,
    /// (friend public ID, display name) of a few matching friends.
    pub sample: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
fn parse_rule(json: &str) -> Result<model::segment::Rule, AppError> {
    serde_json::from_str(json).map_err(|_| AppError::new("invalid_rule"))
}

#[server(endpoint = "segments_list")]
pub async fn list_segments() -> Result<Vec<SegmentItem>, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let mut out = Vec::new();
    for row in engine.list_segments(&actor).await? {
        // A segment whose tag was since removed still lists, counted as 0.
        let count = match serde_json::from_str(&row.rule) {
            Ok(rule) => engine.count_segment(&actor, &rule, 0).await.map(|c| c.count).unwrap_or(0),
            Err(_) => 0,
        };
        out.push(SegmentItem {
            id: row.public_id,
            name: row.name,
            description: row.description,
            count,
        });
    }
    Ok(out)
}

#[server(endpoint = "segment_get")]
pub async fn get_segment(id: String) -> Result<SegmentEdit, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let (row, rule) = engine()?.segment(&actor, &id).await?;
    Ok(SegmentEdit {
        name: row.name,
        description: row.description,
        rule,
    })
}

#[server(endpoint = "segment_count")]
pub async fn count_segment(rule: String) -> Result<CountDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let found = engine()?.count_segment(&actor, &parse_rule(&rule)?, 5).await?;
    Ok(CountDto {
        count: found.count,
        sample: found.sample.into_iter().map(|f| (f.public_id, f.display_name)).collect(),
    })
}

/// Returns the saved segment's public ID.
#[server(endpoint = "segment_save")]
pub async fn save_segment(id: String, name: String, description: String, rule: String) -> Result<String, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let existing = Some(id.as_str()).filter(|i| !i.is_empty());
    Ok(engine()?
        .save_segment(&actor, existing, &name, &description, &parse_rule(&rule)?)
        .await?)
}

#[server(endpoint = "segment_delete")]
pub async fn delete_segment(id: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    engine()?.delete_segment(&actor, &id).await?;
    leptos_axum::redirect("/segments");
    Ok(())
}

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

/// Saves an automation (`automation`: its model JSON). A refusal carries
/// its problems as JSON in the error's detail.
#[server(endpoint = "automation_save")]
pub async fn save_automation(
    id: String,
    name: String,
    automation: String,
) -> Result<Result<String, Vec<model::automation::AutomationProblem>>, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let a: model::automation::Automation = serde_json::from_str(&automation).map_err(|_| AppError::new("invalid_automation"))?;
    let existing = Some(id.as_str()).filter(|i| !i.is_empty());
    match engine()?.save_automation(&actor, existing, &name, &a).await {
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
