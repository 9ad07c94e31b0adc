//! Server functions: each checks the session and role, calls one engine
//! function and maps its error. No business rule lives here.

use crate::errors::AppError;
use leptos::prelude::*;
use model::Role;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{actor, actor_with, client_ip, engine, session_token};
#[cfg(feature = "ssr")]
use model::Permission;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClinicChoice {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// The signed-in staff member as the pages need them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub clinic_id: String,
    pub clinic_name: String,
    pub clinics: Vec<ClinicChoice>,
    pub totp_enabled: bool,
    /// The clinic is connected to the LINE sandbox, not LINE.
    pub sandbox: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginStep {
    Done,
    Totp,
    Enrol,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    pub invited: bool,
    pub totp_enabled: bool,
    pub is_me: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Enrolment {
    pub secret: String,
    pub qr_svg: String,
}

/// The caller, or `None` when not signed in (the shell then shows login).
#[server(endpoint = "me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    let actor = match actor().await {
        Ok(a) => a,
        Err(e) if e.code == "not_signed_in" || e.code == "totp_enrolment_required" => {
            // Not an error for this question: the page redirects to login.
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(http::StatusCode::OK);
            }
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let clinics = engine()?
        .my_clinics(&actor)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(ClinicChoice {
                id: m.clinic_public_id,
                name: m.clinic_name,
                role: Role::parse(&m.role)?,
            })
        })
        .collect();
    let sandbox = engine()?.in_sandbox_mode(actor.clinic_id).await?;
    Ok(Some(Me {
        sandbox,
        display_name: actor.display_name,
        email: actor.email,
        role: actor.role,
        clinic_id: actor.clinic_public_id,
        clinic_name: actor.clinic_name,
        clinics,
        totp_enabled: actor.totp_enabled,
    }))
}

#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<LoginStep, AppError> {
    use engine::accounts::LoginNext;
    let out = engine()?.login(&email, &password, &client_ip()).await?;
    crate::ssr::set_session_cookie(&out.token);
    let (step, to) = match out.next {
        LoginNext::Done => (LoginStep::Done, "/"),
        LoginNext::Totp => (LoginStep::Totp, "/login/totp"),
        LoginNext::Enrol => (LoginStep::Enrol, "/login/enrol"),
    };
    leptos_axum::redirect(to);
    Ok(step)
}

#[server(endpoint = "login_totp")]
pub async fn login_totp(code: String) -> Result<(), AppError> {
    engine()?.verify_login_totp(&session_token(), &code, &client_ip()).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Where a half-finished login stands: "full", "totp" or "enrol".
#[server(endpoint = "login_stage")]
pub async fn login_stage() -> Result<String, AppError> {
    Ok(engine()?.session_stage(&session_token()).await?)
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    engine()?.logout(&session_token()).await?;
    crate::ssr::clear_session_cookie();
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(endpoint = "switch_clinic")]
pub async fn switch_clinic(clinic: String) -> Result<(), AppError> {
    let actor = actor().await?;
    engine()?.switch_clinic(&actor, &clinic).await?;
    // The shell also reloads itself on success, so every part of the page
    // shows the new clinic.
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "change_password")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), AppError> {
    let actor = actor().await?;
    if new != confirm {
        return Err(AppError::new("password_mismatch"));
    }
    Ok(engine()?.change_password(&actor, &current, &new).await?)
}

/// `proof` (the password or a current code) is needed only to replace a
/// second factor that is already on.
#[server(endpoint = "totp_begin")]
pub async fn totp_begin(proof: Option<String>) -> Result<Enrolment, AppError> {
    let e = engine()?.begin_totp_enrolment(&session_token(), proof.as_deref()).await?;
    Ok(Enrolment {
        secret: e.secret,
        qr_svg: e.qr_svg,
    })
}

#[server(endpoint = "totp_confirm")]
pub async fn totp_confirm(code: String) -> Result<(), AppError> {
    Ok(engine()?.confirm_totp_enrolment(&session_token(), &code).await?)
}

