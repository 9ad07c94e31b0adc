//! A demo clinic with `n` friends (made by real follow webhooks) and two
//! signed-in members, on the backend the run selects.

#![allow(dead_code)]

use chrono::DateTime;
use engine::{Actor, Engine, ManualClock, SecretBox};
use std::sync::Arc;

pub const SECRET: &str = "sakura-channel-secret";

pub struct World {
    pub engine: Engine,
    /// The engine's clock, to move time.
    pub clock: Arc<ManualClock>,
    pub owner: Actor,
    pub viewer: Actor,
    /// Public IDs of the demo clinic's friends, oldest first.
    pub friends: Vec<String>,
}

pub fn user(i: usize) -> String {
    format!("U{:032x}", 0xabc0 + i)
}

pub async fn world(n: usize) -> World {
    let db = store::testing::fresh_db().await.expect("test database");
    // 2026-11-22 12:00 JST.
    let now = DateTime::from_timestamp(1_795_316_400, 0).unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let engine = Engine::new(db, clock.clone(), SecretBox::from_base64(&SecretBox::generate_key()).unwrap());
    engine.seed_demo_if_empty().await.unwrap();
    let login = |email: &'static str, pw: &'static str| {
        let engine = engine.clone();
        async move {
            let out = engine.login(email, pw, "10.1.1.1").await.unwrap();
            engine.authenticate(&out.token).await.unwrap()
        }
    };
    let owner = login("owner@sakura.example", "sakura-owner-2026").await;
    let viewer = login("viewer@sakura.example", "sakura-viewer-2026").await;
    let clinic = engine.db_for_tests().clinic(owner.clinic_id).await.unwrap().unwrap();
    engine
        .connect_channel(owner.clinic_id, engine::channel::MODE_SANDBOX, SECRET, Some("token"))
        .await
        .unwrap();
    let events: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"type":"follow","follow":{{"isUnblocked":false}},"timestamp":{},"mode":"active","webhookEventId":"01J{i:023}","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{}"}},"replyToken":"r{i}"}}"#,
                1_795_316_400_000i64 + i as i64,
                user(i)
            )
        })
        .collect();
    let body = format!(
        r#"{{"destination":"U0123456789abcdef0123456789abcdef","events":[{}]}}"#,
        events.join(",")
    );
    engine
        .ingest_webhook(&clinic.public_id, body.as_bytes(), Some(&line::sign(SECRET, body.as_bytes())))
        .await
        .unwrap();
    engine.process_webhooks(1000).await.unwrap();
    let mut friends = Vec::new();
    for i in 0..n {
        let f = engine
            .db_for_tests()
            .friend_by_line_user(owner.clinic_id, &user(i))
            .await
            .unwrap()
            .unwrap();
        friends.push(f.public_id);
    }
    World {
        engine,
        clock,
        owner,
        viewer,
        friends,
    }
}

impl World {
    /// The owner acting in the organization's other clinic (which has its
    /// own tags, fields and friends).
    pub async fn owner_elsewhere(&self) -> Actor {
        let second = self
            .engine
            .db_for_tests()
            .memberships_of(self.owner.user_id)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.clinic_id != self.owner.clinic_id)
            .unwrap();
        let mut elsewhere = self.owner.clone();
        elsewhere.clinic_id = second.clinic_id;
        elsewhere
    }
}
