//! The sandbox phone: simulated people, what they receive, and their taps.
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

// ------------------------------------------------------------ sandbox phone

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhonePerson {
    pub user_id: String,
    pub display_name: String,
    pub status: String,
}

/// One entry of the phone's chat: a bundle the clinic sent, or what the
/// person wrote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhoneItem {
    pub at: String,
    pub from_me: bool,
    /// The clinic marked it read (the person's own messages).
    pub read: bool,
    pub bubbles: Vec<crate::line_view::Drawn>,
    /// Quick replies under the bundle's last message.
    pub quick: Vec<crate::line_view::DrawnButton>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhoneArea {
    /// Percentages of the menu's width and height.
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub button: crate::line_view::DrawnButton,
}

/// The rich menu a person sees, scaled to fit the phone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RichMenuView {
    pub id: String,
    pub chat_bar_text: String,
    /// height / width, for the image's box.
    pub ratio: f64,
    pub areas: Vec<PhoneArea>,
}

#[cfg(feature = "ssr")]
fn phone_person(p: engine::demo::phone::SandboxPerson) -> PhonePerson {
    PhonePerson {
        user_id: p.user_id,
        display_name: p.display_name,
        status: p.status,
    }
}

#[server(endpoint = "phone_people")]
pub async fn phone_people() -> Result<Vec<PhonePerson>, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?
        .sandbox_people(&actor)
        .await?
        .into_iter()
        .filter(|p| p.kind == "patient")
        .map(phone_person)
        .collect())
}

#[server(endpoint = "phone_add")]
pub async fn phone_add_person(name: String) -> Result<PhonePerson, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(phone_person(engine()?.sandbox_add_person(&actor, &name).await?))
}

#[server(endpoint = "phone_act")]
pub async fn phone_act(user: String, action: String) -> Result<(), AppError> {
    use engine::demo::phone::PhoneAction;
    let actor = actor_with(Permission::HandlePatients).await?;
    let action = match action.as_str() {
        "follow" => PhoneAction::Follow,
        "block" => PhoneAction::Block,
        _ => return Err(AppError::new("not_found")),
    };
    Ok(engine()?.sandbox_act(&actor, &user, action).await?)
}

#[server(endpoint = "phone_write")]
pub async fn phone_write(user: String, text: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.sandbox_write(&actor, &user, &text).await?)
}

#[server(endpoint = "phone_received")]
pub async fn phone_received(user: String) -> Result<Vec<PhoneItem>, AppError> {
    use crate::line_view::{drawn, quick_replies};
    let actor = actor_with(Permission::HandlePatients).await?;
    let engine = engine()?;
    let received = engine.sandbox_received(&actor, &user).await?;
    let written = engine.sandbox_written(&actor, &user).await?;
    let mut items: Vec<(i64, PhoneItem)> = received
        .into_iter()
        .map(|d| {
            let quick = d.messages.last().map(quick_replies).unwrap_or_default();
            let item = PhoneItem {
                at: crate::format::jst_datetime(d.at),
                from_me: false,
                read: false,
                bubbles: d.messages.iter().map(drawn).collect(),
                quick,
            };
            (d.at, item)
        })
        .collect();
    items.extend(written.into_iter().map(|w| {
        let item = PhoneItem {
            at: crate::format::jst_datetime(w.at),
            from_me: true,
            read: w.read,
            bubbles: vec![crate::line_view::Drawn::plain(w.text)],
            quick: Vec::new(),
        };
        (w.at, item)
    }));
    items.sort_by_key(|(at, _)| *at);
    // Quick replies show only while they are the newest thing in the chat.
    let last = items.len().saturating_sub(1);
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut item))| {
            if i != last {
                item.quick.clear();
            }
            item
        })
        .collect())
}

/// The button's action object goes back as LINE wrote it; the sandbox
/// checks it is one it sent to this person before acting on it.
#[server(endpoint = "phone_tap", input = Json)]
pub async fn phone_tap(user: String, action: serde_json::Value) -> Result<(), AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.sandbox_tap(&actor, &user, &action).await?)
}

#[server(endpoint = "phone_rich_menu")]
pub async fn phone_rich_menu(user: String) -> Result<Option<RichMenuView>, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    let Some(menu) = engine()?.sandbox_rich_menu(&actor, &user).await? else {
        return Ok(None);
    };
    let (w, h) = (menu.size.width.max(1) as f64, menu.size.height.max(1) as f64);
    let pct = |v: u32, of: f64| (v as f64) * 100.0 / of;
    Ok(Some(RichMenuView {
        id: menu.rich_menu_id.unwrap_or_default(),
        chat_bar_text: menu.chat_bar_text,
        ratio: h / w,
        areas: menu
            .areas
            .iter()
            .map(|a| PhoneArea {
                left: pct(a.bounds.x, w),
                top: pct(a.bounds.y, h),
                width: pct(a.bounds.width, w),
                height: pct(a.bounds.height, h),
                button: crate::line_view::button(&serde_json::to_value(&a.action).unwrap_or_default()),
            })
            .collect(),
    }))
}

/// Switches the sandbox channel's plan and usage (the sandbox page).
#[server(endpoint = "sandbox_plan")]
pub async fn set_sandbox_plan(plan: String, usage: i64) -> Result<(), AppError> {
    let actor = actor_with(Permission::ManageClinic).await?;
    let plan = model::plan::Plan::parse(&plan).ok_or_else(|| AppError::new("not_found"))?;
    engine()?.sandbox_set_plan(&actor, plan, usage).await?;
    Ok(())
}

// ------------------------------------------------------------ time travel

/// Where the sandbox clinics' time stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeTravelDto {
    pub allowed: bool,
    /// 「12月10日(木) 18:00」, Japan time.
    pub now: String,
    /// How far ahead of real time, in minutes.
    pub ahead_minutes: i64,
}

#[server(endpoint = "time_travel_state")]
pub async fn time_travel_state() -> Result<TimeTravelDto, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    let s = engine()?.time_travel_state(&actor).await?;
    Ok(TimeTravelDto {
        allowed: s.allowed,
        now: format!(
            "{} {}",
            model::appointment::jst_day_label(s.now_ms),
            model::appointment::jst_time_label(s.now_ms)
        ),
        ahead_minutes: s.travelled_ms / 60_000,
    })
}

/// Moves the sandbox clinics' time forward by `hours`, sending each step
/// at its own moment on the way.
#[server(endpoint = "time_travel")]
pub async fn travel_in_time(hours: i64) -> Result<(), AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    engine()?.travel_in_time(&actor, hours.saturating_mul(3_600_000)).await?;
    Ok(())
}

/// Moves the sandbox clinics' time to the next moment a step falls due;
/// false when none is coming.
#[server(endpoint = "time_travel_next")]
pub async fn travel_to_next_step() -> Result<bool, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.travel_to_next_step(&actor).await?)
}

/// Where the sandbox phone opens the clinic's booking page as LINE would
/// open its LIFF app: with the ID token LIFF would hand the page.
#[server(endpoint = "phone_liff")]
pub async fn phone_open_booking(user: String) -> Result<String, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    let token = engine()?.sandbox_id_token(&actor, &user).await?;
    Ok(format!("/book?clinic={}#id_token={token}", actor.clinic_public_id))
}
