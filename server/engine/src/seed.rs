//! The demo clinic that `make run` starts with.

use crate::crypto::{public_id, random_token};
use crate::webhook::MODE_SANDBOX;
use crate::{password, Engine, EngineError};
use model::Role;
use store::NewUser;

pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
    /// Role in さくらファミリークリニック (and, for the owner, the second clinic).
    pub role: Role,
}

pub const DEMO_ORGANIZATION: &str = "医療法人さくら会";
pub const DEMO_CLINIC: &str = "さくらファミリークリニック";
pub const DEMO_CLINIC_DEPARTMENTS: &str = "小児科,内科";
pub const DEMO_SECOND_CLINIC: &str = "さくら皮膚科クリニック";
pub const DEMO_SECOND_CLINIC_DEPARTMENTS: &str = "皮膚科";

/// Demo logins. They are printed by `make run` and used by the browser
/// tests; they exist only in a database seeded for the demo.
pub const DEMO_ACCOUNTS: [DemoAccount; 4] = [
    DemoAccount {
        email: "owner@sakura.example",
        password: "sakura-owner-2026",
        display_name: "佐藤 健一（院長）",
        role: Role::Owner,
    },
    DemoAccount {
        email: "marketer@sakura.example",
        password: "sakura-marketer-2026",
        display_name: "田中 美咲（事務長）",
        role: Role::Marketer,
    },
    DemoAccount {
        email: "staff@sakura.example",
        password: "sakura-staff-2026",
        display_name: "鈴木 花子（受付）",
        role: Role::Staff,
    },
    DemoAccount {
        email: "viewer@sakura.example",
        password: "sakura-viewer-2026",
        display_name: "高橋 誠（顧問）",
        role: Role::Viewer,
    },
];

impl Engine {
    /// Seeds the demo organization when the database holds none; returns
    /// whether it did.
    pub async fn seed_demo_if_empty(&self) -> Result<bool, EngineError> {
        if self.db.count_organizations().await? > 0 {
            return Ok(false);
        }
        let now = self.now_ms();
        let org = self.db.create_organization(&public_id(), DEMO_ORGANIZATION, now).await?;
        let clinic = self
            .db
            .create_clinic(org, &public_id(), DEMO_CLINIC, DEMO_CLINIC_DEPARTMENTS, now)
            .await?;
        let second = self
            .db
            .create_clinic(org, &public_id(), DEMO_SECOND_CLINIC, DEMO_SECOND_CLINIC_DEPARTMENTS, now)
            .await?;
        // Both clinics start connected to the LINE sandbox.
        for c in [clinic, second] {
            self.connect_channel(c, MODE_SANDBOX, &random_token(), Some(&random_token()))
                .await?;
        }
        for account in &DEMO_ACCOUNTS {
            let hash = password::hash(account.password.to_string()).await;
            let user = self
                .db
                .create_user(NewUser {
                    organization_id: org,
                    public_id: &public_id(),
                    email: account.email,
                    display_name: account.display_name,
                    password_hash: Some(&hash),
                    now,
                })
                .await?;
            self.db.add_membership(user, clinic, account.role.as_str(), now).await?;
            if account.role == Role::Owner {
                self.db.add_membership(user, second, Role::Owner.as_str(), now).await?;
            }
        }
        Ok(true)
    }
}
