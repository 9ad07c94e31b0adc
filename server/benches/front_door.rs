//! `make bench`: the front door measured from outside, the way LINE and a
//! clinic's browsers see it: the release `yorisoi` binary in a process of
//! its own, driven over keep-alive HTTP/1.1 connections by a small client
//! in this process (both share this machine's cores, as they would share a
//! small server).
//!
//! - Webhook ingest (SPEC §15): 32 connections POSTing signed bodies of 1
//!   and of 10 events; events/s, p50/p99 of the acknowledgement, and the
//!   rate the worker applies stored events (during the load and after it).
//!   Goals: ≥ 10,000 events/s at 1 per POST with p99 < 50 ms, ≥ 30,000/s
//!   at 10 per POST, applying ≥ 5,000/s. The full-speed runs show how the
//!   worker fares while the intake takes both cores; a third run sends a
//!   steady 5,000 events/s and shows whether the worker keeps up with it.
//! - Page speed: the friend list and the dashboard rendered on the server
//!   for 50 signed-in users at once (goal p50 < 20 ms).
//! - Tracked links (SPEC §10): 200 patients clicking at once, each GET
//!   recorded and redirected; p50/p99 (goal: the redirect at once, < 10 ms
//!   of server time).
//!
//! SQLite always; PostgreSQL when reachable (YORISOI_TEST_DATABASE_URL).

use engine::{Engine, SecretBox, SystemClock};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const SECRET: &str = "bench-channel-secret";
const WEBHOOK_CONNECTIONS: usize = 32;
const PAGE_USERS: usize = 50;
const CLICKERS: usize = 200;
const LOAD: Duration = Duration::from_secs(8);
/// Events per second the webhook worker must keep up with (SPEC §15).
const APPLY_GOAL: u32 = 5_000;
/// How long the worker is watched after the load stops.
const DRAIN_WATCH: Duration = Duration::from_secs(15);

