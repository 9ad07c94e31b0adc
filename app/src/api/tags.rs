//! タグ and カスタム項目: the overview, creating them, attaching tags.
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

/// A tag offered as a choice (a filter, bulk tagging): its name and
/// colour, without the counts the tag page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagChoice {
    pub id: String,
    pub name: String,
    pub color: String,
}

#[server(endpoint = "tag_choices")]
pub async fn tag_choices() -> Result<Vec<TagChoice>, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(engine()?
        .tag_choices(&actor)
        .await?
        .into_iter()
        .map(|t| TagChoice {
            id: t.public_id,
            name: t.name,
            color: t.color,
        })
        .collect())
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
