//! The webhook inbox: every event LINE sends, stored before it is
//! acknowledged, then applied once to friends and their timeline.

use crate::db::{id_list, values_rows};
use crate::friends::{ensure_friend, insert_events, NewFriendEvent};
use crate::{Db, Happening, StoreError};
use std::collections::{HashMap, HashSet};

/// Rows per multi-row INSERT: 6 values each stays far below SQLite's
/// 32,766 and PostgreSQL's 65,535 bind parameters.
const INSERT_ROWS_MAX: usize = 500;

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

/// What one processed webhook event changes, decided by the engine and
/// written here together with marking the event processed.
#[derive(Clone, Debug, PartialEq)]
pub enum FriendChange {
    Followed {
        line_user_id: String,
        new_public_id: String,
        at: i64,
        unblocked: bool,
        /// The route visit this first follow came from (`route_arrivals`):
        /// the friend is the route's, and the visit is used up.
        via_arrival: Option<i64>,
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

/// One stored event and what applying it changes (decided by the engine).
#[derive(Clone, Debug)]
pub struct InboxApplication {
    pub inbox_id: i64,
    pub clinic_id: i64,
    pub change: FriendChange,
    pub happening: Option<Happening>,
    /// A staff member's anonymous suggestion (職員の声): stored without
    /// who wrote it, and the event's stored body (which names them) is
    /// blanked in the same transaction. Its change is `Nothing`.
    pub voice: Option<StaffVoice>,
}

#[derive(Clone)]
pub struct StaffVoice {
    pub text: String,
    /// The day only, in Japan (`YYYY-MM-DD`).
    pub received_on: String,
}

/// Never prints the words: a debug log of an event must not carry them.
impl std::fmt::Debug for StaffVoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaffVoice(..)")
    }
}

/// What is left of an event that was an anonymous suggestion.
const REDACTED_BODY: &str = r#"{"redacted":"staff_voice"}"#;

impl FriendChange {
    fn line_user_id(&self) -> Option<&str> {
        match self {
            FriendChange::Followed { line_user_id, .. }
            | FriendChange::Blocked { line_user_id, .. }
            | FriendChange::Recorded { line_user_id, .. }
            | FriendChange::Unsent { line_user_id, .. } => Some(line_user_id),
            FriendChange::Nothing => None,
        }
    }
}

/// Friend IDs by clinic and LINE user, filled as a batch goes.
type FriendIds = HashMap<(i64, String), i64>;

/// What a batch of applied events writes together at its end: timeline
/// entries (in order) and the friends whose segments must be looked at.
struct Batch {
    friends: FriendIds,
    timeline: Vec<NewFriendEvent>,
    changed: Vec<(i64, i64)>,
}

impl Batch {
    /// Writes the timeline entries gathered so far, in the order the
    /// events came.
    async fn write_timeline(&mut self, tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<(), StoreError> {
        insert_events(tx, &self.timeline).await?;
        self.timeline.clear();
        Ok(())
    }

    fn note(&mut self, clinic_id: i64, friend_id: i64, at: i64, kind: &str, detail: &str, line_message_id: Option<&str>) {
        self.timeline.push(NewFriendEvent {
            clinic_id,
            friend_id,
            at,
            kind: kind.to_string(),
            detail: detail.to_string(),
            line_message_id: line_message_id.map(str::to_string),
        });
    }
}

/// The IDs of the friends a batch touches who exist already: one query per
/// clinic instead of one per event.
async fn known_friends<'a>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    events: impl Iterator<Item = &'a InboxApplication>,
) -> Result<FriendIds, StoreError> {
    let mut users: HashMap<i64, HashSet<&str>> = HashMap::new();
    for e in events {
        if let Some(user) = e.change.line_user_id() {
            users.entry(e.clinic_id).or_default().insert(user);
        }
    }
    let mut known = FriendIds::new();
    for (clinic_id, users) in users {
        let users: Vec<&str> = users.into_iter().collect();
        for chunk in users.chunks(INSERT_ROWS_MAX) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT id, line_user_id FROM friends WHERE clinic_id = $1 AND line_user_id IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql).bind(clinic_id);
            for user in chunk {
                q = q.bind(*user);
            }
            for (id, user) in q.fetch_all(&mut **tx).await? {
                known.insert((clinic_id, user), id);
            }
        }
    }
    Ok(known)
}

