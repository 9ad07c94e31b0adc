//! Segments (タグルール): counting a rule over a clinic's friends, and the
//! saved segments that broadcasts, sequences and rich menus reuse.
//!
//! Counting uses an in-memory index per clinic, built once and then kept
//! current from the database's change log (`segment_changes`), which every
//! change of tags, fields, status or birth date writes in its own
//! transaction. Before each count the instance reads the changes after the
//! last it applied, so a change made by another instance is seen too.

use crate::audit::Event;
use crate::crypto::public_id;
use crate::{Actor, Engine, EngineError};
use model::segment::{Catalog, Date, Facts, Rule, Status, Value};
use model::Permission;
use segments::SegmentIndex;
use std::collections::HashMap;
use std::sync::Arc;
use store::{FieldRow, FriendRow, SegmentRow, TagRow};

pub const SEGMENT_NAME_MAX: usize = 40;
pub const SEGMENT_DESCRIPTION_MAX: usize = 200;
/// Past this many changed friends at once, rebuilding beats patching.
const REBUILD_AFTER_CHANGES: usize = 20_000;
/// Changes are kept this long; an index not refreshed for longer is rebuilt.
pub const CHANGE_RETENTION_MS: i64 = 24 * 3600 * 1000;

/// How many friends match, and a few of them.
#[derive(Clone, Debug)]
pub struct SegmentCount {
    pub count: u64,
    pub sample: Vec<FriendRow>,
}

/// One clinic's index and where in the change log it stands.
pub(crate) struct ClinicIndex {
    index: SegmentIndex,
    last_seq: i64,
    refreshed_at: i64,
}

/// The indexes of the clinics counted on this instance.
pub(crate) type SegmentCache = Arc<tokio::sync::Mutex<HashMap<i64, ClinicIndex>>>;

/// A clinic's tags and fields: what its rules name.
pub(crate) type ClinicNames = (Vec<TagRow>, Vec<FieldRow>);

/// What a rule may name in a clinic: its tag and field public IDs.
pub fn catalog(tags: &[TagRow], fields: &[FieldRow]) -> Catalog {
    Catalog {
        tags: tags.iter().map(|t| t.public_id.clone()).collect(),
        fields: fields
            .iter()
            .filter_map(|f| model::segment::FieldType::parse(&f.field_type).map(|t| (f.public_id.clone(), t)))
            .collect(),
    }
}

/// A unique-name conflict as the error staff understand.
pub(crate) fn name_taken<T>(r: Result<T, store::StoreError>) -> Result<T, EngineError> {
    match r {
        Err(store::StoreError::Conflict) => Err(EngineError::TagNameTaken),
        other => Ok(other?),
    }
}

/// A saved segment's name and description, trimmed and within bounds.
fn clean_segment_text(name: &str, description: &str) -> Result<(String, String), EngineError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > SEGMENT_NAME_MAX {
        return Err(EngineError::InvalidSegmentName);
    }
    let description = description.trim();
    if description.chars().count() > SEGMENT_DESCRIPTION_MAX {
        return Err(EngineError::TagTextTooLong);
    }
    Ok((name.to_string(), description.to_string()))
}

impl Engine {
    /// Some friends as the rule language sees them, naming the clinic's
    /// `tags` and `fields` (their tags and values loaded for just these
    /// friends, or for the whole clinic when `whole`).
    async fn segment_facts(
        &self,
        clinic_id: i64,
        friends: &[FriendRow],
        (tags, fields): (&[TagRow], &[FieldRow]),
        whole: bool,
    ) -> Result<Vec<(i64, Facts)>, EngineError> {
        let tag_ids: HashMap<i64, &str> = tags.iter().map(|t| (t.id, t.public_id.as_str())).collect();
        let field_ids: HashMap<i64, &str> = fields.iter().map(|f| (f.id, f.public_id.as_str())).collect();
        let mut facts: HashMap<i64, Facts> = friends
            .iter()
            .map(|f| {
                let facts = Facts {
                    birth_date: Date::parse(&f.birth_date),
                    first_followed: f.first_followed_at.map(Date::jst_of_ms),
                    status: Some(if f.status == "blocked" { Status::Blocked } else { Status::Active }),
                    ..Default::default()
                };
                (f.id, facts)
            })
            .collect();
        let ids: Vec<i64> = friends.iter().map(|f| f.id).collect();
        let (friend_tags, values) = if whole {
            (
                self.db.clinic_friend_tags(clinic_id).await?,
                self.db.clinic_field_values(clinic_id).await?,
            )
        } else {
            (
                self.db.friend_tags_of(clinic_id, &ids).await?,
                self.db.field_values_of(clinic_id, &ids).await?,
            )
        };
        for (friend, tag) in friend_tags {
            if let (Some(f), Some(t)) = (facts.get_mut(&friend), tag_ids.get(&tag)) {
                f.tags.insert(t.to_string());
            }
        }
        for (friend, field, json) in values {
            if let (Some(f), Some(name)) = (facts.get_mut(&friend), field_ids.get(&field)) {
                let values: Vec<Value> = serde_json::from_str(&json).map_err(|_| EngineError::Corrupt)?;
                f.fields.insert(name.to_string(), values);
            }
        }
        Ok(friends.iter().filter_map(|f| facts.remove(&f.id).map(|x| (f.id, x))).collect())
    }

