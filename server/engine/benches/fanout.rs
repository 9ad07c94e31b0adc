//! `make bench`: a 100,000-recipient send against the sandbox over real
//! HTTP, on SQLite and (when reachable) PostgreSQL, with rate limits off
//! (the product alone: goal ≤ 2 s) and with LINE's limits on in both the
//! sandbox and the product (goal ≤ 110 % of 200 multicasts/s × 500, i.e.
//! ≤ 1.1 s of sending).

use engine::broadcasts::BroadcastRequest;
use engine::delivery::DeliveryConfig;
use engine::{Engine, LineEndpoints, SecretBox, SystemClock};
use model::broadcast::{Audience, Purpose, QuietHours};
use model::message::Bundle;
use sandbox::{RateLimits, Sandbox};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RECIPIENTS: usize = 100_000;

async fn run(backend: &str, limits_on: bool) -> Option<()> {
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
    let engine = Engine::new(
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
    })
    .with_delivery_config(DeliveryConfig {
        rate_limits: limits_on,
        ..Default::default()
    });
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
    let users: Vec<String> = (0..RECIPIENTS).map(|i| format!("U{:032x}", 0xd0000 + i)).collect();
    engine.db_for_tests().insert_friends_for_tests(clinic, "x", &users).await.unwrap();
    sb.add_friends(&clinic_row.public_id, &users).unwrap();
    let out = engine.login("owner@sakura.example", "sakura-owner-2026", "10.0.0.1").await.unwrap();
    let owner = engine.authenticate(&out.token).await.unwrap();
    let mut settings = engine.delivery_settings(&owner).await.unwrap();
    settings.quiet = QuietHours { start: 0, end: 0 };
    engine.save_delivery_settings(&owner, &settings).await.unwrap();

    let worker = tokio::spawn(engine.clone().run_delivery());
    let request = BroadcastRequest {
        title: "ベンチマーク".into(),
        bundle: Bundle::texts(&["インフルエンザ予防接種のご案内", "ご予約はメニューから"]),
        audience: Audience::All,
        purpose: Purpose::Marketing,
        scheduled_at: None,
    };
    let t0 = Instant::now();
    let pid = engine.create_broadcast(&owner, &request).await.unwrap();
    let started = t0.elapsed();
    let delivered_at = loop {
        let row = engine.broadcast_view(&owner, &pid).await.unwrap().row;
        if row.delivered == row.total {
            break t0.elapsed();
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "the send stalled at {}", row.delivered);
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    worker.abort();
    let received = sb.ledger().len();
    let label = if limits_on { "LINE's limits on" } else { "rate limits off " };
    println!(
        "  {backend:<9} {label}: started in {:>5.0} ms (recipients fixed, quota reserved, 200 batches written); \
         all {RECIPIENTS} delivered {:>5.0} ms after the click ({:>5.0} ms of sending); sandbox ledger {received}",
        started.as_secs_f64() * 1000.0,
        delivered_at.as_secs_f64() * 1000.0,
        (delivered_at - started).as_secs_f64() * 1000.0,
    );
    Some(())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        println!("100,000-recipient send against the sandbox (goals: ≤ 2 s with limits off; ≤ 1.1 s of sending with LINE's limits on)");
        for backend in ["sqlite", "postgres"] {
            for limits_on in [false, true] {
                if run(backend, limits_on).await.is_none() {
                    break;
                }
            }
        }
    });
}
