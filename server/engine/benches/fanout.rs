//! `make bench`: a 100,000-recipient send against the sandbox over real
//! HTTP, on SQLite and (when reachable) PostgreSQL, with rate limits off
//! (the product alone: goal ≤ 2 s) and with LINE's limits on in both the
//! sandbox and the product (goal ≤ 110 % of 200 multicasts/s × 500, i.e.
//! ≤ 1.1 s of sending).

mod common;

use engine::broadcasts::BroadcastRequest;
use engine::delivery::DeliveryConfig;
use model::broadcast::{Audience, Purpose, QuietHours};
use model::message::Bundle;
use std::time::{Duration, Instant};

const RECIPIENTS: usize = 100_000;

async fn run(backend: &str, limits_on: bool) -> Option<()> {
    let common::Rig { engine, sb, owner, .. } = common::rig(backend, RECIPIENTS, 0xd0000, limits_on, |e| {
        e.with_delivery_config(DeliveryConfig {
            rate_limits: limits_on,
            ..Default::default()
        })
    })
    .await?;
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
