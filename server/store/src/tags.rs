//! Tags in folders, custom fields, and what each friend carries of them.
//! Every statement names the clinic, so one clinic can never touch
//! another's tags, fields or friends.

use crate::automations::{enqueue, Happening};
use crate::segments::note_change;
use crate::{Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TagFolderRow {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub position: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TagRow {
    pub id: i64,
    pub public_id: String,
    pub folder_id: Option<i64>,
    pub name: String,
    pub color: String,
    pub description: String,
    pub rule_text: String,
    pub created_at: i64,
}

/// How many friends carry a tag, and when it was last attached.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TagStatRow {
    pub tag_id: i64,
    pub friends: i64,
    pub last_applied: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FieldRow {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub field_type: String,
    /// JSON array of choices.
    pub choices: String,
    pub position: i64,
}

/// A new tag's contents.
pub struct NewTag<'a> {
    pub public_id: &'a str,
    pub folder_id: Option<i64>,
    pub name: &'a str,
    pub color: &'a str,
    pub description: &'a str,
    pub rule_text: &'a str,
}

const TAG_COLUMNS: &str = "id, public_id, folder_id, name, color, description, rule_text, created_at";

impl Db {
    pub async fn create_tag_folder(
        &self,
        clinic_id: i64,
        public_id: &str,
        name: &str,
        position: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let (id,): (i64,) =
            sqlx::query_as("INSERT INTO tag_folders (clinic_id, public_id, name, position) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(clinic_id)
                .bind(public_id)
                .bind(name)
                .bind(position)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from_insert)?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn tag_folders(&self, clinic_id: i64) -> Result<Vec<TagFolderRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, public_id, name, position FROM tag_folders WHERE clinic_id = $1 ORDER BY position, id")
                .bind(clinic_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn create_tag(&self, clinic_id: i64, t: &NewTag<'_>, now: i64, audit: &crate::Audit<'_>) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO tags (clinic_id, public_id, folder_id, name, color, description, rule_text, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(clinic_id)
        .bind(t.public_id)
        .bind(t.folder_id)
        .bind(t.name)
        .bind(t.color)
        .bind(t.description)
        .bind(t.rule_text)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from_insert)?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn tags(&self, clinic_id: i64) -> Result<Vec<TagRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {TAG_COLUMNS} FROM tags WHERE clinic_id = $1 ORDER BY folder_id, name"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn tag_by_public_id(&self, clinic_id: i64, public_id: &str) -> Result<Option<TagRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {TAG_COLUMNS} FROM tags WHERE clinic_id = $1 AND public_id = $2"))
                .bind(clinic_id)
                .bind(public_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Attaches a tag to friends of the clinic, in one transaction; friends
    /// that already carry it, or are not the clinic's, are left as they are.
    /// Each friend that gains it gets `happening` queued for the
    /// automations. Returns the friends that gained it.
    pub async fn tag_friends(
        &self,
        clinic_id: i64,
        tag_id: i64,
        friend_ids: &[i64],
        now: i64,
        happening: Option<&Happening>,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.begin().await?;
        let mut added = Vec::new();
        for friend in friend_ids {
            let done = sqlx::query(
                "INSERT INTO friend_tags (friend_id, tag_id, clinic_id, applied_at) \
                 SELECT f.id, t.id, f.clinic_id, $4 FROM friends f, tags t \
                 WHERE f.id = $1 AND t.id = $2 AND f.clinic_id = $3 AND t.clinic_id = $3 \
                 ON CONFLICT DO NOTHING",
            )
            .bind(friend)
            .bind(tag_id)
            .bind(clinic_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                changed(&mut tx, clinic_id, *friend, now, happening).await?;
                added.push(*friend);
            }
        }
        if let Some(audit) = audit {
            audit.append_counted(&mut tx, added.len()).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Removes a tag from friends; like [`Db::tag_friends`], returns the
    /// friends that lost it.
    pub async fn untag_friends(
        &self,
        clinic_id: i64,
        tag_id: i64,
        friend_ids: &[i64],
        now: i64,
        happening: Option<&Happening>,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.begin().await?;
        let mut removed = Vec::new();
        for friend in friend_ids {
            let done = sqlx::query("DELETE FROM friend_tags WHERE friend_id = $1 AND tag_id = $2 AND clinic_id = $3")
                .bind(friend)
                .bind(tag_id)
                .bind(clinic_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done == 1 {
                changed(&mut tx, clinic_id, *friend, now, happening).await?;
                removed.push(*friend);
            }
        }
        if let Some(audit) = audit {
            audit.append_counted(&mut tx, removed.len()).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// The tags one friend carries.
    pub async fn friend_tags(&self, clinic_id: i64, friend_id: i64) -> Result<Vec<TagRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.public_id, t.folder_id, t.name, t.color, t.description, t.rule_text, t.created_at \
             FROM friend_tags ft JOIN tags t ON t.id = ft.tag_id \
             WHERE ft.clinic_id = $1 AND ft.friend_id = $2 ORDER BY t.folder_id, t.name",
        )
        .bind(clinic_id)
        .bind(friend_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Friends and last attachment per tag of the clinic.
    pub async fn tag_stats(&self, clinic_id: i64) -> Result<Vec<TagStatRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT tag_id, COUNT(*) AS friends, MAX(applied_at) AS last_applied FROM friend_tags \
             WHERE clinic_id = $1 GROUP BY tag_id",
        )
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every (friend, tag) pair of the clinic: what a segment index is built from.
    pub async fn clinic_friend_tags(&self, clinic_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(sqlx::query_as("SELECT friend_id, tag_id FROM friend_tags WHERE clinic_id = $1")
            .bind(clinic_id)
            .fetch_all(&self.pool)
            .await?)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn create_field(
        &self,
        clinic_id: i64,
        public_id: &str,
        name: &str,
        field_type: &str,
        choices: &str,
        position: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO custom_fields (clinic_id, public_id, name, field_type, choices, position) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(clinic_id)
        .bind(public_id)
        .bind(name)
        .bind(field_type)
        .bind(choices)
        .bind(position)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from_insert)?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn fields(&self, clinic_id: i64) -> Result<Vec<FieldRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, public_id, name, field_type, choices, position FROM custom_fields WHERE clinic_id = $1 ORDER BY position, id",
        )
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sets (or, with `None`, clears) one friend's value of a field, and
    /// queues `happening` when the value changed.
    pub async fn set_field_value(
        &self,
        clinic_id: i64,
        friend_id: i64,
        field_id: i64,
        value: Option<&str>,
        now: i64,
        happening: Option<&Happening>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let before: Option<(String,)> =
            sqlx::query_as("SELECT value FROM friend_field_values WHERE friend_id = $1 AND field_id = $2 AND clinic_id = $3")
                .bind(friend_id)
                .bind(field_id)
                .bind(clinic_id)
                .fetch_optional(&mut *tx)
                .await?;
        if before.as_ref().map(|b| b.0.as_str()) == value {
            return Ok(());
        }
        sqlx::query("DELETE FROM friend_field_values WHERE friend_id = $1 AND field_id = $2 AND clinic_id = $3")
            .bind(friend_id)
            .bind(field_id)
            .bind(clinic_id)
            .execute(&mut *tx)
            .await?;
        if let Some(v) = value {
            sqlx::query(
                "INSERT INTO friend_field_values (friend_id, field_id, clinic_id, value, updated_at) \
                 SELECT f.id, c.id, f.clinic_id, $4, $5 FROM friends f, custom_fields c \
                 WHERE f.id = $1 AND c.id = $2 AND f.clinic_id = $3 AND c.clinic_id = $3",
            )
            .bind(friend_id)
            .bind(field_id)
            .bind(clinic_id)
            .bind(v)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        changed(&mut tx, clinic_id, friend_id, now, happening).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every field value of the clinic: (friend ID, field ID, value JSON).
    pub async fn clinic_field_values(&self, clinic_id: i64) -> Result<Vec<(i64, i64, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT friend_id, field_id, value FROM friend_field_values WHERE clinic_id = $1")
                .bind(clinic_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// One friend's field values: (field ID, value JSON).
    pub async fn friend_field_values(&self, clinic_id: i64, friend_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT field_id, value FROM friend_field_values WHERE clinic_id = $1 AND friend_id = $2")
                .bind(clinic_id)
                .bind(friend_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }
}

/// A friend's tags or fields changed: segments must see it, and the
/// automations may answer it.
async fn changed(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    friend_id: i64,
    now: i64,
    happening: Option<&Happening>,
) -> Result<(), StoreError> {
    note_change(tx, clinic_id, friend_id, now).await?;
    if let Some(h) = happening {
        enqueue(tx, clinic_id, friend_id, h, now).await?;
    }
    Ok(())
}