/// The friend an event is about, created on first sight.
async fn friend_id(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    friends: &mut FriendIds,
    clinic_id: i64,
    line_user_id: &str,
    new_public_id: &str,
    status: &str,
    now: i64,
) -> Result<i64, StoreError> {
    if let Some(id) = friends.get(&(clinic_id, line_user_id.to_string())) {
        return Ok(*id);
    }
    let id = ensure_friend(tx, clinic_id, line_user_id, new_public_id, status, now).await?;
    friends.insert((clinic_id, line_user_id.to_string()), id);
    Ok(id)
}

/// Writes one event's change; the friend it concerns, if any.
async fn apply_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    change: &FriendChange,
    batch: &mut Batch,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let friends = &mut batch.friends;
    Ok(match change {
        FriendChange::Followed {
            line_user_id,
            new_public_id,
            at,
            unblocked,
            via_arrival,
        } => {
            let id = friend_id(tx, friends, clinic_id, line_user_id, new_public_id, "active", now).await?;
            if let Some(arrival) = via_arrival {
                crate::inflow_routes::attribute(tx, clinic_id, id, *arrival, *at).await?;
            }
            sqlx::query(
                "UPDATE friends SET status = 'active', status_changed_at = $1, \
                    first_followed_at = COALESCE(first_followed_at, $1), \
                    unblocked_at = CASE WHEN $2 = 1 THEN $1 ELSE unblocked_at END \
                 WHERE id = $3 AND status_changed_at <= $1",
            )
            .bind(at)
            .bind(i64::from(*unblocked))
            .bind(id)
            .execute(&mut **tx)
            .await?;
            batch.note(clinic_id, id, *at, if *unblocked { "unblock" } else { "follow" }, "{}", None);
            Some(id)
        }
        FriendChange::Blocked {
            line_user_id,
            new_public_id,
            at,
        } => {
            let id = friend_id(tx, friends, clinic_id, line_user_id, new_public_id, "blocked", now).await?;
            sqlx::query(
                "UPDATE friends SET status = 'blocked', status_changed_at = $1, blocked_at = $1 WHERE id = $2 AND status_changed_at <= $1",
            )
            .bind(at)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            batch.note(clinic_id, id, *at, "block", "{}", None);
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
            let id = friend_id(tx, friends, clinic_id, line_user_id, new_public_id, "active", now).await?;
            batch.note(clinic_id, id, *at, kind, detail, line_message_id.as_deref());
            Some(id)
        }
        FriendChange::Unsent {
            line_user_id,
            line_message_id,
        } => {
            // The message may be in this very batch.
            batch.write_timeline(tx).await?;
            sqlx::query(
                "DELETE FROM friend_events WHERE clinic_id = $1 AND line_message_id = $2 \
                   AND friend_id IN (SELECT id FROM friends WHERE clinic_id = $1 AND line_user_id = $3)",
            )
            .bind(clinic_id)
            .bind(line_message_id)
            .bind(line_user_id)
            .execute(&mut **tx)
            .await?;
            None
        }
        FriendChange::Nothing => None,
    })
}

impl Db {
    /// Stores a POST's events durably, all or none; an event already stored
    /// (a redelivery) is skipped. Returns how many were new.
    pub async fn insert_inbox(&self, clinic_id: i64, events: &[NewInboxEvent], now: i64) -> Result<u64, StoreError> {
        Ok(self.insert_inbox_posts(&[(clinic_id, events)], now).await?[0])
    }

