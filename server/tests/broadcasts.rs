//! Broadcasts against the sandbox over real HTTP: the quota ledger under
//! concurrent sends (two instances on one database), LINE's two 429s,
//! 409 as delivered, quiet hours, the frequency cap and opt-out, the
//! advertising approval, pause / resume / cancel.

mod common;

use chrono::DateTime;
use engine::broadcasts::BroadcastRequest;
use engine::delivery::DeliveryConfig;
use engine::{Actor, Clock, Engine, EngineError, LineEndpoints, ManualClock, SecretBox, SystemClock};
use model::broadcast::{Audience, BroadcastStatus, Purpose};
use model::message::Bundle;
use sandbox::{Plan, Sandbox};
use std::sync::Arc;
use std::time::Duration;

struct Rig {
    engine: Engine,
    /// A second instance on the same database.
    other: Engine,
    sb: Sandbox,
    owner: Actor,
    marketer: Actor,
    channel: String,
    users: Vec<String>,
    /// For starting the real binary on the same database and sandbox.
    db_url: String,
    key: String,
    sb_base: String,
}

fn user(i: usize) -> String {
    format!("U{:032x}", 0xb0000 + i)
}

/// With `quiet_off` quiet hours are off: the tests on the real clock must
/// not depend on the hour they run at.
async fn rig_with(friends: usize, clock: Arc<dyn Clock>, config: DeliveryConfig, quiet_off: bool) -> Rig {
    let (db, db2, db_url) = store::testing::fresh_db_pair().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sb_base = format!("http://{}", listener.local_addr().unwrap());
    let key = SecretBox::generate_key();
    let endpoints = LineEndpoints {
        api_base: "http://127.0.0.1:9".into(),
        data_base: "http://127.0.0.1:9".into(),
        sandbox_base: Some(sb_base.clone()),
        sandbox_token: None,
        webhook_base: None,
    };
    let make = |db| {
        Engine::new(db, clock.clone(), SecretBox::from_base64(&key).unwrap())
            .with_line_endpoints(endpoints.clone())
            .with_delivery_config(config.clone())
    };
    let (engine, other) = (make(db), make(db2));
    engine.seed_demo_if_empty().await.unwrap();
    let sb = Sandbox::new();
    server::sandbox_link::link(&engine, &sb, "http://127.0.0.1:9").await.unwrap();
    let router = sb.router();
    tokio::spawn(async move { axum::serve(listener, router).await });

    let login = |email: &'static str, pw: &'static str| {
        let engine = engine.clone();
        async move {
            let out = engine.login(email, pw, "10.1.1.1").await.unwrap();
            engine.authenticate(&out.token).await.unwrap()
        }
    };
    let owner = login("owner@sakura.example", "sakura-owner-2026").await;
    let marketer = login("marketer@sakura.example", "sakura-marketer-2026").await;
    let channel = owner.clinic_public_id.clone();
    let users: Vec<String> = (0..friends).map(user).collect();
    add_friends(&engine, &sb, owner.clinic_id, &channel, &users).await;
    if quiet_off {
        let mut settings = engine.delivery_settings(&owner).await.unwrap();
        settings.quiet = model::broadcast::QuietHours { start: 0, end: 0 };
        engine.save_delivery_settings(&owner, &settings).await.unwrap();
    }
    Rig {
        engine,
        other,
        sb,
        owner,
        marketer,
        channel,
        users,
        db_url,
        key,
        sb_base,
    }
}

async fn rig(friends: usize) -> Rig {
    rig_with(friends, Arc::new(SystemClock), fast(), true).await
}

fn fast() -> DeliveryConfig {
    DeliveryConfig {
        workers: 4,
        lease_ms: 3_000,
        line_timeout: Duration::from_millis(1_500),
        rate_limits: true,
    }
}

/// Friends the product and the sandbox both know, without webhooks.
async fn add_friends(engine: &Engine, sb: &Sandbox, clinic_id: i64, channel: &str, users: &[String]) {
    engine
        .db_for_tests()
        .insert_friends_for_tests(clinic_id, "bf", users)
        .await
        .unwrap();
    sb.add_friends(channel, users).unwrap();
}

fn request(title: &str, texts: &[&str], audience: Audience, purpose: Purpose) -> BroadcastRequest {
    BroadcastRequest {
        title: title.into(),
        bundle: Bundle::texts(texts),
        audience,
        purpose,
        scheduled_at: None,
    }
}

fn to_all(title: &str) -> BroadcastRequest {
    request(
        title,
        &["12月の休診日のお知らせ", "年末年始は12/29〜1/3が休診です"],
        Audience::All,
        Purpose::Marketing,
    )
}

