//! The index agrees with `Rule::matches` on random friends and rules.

use model::segment::*;
use rand::{rngs::StdRng, Rng, SeedableRng};
use segments::SegmentIndex;

const TAGS: [&str; 6] = ["高血圧", "高血糖", "腹囲基準超", "小児科", "内科", "インフル希望"];

fn random_date(rng: &mut StdRng) -> Date {
    Date::from_days(rng.gen_range(-10_000..20_800))
}

fn random_facts(rng: &mut StdRng) -> Facts {
    let mut f = Facts::default();
    for t in TAGS {
        if rng.gen_bool(0.3) {
            f.tags.insert(t.to_string());
        }
    }
    if rng.gen_bool(0.8) {
        f.birth_date = Some(random_date(rng));
    }
    if rng.gen_bool(0.9) {
        f.first_followed = Some(Date::from_days(rng.gen_range(19_000..20_800)));
    }
    f.status = Some(if rng.gen_bool(0.9) { Status::Active } else { Status::Blocked });
    if rng.gen_bool(0.5) {
        f.inflow_route = Some(["poster", "web", "qr"][rng.gen_range(0..3)].to_string());
    }
    if rng.gen_bool(0.6) {
        f.fields.insert("visits".into(), vec![Value::Number(rng.gen_range(0..20) as f64)]);
    }
    if rng.gen_bool(0.5) {
        f.fields.insert("last_visit".into(), vec![Value::Date(random_date(rng))]);
    }
    if rng.gen_bool(0.5) {
        let all = ["flu", "checkup", "diet"];
        let picked: Vec<Value> = all
            .iter()
            .filter(|_| rng.gen_bool(0.5))
            .map(|c| Value::Choice(c.to_string()))
            .collect();
        f.fields.insert("needs".into(), picked);
    }
    f
}

fn random_condition(rng: &mut StdRng) -> Condition {
    match rng.gen_range(0..8) {
        0 | 1 => Condition::Tag {
            tag: TAGS[rng.gen_range(0..TAGS.len())].into(),
            has: rng.gen_bool(0.7),
        },
        2 => Condition::Status {
            status: if rng.gen_bool(0.5) { Status::Active } else { Status::Blocked },
        },
        3 => Condition::InflowRoute { route: "web".into() },
        4 => {
            let ops = [Op::Eq, Op::Ne, Op::Lt, Op::Gt, Op::IsEmpty, Op::IsNotEmpty];
            let op = ops[rng.gen_range(0..ops.len())];
            let value = if matches!(op, Op::IsEmpty | Op::IsNotEmpty) {
                Value::None
            } else {
                Value::Number(rng.gen_range(0..20) as f64)
            };
            Condition::Field {
                field: "visits".into(),
                op,
                value,
            }
        }
        5 => Condition::Field {
            field: "needs".into(),
            op: if rng.gen_bool(0.7) { Op::Contains } else { Op::IsEmpty },
            value: if rng.gen_bool(0.7) {
                Value::Choice("flu".into())
            } else {
                Value::None
            },
        },
        _ => {
            let date = [
                DateSource::BirthDate,
                DateSource::FirstFollowed,
                DateSource::Field("last_visit".into()),
            ][rng.gen_range(0..3)]
            .clone();
            let when = match rng.gen_range(0..4) {
                0 => When::MoreThanMonthsAgo {
                    months: rng.gen_range(0..36),
                },
                1 => When::WithinLastDays {
                    days: rng.gen_range(0..400),
                },
                2 => When::ThisMonth,
                _ => {
                    let min = rng.gen_range(0..80);
                    When::YearsBetween {
                        min,
                        max: min + rng.gen_range(0..20),
                    }
                }
            };
            Condition::Date { date, when }
        }
    }
}

fn random_group(rng: &mut StdRng, depth: u32) -> Group {
    let n = rng.gen_range(1..5);
    Group {
        join: if rng.gen_bool(0.5) { Join::All } else { Join::Any },
        negate: rng.gen_bool(0.25),
        items: (0..n)
            .map(|_| {
                if depth < 2 && rng.gen_bool(0.3) {
                    Node::Group(random_group(rng, depth + 1))
                } else {
                    let mut c = random_condition(rng);
                    // Keep IsEmpty/IsNotEmpty paired with no value, as validation demands.
                    if let Condition::Field {
                        op: Op::IsEmpty | Op::IsNotEmpty,
                        value,
                        ..
                    } = &mut c
                    {
                        *value = Value::None;
                    }
                    Node::Condition(c)
                }
            })
            .collect(),
    }
}

