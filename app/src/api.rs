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
    Ok(Some(Me {
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

#[server(endpoint = "totp_begin")]
pub async fn totp_begin() -> Result<Enrolment, AppError> {
    let e = engine()?.begin_totp_enrolment(&session_token()).await?;
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

#[server(endpoint = "invite_info")]
pub async fn invitation_email(token: String) -> Result<String, AppError> {
    Ok(engine()?.invitation_email(&token).await?)
}

#[server(endpoint = "invite_accept")]
pub async fn accept_invitation(token: String, password: String, confirm: String) -> Result<(), AppError> {
    if password != confirm {
        return Err(AppError::new("password_mismatch"));
    }
    engine()?.accept_invitation(&token, &password).await?;
    leptos_axum::redirect("/login?invited=1");
    Ok(())
}
