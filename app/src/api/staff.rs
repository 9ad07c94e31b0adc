//! Staff management: the clinic's members, invitations, roles, disabling.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::Permission;
use model::Role;
use serde::{Deserialize, Serialize};

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
