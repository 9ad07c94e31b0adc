//! A staff member's own LINE link and test sends to it.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::message::Bundle;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

/// The caller's own LINE link (職員連絡 and test sends): linked, or a pending code
/// with its expiry (`HH:MM`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffLinkDto {
    pub linked: bool,
    pub code: String,
    pub expires: String,
}

#[cfg(feature = "ssr")]
fn link_dto(l: engine::staff_links::StaffLink) -> StaffLinkDto {
    let (code, expires) = l.code.unwrap_or_default();
    StaffLinkDto {
        linked: l.linked,
        code,
        expires: if expires > 0 {
            crate::format::jst_datetime_or_empty(Some(expires))
        } else {
            String::new()
        },
    }
}

#[server(endpoint = "staff_link_get")]
pub async fn get_staff_link() -> Result<StaffLinkDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    Ok(link_dto(engine()?.staff_link(&actor).await?))
}

#[server(endpoint = "staff_link_start")]
pub async fn start_staff_link() -> Result<StaffLinkDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    engine.start_staff_link(&actor).await?;
    Ok(link_dto(engine.staff_link(&actor).await?))
}

/// Ends the caller's own LINE link: 職員連絡 no longer reaches that LINE.
#[server(endpoint = "staff_link_end")]
pub async fn end_staff_link() -> Result<StaffLinkDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    engine.unlink_my_line(&actor).await?;
    Ok(link_dto(engine.staff_link(&actor).await?))
}

#[server(endpoint = "test_send", input = Json)]
pub async fn test_send(bundle: Bundle) -> Result<(), AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    engine()?.test_send(&actor, &bundle).await?;
    Ok(())
}
