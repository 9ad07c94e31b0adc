//! Time travel in sandbox clinics (SPEC §6): moves this instance's clinic
//! time and the sandbox's clock forward together, so a demo or a test
//! watches weeks of steps in seconds.
//!
//! The clock is the whole instance's, so travel is refused while any clinic
//! of this installation talks to real LINE. It stops at every moment an
//! enrolment falls due and runs the scheduler there: each step goes at its
//! own time, as it would have, instead of all at the end as "too late".
//! Sign-in sessions and codes keep real time (`Engine::wall_ms`).

use crate::channel::MODE_SANDBOX;
use crate::demo::phone::SandboxTarget;
use crate::{Actor, Engine, EngineError};
use model::Permission;
use serde_json::json;
use std::sync::atomic::Ordering;

/// The longest single jump.
pub const TRAVEL_MAX_MS: i64 = 366 * 86_400_000;
/// Stops on the way at most (each runs the scheduler once or more).
const TRAVEL_MAX_STOPS: usize = 5_000;

/// Where the clinic's time stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeTravelState {
    /// Whether this installation may travel (every clinic in the sandbox).
    pub allowed: bool,
    pub now_ms: i64,
    /// How far it has been moved ahead of real time.
    pub travelled_ms: i64,
}

impl Engine {
    pub async fn time_travel_state(&self, actor: &Actor) -> Result<TimeTravelState, EngineError> {
        actor.require(Permission::HandlePatients)?;
        Ok(TimeTravelState {
            allowed: self.time_travel_allowed().await?,
            now_ms: self.now_ms(),
            travelled_ms: self.travelled_ms.load(Ordering::Relaxed),
        })
    }

    /// Only when the sandbox runs and no clinic here is on a real channel.
    async fn time_travel_allowed(&self) -> Result<bool, EngineError> {
        if self.line_endpoints.sandbox_base.is_none() {
            return Ok(false);
        }
        Ok(self.db.all_channels().await?.iter().all(|c| c.mode == MODE_SANDBOX))
    }

    /// Moves time forward by `by_ms`, sending every step that falls due on
    /// the way at its own moment. Returns how many enrolments the scheduler
    /// looked at.
    pub async fn travel_in_time(&self, actor: &Actor, by_ms: i64) -> Result<usize, EngineError> {
        actor.require(Permission::HandlePatients)?;
        if !(1..=TRAVEL_MAX_MS).contains(&by_ms) || !self.time_travel_allowed().await? {
            return Err(EngineError::TimeTravelRefused);
        }
        let sandbox = self.sandbox_target(actor).await?;
        let target = self.now_ms() + by_ms;
        let mut looked_at = self.run_due_now().await?;
        for _ in 0..TRAVEL_MAX_STOPS {
            let now = self.now_ms();
            let stop = match self.db.next_enrolment_due(now).await? {
                Some(at) if at < target => at,
                _ => target,
            };
            self.move_clock(&sandbox, stop - now).await?;
            looked_at += self.run_due_now().await?;
            if stop >= target {
                break;
            }
        }
        // Staff posts' reminders that fell due on the way.
        self.staff_post_signal.notify_one();
        tracing::info!(
            clinic = actor.clinic_id,
            travelled_ms = self.travelled_ms.load(Ordering::Relaxed),
            "time travel"
        );
        Ok(looked_at)
    }

    /// Moves time to the next moment a step of any enrolment falls due (a
    /// demo watching one patient's reminders one by one). False when none
    /// is coming.
    pub async fn travel_to_next_step(&self, actor: &Actor) -> Result<bool, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let now = self.now_ms();
        match self.db.next_enrolment_due(now).await? {
            Some(at) => {
                self.travel_in_time(actor, at - now).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The sandbox's clock first: a step sent at the new time must land on
    /// the sandbox's matching day and quota month.
    async fn move_clock(&self, sandbox: &SandboxTarget, by_ms: i64) -> Result<(), EngineError> {
        if by_ms <= 0 {
            return Ok(());
        }
        self.sandbox_call(
            sandbox
                .request(&self.http, reqwest::Method::POST, &["clock", "advance"])
                .json(&json!({ "ms": by_ms })),
        )
        .await?;
        self.travelled_ms.fetch_add(by_ms, Ordering::Relaxed);
        Ok(())
    }

    /// The scheduler until nothing more is due now.
    async fn run_due_now(&self) -> Result<usize, EngineError> {
        let mut total = 0;
        loop {
            let n = self.run_sequences_once().await?;
            total += n;
            if n == 0 {
                return Ok(total);
            }
        }
    }
}
