//! The rule language of segments (タグルール): a typed, serialisable,
//! versioned boolean rule over a friend's tags, fields, dates, status and
//! inflow route. The browser validates and counts with this code; the
//! server evaluates with the same semantics, so the live count and the
//! send can never disagree. Dates are civil dates in the clinic's time zone
//! (Asia/Tokyo: no daylight saving, always UTC+9).

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The version this code writes and understands.
pub const RULE_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub version: u32,
    pub root: Group,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Join {
    /// Every item holds (AND).
    All,
    /// At least one item holds (OR).
    Any,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub join: Join,
    /// NOT: the group holds when its items do not.
    #[serde(default)]
    pub negate: bool,
    pub items: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "node", rename_all = "snake_case")]
pub enum Node {
    Group(Group),
    Condition(Condition),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Condition {
    /// Has (or, with `has: false`, lacks) the tag.
    Tag {
        tag: String,
        has: bool,
    },
    /// A custom field compared with a value.
    Field {
        field: String,
        op: Op,
        value: Value,
    },
    /// A date (birth date, first follow, or a date field) relative to today.
    Date {
        date: DateSource,
        when: When,
    },
    Status {
        status: Status,
    },
    InflowRoute {
        route: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Contains,
    IsEmpty,
    IsNotEmpty,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "v", rename_all = "snake_case")]
pub enum Value {
    None,
    Text(String),
    Number(f64),
    Date(Date),
    Choice(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Date,
    SingleChoice,
    MultiChoice,
}

impl FieldType {
    /// The type as stored with a field (`text`, `number`, `date`,
    /// `single_choice`, `multi_choice`).
    pub fn parse(s: &str) -> Option<FieldType> {
        Some(match s {
            "text" => FieldType::Text,
            "number" => FieldType::Number,
            "date" => FieldType::Date,
            "single_choice" => FieldType::SingleChoice,
            "multi_choice" => FieldType::MultiChoice,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", content = "field", rename_all = "snake_case")]
pub enum DateSource {
    BirthDate,
    FirstFollowed,
    Field(String),
}

/// A date relative to today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "is", rename_all = "snake_case")]
pub enum When {
    /// Strictly before today minus `months` (「6か月以上前」).
    MoreThanMonthsAgo { months: u32 },
    /// On or after today minus `days` (「直近30日以内」).
    WithinLastDays { days: u32 },
    /// Same month as today, any year (「誕生月が今月」).
    ThisMonth,
    /// Whole years since the date, between `min` and `max` inclusive (年齢).
    YearsBetween { min: u32, max: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Blocked,
}

/// A civil date (no time zone: the clinic's calendar).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y.rem_euclid(4) == 0 && y.rem_euclid(100) != 0) || y.rem_euclid(400) == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    pub fn new(y: i32, m: u32, d: u32) -> Option<Date> {
        ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then_some(Date { y, m, d })
    }

    /// `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.split('-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        if it.next().is_some() {
            return None;
        }
        Date::new(y, m, d)
    }

    /// Months earlier, the day clamped to the month's end (Aug 31 − 6
    /// months = Feb 28).
    pub fn minus_months(self, months: u32) -> Date {
        let total = self.y * 12 + (self.m as i32 - 1) - months as i32;
        let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        Date {
            y,
            m,
            d: self.d.min(days_in_month(y, m)),
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    pub fn days_from_epoch(self) -> i64 {
        let y = self.y as i64 - if self.m <= 2 { 1 } else { 0 };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.m as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.d as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400 + if m <= 2 { 1 } else { 0 }) as i32;
        Date { y, m, d }
    }

    /// The date in Japan of a UTC instant (milliseconds).
    pub fn jst_of_ms(ms: i64) -> Date {
        Date::from_days((ms + 9 * 3_600_000).div_euclid(86_400_000))
    }

    /// Whole years from this date to `today` (an age; negative before it).
    pub fn whole_years_until(self, today: Date) -> i32 {
        let years = today.y - self.y;
        if (today.m, today.d) < (self.m, self.d) {
            years - 1
        } else {
            years
        }
    }
}

/// What the rule can know of one friend.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    pub tags: HashSet<String>,
    /// Custom field values; a multi-choice field holds several choices.
    pub fields: HashMap<String, Vec<Value>>,
    pub birth_date: Option<Date>,
    pub first_followed: Option<Date>,
    pub status: Option<Status>,
    pub inflow_route: Option<String>,
}

/// What a rule may name: the clinic's tags and typed fields.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub tags: HashSet<String>,
    pub fields: HashMap<String, FieldType>,
}

/// Why a rule cannot be evaluated, with where (a path like `0.2`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub at: String,
    pub reason: Reason,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    UnsupportedVersion,
    EmptyGroup,
    UnknownTag,
    UnknownField,
    OperatorNotForType,
    ValueNotForType,
    BadRange,
}

/// The operators a field of this type may be compared with.
pub fn ops_for(t: FieldType) -> &'static [Op] {
    use Op::*;
    match t {
        FieldType::Text => &[Eq, Ne, Contains, IsEmpty, IsNotEmpty],
        FieldType::Number | FieldType::Date => &[Eq, Ne, Lt, Gt, IsEmpty, IsNotEmpty],
        FieldType::SingleChoice => &[Eq, Ne, IsEmpty, IsNotEmpty],
        FieldType::MultiChoice => &[Contains, IsEmpty, IsNotEmpty],
    }
}

