//! `make bench`: the scheduler's queue at 1,000,000 active enrolments, on
//! SQLite and (when reachable) PostgreSQL. Prints p50/p99 of finding and
//! leasing one minute's due enrolments (goal p99 < 100 ms, SPEC §15 / issue
//! 14), and the rate at which the scheduler's own bookkeeping (claim, then
//! settle each enrolment with its next moment) gets through a backlog.

use std::time::{Duration, Instant};
use store::{Db, EnrolmentNext};

const ENROLMENTS: i64 = 1_000_000;
/// Spread over 30 days: about 23 due per minute.
const SPREAD_MINUTES: i64 = 30 * 24 * 60;
const START: i64 = 1_800_000_000_000;
const MINUTE: i64 = 60_000;

async fn fill(db: &Db) {
    let started = Instant::now();
    let chunk = 2_000;
    let mut i = 0;
    while i < ENROLMENTS {
        let friends: Vec<String> = (i..(i + chunk).min(ENROLMENTS))
            .map(|n| format!("(1, 'f{n:x}', 'U{n:032x}', 'bench {n}', 'active', 0, 0)"))
            .collect();
        db.execute_for_tests(&format!(
            "INSERT INTO friends (clinic_id, public_id, line_user_id, display_name, status, first_followed_at, created_at) VALUES {}",
            friends.join(",")
        ))
        .await
        .expect("friends");
        i += chunk;
    }
    // Each friend in one of three sequences, due somewhere in the month.
    db.execute_for_tests(&format!(
        "INSERT INTO enrolments (clinic_id, sequence_id, friend_id, enrolled_at, next_due_at, updated_at) \
         SELECT 1, 1 + (id % 3), id, {START}, {START} + ((id * 7919) % {SPREAD_MINUTES}) * {MINUTE}, 0 FROM friends"
    ))
    .await
    .expect("enrolments");
    println!("  filled {ENROLMENTS} enrolments in {:.1} s", started.elapsed().as_secs_f64());
}

fn percentile(times: &[Duration], p: f64) -> f64 {
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[i].as_secs_f64() * 1000.0
}

async fn run(backend: &str) {
    // SAFETY: single-threaded here, before any other code reads the environment.
    std::env::set_var("YORISOI_TEST_BACKEND", backend);
    println!("\nScheduler queue, {backend}, {ENROLMENTS} active enrolments:");
    let db = store::testing::fresh_db().await.expect("database");
    for sql in [
        "INSERT INTO organizations (id, public_id, name, created_at) VALUES (1, 'o1', 'bench', 0)",
        "INSERT INTO clinics (id, organization_id, public_id, name, created_at) VALUES (1, 1, 'c1', 'bench', 0)",
        "INSERT INTO sequences (id, clinic_id, public_id, name, starts_when, created_at, updated_at) VALUES (1, 1, 's1', 'a', '{\"kind\":\"manual\"}', 0, 0)",
        "INSERT INTO sequences (id, clinic_id, public_id, name, starts_when, created_at, updated_at) VALUES (2, 1, 's2', 'b', '{\"kind\":\"manual\"}', 0, 0)",
        "INSERT INTO sequences (id, clinic_id, public_id, name, starts_when, created_at, updated_at) VALUES (3, 1, 's3', 'c', '{\"kind\":\"manual\"}', 0, 0)",
    ] {
        db.execute_for_tests(sql).await.expect("setup");
    }
    fill(&db).await;
    db.execute_for_tests("ANALYZE").await.expect("analyze");

    // One minute at a time, as the scheduler meets them: find and lease
    // what is due (timed), then settle each for a month later (as a step
    // waiting for its next moment).
    let mut claims = Vec::new();
    let mut found = 0usize;
    let started = Instant::now();
    let minutes = 200;
    for m in 1..=minutes {
        let now = START + m * MINUTE;
        let t = Instant::now();
        let due = db.claim_due_enrolments(now, now + MINUTE, 1_000).await.expect("claim");
        claims.push(t.elapsed());
        found += due.len();
        for e in due {
            db.settle_enrolment(e.id, EnrolmentNext::At(now + SPREAD_MINUTES * MINUTE), now)
                .await
                .expect("settle");
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    claims.sort();
    println!(
        "  {:<44} p50 {:>8.2} ms   p99 {:>8.2} ms   ({} due in {minutes} minutes)",
        "find and lease one minute's due",
        percentile(&claims, 0.5),
        percentile(&claims, 0.99),
        found
    );
    println!(
        "  {:<44} {:>8.0} enrolments/s (the queue's own work, no LINE call)",
        "claim + settle, sustained",
        found as f64 / elapsed
    );

    // A backlog (after a downtime): 20,000 due at once, claimed in the
    // scheduler's batches of 200.
    db.execute_for_tests(&format!(
        "UPDATE enrolments SET next_due_at = {}, lease_until = NULL WHERE id % 50 = 0",
        START
    ))
    .await
    .expect("backlog");
    let now = START + 10 * MINUTE;
    let t = Instant::now();
    let mut n = 0;
    loop {
        let due = db.claim_due_enrolments(now, now + MINUTE, 200).await.expect("claim");
        if due.is_empty() {
            break;
        }
        n += due.len();
        for e in due {
            db.settle_enrolment(e.id, EnrolmentNext::Finished, now).await.expect("settle");
        }
    }
    println!(
        "  {:<44} {:>8.0} enrolments/s ({n} in {:.1} s)",
        "a backlog of 20,000 worked through",
        n as f64 / t.elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64()
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
