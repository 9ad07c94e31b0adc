//! Broadcasts (一斉配信 / セグメント配信, SPEC §4): what staff compose, what
//! it will cost, and starting, pausing, resuming and cancelling it. The
//! delivery itself is `delivery.rs`; the month's figures `quota.rs`.
//!
//! A send starts in one transaction: its recipients are fixed, its quota
//! reserved and its batches written, each with its retry key, before any
//! LINE call. A send that does not fit under a Free or Light ceiling is
//! refused before anything is written.

use crate::audit::Event;
use crate::crypto::{public_id, uuid_v4};
use crate::line_messages::to_line_messages;
use crate::quota::QuotaStatus;
use crate::{Actor, Engine, EngineError};
use model::adcheck::{check_bundle, default_rules, AdFlag, AdRule};
use model::broadcast::{jst_month, Audience, BroadcastStatus, Purpose};
use model::link::LinkSource;
use model::message::Bundle;
use model::plan::extra_cost_yen;
use model::segment::{Condition, Group, Join, Node, Rule, RULE_VERSION};
use model::Permission;
use std::collections::{HashMap, HashSet};
pub use store::BroadcastRow;
use store::{NewBatch, NewBroadcast, Reservation};

pub const TITLE_MAX: usize = 60;

/// Recipients per multicast (LINE's ceiling).
pub const BATCH_SIZE: usize = line::limits::MULTICAST_MAX_RECIPIENTS;

/// What staff ask to send.
#[derive(Clone, Debug)]
pub struct BroadcastRequest {
    pub title: String,
    pub bundle: Bundle,
    pub audience: Audience,
    pub purpose: Purpose,
    /// `None`: now.
    pub scheduled_at: Option<i64>,
}

/// Who a send would reach now, and who it leaves out.
#[derive(Clone, Debug, Default)]
pub struct Recipients {
    /// (friend ID, LINE user ID), in friend order.
    pub list: Vec<(i64, String)>,
    /// Refused marketing messages.
    pub opted_out: i64,
    /// Already had this month's marketing messages.
    pub capped: i64,
    /// Patient numbers of the list that match no friend.
    pub unknown_numbers: Vec<String>,
}

/// The summary shown before sending.
#[derive(Clone, Debug)]
pub struct Estimate {
    pub recipients: i64,
    pub opted_out: i64,
    pub capped: i64,
    pub unknown_numbers: Vec<String>,
    /// One per recipient, however many bubbles (LINE counts recipients).
    pub messages: i64,
    pub quota: QuotaStatus,
    /// What is left for this kind of send after it; `None` without a ceiling.
    pub left_after: Option<i64>,
    pub extra_yen: i64,
    /// Messages missing for it to fit (0 when it fits).
    pub shortfall: i64,
    pub ad_flags: Vec<AdFlag>,
    /// Waits for an admin: flagged while the clinic wants flagged sends
    /// approved, or operational from someone who may not decide that.
    pub needs_approval: bool,
    /// How the send is treated (see `Engine::treatment`).
    pub purpose: Purpose,
    /// Asked for as operational, but its wording makes it marketing.
    pub marked_marketing: bool,
    /// A marketing send now would wait for quiet hours to end, until then.
    pub held_until: Option<i64>,
}

/// How a send is treated once its wording and its sender are known.
struct Treatment {
    purpose: Purpose,
    marked_marketing: bool,
    needs_approval: bool,
}

/// A send as the pages show it.
#[derive(Clone, Debug)]
pub struct BroadcastView {
    pub row: BroadcastRow,
    pub bundle: Bundle,
    pub audience: Audience,
    /// The people who clicked any of its tracked links.
    pub clickers: i64,
}

/// What a send did, beyond its progress: read for its page, not for the
/// progress bar asked every second.
pub struct BroadcastResults {
    /// Each tracked link's clicks.
    pub links: Vec<model::link::LinkFigures>,
    /// What LINE counted of its opens.
    pub opens: crate::insights::Opens,
}

/// A rule for friends with any (or every) one of the tags.
fn tags_rule(tags: &[String], all: bool) -> Rule {
    Rule {
        version: RULE_VERSION,
        root: Group {
            join: if all { Join::All } else { Join::Any },
            negate: false,
            items: tags
                .iter()
                .map(|t| Node::Condition(Condition::Tag { tag: t.clone(), has: true }))
                .collect(),
        },
    }
}

/// The ledger's name for a send.
pub(crate) fn ledger_source(public_id: &str) -> String {
    format!("broadcast:{public_id}")
}

