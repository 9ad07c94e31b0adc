//! 友だち: the clinic's LINE friends, their list and their timeline.

use crate::{Actor, Engine, EngineError};
use model::Permission;
use store::{FriendEventRow, FriendFilter, FriendRow};

pub const PAGE_SIZE: i64 = 50;

#[derive(Clone, Debug, Default)]
pub struct FriendQuery {
    pub search: Option<String>,
    /// `active` or `blocked`.
    pub status: Option<String>,
    pub followed_from: Option<i64>,
    pub followed_until: Option<i64>,
    /// Public IDs of tags a friend must all carry.
    pub tags: Vec<String>,
    /// The cursor a previous page returned.
    pub after: Option<String>,
}

pub struct FriendPage {
    pub items: Vec<FriendRow>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

pub struct FriendDetail {
    pub friend: FriendRow,
    pub timeline: Vec<FriendEventRow>,
}

/// Cursors are opaque to the browser (an ID, not meant to be read).
fn encode_cursor(id: i64) -> String {
    format!("c{id:x}")
}

fn decode_cursor(c: &str) -> Option<i64> {
    i64::from_str_radix(c.strip_prefix('c')?, 16).ok()
}

impl Engine {
    /// A friend of the actor's clinic by public ID; a friend of another
    /// clinic is simply not found.
    pub(crate) async fn friend_of(&self, actor: &Actor, public_id: &str) -> Result<FriendRow, EngineError> {
        self.db
            .friend_by_public_id(actor.clinic_id, public_id)
            .await?
            .ok_or(EngineError::NotFound)
    }

    pub async fn list_friends(&self, actor: &Actor, q: FriendQuery) -> Result<FriendPage, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let status = q.status.filter(|s| s == "active" || s == "blocked");
        let mut tags = Vec::with_capacity(q.tags.len());
        for pid in &q.tags {
            tags.push(
                self.db
                    .tag_by_public_id(actor.clinic_id, pid)
                    .await?
                    .ok_or(EngineError::NotFound)?
                    .id,
            );
        }
        // A card number typed at the desk finds its patient by index, not by
        // scanning every name (with tags chosen, the list query checks both).
        if let Some(number) = q
            .search
            .as_deref()
            .filter(|_| tags.is_empty())
            .and_then(|s| model::patient::normalize_patient_number(s).ok())
        {
            if let Some(f) = self.db.friend_by_patient_number(actor.clinic_id, &number).await? {
                let followed = f.first_followed_at.unwrap_or(0);
                let fits = status.as_ref().is_none_or(|s| *s == f.status)
                    && q.followed_from.is_none_or(|t| followed >= t)
                    && q.followed_until.is_none_or(|t| followed < t)
                    && q.after.is_none();
                return Ok(FriendPage {
                    items: if fits { vec![f] } else { Vec::new() },
                    next: None,
                });
            }
        }
        let mut items = self
            .db
            .list_friends(&FriendFilter {
                clinic_id: actor.clinic_id,
                search: q.search.map(|s| s.trim().to_string()),
                status,
                followed_from: q.followed_from,
                followed_until: q.followed_until,
                tags,
                before_id: q.after.as_deref().and_then(decode_cursor),
                limit: PAGE_SIZE + 1,
            })
            .await?;
        let next = if items.len() as i64 > PAGE_SIZE {
            items.truncate(PAGE_SIZE as usize);
            items.last().map(|f| encode_cursor(f.id))
        } else {
            None
        };
        Ok(FriendPage { items, next })
    }

    /// One friend of the actor's clinic (a friend of another clinic is
    /// simply not found) with their timeline.
    pub async fn friend_detail(&self, actor: &Actor, public_id: &str) -> Result<FriendDetail, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let friend = self.friend_of(actor, public_id).await?;
        let timeline = self.db.friend_timeline(friend.id).await?;
        Ok(FriendDetail { friend, timeline })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip_and_reject_junk() {
        assert_eq!(super::decode_cursor(&super::encode_cursor(123_456)), Some(123_456));
        assert_eq!(super::decode_cursor("123"), None);
        assert_eq!(super::decode_cursor("cxyz"), None);
    }
}
