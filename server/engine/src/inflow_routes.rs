//! Inflow routes (流入経路, SPEC §10): a URL and a QR code per place a
//! patient meets the clinic. Its page (`/r/{code}`), opened from LINE,
//! learns who the patient is from LINE (an ID token verified by LINE,
//! never a user ID from the browser) and records the visit; the patient's
//! first follow within the hour is the route's, in the follow's own
//! transaction, and the route's automation (trigger: followed through
//! this route) greets them and acts instead of the usual greeting.

use crate::authz::Actor;
use crate::crypto::{public_id, random_token};
use crate::{Engine, EngineError};
use model::automation::{Action, Automation, Happening, Trigger};
use model::inflow::{route_name, ARRIVAL_WINDOW_MS, ROUTE_PATH};
use model::Permission;
use store::InflowRouteRow;

/// The greeting a new route starts with (the clinic edits it).
const FIRST_GREETING: &str = "友だち追加ありがとうございます。ご予約やお知らせをこのLINEでお届けします。";

/// What the route's page shows the patient.
pub struct RouteLanding {
    pub clinic_name: String,
    /// Already a friend: nothing to add.
    pub already_friend: bool,
    /// The patient's LINE user (for the sandbox phone's follow).
    pub line_user_id: String,
}

impl Engine {
    /// The address of a route's page.
    pub fn route_url(&self, code: &str) -> String {
        format!("{}{ROUTE_PATH}{code}", self.public_url)
    }

    /// A new route with its automation (the first greeting, on).
    pub async fn create_inflow_route(&self, actor: &Actor, name: &str) -> Result<String, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let name = route_name(name).ok_or(EngineError::InvalidRouteName)?;
        if self.db.route_name_taken(actor.clinic_id, &name).await? {
            return Err(EngineError::InvalidRouteName);
        }
        let route = public_id();
        let automation = Automation {
            trigger: Trigger::FollowedViaRoute { route: route.clone() },
            condition: None,
            actions: vec![Action::Reply {
                text: FIRST_GREETING.into(),
            }],
        };
        let automation_public = self
            .save_automation(actor, None, &format!("流入経路「{name}」の友だち追加"), &automation)
            .await?;
        let automation_id = self
            .db
            .automations(actor.clinic_id)
            .await?
            .into_iter()
            .find(|a| a.public_id == automation_public)
            .ok_or(EngineError::NotFound)?
            .id;
        let code: String = random_token().chars().take(12).collect();
        match self
            .db
            .create_inflow_route(actor.clinic_id, &route, &code, &name, automation_id, self.now_ms())
            .await
        {
            Ok(()) => Ok(route),
            Err(store::StoreError::Conflict) => Err(EngineError::InvalidRouteName),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn inflow_routes(&self, actor: &Actor) -> Result<Vec<InflowRouteRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        Ok(self.db.inflow_routes(actor.clinic_id).await?)
    }

    /// One of the clinic's routes, with its friends counted.
    pub async fn inflow_route(&self, actor: &Actor, route: &str) -> Result<InflowRouteRow, EngineError> {
        actor.require(Permission::ViewClinic)?;
        self.db.inflow_route(actor.clinic_id, route).await?.ok_or(EngineError::NotFound)
    }

    /// A route's QR code, as SVG (scales for any poster) and as PNG
    /// (`scale` pixels per module, for printing services that want one).
    pub async fn route_qr(&self, actor: &Actor, route: &str, png_scale: Option<u32>) -> Result<Vec<u8>, EngineError> {
        let row = self.inflow_route(actor, route).await?;
        let code = qrcode::QrCode::with_error_correction_level(self.route_url(&row.code).as_bytes(), qrcode::EcLevel::M)
            .map_err(|_| EngineError::Corrupt)?;
        Ok(match png_scale {
            None => code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(300, 300)
                .build()
                .into_bytes(),
            Some(scale) => {
                let dark: Vec<bool> = code.to_colors().iter().map(|c| *c == qrcode::Color::Dark).collect();
                media::qr_png(&dark, code.width(), scale.clamp(4, 40))
            }
        })
    }

    /// The route's page was opened from LINE with LIFF's ID token: LINE
    /// (the sandbox for a sandbox clinic) says whose it is, and the visit
    /// is recorded for their follow.
    pub async fn arrive_by_route(&self, code: &str, id_token: &str) -> Result<RouteLanding, EngineError> {
        let route = self.db.inflow_route_by_code(code).await?.ok_or(EngineError::NotFound)?;
        let clinic = self.db.clinic(route.clinic_id).await?.ok_or(EngineError::NotFound)?;
        let channel = self.db.channel(route.clinic_id).await?.ok_or(EngineError::NoChannel)?;
        let line_user = self.liff_user(&clinic, &channel, id_token).await?;
        let already_friend = self
            .db
            .friend_by_line_user(route.clinic_id, &line_user)
            .await?
            .is_some_and(|f| f.status == "active");
        if !already_friend {
            self.db.record_arrival(route.clinic_id, route.id, &line_user, self.now_ms()).await?;
        }
        Ok(RouteLanding {
            clinic_name: clinic.name,
            already_friend,
            line_user_id: line_user,
        })
    }

    /// A first follow: through a route when the person opened one's page
    /// within the hour before (`at` is LINE's time of the follow).
    pub(crate) async fn follow_through_route(
        &self,
        clinic_id: i64,
        line_user_id: &str,
        at: i64,
    ) -> Result<Option<(i64, Happening)>, EngineError> {
        Ok(self
            .db
            .pending_arrival(clinic_id, line_user_id, at - ARRIVAL_WINDOW_MS)
            .await?
            .map(|a| {
                (
                    a.id,
                    Happening::FollowedViaRoute {
                        route: a.route_public_id,
                        own_greeting: a.own_greeting != 0,
                    },
                )
            }))
    }
}