impl Engine {
    /// The clinic's advertising rules: the defaults and its own.
    pub async fn ad_rules(&self, clinic_id: i64) -> Result<Vec<AdRule>, EngineError> {
        let settings = self.db.delivery_settings(clinic_id).await?;
        let own: Vec<AdRule> = serde_json::from_str(&settings.ad_rules).map_err(|_| EngineError::Corrupt)?;
        Ok(default_rules().into_iter().chain(own).collect())
    }

    /// Who a send to `audience` reaches now: active friends in the audience,
    /// less (for marketing) those who refused marketing or reached the
    /// month's cap.
    pub async fn fix_recipients(&self, clinic_id: i64, audience: &Audience, purpose: Purpose) -> Result<Recipients, EngineError> {
        let now = self.now_ms();
        let mut unknown_numbers = Vec::new();
        let wanted: Option<HashSet<i64>> = match audience {
            Audience::All => None,
            Audience::Segment { segment } => {
                let row = self
                    .db
                    .segment_by_public_id(clinic_id, segment)
                    .await?
                    .ok_or(EngineError::NotFound)?;
                let rule: Rule = serde_json::from_str(&row.rule).map_err(|_| EngineError::Corrupt)?;
                Some(self.segment_members(clinic_id, &rule).await?.into_iter().collect())
            }
            Audience::Tags { tags, all } => {
                if tags.is_empty() {
                    return Err(EngineError::EmptyAudience);
                }
                Some(self.segment_members(clinic_id, &tags_rule(tags, *all)).await?.into_iter().collect())
            }
            Audience::Patients { numbers } => {
                let numbers: Vec<String> = numbers.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
                let found = self.db.friends_by_patient_numbers(clinic_id, &numbers).await?;
                let known: HashSet<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
                unknown_numbers = numbers.iter().filter(|n| !known.contains(n.as_str())).cloned().collect();
                Some(found.into_iter().map(|(_, id)| id).collect())
            }
        };
        let settings = self.db.delivery_settings(clinic_id).await?;
        let marketing = purpose == Purpose::Marketing;
        let mut out = Recipients {
            unknown_numbers,
            ..Default::default()
        };
        for c in self.db.send_candidates(clinic_id, &jst_month(now)).await? {
            if wanted.as_ref().is_some_and(|w| !w.contains(&c.id)) {
                continue;
            }
            if marketing && c.marketing_opt_out != 0 {
                out.opted_out += 1;
            } else if marketing && c.sent_this_month >= settings.frequency_cap {
                out.capped += 1;
            } else {
                out.list.push((c.id, c.line_user_id));
            }
        }
        Ok(out)
    }

    fn check_request(&self, req: &BroadcastRequest) -> Result<(), EngineError> {
        let title = req.title.trim();
        if title.is_empty() || title.chars().count() > TITLE_MAX {
            return Err(EngineError::InvalidBroadcastTitle);
        }
        let problems = req.bundle.problems();
        if !problems.is_empty() {
            return Err(EngineError::InvalidBundle(problems));
        }
        if let Some(at) = req.scheduled_at {
            if at < self.now_ms() - 60_000 {
                return Err(EngineError::ScheduleInPast);
            }
        }
        Ok(())
    }

    /// LINE fetches uploaded pictures from this server, and only over
    /// HTTPS; a clinic on the sandbox (a local demo) is spared that.
    pub(crate) async fn check_pictures_reachable(&self, clinic_id: i64, bundle: &Bundle) -> Result<(), EngineError> {
        if !bundle.uses_uploads() || self.public_url.starts_with("https://") {
            return Ok(());
        }
        if self.in_sandbox_mode(clinic_id).await? {
            Ok(())
        } else {
            Err(EngineError::PicturesNeedHttps)
        }
    }

    /// How a send is treated, whatever the request said. "Operational"
    /// skips opt-outs, the monthly cap and quiet hours and may use the
    /// reserve, so it is not a label anyone may pick: wording the
    /// advertising check flags makes the send marketing, and an operational
    /// send by someone without `ManageClinic` waits for an admin's approval.
    fn treatment(actor: &Actor, requested: Purpose, flags: &[AdFlag], settings: &store::DeliverySettingsRow) -> Treatment {
        let purpose = if flags.is_empty() { requested } else { Purpose::Marketing };
        let flagged_needs_approval = !flags.is_empty() && settings.require_ad_approval != 0;
        let operational_needs_approval = purpose == Purpose::Operational && !actor.role.can(Permission::ManageClinic);
        Treatment {
            purpose,
            marked_marketing: purpose != requested,
            needs_approval: flagged_needs_approval || operational_needs_approval,
        }
    }

