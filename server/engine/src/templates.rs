//! Message templates (テンプレート): saved from the composer, reused by any
//! send.

use crate::audit::Event;
use crate::crypto::public_id;
use crate::{Actor, Engine, EngineError};
use model::message::Bundle;
use model::Permission;
pub use store::BroadcastRow;

/// A saved message bundle (定型文).
#[derive(Clone, Debug)]
pub struct MessageTemplate {
    pub id: String,
    pub folder: String,
    pub name: String,
    pub bundle: Bundle,
}

pub const TEMPLATE_NAME_MAX: usize = 40;

impl Engine {
    pub async fn list_templates(&self, actor: &Actor) -> Result<Vec<MessageTemplate>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        self.db
            .templates(actor.clinic_id)
            .await?
            .into_iter()
            .map(|r| {
                Ok(MessageTemplate {
                    bundle: serde_json::from_str(&r.bundle).map_err(|_| EngineError::Corrupt)?,
                    id: r.public_id,
                    folder: r.folder,
                    name: r.name,
                })
            })
            .collect()
    }

    /// Saves a bundle as a template in `folder` (replacing one of the same
    /// name there). Only a bundle LINE would take is kept.
    pub async fn save_template(&self, actor: &Actor, folder: &str, name: &str, bundle: &Bundle) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let (folder, name) = (folder.trim(), name.trim());
        if name.is_empty() || name.chars().count() > TEMPLATE_NAME_MAX || folder.chars().count() > TEMPLATE_NAME_MAX {
            return Err(EngineError::InvalidSegmentName);
        }
        let problems = bundle.problems();
        if !problems.is_empty() {
            return Err(EngineError::InvalidBundle(problems));
        }
        let json = serde_json::to_string(bundle).map_err(|_| EngineError::Corrupt)?;
        let audit = self.audit(Event::by(actor, "template.saved", folder.to_string(), name.to_string()));
        self.db
            .save_template(
                actor.clinic_id,
                &public_id(),
                folder,
                name,
                &json,
                actor.user_id,
                self.now_ms(),
                &audit,
            )
            .await?;
        Ok(())
    }

    pub async fn delete_template(&self, actor: &Actor, id: &str) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let audit = self.audit(Event::by(actor, "template.deleted", id.to_string(), String::new()));
        if !self.db.delete_template(actor.clinic_id, id, &audit).await? {
            return Err(EngineError::NotFound);
        }
        Ok(())
    }
}
