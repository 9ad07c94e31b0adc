//! `make bench`: the sequence scheduler's sustained dispatch rate through
//! the whole path (claim → decide from the appointment as it is → record →
//! push with its retry key and quota reservation → settle), against the
//! sandbox over real HTTP with LINE's rate limits on, on SQLite and (when
//! reachable) PostgreSQL: 5,000 friends whose step falls due at once,
//! drained by one scheduler and then by four at the same time (as four
//! instances would).

mod common;

use engine::sequences::{SequenceDraft, StepDraft};
use model::broadcast::Purpose;
use model::message::Bundle;
use model::sequence::{Anchor, StepTiming, Trigger};
use std::time::Instant;

const FRIENDS: usize = 5_000;

async fn run(backend: &str, schedulers: usize) -> Option<()> {
    let common::Rig {
        engine,
        sb,
        clinic,
        owner,
        users,
    } = common::rig(backend, FRIENDS, 0xe0000, true, |e| e).await?;
    let sequence = engine
        .save_sequence(
            &owner,
            None,
            &SequenceDraft {
                name: "ベンチマーク".into(),
                trigger: Trigger::Manual,
                stops: vec![],
                steps: vec![StepDraft {
                    id: String::new(),
                    timing: StepTiming::after(Anchor::Enrolment, 0, 0),
                    purpose: Purpose::Operational,
                    condition: None,
                    bundle: Bundle::texts(&["{表示名}様 ご来院ありがとうございました。"]),
                    actions: vec![],
                }],
            },
        )
        .await
        .unwrap();
    let mut friends = Vec::with_capacity(FRIENDS);
    for u in &users {
        friends.push(
            engine
                .db_for_tests()
                .friend_by_line_user(clinic, u)
                .await
                .unwrap()
                .unwrap()
                .public_id,
        );
    }
    for f in &friends {
        engine.enrol_friend(&owner, &sequence, f).await.unwrap();
    }
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..schedulers {
        let e = engine.clone();
        workers.push(tokio::spawn(async move { while e.run_sequences_once().await.unwrap() > 0 {} }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let took = started.elapsed();
    let sent: i64 = engine
        .sequence_step_counts(&owner, &sequence)
        .await
        .unwrap()
        .iter()
        .map(|c| c.sent)
        .sum();
    let delivered: usize = users.iter().map(|u| sb.received(u).len()).sum();
    println!(
        "  {backend:<10} {schedulers} scheduler(s): {sent} steps in {:.2} s = {:.0} steps/s ({delivered} delivered by the sandbox)",
        took.as_secs_f64(),
        sent as f64 / took.as_secs_f64()
    );
    assert_eq!(sent as usize, FRIENDS, "every step sent once");
    assert_eq!(delivered, FRIENDS, "LINE received each once");
    Some(())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!("Sequence steps dispatched ({FRIENDS} due at once, LINE's limits on):");
    for backend in ["sqlite", "postgres"] {
        for schedulers in [1, 4] {
            if rt.block_on(run(backend, schedulers)).is_none() {
                break;
            }
        }
    }
}
