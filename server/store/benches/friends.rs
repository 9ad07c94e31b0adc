//! `make bench`: the friend list at 1,000,000 friends, on SQLite and (when
//! reachable) PostgreSQL. Prints p50/p99 of each kind of page.

use std::time::{Duration, Instant};
use store::{Db, FriendFilter};

const FRIENDS: i64 = 1_000_000;
const RUNS: usize = 40;

async fn fill(db: &Db, clinic_id: i64) {
    let started = Instant::now();
    let base_time: i64 = 1_700_000_000_000;
    let family = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"];
    let kana = [
        "サトウ",
        "スズキ",
        "タカハシ",
        "タナカ",
        "イトウ",
        "ワタナベ",
        "ヤマモト",
        "ナカムラ",
        "コバヤシ",
        "カトウ",
    ];
    let chunk = 2_000;
    let mut i = 0;
    while i < FRIENDS {
        let rows: Vec<String> = (i..(i + chunk).min(FRIENDS))
            .map(|n| {
                let f = (n % 10) as usize;
                let status = if n % 23 == 0 { "blocked" } else { "active" };
                let t = base_time + n * 1000;
                format!(
                    "({clinic_id}, 'f{n:x}', 'U{n:032x}', '{} {n}', '{status}', {t}, {t}, '{:07}', '{} {n}')",
                    family[f], n, kana[f]
                )
            })
            .collect();
        db.execute_for_tests(&format!(
            "INSERT INTO friends (clinic_id, public_id, line_user_id, display_name, status, first_followed_at, created_at, patient_number, name_kana) VALUES {}",
            rows.join(",")
        ))
        .await
        .expect("insert friends");
        i += chunk;
    }
    println!("  filled {FRIENDS} friends in {:.1} s", started.elapsed().as_secs_f64());
}

/// Five tags on about 10–30% of the friends each (the segment bench's spread).
async fn tag(db: &Db) {
    let started = Instant::now();
    for (id, share) in [(1, 10), (2, 15), (3, 20), (4, 25), (5, 30)] {
        db.execute_for_tests(&format!(
            "INSERT INTO tags (id, clinic_id, public_id, name, color, created_at) VALUES ({id}, 1, 't{id}', 'tag {id}', '#0a7d5a', 0)"
        ))
        .await
        .expect("tag");
        db.execute_for_tests(&format!(
            "INSERT INTO friend_tags (friend_id, tag_id, clinic_id, applied_at) SELECT id, {id}, 1, 0 FROM friends WHERE (id * {}) % 100 < {share}",
            7 + id * 6
        ))
        .await
        .expect("friend tags");
    }
    println!("  tagged them (5 tags) in {:.1} s", started.elapsed().as_secs_f64());
}

/// The design the product does not use, measured for comparison: a
/// 5-condition segment ((tag 1 OR 2 OR 3) AND a date range AND active)
/// counted in SQL. The product counts with the in-memory index (`make
/// bench`'s segment figures).
async fn segment_by_sql(db: &Db) {
    let sql = "SELECT COUNT(*) FROM friends f WHERE f.clinic_id = 1 AND f.status = 'active' \
               AND f.first_followed_at >= 1700100000000 AND f.first_followed_at < 1700800000000 \
               AND EXISTS (SELECT 1 FROM friend_tags ft WHERE ft.friend_id = f.id AND ft.tag_id IN (1, 2, 3))";
    let mut times = Vec::with_capacity(10);
    for _ in 0..10 {
        let t = Instant::now();
        db.execute_for_tests(sql).await.expect("count");
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "  {:<44} p50 {:>8.2} ms   p99 {:>8.2} ms",
        "segment count, 5 conditions, in SQL",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn measure(db: &Db, label: &str, filter: FriendFilter) {
    let mut times = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        rows = db.list_friends(&filter).await.expect("query").len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "  {label:<44} p50 {:>8.2} ms   p99 {:>8.2} ms   ({rows} rows)",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
}

async fn run(backend: &str) {
    // SAFETY: single-threaded here, before any other code reads the environment.
    std::env::set_var("YORISOI_TEST_BACKEND", backend);
    println!("\nFriend list, {backend}, {FRIENDS} friends of one clinic:");
    let db = store::testing::fresh_db().await.expect("database");
    db.execute_for_tests("INSERT INTO organizations (id, public_id, name, created_at) VALUES (1, 'o1', 'bench', 0)")
        .await
        .expect("organization");
    db.execute_for_tests("INSERT INTO clinics (id, organization_id, public_id, name, created_at) VALUES (1, 1, 'c1', 'bench', 0)")
        .await
        .expect("clinic");
    fill(&db, 1).await;
    tag(&db).await;
    db.execute_for_tests("ANALYZE").await.expect("analyze");
    let page = |f: FriendFilter| FriendFilter {
        clinic_id: 1,
        limit: 51,
        ..f
    };
    measure(&db, "first page (newest 50)", page(FriendFilter::default())).await;
    measure(
        &db,
        "deep page (keyset, 900,000 down)",
        page(FriendFilter {
            before_id: Some(100_000),
            ..Default::default()
        }),
    )
    .await;
    measure(
        &db,
        "blocked only, first page",
        page(FriendFilter {
            status: Some("blocked".into()),
            ..Default::default()
        }),
    )
    .await;
    measure(
        &db,
        "added in a 1-day window",
        page(FriendFilter {
            followed_from: Some(1_700_000_000_000 + 500_000_000),
            followed_until: Some(1_700_000_000_000 + 500_086_400),
            ..Default::default()
        }),
    )
    .await;
    measure(
        &db,
        "search a common name (many match)",
        page(FriendFilter {
            search: Some("佐藤".into()),
            ..Default::default()
        }),
    )
    .await;
    measure(
        &db,
        "search a rare name (one match, full scan)",
        page(FriendFilter {
            search: Some("佐藤 123450".into()),
            ..Default::default()
        }),
    )
    .await;
    measure(
        &db,
        "search a patient number (in the list query)",
        page(FriendFilter {
            search: Some("0654321".into()),
            ..Default::default()
        }),
    )
    .await;
    measure(
        &db,
        "two tags, first page (SQL, as the list filters)",
        page(FriendFilter {
            tags: vec![1, 4],
            ..Default::default()
        }),
    )
    .await;
    segment_by_sql(&db).await;
    // What the product does first with a typed number: one index lookup.
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        db.friend_by_patient_number(1, "0654321").await.expect("lookup").expect("found");
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "  {:<44} p50 {:>8.2} ms   p99 {:>8.2} ms",
        "patient number, as the product looks it up",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(run("sqlite"));
    let pg = std::env::var("YORISOI_TEST_DATABASE_URL").unwrap_or_else(|_| store::testing::DEFAULT_TEST_POSTGRES.into());
    let reachable = rt.block_on(async { Db::connect_with(&pg, None, 1).await.is_ok() });
    if reachable {
        rt.block_on(run("postgres"));
    } else {
        println!("\nPostgreSQL not reachable at {pg}: skipped.");
    }
}
