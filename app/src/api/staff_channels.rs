//! 職員連絡: staff-only channels, their posts and confirmations, and the
//! anonymous 職員の声. Each server function checks the session and role,
//! calls one engine function and maps its error. No function takes a list
//! of recipients: who a post reaches is the engine's to work out.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::staff_channel::{PatientDataHint, PostContent, PostRequest, StaffChannelSettings};
#[cfg(feature = "ssr")]
use model::Permission;
use model::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffMemberDto {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Their LINE is linked, so posts reach it.
    pub linked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffChannelDto {
    pub id: String,
    pub settings: StaffChannelSettings,
    pub archived: bool,
    pub can_post: bool,
    pub member: bool,
    pub can_manage: bool,
    pub members: Vec<StaffMemberDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffChannelsDto {
    pub channels: Vec<StaffChannelDto>,
    pub can_manage: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffReplyDto {
    pub author: String,
    pub text: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffPostDto {
    pub id: String,
    pub author: String,
    pub version: i64,
    pub content: PostContent,
    pub ack_required: bool,
    /// 「2026-12-07 15:00」
    pub at: String,
    /// When it was last changed, if it was.
    pub edited_at: String,
    /// When the reminder goes, while it is still to go.
    pub remind_at: String,
    pub remind_after_hours: Option<u32>,
    /// (name, when) of who confirmed this version.
    pub confirmed: Vec<(String, String)>,
    pub waiting: Vec<String>,
    pub sent: usize,
    pub pending: usize,
    pub failed: usize,
    pub reminders_sent: usize,
    pub replies: Vec<StaffReplyDto>,
    pub confirmed_by_me: bool,
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffPostPreviewDto {
    pub recipients: usize,
    pub unlinked: Vec<String>,
    pub quota_left: Option<i64>,
    pub hints: Vec<PatientDataHint>,
}

#[cfg(feature = "ssr")]
fn member_dto(m: engine::staff_channels::StaffMember) -> StaffMemberDto {
    StaffMemberDto {
        id: m.public_id,
        name: m.name,
        role: m.role,
        linked: m.linked,
    }
}

#[cfg(feature = "ssr")]
fn channel_dto(c: engine::staff_channels::StaffChannelView) -> StaffChannelDto {
    StaffChannelDto {
        id: c.public_id,
        settings: c.settings,
        archived: c.archived,
        can_post: c.can_post,
        member: c.member,
        can_manage: c.can_manage,
        members: c.members.into_iter().map(member_dto).collect(),
    }
}

#[server(endpoint = "staff_channels_list")]
pub async fn list_staff_channels() -> Result<StaffChannelsDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let channels = engine()?.list_staff_channels(&actor).await?;
    Ok(StaffChannelsDto {
        channels: channels.into_iter().map(|(c, _)| channel_dto(c)).collect(),
        can_manage: actor.role.can(Permission::ManageStaff),
    })
}

#[server(endpoint = "staff_channel_get")]
pub async fn get_staff_channel(id: String) -> Result<StaffChannelDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(channel_dto(engine()?.staff_channel(&actor, &id).await?))
}

/// Everyone a channel could name, for its settings.
#[server(endpoint = "staff_directory")]
pub async fn staff_directory() -> Result<Vec<StaffMemberDto>, AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    Ok(engine()?.staff_directory(&actor).await?.into_iter().map(member_dto).collect())
}

/// Creates (`id` empty) or saves a channel; returns its ID.
#[server(endpoint = "staff_channel_save", input = Json)]
pub async fn save_staff_channel(id: String, settings: StaffChannelSettings) -> Result<String, AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    let id = (!id.is_empty()).then_some(id);
    Ok(engine()?.save_staff_channel(&actor, id.as_deref(), &settings).await?)
}

#[server(endpoint = "staff_channel_archive")]
pub async fn archive_staff_channel(id: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    engine()?.archive_staff_channel(&actor, &id).await?;
    Ok(())
}

#[server(endpoint = "staff_feed")]
pub async fn staff_feed(channel: String) -> Result<Vec<StaffPostDto>, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let when = crate::format::jst_datetime;
    Ok(engine()?
        .staff_feed(&actor, &channel)
        .await?
        .into_iter()
        .map(|p| StaffPostDto {
            id: p.public_id,
            author: p.author,
            version: p.version,
            ack_required: p.ack_required,
            at: when(p.created_at),
            edited_at: if p.version > 1 { when(p.version_at) } else { String::new() },
            remind_at: p.remind_at.map(when).unwrap_or_default(),
            remind_after_hours: p.remind_after_hours,
            confirmed: p.confirmed.into_iter().map(|(n, at)| (n, when(at))).collect(),
            waiting: p.waiting,
            sent: p.sent,
            pending: p.pending,
            failed: p.failed,
            reminders_sent: p.reminders_sent,
            replies: p
                .replies
                .into_iter()
                .map(|r| StaffReplyDto {
                    author: r.author,
                    text: r.text,
                    at: when(r.at),
                })
                .collect(),
            confirmed_by_me: p.confirmed_by_me,
            can_edit: p.can_edit,
            content: p.content,
        })
        .collect())
}

/// What sending would do: LINE pushes (the quota cost), who sees it only on
/// the web, and what looks like patient data.
#[server(endpoint = "staff_post_preview", input = Json)]
pub async fn preview_staff_post(channel: String, content: PostContent) -> Result<StaffPostPreviewDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let p = engine()?.preview_staff_post(&actor, &channel, &content).await?;
    Ok(StaffPostPreviewDto {
        recipients: p.recipients,
        unlinked: p.unlinked,
        quota_left: p.quota_left,
        hints: p.hints,
    })
}

#[server(endpoint = "staff_post_send", input = Json)]
pub async fn send_staff_post(channel: String, request: PostRequest) -> Result<String, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(engine()?.send_staff_post(&actor, &channel, &request).await?)
}

#[server(endpoint = "staff_post_edit", input = Json)]
pub async fn edit_staff_post(post: String, version: i64, request: PostRequest) -> Result<(), AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    engine()?.edit_staff_post(&actor, &post, version, &request).await?;
    Ok(())
}

#[server(endpoint = "staff_post_ack")]
pub async fn acknowledge_staff_post(post: String, version: i64) -> Result<(), AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    engine()?.acknowledge_staff_post(&actor, &post, version).await?;
    Ok(())
}

/// A post waiting for the caller's confirmation, for the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingConfirmationDto {
    pub channel: String,
    pub channel_name: String,
    pub excerpt: String,
    pub at: String,
}

#[server(endpoint = "staff_pending")]
pub async fn my_pending_confirmations() -> Result<Vec<PendingConfirmationDto>, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(engine()?
        .my_pending_confirmations(&actor)
        .await?
        .into_iter()
        .map(|p| PendingConfirmationDto {
            channel: p.channel,
            channel_name: p.channel_name,
            excerpt: p.excerpt,
            at: crate::format::jst_datetime(p.at),
        })
        .collect())
}

/// 職員の声: (words, day), newest first. Nothing names who wrote them.
#[server(endpoint = "staff_voices")]
pub async fn list_staff_voices() -> Result<Vec<(String, String)>, AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    Ok(engine()?
        .staff_voices(&actor)
        .await?
        .into_iter()
        .map(|v| (v.text, v.received_on))
        .collect())
}
