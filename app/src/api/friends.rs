//! 友だち: the list (search, filters, keyset pages) and one friend's page.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

// ------------------------------------------------------------------ friends

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FriendItem {
    pub id: String,
    pub display_name: String,
    pub status: String,
    pub followed: String,
    pub patient_number: String,
    /// A staff member's linked LINE (out of patient audiences).
    pub staff: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FriendPageDto {
    pub items: Vec<FriendItem>,
    pub next: Option<String>,
    /// The caller may export and import patient details.
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineItem {
    pub at: String,
    pub kind: String,
    /// The message text, when the entry has one.
    pub text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FriendDetailDto {
    pub display_name: String,
    pub status: String,
    /// A staff member's linked LINE (out of patient audiences).
    pub staff: bool,
    pub followed: String,
    pub blocked: String,
    pub unblocked: String,
    pub timeline: Vec<TimelineItem>,
    pub patient: model::patient::PatientFields,
    /// Whole years today, when the birth date is known.
    pub age: Option<u32>,
    /// Today in Japan (`YYYY-MM-DD`): the latest possible birth date.
    pub today: String,
    pub memo: String,
    /// The caller may change the patient fields and the memo.
    pub can_edit: bool,
}

/// `YYYY-MM-DD` in Japan time to UTC milliseconds at that day's start.
#[cfg(feature = "ssr")]
fn jst_day_start(date: &str) -> Option<i64> {
    use chrono::TimeZone;
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    chrono_tz::Asia::Tokyo
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.timestamp_millis())
}

#[cfg(feature = "ssr")]
fn opt_date(ms: Option<i64>) -> String {
    ms.map(crate::format::jst_datetime).unwrap_or_default()
}

#[server(endpoint = "friends_list")]
pub async fn list_friends(
    search: Option<String>,
    status: Option<String>,
    from: Option<String>,
    until: Option<String>,
    // Tag public IDs, comma-separated: a friend must carry all of them.
    tags: Option<String>,
    after: Option<String>,
) -> Result<FriendPageDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let query = engine::friends::FriendQuery {
        search,
        status: status.filter(|s| !s.is_empty()),
        followed_from: from.as_deref().and_then(jst_day_start),
        // "until" includes the whole day.
        followed_until: until.as_deref().and_then(jst_day_start).map(|t| t + 86_400_000),
        tags: tags
            .unwrap_or_default()
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        after: after.filter(|a| !a.is_empty()),
    };
    let page = engine()?.list_friends(&actor, query).await?;
    Ok(FriendPageDto {
        items: page
            .items
            .into_iter()
            .map(|f| FriendItem {
                id: f.public_id,
                display_name: f.display_name,
                status: f.status,
                followed: opt_date(f.first_followed_at),
                patient_number: f.patient_number,
                staff: f.staff_user_id.is_some(),
            })
            .collect(),
        next: page.next,
        can_edit: actor.role.can(Permission::HandlePatients),
    })
}

#[server(endpoint = "friend_detail")]
pub async fn friend_detail(id: String) -> Result<FriendDetailDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let d = engine()?.friend_detail(&actor, &id).await?;
    let timeline = d
        .timeline
        .into_iter()
        .map(|e| {
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
            let text = detail.get("text").and_then(|t| t.as_str()).map(str::to_string);
            TimelineItem {
                at: crate::format::jst_datetime(e.at),
                kind: e.kind,
                text,
            }
        })
        .collect();
    let today = engine()?.today_jst();
    Ok(FriendDetailDto {
        staff: d.friend.staff_user_id.is_some(),
        age: model::patient::age(&d.friend.birth_date, &today),
        today,
        patient: model::patient::PatientFields {
            patient_number: d.friend.patient_number,
            name_kana: d.friend.name_kana,
            birth_date: d.friend.birth_date,
            sex: d.friend.sex,
        },
        memo: d.friend.memo,
        can_edit: actor.role.can(Permission::HandlePatients),
        display_name: d.friend.display_name,
        status: d.friend.status,
        followed: opt_date(d.friend.first_followed_at),
        blocked: opt_date(d.friend.blocked_at),
        unblocked: opt_date(d.friend.unblocked_at),
        timeline,
    })
}
