//! Step sequences (ステップ配信): saving them, enrolling friends, and the
//! scheduler that sends each step once.
//!
//! The scheduler claims enrolments whose `next_due_at` has come, and for
//! each works every step's moment out again from the anchor as it is now
//! (`model::sequence::decide`): nothing about an appointment is copied into
//! a reminder. A step about to go is written first (`step_sends`, with its
//! retry key); the push carries that key and reserves its quota like any
//! single push, so a crash at any point resends under the same key and LINE
//! delivers it once.

use crate::audit::Event;
use crate::crypto::{public_id, uuid_v4};
use crate::quota::OnFailure;
use crate::{Actor, Engine, EngineError};
use model::appointment::AppointmentStatus;
use model::automation::{Action, ACTIONS_MAX};
use model::broadcast::{Purpose, QuietHours};
use model::message::Bundle;
use model::sequence::{decide, sequence_problems, Anchor, Moment, SkipReason, StepCondition, StepTiming, Stop, Trigger, Verdict};
use model::Permission;
use store::{EnrolmentNext, EnrolmentRow, SequenceRow, StepRow, StepWrite};

/// How late a step may still go after the server was down (a reminder
/// never goes after its appointment, whatever this allows).
pub const LATENESS_MS: i64 = 6 * 60 * 60 * 1000;
/// How long one scheduler holds an enrolment it claimed.
const LEASE_MS: i64 = 60_000;
/// Enrolments one scheduler pass takes at most.
const CLAIM_BATCH: i64 = 200;
/// When LINE could not be reached, the step is tried again this much later
/// under the same retry key.
const RETRY_MS: i64 = 60_000;

/// One step as the editor writes it. `id` empty: a new step.
#[derive(Clone, Debug, PartialEq)]
pub struct StepDraft {
    pub id: String,
    pub timing: StepTiming,
    pub purpose: Purpose,
    pub condition: Option<StepCondition>,
    /// No bubbles: the step only acts.
    pub bundle: Bundle,
    /// Applied when the step is reached (tags, fields, another sequence).
    pub actions: Vec<Action>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SequenceDraft {
    pub name: String,
    pub trigger: Trigger,
    pub stops: Vec<Stop>,
    pub steps: Vec<StepDraft>,
}

/// A saved sequence as the pages read it.
#[derive(Clone, Debug)]
pub struct SequenceView {
    pub row: SequenceRow,
    pub trigger: Trigger,
    pub stops: Vec<Stop>,
    pub steps: Vec<StepDraft>,
}

/// One message a friend will receive, as the preview lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewItem {
    pub sequence: String,
    /// 「−1日 18:00」
    pub step: String,
    pub at: i64,
    pub text: String,
    /// Goes only if its condition holds then.
    pub conditional: bool,
}

/// What one step did: sent, skipped, and how many it was sent to blocked
/// the account within 7 days (the step's cost in friends).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepCounts {
    pub step: String,
    pub sent: i64,
    pub skipped: i64,
    pub blocked_after: i64,
}

/// What became of one step for one friend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    Sent,
    Skipped(SkipReason),
}

