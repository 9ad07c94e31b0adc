//! Signing in and out, the second factor, invitations and the organization's sign-in policy.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor, actor_with, client_ip, engine, session_token};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::Permission;
use model::Role;
use serde::{Deserialize, Serialize};

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
    let memberships = engine()?.my_clinics(&actor).await?;
    let sandbox = memberships
        .iter()
        .any(|m| m.clinic_id == actor.clinic_id && engine::channel::is_sandbox(m.channel_mode.as_deref()));
    let clinics = memberships
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
