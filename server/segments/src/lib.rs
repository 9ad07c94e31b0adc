//! Counting segments fast: an in-memory index of one clinic's friends —
//! a dense number per friend, a roaring bitmap per tag, status and inflow
//! route, and columns of dates and field values — over which a
//! `model::segment::Rule` is evaluated as set algebra. It must agree with
//! `Rule::matches` (the semantics the browser uses) on every friend; the
//! tests check that on random data. A friend's facts can be replaced one
//! at a time (`upsert`), so the index follows changes without a rebuild.

use model::segment::{Condition, DateSource, Facts, Group, Join, Node, Op, Rule, Status, Value, When};
use roaring::RoaringBitmap;
use std::collections::{BTreeMap, HashMap};

#[derive(Default)]
pub struct SegmentIndex {
    /// Dense number → friend ID, and back.
    friend_ids: Vec<i64>,
    dense: HashMap<i64, u32>,
    all: RoaringBitmap,
    tags: HashMap<String, RoaringBitmap>,
    active: RoaringBitmap,
    blocked: RoaringBitmap,
    routes: HashMap<String, RoaringBitmap>,
    /// Days since 1970 in JST civil dates; `i32::MIN` when unknown.
    birth: Vec<i32>,
    followed: Vec<i32>,
    /// Field → dense number → values, only for friends that have one.
    fields: HashMap<String, BTreeMap<u32, Vec<Value>>>,
}

const UNKNOWN: i32 = i32::MIN;

fn days(d: Option<model::segment::Date>) -> i32 {
    d.map_or(UNKNOWN, |d| d.days_from_epoch() as i32)
}

impl SegmentIndex {
    /// Builds the index from every friend of a clinic.
    pub fn build(friends: impl IntoIterator<Item = (i64, Facts)>) -> SegmentIndex {
        let mut ix = SegmentIndex::default();
        for (id, f) in friends {
            ix.upsert(id, f);
        }
        ix
    }

    /// Puts a friend's facts in the index, replacing what it held of them.
    pub fn upsert(&mut self, id: i64, f: Facts) {
        let n = match self.dense.get(&id) {
            Some(n) => {
                let n = *n;
                self.forget(n);
                n
            }
            None => {
                let n = self.friend_ids.len() as u32;
                self.friend_ids.push(id);
                self.dense.insert(id, n);
                self.birth.push(UNKNOWN);
                self.followed.push(UNKNOWN);
                n
            }
        };
        self.all.insert(n);
        for t in &f.tags {
            self.tags.entry(t.clone()).or_default().insert(n);
        }
        match f.status {
            Some(Status::Active) => {
                self.active.insert(n);
            }
            Some(Status::Blocked) => {
                self.blocked.insert(n);
            }
            None => {}
        }
        if let Some(r) = &f.inflow_route {
            self.routes.entry(r.clone()).or_default().insert(n);
        }
        self.birth[n as usize] = days(f.birth_date);
        self.followed[n as usize] = days(f.first_followed);
        for (field, values) in f.fields {
            self.fields.entry(field).or_default().insert(n, values);
        }
    }

    /// Removes a friend (one that is gone from the clinic).
    pub fn remove(&mut self, id: i64) {
        if let Some(n) = self.dense.get(&id).copied() {
            self.forget(n);
            self.all.remove(n);
        }
    }

    /// Clears what the index holds of dense number `n`, but its place.
    fn forget(&mut self, n: u32) {
        for m in self.tags.values_mut().chain(self.routes.values_mut()) {
            m.remove(n);
        }
        self.active.remove(n);
        self.blocked.remove(n);
        self.birth[n as usize] = UNKNOWN;
        self.followed[n as usize] = UNKNOWN;
        for values in self.fields.values_mut() {
            values.remove(&n);
        }
    }

    pub fn contains(&self, id: i64) -> bool {
        self.dense.get(&id).is_some_and(|n| self.all.contains(*n))
    }