impl Engine {
    /// Saves a sequence (new when `existing` is `None`). Editing one that
    /// runs keeps each step's identity: a friend who passed a step is never
    /// sent it again, and everyone enrolled is looked at again at once.
    pub async fn save_sequence(&self, actor: &Actor, existing: Option<&str>, d: &SequenceDraft) -> Result<String, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let timings: Vec<StepTiming> = d.steps.iter().map(|s| s.timing).collect();
        let mut problems = sequence_problems(&d.name, &d.trigger, &timings);
        let target_exists = match &d.trigger {
            Trigger::TagAdded { tag } => self.db.tag_by_public_id(actor.clinic_id, tag).await?.is_some(),
            Trigger::SegmentEntered { segment } => self.db.segment_by_public_id(actor.clinic_id, segment).await?.is_some(),
            _ => true,
        };
        if !target_exists {
            problems.push(model::sequence::SequenceProblem::UnknownTriggerTarget);
        }
        for stop in &d.stops {
            let known = match stop {
                Stop::TagAdded { tag } => self.db.tag_by_public_id(actor.clinic_id, tag).await?.is_some(),
                Stop::SegmentLeft { segment } => self.db.segment_by_public_id(actor.clinic_id, segment).await?.is_some(),
            };
            if !known {
                problems.push(model::sequence::SequenceProblem::UnknownStopTarget);
                break;
            }
        }
        if self.step_actions_problem(actor.clinic_id, &d.steps).await? {
            problems.push(model::sequence::SequenceProblem::BadStepAction);
        }
        if !problems.is_empty() {
            return Err(EngineError::InvalidSequence(problems));
        }
        for s in &d.steps {
            if s.bundle.bubbles.is_empty() && !s.actions.is_empty() {
                continue;
            }
            let p = s.bundle.problems();
            if !p.is_empty() {
                return Err(EngineError::InvalidBundle(p));
            }
        }
        let pid = match existing {
            Some(pid) => {
                self.db.sequence(actor.clinic_id, pid).await?.ok_or(EngineError::NotFound)?;
                pid.to_string()
            }
            None => public_id(),
        };
        let steps: Vec<(String, String, Option<String>, String, String)> = d
            .steps
            .iter()
            .map(|s| {
                let id = if s.id.is_empty() { public_id() } else { s.id.clone() };
                let condition = s.condition.as_ref().map(to_json);
                (id, to_json(&s.timing), condition, to_json(&s.bundle), to_json(&s.actions))
            })
            .collect();
        let writes: Vec<StepWrite<'_>> = d
            .steps
            .iter()
            .zip(&steps)
            .map(|(s, (id, timing, condition, bundle, actions))| StepWrite {
                public_id: id,
                timing,
                purpose: s.purpose.as_str(),
                condition: condition.as_deref(),
                bundle,
                actions,
            })
            .collect();
        let audit = self.audit(Event::by(actor, "sequence.saved", pid.clone(), d.name.trim().to_string()));
        self.db
            .save_sequence(
                actor.clinic_id,
                &pid,
                d.name.trim(),
                &to_json(&d.trigger),
                d.trigger.listens_for(),
                &to_json(&d.stops),
                &writes,
                self.now_ms(),
                &audit,
            )
            .await?;
        self.sequence_signal.notify_one();
        Ok(pid)
    }

    /// Whether any step's actions could not run: one a step cannot carry (a
    /// reply or push: its message is its bubbles), too many, or a tag,
    /// field or sequence that is not the clinic's.
    async fn step_actions_problem(&self, clinic_id: i64, steps: &[StepDraft]) -> Result<bool, EngineError> {
        if steps.iter().all(|s| s.actions.is_empty()) {
            return Ok(false);
        }
        let (tags, fields) = (self.db.tags(clinic_id).await?, self.db.fields(clinic_id).await?);
        let catalog = crate::segments::catalog(&tags, &fields);
        for s in steps {
            let wrong = s.actions.len() > ACTIONS_MAX
                || s.actions.iter().any(|a| !a.fits_a_step() || a.problem(&catalog).is_some())
                || !self.stored_action_problems(clinic_id, &fields, &s.actions).await?.is_empty();
            if wrong {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub async fn list_sequences(&self, actor: &Actor) -> Result<Vec<SequenceView>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let mut out = Vec::new();
        for row in self.db.sequences(actor.clinic_id).await? {
            out.push(self.sequence_view_of(row).await?);
        }
        Ok(out)
    }

    pub async fn sequence_view(&self, actor: &Actor, pid: &str) -> Result<SequenceView, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self.db.sequence(actor.clinic_id, pid).await?.ok_or(EngineError::NotFound)?;
        self.sequence_view_of(row).await
    }

    async fn sequence_view_of(&self, row: SequenceRow) -> Result<SequenceView, EngineError> {
        let steps = self.db.sequence_steps(row.id).await?;
        Ok(SequenceView {
            trigger: serde_json::from_str(&row.starts_when).map_err(|_| EngineError::Corrupt)?,
            stops: serde_json::from_str(&row.stops).map_err(|_| EngineError::Corrupt)?,
            steps: steps.iter().map(step_draft).collect::<Result<_, _>>()?,
            row,
        })
    }

    /// Who is in a sequence (and who left it, and why), at most 500.
    pub async fn sequence_enrolments(&self, actor: &Actor, pid: &str) -> Result<Vec<store::EnrolmentListRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self.db.sequence(actor.clinic_id, pid).await?.ok_or(EngineError::NotFound)?;
        Ok(self.db.sequence_enrolments(row.id, 500).await?)
    }

    /// How many friends are in a sequence now.
    pub async fn sequence_enrolled(&self, actor: &Actor, pid: &str) -> Result<i64, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self.db.sequence(actor.clinic_id, pid).await?.ok_or(EngineError::NotFound)?;
        Ok(self.db.active_enrolments(row.id).await?)
    }

    /// Pauses a sequence (nothing goes; enrolments wait) or resumes it.
    pub async fn set_sequence_paused(&self, actor: &Actor, pid: &str, paused: bool) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let row = self.db.sequence(actor.clinic_id, pid).await?.ok_or(EngineError::NotFound)?;
        let action = if paused { "sequence.paused" } else { "sequence.resumed" };
        let audit = self.audit(Event::by(actor, action, pid.to_string(), row.name.clone()));
        self.db
            .set_sequence_status(row.id, if paused { "paused" } else { "active" }, self.now_ms(), &audit)
            .await?;
        self.sequence_signal.notify_one();
        Ok(())
    }

    /// Enrols one friend by hand. False when they are already in it.
    pub async fn enrol_friend(&self, actor: &Actor, sequence: &str, friend: &str) -> Result<bool, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let seq = self.db.sequence(actor.clinic_id, sequence).await?.ok_or(EngineError::NotFound)?;
        let f = self
            .db
            .friend_by_public_id(actor.clinic_id, friend)
            .await?
            .ok_or(EngineError::NotFound)?;
        let enrolled = self.db.enrol(actor.clinic_id, seq.id, f.id, self.now_ms()).await?.is_some();
        self.sequence_signal.notify_one();
        Ok(enrolled)
    }

    /// Enrols every friend of a saved segment, as it counts now (those
    /// already in the sequence are passed by). Returns how many joined.
    pub async fn enrol_segment(&self, actor: &Actor, sequence: &str, segment: &str) -> Result<usize, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let seq = self.db.sequence(actor.clinic_id, sequence).await?.ok_or(EngineError::NotFound)?;
        let (row, rule) = self.segment(actor, segment).await?;
        let members = self.segment_members(actor.clinic_id, &rule).await?;
        let joined = self.db.enrol_many(actor.clinic_id, seq.id, &members, self.now_ms()).await?;
        self.record(Event::by(
            actor,
            "sequence.enrolled_segment",
            sequence.to_string(),
            format!("{} ({joined})", row.name),
        ))
        .await?;
        self.sequence_signal.notify_one();
        Ok(joined)
    }

    /// Takes one friend out of a sequence by hand.
    pub async fn unenrol_friend(&self, actor: &Actor, sequence: &str, friend: &str) -> Result<(), EngineError> {
        actor.require(Permission::HandlePatients)?;
        let seq = self.db.sequence(actor.clinic_id, sequence).await?.ok_or(EngineError::NotFound)?;
        let f = self
            .db
            .friend_by_public_id(actor.clinic_id, friend)
            .await?
            .ok_or(EngineError::NotFound)?;
        self.db.stop_enrolments(f.id, Some(seq.id), "manual", self.now_ms()).await?;
        Ok(())
    }

    /// The active sequences of a clinic that `happening` starts.
    pub(crate) async fn sequences_started_by(&self, clinic_id: i64, starts: impl Fn(&Trigger) -> bool) -> Result<Vec<i64>, EngineError> {
        let mut ids = Vec::new();
        for row in self.db.sequences(clinic_id).await? {
            if row.status != "active" {
                continue;
            }
            if let Ok(t) = serde_json::from_str::<Trigger>(&row.starts_when) {
                if starts(&t) {
                    ids.push(row.id);
                }
            }
        }
        Ok(ids)
    }

    /// Enrols the friends who entered the segment of a 「セグメントに入ったとき」
    /// sequence since it last looked: the segment change log says who
    /// changed, the rule says who is inside now, and the sequence remembers
    /// who was inside before, so only an entry enrols (leaving and entering
    /// again is a new entry). When a sequence first looks, those already
    /// inside are remembered, not enrolled. Safe on several instances: each
    /// watch moves from one log position to the next once. Returns how many
    /// were enrolled.
    pub async fn enrol_segment_entries(&self) -> Result<usize, EngineError> {
        let mut enrolled = 0;
        for w in self.db.segment_watches().await? {
            let Ok(Trigger::SegmentEntered { segment }) = serde_json::from_str::<Trigger>(&w.starts_when) else {
                continue;
            };
            let changes = match w.segment_seq {
                Some(from) => {
                    let changes = self.db.segment_changes_since(w.clinic_id, from, self.now_ms()).await?;
                    if changes.last_seq == from {
                        continue;
                    }
                    Some((from, changes))
                }
                None => None,
            };
            let Some(row) = self.db.segment_by_public_id(w.clinic_id, &segment).await? else {
                continue;
            };
            let rule: model::segment::Rule = serde_json::from_str(&row.rule).map_err(|_| EngineError::Corrupt)?;
            // A rule the clinic's tags no longer allow enrols nobody (the
            // segment page says why); the watch waits where it is.
            let Ok(names) = self.check_rule(w.clinic_id, &rule).await else {
                continue;
            };
            let Some((from, changes)) = changes else {
                // Read the head first: a change made meanwhile is read again.
                let head = self.db.segment_change_head(w.clinic_id).await?;
                let inside = self.segment_members(w.clinic_id, &rule).await?;
                self.db.start_segment_watch(w.id, head, &inside).await?;
                continue;
            };
            let before: std::collections::HashSet<i64> = self.db.segment_watch_members(w.id, &changes.friends).await?.into_iter().collect();
            let now_inside: std::collections::HashSet<i64> = self
                .matching_among(w.clinic_id, &rule, &names, &changes.friends)
                .await?
                .into_iter()
                .collect();
            let entered: Vec<i64> = changes
                .friends
                .iter()
                .copied()
                .filter(|f| now_inside.contains(f) && !before.contains(f))
                .collect();
            let left: Vec<i64> = changes
                .friends
                .iter()
                .copied()
                .filter(|f| before.contains(f) && !now_inside.contains(f))
                .collect();
            enrolled += self
                .db
                .advance_segment_watch(w.clinic_id, w.id, from, changes.last_seq, &entered, &left, self.now_ms())
                .await?;
        }
        if enrolled > 0 {
            self.sequence_signal.notify_one();
        }
        Ok(enrolled)
    }

    /// One pass of the scheduler: every enrolment due now, each step
    /// decided and, if it goes, sent once. Returns how many enrolments it
    /// looked at (0: nothing was due).
    pub async fn run_sequences_once(&self) -> Result<usize, EngineError> {
        let now = self.now_ms();
        let due = self.db.claim_due_enrolments(now, now + LEASE_MS, CLAIM_BATCH).await?;
        let n = due.len();
        for e in due {
            let next = match self.advance_enrolment(&e).await {
                Ok(next) => next,
                // Looked at again shortly; the lease keeps others off it.
                Err(err) => {
                    tracing::warn!(enrolment = e.id, reason = err.code(), "sequence step not sent; retrying");
                    EnrolmentNext::At(self.now_ms() + RETRY_MS)
                }
            };
            self.db.settle_enrolment(e.id, next, self.now_ms()).await?;
        }
        Ok(n)
    }

    /// Works one enrolment's steps out from the state of things now, sends
    /// what is due, and says when to look again.
    async fn advance_enrolment(&self, e: &EnrolmentRow) -> Result<EnrolmentNext, EngineError> {
        let now = self.now_ms();
        let Some(seq) = self.db.sequence_by_id(e.sequence_id).await? else {
            return Ok(EnrolmentNext::Stopped("sequence_gone"));
        };
        if seq.status == "paused" {
            return Ok(EnrolmentNext::Parked);
        }
        let Some(friend) = self.db.friends_by_ids(e.clinic_id, &[e.friend_id]).await?.pop() else {
            return Ok(EnrolmentNext::Stopped("friend_gone"));
        };
        if friend.status == "blocked" {
            return Ok(EnrolmentNext::Stopped("blocked"));
        }
        // A staff member's linked LINE is never sent a patient's step.
        if friend.staff_user_id.is_some() {
            return Ok(EnrolmentNext::Stopped("staff"));
        }
        let stops: Vec<Stop> = serde_json::from_str(&seq.stops).map_err(|_| EngineError::Corrupt)?;
        for stop in &stops {
            let (holds, reason) = match stop {
                Stop::TagAdded { tag } => (self.friend_has_tag(e.clinic_id, friend.id, tag).await?, "tag_added"),
                Stop::SegmentLeft { segment } => (!self.friend_in_segment(e.clinic_id, &friend, segment).await?, "segment_left"),
            };
            if holds {
                return Ok(EnrolmentNext::Stopped(reason));
            }
        }
        let appointment = match e.appointment_id {
            Some(id) => self.db.appointment_by_id(id).await?,
            None => None,
        };
        let settings = self.db.delivery_settings(e.clinic_id).await?;
        let quiet = settings.quiet();
        let reached = self.db.step_sends(e.id).await?;
        let mut next: Option<i64> = None;
        for step in self.db.sequence_steps(seq.id).await? {
            let timing: StepTiming = serde_json::from_str(&step.timing).map_err(|_| EngineError::Corrupt)?;
            // A step counting from the appointment belongs to its current
            // plan: moved, it is decided afresh for the new time.
            let plan_at = match (timing.anchor, &appointment) {
                (Anchor::Appointment, Some(a)) => a.planned_at,
                _ => 0,
            };
            let done = reached.iter().find(|r| r.step_id == step.id && r.plan_at == plan_at);
            if done.is_some_and(|r| r.status != "pending") {
                continue;
            }
            let purpose = Purpose::parse(&step.purpose).ok_or(EngineError::Corrupt)?;
            let (moment, due) = step_moment(e, appointment.as_ref(), timing, purpose, quiet, now);
            match decide(timing, moment) {
                Verdict::Wait(at) => next = Some(next.map_or(at, |n: i64| n.min(at))),
                Verdict::Skip(reason) => {
                    self.db
                        .finish_step_send(e.id, step.id, plan_at, "skipped", reason.as_str(), due, now)
                        .await?;
                }
                Verdict::Send => {
                    let condition: Option<StepCondition> = match &step.condition {
                        Some(c) => Some(serde_json::from_str(c).map_err(|_| EngineError::Corrupt)?),
                        None => None,
                    };
                    if let Some(c) = &condition {
                        if !self.condition_holds(e.clinic_id, &friend, c).await? {
                            let reason = SkipReason::ConditionFalse.as_str();
                            self.db
                                .finish_step_send(e.id, step.id, plan_at, "skipped", reason, due, now)
                                .await?;
                            continue;
                        }
                    }
                    match self.send_step(e, &friend, &step, appointment.as_ref(), plan_at, due).await {
                        Ok(()) => {}
                        Err(EngineError::LineSend(err)) if !err.is_transient() => {
                            self.db
                                .finish_step_send(e.id, step.id, plan_at, "failed", "line_refused", due, now)
                                .await?;
                        }
                        Err(err) => return Err(err),
                    }
                }
            }
        }
        Ok(match next {
            Some(at) => EnrolmentNext::At(at),
            None => EnrolmentNext::Finished,
        })
    }

    /// Sends one step to one friend under the retry key its record holds,
    /// then applies its actions, then records it done: a crash before the
    /// record resends under the same key (LINE delivers once) and applies
    /// the actions again (each is idempotent), so none is ever skipped.
    async fn send_step(
        &self,
        e: &EnrolmentRow,
        friend: &store::FriendRow,
        step: &StepRow,
        appointment: Option<&store::AppointmentRow>,
        plan_at: i64,
        due: i64,
    ) -> Result<(), EngineError> {
        let record = self
            .db
            .begin_step_send(e.id, step.id, plan_at, &uuid_v4(), due, self.now_ms())
            .await?;
        let bundle: Bundle = serde_json::from_str(&step.bundle).map_err(|_| EngineError::Corrupt)?;
        let actions: Vec<Action> = serde_json::from_str(&step.actions).map_err(|_| EngineError::Corrupt)?;
        if !bundle.bubbles.is_empty() {
            // The same link and token on every attempt: a resend under the
            // same key carries the same message.
            let links = self
                .track_links(e.clinic_id, model::link::LinkSource::SequenceStep, step.id, &bundle)
                .await?;
            let bundle = self.with_tracked_links(&bundle, &links, friend.id);
            self.push_step(e, friend, bundle, appointment, &record.retry_key).await?;
        }
        for action in &actions {
            self.apply_silent_action(e.clinic_id, friend.id, action, 1).await?;
        }
        self.db
            .finish_step_send(e.id, step.id, plan_at, "sent", "", due, self.now_ms())
            .await?;
        Ok(())
    }

    /// The step's message, with the friend's and the appointment's values,
    /// pushed under the step's retry key.
    async fn push_step(
        &self,
        e: &EnrolmentRow,
        friend: &store::FriendRow,
        bundle: Bundle,
        appointment: Option<&store::AppointmentRow>,
        retry_key: &str,
    ) -> Result<(), EngineError> {
        let department = match appointment {
            Some(a) => match self.department_of(a).await {
                Ok(d) => d.name,
                Err(EngineError::NotFound) => String::new(),
                Err(e) => return Err(e),
            },
            None => String::new(),
        };
        let link = self
            .booking_link_if_named(e.clinic_id, friend, bundle.mentions(model::message::BOOKING_URL))
            .await?;
        let bundle = bundle.with_values(&crate::appointments::message_values(
            &friend.display_name,
            link,
            appointment,
            &department,
        ));
        let messages = crate::line_messages::to_line_messages(&bundle, &self.public_url);
        let client = self.line_client(e.clinic_id).await?;
        self.push_counted(
            e.clinic_id,
            &client,
            &friend.line_user_id,
            &messages,
            retry_key,
            OnFailure::KeepForRetry,
        )
        .await?;
        Ok(())
    }

    async fn friend_has_tag(&self, clinic_id: i64, friend_id: i64, tag: &str) -> Result<bool, EngineError> {
        Ok(self.db.friend_tags(clinic_id, friend_id).await?.iter().any(|t| t.public_id == tag))
    }

    async fn friend_in_segment(&self, clinic_id: i64, friend: &store::FriendRow, segment: &str) -> Result<bool, EngineError> {
        let Some(row) = self.db.segment_by_public_id(clinic_id, segment).await? else {
            return Ok(false);
        };
        let rule: model::segment::Rule = serde_json::from_str(&row.rule).map_err(|_| EngineError::Corrupt)?;
        let names = self.check_rule(clinic_id, &rule).await?;
        let facts = self.friend_facts(clinic_id, friend, &names).await?;
        Ok(rule.matches(&facts, model::segment::Date::jst_of_ms(self.now_ms())))
    }

    async fn condition_holds(&self, clinic_id: i64, friend: &store::FriendRow, c: &StepCondition) -> Result<bool, EngineError> {
        Ok(match c {
            StepCondition::HasTag { tag } => self.friend_has_tag(clinic_id, friend.id, tag).await?,
            StepCondition::LacksTag { tag } => !self.friend_has_tag(clinic_id, friend.id, tag).await?,
            StepCondition::InSegment { segment } => self.friend_in_segment(clinic_id, friend, segment).await?,
            StepCondition::NotInSegment { segment } => !self.friend_in_segment(clinic_id, friend, segment).await?,
        })
    }

    /// What a friend will receive, from which sequence and when, over the
    /// next `days` days, as things stand: each step still ahead decided by
    /// the scheduler's own rule at the moment it would go (a step with a
    /// condition is marked, as the condition is checked then).
    pub async fn sequence_preview(&self, actor: &Actor, friend: &str, days: i64) -> Result<Vec<PreviewItem>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let f = self
            .db
            .friend_by_public_id(actor.clinic_id, friend)
            .await?
            .ok_or(EngineError::NotFound)?;
        let now = self.now_ms();
        let horizon = now + days * 86_400_000;
        let settings = self.db.delivery_settings(actor.clinic_id).await?;
        let quiet = settings.quiet();
        let mut out = Vec::new();
        for e in self.db.enrolments_of_friend(f.id).await? {
            if e.status != "active" {
                continue;
            }
            let Some(seq) = self.db.sequence_by_id(e.sequence_id).await? else {
                continue;
            };
            if seq.status == "paused" {
                continue;
            }
            let appointment = match e.appointment_id {
                Some(id) => self.db.appointment_by_id(id).await?,
                None => None,
            };
            let reached = self.db.step_sends(e.id).await?;
            for step in self.db.sequence_steps(seq.id).await? {
                let timing: StepTiming = serde_json::from_str(&step.timing).map_err(|_| EngineError::Corrupt)?;
                let purpose = Purpose::parse(&step.purpose).ok_or(EngineError::Corrupt)?;
                let plan_at = match (timing.anchor, &appointment) {
                    (Anchor::Appointment, Some(a)) => a.planned_at,
                    _ => 0,
                };
                if reached
                    .iter()
                    .any(|r| r.step_id == step.id && r.plan_at == plan_at && r.status != "pending")
                {
                    continue;
                }
                let (moment, _) = step_moment(&e, appointment.as_ref(), timing, purpose, quiet, now);
                // Decided as the scheduler will decide it when it comes.
                let at = match decide(timing, moment) {
                    Verdict::Wait(at) => match decide(timing, Moment { now: at, ..moment }) {
                        Verdict::Send => at,
                        _ => continue,
                    },
                    Verdict::Send => now,
                    Verdict::Skip(_) => continue,
                };
                if at > horizon {
                    continue;
                }
                let bundle: Bundle = serde_json::from_str(&step.bundle).map_err(|_| EngineError::Corrupt)?;
                out.push(PreviewItem {
                    sequence: seq.name.clone(),
                    step: timing.label(),
                    at,
                    text: bundle.readable_texts().first().map(|(_, t)| t.to_string()).unwrap_or_default(),
                    conditional: step.condition.is_some(),
                });
            }
        }
        out.sort_by_key(|p| p.at);
        Ok(out)
    }

    /// What each step of a sequence did: (step public ID, sent, skipped).
    pub async fn sequence_step_counts(&self, actor: &Actor, pid: &str) -> Result<Vec<StepCounts>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self.db.sequence(actor.clinic_id, pid).await?.ok_or(EngineError::NotFound)?;
        let counts = self.db.step_counts(row.id).await?;
        Ok(self
            .db
            .sequence_steps(row.id)
            .await?
            .into_iter()
            .map(|s| {
                let of = |status: &str| counts.iter().filter(|c| c.0 == s.id && c.1 == status).map(|c| c.2).sum();
                StepCounts {
                    step: s.public_id,
                    sent: of("sent"),
                    skipped: of("skipped"),
                    blocked_after: of("blocked_after"),
                }
            })
            .collect())
    }

    /// Each enrolment of a friend with what became of each step it reached.
    pub async fn friend_step_outcomes(
        &self,
        actor: &Actor,
        friend: &str,
    ) -> Result<Vec<(String, Vec<(String, StepOutcome)>)>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let f = self
            .db
            .friend_by_public_id(actor.clinic_id, friend)
            .await?
            .ok_or(EngineError::NotFound)?;
        let mut out = Vec::new();
        for e in self.db.enrolments_of_friend(f.id).await? {
            let Some(seq) = self.db.sequence_by_id(e.sequence_id).await? else {
                continue;
            };
            let steps = self.db.sequence_steps(seq.id).await?;
            let mut outcomes = Vec::new();
            for r in self.db.step_sends(e.id).await? {
                let Some(step) = steps.iter().find(|s| s.id == r.step_id) else {
                    continue;
                };
                let outcome = match r.status.as_str() {
                    "sent" => StepOutcome::Sent,
                    "skipped" => StepOutcome::Skipped(SkipReason::parse(&r.reason).unwrap_or(SkipReason::ConditionFalse)),
                    _ => continue,
                };
                outcomes.push((step.public_id.clone(), outcome));
            }
            out.push((seq.public_id, outcomes));
        }
        Ok(out)
    }
}

