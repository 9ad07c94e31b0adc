//! What the engine's benchmarks share: a fresh database, the demo clinic
//! on a sandbox served over real HTTP with LINE's plan and rate limits,
//! `friends` of its people as friends, and its owner signed in.

// Each benchmark compiles this module on its own and uses part of it.
#![allow(dead_code)]

use engine::{Actor, Engine, LineEndpoints, SecretBox, SystemClock};
use sandbox::{RateLimits, Sandbox};
use std::sync::Arc;

pub struct Rig {
    pub engine: Engine,
    pub sb: Sandbox,
    pub clinic: i64,
    pub owner: Actor,
    /// The friends' LINE user IDs.
    pub users: Vec<String>,
}

/// `None` (after saying so) when the backend is not reachable.
/// `configure` adds what one benchmark needs of the engine.
pub async fn rig(backend: &str, friends: usize, user_base: u128, limits_on: bool, configure: impl FnOnce(Engine) -> Engine) -> Option<Rig> {
    std::env::set_var("YORISOI_TEST_BACKEND", backend);
    // The pools a server has (`Db::connect`): 8 on SQLite, 16 on PostgreSQL.
    let pool = if backend == "sqlite" { 8 } else { 16 };
    let (db, _, _) = match store::testing::fresh_db_pair_sized(pool).await {
        Ok(d) => d,
        Err(e) => {
            println!("  {backend}: skipped ({e})");
            return None;
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sb_base = format!("http://{}", listener.local_addr().unwrap());
    let engine = configure(
        Engine::new(
            db,
            Arc::new(SystemClock),
            SecretBox::from_base64(&SecretBox::generate_key()).unwrap(),
        )
        .with_line_endpoints(LineEndpoints {
            api_base: "http://127.0.0.1:9".into(),
            data_base: "http://127.0.0.1:9".into(),
            sandbox_base: Some(sb_base),
            sandbox_token: None,
            webhook_base: None,
        }),
    );
    engine.seed_demo_if_empty().await.unwrap();
    let clinic = engine.db_for_tests().sandbox_channels().await.unwrap()[0].clinic_id;
    let clinic_row = engine.db_for_tests().clinic(clinic).await.unwrap().unwrap();
    let (secret, token) = engine.channel_credentials(clinic).await.unwrap();
    let sb = Sandbox::new();
    sb.add_channel(sandbox::ChannelConfig {
        channel_id: clinic_row.public_id.clone(),
        channel_secret: secret,
        access_token: token,
        webhook_url: "http://127.0.0.1:9/".into(),
        bot_name: clinic_row.name.clone(),
        plan: sandbox::Plan::Standard,
    });
    sb.set_rate_limits(RateLimits {
        disabled: !limits_on,
        overrides: Default::default(),
    });
    let router = sb.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let users: Vec<String> = (0..friends as u128).map(|i| format!("U{:032x}", user_base + i)).collect();
    engine.db_for_tests().insert_friends_for_tests(clinic, "b", &users).await.unwrap();
    sb.add_friends(&clinic_row.public_id, &users).unwrap();
    let out = engine.login("owner@sakura.example", "sakura-owner-2026", "10.0.0.1").await.unwrap();
    let owner = engine.authenticate(&out.token).await.unwrap();
    Some(Rig {
        engine,
        sb,
        clinic,
        owner,
        users,
    })
}