#[server(endpoint = "totp_disable")]
pub async fn totp_disable(password: String) -> Result<(), AppError> {
    let actor = actor().await?;
    Ok(engine()?.disable_totp(&actor, &password).await?)
}

#[server(endpoint = "staff_list")]
pub async fn list_staff() -> Result<Vec<StaffMember>, AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    let rows = engine()?.list_staff(&actor).await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| {
            Some(StaffMember {
                is_me: m.user_id == actor.user_id,
                id: m.public_id,
                display_name: m.display_name,
                email: m.email,
                role: Role::parse(&m.role)?,
                disabled: m.disabled != 0,
                invited: m.has_password == 0,
                totp_enabled: m.totp_enabled != 0,
            })
        })
        .collect())
}

/// Returns the invitation link's path, or `None` when an existing account of
/// the organization was added to this clinic.
#[server(endpoint = "staff_invite")]
pub async fn invite_staff(email: String, name: String, role: String) -> Result<Option<String>, AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    let role = Role::parse(&role).ok_or_else(|| AppError::new("invalid_role"))?;
    let token = engine()?.invite_staff(&actor, &email, &name, role).await?;
    Ok(token.map(|t| format!("/invite/{t}")))
}

#[server(endpoint = "staff_role")]
pub async fn set_staff_role(user: String, role: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    let role = Role::parse(&role).ok_or_else(|| AppError::new("invalid_role"))?;
    Ok(engine()?.set_staff_role(&actor, &user, role).await?)
}

#[server(endpoint = "staff_disabled")]
pub async fn set_staff_disabled(user: String, disabled: bool) -> Result<(), AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    Ok(engine()?.set_staff_disabled(&actor, &user, disabled).await?)
}

#[server(endpoint = "audit_list")]
pub async fn list_audit(kind: String, before: Option<i64>) -> Result<Vec<AuditEntry>, AppError> {
    let actor = actor_with(Permission::ManageStaff).await?;
    let rows = engine()?.list_audit(&actor, Some(kind), before, 50).await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            seq: r.seq,
            at: crate::format::jst_datetime(r.at),
            actor: r.actor_label,
            action: r.action,
            target: r.target,
            detail: r.detail,
            ip: r.ip,
        })
        .collect())
}

#[server(endpoint = "security_get")]
pub async fn get_require_totp() -> Result<bool, AppError> {
    let actor = actor_with(Permission::ManageSecurityPolicy).await?;
    Ok(engine()?.organization_requires_totp(&actor).await?)
}

#[server(endpoint = "security_set")]
pub async fn set_require_totp(required: bool) -> Result<(), AppError> {
    let actor = actor_with(Permission::ManageSecurityPolicy).await?;
    Ok(engine()?.set_require_totp(&actor, required).await?)
}

/// What an invitation link is for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteInfo {
    pub email: String,
    /// The clinic an existing account is asked to join; `None` when a new
    /// account chooses its password.
    pub clinic_name: Option<String>,
}

#[server(endpoint = "invite_info")]
pub async fn invitation_info(token: String) -> Result<InviteInfo, AppError> {
    let info = engine()?.invitation_info(&token).await?;
    Ok(InviteInfo {
        email: info.email,
        clinic_name: info.clinic_name,
    })
}

/// `confirm` is asked only of a new account choosing its password.
#[server(endpoint = "invite_accept")]
pub async fn accept_invitation(token: String, password: String, confirm: Option<String>) -> Result<(), AppError> {
    if confirm.is_some_and(|c| c != password) {
        return Err(AppError::new("password_mismatch"));
    }
    engine()?.accept_invitation(&token, &password, &client_ip()).await?;
    leptos_axum::redirect("/login?invited=1");
    Ok(())
}

// ------------------------------------------------------------------ friends

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FriendItem {
    pub id: String,
    pub display_name: String,
    pub status: String,
    pub followed: String,
    pub patient_number: String,
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

#[server(endpoint = "friend_patient_save")]
pub async fn save_patient_fields(
    id: String,
    patient_number: String,
    name_kana: String,
    birth_date: String,
    sex: String,
) -> Result<model::patient::PatientFields, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    let input = model::patient::PatientFields {
        patient_number,
        name_kana,
        birth_date,
        sex,
    };
    Ok(engine()?.update_patient_fields(&actor, &id, &input).await?)
}

