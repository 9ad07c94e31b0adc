//! タグ and カスタム項目: designing them (marketers and up), attaching
//! tags and setting values on friends (front desk and up).

use crate::audit::Event;
use crate::crypto::public_id;
use crate::{Actor, Engine, EngineError};
use model::automation::Happening;
use model::segment::{FieldType, Value};
use model::Permission;
use store::{FieldRow, NewTag, TagFolderRow, TagRow};

pub const NAME_MAX: usize = 30;
pub const DESCRIPTION_MAX: usize = 200;
pub const RULE_TEXT_MAX: usize = 500;
pub const CHOICES_MAX: usize = 50;

/// The colours a tag may have: a calm palette that stays readable as a
/// badge on white (data, so the UI and the server agree).
pub const TAG_COLORS: [&str; 8] = [
    "#0a7d5a", "#2563eb", "#7c3aed", "#db2777", "#dc2626", "#d97706", "#4b5563", "#0891b2",
];

/// A tag with how much it is used.
#[derive(Clone, Debug)]
pub struct TagView {
    pub tag: TagRow,
    pub friends: i64,
    pub last_applied: Option<i64>,
}

pub struct TagInput<'a> {
    pub folder: Option<&'a str>,
    pub name: &'a str,
    pub color: &'a str,
    pub description: &'a str,
    pub rule_text: &'a str,
}

#[cfg(feature = "test-support")]
impl<'a> TagInput<'a> {
    /// A tag of this name and nothing else (no folder, description or
    /// rule): the tests' tag.
    pub fn plain(name: &'a str) -> TagInput<'a> {
        TagInput {
            folder: None,
            name,
            color: TAG_COLORS[1],
            description: "",
            rule_text: "",
        }
    }
}

fn clean_name(name: &str) -> Result<String, EngineError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(EngineError::InvalidTagName);
    }
    Ok(name.to_string())
}

/// Whether values fit a field's type and choices (one value at most but
/// for multiple choice; an empty list clears).
pub(crate) fn values_fit(field: &FieldRow, values: &[Value]) -> bool {
    let Some(kind) = FieldType::parse(&field.field_type) else {
        return false;
    };
    let choices: Vec<String> = serde_json::from_str(&field.choices).unwrap_or_default();
    let fits = |v: &Value| match (kind, v) {
        (FieldType::Text, Value::Text(t)) => t.chars().count() <= DESCRIPTION_MAX,
        (FieldType::Number, Value::Number(n)) => n.is_finite(),
        (FieldType::Date, Value::Date(_)) => true,
        (FieldType::SingleChoice | FieldType::MultiChoice, Value::Choice(c)) => choices.contains(c),
        _ => false,
    };
    (kind == FieldType::MultiChoice || values.len() <= 1) && values.iter().all(fits)
}