    /// The summary before sending: recipients, cost and what is left.
    pub async fn estimate_broadcast(&self, actor: &Actor, req: &BroadcastRequest) -> Result<Estimate, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let settings = self.db.delivery_settings(actor.clinic_id).await?;
        let ad_flags = check_bundle(&req.bundle, &self.ad_rules(actor.clinic_id).await?);
        let treatment = Self::treatment(actor, req.purpose, &ad_flags, &settings);
        let purpose = treatment.purpose;
        let recipients = self.fix_recipients(actor.clinic_id, &req.audience, purpose).await?;
        let quota = self.quota_status(actor.clinic_id).await?;
        let n = recipients.list.len() as i64;
        let left = quota.left_for(purpose);
        let at = req.scheduled_at.unwrap_or(self.now_ms());
        let quiet = settings.quiet();
        Ok(Estimate {
            recipients: n,
            opted_out: recipients.opted_out,
            capped: recipients.capped,
            unknown_numbers: recipients.unknown_numbers,
            messages: n,
            left_after: left.map(|l| l - n),
            extra_yen: extra_cost_yen(quota.plan, quota.used + quota.reserved + quota.outside, n),
            shortfall: left.map_or(0, |l| (n - l).max(0)),
            needs_approval: treatment.needs_approval,
            purpose,
            marked_marketing: treatment.marked_marketing,
            ad_flags,
            held_until: (purpose == Purpose::Marketing && quiet.contains(at)).then(|| quiet.next_open(at)),
            quota,
        })
    }

    /// Stores a send and, unless it is scheduled or waits for approval,
    /// starts it. Refused, with nothing stored, when the bundle breaks a
    /// limit or (on Free/Light) the month cannot hold it.
    pub async fn create_broadcast(&self, actor: &Actor, req: &BroadcastRequest) -> Result<String, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        self.check_request(req)?;
        self.check_pictures_reachable(actor.clinic_id, &req.bundle).await?;
        let settings = self.db.delivery_settings(actor.clinic_id).await?;
        let flags = check_bundle(&req.bundle, &self.ad_rules(actor.clinic_id).await?);
        let Treatment {
            purpose, needs_approval, ..
        } = Self::treatment(actor, req.purpose, &flags, &settings);
        let pid = public_id();
        let bundle = serde_json::to_string(&req.bundle).map_err(|_| EngineError::Corrupt)?;
        let audience = serde_json::to_string(&req.audience).map_err(|_| EngineError::Corrupt)?;
        let initial = if needs_approval {
            BroadcastStatus::AwaitingApproval
        } else if req.scheduled_at.is_some_and(|at| at > self.now_ms()) {
            BroadcastStatus::Scheduled
        } else {
            BroadcastStatus::Sending
        };
        let new = NewBroadcast {
            clinic_id: actor.clinic_id,
            public_id: &pid,
            title: req.title.trim(),
            bundle: &bundle,
            audience: &audience,
            purpose,
            status: initial,
            scheduled_at: req.scheduled_at,
            ad_flags: flags.len() as i64,
            created_by: Some(actor.user_id),
            now: self.now_ms(),
        };
        let audit = self.audit(Event::by(actor, "broadcast.created", pid.clone(), req.title.trim().to_string()));
        if initial == BroadcastStatus::Sending {
            self.start_send(actor.clinic_id, None, Some(&new), &req.bundle, &req.audience, purpose, Some(&audit))
                .await?;
        } else {
            self.db.insert_broadcast(&new, &audit).await?;
        }
        Ok(pid)
    }

    /// Fixes recipients, reserves and writes the batches (one transaction,
    /// with `audit` when staff started it).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn start_send(
        &self,
        clinic_id: i64,
        existing: Option<i64>,
        new: Option<&NewBroadcast<'_>>,
        bundle: &Bundle,
        audience: &Audience,
        purpose: Purpose,
        audit: Option<&store::Audit<'_>>,
    ) -> Result<i64, EngineError> {
        // LINE's own count first, so sends made in LINE's app are counted.
        if let Err(e) = self.reconcile_quota(clinic_id).await {
            tracing::info!(
                clinic_id,
                error = e.code(),
                "could not read LINE's quota before a send; using the ledger"
            );
        }
        let recipients = self.fix_recipients(clinic_id, audience, purpose).await?;
        if recipients.list.is_empty() {
            return Err(EngineError::EmptyAudience);
        }
        let quota = self.quota_status(clinic_id).await?;
        let n = recipients.list.len() as i64;
        let messages = serde_json::to_string(&to_line_messages(bundle, &self.public_url)).map_err(|_| EngineError::Corrupt)?;
        let batches: Vec<NewBatch> = recipients
            .list
            .chunks(BATCH_SIZE)
            .map(|chunk| NewBatch {
                recipients: serde_json::to_string(&chunk.iter().map(|(_, u)| u).collect::<Vec<_>>()).unwrap_or_default(),
                friend_ids: serde_json::to_string(&chunk.iter().map(|(f, _)| f).collect::<Vec<_>>()).unwrap_or_default(),
                size: chunk.len() as i64,
                retry_key: uuid_v4(),
            })
            .collect();
        let reservation = Reservation {
            month: &quota.month,
            amount: n,
            ceiling: quota.ceiling_for(purpose),
        };
        let started = self
            .db
            .begin_sending(
                existing,
                new,
                clinic_id,
                &messages,
                &batches,
                recipients.capped,
                &reservation,
                ledger_source,
                self.now_ms(),
                audit,
            )
            .await?;
        match started {
            Some(id) => {
                self.delivery.wake.notify_waiters();
                Ok(id)
            }
            None => {
                // Read again: another send may have taken what was left.
                let now_left = self.quota_status(clinic_id).await?.left_for(purpose).unwrap_or(0);
                Err(EngineError::QuotaShortfall {
                    needed: n,
                    left: now_left.max(0),
                })
            }
        }
    }

    pub async fn list_broadcasts(&self, actor: &Actor, limit: i64) -> Result<Vec<BroadcastRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        Ok(self.db.broadcasts(actor.clinic_id, limit).await?)
    }

    pub async fn broadcast_view(&self, actor: &Actor, public_id: &str) -> Result<BroadcastView, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self
            .db
            .broadcast_by_public_id(actor.clinic_id, public_id)
            .await?
            .ok_or(EngineError::NotFound)?;
        let bundle = serde_json::from_str(&row.bundle).map_err(|_| EngineError::Corrupt)?;
        let audience = serde_json::from_str(&row.audience).map_err(|_| EngineError::Corrupt)?;
        let clickers = self.broadcast_clickers(actor, &[&row]).await?.get(&row.id).copied().unwrap_or(0);
        Ok(BroadcastView {
            row,
            bundle,
            audience,
            clickers,
        })
    }

    /// Each link's clicks and LINE's opens of a send the actor's clinic made
    /// (`row` from `broadcast_view`).
    pub async fn broadcast_results(&self, actor: &Actor, row: &BroadcastRow) -> Result<BroadcastResults, EngineError> {
        actor.require(Permission::ViewClinic)?;
        if row.clinic_id != actor.clinic_id {
            return Err(EngineError::NotFound);
        }
        Ok(BroadcastResults {
            links: self.db.link_figures(row.clinic_id, LinkSource::Broadcast, row.id).await?,
            opens: self.opens_of(row.clinic_id, LinkSource::Broadcast, row.id).await?,
        })
    }

    /// The people who clicked a link of each of `rows` (those with none
    /// are left out).
    pub async fn broadcast_clickers(&self, actor: &Actor, rows: &[&BroadcastRow]) -> Result<HashMap<i64, i64>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        Ok(self.db.clickers_by_source(actor.clinic_id, LinkSource::Broadcast, &ids).await?)
    }

    async fn own_broadcast(&self, actor: &Actor, public_id: &str) -> Result<BroadcastRow, EngineError> {
        self.db
            .broadcast_by_public_id(actor.clinic_id, public_id)
            .await?
            .ok_or(EngineError::NotFound)
    }

    pub async fn pause_broadcast(&self, actor: &Actor, public_id: &str) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let b = self.own_broadcast(actor, public_id).await?;
        let now = self.now_ms();
        let audit = self.audit(Event::by(actor, "broadcast.paused", b.public_id.clone(), b.title.clone()));
        if !self
            .db
            .set_broadcast_status(
                b.id,
                &[BroadcastStatus::Sending, BroadcastStatus::Held],
                BroadcastStatus::Paused,
                "by_staff",
                None,
                now,
                Some(&audit),
            )
            .await?
        {
            return Err(EngineError::BroadcastState);
        }
        Ok(())
    }

    pub async fn resume_broadcast(&self, actor: &Actor, public_id: &str) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let b = self.own_broadcast(actor, public_id).await?;
        let audit = self.audit(Event::by(actor, "broadcast.resumed", b.public_id.clone(), b.title.clone()));
        if !self
            .db
            .set_broadcast_status(
                b.id,
                &[BroadcastStatus::Paused],
                BroadcastStatus::Sending,
                "",
                None,
                self.now_ms(),
                Some(&audit),
            )
            .await?
        {
            return Err(EngineError::BroadcastState);
        }
        self.delivery.wake.notify_waiters();
        Ok(())
    }

    /// Cancels a send: what was not sent yet will not be, and its quota is
    /// given back. A scheduled or unapproved send is cancelled outright.
    pub async fn cancel_broadcast(&self, actor: &Actor, public_id: &str) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let b = self.own_broadcast(actor, public_id).await?;
        let from = [
            BroadcastStatus::Sending,
            BroadcastStatus::Held,
            BroadcastStatus::Paused,
            BroadcastStatus::Scheduled,
            BroadcastStatus::AwaitingApproval,
        ];
        let now = self.now_ms();
        let audit = self.audit(Event::by(actor, "broadcast.cancelled", b.public_id.clone(), b.title.clone()));
        if !self
            .db
            .end_broadcast(
                b.id,
                &from,
                BroadcastStatus::Cancelled,
                "by_staff",
                &ledger_source(&b.public_id),
                now,
                Some(&audit),
            )
            .await?
        {
            return Err(EngineError::BroadcastState);
        }
        self.db.finish_broadcast_if_complete(b.id, now).await?;
        Ok(())
    }

    /// An admin approves a flagged send; it then goes at its time.
    pub async fn approve_broadcast(&self, actor: &Actor, public_id: &str) -> Result<(), EngineError> {
        actor.require(Permission::ManageClinic)?;
        let b = self.own_broadcast(actor, public_id).await?;
        let audit = self.audit(Event::by(actor, "broadcast.approved", b.public_id.clone(), b.title.clone()));
        if !self
            .db
            .approve_broadcast(b.id, actor.user_id, BroadcastStatus::Scheduled, self.now_ms(), &audit)
            .await?
        {
            return Err(EngineError::BroadcastState);
        }
        self.delivery.wake.notify_waiters();
        Ok(())
    }

    /// Starts the scheduled sends whose time has come and resumes those
    /// whose quiet hours are over; a scheduled send that no longer fits is
    /// stopped with the reason. Returns how many changed.
    pub async fn start_due_broadcasts(&self) -> Result<usize, EngineError> {
        let now = self.now_ms();
        let mut changed = 0;
        for b in self.db.broadcasts_due(now).await? {
            if b.status == BroadcastStatus::Held {
                if self
                    .db
                    .set_broadcast_status(b.id, &[BroadcastStatus::Held], BroadcastStatus::Sending, "", None, now, None)
                    .await?
                {
                    changed += 1;
                }
                continue;
            }
            let (Ok(bundle), Ok(audience)) = (
                serde_json::from_str::<Bundle>(&b.bundle),
                serde_json::from_str::<Audience>(&b.audience),
            ) else {
                self.db
                    .end_broadcast(
                        b.id,
                        &[BroadcastStatus::Scheduled],
                        BroadcastStatus::Stopped,
                        "corrupt",
                        &ledger_source(&b.public_id),
                        now,
                        None,
                    )
                    .await?;
                continue;
            };
            match self
                .start_send(b.clinic_id, Some(b.id), None, &bundle, &audience, b.purpose, None)
                .await
            {
                Ok(_) => changed += 1,
                Err(
                    e @ (EngineError::QuotaShortfall { .. }
                    | EngineError::EmptyAudience
                    | EngineError::NotFound
                    | EngineError::InvalidRule(_)),
                ) => {
                    let reason = match e {
                        EngineError::QuotaShortfall { needed, left } => format!("quota_shortfall:{}", needed - left),
                        other => other.code().to_string(),
                    };
                    self.db
                        .end_broadcast(
                            b.id,
                            &[BroadcastStatus::Scheduled],
                            BroadcastStatus::Stopped,
                            &reason,
                            &ledger_source(&b.public_id),
                            now,
                            None,
                        )
                        .await?;
                    self.db.finish_broadcast_if_complete(b.id, now).await?;
                    changed += 1;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(changed)
    }
}
