//! Tracked links (SPEC §10): every web address in what a patient is sent
//! goes out as their own short link on the product's address
//! (`/l/{token}`); following it records the click and sends them on.
//!
//! The token names the link and the friend, hidden and signed
//! (`SecretBox::tracked_link_token`): no patient data is in the address
//! and a changed or made-up one leads nowhere. A link is one row per
//! address per thing that sent it, made when the send is prepared, so a
//! click needs one cached lookup and one insert.

use crate::{Engine, EngineError};
use model::automation::Happening;
use model::link::{LinkSource, TRACKED_PATH};
use model::message::Bundle;
use std::collections::HashMap;
use std::sync::Mutex;
use store::TrackedLinkRow;

/// The tracked link of each address of one send's bundle.
#[derive(Clone, Debug, Default)]
pub(crate) struct TrackedLinks(HashMap<String, i64>);

impl TrackedLinks {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Links already looked up (they never change), so a click waits for no
/// read.
#[derive(Default)]
pub(crate) struct LinkCache(Mutex<HashMap<i64, TrackedLinkRow>>);

const LINK_CACHE_MAX: usize = 10_000;

/// Clicks are kept this long (13 months: a month can be compared with the
/// same month a year before), then forgotten.
pub const CLICK_RETENTION_DAYS: i64 = 396;

/// How a link was asked for: only a person's visit is counted.
#[derive(Clone, Copy, Debug, Default)]
pub struct Visit<'a> {
    /// A HEAD request (checkers and some previews): answered, not counted.
    pub head: bool,
    pub user_agent: &'a str,
    /// The browser fetched it ahead of a click (`Sec-Purpose: prefetch`).
    pub prefetch: bool,
}

/// Link-preview fetchers and crawlers (LINE's own previewer calls itself
/// facebookexternalhit with line-poker): they fetch a link nobody clicked.
pub fn is_preview_fetcher(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ua.trim().is_empty()
        || [
            "bot",
            "crawler",
            "spider",
            "facebookexternalhit",
            "line-poker",
            "preview",
            "slurp",
            "whatsapp",
            "curl/",
            "wget/",
            "python-requests",
            "go-http-client",
        ]
        .iter()
        .any(|b| ua.contains(b))
}

impl Visit<'_> {
    pub fn is_a_click(&self) -> bool {
        !self.head && !self.prefetch && !is_preview_fetcher(self.user_agent)
    }
}

impl Engine {
    /// The tracked links of `bundle`'s web addresses as `source` sends
    /// them; none when the product has no public address to track through.
    pub(crate) async fn track_links(
        &self,
        clinic_id: i64,
        source: LinkSource,
        source_id: i64,
        bundle: &Bundle,
    ) -> Result<TrackedLinks, EngineError> {
        let urls = bundle.links();
        if urls.is_empty() || self.public_url.is_empty() {
            return Ok(TrackedLinks::default());
        }
        let ids = self.db.tracked_link_ids(clinic_id, source, source_id, &urls, self.now_ms()).await?;
        Ok(TrackedLinks(ids.into_iter().collect()))
    }

    /// `bundle` for one friend: each tracked address replaced by their own
    /// link (addresses that were not tracked stay as they are).
    pub(crate) fn with_tracked_links(&self, bundle: &Bundle, links: &TrackedLinks, friend_id: i64) -> Bundle {
        if links.is_empty() {
            return bundle.clone();
        }
        bundle.with_links(&mut |url| match links.0.get(url) {
            Some(&id) => self.tracked_link_url(id, friend_id),
            None => url.to_string(),
        })
    }

    fn tracked_link_url(&self, link_id: i64, friend_id: i64) -> String {
        format!(
            "{}{TRACKED_PATH}{}",
            self.public_url,
            self.secrets.tracked_link_token(link_id, friend_id)
        )
    }

    /// Where a tracked link leads, the click recorded when a person made
    /// it. `NotFound` for a token this installation did not make.
    pub async fn follow_link(&self, token: &str, visit: Visit<'_>) -> Result<String, EngineError> {
        let (link_id, friend_id) = self.secrets.open_tracked_link_token(token).ok_or(EngineError::NotFound)?;
        let link = self.cached_link(link_id).await?;
        if visit.is_a_click() {
            // Tag on click: queued with the click when an automation listens.
            let happening = if self.db.listens_for(link.clinic_id, "link_clicked").await? {
                let h = Happening::LinkClicked { url: link.url.clone() };
                Some(self.happening_record(&h, None, self.now_ms(), 0)?)
            } else {
                None
            };
            if self.db.record_click(&link, friend_id, self.now_ms(), happening.as_ref()).await? && happening.is_some() {
                self.automation_signal.notify_one();
            }
        }
        Ok(link.url)
    }

    /// Forgets clicks older than the retention (`CLICK_RETENTION_DAYS`).
    pub async fn prune_clicks(&self) -> Result<u64, EngineError> {
        Ok(self.db.prune_clicks(self.now_ms() - CLICK_RETENTION_DAYS * 86_400_000).await?)
    }

    async fn cached_link(&self, link_id: i64) -> Result<TrackedLinkRow, EngineError> {
        if let Some(l) = self.link_cache.0.lock().unwrap_or_else(|e| e.into_inner()).get(&link_id) {
            return Ok(l.clone());
        }
        let link = self.db.tracked_link(link_id).await?.ok_or(EngineError::NotFound)?;
        let mut cache = self.link_cache.0.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= LINK_CACHE_MAX {
            cache.clear();
        }
        cache.insert(link_id, link.clone());
        Ok(link)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_checkers_and_prefetches_are_not_clicks() {
        let person = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Line/14.1.0";
        assert!(Visit {
            user_agent: person,
            ..Default::default()
        }
        .is_a_click());
        for ua in [
            "facebookexternalhit/1.1;line-poker/1.0",
            "Slackbot-LinkExpanding 1.0",
            "Mozilla/5.0 (compatible; Googlebot/2.1)",
            "curl/8.5.0",
            "",
        ] {
            assert!(
                !Visit {
                    user_agent: ua,
                    ..Default::default()
                }
                .is_a_click(),
                "{ua}"
            );
        }
        assert!(!Visit {
            user_agent: person,
            head: true,
            ..Default::default()
        }
        .is_a_click());
        assert!(!Visit {
            user_agent: person,
            prefetch: true,
            ..Default::default()
        }
        .is_a_click());
    }
}