fn value_fits(t: FieldType, op: Op, v: &Value) -> bool {
    if matches!(op, Op::IsEmpty | Op::IsNotEmpty) {
        return matches!(v, Value::None);
    }
    matches!(
        (t, v),
        (FieldType::Text, Value::Text(_))
            | (FieldType::Number, Value::Number(_))
            | (FieldType::Date, Value::Date(_))
            | (FieldType::SingleChoice | FieldType::MultiChoice, Value::Choice(_))
    )
}

impl Rule {
    /// Every reason the rule cannot be evaluated against `catalog`.
    pub fn validate(&self, catalog: &Catalog) -> Vec<Refusal> {
        let mut out = Vec::new();
        if self.version != RULE_VERSION {
            out.push(Refusal {
                at: String::new(),
                reason: Reason::UnsupportedVersion,
            });
            return out;
        }
        validate_group(&self.root, "", catalog, &mut out);
        out
    }

    /// Whether the friend matches. Call only on a rule that validated.
    pub fn matches(&self, f: &Facts, today: Date) -> bool {
        group_matches(&self.root, f, today)
    }
}

fn validate_group(g: &Group, at: &str, catalog: &Catalog, out: &mut Vec<Refusal>) {
    let refuse = |out: &mut Vec<Refusal>, at: String, reason| out.push(Refusal { at, reason });
    if g.items.is_empty() {
        refuse(out, at.to_string(), Reason::EmptyGroup);
    }
    for (i, item) in g.items.iter().enumerate() {
        let here = if at.is_empty() { i.to_string() } else { format!("{at}.{i}") };
        match item {
            Node::Group(inner) => validate_group(inner, &here, catalog, out),
            Node::Condition(Condition::Tag { tag, .. }) if !catalog.tags.contains(tag) => refuse(out, here, Reason::UnknownTag),
            Node::Condition(Condition::Field { field, op, value }) => match catalog.fields.get(field) {
                None => refuse(out, here, Reason::UnknownField),
                Some(t) if !ops_for(*t).contains(op) => refuse(out, here, Reason::OperatorNotForType),
                Some(t) if !value_fits(*t, *op, value) => refuse(out, here, Reason::ValueNotForType),
                Some(_) => {}
            },
            Node::Condition(Condition::Date { date, when }) => {
                if let DateSource::Field(field) = date {
                    match catalog.fields.get(field) {
                        None => refuse(out, here.clone(), Reason::UnknownField),
                        Some(FieldType::Date) => {}
                        Some(_) => refuse(out, here.clone(), Reason::OperatorNotForType),
                    }
                }
                if let When::YearsBetween { min, max } = when {
                    if min > max {
                        refuse(out, here, Reason::BadRange);
                    }
                }
            }
            Node::Condition(_) => {}
        }
    }
}

