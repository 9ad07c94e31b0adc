//! The delivery engine (SPEC §5): workers on any number of instances take
//! batches from the database, send each by multicast (push for one
//! recipient) under the shared rate limit, and settle it.
//!
//! Exactly once: a batch's retry key is stored with it before its first
//! attempt and sent with every attempt, so LINE delivers it at most once
//! (a repeat answers 409, which counts as delivered); a batch stays pending
//! until its settlement is committed, so a crash at any point leaves it to
//! be tried again with the same key; settlement happens once (it moves the
//! batch out of `pending` in the same transaction). Quiet hours, pausing
//! and cancelling are checked before each batch.

use crate::broadcasts::ledger_source;
use crate::{Engine, EngineError};
use line::{LineError, SendOptions};
use model::broadcast::{jst_month, BroadcastStatus, Purpose, QuietHours};
use model::link::LinkSource;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::{ClaimedBatch, Settlement};

/// How this instance delivers.
#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    /// Batches in flight at once on this instance.
    pub workers: usize,
    /// A worker holds a batch this long; after a crash another takes it.
    /// Longer than a LINE call may take.
    pub lease_ms: i64,
    pub line_timeout: Duration,
    /// Keep under LINE's published rate limits (off only to measure the
    /// product against a sandbox whose limits are off too).
    pub rate_limits: bool,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            workers: 16,
            lease_ms: 30_000,
            line_timeout: Duration::from_secs(15),
            rate_limits: true,
        }
    }
}

/// A send pauses itself after this many failed attempts in a row.
pub const PAUSE_AFTER_FAILURES: i64 = 10;
/// LINE forgets a retry key after 24 hours; an unanswered batch is not
/// tried again after this, as a retry could then deliver it twice.
const RETRY_KEY_SAFE_MS: i64 = 23 * 3_600_000;
const MAX_BACKOFF_MS: i64 = 60_000;
const PREPARED_FOR_MS: i64 = 30_000;

/// What every batch of one send needs, read once per send.
struct Prepared {
    clinic_id: i64,
    public_id: String,
    purpose: Purpose,
    quota_month: String,
    messages: Vec<Value>,
    /// A bundle naming variables or holding tracked links: each recipient
    /// gets their own copy.
    personal: Option<model::message::Bundle>,
    links: crate::tracked_links::TrackedLinks,
    /// The send's aggregation unit (LINE's opens); `None` past the month's names.
    unit: Option<String>,
    quiet: QuietHours,
    client: line::Client,
    built_at: i64,
}

/// The delivery state of one instance.
pub struct Delivery {
    pub config: DeliveryConfig,
    /// Woken when a send starts or resumes.
    pub wake: tokio::sync::Notify,
    prepared: Mutex<HashMap<i64, Arc<Prepared>>>,
}

impl Delivery {
    pub fn new(config: DeliveryConfig) -> Delivery {
        Delivery {
            config,
            wake: tokio::sync::Notify::new(),
            prepared: Mutex::new(HashMap::new()),
        }
    }
}

fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The shared window for a LINE limit of `limit` per `per_ms`: tenths of
/// a second for per-second limits (a burst never exceeds LINE's bucket),
/// the whole period otherwise.
pub fn rate_window(limit: u32, per_ms: i64) -> (i64, i64) {
    if per_ms <= 1000 {
        (100, (i64::from(limit) * 100 / per_ms).max(1))
    } else {
        (per_ms, i64::from(limit))
    }
}

fn backoff_ms(attempts: i64) -> i64 {
    use rand::Rng;
    let base = 500i64.saturating_mul(1 << attempts.clamp(1, 8).saturating_sub(1));
    base.min(MAX_BACKOFF_MS) + rand::thread_rng().gen_range(0..250)
}

