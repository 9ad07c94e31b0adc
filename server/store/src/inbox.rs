//! The webhook inbox: every event LINE sends, stored before it is
//! acknowledged, then applied once to friends and their timeline.

use crate::friends::{ensure_friend, insert_event};
use crate::{Db, Happening, StoreError};

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

impl Db {
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

    pub async fn count_inbox(&self, clinic_id: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhook_inbox WHERE clinic_id = $1")
            .bind(clinic_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