/// A fresh database with the demo clinic, its channel under a known secret,
/// and the binary serving it.
struct Served {
    child: std::process::Child,
    addr: String,
    db: store::Db,
    engine: Engine,
    clinic_public_id: String,
    _dir: TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn serve(backend: &str) -> Result<Served, String> {
    std::env::set_var("YORISOI_TEST_BACKEND", backend);
    let (db, _, url) = store::testing::fresh_db_pair_sized(4).await.map_err(|e| e.to_string())?;
    let key = SecretBox::generate_key();
    let engine = Engine::new(db.clone(), Arc::new(SystemClock), SecretBox::from_base64(&key).unwrap());
    engine.seed_demo_if_empty().await.map_err(|e| e.to_string())?;
    let owner = db.user_by_email("owner@sakura.example").await.unwrap().unwrap();
    let clinic = db.memberships_of(owner.id).await.unwrap().remove(0);
    engine
        .connect_channel(clinic.clinic_id, engine::channel::MODE_SANDBOX, SECRET, Some("token"))
        .await
        .map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("yorisoi-bench-{}-{}", std::process::id(), backend));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let site_root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_yorisoi"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("YORISOI_DATABASE_URL", &url)
        .env("YORISOI_SECRET_KEY", &key)
        .env("YORISOI_ADDR", &addr)
        .env("YORISOI_DATA_DIR", &dir)
        .env("YORISOI_SITE_ROOT", &site_root)
        .env("YORISOI_LOG", "error")
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .map_err(|e| format!("starting yorisoi: {e}"))?;
    let served = Served {
        child,
        addr,
        db,
        engine,
        clinic_public_id: clinic.clinic_public_id,
        _dir: TempDir(dir),
    };
    for _ in 0..200 {
        if let Ok(mut c) = Conn::open(&served.addr).await {
            if matches!(c.send(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n").await, Ok((200, _))) {
                return Ok(served);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("yorisoi did not answer /healthz".into())
}

/// One keep-alive HTTP/1.1 connection, read just enough to know where each
/// response ends (Content-Length or chunked).
struct Conn {
    stream: BufReader<TcpStream>,
    line: String,
}

impl Conn {
    async fn open(addr: &str) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream: BufReader::new(stream),
            line: String::new(),
        })
    }

    /// Sends one request; the response's status and body length.
    async fn send(&mut self, request: &[u8]) -> std::io::Result<(u16, usize)> {
        self.stream.get_mut().write_all(request).await?;
        self.line.clear();
        self.stream.read_line(&mut self.line).await?;
        let status: u16 = self.line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let (mut length, mut chunked) = (0usize, false);
        loop {
            self.line.clear();
            if self.stream.read_line(&mut self.line).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let l = self.line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut body = 0;
        if chunked {
            loop {
                self.line.clear();
                self.stream.read_line(&mut self.line).await?;
                let size = usize::from_str_radix(self.line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
                let mut skip = vec![0; size + 2];
                self.stream.read_exact(&mut skip).await?;
                body += size;
                if size == 0 {
                    break;
                }
            }
        } else {
            let mut skip = vec![0; length];
            self.stream.read_exact(&mut skip).await?;
            body = length;
        }
        Ok((status, body))
    }
}

/// What a closed-loop load of some duration saw.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    failures: usize,
    elapsed: Duration,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        self.failures += other.failures;
    }

    fn per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile_ms(&mut self, p: f64) -> f64 {
        self.latencies_us.sort_unstable();
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        f64::from(self.latencies_us[i]) / 1000.0
    }
}

/// `connections` clients, each sending `request(connection, n)` as soon as
/// its previous answer came (or, with `every`, at most once per `every`),
/// for `LOAD`; an answer of `ok` is a success.
async fn hammer<F>(addr: &str, connections: usize, ok: u16, every: Option<Duration>, request: F) -> Tally
where
    F: Fn(usize, u64) -> Vec<u8> + Send + Sync + 'static,
{
    let request = Arc::new(request);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut clients = Vec::new();
    for c in 0..connections {
        let (request, stop, addr) = (request.clone(), stop.clone(), addr.to_string());
        clients.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut conn = Conn::open(&addr).await.expect("connects");
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                if let Some(every) = every {
                    tokio::time::sleep_until((started + every * n as u32).into()).await;
                }
                let bytes = request(c, n);
                n += 1;
                let t = Instant::now();
                match conn.send(&bytes).await {
                    Ok((status, _)) if status == ok => tally.latencies_us.push(t.elapsed().as_micros() as u32),
                    Ok(_) => tally.failures += 1,
                    Err(_) => {
                        tally.failures += 1;
                        conn = Conn::open(&addr).await.expect("reconnects");
                    }
                }
            }
            tally
        }));
    }
    tokio::time::sleep(LOAD).await;
    stop.store(true, Ordering::Relaxed);
    let mut total = Tally::default();
    for c in clients {
        total.merge(c.await.unwrap());
    }
    total.elapsed = started.elapsed();
    total
}

