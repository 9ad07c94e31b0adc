//! The whole path with real HTTP on both sides: a simulated person acts in
//! the sandbox → signed webhook → the product's inbox → the worker → the
//! friend, with their name fetched from the (sandbox's) profile API.

use app::ssr::ServerContext;
use engine::{Engine, LineEndpoints, SecretBox, SystemClock};
use sandbox::{PersonKind, Sandbox};
use std::sync::Arc;

async fn listen() -> (tokio::net::TcpListener, String) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    (l, base)
}

#[tokio::test]
async fn a_simulated_patient_follows_writes_and_blocks() {
    let db = store::testing::fresh_db().await.unwrap();
    let (sb_listener, sb_base) = listen().await;
    let (app_listener, app_base) = listen().await;
    let engine = Engine::new(
        db,
        Arc::new(SystemClock),
        SecretBox::from_base64(&SecretBox::generate_key()).unwrap(),
    )
    .with_line_endpoints(LineEndpoints {
        api_base: "http://127.0.0.1:9".into(),
        sandbox_base: Some(sb_base),
    });
    engine.seed_demo_if_empty().await.unwrap();

    let sb = Sandbox::new();
    server::sandbox_link::link(&engine, &sb, &app_base).await.unwrap();
    let sb_router = sb.router();
    tokio::spawn(async move { axum::serve(sb_listener, sb_router).await });
    let ctx = ServerContext {
        engine: engine.clone(),
        secure_cookies: false,
        trust_forwarded_for: false,
    };
    let router = server::router(
        ctx,
        server::leptos_options("target/site", "127.0.0.1:3000".parse().unwrap()),
        app_base.clone(),
    );
    tokio::spawn(async move { axum::serve(app_listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await });

    let owner = engine.db.user_by_email("owner@sakura.example").await.unwrap().unwrap();
    let clinic = engine.db.memberships_of(owner.id).await.unwrap().remove(0);
    let person = sb.add_person("テスト 花子", PersonKind::Patient);

    assert_eq!(sb.follow(&clinic.clinic_public_id, &person.user_id).await.unwrap(), 200);
    engine.process_webhooks(100).await.unwrap();
    let friend = engine
        .db
        .friend_by_line_user(clinic.clinic_id, &person.user_id)
        .await
        .unwrap()
        .expect("friend stored");
    assert_eq!(friend.status, "active");
    assert_eq!(friend.display_name, "テスト 花子", "name fetched from the profile API");

    sb.write(&clinic.clinic_public_id, &person.user_id, "明日の予約を変更したいです")
        .await
        .unwrap();
    sb.block(&clinic.clinic_public_id, &person.user_id).await.unwrap();
    engine.process_webhooks(100).await.unwrap();
    let friend = engine
        .db
        .friend_by_line_user(clinic.clinic_id, &person.user_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(friend.status, "blocked");
    let timeline = engine.db.friend_timeline(friend.id).await.unwrap();
    let kinds: Vec<&str> = timeline.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["follow", "message_in", "block"]);
    assert!(timeline[1].detail.contains("明日の予約を変更したいです"));

    // The second clinic's channel is a different channel: the person is not its friend.
    let second = engine.db.memberships_of(owner.id).await.unwrap().remove(1);
    assert!(engine
        .db
        .friend_by_line_user(second.clinic_id, &person.user_id)
        .await
        .unwrap()
        .is_none());
}
