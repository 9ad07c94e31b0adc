//! The crash test (SPEC §5): a 20,000-recipient send against the sandbox
//! with faults injected (5xx, timeouts, dropped connections, slow answers),
//! delivered by the real `yorisoi` binary, which is killed with SIGKILL at
//! random moments and started again. At the end every recipient has
//! exactly one copy and the product's quota ledger equals LINE's count.

mod common;

use engine::broadcasts::BroadcastRequest;
use engine::{Engine, LineEndpoints, SecretBox, SystemClock};
use model::broadcast::{Audience, BroadcastStatus, Purpose, QuietHours};
use model::message::Bundle;
use sandbox::{Faults, Sandbox};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RECIPIENTS: usize = 20_000;
const KILLS: usize = 6;

/// A number from the clock's nanoseconds: random enough for kill moments.
fn jitter(max_ms: u64) -> u64 {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    (n / 1000) % max_ms.max(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20000_recipient_send_survives_sigkill_and_faults_exactly_once() {
    let (db, _, db_url) = store::testing::fresh_db_pair().await.unwrap();
    let key = SecretBox::generate_key();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sb_url = format!("http://{}", listener.local_addr().unwrap());
    let engine = Engine::new(db, Arc::new(SystemClock), SecretBox::from_base64(&key).unwrap()).with_line_endpoints(LineEndpoints {
        api_base: "http://127.0.0.1:9".into(),
        data_base: "http://127.0.0.1:9".into(),
        sandbox_base: Some(sb_url.clone()),
        sandbox_token: None,
        webhook_base: None,
    });
    engine.seed_demo_if_empty().await.unwrap();
    let sb = Sandbox::new();
    server::sandbox_link::link(&engine, &sb, "http://127.0.0.1:9").await.unwrap();
    let router = sb.router();
    tokio::spawn(async move { axum::serve(listener, router).await });

    let out = engine
        .login("marketer@sakura.example", "sakura-marketer-2026", "10.0.0.1")
        .await
        .unwrap();
    let marketer = engine.authenticate(&out.token).await.unwrap();
    let owner = {
        let out = engine.login("owner@sakura.example", "sakura-owner-2026", "10.0.0.1").await.unwrap();
        engine.authenticate(&out.token).await.unwrap()
    };
    let channel = marketer.clinic_public_id.clone();
    let users: Vec<String> = (0..RECIPIENTS).map(|i| format!("U{:032x}", 0xc0000 + i)).collect();
    engine
        .db_for_tests()
        .insert_friends_for_tests(marketer.clinic_id, "cf", &users)
        .await
        .unwrap();
    sb.add_friends(&channel, &users).unwrap();
    // Quiet hours off: the test must not depend on the hour it runs at.
    let mut settings = engine.delivery_settings(&owner).await.unwrap();
    settings.quiet = QuietHours { start: 0, end: 0 };
    engine.save_delivery_settings(&owner, &settings).await.unwrap();
    // The monthly allowance is LINE's: a Standard channel, so 20,000 fit.
    sb.set_plan(&channel, sandbox::Plan::Standard, Some(0)).unwrap();

    let request = BroadcastRequest {
        title: "インフルエンザ予防接種のご案内".into(),
        bundle: Bundle::texts(&["インフルエンザ予防接種の予約を開始しました", "ご予約はメニューの「予約」から"]),
        audience: Audience::All,
        purpose: Purpose::Marketing,
        scheduled_at: None,
    };
    let pid = engine.create_broadcast(&marketer, &request).await.unwrap();
    sb.set_faults(Faults {
        server_error_rate: 0.05,
        slow_rate: 0.3,
        slow_ms: 300,
        timeout_rate: 0.03,
        timeout_ms: 1_500,
        drop_rate: 0.03,
    });

    let data_dir = std::env::temp_dir().join(format!("yorisoi-crash-{}", std::process::id()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let mut progress_at_kills = Vec::new();
    for _ in 0..KILLS {
        let mut child = common::start_yorisoi(&db_url, &key, &sb_url, &data_dir, &format!("127.0.0.1:{}", common::free_port()));
        tokio::time::sleep(Duration::from_millis(400 + jitter(900))).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let row = engine.broadcast_view(&marketer, &pid).await.unwrap().row;
        progress_at_kills.push(row.delivered);
    }
    let mut child = common::start_yorisoi(&db_url, &key, &sb_url, &data_dir, &format!("127.0.0.1:{}", common::free_port()));
    let started = Instant::now();
    let row = loop {
        let row = engine.broadcast_view(&marketer, &pid).await.unwrap().row;
        if row.status == BroadcastStatus::Done && row.finished_at.is_some() {
            break row;
        }
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "the send did not finish: {} of {} ({:?})",
            row.delivered,
            row.total,
            row.status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&data_dir);
    eprintln!("delivered when each SIGKILL landed: {progress_at_kills:?}");
    assert!(
        progress_at_kills.iter().any(|&d| d > 0 && d < RECIPIENTS as i64),
        "at least one kill landed in the middle of the send: {progress_at_kills:?}"
    );

    assert_eq!((row.total, row.delivered, row.failed), (RECIPIENTS as i64, RECIPIENTS as i64, 0));
    let mut copies = std::collections::HashMap::<String, usize>::new();
    for d in sb.ledger() {
        if d.via == "multicast" || d.via == "push" {
            *copies.entry(d.to.clone()).or_default() += 1;
        }
    }
    let missing = users.iter().filter(|u| !copies.contains_key(*u)).count();
    let doubled = copies.values().filter(|&&n| n > 1).count();
    assert_eq!((missing, doubled), (0, 0), "every recipient got exactly one copy");
    let quota = engine.quota_status(marketer.clinic_id).await.unwrap();
    assert_eq!(quota.reserved, 0);
    assert_eq!(
        quota.used,
        sb.usage(&channel).unwrap(),
        "the product's ledger equals the sandbox's count"
    );
    assert_eq!(quota.used, RECIPIENTS as i64);
}
