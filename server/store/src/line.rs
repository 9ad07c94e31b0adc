//! A clinic's LINE channel, the webhook inbox, friends and their timeline.

use crate::{Db, Happening, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChannelRow {
    pub clinic_id: i64,
    pub mode: String,
    pub channel_id: String,
    pub secret_enc: String,
    pub token_enc: Option<String>,
    pub bot_user_id: String,
}

impl ChannelRow {
    /// Which channel this is, as friends and sends record it: `sandbox:`
    /// or `line:<channel ID>` (the same text `CHANNEL_KEY_OF_CLINIC` makes).
    pub fn key(&self) -> String {
        format!("{}:{}", self.mode, self.channel_id)
    }
}

/// SQL for a clinic's channel key now (`{clinic}`: its ID expression).
pub(crate) const CHANNEL_KEY_OF_CLINIC: &str =
    "COALESCE((SELECT c.mode || ':' || c.channel_id FROM line_channels c WHERE c.clinic_id = {clinic}), '')";

/// One webhook event as received, before processing.
#[derive(Clone, Debug)]
pub struct NewInboxEvent {
    pub webhook_event_id: String,
    pub event_type: String,
    pub event_time: i64,
    pub body: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InboxRow {
    pub id: i64,
    pub clinic_id: i64,
    pub webhook_event_id: String,
    pub event_type: String,
    pub event_time: i64,
    pub body: String,
}

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
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FriendEventRow {
    pub at: i64,
    pub kind: String,
    pub detail: String,
}

/// What one processed webhook event changes, decided by the engine and
/// written here together with marking the event processed.
#[derive(Clone, Debug, PartialEq)]
pub enum FriendChange {
    Followed {
        line_user_id: String,
        new_public_id: String,
        at: i64,
        unblocked: bool,
    },
    Blocked {
        line_user_id: String,
        new_public_id: String,
        at: i64,
    },
    /// A timeline entry (a message, a postback…).
    Recorded {
        line_user_id: String,
        new_public_id: String,
        at: i64,
        kind: String,
        detail: String,
        line_message_id: Option<String>,
    },
    /// The user unsent a message: its stored copy goes.
    Unsent {
        line_user_id: String,
        line_message_id: String,
    },
    Nothing,
}

pub(crate) const FRIEND_COLUMNS: &str = "id, public_id, line_user_id, display_name, status, first_followed_at, blocked_at, unblocked_at, \
     patient_number, name_kana, birth_date, sex, memo, channel_key";

impl Db {
    #[allow(clippy::too_many_arguments)]
    pub async fn put_channel(
        &self,
        clinic_id: i64,
        mode: &str,
        channel_id: &str,
        secret_enc: &str,
        token_enc: Option<&str>,
        now: i64,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<(), StoreError> {
        let q = sqlx::query(
            "INSERT INTO line_channels (clinic_id, mode, channel_id, secret_enc, token_enc, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (clinic_id) DO UPDATE SET mode = $2, channel_id = $3, secret_enc = $4, token_enc = $5, updated_at = $6",
        )
        .bind(clinic_id)
        .bind(mode)
        .bind(channel_id)
        .bind(secret_enc)
        .bind(token_enc)
        .bind(now);
        self.exec_with(q, audit).await
    }

    /// Every clinic's channel (to re-seal their secrets).
    pub async fn all_channels(&self) -> Result<Vec<ChannelRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT clinic_id, mode, channel_id, secret_enc, token_enc, bot_user_id FROM line_channels ORDER BY clinic_id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Replaces a channel's sealed secret and token as they are (sealed
    /// again, same values), unless the channel changed meanwhile.
    pub async fn reseal_channel(
        &self,
        clinic_id: i64,
        old_secret: &str,
        secret_enc: &str,
        token_enc: Option<&str>,
    ) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE line_channels SET secret_enc = $1, token_enc = $2 WHERE clinic_id = $3 AND secret_enc = $4")
                .bind(secret_enc)
                .bind(token_enc)
                .bind(clinic_id)
                .bind(old_secret),
        )
        .await?;
        Ok(())
    }

    pub async fn channel(&self, clinic_id: i64) -> Result<Option<ChannelRow>, StoreError> {
        Ok(
            sqlx::query_as(
                "SELECT clinic_id, mode, channel_id, secret_enc, token_enc, bot_user_id FROM line_channels WHERE clinic_id = $1",
            )
            .bind(clinic_id)
            .fetch_optional(&self.pool)
            .await?,
        )
    }

    /// Stores a POST's events durably, all or none; an event already stored
    /// (a redelivery) is skipped. Returns how many were new.
    pub async fn insert_inbox(&self, clinic_id: i64, events: &[NewInboxEvent], now: i64) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut new = 0;
        for e in events {
            let done = sqlx::query(
                "INSERT INTO webhook_inbox (clinic_id, webhook_event_id, event_type, event_time, body, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (clinic_id, webhook_event_id) DO NOTHING",
            )
            .bind(clinic_id)
            .bind(&e.webhook_event_id)
            .bind(&e.event_type)
            .bind(e.event_time)
            .bind(&e.body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            new += done.rows_affected();
        }
        tx.commit().await?;
        Ok(new)
    }

    /// How many stored events wait to be applied (the worker's backlog).
    pub async fn inbox_backlog(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhook_inbox WHERE processed_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Unprocessed events, oldest LINE timestamp first.
    pub async fn pending_inbox(&self, limit: i64) -> Result<Vec<InboxRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, clinic_id, webhook_event_id, event_type, event_time, body FROM webhook_inbox \
             WHERE processed_at IS NULL ORDER BY event_time, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Marks one inbox event processed and applies its change, in one
    /// transaction: false (nothing changed) when another worker got there
    /// first. A crash before the commit leaves the event pending.
    /// The friend's `happening`, if any, is queued for the automations in
    /// the same transaction.
    pub async fn apply_inbox_event(
        &self,
        inbox_id: i64,
        clinic_id: i64,
        change: &FriendChange,
        happening: Option<&Happening>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query("UPDATE webhook_inbox SET processed_at = $1 WHERE id = $2 AND processed_at IS NULL")
            .bind(now)
            .bind(inbox_id)
            .execute(&mut *tx)
            .await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let friend = match change {
            FriendChange::Followed {
                line_user_id,
                new_public_id,
                at,
                unblocked,
            } => {
                let id = ensure_friend(&mut tx, clinic_id, line_user_id, new_public_id, "active", now).await?;
                sqlx::query(
                    "UPDATE friends SET status = 'active', status_changed_at = $1, \
                        first_followed_at = COALESCE(first_followed_at, $1), \
                        unblocked_at = CASE WHEN $2 = 1 THEN $1 ELSE unblocked_at END \
                     WHERE id = $3 AND status_changed_at <= $1",
                )
                .bind(at)
                .bind(i64::from(*unblocked))
                .bind(id)
                .execute(&mut *tx)
                .await?;
                insert_event(
                    &mut tx,
                    clinic_id,
                    id,
                    *at,
                    if *unblocked { "unblock" } else { "follow" },
                    "{}",
                    None,
                )
                .await?;
                Some(id)
            }
            FriendChange::Blocked {
                line_user_id,
                new_public_id,
                at,
            } => {
                let id = ensure_friend(&mut tx, clinic_id, line_user_id, new_public_id, "blocked", now).await?;
                sqlx::query("UPDATE friends SET status = 'blocked', status_changed_at = $1, blocked_at = $1 WHERE id = $2 AND status_changed_at <= $1")
                    .bind(at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                insert_event(&mut tx, clinic_id, id, *at, "block", "{}", None).await?;
                Some(id)
            }
            FriendChange::Recorded {
                line_user_id,
                new_public_id,
                at,
                kind,
                detail,
                line_message_id,
            } => {
                let id = ensure_friend(&mut tx, clinic_id, line_user_id, new_public_id, "active", now).await?;
                insert_event(&mut tx, clinic_id, id, *at, kind, detail, line_message_id.as_deref()).await?;
                Some(id)
            }
            FriendChange::Unsent {
                line_user_id,
                line_message_id,
            } => {
                sqlx::query(
                    "DELETE FROM friend_events WHERE clinic_id = $1 AND line_message_id = $2 \
                       AND friend_id IN (SELECT id FROM friends WHERE clinic_id = $1 AND line_user_id = $3)",
                )
                .bind(clinic_id)
                .bind(line_message_id)
                .bind(line_user_id)
                .execute(&mut *tx)
                .await?;
                None
            }
            FriendChange::Nothing => None,
        };
        if let Some(id) = friend {
            // A new friend, or a changed status: segments must see it.
            crate::segments::note_change(&mut tx, clinic_id, id, now).await?;
            if let Some(h) = happening {
                crate::automations::enqueue(&mut tx, clinic_id, id, h, now).await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }

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

    pub async fn count_inbox(&self, clinic_id: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhook_inbox WHERE clinic_id = $1")
            .bind(clinic_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}

async fn ensure_friend(
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
    sqlx::query("INSERT INTO friend_events (clinic_id, friend_id, at, kind, detail, line_message_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(clinic_id)
        .bind(friend_id)
        .bind(at)
        .bind(kind)
        .bind(detail)
        .bind(line_message_id)
        .execute(&mut **tx)
        .await?;
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

    /// Clinics connected to the sandbox rather than LINE.
    pub async fn sandbox_channels(&self) -> Result<Vec<ChannelRow>, StoreError> {
        Ok(sqlx::query_as("SELECT clinic_id, mode, channel_id, secret_enc, token_enc, bot_user_id FROM line_channels WHERE mode = 'sandbox' ORDER BY clinic_id")
            .fetch_all(&self.pool)
            .await?)
    }
}