    /// One friend's facts (for an automation's condition), naming the
    /// clinic's tags and fields as [`Engine::check_rule`] returned them.
    pub(crate) async fn friend_facts(&self, clinic_id: i64, friend: &FriendRow, names: &ClinicNames) -> Result<Facts, EngineError> {
        let mut all = self
            .segment_facts(clinic_id, std::slice::from_ref(friend), (&names.0, &names.1), false)
            .await?;
        all.pop().map(|(_, f)| f).ok_or(EngineError::NotFound)
    }

    /// Brings the clinic's index up to date with the change log and runs
    /// `f` on it.
    async fn with_index<T>(&self, clinic_id: i64, names: &ClinicNames, f: impl FnOnce(&SegmentIndex) -> T) -> Result<T, EngineError> {
        let names = (names.0.as_slice(), names.1.as_slice());
        let now = self.now_ms();
        let mut cache = self.segment_cache.lock().await;
        let stale = cache.get(&clinic_id).is_none_or(|c| now - c.refreshed_at > CHANGE_RETENTION_MS);
        if !stale {
            let entry = cache.get_mut(&clinic_id).ok_or(EngineError::Corrupt)?;
            let changes = self.db.segment_changes_since(clinic_id, entry.last_seq, now).await?;
            if changes.friends.len() <= REBUILD_AFTER_CHANGES {
                let fresh = self.facts_of(clinic_id, &changes.friends, names).await?;
                // Friends are never deleted today; one that is gone
                // (erasure, later) leaves the index too.
                for id in &changes.friends {
                    if !fresh.iter().any(|(f, _)| f == id) {
                        entry.index.remove(*id);
                    }
                }
                for (id, facts) in fresh {
                    entry.index.upsert(id, facts);
                }
                entry.last_seq = changes.last_seq;
                entry.refreshed_at = now;
                return Ok(f(&entry.index));
            }
        }
        // Read the head first: a change committed while building is read
        // again next time, which is harmless.
        let head = self.db.segment_change_head(clinic_id).await?;
        let mut friends = self.db.all_friends(clinic_id).await?;
        friends.retain(|f| f.staff_user_id.is_none());
        let index = SegmentIndex::build(self.segment_facts(clinic_id, &friends, names, true).await?);
        let out = f(&index);
        cache.insert(
            clinic_id,
            ClinicIndex {
                index,
                last_seq: head,
                refreshed_at: now,
            },
        );
        Ok(out)
    }

    /// Which of `friends` (IDs) the rule matches now, read fresh from the
    /// database (a handful changed; the clinic's index is not needed).
    pub(crate) async fn matching_among(
        &self,
        clinic_id: i64,
        rule: &Rule,
        names: &ClinicNames,
        friends: &[i64],
    ) -> Result<Vec<i64>, EngineError> {
        let today = Date::jst_of_ms(self.now_ms());
        Ok(self
            .facts_of(clinic_id, friends, (&names.0, &names.1))
            .await?
            .into_iter()
            .filter(|(_, facts)| rule.matches(facts, today))
            .map(|(id, _)| id)
            .collect())
    }

