//! セグメント: saved rules, their counts, saving and deleting them.
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

#[server(endpoint = "segment_count", input = Json)]
pub async fn count_segment(rule: model::segment::Rule) -> Result<CountDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let found = engine()?.count_segment(&actor, &rule, 5).await?;
    Ok(CountDto {
        count: found.count,
        sample: found.sample.into_iter().map(|f| (f.public_id, f.display_name)).collect(),
    })
}

/// Returns the saved segment's public ID.
#[server(endpoint = "segment_save", input = Json)]
pub async fn save_segment(id: String, name: String, description: String, rule: model::segment::Rule) -> Result<String, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    let existing = Some(id.as_str()).filter(|i| !i.is_empty());
    Ok(engine()?.save_segment(&actor, existing, &name, &description, &rule).await?)
}

#[server(endpoint = "segment_delete")]
pub async fn delete_segment(id: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    engine()?.delete_segment(&actor, &id).await?;
    leptos_axum::redirect("/segments");
    Ok(())
}
