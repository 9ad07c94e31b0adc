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

/// A friend's LINE profile is fetched again after a week.
pub const PROFILE_MAX_AGE_MS: i64 = 7 * 24 * 3600 * 1000;

/// Profile requests in flight at once per clinic (LINE allows 2,000/s).
pub(crate) const PROFILE_FETCHES_AT_ONCE: usize = 16;

impl Engine {
    /// Fetches friends' names and pictures from LINE (one clinic's, a few
    /// at a time through one client). A failure is logged and left for the
    /// next refresh: it never blocks processing.
    pub(crate) async fn refresh_profiles(&self, clinic_id: i64, line_user_ids: &[String]) {
        let client = match self.line_client(clinic_id).await {
            Ok(client) => client,
            Err(e) => {
                for user in line_user_ids {
                    self.profile_failed(clinic_id, user, e.code()).await;
                }
                return;
            }
        };
        for chunk in line_user_ids.chunks(PROFILE_FETCHES_AT_ONCE) {
            let mut fetches = tokio::task::JoinSet::new();
            for (i, user) in chunk.iter().enumerate() {
                let (client, user) = (client.clone(), user.clone());
                fetches.spawn(async move { (i, client.profile(&user).await) });
            }
            let mut results: Vec<_> = fetches.join_all().await;
            results.sort_by_key(|(i, _)| *i);
            for (i, result) in results {
                let user = &chunk[i];
                let stored = match result {
                    Ok(profile) => self
                        .db
                        .set_friend_profile(
                            clinic_id,
                            user,
                            &profile.display_name,
                            profile.picture_url.as_deref().unwrap_or(""),
                            self.now_ms(),
                        )
                        .await
                        .map_err(EngineError::from),
                    Err(e) => Err(EngineError::LineSend(e)),
                };
                match stored {
                    Ok(()) => {}
                    // LINE has no profile of someone who blocked the account
                    // (or left): expected, and not worth a warning.
                    Err(EngineError::LineSend(line::LineError::NotFound)) => {
                        tracing::debug!(clinic_id, "no LINE profile (blocked or gone); trying again later");
                        self.profile_failed(clinic_id, user, "").await;
                    }
                    Err(e) => self.profile_failed(clinic_id, user, e.code()).await,
                }
            }
        }
    }

    /// Leaves a profile that could not be fetched for an hour from now
    /// (`code`: the warning's reason, empty for none).
    pub(crate) async fn profile_failed(&self, clinic_id: i64, line_user_id: &str, code: &str) {
        if !code.is_empty() {
            tracing::warn!(
                clinic_id,
                error = code,
                "could not fetch a friend's LINE profile; retrying in an hour"
            );
        }
        let retry_at = self.now_ms() - PROFILE_MAX_AGE_MS + 3600 * 1000;
        let _ = self.db.set_profile_fetched_at(clinic_id, line_user_id, retry_at).await;
    }

    /// Refreshes up to `limit` friends' names and pictures not fetched for
    /// [`PROFILE_MAX_AGE_MS`] (people change their LINE name). Returns how
    /// many were tried.
    pub async fn refresh_stale_profiles(&self, limit: i64) -> Result<usize, EngineError> {
        let stale = self.db.stale_profiles(self.now_ms() - PROFILE_MAX_AGE_MS, limit).await?;
        let tried = stale.len();
        // One client per clinic, as for new followers.
        let mut by_clinic: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
        for (clinic_id, user) in stale {
            by_clinic.entry(clinic_id).or_default().push(user);
        }
        for (clinic_id, users) in by_clinic {
            self.refresh_profiles(clinic_id, &users).await;
        }
        Ok(tried)
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
