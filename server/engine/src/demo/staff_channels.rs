//! The demo clinic's staff channels (職員連絡): everyone, and the front desk.

use crate::{Engine, EngineError};
use model::staff_channel::StaffChannelSettings;
use model::Role;

impl Engine {
    /// Makes the demo's channels, once.
    pub async fn seed_demo_staff_channels(&self, clinic_id: i64) -> Result<(), EngineError> {
        if !self.db.staff_channels(clinic_id).await?.is_empty() {
            return Ok(());
        }
        let actor = self.seed_actor(clinic_id).await?;
        let channels = [
            StaffChannelSettings {
                name: "全職員".into(),
                description: "院内の全員への連絡（休診・勤務変更・感染対策）".into(),
                member_roles: Role::ALL.to_vec(),
                members: Vec::new(),
                poster_roles: vec![Role::Marketer],
            },
            StaffChannelSettings {
                name: "受付".into(),
                description: "受付の申し送りと予約まわりの連絡".into(),
                member_roles: vec![Role::Staff],
                members: Vec::new(),
                poster_roles: vec![Role::Staff, Role::Marketer],
            },
        ];
        for settings in &channels {
            self.save_staff_channel(&actor, None, settings).await?;
        }
        Ok(())
    }
}