/// What became of one attempt. `delivered` counts the single pushes of a
/// personal batch that went out before LINE stopped it.
enum Outcome {
    Delivered(Option<String>),
    Later { error: &'static str, count: bool },
    MonthlyLimit { delivered: usize },
    Refused { kind: &'static str, delivered: usize },
}

fn outcome_of(e: LineError, delivered: usize) -> Outcome {
    match e {
        LineError::MonthlyLimitReached => Outcome::MonthlyLimit { delivered },
        e if e.is_transient() => Outcome::Later {
            error: e.kind(),
            count: !matches!(e, LineError::RateLimited),
        },
        e => Outcome::Refused { kind: e.kind(), delivered },
    }
}

impl Engine {
    pub fn with_delivery_config(mut self, config: DeliveryConfig) -> Engine {
        self.delivery = Arc::new(Delivery::new(config));
        self
    }

    async fn prepared(&self, broadcast_id: i64) -> Result<Arc<Prepared>, EngineError> {
        let now = self.now_ms();
        if let Some(p) = self.delivery.prepared.lock().unwrap_or_else(|e| e.into_inner()).get(&broadcast_id) {
            if now - p.built_at < PREPARED_FOR_MS {
                return Ok(p.clone());
            }
        }
        let row = self.db.broadcast(broadcast_id).await?.ok_or(EngineError::NotFound)?;
        // A send goes out on the channel it started on or not at all: after
        // the clinic switches (to the sandbox, or another LINE account) the
        // client below would reach the new channel's people.
        let channel = self.db.channel(row.clinic_id).await?.ok_or(EngineError::NoChannel)?;
        if channel.key() != row.channel_key {
            return Err(EngineError::ChannelChanged);
        }
        let settings = self.db.delivery_settings(row.clinic_id).await?;
        let bundle = serde_json::from_str::<model::message::Bundle>(&row.bundle).ok();
        let links = match &bundle {
            Some(b) => self.track_links(row.clinic_id, LinkSource::Broadcast, broadcast_id, b).await?,
            None => Default::default(),
        };
        let unit = self.aggregation_unit(row.clinic_id, LinkSource::Broadcast, broadcast_id).await?;
        let p = Arc::new(Prepared {
            clinic_id: row.clinic_id,
            public_id: row.public_id,
            purpose: row.purpose,
            quota_month: row.quota_month,
            messages: serde_json::from_str(&row.messages).map_err(|_| EngineError::Corrupt)?,
            personal: bundle.filter(|b| b.is_personal() || !links.is_empty()),
            links,
            unit,
            quiet: settings.quiet(),
            client: self.client_for(&channel, self.delivery.config.line_timeout)?,
            built_at: now,
        });
        let mut map = self.delivery.prepared.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, v| now - v.built_at < PREPARED_FOR_MS);
        map.insert(broadcast_id, p.clone());
        Ok(p)
    }

    /// Waits for a request to `path` under the channel's rate limit,
    /// counted in the database so every instance shares it.
    async fn take_rate(&self, clinic_id: i64, path: &str) -> Result<(), EngineError> {
        loop {
            match self.try_take_rate(clinic_id, "POST", path).await? {
                None => return Ok(()),
                Some(wait_ms) => tokio::time::sleep(Duration::from_millis(wait_ms.max(1) as u64)).await,
            }
        }
    }

    /// Takes one request of `method path` under the channel's rate limit:
    /// `None` when taken, or how long until the next window opens.
    pub(crate) async fn try_take_rate(&self, clinic_id: i64, method: &str, path: &str) -> Result<Option<i64>, EngineError> {
        if !self.delivery.config.rate_limits {
            return Ok(None);
        }
        let (limit, per_ms) = line::limits::rate_limit(method, path);
        let (win_ms, cap) = rate_window(limit, per_ms);
        let scope = format!("{clinic_id} {method} {path}");
        let now = wall_ms();
        let win = now / win_ms;
        // Stored by the window's start time, comparable for any length.
        if self.db.take_rate(&scope, win * win_ms, cap).await? {
            Ok(None)
        } else {
            Ok(Some((win + 1) * win_ms - now))
        }
    }

    /// Takes one due batch and sends it; false when none is due.
    pub async fn deliver_next(&self) -> Result<bool, EngineError> {
        let now = self.now_ms();
        let Some(batch) = self.db.claim_batch(now, now + self.delivery.config.lease_ms).await? else {
            return Ok(false);
        };
        let p = match self.prepared(batch.broadcast_id).await {
            Ok(p) => p,
            Err(EngineError::ChannelChanged) => {
                let row = self.db.broadcast(batch.broadcast_id).await?.ok_or(EngineError::NotFound)?;
                tracing::warn!(broadcast = %row.public_id, "the clinic's LINE channel changed: the send stopped");
                self.stop_send(
                    &batch,
                    row.clinic_id,
                    &row.public_id,
                    &row.quota_month,
                    "released",
                    "channel_changed",
                    "channel_changed",
                    now,
                )
                .await?;
                return Ok(true);
            }
            Err(e) => {
                self.db
                    .retry_batch_later(batch.id, batch.broadcast_id, now + backoff_ms(batch.attempts), e.code(), true)
                    .await?;
                return Err(e);
            }
        };
        self.deliver(&batch, &p).await?;
        Ok(true)
    }

    async fn deliver(&self, batch: &ClaimedBatch, p: &Prepared) -> Result<(), EngineError> {
        let now = self.now_ms();
        let source = ledger_source(&p.public_id);
        if p.purpose == Purpose::Marketing && p.quiet.contains(now) {
            let opens = p.quiet.next_open(now);
            // The send waits as a whole; a batch of an ended send waits alone.
            if self
                .db
                .set_broadcast_status(
                    batch.broadcast_id,
                    &[BroadcastStatus::Sending],
                    BroadcastStatus::Held,
                    "quiet_hours",
                    Some(opens),
                    now,
                    None,
                )
                .await?
            {
                tracing::info!(broadcast = %p.public_id, "quiet hours: the send waits");
            }
            self.db.unlease_batch(batch.id).await?;
            self.db
                .retry_batch_later(batch.id, batch.broadcast_id, opens, "quiet_hours", false)
                .await?;
            return Ok(());
        }
        if batch.attempts > 1 && batch.first_attempt_at.is_some_and(|t| now - t > RETRY_KEY_SAFE_MS) {
            tracing::warn!(broadcast = %p.public_id, batch = batch.id, "a batch went unanswered past LINE's retry-key memory; not sent again");
            self.db
                .end_batch_unsent(
                    batch.id,
                    batch.broadcast_id,
                    p.clinic_id,
                    &p.quota_month,
                    &source,
                    "failed",
                    "retry_window_passed",
                    now,
                )
                .await?;
            return Ok(());
        }
        let recipients: Vec<String> = serde_json::from_str(&batch.recipients).map_err(|_| EngineError::Corrupt)?;
        let friend_ids: Vec<i64> = serde_json::from_str(&batch.friend_ids).map_err(|_| EngineError::Corrupt)?;
        let outcome = match &p.personal {
            Some(bundle) => self.push_each(batch, p, bundle, &recipients, &friend_ids).await?,
            None => {
                let path = if recipients.len() == 1 {
                    "/v2/bot/message/push"
                } else {
                    "/v2/bot/message/multicast"
                };
                self.take_rate(p.clinic_id, path).await?;
                let options = SendOptions {
                    retry_key: Some(&batch.retry_key),
                    aggregation_unit: p.unit.as_deref(),
                    ..Default::default()
                };
                let answer = if recipients.len() == 1 {
                    p.client.push(&recipients[0], &p.messages, &options).await
                } else {
                    p.client.multicast(&recipients, &p.messages, &options).await
                };
                if let Err(e) = &answer {
                    self.count_line_error(e);
                }
                match answer {
                    Ok(sent) => Outcome::Delivered(sent.request_id),
                    Err(LineError::RetryKeyAccepted { accepted_request_id }) => Outcome::Delivered(accepted_request_id),
                    Err(e) => outcome_of(e, 0),
                }
            }
        };
        let now = self.now_ms();
        match outcome {
            Outcome::Delivered(request_id) => {
                self.settle(batch, p, &friend_ids, request_id.as_deref(), now).await?;
            }
            Outcome::Later { error, count } => {
                let failures = self
                    .db
                    .retry_batch_later(batch.id, batch.broadcast_id, now + backoff_ms(batch.attempts), error, count)
                    .await?;
                if failures >= PAUSE_AFTER_FAILURES
                    && self
                        .db
                        .set_broadcast_status(
                            batch.broadcast_id,
                            &[BroadcastStatus::Sending],
                            BroadcastStatus::Paused,
                            "repeated_failures",
                            None,
                            now,
                            None,
                        )
                        .await?
                {
                    tracing::warn!(broadcast = %p.public_id, "a send paused itself after repeated failures");
                }
            }
            Outcome::MonthlyLimit { delivered } => {
                // All or nothing: nothing of this request was sent (only
                // the pushes before it, of a personal batch).
                self.settle(batch, p, &friend_ids[..delivered], None, now).await?;
                self.stop_send(
                    batch,
                    p.clinic_id,
                    &p.public_id,
                    &p.quota_month,
                    "released",
                    "monthly_limit",
                    "monthly_limit",
                    now,
                )
                .await?;
                tracing::warn!(broadcast = %p.public_id, "LINE's monthly limit is reached: the send stopped");
                if let Err(e) = self.reconcile_quota(p.clinic_id).await {
                    tracing::info!(error = e.code(), "could not reconcile the quota after the monthly limit");
                }
            }
            Outcome::Refused { kind, delivered } => {
                // The other batches carry the same messages and token.
                self.settle(batch, p, &friend_ids[..delivered], None, now).await?;
                self.stop_send(
                    batch,
                    p.clinic_id,
                    &p.public_id,
                    &p.quota_month,
                    "failed",
                    kind,
                    &format!("line_{kind}"),
                    now,
                )
                .await?;
                tracing::warn!(broadcast = %p.public_id, reason = kind, "LINE refused a batch: the send stopped");
            }
        }
        Ok(())
    }

    /// Sends a personal batch as one push per recipient, each with a retry
    /// key derived from the batch's: a batch tried again after a crash or a
    /// failure part-way gets 409 for those already sent.
    async fn push_each(
        &self,
        batch: &ClaimedBatch,
        p: &Prepared,
        bundle: &model::message::Bundle,
        recipients: &[String],
        friend_ids: &[i64],
    ) -> Result<Outcome, EngineError> {
        let names: HashMap<i64, String> = self
            .db
            .friends_by_ids(p.clinic_id, friend_ids)
            .await?
            .into_iter()
            .map(|f| (f.id, f.display_name))
            .collect();
        for (j, (user, friend)) in recipients.iter().zip(friend_ids).enumerate() {
            let name = names.get(friend).map(String::as_str).unwrap_or("");
            let own = self.with_tracked_links(bundle, &p.links, *friend).personalised(name);
            let messages = crate::line_messages::to_line_messages(&own, &self.public_url);
            self.take_rate(p.clinic_id, "/v2/bot/message/push").await?;
            let key = crate::crypto::derived_uuid(&batch.retry_key, j);
            let options = SendOptions {
                retry_key: Some(&key),
                aggregation_unit: p.unit.as_deref(),
                ..Default::default()
            };
            let answer = p.client.push(user, &messages, &options).await;
            if let Err(e) = &answer {
                self.count_line_error(e);
            }
            match answer {
                Ok(_) | Err(LineError::RetryKeyAccepted { .. }) => {}
                Err(e) => return Ok(outcome_of(e, j)),
            }
        }
        Ok(Outcome::Delivered(None))
    }

    /// Settles `batch` with `reached` of its friends delivered (the rest
    /// given back); nothing when none was and the batch is to be ended.
    async fn settle(
        &self,
        batch: &ClaimedBatch,
        p: &Prepared,
        reached: &[i64],
        request_id: Option<&str>,
        now: i64,
    ) -> Result<(), EngineError> {
        let whole = reached.len() as i64 == batch.size;
        if reached.is_empty() && !whole {
            return Ok(());
        }
        self.db
            .settle_batch(&Settlement {
                batch_id: batch.id,
                broadcast_id: batch.broadcast_id,
                clinic_id: p.clinic_id,
                size: batch.size,
                delivered: reached.len() as i64,
                friend_ids: reached,
                reserved_month: &p.quota_month,
                month: &jst_month(now),
                marketing: p.purpose == Purpose::Marketing,
                source: &ledger_source(&p.public_id),
                request_id,
                now,
            })
            .await?;
        Ok(())
    }

    /// Ends `batch` unsent (`released` or `failed`) and stops its send with
    /// `reason`, giving back what was reserved for what will not go.
    #[allow(clippy::too_many_arguments)]
    async fn stop_send(
        &self,
        batch: &ClaimedBatch,
        clinic_id: i64,
        public_id: &str,
        quota_month: &str,
        batch_status: &str,
        batch_error: &str,
        reason: &str,
        now: i64,
    ) -> Result<(), EngineError> {
        let source = ledger_source(public_id);
        self.db
            .end_batch_unsent(
                batch.id,
                batch.broadcast_id,
                clinic_id,
                quota_month,
                &source,
                batch_status,
                batch_error,
                now,
            )
            .await?;
        self.db
            .end_broadcast(
                batch.broadcast_id,
                &[BroadcastStatus::Sending, BroadcastStatus::Held, BroadcastStatus::Paused],
                BroadcastStatus::Stopped,
                reason,
                &source,
                now,
                None,
            )
            .await?;
        Ok(())
    }

    /// Starts due sends, and marks finished those with nothing left to
    /// send. Returns how many changed.
    pub async fn tend_broadcasts(&self) -> Result<usize, EngineError> {
        let mut changed = self.start_due_broadcasts().await?;
        let now = self.now_ms();
        for b in self.db.broadcasts_in_flight().await? {
            if self.db.finish_broadcast_if_complete(b.id, now).await? {
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// Delivers for ever: `workers` loops each take a batch, send it and take
    /// the next; one more starts due sends and finishes completed ones. Any
    /// number of instances may run this against one database.
    pub async fn run_delivery(self) {
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..self.delivery.config.workers.max(1) {
            let engine = self.clone();
            workers.spawn(async move {
                loop {
                    match engine.deliver_next().await {
                        Ok(true) => continue,
                        Ok(false) => {}
                        Err(e) => tracing::warn!(error = e.code(), "a delivery attempt failed; retrying"),
                    }
                    let _ = tokio::time::timeout(Duration::from_millis(250), engine.delivery.wake.notified()).await;
                }
            });
        }
        // Dropping `workers` (when this task is aborted) stops them too.
        loop {
            if let Err(e) = self.tend_broadcasts().await {
                tracing::warn!(error = e.code(), "tending sends failed; retrying");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Forgets rate windows older than a few hours.
    pub async fn prune_rate_windows(&self) -> Result<(), EngineError> {
        Ok(self.db.prune_rate_windows(wall_ms() - 3 * 3_600_000).await?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows_keep_bursts_inside_lines_bucket() {
        assert_eq!(super::rate_window(200, 1000), (100, 20));
        assert_eq!(super::rate_window(2000, 1000), (100, 200));
        assert_eq!(super::rate_window(60, 3_600_000), (3_600_000, 60));
        assert!(super::backoff_ms(30) <= super::MAX_BACKOFF_MS + 250);
        assert!(super::backoff_ms(1) >= 500);
    }
}