    pub fn len(&self) -> u64 {
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// How many friends match. The rule must have validated.
    pub fn count(&self, rule: &Rule, today: model::segment::Date) -> u64 {
        self.group(&rule.root, today).len()
    }

    /// The friend IDs that match, in dense order (a sample takes the first few).
    pub fn matching(&self, rule: &Rule, today: model::segment::Date, limit: usize) -> Vec<i64> {
        self.group(&rule.root, today)
            .iter()
            .take(limit)
            .map(|n| self.friend_ids[n as usize])
            .collect()
    }

    /// Bytes the bitmaps take (the columns add 8 bytes a friend, the
    /// friend-ID maps about 28).
    pub fn bitmap_bytes(&self) -> usize {
        let b = |m: &RoaringBitmap| m.serialized_size();
        b(&self.all)
            + b(&self.active)
            + b(&self.blocked)
            + self.tags.values().map(b).sum::<usize>()
            + self.routes.values().map(b).sum::<usize>()
    }

    fn group(&self, g: &Group, today: model::segment::Date) -> RoaringBitmap {
        let mut parts = g.items.iter().map(|n| match n {
            Node::Group(inner) => self.group(inner, today),
            Node::Condition(c) => self.condition(c, today),
        });
        let combined = match g.join {
            Join::All => {
                let first = parts.next().unwrap_or_else(|| self.all.clone());
                parts.fold(first, |acc, p| acc & p)
            }
            Join::Any => parts.fold(RoaringBitmap::new(), |acc, p| acc | p),
        };
        if g.negate {
            &self.all - combined
        } else {
            combined
        }
    }

    /// Friends whose date column passes `keep`.
    fn scan_days(&self, column: &[i32], keep: impl Fn(i32) -> bool) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        out.extend(
            column
                .iter()
                .enumerate()
                .filter(|(_, d)| **d != UNKNOWN && keep(**d))
                .map(|(n, _)| n as u32),
        );
        out
    }

    /// A condition on a (sparse) custom field: each stored value list is
    /// checked with the model's own rule, so the two cannot disagree.
    fn scan_field(&self, field: &str, c: &Condition, today: model::segment::Date) -> RoaringBitmap {
        let single = Rule {
            version: model::segment::RULE_VERSION,
            root: Group {
                join: Join::All,
                negate: false,
                items: vec![Node::Condition(c.clone())],
            },
        };
        let mut hit = RoaringBitmap::new();
        for (n, values) in self.fields.get(field).into_iter().flatten() {
            let mut facts = Facts::default();
            facts.fields.insert(field.to_string(), values.clone());
            if single.matches(&facts, today) {
                hit.insert(*n);
            }
        }
        hit
    }

    /// A date column relative to today.
    fn relative(&self, column: &[i32], when: When, today: model::segment::Date) -> RoaringBitmap {
        let t = today.days_from_epoch() as i32;
        match when {
            When::MoreThanMonthsAgo { months } => {
                let limit = today.minus_months(months).days_from_epoch() as i32;
                self.scan_days(column, |d| d < limit)
            }
            When::WithinLastDays { days } => self.scan_days(column, |d| d >= t - days as i32 && d <= t),
            When::ThisMonth => self.scan_days(column, |d| model::segment::Date::from_days(d as i64).m == today.m),
            When::YearsBetween { min, max } => {
                // Born on or before (today − min years) and after (today − (max+1) years).
                let latest = today.minus_months(min * 12).days_from_epoch() as i32;
                let earliest = today.minus_months((max + 1) * 12).days_from_epoch() as i32;
                self.scan_days(column, |d| d <= latest && d > earliest)
            }
        }
    }

    fn condition(&self, c: &Condition, today: model::segment::Date) -> RoaringBitmap {
        let empty = RoaringBitmap::new();
        match c {
            Condition::Tag { tag, has } => {
                let with = self.tags.get(tag).unwrap_or(&empty);
                if *has {
                    with.clone()
                } else {
                    &self.all - with
                }
            }
            Condition::Status { status } => match status {
                Status::Active => self.active.clone(),
                Status::Blocked => self.blocked.clone(),
            },
            Condition::InflowRoute { route } => self.routes.get(route).cloned().unwrap_or_default(),
            Condition::Field {
                field, op: Op::IsEmpty, ..
            } => {
                // Friends without a stored value are empty too.
                let mut has_value = RoaringBitmap::new();
                has_value.extend(
                    self.fields
                        .get(field)
                        .into_iter()
                        .flatten()
                        .filter(|(_, values)| values.iter().any(|v| !matches!(v, Value::None)))
                        .map(|(n, _)| *n),
                );
                &self.all - has_value
            }
            Condition::Field { field, .. }
            | Condition::Date {
                date: DateSource::Field(field),
                ..
            } => self.scan_field(field, c, today),
            Condition::Date {
                date: DateSource::BirthDate,
                when,
            } => self.relative(&self.birth, *when, today),
            Condition::Date {
                date: DateSource::FirstFollowed,
                when,
            } => self.relative(&self.followed, *when, today),
        }
    }
}