fn group_matches(g: &Group, f: &Facts, today: Date) -> bool {
    let hit = |n: &Node| match n {
        Node::Group(inner) => group_matches(inner, f, today),
        Node::Condition(c) => condition_matches(c, f, today),
    };
    let result = match g.join {
        Join::All => g.items.iter().all(hit),
        Join::Any => g.items.iter().any(hit),
    };
    result != g.negate
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) | (Value::Choice(x), Value::Choice(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn condition_matches(c: &Condition, f: &Facts, today: Date) -> bool {
    use std::cmp::Ordering::*;
    match c {
        Condition::Tag { tag, has } => f.tags.contains(tag) == *has,
        Condition::Field { field, op, value } => {
            let values = f.fields.get(field).map(Vec::as_slice).unwrap_or_default();
            let values: Vec<&Value> = values.iter().filter(|v| !matches!(v, Value::None)).collect();
            match op {
                Op::IsEmpty => values.is_empty(),
                Op::IsNotEmpty => !values.is_empty(),
                // An empty field is neither equal, nor less, nor greater.
                Op::Eq => values.iter().any(|v| compare(v, value) == Some(Equal)),
                Op::Ne => !values.is_empty() && values.iter().all(|v| compare(v, value) != Some(Equal)),
                Op::Lt => values.iter().any(|v| compare(v, value) == Some(Less)),
                Op::Gt => values.iter().any(|v| compare(v, value) == Some(Greater)),
                Op::Contains => values.iter().any(|v| match (v, value) {
                    (Value::Text(t), Value::Text(needle)) => t.contains(needle.as_str()),
                    (Value::Choice(a), Value::Choice(b)) => a == b,
                    _ => false,
                }),
            }
        }
        Condition::Date { date, when } => {
            let d = match date {
                DateSource::BirthDate => f.birth_date,
                DateSource::FirstFollowed => f.first_followed,
                DateSource::Field(field) => f.fields.get(field).and_then(|v| {
                    v.iter().find_map(|x| match x {
                        Value::Date(d) => Some(*d),
                        _ => None,
                    })
                }),
            };
            // Without the date, no relative condition holds.
            let Some(d) = d else { return false };
            match when {
                When::MoreThanMonthsAgo { months } => d < today.minus_months(*months),
                When::WithinLastDays { days } => {
                    let since = today.days_from_epoch() - *days as i64;
                    (since..=today.days_from_epoch()).contains(&d.days_from_epoch())
                }
                When::ThisMonth => d.m == today.m,
                When::YearsBetween { min, max } => {
                    let years = d.whole_years_until(today);
                    years >= *min as i32 && years <= *max as i32
                }
            }
        }
        Condition::Status { status } => f.status == Some(*status),
        Condition::InflowRoute { route } => f.inflow_route.as_deref() == Some(route.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(t: &str) -> Node {
        Node::Condition(Condition::Tag { tag: t.into(), has: true })
    }

    fn group(join: Join, negate: bool, items: Vec<Node>) -> Group {
        Group { join, negate, items }
    }

    fn rule(root: Group) -> Rule {
        Rule {
            version: RULE_VERSION,
            root,
        }
    }

    fn facts(tags: &[&str]) -> Facts {
        Facts {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        }
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn round_trips_through_json_and_refuses_other_versions() {
        let r = rule(group(
            Join::Any,
            false,
            vec![
                tag("高血圧"),
                Node::Condition(Condition::Date {
                    date: DateSource::BirthDate,
                    when: When::ThisMonth,
                }),
                Node::Condition(Condition::Field {
                    field: "visits".into(),
                    op: Op::Gt,
                    value: Value::Number(3.0),
                }),
            ],
        ));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), r);
        assert!(serde_json::from_str::<Rule>(r#"{"version":1,"root":{"join":"all","items":[{"node":"condition","on":"moon"}]}}"#).is_err());
        let future = Rule { version: 2, ..r };
        assert_eq!(future.validate(&Catalog::default())[0].reason, Reason::UnsupportedVersion);
    }

    #[test]
    fn validation_gives_a_reason_for_every_refusal() {
        let catalog = Catalog {
            tags: ["高血圧".to_string()].into(),
            fields: [("visits".to_string(), FieldType::Number), ("memo".to_string(), FieldType::Text)].into(),
        };
        let r = rule(group(
            Join::All,
            false,
            vec![
                tag("高血圧"),
                tag("存在しない"),
                Node::Condition(Condition::Field {
                    field: "visits".into(),
                    op: Op::Contains,
                    value: Value::Number(1.0),
                }),
                Node::Condition(Condition::Field {
                    field: "memo".into(),
                    op: Op::Eq,
                    value: Value::Number(1.0),
                }),
                Node::Condition(Condition::Field {
                    field: "nope".into(),
                    op: Op::Eq,
                    value: Value::None,
                }),
                Node::Group(group(Join::Any, false, vec![])),
                Node::Condition(Condition::Date {
                    date: DateSource::Field("memo".into()),
                    when: When::YearsBetween { min: 9, max: 3 },
                }),
            ],
        ));
        let found: Vec<(String, Reason)> = r.validate(&catalog).into_iter().map(|x| (x.at, x.reason)).collect();
        assert_eq!(
            found,
            vec![
                ("1".into(), Reason::UnknownTag),
                ("2".into(), Reason::OperatorNotForType),
                ("3".into(), Reason::ValueNotForType),
                ("4".into(), Reason::UnknownField),
                ("5".into(), Reason::EmptyGroup),
                ("6".into(), Reason::OperatorNotForType),
                ("6".into(), Reason::BadRange),
            ]
        );
    }

    #[test]
    fn not_and_nested_groups() {
        // 高血圧 OR 高血糖 OR 腹囲基準超, but NOT (定期通院中 AND 小児科)
        let r = rule(group(
            Join::All,
            false,
            vec![
                Node::Group(group(Join::Any, false, vec![tag("高血圧"), tag("高血糖"), tag("腹囲基準超")])),
                Node::Group(group(Join::All, true, vec![tag("定期通院中"), tag("小児科")])),
            ],
        ));
        let today = d("2026-11-22");
        assert!(r.matches(&facts(&["高血糖"]), today));
        assert!(r.matches(&facts(&["高血糖", "定期通院中"]), today));
        assert!(!r.matches(&facts(&["高血糖", "定期通院中", "小児科"]), today));
        assert!(!r.matches(&facts(&["定期通院中"]), today));
        let lacks = rule(group(
            Join::All,
            false,
            vec![Node::Condition(Condition::Tag {
                tag: "a".into(),
                has: false,
            })],
        ));
        assert!(lacks.matches(&facts(&[]), today) && !lacks.matches(&facts(&["a"]), today));
    }

    #[test]
    fn fields_compare_by_type_and_empty_fields_match_only_is_empty() {
        let mut f = Facts::default();
        f.fields.insert("visits".into(), vec![Value::Number(4.0)]);
        f.fields
            .insert("needs".into(), vec![Value::Choice("flu".into()), Value::Choice("checkup".into())]);
        let cond = |field: &str, op, value| {
            rule(group(
                Join::All,
                false,
                vec![Node::Condition(Condition::Field {
                    field: field.into(),
                    op,
                    value,
                })],
            ))
        };
        let today = d("2026-11-22");
        assert!(cond("visits", Op::Gt, Value::Number(3.0)).matches(&f, today));
        assert!(!cond("visits", Op::Lt, Value::Number(3.0)).matches(&f, today));
        assert!(cond("needs", Op::Contains, Value::Choice("flu".into())).matches(&f, today));
        assert!(!cond("needs", Op::Contains, Value::Choice("cancer".into())).matches(&f, today));
        assert!(cond("memo", Op::IsEmpty, Value::None).matches(&f, today));
        assert!(
            !cond("memo", Op::Ne, Value::Text("x".into())).matches(&f, today),
            "an empty field is not ≠ x"
        );
        assert!(!cond("memo", Op::Eq, Value::Text("x".into())).matches(&f, today));
    }

    #[test]
    fn relative_dates_at_month_ends_and_midnight_in_japan() {
        let last_visit = |date: &str, months: u32, today: &str| {
            let r = rule(group(
                Join::All,
                false,
                vec![Node::Condition(Condition::Date {
                    date: DateSource::Field("last_visit".into()),
                    when: When::MoreThanMonthsAgo { months },
                })],
            ));
            let mut f = Facts::default();
            f.fields.insert("last_visit".into(), vec![Value::Date(d(date))]);
            r.matches(&f, d(today))
        };
        // Aug 31 minus 6 months is Feb 28 (2026 is not a leap year).
        assert_eq!(d("2026-08-31").minus_months(6), d("2026-02-28"));
        assert_eq!(d("2024-08-31").minus_months(6), d("2024-02-29"));
        assert_eq!(d("2026-01-15").minus_months(13), d("2024-12-15"));
        assert!(last_visit("2026-02-27", 6, "2026-08-31"));
        assert!(
            !last_visit("2026-02-28", 6, "2026-08-31"),
            "exactly six months is not more than six"
        );
        assert!(last_visit("2026-05-21", 6, "2026-11-22"));
        assert!(!last_visit("2026-05-22", 6, "2026-11-22"));

        // 2026-11-30 14:59:59.999 UTC is still the 30th in Tokyo; 15:00 is Dec 1st.
        let midnight_utc_ms = Date::new(2026, 11, 30).unwrap().days_from_epoch() * 86_400_000 + 15 * 3_600_000;
        assert_eq!(Date::jst_of_ms(midnight_utc_ms - 1), d("2026-11-30"));
        assert_eq!(Date::jst_of_ms(midnight_utc_ms), d("2026-12-01"));
        let birthday_this_month = rule(group(
            Join::All,
            false,
            vec![Node::Condition(Condition::Date {
                date: DateSource::BirthDate,
                when: When::ThisMonth,
            })],
        ));
        let born_in_december = Facts {
            birth_date: Some(d("1980-12-05")),
            ..Default::default()
        };
        assert!(!birthday_this_month.matches(&born_in_december, Date::jst_of_ms(midnight_utc_ms - 1)));
        assert!(birthday_this_month.matches(&born_in_december, Date::jst_of_ms(midnight_utc_ms)));

        let within = |date: &str, days: u32, today: &str| {
            let r = rule(group(
                Join::All,
                false,
                vec![Node::Condition(Condition::Date {
                    date: DateSource::FirstFollowed,
                    when: When::WithinLastDays { days },
                })],
            ));
            r.matches(
                &Facts {
                    first_followed: Some(d(date)),
                    ..Default::default()
                },
                d(today),
            )
        };
        assert!(within("2026-02-28", 1, "2026-03-01"));
        assert!(!within("2026-02-27", 1, "2026-03-01"));
        assert!(within("2024-02-29", 1, "2024-03-01"));

        let age = |born: &str, min, max, today: &str| {
            let r = rule(group(
                Join::All,
                false,
                vec![Node::Condition(Condition::Date {
                    date: DateSource::BirthDate,
                    when: When::YearsBetween { min, max },
                })],
            ));
            r.matches(
                &Facts {
                    birth_date: Some(d(born)),
                    ..Default::default()
                },
                d(today),
            )
        };
        assert!(age("2020-11-23", 0, 5, "2026-11-22"), "5 until the birthday");
        assert!(!age("2020-11-22", 0, 5, "2026-11-22"), "6 on the birthday");
        let unknown = rule(group(
            Join::All,
            false,
            vec![Node::Condition(Condition::Date {
                date: DateSource::BirthDate,
                when: When::YearsBetween { min: 0, max: 200 },
            })],
        ));
        assert!(
            !unknown.matches(&Facts::default(), d("2026-11-22")),
            "no birth date, no age condition holds"
        );
    }

    #[test]
    fn civil_days_round_trip() {
        for days in [-719_468i64, -1, 0, 1, 19_000, 20_424, 2_932_896] {
            assert_eq!(Date::from_days(days).days_from_epoch(), days);
        }
        assert_eq!(Date::from_days(0), d("1970-01-01"));
        assert_eq!(d("2026-11-22").days_from_epoch(), 20_779);
    }
}
