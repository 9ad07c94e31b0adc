//! Who is asking, in which clinic, with which role.

use crate::EngineError;
use model::{Permission, Role};

/// A signed-in staff member acting in one clinic. Obtained only from
/// `Engine::authenticate`, so holding one proves the session is valid.
#[derive(Clone, Debug)]
pub struct Actor {
    pub session_id: i64,
    pub user_id: i64,
    pub user_public_id: String,
    pub email: String,
    pub display_name: String,
    pub organization_id: i64,
    pub clinic_id: i64,
    pub clinic_public_id: String,
    pub clinic_name: String,
    pub role: Role,
    pub totp_enabled: bool,
}

impl Actor {
    /// Refuses unless the actor's role in this clinic grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), EngineError> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(EngineError::Forbidden)
        }
    }

    /// How the actor is named in the audit log.
    pub fn label(&self) -> String {
        format!("{} <{}>", self.display_name, self.email)
    }
}
