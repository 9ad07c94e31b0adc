//! Automations (自動アクション): saving them (refused when invalid or when
//! they would trigger each other in a circle) and running them from the
//! queue of happenings, apart from webhook intake so a failing automation
//! never holds up LINE's events.
//!
//! Running is crash-safe: a happening stays queued until every matching
//! automation's run is finished; a run records how many of its actions are
//! done, so a resumed run goes on from there; a push carries a retry key
//! derived from the run (LINE answers a repeat with 409, which counts as
//! delivered); a reply token can be used once only, so a reply LINE refuses
//! on a resumed attempt was the one already delivered.

use crate::audit::Event;
use crate::crypto::{derived_uuid, public_id, uuid_v4};
use crate::quota::{single_send_source, OnFailure};
use crate::segments::{catalog, name_taken};
use crate::{Actor, Engine, EngineError};
use line::message::Message;
use line::LineError;
use model::automation::{find_loop, Action, Automation, Happening, Problem, CHAIN_DEPTH_MAX};
use model::Permission;
use serde_json::json;
use store::{AutomationRow, FriendRow, QueuedHappening, RunListRow, RunRow};

pub const AUTOMATION_NAME_MAX: usize = 40;
/// A worker holds a happening this long; after a crash another takes it over.
const LEASE_MS: i64 = 30_000;
/// A reply token is used only this soon after its event (LINE: about a minute).
pub const REPLY_TOKEN_FRESH_MS: i64 = 50_000;
/// LINE being unreachable is retried for this long, then the run fails.
const GIVE_UP_AFTER_MS: i64 = 15 * 60_000;

/// An automation as the pages show it.
#[derive(Clone, Debug)]
pub struct AutomationView {
    pub row: AutomationRow,
    pub automation: Automation,
}

/// What a run came to, unless it must be tried again later.
enum Outcome {
    Done,
    /// The condition did not hold for the friend.
    Skipped,
}

/// The marker a run carries while action `i` is being sent: found on a
/// resumed run, it says the send may already have happened.
fn sending_marker(i: usize) -> String {
    format!("sending:{i}")
}

impl Engine {
    /// The happening to queue, or `None` when no enabled automation or
    /// active step sequence of the clinic listens for its kind.
    pub(crate) async fn happening_if_listened(
        &self,
        clinic_id: i64,
        happened: &Happening,
        reply_token: Option<String>,
        event_at: i64,
        depth: i64,
    ) -> Result<Option<store::Happening>, EngineError> {
        if !self.db.listens_for(clinic_id, happened.kind()).await? {
            return Ok(None);
        }
        Ok(Some(self.happening_record(happened, reply_token, event_at, depth)?))
    }

    /// A happening as the automation queue stores it.
    pub(crate) fn happening_record(
        &self,
        happened: &Happening,
        reply_token: Option<String>,
        event_at: i64,
        depth: i64,
    ) -> Result<store::Happening, EngineError> {
        Ok(store::Happening {
            kind: happened.kind().to_string(),
            detail: serde_json::to_string(happened).map_err(|_| EngineError::Corrupt)?,
            reply_token,
            event_at,
            depth,
        })
    }