/// What the scheduler knows about one step of one enrolment at `now`, and
/// the step's moment: the scheduler and the preview both decide from it.
fn step_moment(
    e: &EnrolmentRow,
    appointment: Option<&store::AppointmentRow>,
    timing: StepTiming,
    purpose: Purpose,
    quiet: QuietHours,
    now: i64,
) -> (Moment, i64) {
    let (anchor_at, planned_at, state) = match (timing.anchor, appointment) {
        (Anchor::Appointment, Some(a)) => (a.starts_at, a.planned_at.max(e.enrolled_at), Some(a.status)),
        // An appointment that is gone counts as cancelled.
        (Anchor::Appointment, None) => (e.enrolled_at, e.enrolled_at, Some(AppointmentStatus::Cancelled)),
        (Anchor::Enrolment, _) => (e.enrolled_at, e.enrolled_at, None),
    };
    let moment = Moment {
        now,
        planned_at,
        anchor_at,
        appointment: state,
        lateness_ms: LATENESS_MS,
        quiet: (purpose == Purpose::Marketing).then_some(quiet),
    };
    (moment, timing.due(anchor_at))
}

/// Our own plain data as stored JSON; it has no map with non-string keys,
/// so serialising cannot fail.
fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

fn step_draft(s: &StepRow) -> Result<StepDraft, EngineError> {
    Ok(StepDraft {
        id: s.public_id.clone(),
        timing: serde_json::from_str(&s.timing).map_err(|_| EngineError::Corrupt)?,
        purpose: Purpose::parse(&s.purpose).ok_or(EngineError::Corrupt)?,
        condition: match &s.condition {
            Some(c) => Some(serde_json::from_str(c).map_err(|_| EngineError::Corrupt)?),
            None => None,
        },
        bundle: serde_json::from_str(&s.bundle).map_err(|_| EngineError::Corrupt)?,
        actions: serde_json::from_str(&s.actions).map_err(|_| EngineError::Corrupt)?,
    })
}
