//! Inflow routes (流入経路): the clinic's routes with their friends, a new
//! route, and the route's page as a patient opens it from LINE.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteDto {
    pub id: String,
    pub name: String,
    /// The address printed on the poster (and in the QR code).
    pub url: String,
    pub friends: i64,
    pub blocked: i64,
    /// Still following, in percent; `None` under 20 friends.
    pub retention: Option<i64>,
    /// Its greeting automation is on.
    pub greeting_on: bool,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutesDto {
    pub routes: Vec<RouteDto>,
    pub can_edit: bool,
}

#[server(endpoint = "inflow_routes")]
pub async fn list_inflow_routes() -> Result<RoutesDto, AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let routes = engine
        .inflow_routes(&actor)
        .await?
        .into_iter()
        .map(|r| RouteDto {
            url: engine.route_url(&r.code),
            retention: model::inflow::retention(r.friends, r.blocked),
            greeting_on: r.automation_enabled != 0,
            created_at: crate::format::jst_datetime_or_empty(Some(r.created_at)),
            id: r.public_id,
            name: r.name,
            friends: r.friends,
            blocked: r.blocked,
        })
        .collect();
    Ok(RoutesDto {
        routes,
        can_edit: actor.role.can(Permission::DesignMarketing),
    })
}

#[server(endpoint = "inflow_route_create")]
pub async fn create_inflow_route(name: String) -> Result<String, AppError> {
    let actor = actor_with(Permission::DesignMarketing).await?;
    Ok(engine()?.create_inflow_route(&actor, &name).await?)
}

/// What the route's page says to the patient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LandingDto {
    pub clinic_name: String,
    pub already_friend: bool,
    /// The LINE user, for the sandbox phone's follow.
    pub user: String,
}

/// The route's page opened from LINE with LIFF's ID token: the visit is
/// recorded for the patient LINE says it is.
#[server(endpoint = "inflow_route_arrive")]
pub async fn arrive_by_route(code: String, id_token: String) -> Result<LandingDto, AppError> {
    let l = engine()?.arrive_by_route(&code, &id_token).await?;
    Ok(LandingDto {
        clinic_name: l.clinic_name,
        already_friend: l.already_friend,
        user: l.line_user_id,
    })
}

/// Where the sandbox phone opens a route's page as LINE would (the QR
/// code read in LINE), with the ID token LIFF would give the page.
#[server(endpoint = "phone_route")]
pub async fn phone_open_route(user: String, route: String) -> Result<String, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    let engine = engine()?;
    let row = engine.inflow_route(&actor, &route).await?;
    let token = engine.sandbox_id_token(&actor, &user).await?;
    Ok(format!("{}{}#id_token={token}", model::inflow::ROUTE_PATH, row.code))
}