#[test]
fn the_index_counts_exactly_what_the_rule_matches() {
    let mut rng = StdRng::seed_from_u64(20261122);
    let friends: Vec<(i64, Facts)> = (0..3000).map(|i| (1000 + i, random_facts(&mut rng))).collect();
    let index = SegmentIndex::build(friends.clone());
    assert_eq!(index.len(), 3000);
    // Today varies too: month ends, leap days, New Year in JST.
    let todays = ["2026-11-22", "2026-08-31", "2024-02-29", "2025-02-28", "2026-01-01", "2026-12-31"];
    for round in 0..400 {
        let rule = Rule {
            version: RULE_VERSION,
            root: random_group(&mut rng, 0),
        };
        let today = Date::parse(todays[round % todays.len()]).unwrap();
        let expected: Vec<i64> = friends.iter().filter(|(_, f)| rule.matches(f, today)).map(|(id, _)| *id).collect();
        assert_eq!(index.count(&rule, today), expected.len() as u64, "rule {rule:?} on {today:?}");
        assert_eq!(
            index.matching(&rule, today, 5),
            expected.iter().take(5).copied().collect::<Vec<_>>()
        );
    }
}

#[test]
fn ages_and_month_counts_agree_exactly_on_the_boundaries() {
    // Friends born on every day around the birthdays that bound the rules.
    let mut friends = Vec::new();
    for today in ["2026-11-22", "2026-02-28", "2028-02-29", "2026-03-01"] {
        let t = Date::parse(today).unwrap();
        for years in [0u32, 5, 6, 40, 74, 75] {
            let anchor = t.minus_months(years * 12).days_from_epoch();
            for delta in -2..=2 {
                let f = Facts {
                    birth_date: Some(Date::from_days(anchor + delta)),
                    first_followed: Some(Date::from_days(t.days_from_epoch() - 30 + delta)),
                    ..Default::default()
                };
                friends.push((friends.len() as i64, f));
            }
        }
    }
    friends.push((
        9_999,
        Facts {
            birth_date: Date::parse("2020-02-29"),
            ..Default::default()
        },
    ));
    let index = SegmentIndex::build(friends.clone());
    for today in ["2026-11-22", "2026-02-28", "2028-02-29", "2026-03-01", "2027-02-28", "2027-03-01"] {
        let today = Date::parse(today).unwrap();
        for when in [
            When::YearsBetween { min: 0, max: 5 },
            When::YearsBetween { min: 6, max: 74 },
            When::YearsBetween { min: 40, max: 74 },
            When::MoreThanMonthsAgo { months: 12 },
            When::WithinLastDays { days: 30 },
            When::ThisMonth,
        ] {
            let rule = Rule {
                version: RULE_VERSION,
                root: Group {
                    join: Join::All,
                    negate: false,
                    items: vec![Node::Condition(Condition::Date {
                        date: DateSource::BirthDate,
                        when,
                    })],
                },
            };
            let expected = friends.iter().filter(|(_, f)| rule.matches(f, today)).count() as u64;
            assert_eq!(index.count(&rule, today), expected, "{when:?} on {today:?}");
        }
    }
}

#[test]
fn an_index_kept_up_to_date_friend_by_friend_counts_like_a_fresh_one() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut friends: Vec<(i64, Facts)> = (0..1500).map(|i| (i, random_facts(&mut rng))).collect();
    let mut index = SegmentIndex::build(friends.clone());
    let today = Date::parse("2026-11-22").unwrap();
    for round in 0..60 {
        // Some friends change everything, some are new, one leaves.
        for _ in 0..40 {
            let k = rng.gen_range(0..friends.len());
            friends[k].1 = random_facts(&mut rng);
            index.upsert(friends[k].0, friends[k].1.clone());
        }
        let id = 10_000 + round;
        let f = random_facts(&mut rng);
        friends.push((id, f.clone()));
        index.upsert(id, f);
        let gone = friends.remove(rng.gen_range(0..friends.len()));
        index.remove(gone.0);
        assert!(!index.contains(gone.0));
        for _ in 0..10 {
            let rule = Rule {
                version: RULE_VERSION,
                root: random_group(&mut rng, 0),
            };
            let expected = friends.iter().filter(|(_, f)| rule.matches(f, today)).count() as u64;
            assert_eq!(index.count(&rule, today), expected, "round {round}, rule {rule:?}");
        }
    }
    assert_eq!(index.len(), friends.len() as u64);
}
