//! `make bench`: counting segments over 100,000 and 1,000,000 friends.

use model::segment::*;
use segments::SegmentIndex;
use std::time::{Duration, Instant};

fn facts(i: u64) -> Facts {
    // Deterministic spread: about 10–30% per tag, ages 0–89, ~10% blocked.
    let h = |k: u64| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(k as u32)) % 100;
    let mut f = Facts::default();
    for (k, t) in ["高血圧", "高血糖", "腹囲基準超", "小児科", "内科"].iter().enumerate() {
        if h(k as u64 * 7 + 1) < 10 + 5 * k as u64 {
            f.tags.insert(t.to_string());
        }
    }
    f.birth_date = Some(Date::from_days(20_000 - (h(40) as i64 * 330)));
    f.first_followed = Some(Date::from_days(19_000 + h(45) as i64 * 17));
    f.status = Some(if h(50) < 10 { Status::Blocked } else { Status::Active });
    f
}

fn tag(t: &str) -> Node {
    Node::Condition(Condition::Tag { tag: t.into(), has: true })
}

fn rules() -> Vec<(&'static str, Rule)> {
    let r = |items| Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items,
        },
    };
    let any = |items| {
        Node::Group(Group {
            join: Join::Any,
            negate: false,
            items,
        })
    };
    vec![
        ("1 condition (tag)", r(vec![tag("高血圧")])),
        (
            "3 conditions (OR of 3 tags)",
            r(vec![any(vec![tag("高血圧"), tag("高血糖"), tag("腹囲基準超")])]),
        ),
        (
            "5 conditions (3 tags OR, age, status)",
            r(vec![
                any(vec![tag("高血圧"), tag("高血糖"), tag("腹囲基準超")]),
                Node::Condition(Condition::Date {
                    date: DateSource::BirthDate,
                    when: When::YearsBetween { min: 40, max: 74 },
                }),
                Node::Condition(Condition::Status { status: Status::Active }),
            ]),
        ),
    ]
}

/// Resident memory of this process in MB (Linux), 0 where unknown.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<f64>().ok()))
        .map_or(0.0, |pages| pages * 4096.0 / 1e6)
}

fn main() {
    let today = Date::parse("2026-11-22").unwrap();
    for n in [100_000u64, 1_000_000] {
        let rss_before = rss_mb();
        let t = Instant::now();
        let mut index = SegmentIndex::build((0..n).map(|i| (i as i64 + 1, facts(i))));
        let built = t.elapsed();
        // What keeping it current costs: one friend's facts replaced.
        let t_up = Instant::now();
        for i in 0..10_000u64 {
            index.upsert((i * 97 % n) as i64 + 1, facts(i + 7));
        }
        let per_upsert = t_up.elapsed().as_secs_f64() * 1e6 / 10_000.0;
        println!(
            "\nSegment count over {n} friends (index built in {:.2} s; bitmaps {:.1} MB; process memory grew {:.0} MB):",
            built.as_secs_f64(),
            index.bitmap_bytes() as f64 / 1e6,
            rss_mb() - rss_before
        );
        println!("  updating one friend in the index: {per_upsert:.1} µs");
        for (label, rule) in rules() {
            let mut times: Vec<Duration> = (0..50)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(index.count(&rule, today));
                    t.elapsed()
                })
                .collect();
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "  {label:<40} p50 {:>7.2} ms   p99 {:>7.2} ms   ({} match)",
                ms(times[25]),
                ms(times[49]),
                index.count(&rule, today)
            );
        }
    }
}