impl Engine {
    pub async fn create_tag_folder(&self, actor: &Actor, name: &str) -> Result<TagFolderRow, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let name = clean_name(name)?;
        let position = self.db.tag_folders(actor.clinic_id).await?.len() as i64;
        let pid = public_id();
        let audit = self.audit(Event::by(actor, "tag.folder_created", pid.clone(), name.clone()));
        let id = match self.db.create_tag_folder(actor.clinic_id, &pid, &name, position, &audit).await {
            Err(store::StoreError::Conflict) => return Err(EngineError::TagNameTaken),
            other => other?,
        };
        Ok(TagFolderRow {
            id,
            public_id: pid,
            name,
            position,
        })
    }

    pub async fn tag_folders(&self, actor: &Actor) -> Result<Vec<TagFolderRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        Ok(self.db.tag_folders(actor.clinic_id).await?)
    }

    pub async fn list_fields(&self, actor: &Actor) -> Result<Vec<FieldRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        Ok(self.db.fields(actor.clinic_id).await?)
    }

    pub async fn create_tag(&self, actor: &Actor, input: &TagInput<'_>) -> Result<TagRow, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let name = clean_name(input.name)?;
        if !TAG_COLORS.contains(&input.color) {
            return Err(EngineError::InvalidTagColor);
        }
        if input.description.chars().count() > DESCRIPTION_MAX || input.rule_text.chars().count() > RULE_TEXT_MAX {
            return Err(EngineError::TagTextTooLong);
        }
        let folder_id = match input.folder.filter(|f| !f.is_empty()) {
            Some(f) => Some(
                self.db
                    .tag_folders(actor.clinic_id)
                    .await?
                    .into_iter()
                    .find(|x| x.public_id == f)
                    .ok_or(EngineError::NotFound)?
                    .id,
            ),
            None => None,
        };
        let pid = public_id();
        let new = NewTag {
            public_id: &pid,
            folder_id,
            name: &name,
            color: input.color,
            description: input.description.trim(),
            rule_text: input.rule_text.trim(),
        };
        let audit = self.audit(Event::by(actor, "tag.created", pid.clone(), name.clone()));
        match self.db.create_tag(actor.clinic_id, &new, self.now_ms(), &audit).await {
            Err(store::StoreError::Conflict) => return Err(EngineError::TagNameTaken),
            other => other?,
        };
        self.db.tag_by_public_id(actor.clinic_id, &pid).await?.ok_or(EngineError::NotFound)
    }

    /// Every tag of the clinic with its friends and last attachment.
    /// The clinic's tags without their counts, for naming them or offering
    /// them as choices: counting every tag's friends is the slow part of
    /// `list_tags`.
    pub async fn tag_choices(&self, actor: &Actor) -> Result<Vec<TagRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        Ok(self.db.tags(actor.clinic_id).await?)
    }

    pub async fn list_tags(&self, actor: &Actor) -> Result<Vec<TagView>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let stats: std::collections::HashMap<i64, (i64, Option<i64>)> = self
            .db
            .tag_stats(actor.clinic_id)
            .await?
            .into_iter()
            .map(|s| (s.tag_id, (s.friends, s.last_applied)))
            .collect();
        Ok(self
            .db
            .tags(actor.clinic_id)
            .await?
            .into_iter()
            .map(|tag| {
                let (friends, last_applied) = stats.get(&tag.id).copied().unwrap_or((0, None));
                TagView {
                    tag,
                    friends,
                    last_applied,
                }
            })
            .collect())
    }

    /// Attaches (or removes) a tag on friends given by public ID; friends
    /// of other clinics are not found. Returns how many changed.
    pub async fn set_tag(&self, actor: &Actor, tag: &str, friends: &[String], attach: bool) -> Result<u64, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let tag = self.db.tag_by_public_id(actor.clinic_id, tag).await?.ok_or(EngineError::NotFound)?;
        let mut ids = Vec::with_capacity(friends.len());
        for f in friends {
            ids.push(self.friend_of(actor, f).await?.id);
        }
        let action = if attach { "tag.attached" } else { "tag.removed" };
        let audit = self.audit(Event::by(actor, action, tag.public_id.clone(), "{count} friends".into()));
        let changed = self.apply_tag(actor.clinic_id, &tag, &ids, attach, 0, Some(&audit)).await?;
        Ok(changed.len() as u64)
    }

    /// Attaches or removes a tag (by staff, or by an automation at chain
    /// `depth`), queueing "tag added/removed" for the automations when one
    /// listens. Returns the friends that changed.
    pub(crate) async fn apply_tag(
        &self,
        clinic_id: i64,
        tag: &TagRow,
        friends: &[i64],
        attach: bool,
        depth: i64,
        audit: Option<&store::Audit<'_>>,
    ) -> Result<Vec<i64>, EngineError> {
        let tag_id = tag.public_id.clone();
        let happened = if attach {
            Happening::TagAdded { tag: tag_id }
        } else {
            Happening::TagRemoved { tag: tag_id }
        };
        let queued = self.happening_if_listened(clinic_id, &happened, None, self.now_ms(), depth).await?;
        let now = self.now_ms();
        let changed = if attach {
            self.db.tag_friends(clinic_id, tag.id, friends, now, queued.as_ref(), audit).await?
        } else {
            self.db
                .untag_friends(clinic_id, tag.id, friends, now, queued.as_ref(), audit)
                .await?
        };
        if queued.is_some() && !changed.is_empty() {
            self.automation_signal.notify_one();
        }
        Ok(changed)
    }

    pub async fn friend_tag_list(&self, actor: &Actor, friend: &str) -> Result<Vec<TagRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let f = self.friend_of(actor, friend).await?;
        Ok(self.db.friend_tags(actor.clinic_id, f.id).await?)
    }

    pub async fn create_field(&self, actor: &Actor, name: &str, field_type: &str, choices: &[String]) -> Result<FieldRow, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let name = clean_name(name)?;
        let kind = FieldType::parse(field_type).ok_or(EngineError::InvalidFieldType)?;
        let choices: Vec<String> = choices.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
        let mut unique = choices.clone();
        unique.sort();
        unique.dedup();
        let needs_choices = matches!(kind, FieldType::SingleChoice | FieldType::MultiChoice);
        if needs_choices
            && (choices.is_empty()
                || choices.len() > CHOICES_MAX
                || unique.len() != choices.len()
                || choices.iter().any(|c| c.chars().count() > NAME_MAX))
            || (!needs_choices && !choices.is_empty())
        {
            return Err(EngineError::InvalidChoices);
        }
        let position = self.db.fields(actor.clinic_id).await?.len() as i64;
        let pid = public_id();
        let json = serde_json::to_string(&choices).unwrap_or_else(|_| "[]".into());
        let audit = self.audit(Event::by(actor, "field.created", pid.clone(), name.clone()));
        match self
            .db
            .create_field(actor.clinic_id, &pid, &name, field_type, &json, position, &audit)
            .await
        {
            Err(store::StoreError::Conflict) => return Err(EngineError::TagNameTaken),
            other => other?,
        };
        self.db
            .fields(actor.clinic_id)
            .await?
            .into_iter()
            .find(|f| f.public_id == pid)
            .ok_or(EngineError::NotFound)
    }

    /// Sets a friend's value of a field; the value must fit the field's
    /// type (and its choices). An empty list clears it.
    pub async fn set_field_value(&self, actor: &Actor, friend: &str, field: &str, values: &[Value]) -> Result<(), EngineError> {
        actor.require(Permission::HandlePatients)?;
        let f = self.friend_of(actor, friend).await?;
        self.apply_field_value(actor.clinic_id, f.id, field, values, 0).await
    }

    /// Sets a field's value on a friend of the clinic (by staff, or by an
    /// automation at chain `depth`), queueing "field changed" when an
    /// automation listens.
    pub(crate) async fn apply_field_value(
        &self,
        clinic_id: i64,
        friend_id: i64,
        field: &str,
        values: &[Value],
        depth: i64,
    ) -> Result<(), EngineError> {
        let field = self
            .db
            .fields(clinic_id)
            .await?
            .into_iter()
            .find(|x| x.public_id == field)
            .ok_or(EngineError::NotFound)?;
        if !values_fit(&field, values) {
            return Err(EngineError::ValueNotForField);
        }
        let json = (!values.is_empty()).then(|| serde_json::to_string(values).unwrap_or_default());
        let now = self.now_ms();
        let happened = Happening::FieldChanged {
            field: field.public_id.clone(),
        };
        let queued = self.happening_if_listened(clinic_id, &happened, None, now, depth).await?;
        self.db
            .set_field_value(clinic_id, friend_id, field.id, json.as_deref(), now, queued.as_ref())
            .await?;
        if queued.is_some() {
            self.automation_signal.notify_one();
        }
        Ok(())
    }
}