/// A signed POST of `per_post` events from LINE: mostly text messages,
/// every tenth a follow, from 5,000 different people.
fn webhook_post(clinic: &str, connection: usize, n: u64, per_post: usize) -> Vec<u8> {
    let now = chrono::Utc::now().timestamp_millis();
    let events: Vec<String> = (0..per_post)
        .map(|i| {
            let seq = n * per_post as u64 + i as u64;
            let id = format!("01BENCH{connection:04}{seq:015}");
            let user = format!("U{:032x}", 0xbe000 + (seq * 31 + connection as u64) % 5000);
            let body = if seq.is_multiple_of(10) {
                r#""type":"follow","follow":{"isUnblocked":false},"replyToken":"r""#.to_string()
            } else {
                format!(r#""type":"message","replyToken":"r","message":{{"type":"text","id":"{id}","quoteToken":"q","text":"予約の変更をお願いします {seq}"}}"#)
            };
            format!(
                r#"{{"timestamp":{now},"mode":"active","webhookEventId":"{id}","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{user}"}},{body}}}"#
            )
        })
        .collect();
    let body = format!(
        r#"{{"destination":"U0123456789abcdef0123456789abcdef","events":[{}]}}"#,
        events.join(",")
    );
    let signature = line::sign(SECRET, body.as_bytes());
    let mut request = format!(
        "POST /line/webhook/{clinic} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json; charset=utf-8\r\nUser-Agent: LineBotWebhook/2.0\r\nX-Line-Signature: {signature}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body.as_bytes());
    request
}

/// Webhook ingest at full speed (`pace` None), or at `pace` events/s
/// spread over the connections: can the worker keep up with that rate?
async fn webhook(backend: &str, per_post: usize, pace: Option<u32>) {
    let served = match serve(backend).await {
        Ok(s) => s,
        Err(e) => {
            println!("  {backend}: skipped ({e})");
            return;
        }
    };
    let clinic = served.clinic_public_id.clone();
    let before = served.db.inbox_backlog().await.unwrap();
    let every = pace.map(|p| Duration::from_secs_f64((WEBHOOK_CONNECTIONS * per_post) as f64 / p as f64));
    let mut tally = hammer(&served.addr, WEBHOOK_CONNECTIONS, 200, every, move |c, n| {
        webhook_post(&clinic, c, n, per_post)
    })
    .await;
    let stored = tally.latencies_us.len() * per_post;
    let backlog = served.db.inbox_backlog().await.unwrap() - before;
    let applied_during = stored as i64 - backlog;
    // The worker keeps going; watch it empty the backlog.
    let watch = Instant::now();
    let mut left = backlog;
    while left > 0 && watch.elapsed() < DRAIN_WATCH {
        tokio::time::sleep(Duration::from_millis(200)).await;
        left = served.db.inbox_backlog().await.unwrap() - before;
    }
    let drained = backlog - left;
    let drain_rate = drained as f64 / watch.elapsed().as_secs_f64();
    let paced = pace.map_or(String::new(), |p| format!(" paced at {p} events/s:"));
    println!(
        "  {backend:<8} {per_post:>2}/POST{paced}  {:>7.0} events/s  ({:>6.0} POST/s)  p50 {:>6.1} ms  p99 {:>6.1} ms  failed {}",
        tally.per_second() * per_post as f64,
        tally.per_second(),
        tally.percentile_ms(0.50),
        tally.percentile_ms(0.99),
        tally.failures,
    );
    println!(
        "           applied {:>7.0} events/s during the load; backlog {backlog} at its end, then {}",
        applied_during as f64 / tally.elapsed.as_secs_f64(),
        if backlog == 0 {
            "nothing to drain".to_string()
        } else {
            format!(
                "{drain_rate:.0} events/s after it ({} left after {:.0} s)",
                left,
                watch.elapsed().as_secs_f64()
            )
        },
    );
}

async fn pages(backend: &str) {
    let served = match serve(backend).await {
        Ok(s) => s,
        Err(e) => {
            println!("  {backend}: skipped ({e})");
            return;
        }
    };
    let owner = served.db.user_by_email("owner@sakura.example").await.unwrap().unwrap();
    let clinic = served.db.memberships_of(owner.id).await.unwrap().remove(0).clinic_id;
    let users: Vec<String> = (0..1000).map(|i| format!("U{:032x}", 0xf0000 + i)).collect();
    served.db.insert_friends_for_tests(clinic, "p", &users).await.unwrap();
    let mut cookies = Vec::new();
    for i in 0..PAGE_USERS {
        let out = served
            .engine
            .login(
                "owner@sakura.example",
                "sakura-owner-2026",
                &format!("10.1.{}.{}", i / 200, i % 200),
            )
            .await
            .expect("the demo owner signs in");
        cookies.push(format!("{}={}", app::ssr::SESSION_COOKIE, out.token));
    }
    let cookies = Arc::new(cookies);
    for (name, path) in [("friend list", "/friends"), ("dashboard", "/")] {
        let cookies = cookies.clone();
        let mut tally = hammer(&served.addr, PAGE_USERS, 200, None, move |c, _| {
            format!(
                "GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: text/html\r\nAccept-Language: ja\r\nCookie: {}\r\n\r\n",
                cookies[c]
            )
            .into_bytes()
        })
        .await;
        println!(
            "  {backend:<8} {name:<12} {:>6.0} pages/s  p50 {:>6.1} ms  p99 {:>6.1} ms  failed {}",
            tally.per_second(),
            tally.percentile_ms(0.50),
            tally.percentile_ms(0.99),
            tally.failures,
        );
    }
}

/// 200 patients clicking their own tracked links at once (each click a
/// recorded row and a 302), over 1,000 friends and 3 links.
async fn clicks(backend: &str) {
    let served = match serve(backend).await {
        Ok(s) => s,
        Err(e) => {
            println!("  {backend}: skipped ({e})");
            return;
        }
    };
    let owner = served.db.user_by_email("owner@sakura.example").await.unwrap().unwrap();
    let clinic = served.db.memberships_of(owner.id).await.unwrap().remove(0).clinic_id;
    let users: Vec<String> = (0..1000).map(|i| format!("U{:032x}", 0xc1000 + i)).collect();
    served.db.insert_friends_for_tests(clinic, "c", &users).await.unwrap();
    let mut friends = Vec::new();
    for u in &users {
        friends.push(served.db.friend_by_line_user(clinic, u).await.unwrap().unwrap().id);
    }
    let urls: Vec<String> = (0..3).map(|i| format!("https://clinic.example/page{i}")).collect();
    let links = served
        .db
        .tracked_link_ids(clinic, model::link::LinkSource::Broadcast, 1, &urls, 0)
        .await
        .unwrap();
    let paths: Arc<Vec<String>> = Arc::new(
        friends
            .iter()
            .enumerate()
            .map(|(i, f)| format!("/l/{}", served.engine.secrets.tracked_link_token(links[i % links.len()].1, *f)))
            .collect(),
    );
    let mut tally = hammer(&served.addr, CLICKERS, 302, None, move |c, n| {
        let path = &paths[(c * 5 + n as usize) % paths.len()];
        format!("GET {path} HTTP/1.1\r\nHost: bench\r\nUser-Agent: Mozilla/5.0 (iPhone) Line/14.1.0\r\n\r\n").into_bytes()
    })
    .await;
    let recorded = served
        .db
        .link_figures(clinic, model::link::LinkSource::Broadcast, 1)
        .await
        .unwrap()
        .iter()
        .map(|l| l.clicks)
        .sum::<i64>();
    println!(
        "  {backend:<8} {:>6.0} clicks/s  p50 {:>6.2} ms  p99 {:>6.2} ms  recorded {recorded} of {}  failed {}",
        tally.per_second(),
        tally.percentile_ms(0.50),
        tally.percentile_ms(0.99),
        tally.latencies_us.len(),
        tally.failures,
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    // `cargo bench -p server --bench front_door -- clicks` runs one part.
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    runtime.block_on(async {
        if runs("webhook") {
            println!(
                "Webhook ingest: {WEBHOOK_CONNECTIONS} connections, signed bodies, {} s each",
                LOAD.as_secs()
            );
            for backend in ["sqlite", "postgres"] {
                for per_post in [1, 10] {
                    webhook(backend, per_post, None).await;
                }
                // SPEC §15's other half: at a steady 5,000 events/s the
                // worker applies as fast as they come (no backlog grows).
                webhook(backend, 1, Some(APPLY_GOAL)).await;
            }
        }
        if runs("pages") {
            println!(
                "Pages rendered on the server: {PAGE_USERS} signed-in users at once, 1,000 friends, {} s each",
                LOAD.as_secs()
            );
            for backend in ["sqlite", "postgres"] {
                pages(backend).await;
            }
        }
        if runs("clicks") {
            println!("Tracked links: {CLICKERS} patients clicking at once, {} s each", LOAD.as_secs());
            for backend in ["sqlite", "postgres"] {
                clicks(backend).await;
            }
        }
    });
}