/// Runs delivery workers on `engines` until the send is final.
async fn deliver_until_final(engines: &[&Engine], owner: &Actor, public_id: &str) -> store::BroadcastRow {
    let workers: Vec<_> = engines
        .iter()
        .map(|e| tokio::spawn(server::run_delivery_worker((*e).clone())))
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let row = loop {
        let v = engines[0].broadcast_view(owner, public_id).await.unwrap();
        if v.row.status.is_final() && v.row.finished_at.is_some() {
            break v.row;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the send did not finish: {:?}",
            v.row.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for w in workers {
        w.abort();
    }
    row
}

/// How many copies each user received of messages sent in broadcasts.
fn copies(sb: &Sandbox, users: &[String]) -> Vec<usize> {
    users
        .iter()
        .map(|u| sb.received(u).iter().filter(|d| d.via == "multicast" || d.via == "push").count())
        .collect()
}

#[tokio::test]
async fn a_send_reaches_each_friend_once_with_both_bubbles_and_settles_the_ledger() {
    let r = rig(1_203).await;
    let before = r.sb.usage(&r.channel).unwrap();
    let requests_before: std::collections::HashSet<String> = r.sb.ledger().iter().map(|d| d.request_id.clone()).collect();
    let estimate = r.engine.estimate_broadcast(&r.marketer, &to_all("休診日")).await.unwrap();
    assert_eq!((estimate.recipients, estimate.messages, estimate.shortfall), (1_203, 1_203, 0));
    assert_eq!(estimate.left_after, Some(5_000 - before - 1_203));
    let pid = r.engine.create_broadcast(&r.marketer, &to_all("休診日")).await.unwrap();
    let row = deliver_until_final(&[&r.engine], &r.owner, &pid).await;
    assert_eq!(
        (row.status, row.total, row.delivered, row.failed),
        (BroadcastStatus::Done, 1_203, 1_203, 0)
    );
    assert!(copies(&r.sb, &r.users).iter().all(|&n| n == 1), "each friend got exactly one copy");
    let got = r.sb.received(&r.users[7]);
    let texts: Vec<&str> = got[0].messages.iter().filter_map(|m| m["text"].as_str()).collect();
    assert_eq!(texts, vec!["12月の休診日のお知らせ", "年末年始は12/29〜1/3が休診です"]);
    // Three multicasts of ≤ 500 and no more.
    let requests: std::collections::HashSet<String> = r.sb.ledger().iter().map(|d| d.request_id.clone()).collect();
    assert_eq!(requests.len(), 3 + requests_before.len());
    let quota = r.engine.quota_status(r.owner.clinic_id).await.unwrap();
    assert_eq!((quota.used, quota.reserved), (1_203, 0));
    assert_eq!(
        quota.used + quota.outside,
        r.sb.usage(&r.channel).unwrap(),
        "the ledger agrees with LINE's count"
    );
}

#[tokio::test]
async fn concurrent_sends_on_two_instances_never_pass_the_light_ceiling() {
    let r = rig(200).await;
    let used = r.sb.usage(&r.channel).unwrap();
    r.sb.add_usage_elsewhere(&r.channel, 4_700 - used).unwrap();
    let (ra, rb, rc) = (to_all("A"), to_all("B"), to_all("C"));
    let (a, b, c) = tokio::join!(
        r.engine.create_broadcast(&r.marketer, &ra),
        r.other.create_broadcast(&r.marketer, &rb),
        r.engine.create_broadcast(&r.marketer, &rc),
    );
    let results = [a, b, c];
    let started: Vec<&String> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(started.len(), 1, "only one 200-recipient send fits in 300: {results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(refused, EngineError::QuotaShortfall { needed: 200, left: 100 }),
            "refused with the shortfall: {refused:?}"
        );
    }
    let row = deliver_until_final(&[&r.engine, &r.other], &r.owner, started[0]).await;
    assert_eq!(row.delivered, 200);
    assert_eq!(r.sb.usage(&r.channel).unwrap(), 4_900, "the month never passes 5,000");
    assert!(copies(&r.sb, &r.users).iter().all(|&n| n == 1));
    assert_eq!(
        r.engine.db_for_tests().broadcasts(r.owner.clinic_id, 10).await.unwrap().len(),
        1,
        "the refused sends left nothing"
    );
    let quota = r.engine.quota_status(r.owner.clinic_id).await.unwrap();
    assert_eq!((quota.used, quota.reserved, quota.outside), (200, 0, 4_700));
}

/// A server function call to a running server, as the page makes it.
async fn call(http: &reqwest::Client, base: &str, endpoint: &str, body: &serde_json::Value, cookie: &str) -> reqwest::Response {
    http.post(format!("{base}/api/{endpoint}"))
        .header("origin", base)
        .header("cookie", cookie)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The same as above through two real `yorisoi` processes on one database:
/// the sends are started over HTTP at once, delivered by their workers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_sends_through_two_server_processes_never_pass_the_light_ceiling() {
    let r = rig(200).await;
    let used = r.sb.usage(&r.channel).unwrap();
    r.sb.add_usage_elsewhere(&r.channel, 4_700 - used).unwrap();
    let data_dir = std::env::temp_dir().join(format!("yorisoi-two-{}", std::process::id()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let bases: Vec<String> = (0..2).map(|_| format!("127.0.0.1:{}", common::free_port())).collect();
    let mut children: Vec<_> = bases
        .iter()
        .map(|addr| common::start_yorisoi(&r.db_url, &r.key, &r.sb_base, &data_dir, addr))
        .collect();
    let bases: Vec<String> = bases.iter().map(|a| format!("http://{a}")).collect();
    let http = reqwest::Client::new();
    let mut cookies = Vec::new();
    for base in &bases {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while !http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|res| res.status().is_success())
        {
            assert!(tokio::time::Instant::now() < deadline, "{base} did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let res = http
            .post(format!("{base}/api/login"))
            .header("origin", base.as_str())
            .form(&[("email", "marketer@sakura.example"), ("password", "sakura-marketer-2026")])
            .send()
            .await
            .unwrap();
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("yorisoi_session="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .expect("signed in");
        cookies.push(cookie);
    }
    let requests = |sb: &Sandbox| {
        sb.ledger()
            .iter()
            .map(|d| d.request_id.clone())
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    let requests_before = requests(&r.sb);
    let draft = |title: &str| {
        serde_json::json!({ "draft": app::api::broadcasts::Draft {
            title: title.into(),
            bundle: Bundle::texts(&["12月の休診日のお知らせ"]),
            audience: Audience::All,
            purpose: Purpose::Marketing,
            scheduled_at: String::new(),
        }})
    };
    let (fa, fb, fc) = (draft("A"), draft("B"), draft("C"));
    let (a, b, c) = tokio::join!(
        call(&http, &bases[0], "broadcast_create", &fa, &cookies[0]),
        call(&http, &bases[1], "broadcast_create", &fb, &cookies[1]),
        call(&http, &bases[0], "broadcast_create", &fc, &cookies[0]),
    );
    let mut started = Vec::new();
    for res in [a, b, c] {
        let ok = res.status().is_success();
        let body = res.text().await.unwrap();
        if ok {
            started.push(serde_json::from_str::<String>(&body).unwrap());
        } else {
            assert!(
                body.contains("quota_shortfall") && body.contains("100"),
                "refused with the shortfall: {body}"
            );
        }
    }
    assert_eq!(started.len(), 1, "only one 200-recipient send fits in 300");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let row = loop {
        let row = r.engine.broadcast_view(&r.owner, &started[0]).await.unwrap().row;
        if row.status == BroadcastStatus::Done && row.finished_at.is_some() {
            break row;
        }
        assert!(tokio::time::Instant::now() < deadline, "not delivered: {:?}", row.status);
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for child in &mut children {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let _ = std::fs::remove_dir_all(&data_dir);
    assert_eq!(row.delivered, 200);
    assert_eq!(
        requests(&r.sb),
        requests_before + 1,
        "one multicast; the refused sends called LINE for nothing"
    );
    assert_eq!(r.sb.usage(&r.channel).unwrap(), 4_900, "the month never passes 5,000");
    assert!(copies(&r.sb, &r.users).iter().all(|&n| n == 1));
    let quota = r.engine.quota_status(r.owner.clinic_id).await.unwrap();
    assert_eq!((quota.used, quota.reserved), (200, 0));
}

#[tokio::test]
async fn a_free_clinic_is_refused_with_the_shortfall_before_any_line_call() {
    let r = rig(250).await;
    r.sb.set_plan(&r.channel, Plan::Free, Some(0)).unwrap();
    let ledger_before = r.sb.ledger().len();
    let estimate = r.engine.estimate_broadcast(&r.marketer, &to_all("お知らせ")).await;
    // The plan is read from LINE when a send is attempted (or the quota page opens).
    let refused = r.engine.create_broadcast(&r.marketer, &to_all("お知らせ")).await;
    assert!(estimate.is_ok());
    match refused {
        Err(EngineError::QuotaShortfall { needed, left }) => assert_eq!((needed, left), (250, 200)),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(r.sb.ledger().len(), ledger_before, "nothing was sent");
    let after = r.engine.estimate_broadcast(&r.marketer, &to_all("お知らせ")).await.unwrap();
    assert_eq!(
        (after.quota.plan, after.shortfall, after.left_after),
        (model::plan::Plan::Free, 50, Some(-50))
    );
}

#[tokio::test]
async fn the_rate_limit_429_is_retried_and_the_monthly_429_stops_the_send() {
    // The product's own limiter off, the sandbox's multicast limit tiny:
    // LINE answers the rate-limit 429, and the send still completes.
    let r = rig_with(
        1_500,
        Arc::new(SystemClock),
        DeliveryConfig {
            rate_limits: false,
            ..fast()
        },
        true,
    )
    .await;
    r.sb.set_rate_limits(sandbox::RateLimits {
        disabled: false,
        overrides: [("POST /v2/bot/message/multicast".to_string(), (1, 400))].into_iter().collect(),
    });
    let pid = r.engine.create_broadcast(&r.marketer, &to_all("レート")).await.unwrap();
    let row = deliver_until_final(&[&r.engine], &r.owner, &pid).await;
    assert_eq!((row.status, row.delivered), (BroadcastStatus::Done, 1_500));
    assert!(copies(&r.sb, &r.users).iter().all(|&n| n == 1));
    r.sb.set_rate_limits(sandbox::RateLimits::default());

    // LINE's month fills up behind the product's back (LINE's own app):
    // the next send gets the monthly-limit 429, stops, and gives its
    // reservation back; nobody gets a partial batch.
    let pid = r.engine.create_broadcast(&r.marketer, &to_all("上限")).await.unwrap();
    let used = r.sb.usage(&r.channel).unwrap();
    r.sb.add_usage_elsewhere(&r.channel, 5_000 - used).unwrap();
    let row = deliver_until_final(&[&r.engine], &r.owner, &pid).await;
    assert_eq!(
        (row.status, row.reason.as_str(), row.delivered),
        (BroadcastStatus::Stopped, "monthly_limit", 0)
    );
    assert!(copies(&r.sb, &r.users).iter().all(|&n| n == 1), "no one got the stopped send");
    let quota = r.engine.quota_status(r.owner.clinic_id).await.unwrap();
    assert_eq!(quota.reserved, 0);
    assert_eq!(quota.used + quota.outside, 5_000, "reconciled with LINE after the 429");
}

#[tokio::test]
async fn an_answer_lost_after_line_accepted_counts_as_delivered_by_409() {
    let r = rig(3).await;
    let pid = r.engine.create_broadcast(&r.marketer, &to_all("409")).await.unwrap();
    // The batch's first attempt reached LINE, but its answer was lost (a
    // crash, a dropped connection): LINE has it under the stored key.
    let (key, recipients): (String, String) = {
        let rows = r.engine.db_for_tests().broadcasts(r.owner.clinic_id, 1).await.unwrap();
        let b = r
            .engine
            .db_for_tests()
            .claim_batch(r.engine.now_ms(), r.engine.now_ms() - 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(b.broadcast_id, rows[0].id);
        (b.retry_key, b.recipients)
    };
    let to: Vec<String> = serde_json::from_str(&recipients).unwrap();
    let client = r.engine.line_client(r.owner.clinic_id).await.unwrap();
    let messages = engine::line_messages::to_line_messages(&Bundle::texts(&["x"]), "");
    client
        .multicast(
            &to,
            &messages,
            &line::SendOptions {
                retry_key: Some(&key),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let row = deliver_until_final(&[&r.engine], &r.owner, &pid).await;
    assert_eq!((row.status, row.delivered), (BroadcastStatus::Done, 3));
    assert!(copies(&r.sb, &r.users).iter().all(|&n| n == 1), "the retry was not delivered again");
    assert_eq!(r.engine.quota_status(r.owner.clinic_id).await.unwrap().used, 3);
}

/// 2026-12-01 at `h:m` JST, in ms.
fn jst(h: i64, m: i64) -> i64 {
    1_796_050_800_000 + (h * 60 + m) * 60_000
}

#[tokio::test]
async fn quiet_hours_hold_marketing_from_21_00_until_08_00() {
    let clock = Arc::new(ManualClock::new(DateTime::from_timestamp_millis(jst(20, 59)).unwrap()));
    let r = rig_with(2, clock.clone(), fast(), false).await;
    let e = &r.engine;

    // 20:59: goes at once.
    let early = e.create_broadcast(&r.marketer, &to_all("20:59")).await.unwrap();
    while e.deliver_next().await.unwrap() {}
    e.tend_broadcasts().await.unwrap();
    assert_eq!(e.broadcast_view(&r.owner, &early).await.unwrap().row.status, BroadcastStatus::Done);

    // 21:01: waits, and says until when.
    clock.set(DateTime::from_timestamp_millis(jst(21, 1)).unwrap());
    let estimate = e.estimate_broadcast(&r.marketer, &to_all("21:01")).await.unwrap();
    assert_eq!(estimate.held_until, Some(jst(24 + 8, 0)));
    let late = e.create_broadcast(&r.marketer, &to_all("21:01")).await.unwrap();
    while e.deliver_next().await.unwrap() {}
    let held = e.broadcast_view(&r.owner, &late).await.unwrap().row;
    assert_eq!((held.status, held.resume_at), (BroadcastStatus::Held, Some(jst(24 + 8, 0))));
    assert_eq!(copies(&r.sb, &r.users), vec![1, 1], "nothing went out at 21:01");

    // An operational notice is not held.
    let notice = request("休診", &["本日は臨時休診です"], Audience::All, Purpose::Operational);
    let op = e.create_broadcast(&r.owner, &notice).await.unwrap();
    while e.deliver_next().await.unwrap() {}
    e.tend_broadcasts().await.unwrap();
    assert_eq!(e.broadcast_view(&r.owner, &op).await.unwrap().row.status, BroadcastStatus::Done);
    assert_eq!(copies(&r.sb, &r.users), vec![2, 2]);

    // 07:59 still waits; 08:00 it goes.
    clock.set(DateTime::from_timestamp_millis(jst(24 + 7, 59)).unwrap());
    e.tend_broadcasts().await.unwrap();
    assert!(!e.deliver_next().await.unwrap());
    clock.set(DateTime::from_timestamp_millis(jst(24 + 8, 0)).unwrap());
    e.tend_broadcasts().await.unwrap();
    while e.deliver_next().await.unwrap() {}
    e.tend_broadcasts().await.unwrap();
    assert_eq!(e.broadcast_view(&r.owner, &late).await.unwrap().row.status, BroadcastStatus::Done);
    assert_eq!(copies(&r.sb, &r.users), vec![3, 3]);
}

#[tokio::test]
async fn the_frequency_cap_and_opt_out_leave_friends_out_of_marketing_only() {
    let clock = Arc::new(ManualClock::new(DateTime::from_timestamp_millis(jst(10, 0)).unwrap()));
    let r = rig_with(3, clock.clone(), fast(), false).await;
    let e = &r.engine;
    let mut settings = e.delivery_settings(&r.owner).await.unwrap();
    settings.frequency_cap = 2;
    e.save_delivery_settings(&r.owner, &settings).await.unwrap();
    assert!(matches!(
        e.save_delivery_settings(&r.marketer, &settings).await,
        Err(EngineError::Forbidden)
    ));
    let friend = e
        .db_for_tests()
        .friend_by_line_user(r.owner.clinic_id, &r.users[2])
        .await
        .unwrap()
        .unwrap();
    e.db_for_tests()
        .set_marketing_opt_out(r.owner.clinic_id, &friend.public_id, true)
        .await
        .unwrap();

    for title in ["1", "2"] {
        e.create_broadcast(&r.marketer, &to_all(title)).await.unwrap();
        while e.deliver_next().await.unwrap() {}
    }
    assert_eq!(copies(&r.sb, &r.users), vec![2, 2, 0], "the opted-out friend got no marketing");
    let third = e.estimate_broadcast(&r.marketer, &to_all("3")).await.unwrap();
    assert_eq!((third.recipients, third.capped, third.opted_out), (0, 2, 1));
    assert!(matches!(
        e.create_broadcast(&r.marketer, &to_all("3")).await,
        Err(EngineError::EmptyAudience)
    ));
    // Operational messages are exempt from both.
    let notice = request("予約", &["明日10時のご予約です"], Audience::All, Purpose::Operational);
    e.create_broadcast(&r.owner, &notice).await.unwrap();
    while e.deliver_next().await.unwrap() {}
    assert_eq!(copies(&r.sb, &r.users), vec![3, 3, 1]);
    // A new month starts the count again.
    clock.set(DateTime::from_timestamp_millis(jst(24 * 31, 0)).unwrap());
    assert_eq!(e.estimate_broadcast(&r.marketer, &to_all("1月")).await.unwrap().recipients, 2);
}

#[tokio::test]
async fn a_flagged_message_waits_for_an_admin_when_the_owner_asks() {
    let r = rig(2).await;
    let e = &r.engine;
    let mut settings = e.delivery_settings(&r.owner).await.unwrap();
    settings.require_ad_approval = true;
    e.save_delivery_settings(&r.owner, &settings).await.unwrap();
    let risky = request("キャンペーン", &["地域一番の技術。今なら半額！"], Audience::All, Purpose::Marketing);
    let estimate = e.estimate_broadcast(&r.marketer, &risky).await.unwrap();
    let phrases: Vec<&str> = estimate.ad_flags.iter().map(|f| f.phrase.as_str()).collect();
    assert_eq!(phrases, vec!["地域一番", "今なら半額"]);
    assert!(estimate.needs_approval);
    let pid = e.create_broadcast(&r.marketer, &risky).await.unwrap();
    assert_eq!(
        e.broadcast_view(&r.owner, &pid).await.unwrap().row.status,
        BroadcastStatus::AwaitingApproval
    );
    e.tend_broadcasts().await.unwrap();
    assert!(!e.deliver_next().await.unwrap(), "nothing goes before approval");
    assert!(matches!(e.approve_broadcast(&r.marketer, &pid).await, Err(EngineError::Forbidden)));
    e.approve_broadcast(&r.owner, &pid).await.unwrap();
    let row = deliver_until_final(&[e], &r.owner, &pid).await;
    assert_eq!((row.status, row.delivered), (BroadcastStatus::Done, 2));
    // An unflagged message goes at once.
    let plain = e.create_broadcast(&r.marketer, &to_all("お知らせ")).await.unwrap();
    assert_eq!(
        e.broadcast_view(&r.owner, &plain).await.unwrap().row.status,
        BroadcastStatus::Sending
    );
}

#[tokio::test]
async fn operational_is_not_a_label_a_marketer_can_pick_to_skip_the_rules() {
    let clock = Arc::new(ManualClock::new(DateTime::from_timestamp_millis(jst(10, 0)).unwrap()));
    let r = rig_with(3, clock.clone(), fast(), false).await;
    let e = &r.engine;
    let friend = e
        .db_for_tests()
        .friend_by_line_user(r.owner.clinic_id, &r.users[2])
        .await
        .unwrap()
        .unwrap();
    e.db_for_tests()
        .set_marketing_opt_out(r.owner.clinic_id, &friend.public_id, true)
        .await
        .unwrap();

    // A marketer's "operational" notice waits for an admin.
    let notice = request("休診", &["本日は臨時休診です"], Audience::All, Purpose::Operational);
    assert!(e.estimate_broadcast(&r.marketer, &notice).await.unwrap().needs_approval);
    let pid = e.create_broadcast(&r.marketer, &notice).await.unwrap();
    assert_eq!(
        e.broadcast_view(&r.owner, &pid).await.unwrap().row.status,
        BroadcastStatus::AwaitingApproval
    );
    e.tend_broadcasts().await.unwrap();
    assert!(!e.deliver_next().await.unwrap(), "nothing goes before approval");
    e.approve_broadcast(&r.owner, &pid).await.unwrap();
    let row = deliver_until_final(&[e], &r.owner, &pid).await;
    assert_eq!(row.delivered, 3, "approved, it is operational: the opted-out friend gets it too");
    // The same notice from an admin goes at once.
    assert!(!e.estimate_broadcast(&r.owner, &notice).await.unwrap().needs_approval);

    // A promotion labelled operational is marketing, whoever sends it:
    // opt-outs apply, and at 22:00 it waits for the morning.
    clock.set(DateTime::from_timestamp_millis(jst(22, 0)).unwrap());
    let promo = request("キャンペーン", &["今なら半額！ホワイトニング"], Audience::All, Purpose::Operational);
    let estimate = e.estimate_broadcast(&r.owner, &promo).await.unwrap();
    assert!(estimate.marked_marketing);
    assert_eq!(estimate.purpose, Purpose::Marketing);
    assert_eq!((estimate.recipients, estimate.opted_out), (2, 1));
    assert!(estimate.held_until.is_some(), "quiet hours hold it");
    let pid = e.create_broadcast(&r.owner, &promo).await.unwrap();
    let row = e.broadcast_view(&r.owner, &pid).await.unwrap().row;
    assert_eq!(row.purpose, Purpose::Marketing);
}

#[tokio::test]
async fn a_send_in_flight_never_moves_to_the_channel_the_clinic_switches_to() {
    let clock = Arc::new(ManualClock::new(DateTime::from_timestamp_millis(jst(10, 0)).unwrap()));
    let r = rig_with(1_203, clock.clone(), fast(), false).await;
    let e = &r.engine;
    let notice = request("休診", &["本日は臨時休診です"], Audience::All, Purpose::Operational);
    let pid = e.create_broadcast(&r.owner, &notice).await.unwrap();
    assert!(e.deliver_next().await.unwrap());
    assert_eq!(
        copies(&r.sb, &r.users).iter().sum::<usize>(),
        500,
        "one batch went out on the sandbox"
    );

    // The clinic connects its real LINE account in the middle of the send.
    e.save_channel(
        &r.owner,
        engine::channel::ChannelInput {
            mode: engine::channel::MODE_LINE,
            channel_id: "2000000001",
            channel_secret: "0123456789abcdef0123456789abcdef",
            access_token: "a-real-token",
        },
    )
    .await
    .unwrap();
    clock.set(DateTime::from_timestamp_millis(jst(10, 1)).unwrap());
    while e.deliver_next().await.unwrap() {}
    let row = e.broadcast_view(&r.owner, &pid).await.unwrap().row;
    assert_eq!((row.status, row.reason.as_str()), (BroadcastStatus::Stopped, "channel_changed"));
    assert_eq!(row.delivered, 500);
    assert_eq!(
        copies(&r.sb, &r.users).iter().sum::<usize>(),
        500,
        "nothing more on the old channel"
    );
    let quota = e.quota_status(r.owner.clinic_id).await.unwrap();
    assert_eq!((quota.used, quota.reserved), (500, 0), "the rest of the reservation is given back");
}

#[tokio::test]
async fn pause_resume_and_cancel_keep_the_ledger_exact() {
    let r = rig(1_500).await;
    let e = &r.engine;
    let pid = e.create_broadcast(&r.marketer, &to_all("一時停止")).await.unwrap();
    e.pause_broadcast(&r.marketer, &pid).await.unwrap();
    assert!(!e.deliver_next().await.unwrap(), "a paused send is not taken");
    assert!(matches!(
        e.pause_broadcast(&r.marketer, &pid).await,
        Err(EngineError::BroadcastState)
    ));
    e.resume_broadcast(&r.marketer, &pid).await.unwrap();
    assert!(e.deliver_next().await.unwrap());
    e.cancel_broadcast(&r.marketer, &pid).await.unwrap();
    assert!(!e.deliver_next().await.unwrap(), "nothing more after cancelling");
    let row = e.broadcast_view(&r.owner, &pid).await.unwrap().row;
    assert_eq!((row.status, row.delivered, row.total), (BroadcastStatus::Cancelled, 500, 1_500));
    assert!(row.finished_at.is_some());
    let quota = e.quota_status(r.owner.clinic_id).await.unwrap();
    assert_eq!((quota.used, quota.reserved), (500, 0), "the unsent 1,000 were given back");
    assert_eq!(copies(&r.sb, &r.users).iter().sum::<usize>(), 500);
    // A viewer may look but not act.
    let viewer = {
        let out = e.login("viewer@sakura.example", "sakura-viewer-2026", "10.1.1.1").await.unwrap();
        e.authenticate(&out.token).await.unwrap()
    };
    assert!(e.broadcast_view(&viewer, &pid).await.is_ok());
    assert!(matches!(
        e.create_broadcast(&viewer, &to_all("x")).await,
        Err(EngineError::Forbidden)
    ));
}

#[tokio::test]
async fn bad_messages_and_audiences_are_refused_with_nothing_stored() {
    let r = rig(2).await;
    let e = &r.engine;
    let long = "あ".repeat(5001);
    let too_long = request("長文", &[&long], Audience::All, Purpose::Marketing);
    assert!(matches!(e.create_broadcast(&r.marketer, &too_long).await, Err(EngineError::InvalidBundle(p)) if p[0].at == "bubbles.0.text"));
    let six = request("6通", &["1", "2", "3", "4", "5", "6"], Audience::All, Purpose::Marketing);
    assert!(matches!(
        e.create_broadcast(&r.marketer, &six).await,
        Err(EngineError::InvalidBundle(_))
    ));
    let nobody = request("x", &["x"], Audience::Tags { tags: vec![], all: false }, Purpose::Marketing);
    assert!(matches!(
        e.create_broadcast(&r.marketer, &nobody).await,
        Err(EngineError::EmptyAudience)
    ));
    let list = request(
        "x",
        &["x"],
        Audience::Patients {
            numbers: vec!["P000001".into(), "999".into()],
        },
        Purpose::Operational,
    );
    let estimate = e.estimate_broadcast(&r.marketer, &list).await.unwrap();
    assert_eq!(
        (estimate.recipients, estimate.unknown_numbers.clone()),
        (1, vec!["999".to_string()])
    );
    assert!(e.db_for_tests().broadcasts(r.owner.clinic_id, 10).await.unwrap().is_empty());
}

/// An automation that pushes a thank-you when the tag 健診予約 is added;
/// the tag's ID and the rig's friends' IDs.
async fn thank_you_push_on_tag(r: &Rig) -> (String, Vec<String>) {
    let e = &r.engine;
    let tag = e.create_tag(&r.owner, &engine::tags::TagInput::plain("健診予約")).await.unwrap();
    let automation = model::automation::Automation {
        trigger: model::automation::Trigger::TagAdded {
            tag: tag.public_id.clone(),
        },
        condition: None,
        actions: vec![model::automation::Action::Push {
            text: "健診のご予約ありがとうございます".into(),
        }],
    };
    e.save_automation(&r.owner, None, "健診予約のお礼", &automation).await.unwrap();
    let mut friends = Vec::new();
    for u in &r.users {
        friends.push(
            e.db_for_tests()
                .friend_by_line_user(r.owner.clinic_id, u)
                .await
                .unwrap()
                .unwrap()
                .public_id,
        );
    }
    (tag.public_id, friends)
}

#[tokio::test]
async fn a_push_given_up_unanswered_gives_its_message_back() {
    let clock = Arc::new(ManualClock::new(DateTime::from_timestamp_millis(jst(10, 0)).unwrap()));
    let r = rig_with(1, clock.clone(), fast(), true).await;
    let e = &r.engine;
    let (tag, friends) = thank_you_push_on_tag(&r).await;
    r.sb.set_faults(sandbox::Faults {
        server_error_rate: 1.0,
        ..Default::default()
    });
    e.set_tag(&r.owner, &tag, &friends, true).await.unwrap();
    e.process_automations(10).await.unwrap();
    // LINE answers 500: the push may yet go out, so its message stays reserved.
    assert_eq!(e.quota_status(r.owner.clinic_id).await.unwrap().reserved, 1);
    assert_eq!(e.recent_automation_runs(&r.owner, 5).await.unwrap()[0].status, "running");
    // Past the 15 minutes an automation keeps trying: failed, and given back.
    clock.advance(chrono::Duration::minutes(16));
    e.process_automations(10).await.unwrap();
    let runs = e.recent_automation_runs(&r.owner, 5).await.unwrap();
    assert_eq!((runs[0].status.as_str(), runs[0].error.as_str()), ("failed", "line_server_error"));
    let quota = e.quota_status(r.owner.clinic_id).await.unwrap();
    assert_eq!((quota.used, quota.reserved), (0, 0));
    assert_eq!(r.sb.usage(&r.channel).unwrap(), 0, "LINE sent nothing");
}

#[tokio::test]
async fn an_automations_push_is_counted_in_the_ledger_once() {
    let r = rig(3).await;
    let e = &r.engine;
    let (tag, friends) = thank_you_push_on_tag(&r).await;
    e.set_tag(&r.owner, &tag, &friends, true).await.unwrap();
    while e.process_automations(10).await.unwrap() > 0 {}
    let quota = e.quota_status(r.owner.clinic_id).await.unwrap();
    assert_eq!(quota.used, 3, "each push counted");
    assert_eq!(r.sb.usage(&r.channel).unwrap(), 3);
    assert_eq!(quota.reserved, 0, "each reservation settled");
    // A push resumed after a crash finds its own reservation, and settles once.
    let (clinic, month) = (r.owner.clinic_id, model::broadcast::jst_month(e.now_ms()));
    assert!(e
        .db_for_tests()
        .reserve_single_send(clinic, &month, "push:k", Some(5_000), 0)
        .await
        .unwrap());
    assert!(e
        .db_for_tests()
        .reserve_single_send(clinic, &month, "push:k", Some(5_000), 0)
        .await
        .unwrap());
    assert_eq!(e.quota_status(clinic).await.unwrap().reserved, 1);
    e.db_for_tests().settle_single_send(clinic, "push:k", true, 0).await.unwrap();
    e.db_for_tests().settle_single_send(clinic, "push:k", true, 0).await.unwrap();
    let quota = e.quota_status(clinic).await.unwrap();
    assert_eq!((quota.used, quota.reserved), (4, 0));

    // A month with nothing left: the push is refused before LINE is called.
    r.sb.set_plan(&r.channel, Plan::Free, Some(200)).unwrap();
    e.reconcile_quota(clinic).await.unwrap();
    let sent_before = r.sb.ledger().len();
    e.set_tag(&r.owner, &tag, &friends[..1], false).await.unwrap();
    e.set_tag(&r.owner, &tag, &friends[..1], true).await.unwrap();
    while e.process_automations(10).await.unwrap() > 0 {}
    assert_eq!(r.sb.ledger().len(), sent_before, "nothing went to LINE");
    assert_eq!(r.sb.usage(&r.channel).unwrap(), 200);
    let runs = e.recent_automation_runs(&r.owner, 20).await.unwrap();
    assert!(runs.iter().any(|run| run.error == "quota_shortfall"), "the run says why");
    assert_eq!(e.quota_status(clinic).await.unwrap().reserved, 0, "nothing left reserved");
}

#[tokio::test]
async fn templates_are_kept_in_folders_and_only_valid_ones_are_saved() {
    let r = rig(0).await;
    let e = &r.engine;
    let bundle = Bundle::texts(&["インフルエンザ予防接種の予約を受け付けています"]);
    e.save_template(&r.marketer, "予防接種", "インフル案内", &bundle).await.unwrap();
    e.save_template(&r.marketer, "", "休診", &Bundle::texts(&["本日は休診です"]))
        .await
        .unwrap();
    // The same folder and name replaces.
    let newer = Bundle::texts(&["インフルエンザ予防接種の予約は12月まで"]);
    e.save_template(&r.marketer, "予防接種", "インフル案内", &newer).await.unwrap();
    let list = e.list_templates(&r.owner).await.unwrap();
    let names: Vec<(&str, &str)> = list.iter().map(|x| (x.folder.as_str(), x.name.as_str())).collect();
    assert_eq!(names, vec![("", "休診"), ("予防接種", "インフル案内")]);
    assert_eq!(list[1].bundle, newer);
    let long = "あ".repeat(5001);
    assert!(matches!(
        e.save_template(&r.marketer, "", "長すぎ", &Bundle::texts(&[&long])).await,
        Err(EngineError::InvalidBundle(_))
    ));
    let viewer = {
        let out = e.login("viewer@sakura.example", "sakura-viewer-2026", "10.1.1.1").await.unwrap();
        e.authenticate(&out.token).await.unwrap()
    };
    assert!(matches!(
        e.save_template(&viewer, "", "x", &bundle).await,
        Err(EngineError::Forbidden)
    ));
    e.delete_template(&r.marketer, &list[0].id).await.unwrap();
    assert_eq!(e.list_templates(&r.owner).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_display_name_makes_one_push_each_and_a_resumed_batch_sends_none_twice() {
    let r = rig(3).await;
    let e = &r.engine;
    let personal = request("お名前入り", &["{表示名}様、健診のご案内です"], Audience::All, Purpose::Operational);
    let pid = e.create_broadcast(&r.owner, &personal).await.unwrap();
    // The first push of the batch reached LINE before a crash.
    let b = e.db_for_tests().claim_batch(e.now_ms(), e.now_ms() - 1).await.unwrap().unwrap();
    let to: Vec<String> = serde_json::from_str(&b.recipients).unwrap();
    let client = e.line_client(r.owner.clinic_id).await.unwrap();
    let first = engine::line_messages::to_line_messages(&Bundle::texts(&["患者 0様、健診のご案内です"]), "");
    let key = engine::crypto::derived_uuid(&b.retry_key, 0);
    client
        .push(
            &to[0],
            &first,
            &line::SendOptions {
                retry_key: Some(&key),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let row = deliver_until_final(&[e], &r.owner, &pid).await;
    assert_eq!((row.status, row.delivered), (BroadcastStatus::Done, 3));
    for (k, u) in r.users.iter().enumerate() {
        let got = r.sb.received(u);
        assert_eq!(got.len(), 1, "one copy each");
        assert_eq!(got[0].via, "push");
        assert_eq!(got[0].messages[0]["text"], format!("患者 {k}様、健診のご案内です"));
    }
    assert_eq!(e.quota_status(r.owner.clinic_id).await.unwrap().used, 3);
}

#[tokio::test]
async fn a_marketer_links_their_own_line_with_a_code_and_gets_a_test_send() {
    let r = rig(1).await;
    let e = &r.engine;
    let bundle = Bundle::texts(&["{表示名}さん、テスト配信です"]);
    assert!(matches!(e.test_send(&r.marketer, &bundle).await, Err(EngineError::NotLinked)));
    let (code, _) = e.start_staff_link(&r.marketer).await.unwrap();
    assert_eq!(code.len(), 8);
    // The marketer, as a friend of the clinic's account, writes the code.
    let write = |text: String, id: &str| {
        format!(
            r#"{{"destination":"U0123456789abcdef0123456789abcdef","events":[{{"type":"message","message":{{"type":"text","id":"{id}","text":"{text}","quoteToken":"q"}},"timestamp":{},"mode":"active","webhookEventId":"01JTEST{id}","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{}"}},"replyToken":"r{id}"}}]}}"#,
            e.now_ms(),
            r.users[0]
        )
    };
    let (secret, _) = e.channel_credentials(r.owner.clinic_id).await.unwrap();
    let wrong = write("12345678".into(), "1");
    e.ingest_webhook(&r.channel, wrong.as_bytes(), Some(&line::sign(&secret, wrong.as_bytes())))
        .await
        .unwrap();
    e.process_webhooks(10).await.unwrap();
    assert!(
        !e.staff_link(&r.marketer).await.unwrap().linked || code == "12345678",
        "a wrong code links nobody"
    );
    let right = write(code.clone(), "2");
    e.ingest_webhook(&r.channel, right.as_bytes(), Some(&line::sign(&secret, right.as_bytes())))
        .await
        .unwrap();
    e.process_webhooks(10).await.unwrap();
    let link = e.staff_link(&r.marketer).await.unwrap();
    assert!(link.linked && link.code.is_none(), "linked, and the code is used up");
    assert!(!e.staff_link(&r.owner).await.unwrap().linked, "only the one who asked");

    e.test_send(&r.marketer, &bundle).await.unwrap();
    let got = r.sb.received(&r.users[0]);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].via, "push");
    assert_eq!(got[0].messages[0]["text"], "患者 0さん、テスト配信です");
    assert_eq!(e.quota_status(r.owner.clinic_id).await.unwrap().used, 1, "a test send counts");
}

#[tokio::test]
async fn an_uploaded_picture_and_a_line_emoji_go_out_as_line_takes_them_and_uploads_only_over_https() {
    let r = rig(3).await;
    let engine = r.engine.clone().with_public_url("http://127.0.0.1:3000/");
    let viewer = engine
        .authenticate(
            &engine
                .login("viewer@sakura.example", "sakura-viewer-2026", "10.1.1.1")
                .await
                .unwrap()
                .token,
        )
        .await
        .unwrap();
    assert!(matches!(
        engine.upload_image(&viewer, &common::TINY_PNG).await,
        Err(EngineError::Forbidden)
    ));
    assert!(matches!(
        engine.upload_image(&r.marketer, b"GIF89a\x01\x00\x01\x00").await,
        Err(EngineError::Image(media::Refusal::NotJpegOrPng))
    ));
    let up = engine.upload_image(&r.marketer, &common::TINY_PNG).await.unwrap();
    assert_eq!((up.width, up.height, up.bytes), (1, 1, 70));
    assert_eq!(
        engine.media_file(&up.token, false).await.unwrap(),
        ("image/png".to_string(), common::TINY_PNG.to_vec())
    );
    assert_eq!(
        engine.media_file(&up.token, true).await.unwrap().1,
        common::TINY_PNG.to_vec(),
        "its own preview"
    );

    let path = format!("/media/{}", up.token);
    let picture = model::message::Bubble::Image {
        url: path.clone(),
        preview_url: format!("{path}/preview"),
    };
    let mut req = to_all("ポスター");
    req.bundle.bubbles.insert(0, picture);
    // With a LINE emoji, which goes out as LINE's `$` and its index.
    req.bundle.bubbles[1] = model::message::Bubble::Text {
        text: "🍎{絵文字:001}12月の休診日".into(),
    };
    // The sandbox is LINE: it takes plain http only from a local demo.
    r.sb.accept_plain_http_images_from(Some("http://127.0.0.1:3000".into()));
    let pid = engine.create_broadcast(&r.marketer, &req).await.unwrap();
    let row = deliver_until_final(&[&engine], &r.owner, &pid).await;
    assert_eq!((row.status, row.delivered), (BroadcastStatus::Done, 3));
    let got = r.sb.received(&r.users[0]);
    assert_eq!(got[0].messages[0]["type"], "image");
    assert_eq!(got[0].messages[0]["originalContentUrl"], format!("http://127.0.0.1:3000{path}"));
    assert_eq!(
        got[0].messages[0]["previewImageUrl"],
        format!("http://127.0.0.1:3000{path}/preview")
    );
    assert_eq!(got[0].messages[1]["text"], "🍎$12月の休診日");
    assert_eq!(
        got[0].messages[1]["emojis"],
        serde_json::json!([{"index": 2, "productId": model::emoji::STANDARD_PRODUCT, "emojiId": "001"}])
    );

    // A clinic on the real LINE: a plain-http server cannot send uploads.
    let secret = engine.secrets.seal_for(
        engine::crypto::SealedAt::channel_secret(r.owner.clinic_id),
        b"0123456789abcdef0123456789abcdef",
    );
    engine
        .db_for_tests()
        .put_channel(r.owner.clinic_id, "line", "2000000001", &secret, None, engine.now_ms(), None)
        .await
        .unwrap();
    let before = engine.list_broadcasts(&r.owner, 100).await.unwrap().len();
    assert!(matches!(
        engine.create_broadcast(&r.marketer, &req).await,
        Err(EngineError::PicturesNeedHttps)
    ));
    assert_eq!(engine.list_broadcasts(&r.owner, 100).await.unwrap().len(), before, "nothing stored");
}
