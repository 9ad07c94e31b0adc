//! Shared by the server's integration tests.

use app::ssr::ServerContext;
use engine::Engine;

/// The whole HTTP surface over `engine`, as served at `public_url`.
#[allow(dead_code)]
pub fn router_for(engine: Engine, public_url: &str) -> axum::Router {
    router_with_site(engine, public_url, "target/site")
}

/// `router_for`, serving the built site from `site_root`.
#[allow(dead_code)]
pub fn router_with_site(engine: Engine, public_url: &str, site_root: &str) -> axum::Router {
    let ctx = ServerContext {
        engine,
        secure_cookies: false,
        trusted_proxies: 0,
        public_url: public_url.into(),
    };
    server::router(ctx, server::leptos_options(site_root, "127.0.0.1:3000".parse().unwrap()))
}

/// A valid 1×1 PNG: the smallest picture LINE would take.
#[allow(dead_code)]
pub const TINY_PNG: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63,
    0x64, 0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02, 0x87, 0x01, 0x80, 0xeb, 0x47, 0xba, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
];

/// A port nothing listens on yet.
#[allow(dead_code)]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The real `yorisoi` binary serving `db_url` at `addr`, talking to the
/// sandbox at `sandbox_url`, with short leases and timeouts for tests.
#[allow(dead_code)]
pub fn start_yorisoi(db_url: &str, key: &str, sandbox_url: &str, data_dir: &std::path::Path, addr: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_yorisoi"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("YORISOI_DATABASE_URL", db_url)
        .env("YORISOI_SECRET_KEY", key)
        .env("YORISOI_ADDR", addr)
        .env("YORISOI_SANDBOX_URL", sandbox_url)
        .env("YORISOI_DATA_DIR", data_dir)
        .env("YORISOI_DELIVERY_WORKERS", "3")
        .env("YORISOI_DELIVERY_LEASE_MS", "2500")
        .env("YORISOI_LINE_TIMEOUT_MS", "800")
        .env("YORISOI_LOG", "error")
        .current_dir(data_dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the yorisoi binary starts")
}

/// A seeded engine on a fresh database, on a clock the test moves from
/// `start_ms`, its demo clinic connected to an in-process sandbox served
/// over real HTTP.
#[allow(dead_code)]
pub async fn sandbox_engine(start_ms: i64) -> (Engine, std::sync::Arc<engine::ManualClock>, sandbox::Sandbox) {
    let db = store::testing::fresh_db().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sb_base = format!("http://{}", listener.local_addr().unwrap());
    let clock = std::sync::Arc::new(engine::ManualClock::new(chrono::DateTime::from_timestamp_millis(start_ms).unwrap()));
    let endpoints = engine::LineEndpoints {
        api_base: "http://127.0.0.1:9".into(),
        data_base: "http://127.0.0.1:9".into(),
        sandbox_base: Some(sb_base),
        sandbox_token: None,
        webhook_base: None,
    };
    let key = engine::SecretBox::from_base64(&engine::SecretBox::generate_key()).unwrap();
    let engine = Engine::new(db, clock.clone(), key).with_line_endpoints(endpoints);
    engine.seed_demo_if_empty().await.unwrap();
    let sb = sandbox::Sandbox::new();
    server::sandbox_link::link(&engine, &sb, "http://127.0.0.1:9").await.unwrap();
    let router = sb.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (engine, clock, sb)
}

/// One LINE webhook event from `user` to the actor's clinic — `fields` are
/// its type's JSON members (`"type":"follow","follow":{…}`) — signed with
/// the clinic's secret as LINE signs, stored and processed.
#[allow(dead_code)]
pub async fn line_event(engine: &Engine, clinic: &engine::Actor, user: &str, event_id: &str, fields: &str) {
    let body = format!(
        r#"{{"destination":"U0123456789abcdef0123456789abcdef","events":[{{{fields},"timestamp":{},"mode":"active","webhookEventId":"{event_id}","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{user}"}},"replyToken":"r{event_id}"}}]}}"#,
        engine.now_ms()
    );
    let (secret, _) = engine.channel_credentials(clinic.clinic_id).await.unwrap();
    engine
        .ingest_webhook(
            &clinic.clinic_public_id,
            body.as_bytes(),
            Some(&line::sign(&secret, body.as_bytes())),
        )
        .await
        .unwrap();
    engine.process_webhooks(50).await.unwrap();
}
