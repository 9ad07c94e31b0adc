//! Friends (LINE users of a clinic's account) and their timeline.

use crate::channels::CHANNEL_KEY_OF_CLINIC;
use crate::db::values_rows;
use crate::{Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FriendRow {
    pub id: i64,
    pub public_id: String,
    pub line_user_id: String,
    pub display_name: String,
    pub status: String,
    pub first_followed_at: Option<i64>,
    pub blocked_at: Option<i64>,
    pub unblocked_at: Option<i64>,
    pub patient_number: String,
    pub name_kana: String,
    pub birth_date: String,
    pub sex: String,
    pub memo: String,
    /// The channel they followed through (`ChannelRow::key`).
    pub channel_key: String,
    /// The staff member this LINE account is (linked by their code): out
    /// of every patient audience.
    pub staff_user_id: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FriendEventRow {
    pub at: i64,
    pub kind: String,
    pub detail: String,
}

pub(crate) const FRIEND_COLUMNS: &str = "id, public_id, line_user_id, display_name, status, first_followed_at, blocked_at, unblocked_at, \
     patient_number, name_kana, birth_date, sex, memo, channel_key, staff_user_id";

impl Db {
    pub async fn friend_by_line_user(&self, clinic_id: i64, line_user_id: &str) -> Result<Option<FriendRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {FRIEND_COLUMNS} FROM friends WHERE clinic_id = $1 AND line_user_id = $2"
        ))
        .bind(clinic_id)
        .bind(line_user_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn friend_timeline(&self, friend_id: i64) -> Result<Vec<FriendEventRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT at, kind, detail FROM friend_events WHERE friend_id = $1 ORDER BY at, id")
                .bind(friend_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }
}

pub(crate) async fn ensure_friend(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    line_user_id: &str,
    public_id: &str,
    status: &str,
    now: i64,
) -> Result<i64, StoreError> {
    sqlx::query(&format!(
        "INSERT INTO friends (clinic_id, public_id, line_user_id, status, created_at, channel_key) VALUES ($1, $2, $3, $4, $5, {}) \
             ON CONFLICT (clinic_id, line_user_id) DO NOTHING",
        CHANNEL_KEY_OF_CLINIC.replace("{clinic}", "$1")
    ))
    .bind(clinic_id)
    .bind(public_id)
    .bind(line_user_id)
    .bind(status)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM friends WHERE clinic_id = $1 AND line_user_id = $2")
        .bind(clinic_id)
        .bind(line_user_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

pub(crate) async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    friend_id: i64,
    at: i64,
    kind: &str,
    detail: &str,
    line_message_id: Option<&str>,
) -> Result<(), StoreError> {
    let entry = NewFriendEvent {
        clinic_id,
        friend_id,
        at,
        kind: kind.to_string(),
        detail: detail.to_string(),
        line_message_id: line_message_id.map(str::to_string),
    };
    insert_events(tx, std::slice::from_ref(&entry)).await
}

/// A timeline entry to write.
pub(crate) struct NewFriendEvent {
    pub clinic_id: i64,
    pub friend_id: i64,
    pub at: i64,
    pub kind: String,
    pub detail: String,
    pub line_message_id: Option<String>,
}

/// Writes timeline entries in the order given, a few hundred a statement
/// (6 values each: far below either database's bind limit).
pub(crate) async fn insert_events(tx: &mut sqlx::Transaction<'_, sqlx::Any>, entries: &[NewFriendEvent]) -> Result<(), StoreError> {
    for chunk in entries.chunks(500) {
        let sql = format!(
            "INSERT INTO friend_events (clinic_id, friend_id, at, kind, detail, line_message_id) VALUES {}",
            values_rows(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.clinic_id)
                .bind(e.friend_id)
                .bind(e.at)
                .bind(&e.kind)
                .bind(&e.detail)
                .bind(&e.line_message_id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A page of the friend list: newest first, continued after `before_id`.
#[derive(Clone, Debug, Default)]
pub struct FriendFilter {
    pub clinic_id: i64,
    /// Part of the display name or フリガナ, or a whole patient number.
    pub search: Option<String>,
    pub status: Option<String>,
    pub followed_from: Option<i64>,
    pub followed_until: Option<i64>,
    /// Tag IDs a friend must all carry.
    pub tags: Vec<i64>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

impl Db {
    pub async fn set_friend_profile(
        &self,
        clinic_id: i64,
        line_user_id: &str,
        display_name: &str,
        picture_url: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            sqlx::query(
                "UPDATE friends SET display_name = $1, picture_url = $2, profile_fetched_at = $3 WHERE clinic_id = $4 AND line_user_id = $5",
            )
            .bind(display_name)
            .bind(picture_url)
            .bind(now)
            .bind(clinic_id)
            .bind(line_user_id),
        )
        .await?;
        Ok(())
    }

    /// Records when a profile was last tried (a failed fetch is retried
    /// later, not at once, so it cannot crowd out the others).
    pub async fn set_profile_fetched_at(&self, clinic_id: i64, line_user_id: &str, at: i64) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE friends SET profile_fetched_at = $1 WHERE clinic_id = $2 AND line_user_id = $3")
                .bind(at)
                .bind(clinic_id)
                .bind(line_user_id),
        )
        .await?;
        Ok(())
    }

    /// Active friends (any clinic) whose LINE profile was last fetched
    /// before `before`, or never; the stalest first.
    pub async fn stale_profiles(&self, before: i64, limit: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT clinic_id, line_user_id FROM friends \
             WHERE status = 'active' AND (profile_fetched_at IS NULL OR profile_fetched_at < $1) \
             ORDER BY COALESCE(profile_fetched_at, 0), id LIMIT $2",
        )
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Keyset pagination by descending ID: each page is one index range
    /// scan, however deep the list is paged. Only the filters in use are
    /// written into the query, so each database can pick its index (an
    /// `$n IS NULL OR …` form hides them from SQLite's planner).
    pub async fn list_friends(&self, f: &FriendFilter) -> Result<Vec<FriendRow>, StoreError> {
        let search = f.search.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let mut sql = format!("SELECT {FRIEND_COLUMNS} FROM friends WHERE clinic_id = $1");
        let mut n = 1;
        let mut next = |clause: &str| {
            n += 1;
            clause.replace('?', &format!("${n}"))
        };
        if search.is_some() {
            let (like, exact) = (next("?"), next("?"));
            sql.push_str(&format!(
                " AND (display_name LIKE {like} OR name_kana LIKE {like} OR patient_number = {exact})"
            ));
        }
        if f.status.is_some() {
            sql.push_str(&next(" AND status = ?"));
        }
        if f.followed_from.is_some() {
            sql.push_str(&next(" AND first_followed_at >= ?"));
        }
        if f.followed_until.is_some() {
            sql.push_str(&next(" AND first_followed_at < ?"));
        }
        for _ in &f.tags {
            sql.push_str(&next(" AND id IN (SELECT friend_id FROM friend_tags WHERE tag_id = ?)"));
        }
        if f.before_id.is_some() {
            sql.push_str(&next(" AND id < ?"));
        }
        sql.push_str(&next(" ORDER BY id DESC LIMIT ?"));
        let mut q = sqlx::query_as(&sql).bind(f.clinic_id);
        if let Some(s) = &search {
            q = q.bind(format!("%{}%", s.replace(['%', '_', '\\'], ""))).bind(s.clone());
        }
        if let Some(status) = &f.status {
            q = q.bind(status.clone());
        }
        if let Some(t) = f.followed_from {
            q = q.bind(t);
        }
        if let Some(t) = f.followed_until {
            q = q.bind(t);
        }
        for tag in &f.tags {
            q = q.bind(*tag);
        }
        if let Some(id) = f.before_id {
            q = q.bind(id);
        }
        Ok(q.bind(f.limit).fetch_all(&self.pool).await?)
    }

    pub async fn friend_by_public_id(&self, clinic_id: i64, public_id: &str) -> Result<Option<FriendRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {FRIEND_COLUMNS} FROM friends WHERE clinic_id = $1 AND public_id = $2"
        ))
        .bind(clinic_id)
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Every friend of a clinic (for restoring the sandbox's view of who
    /// follows whom after a restart).
    pub async fn all_friends(&self, clinic_id: i64) -> Result<Vec<FriendRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {FRIEND_COLUMNS} FROM friends WHERE clinic_id = $1 ORDER BY id"))
                .bind(clinic_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Friends whose LINE profile has not been fetched yet.
    pub async fn count_friends_without_name(&self, clinic_id: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM friends WHERE clinic_id = $1 AND display_name = ''")
            .bind(clinic_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
