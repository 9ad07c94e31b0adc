//! Segment counts over a clinic's friends: the rule is validated against
//! the clinic's tags and fields, then counted with the in-memory index.
//! The index is built per count for now; keeping one per clinic up to date
//! (and in step across instances) is the next step.

use crate::{Actor, Engine, EngineError};
use model::segment::{Catalog, Date, Facts, Rule, Status, Value};
use model::Permission;
use segments::SegmentIndex;
use std::collections::HashMap;
use store::{FieldRow, FriendRow, TagRow};

/// How many friends match, and a few of them.
#[derive(Clone, Debug)]
pub struct SegmentCount {
    pub count: u64,
    pub sample: Vec<FriendRow>,
}

/// What a rule may name in a clinic: its tag and field public IDs.
pub fn catalog(tags: &[TagRow], fields: &[FieldRow]) -> Catalog {
    Catalog {
        tags: tags.iter().map(|t| t.public_id.clone()).collect(),
        fields: fields
            .iter()
            .filter_map(|f| crate::tags::field_type_of(&f.field_type).map(|t| (f.public_id.clone(), t)))
            .collect(),
    }
}

impl Engine {
    /// The clinic's friends as the rule language sees them.
    async fn segment_facts(
        &self,
        clinic_id: i64,
        friends: &[FriendRow],
        tags: &[TagRow],
        fields: &[FieldRow],
    ) -> Result<Vec<(i64, Facts)>, EngineError> {
        let tag_ids: HashMap<i64, &str> = tags.iter().map(|t| (t.id, t.public_id.as_str())).collect();
        let field_ids: HashMap<i64, &str> = fields.iter().map(|f| (f.id, f.public_id.as_str())).collect();
        let mut facts: HashMap<i64, Facts> = HashMap::new();
        for f in friends {
            facts.insert(
                f.id,
                Facts {
                    birth_date: Date::parse(&f.birth_date),
                    first_followed: f.first_followed_at.map(Date::jst_of_ms),
                    status: Some(if f.status == "blocked" { Status::Blocked } else { Status::Active }),
                    ..Default::default()
                },
            );
        }
        for (friend, tag) in self.db.clinic_friend_tags(clinic_id).await? {
            if let (Some(f), Some(t)) = (facts.get_mut(&friend), tag_ids.get(&tag)) {
                f.tags.insert(t.to_string());
            }
        }
        for (friend, field, json) in self.db.clinic_field_values(clinic_id).await? {
            if let (Some(f), Some(name)) = (facts.get_mut(&friend), field_ids.get(&field)) {
                let values: Vec<Value> = serde_json::from_str(&json).map_err(|_| EngineError::Corrupt)?;
                f.fields.insert(name.to_string(), values);
            }
        }
        Ok(friends.iter().filter_map(|f| facts.remove(&f.id).map(|x| (f.id, x))).collect())
    }

    /// Counts a rule's friends (and a sample of `sample` of them). A rule
    /// that cannot be evaluated is refused with every reason.
    pub async fn count_segment(&self, actor: &Actor, rule: &Rule, sample: usize) -> Result<SegmentCount, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let (tags, fields) = (self.db.tags(actor.clinic_id).await?, self.db.fields(actor.clinic_id).await?);
        let refusals = rule.validate(&catalog(&tags, &fields));
        if !refusals.is_empty() {
            return Err(EngineError::InvalidRule(refusals));
        }
        let friends = self.db.all_friends(actor.clinic_id).await?;
        let index = SegmentIndex::build(self.segment_facts(actor.clinic_id, &friends, &tags, &fields).await?);
        let today = Date::jst_of_ms(self.now_ms());
        let ids = index.matching(rule, today, sample);
        Ok(SegmentCount {
            count: index.count(rule, today),
            sample: friends.into_iter().filter(|f| ids.contains(&f.id)).collect(),
        })
    }
}