    /// Some friends' facts, by ID, read fresh in chunks; a friend who is
    /// gone has none, and neither has a staff member's linked LINE: staff
    /// are in no segment, so in no audience built from one.
    async fn facts_of(&self, clinic_id: i64, ids: &[i64], names: (&[TagRow], &[FieldRow])) -> Result<Vec<(i64, Facts)>, EngineError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut rows = self.db.friends_by_ids(clinic_id, chunk).await?;
            rows.retain(|f| f.staff_user_id.is_none());
            out.extend(self.segment_facts(clinic_id, &rows, names, false).await?);
        }
        Ok(out)
    }

    /// Refuses a rule the clinic's tags and fields cannot evaluate; returns
    /// them otherwise, for evaluating it.
    pub(crate) async fn check_rule(&self, clinic_id: i64, rule: &Rule) -> Result<ClinicNames, EngineError> {
        let (tags, fields) = (self.db.tags(clinic_id).await?, self.db.fields(clinic_id).await?);
        let refusals = rule.validate(&catalog(&tags, &fields));
        if refusals.is_empty() {
            Ok((tags, fields))
        } else {
            Err(EngineError::InvalidRule(refusals))
        }
    }

    /// Counts a rule's friends (and a sample of `sample` of them). A rule
    /// that cannot be evaluated is refused with every reason.
    pub async fn count_segment(&self, actor: &Actor, rule: &Rule, sample: usize) -> Result<SegmentCount, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let names = self.check_rule(actor.clinic_id, rule).await?;
        let today = Date::jst_of_ms(self.now_ms());
        let (count, ids) = self
            .with_index(actor.clinic_id, &names, |ix| {
                (ix.count(rule, today), ix.matching(rule, today, sample))
            })
            .await?;
        let mut sample = self.db.friends_by_ids(actor.clinic_id, &ids).await?;
        sample.sort_by_key(|f| ids.iter().position(|i| *i == f.id));
        Ok(SegmentCount { count, sample })
    }

    /// Every friend ID matching a rule (what a send's recipients are fixed from).
    pub async fn segment_members(&self, clinic_id: i64, rule: &Rule) -> Result<Vec<i64>, EngineError> {
        let names = self.check_rule(clinic_id, rule).await?;
        let today = Date::jst_of_ms(self.now_ms());
        self.with_index(clinic_id, &names, |ix| ix.matching(rule, today, usize::MAX)).await
    }

    /// Drops change-log rows every index has read (or will be rebuilt past).
    pub async fn prune_segment_changes(&self) -> Result<u64, EngineError> {
        Ok(self.db.prune_segment_changes(self.now_ms() - 2 * CHANGE_RETENTION_MS).await?)
    }

    pub async fn list_segments(&self, actor: &Actor) -> Result<Vec<SegmentRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        Ok(self.db.segments(actor.clinic_id).await?)
    }

    pub async fn segment(&self, actor: &Actor, public_id: &str) -> Result<(SegmentRow, Rule), EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self
            .db
            .segment_by_public_id(actor.clinic_id, public_id)
            .await?
            .ok_or(EngineError::NotFound)?;
        let rule = serde_json::from_str(&row.rule).map_err(|_| EngineError::Corrupt)?;
        Ok((row, rule))
    }

    /// Saves a segment: a new one when `existing` is `None`. The rule must
    /// validate against the clinic's tags and fields.
    pub async fn save_segment(
        &self,
        actor: &Actor,
        existing: Option<&str>,
        name: &str,
        description: &str,
        rule: &Rule,
    ) -> Result<String, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let (name, description) = clean_segment_text(name, description)?;
        self.check_rule(actor.clinic_id, rule).await?;
        let json = serde_json::to_string(rule).map_err(|_| EngineError::Corrupt)?;
        let now = self.now_ms();
        let pid = existing.map(str::to_string).unwrap_or_else(public_id);
        let audit = self.audit(Event::by(actor, "segment.saved", pid.clone(), name.clone()));
        if existing.is_some() {
            if !name_taken(
                self.db
                    .update_segment(actor.clinic_id, &pid, &name, &description, &json, now, &audit)
                    .await,
            )? {
                return Err(EngineError::NotFound);
            }
        } else {
            name_taken(
                self.db
                    .create_segment(actor.clinic_id, &pid, &name, &description, &json, now, &audit)
                    .await,
            )?;
        }
        Ok(pid)
    }

    pub async fn delete_segment(&self, actor: &Actor, public_id: &str) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let audit = self.audit(Event::by(actor, "segment.deleted", public_id.to_string(), String::new()));
        if !self.db.delete_segment(actor.clinic_id, public_id, &audit).await? {
            return Err(EngineError::NotFound);
        }
        Ok(())
    }
}