    pub async fn list_automations(&self, actor: &Actor) -> Result<Vec<AutomationView>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        self.automations_of(actor.clinic_id).await
    }

    pub(crate) async fn automations_of(&self, clinic_id: i64) -> Result<Vec<AutomationView>, EngineError> {
        self.db
            .automations(clinic_id)
            .await?
            .into_iter()
            .map(|row| {
                let automation = serde_json::from_str(&row.definition).map_err(|_| EngineError::Corrupt)?;
                Ok(AutomationView { row, automation })
            })
            .collect()
    }

    /// Every problem of the automation in its clinic, including a loop it
    /// would close with the clinic's other enabled automations.
    async fn automation_problems(
        &self,
        clinic_id: i64,
        existing: Option<&str>,
        a: &Automation,
    ) -> Result<Vec<model::automation::AutomationProblem>, EngineError> {
        let (tags, fields) = (self.db.tags(clinic_id).await?, self.db.fields(clinic_id).await?);
        let mut problems = a.validate(&catalog(&tags, &fields));
        for (i, problem) in self.stored_action_problems(clinic_id, &fields, &a.actions).await? {
            problems.push(model::automation::AutomationProblem {
                at: format!("actions.{i}"),
                problem,
            });
        }
        let others = self.automations_of(clinic_id).await?;
        const THIS: &str = "";
        let mut graph: Vec<(&str, &Automation)> = others
            .iter()
            .filter(|o| o.row.enabled == 1 && Some(o.row.public_id.as_str()) != existing)
            .map(|o| (o.row.public_id.as_str(), &o.automation))
            .collect();
        graph.push((THIS, a));
        if let Some(circle) = find_loop(&graph) {
            if circle.contains(&THIS) {
                let name_of = |k: &str| others.iter().find(|o| o.row.public_id == k).map(|o| o.row.name.clone());
                let names = circle.iter().map(|k| name_of(k).unwrap_or_default()).collect();
                problems.push(model::automation::AutomationProblem {
                    at: "actions".into(),
                    problem: Problem::Loop(names),
                });
            }
        }
        Ok(problems)
    }

    /// What only the store can tell about actions (an automation's or a
    /// sequence step's): a sequence that is not the clinic's, values that
    /// do not fit their field. By the action's place in the list.
    pub(crate) async fn stored_action_problems(
        &self,
        clinic_id: i64,
        fields: &[store::FieldRow],
        actions: &[Action],
    ) -> Result<Vec<(usize, Problem)>, EngineError> {
        let mut problems = Vec::new();
        for (i, action) in actions.iter().enumerate() {
            if let Action::StartSequence { sequence } | Action::StopSequence { sequence } = action {
                if self.db.sequence(clinic_id, sequence).await?.is_none() {
                    problems.push((i, Problem::UnknownSequence));
                }
            }
            if let Action::SetField { field, values } = action {
                if let Some(f) = fields.iter().find(|f| &f.public_id == field) {
                    if !crate::tags::values_fit(f, values) {
                        problems.push((i, Problem::UnknownField));
                    }
                }
            }
        }
        Ok(problems)
    }

    /// Applies one action that sends nothing (a tag, a field, starting or
    /// stopping a sequence) to a friend. Each is idempotent, so applying it
    /// again after a crash changes nothing. `depth`: how deep in a chain of
    /// automations this is (what it sets off runs one deeper).
    pub(crate) async fn apply_silent_action(&self, clinic_id: i64, friend_id: i64, action: &Action, depth: i64) -> Result<(), EngineError> {
        match action {
            Action::AddTag { tag } | Action::RemoveTag { tag } => {
                let tag = self.db.tag_by_public_id(clinic_id, tag).await?.ok_or(EngineError::NotFound)?;
                let attach = matches!(action, Action::AddTag { .. });
                self.apply_tag(clinic_id, &tag, &[friend_id], attach, depth, None).await?;
            }
            Action::SetField { field, values } => {
                self.apply_field_value(clinic_id, friend_id, field, values, depth).await?;
            }
            Action::StartSequence { sequence } => {
                let seq = self.db.sequence(clinic_id, sequence).await?.ok_or(EngineError::NotFound)?;
                self.db.enrol(clinic_id, seq.id, friend_id, self.now_ms()).await?;
                self.sequence_signal.notify_one();
            }
            Action::StopSequence { sequence } => {
                let seq = self.db.sequence(clinic_id, sequence).await?.ok_or(EngineError::NotFound)?;
                self.db
                    .stop_enrolments(friend_id, Some(seq.id), "automation", self.now_ms())
                    .await?;
            }
            Action::Reply { .. } | Action::Push { .. } => unreachable!("a message is not a silent action"),
        }
        Ok(())
    }

    /// Saves an automation (a new one when `existing` is `None`), enabled.
    pub async fn save_automation(&self, actor: &Actor, existing: Option<&str>, name: &str, a: &Automation) -> Result<String, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > AUTOMATION_NAME_MAX {
            return Err(EngineError::InvalidSegmentName);
        }
        let problems = self.automation_problems(actor.clinic_id, existing, a).await?;
        if !problems.is_empty() {
            return Err(EngineError::InvalidAutomation(problems));
        }
        let json = serde_json::to_string(a).map_err(|_| EngineError::Corrupt)?;
        let now = self.now_ms();
        let kind = a.trigger.kind();
        let pid = existing.map(str::to_string).unwrap_or_else(public_id);
        let audit = self.audit(Event::by(actor, "automation.saved", pid.clone(), name.to_string()));
        if existing.is_some() {
            if !name_taken(
                self.db
                    .update_automation(actor.clinic_id, &pid, name, &json, kind, now, &audit)
                    .await,
            )? {
                return Err(EngineError::NotFound);
            }
        } else {
            name_taken(
                self.db
                    .create_automation(actor.clinic_id, &pid, name, &json, kind, now, &audit)
                    .await,
            )?;
        }
        Ok(pid)
    }

    /// Turns an automation on or off; turning on is refused if it would now
    /// close a loop.
    pub async fn set_automation_enabled(&self, actor: &Actor, public_id: &str, enabled: bool) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let all = self.automations_of(actor.clinic_id).await?;
        let this = all.iter().find(|a| a.row.public_id == public_id).ok_or(EngineError::NotFound)?;
        if enabled {
            let problems = self.automation_problems(actor.clinic_id, Some(public_id), &this.automation).await?;
            if !problems.is_empty() {
                return Err(EngineError::InvalidAutomation(problems));
            }
        }
        let action = if enabled { "automation.enabled" } else { "automation.disabled" };
        let audit = self.audit(Event::by(actor, action, public_id.to_string(), this.row.name.clone()));
        self.db
            .set_automation_enabled(actor.clinic_id, public_id, enabled, self.now_ms(), &audit)
            .await?;
        Ok(())
    }

    /// The clinic's latest runs that did something or failed.
    pub async fn recent_automation_runs(&self, actor: &Actor, limit: i64) -> Result<Vec<RunListRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        Ok(self.db.recent_runs(actor.clinic_id, limit).await?)
    }

    /// Runs the automations of up to `limit` queued happenings; returns how
    /// many happenings were finished. Safe on several instances at once.
    pub async fn process_automations(&self, limit: i64) -> Result<usize, EngineError> {
        let mut finished = 0;
        for _ in 0..limit {
            let now = self.now_ms();
            let Some(q) = self.db.claim_happening(now, now + LEASE_MS).await? else {
                break;
            };
            if self.run_happening(&q).await? {
                self.db.finish_happening(q.id, self.now_ms()).await?;
                finished += 1;
            }
        }
        Ok(finished)
    }

    /// Runs every matching automation of one happening; false when some
    /// must be tried again later (LINE unreachable).
    async fn run_happening(&self, q: &QueuedHappening) -> Result<bool, EngineError> {
        let Ok(happened) = serde_json::from_str::<Happening>(&q.happened) else {
            tracing::warn!(queue_id = q.id, "a queued happening no longer parses; dropped");
            return Ok(true);
        };
        let Some(friend) = self.db.friends_by_ids(q.clinic_id, &[q.friend_id]).await?.pop() else {
            return Ok(true);
        };
        // The step sequences it starts (friend added, tag added): enrolled
        // once; a happening run again finds them already in.
        let started = self.sequences_started_by(q.clinic_id, |t| t.starts_on(&happened)).await?;
        for sequence_id in started {
            self.db.enrol(q.clinic_id, sequence_id, friend.id, self.now_ms()).await?;
            self.sequence_signal.notify_one();
        }
        let mut all_finished = true;
        for view in self.automations_of(q.clinic_id).await? {
            if view.row.enabled != 1 || !view.automation.trigger.fires_on(&happened) {
                continue;
            }
            let run = self
                .db
                .start_run(q.id, view.row.id, q.clinic_id, friend.id, &uuid_v4(), self.now_ms())
                .await?;
            if run.status != "running" {
                continue;
            }
            match self.run_automation(q, &view, &friend, &run).await {
                Ok(outcome) => {
                    let status = match outcome {
                        Outcome::Done => "done",
                        Outcome::Skipped => "skipped",
                    };
                    self.db.finish_run(run.id, status, "", self.now_ms()).await?;
                }
                Err(EngineError::LineSend(e)) if e.is_transient() && self.now_ms() - q.event_at < GIVE_UP_AFTER_MS => {
                    // Left running: the lease runs out and it is tried again.
                    tracing::info!(automation = %view.row.public_id, "LINE unreachable for an automation; retrying");
                    all_finished = false;
                }
                Err(e) => {
                    let reason = match &e {
                        EngineError::LineSend(line) => format!("line_{}", line.kind()),
                        other => other.code().to_string(),
                    };
                    tracing::warn!(automation = %view.row.public_id, reason, "an automation failed");
                    // Nothing retries a failed run: a push still reserved
                    // (given up unanswered) gives its message back; should
                    // LINE have taken it, reconciliation counts it.
                    for i in 0..view.automation.actions.len() {
                        let source = single_send_source(&derived_uuid(&run.retry_key, i));
                        self.db.settle_single_send(q.clinic_id, &source, false, self.now_ms()).await?;
                    }
                    self.db.finish_run(run.id, "failed", &reason, self.now_ms()).await?;
                }
            }
        }
        Ok(all_finished)
    }

    async fn run_automation(
        &self,
        q: &QueuedHappening,
        view: &AutomationView,
        friend: &FriendRow,
        run: &RunRow,
    ) -> Result<Outcome, EngineError> {
        if q.depth >= CHAIN_DEPTH_MAX {
            return Err(EngineError::AutomationChainTooDeep);
        }
        let a = &view.automation;
        if let Some(rule) = &a.condition {
            let names = self.check_rule(q.clinic_id, rule).await?;
            let facts = self.friend_facts(q.clinic_id, friend, &names).await?;
            if !rule.matches(&facts, model::segment::Date::jst_of_ms(self.now_ms())) {
                return Ok(Outcome::Skipped);
            }
        }
        let start = run.actions_done.max(0) as usize;
        for (i, action) in a.actions.iter().enumerate().skip(start) {
            let sent = match action {
                Action::Reply { text } => self.send_text(q, friend, run, i, text, true).await?,
                Action::Push { text } => self.send_text(q, friend, run, i, text, false).await?,
                silent => {
                    self.apply_silent_action(q.clinic_id, friend.id, silent, q.depth + 1).await?;
                    None
                }
            };
            let entry = sent
                .as_deref()
                .map(|detail| (q.clinic_id, friend.id, self.now_ms(), "message_out", detail));
            self.db.finish_run_action(run.id, i as i64 + 1, entry).await?;
        }
        self.db
            .add_friend_event(
                q.clinic_id,
                friend.id,
                self.now_ms(),
                "automation",
                &json!({"name": view.row.name, "automation": view.row.public_id}).to_string(),
            )
            .await?;
        Ok(Outcome::Done)
    }

    /// Sends one text: by reply while the event's token is fresh (free),
    /// otherwise by push with the action's retry key. Returns the timeline
    /// entry of what went out; a blocked friend gets nothing (LINE would
    /// not deliver it either).
    async fn send_text(
        &self,
        q: &QueuedHappening,
        friend: &FriendRow,
        run: &RunRow,
        i: usize,
        text: &str,
        prefer_reply: bool,
    ) -> Result<Option<String>, EngineError> {
        if friend.status == "blocked" {
            return Ok(None);
        }
        let client = self.line_client(q.clinic_id).await?;
        // The friend's own values; the timeline keeps the words as written
        // (never a signed link).
        let link = self
            .booking_link_if_named(q.clinic_id, friend, text.contains(model::message::BOOKING_URL))
            .await?;
        let mut personal = text.to_string();
        model::message::fill_values(
            &mut personal,
            &crate::appointments::message_values(&friend.display_name, link, None, ""),
        );
        let messages = [Message::text(&personal)];
        // Whether an earlier attempt of this very action may have gone out.
        let resumed = run.error == sending_marker(i);
        self.db.set_run_marker(run.id, &sending_marker(i)).await?;
        let token = q
            .reply_token
            .as_deref()
            .filter(|_| prefer_reply && self.now_ms() - q.event_at < REPLY_TOKEN_FRESH_MS);
        let mut via = "push";
        if let Some(token) = token {
            match client.reply(token, &messages).await {
                Ok(_) => via = "reply",
                // A token is single-use: refused on a resumed attempt, it
                // is the one that was delivered.
                Err(LineError::InvalidRequest { .. }) if resumed => via = "reply",
                // Expired or refused before anything was sent: push instead.
                Err(LineError::InvalidRequest { .. }) => via = "push",
                Err(e) => return Err(EngineError::LineSend(e)),
            }
        }
        if via == "push" {
            let key = derived_uuid(&run.retry_key, i);
            self.push_counted(q.clinic_id, &client, &friend.line_user_id, &messages, &key, OnFailure::KeepForRetry)
                .await?;
        }
        Ok(Some(json!({"type": "text", "text": text, "via": via}).to_string()))
    }
}