    /// Stores several POSTs' events (each a clinic and its events) in one
    /// transaction: the webhook's group commit, so POSTs that arrive while
    /// one commit is in flight share the next. All or none; redeliveries
    /// are skipped. Returns, per POST, how many of its events were new.
    pub async fn insert_inbox_posts(&self, posts: &[(i64, &[NewInboxEvent])], now: i64) -> Result<Vec<u64>, StoreError> {
        let rows: Vec<(i64, &NewInboxEvent)> = posts.iter().flat_map(|(c, es)| es.iter().map(move |e| (*c, e))).collect();
        let mut stored: HashSet<(i64, String)> = HashSet::with_capacity(rows.len());
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        for chunk in rows.chunks(INSERT_ROWS_MAX) {
            let sql = format!(
                "INSERT INTO webhook_inbox (clinic_id, webhook_event_id, event_type, event_time, body, received_at) VALUES {} \
                 ON CONFLICT (clinic_id, webhook_event_id) DO NOTHING RETURNING clinic_id, webhook_event_id",
                values_rows(chunk.len(), 6)
            );
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
            for (clinic_id, e) in chunk {
                q = q
                    .bind(*clinic_id)
                    .bind(&e.webhook_event_id)
                    .bind(&e.event_type)
                    .bind(e.event_time)
                    .bind(&e.body)
                    .bind(now);
            }
            stored.extend(q.fetch_all(&mut *tx).await?);
        }
        tx.commit().await?;
        // A redelivered event counts as new for the first POST carrying it.
        Ok(posts
            .iter()
            .map(|(c, es)| es.iter().filter(|e| stored.remove(&(*c, e.webhook_event_id.clone()))).count() as u64)
            .collect())
    }

    /// How many stored events wait to be applied (the worker's backlog).
    pub async fn inbox_backlog(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhook_inbox WHERE processed_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// When the oldest unprocessed event was received; `None` when none waits.
    pub async fn oldest_unprocessed_webhook(&self) -> Result<Option<i64>, StoreError> {
        let (at,): (Option<i64>,) = sqlx::query_as("SELECT MIN(received_at) FROM webhook_inbox WHERE processed_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(at)
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

    /// Marks inbox events processed and applies their changes, in one
    /// transaction, in the order given: an event another worker already
    /// claimed is skipped. A crash before the commit leaves every one of
    /// them pending. Each friend's `happening`, if any, is queued for the
    /// automations in the same transaction. Returns the IDs applied here.
    pub async fn apply_inbox_events(&self, events: &[InboxApplication], now: i64) -> Result<Vec<i64>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = events.iter().map(|e| e.inbox_id).collect();
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let claimed: HashSet<i64> = sqlx::query_as::<_, (i64,)>(&format!(
            "UPDATE webhook_inbox SET processed_at = $1 WHERE processed_at IS NULL AND id IN {} RETURNING id",
            id_list(&ids)
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
        let friends = known_friends(&mut tx, events.iter().filter(|e| claimed.contains(&e.inbox_id))).await?;
        let mut batch = Batch {
            friends,
            timeline: Vec::new(),
            changed: Vec::new(),
        };
        let mut applied = Vec::with_capacity(claimed.len());
        for e in events.iter().filter(|e| claimed.contains(&e.inbox_id)) {
            if let Some(id) = apply_change(&mut tx, e.clinic_id, &e.change, &mut batch, now).await? {
                // A new friend, or a changed status: segments must see it
                // (once per friend is enough for the whole batch).
                if !batch.changed.contains(&(e.clinic_id, id)) {
                    batch.changed.push((e.clinic_id, id));
                }
                if let Some(h) = &e.happening {
                    crate::automations::enqueue(&mut tx, e.clinic_id, id, h, now).await?;
                }
            }
            if let Some(v) = &e.voice {
                sqlx::query("INSERT INTO staff_voices (clinic_id, text, received_on) VALUES ($1, $2, $3)")
                    .bind(e.clinic_id)
                    .bind(&v.text)
                    .bind(&v.received_on)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE webhook_inbox SET body = $1 WHERE id = $2")
                    .bind(REDACTED_BODY)
                    .bind(e.inbox_id)
                    .execute(&mut *tx)
                    .await?;
            }
            applied.push(e.inbox_id);
        }
        batch.write_timeline(&mut tx).await?;
        crate::segments::note_changes(&mut tx, &batch.changed, now).await?;
        tx.commit().await?;
        Ok(applied)
    }

    pub async fn count_inbox(&self, clinic_id: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhook_inbox WHERE clinic_id = $1")
            .bind(clinic_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
