//! Staff LINE links: a staff member links their own LINE with a one-time
//! code, and test sends go there.

use crate::crypto::uuid_v4;
use crate::line_messages::to_line_messages;
use crate::{Actor, Engine, EngineError};
use model::message::Bundle;
use model::Permission;
pub use store::BroadcastRow;

/// How long a code for linking a staff member's LINE account is good.
pub const STAFF_LINK_CODE_MS: i64 = 10 * 60_000;

/// A staff member's LINE link as the composer shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffLink {
    pub linked: bool,
    /// A pending code to write to the clinic's account, with its expiry.
    pub code: Option<(String, i64)>,
}

/// An 8-digit code (a phone's number pad; 10⁸ to guess within minutes).
pub(crate) fn link_code() -> String {
    use rand::Rng;
    format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000u32))
}

impl Engine {
    pub async fn staff_link(&self, actor: &Actor) -> Result<StaffLink, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let (line_user, code, expires) = self.db.staff_link(actor.user_id, actor.clinic_id).await?;
        let now = self.now_ms();
        Ok(StaffLink {
            linked: line_user.is_some(),
            code: code.zip(expires).filter(|(_, e)| *e >= now),
        })
    }

    /// A new one-time code: written to the clinic's LINE account from the
    /// staff member's own LINE, it links that account (for 職員連絡, and for
    /// test sends). Anyone in the clinic may link their own.
    pub async fn start_staff_link(&self, actor: &Actor) -> Result<(String, i64), EngineError> {
        actor.require(Permission::ViewClinic)?;
        let code = link_code();
        let expires = self.now_ms() + STAFF_LINK_CODE_MS;
        self.db.set_staff_link_code(actor.user_id, actor.clinic_id, &code, expires).await?;
        Ok((code, expires))
    }

    /// A message from a friend that is a pending staff code links them.
    pub(crate) async fn link_staff_if_code(&self, clinic_id: i64, line_user_id: &str, text: &str) -> Result<bool, EngineError> {
        let code = text.trim();
        if code.len() != 8 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(false);
        }
        let now = self.now_ms();
        let Some(user_id) = self.db.staff_code_owner(clinic_id, code, now).await? else {
            return Ok(false);
        };
        let user = self.db.user(user_id).await?.ok_or(EngineError::NotFound)?;
        let audit = self.audit(crate::audit::Event {
            organization_id: Some(user.organization_id),
            clinic_id: Some(clinic_id),
            actor_user_id: Some(user_id),
            actor_label: user.email,
            action: "staff.line_linked",
            target: String::new(),
            detail: String::new(),
            ip: "",
        });
        Ok(self
            .db
            .link_staff_by_code(clinic_id, user_id, code, line_user_id, now, &audit)
            .await?)
    }

    /// Sends the bundle to the caller's own linked LINE account (counted
    /// like any push). Variables get the staff member's LINE name.
    pub async fn test_send(&self, actor: &Actor, bundle: &Bundle) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let problems = bundle.problems();
        if !problems.is_empty() {
            return Err(EngineError::InvalidBundle(problems));
        }
        self.check_pictures_reachable(actor.clinic_id, bundle).await?;
        let (Some(line_user), _, _) = self.db.staff_link(actor.user_id, actor.clinic_id).await? else {
            return Err(EngineError::NotLinked);
        };
        let client = self.line_client(actor.clinic_id).await?;
        let name = match client.profile(&line_user).await {
            Ok(p) => p.display_name,
            Err(_) => actor.display_name.clone(),
        };
        let messages = to_line_messages(&bundle.personalised(&name), &self.public_url);
        self.push_counted(
            actor.clinic_id,
            &client,
            &line_user,
            &messages,
            &uuid_v4(),
            crate::quota::OnFailure::Release,
        )
        .await?;
        Ok(())
    }
}