#[server(endpoint = "friend_memo_save")]
pub async fn save_memo(id: String, memo: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.update_memo(&actor, &id, &memo).await?)
}

/// What a CSV import found (and did).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportReportDto {
    pub rows_ok: usize,
    pub problems: Vec<model::patient::RowProblem>,
    pub applied: bool,
}

#[cfg(feature = "ssr")]
impl From<engine::patients::ImportReport> for ImportReportDto {
    fn from(r: engine::patients::ImportReport) -> Self {
        ImportReportDto {
            rows_ok: r.rows_ok,
            problems: r.problems,
            applied: r.applied,
        }
    }
}

#[server(endpoint = "patients_import_check")]
pub async fn check_patient_import(csv: String) -> Result<ImportReportDto, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.check_patient_import(&actor, &csv).await?.into())
}

#[server(endpoint = "patients_import_apply")]
pub async fn apply_patient_import(csv: String) -> Result<ImportReportDto, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.apply_patient_import(&actor, &csv).await?.into())
}

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
    pub bubbles: Vec<crate::line_view::Bubble>,
    /// Quick replies under the bundle's last message.
    pub quick: Vec<crate::line_view::Button>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhoneArea {
    /// Percentages of the menu's width and height.
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub button: crate::line_view::Button,
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
fn phone_person(p: engine::sandbox_phone::SandboxPerson) -> PhonePerson {
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
    use engine::sandbox_phone::PhoneAction;
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
    use crate::line_view::{bubble, quick_replies};
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
                bubbles: d.messages.iter().map(bubble).collect(),
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
            bubbles: vec![crate::line_view::Bubble::plain(w.text)],
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

#[server(endpoint = "phone_tap")]
pub async fn phone_tap(user: String, action: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    let action: serde_json::Value = serde_json::from_str(&action).map_err(|_| AppError::new("not_found"))?;
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

// ------------------------------------------------------------ LINE channel

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelView {
    pub mode: String,
    pub channel_id: String,
    pub has_token: bool,
    pub webhook_url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub bot_name: String,
    pub quota: Option<i64>,
    pub used: i64,
}

#[server(endpoint = "channel_get")]
pub async fn get_channel() -> Result<ChannelView, AppError> {
    let actor = actor_with(Permission::ManageClinic).await?;
    let ctx = crate::ssr::context()?;
    let settings = ctx.engine.channel_settings(&actor).await?;
    Ok(ChannelView {
        mode: settings.as_ref().map(|s| s.mode.clone()).unwrap_or_else(|| "sandbox".into()),
        channel_id: settings.as_ref().map(|s| s.channel_id.clone()).unwrap_or_default(),
        has_token: settings.is_some_and(|s| s.has_token),
        webhook_url: format!("{}/line/webhook/{}", ctx.public_url, actor.clinic_public_id),
    })
}

#[server(endpoint = "channel_save")]
pub async fn save_channel(mode: String, channel_id: Option<String>, secret: Option<String>, token: Option<String>) -> Result<(), AppError> {
    let actor = actor_with(Permission::ManageClinic).await?;
    let input = engine::channel::ChannelInput {
        mode: &mode,
        channel_id: channel_id.as_deref().unwrap_or(""),
        channel_secret: secret.as_deref().unwrap_or(""),
        access_token: token.as_deref().unwrap_or(""),
    };
    Ok(engine()?.save_channel(&actor, input).await?)
}

#[server(endpoint = "channel_test")]
pub async fn test_channel() -> Result<ConnectionView, AppError> {
    let actor = actor_with(Permission::ManageClinic).await?;
    let r = engine()?.test_connection(&actor).await?;
    Ok(ConnectionView {
        bot_name: r.bot_name,
        quota: r.quota,
        used: r.used_this_month,
    })
}
