//! Step sequences, their steps, enrolments and the record of each step a
//! friend reached (`step_sends`: sent once under its retry key, or skipped
//! with the reason).
//!
//! The scheduler's queue is the enrolments themselves: `next_due_at` says
//! when one should be looked at, and a lease says who is looking. A step's
//! row is written, with its retry key, before LINE is called; its unique
//! `(enrolment, step)` key is what makes a step go at most once.

use crate::lease::Claim;
use crate::{Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SequenceRow {
    pub id: i64,
    pub clinic_id: i64,
    pub public_id: String,
    pub name: String,
    /// `model::sequence::Trigger` JSON.
    pub starts_when: String,
    /// `model::sequence::Stop` JSON list.
    pub stops: String,
    /// active or paused
    pub status: String,
    pub updated_at: i64,
}

/// A sequence started by entering a segment, and how far it has read the
/// segment change log.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SegmentWatch {
    pub id: i64,
    pub clinic_id: i64,
    /// `model::sequence::Trigger` JSON.
    pub starts_when: String,
    pub segment_seq: Option<i64>,
}

const SEQUENCE_COLUMNS: &str = "id, clinic_id, public_id, name, starts_when, stops, status, updated_at";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StepRow {
    pub id: i64,
    pub sequence_id: i64,
    pub public_id: String,
    /// `model::sequence::StepTiming` JSON.
    pub timing: String,
    pub purpose: String,
    /// `model::sequence::StepCondition` JSON, when it has one.
    pub condition: Option<String>,
    /// `model::message::Bundle` JSON (no bubbles: a step of actions only).
    pub bundle: String,
    /// `model::automation::Action` JSON list, applied when it is reached.
    pub actions: String,
}

const STEP_COLUMNS: &str = "id, sequence_id, public_id, timing, purpose, condition, bundle, actions";

/// A step as the editor saves it: an existing `public_id` keeps the step
/// (and who already passed it); a new one is added.
pub struct StepWrite<'a> {
    pub public_id: &'a str,
    pub timing: &'a str,
    pub purpose: &'a str,
    pub condition: Option<&'a str>,
    pub bundle: &'a str,
    pub actions: &'a str,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EnrolmentRow {
    pub id: i64,
    pub clinic_id: i64,
    pub sequence_id: i64,
    pub friend_id: i64,
    pub appointment_id: Option<i64>,
    pub enrolled_at: i64,
    pub status: String,
    pub stop_reason: String,
    pub next_due_at: Option<i64>,
}

const ENROLMENT_COLUMNS: &str = "id, clinic_id, sequence_id, friend_id, appointment_id, enrolled_at, status, stop_reason, next_due_at";

/// One friend in a sequence, as its enrolment list shows them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EnrolmentListRow {
    pub friend_public_id: String,
    pub display_name: String,
    pub status: String,
    pub stop_reason: String,
    pub next_due_at: Option<i64>,
    pub enrolled_at: i64,
    /// The appointment it counts from, as it is now.
    pub appointment_status: Option<String>,
    pub steps_sent: i64,
}

/// Where the scheduler leaves an enrolment after looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnrolmentNext {
    /// Look again then (the next step's moment, or a retry).
    At(i64),
    /// Its sequence is paused: looked at again when it resumes.
    Parked,
    /// Every step was sent or skipped.
    Finished,
    /// Ended early (blocked, a stop condition, by hand).
    Stopped(&'static str),
}

/// A step a friend reached.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StepSendRow {
    pub id: i64,
    pub enrolment_id: i64,
    pub step_id: i64,
    /// The appointment's plan the step belonged to (0: not an appointment's).
    pub plan_at: i64,
    /// pending (being sent), sent, skipped, failed
    pub status: String,
    pub reason: String,
    pub retry_key: String,
    pub due_at: i64,
    pub at: i64,
}

const STEP_SEND_COLUMNS: &str = "id, enrolment_id, step_id, plan_at, status, reason, retry_key, due_at, at";

/// Enrols a friend, due at once, inside the caller's transaction (a
/// booking and its reminders are one commit). A friend already active in
/// the sequence for the same appointment is not enrolled twice.
pub(crate) async fn insert_enrolment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    sequence_id: i64,
    friend_id: i64,
    appointment_id: Option<i64>,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let (already,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM enrolments WHERE sequence_id = $1 AND friend_id = $2 AND status = 'active' \
         AND COALESCE(appointment_id, 0) = COALESCE($3, 0)",
    )
    .bind(sequence_id)
    .bind(friend_id)
    .bind(appointment_id)
    .fetch_one(&mut **tx)
    .await?;
    if already > 0 {
        return Ok(None);
    }
    insert_fresh_enrolment(tx, clinic_id, sequence_id, friend_id, appointment_id, now)
        .await
        .map(Some)
}

/// Enrols each of `friends` not already in the sequence; returns how many.
async fn insert_enrolments(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    sequence_id: i64,
    friends: &[i64],
    now: i64,
) -> Result<usize, StoreError> {
    let mut enrolled = 0;
    for friend_id in friends {
        if insert_enrolment(tx, clinic_id, sequence_id, *friend_id, None, now).await?.is_some() {
            enrolled += 1;
        }
    }
    Ok(enrolled)
}

async fn insert_segment_members(tx: &mut sqlx::Transaction<'_, sqlx::Any>, sequence_id: i64, friends: &[i64]) -> Result<(), StoreError> {
    if friends.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = friends.iter().map(|f| format!("({sequence_id}, {f})")).collect();
    sqlx::query(&format!(
        "INSERT INTO sequence_segment_members (sequence_id, friend_id) VALUES {} ON CONFLICT DO NOTHING",
        rows.join(", ")
    ))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Enrols a friend even when an enrolment for the same appointment runs
/// (a notice of each change to it).
pub(crate) async fn insert_fresh_enrolment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    sequence_id: i64,
    friend_id: i64,
    appointment_id: Option<i64>,
    now: i64,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO enrolments (clinic_id, sequence_id, friend_id, appointment_id, enrolled_at, next_due_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING id",
    )
    .bind(clinic_id)
    .bind(sequence_id)
    .bind(friend_id)
    .bind(appointment_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

impl Db {
    /// Creates or rewrites a sequence and its steps in one transaction.
    /// Steps missing from `steps` are marked removed, never deleted, so
    /// the record of who received them stays.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_sequence(
        &self,
        clinic_id: i64,
        public_id: &str,
        name: &str,
        starts_when: &str,
        listens_for: Option<&str>,
        stops: &str,
        steps: &[StepWrite<'_>],
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<i64, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM sequences WHERE clinic_id = $1 AND public_id = $2")
            .bind(clinic_id)
            .bind(public_id)
            .fetch_optional(&mut *tx)
            .await?;
        let id = match existing {
            Some((id,)) => {
                // A changed trigger starts its segment watch afresh (SET
                // reads the row as it was).
                sqlx::query(
                    "UPDATE sequences SET name = $1, starts_when = $2, stops = $3, updated_at = $4, listens_for = $5, \
                     segment_seq = CASE WHEN starts_when = $2 THEN segment_seq ELSE NULL END WHERE id = $6",
                )
                .bind(name)
                .bind(starts_when)
                .bind(stops)
                .bind(now)
                .bind(listens_for)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "DELETE FROM sequence_segment_members WHERE sequence_id = $1 \
                     AND (SELECT segment_seq FROM sequences WHERE id = $1) IS NULL",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO sequences (clinic_id, public_id, name, starts_when, stops, created_at, updated_at, listens_for) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id",
                )
                .bind(clinic_id)
                .bind(public_id)
                .bind(name)
                .bind(starts_when)
                .bind(stops)
                .bind(now)
                .bind(listens_for)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from_insert)?;
                id
            }
        };
        sqlx::query("UPDATE sequence_steps SET removed = 1, updated_at = $1 WHERE sequence_id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for s in steps {
            let updated = sqlx::query(
                "UPDATE sequence_steps SET timing = $1, purpose = $2, condition = $3, bundle = $4, actions = $8, removed = 0, updated_at = $5 \
                 WHERE sequence_id = $6 AND public_id = $7",
            )
            .bind(s.timing)
            .bind(s.purpose)
            .bind(s.condition)
            .bind(s.bundle)
            .bind(now)
            .bind(id)
            .bind(s.public_id)
            .bind(s.actions)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                sqlx::query(
                    "INSERT INTO sequence_steps (sequence_id, public_id, timing, purpose, condition, bundle, actions, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7)",
                )
                .bind(id)
                .bind(s.public_id)
                .bind(s.timing)
                .bind(s.purpose)
                .bind(s.condition)
                .bind(s.bundle)
                .bind(now)
                .bind(s.actions)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_insert)?;
            }
        }
        // Everyone enrolled is looked at again: a new or moved step may be
        // due sooner than what they were waiting for.
        sqlx::query("UPDATE enrolments SET next_due_at = $1, updated_at = $1 WHERE sequence_id = $2 AND status = 'active'")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The active sequences started by entering a segment, with how far
    /// each has read the segment change log (None: not yet looking).
    pub async fn segment_watches(&self) -> Result<Vec<SegmentWatch>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, clinic_id, starts_when, segment_seq FROM sequences \
             WHERE listens_for = 'segment_entered' AND status = 'active' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// A sequence begins watching its segment from change `head`, with
    /// `inside` remembered as already in it (not enrolled). False when
    /// another instance began first.
    pub async fn start_segment_watch(&self, sequence_id: i64, head: i64, inside: &[i64]) -> Result<bool, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let began = sqlx::query("UPDATE sequences SET segment_seq = $1 WHERE id = $2 AND segment_seq IS NULL")
            .bind(head)
            .bind(sequence_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if began == 0 {
            return Ok(false);
        }
        for chunk in inside.chunks(500) {
            insert_segment_members(&mut tx, sequence_id, chunk).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Which of `friends` the sequence remembers as inside its segment.
    pub async fn segment_watch_members(&self, sequence_id: i64, friends: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut inside = Vec::new();
        for chunk in friends.chunks(500) {
            let rows: Vec<(i64,)> = sqlx::query_as(&format!(
                "SELECT friend_id FROM sequence_segment_members WHERE sequence_id = $1 AND friend_id IN {}",
                crate::db::id_list(chunk)
            ))
            .bind(sequence_id)
            .fetch_all(&self.pool)
            .await?;
            inside.extend(rows.into_iter().map(|(f,)| f));
        }
        Ok(inside)
    }

    /// Moves a segment watch from change `from` to `to` in one transaction:
    /// those who `entered` are remembered and enrolled (unless an enrolment
    /// of theirs is running), those who `left` are forgotten. Nothing when
    /// another instance moved it first. Returns how many were enrolled.
    #[allow(clippy::too_many_arguments)]
    pub async fn advance_segment_watch(
        &self,
        clinic_id: i64,
        sequence_id: i64,
        from: i64,
        to: i64,
        entered: &[i64],
        left: &[i64],
        now: i64,
    ) -> Result<usize, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let moved = sqlx::query("UPDATE sequences SET segment_seq = $1 WHERE id = $2 AND segment_seq = $3")
            .bind(to)
            .bind(sequence_id)
            .bind(from)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved == 0 {
            return Ok(0);
        }
        for chunk in left.chunks(500) {
            sqlx::query(&format!(
                "DELETE FROM sequence_segment_members WHERE sequence_id = $1 AND friend_id IN {}",
                crate::db::id_list(chunk)
            ))
            .bind(sequence_id)
            .execute(&mut *tx)
            .await?;
        }
        let mut enrolled = 0;
        for chunk in entered.chunks(500) {
            insert_segment_members(&mut tx, sequence_id, chunk).await?;
            enrolled += insert_enrolments(&mut tx, clinic_id, sequence_id, chunk, now).await?;
        }
        tx.commit().await?;
        Ok(enrolled)
    }

    pub async fn sequences(&self, clinic_id: i64) -> Result<Vec<SequenceRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SEQUENCE_COLUMNS} FROM sequences WHERE clinic_id = $1 ORDER BY id"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn sequence(&self, clinic_id: i64, public_id: &str) -> Result<Option<SequenceRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SEQUENCE_COLUMNS} FROM sequences WHERE clinic_id = $1 AND public_id = $2"
        ))
        .bind(clinic_id)
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn sequence_by_id(&self, id: i64) -> Result<Option<SequenceRow>, StoreError> {
        Ok(sqlx::query_as(&format!("SELECT {SEQUENCE_COLUMNS} FROM sequences WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// A sequence's current steps (not the removed ones), oldest first.
    pub async fn sequence_steps(&self, sequence_id: i64) -> Result<Vec<StepRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {STEP_COLUMNS} FROM sequence_steps WHERE sequence_id = $1 AND removed = 0 ORDER BY id"
        ))
        .bind(sequence_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Pauses or resumes a sequence; resuming makes its enrolments due now.
    pub async fn set_sequence_status(&self, sequence_id: i64, status: &str, now: i64, audit: &crate::Audit<'_>) -> Result<(), StoreError> {
        self.exec_audited(
            vec![
                sqlx::query("UPDATE sequences SET status = $1, updated_at = $2 WHERE id = $3")
                    .bind(status)
                    .bind(now)
                    .bind(sequence_id),
                sqlx::query("UPDATE enrolments SET next_due_at = $1, updated_at = $1 WHERE sequence_id = $2 AND status = 'active'")
                    .bind(now)
                    .bind(sequence_id),
            ],
            audit,
        )
        .await?;
        Ok(())
    }

    /// Enrols a friend by hand (or by an automation); `None` when already in.
    pub async fn enrol(&self, clinic_id: i64, sequence_id: i64, friend_id: i64, now: i64) -> Result<Option<i64>, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let id = insert_enrolment(&mut tx, clinic_id, sequence_id, friend_id, None, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Enrols many friends (a segment) in one transaction per thousand;
    /// those already in it are passed by. Returns how many were enrolled.
    pub async fn enrol_many(&self, clinic_id: i64, sequence_id: i64, friend_ids: &[i64], now: i64) -> Result<usize, StoreError> {
        let mut enrolled = 0;
        for chunk in friend_ids.chunks(1000) {
            let _turn = self.writer_turn().await;
            let mut tx = self.begin().await?;
            enrolled += insert_enrolments(&mut tx, clinic_id, sequence_id, chunk, now).await?;
            tx.commit().await?;
        }
        Ok(enrolled)
    }

    /// The scheduler's one claim: up to `limit` active enrolments due by
    /// `now` and not held by another scheduler, leased until `lease_until`.
    pub async fn claim_due_enrolments(&self, now: i64, lease_until: i64, limit: i64) -> Result<Vec<EnrolmentRow>, StoreError> {
        let _turn = self.writer_turn().await;
        let sql = Claim {
            table: "enrolments",
            alias: "",
            due: "FROM enrolments WHERE status = 'active' AND next_due_at <= $2",
            order: "next_due_at",
            still: "status = 'active'",
            also_set: "",
            returning: ENROLMENT_COLUMNS,
        }
        .sql(self.dialect());
        Ok(sqlx::query_as(&sql)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Where the scheduler leaves an enrolment; releases the lease.
    pub async fn settle_enrolment(&self, id: i64, next: EnrolmentNext, now: i64) -> Result<(), StoreError> {
        let (status, stop_reason, next) = match next {
            EnrolmentNext::At(at) => ("active", "", Some(at)),
            EnrolmentNext::Parked => ("active", "", None),
            EnrolmentNext::Finished => ("finished", "", None),
            EnrolmentNext::Stopped(reason) => ("stopped", reason, None),
        };
        let _turn = self.writer_turn().await;
        self.exec(
            sqlx::query(
                "UPDATE enrolments SET status = $1, stop_reason = $2, next_due_at = $3, lease_until = NULL, updated_at = $4 \
                 WHERE id = $5 AND status = 'active'",
            )
            .bind(status)
            .bind(stop_reason)
            .bind(next)
            .bind(now)
            .bind(id),
        )
        .await?;
        Ok(())
    }

    /// Stops every active enrolment of a friend (blocked), or of a friend
    /// in one sequence (by hand).
    pub async fn stop_enrolments(&self, friend_id: i64, sequence_id: Option<i64>, reason: &str, now: i64) -> Result<u64, StoreError> {
        let _turn = self.writer_turn().await;
        Ok(self
            .exec(
                sqlx::query(
                    "UPDATE enrolments SET status = 'stopped', stop_reason = $1, next_due_at = NULL, updated_at = $2 \
                     WHERE friend_id = $3 AND status = 'active' AND ($4 = 0 OR sequence_id = $4)",
                )
                .bind(reason)
                .bind(now)
                .bind(friend_id)
                .bind(sequence_id.unwrap_or(0)),
            )
            .await?
            .rows_affected())
    }

    pub async fn enrolment(&self, id: i64) -> Result<Option<EnrolmentRow>, StoreError> {
        Ok(sqlx::query_as(&format!("SELECT {ENROLMENT_COLUMNS} FROM enrolments WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn enrolments_of_friend(&self, friend_id: i64) -> Result<Vec<EnrolmentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ENROLMENT_COLUMNS} FROM enrolments WHERE friend_id = $1 ORDER BY id"
        ))
        .bind(friend_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn enrolments_of_sequence(&self, sequence_id: i64) -> Result<Vec<EnrolmentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ENROLMENT_COLUMNS} FROM enrolments WHERE sequence_id = $1 ORDER BY id"
        ))
        .bind(sequence_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The earliest moment after `after` at which an active enrolment
    /// falls due (time travel stops there, so each step goes at its time).
    pub async fn next_enrolment_due(&self, after: i64) -> Result<Option<i64>, StoreError> {
        let (at,): (Option<i64>,) = sqlx::query_as("SELECT MIN(next_due_at) FROM enrolments WHERE status = 'active' AND next_due_at > $1")
            .bind(after)
            .fetch_one(&self.pool)
            .await?;
        Ok(at)
    }

    /// A sequence's enrolments: those still running first, by when they
    /// are next due; then the latest ended.
    pub async fn sequence_enrolments(&self, sequence_id: i64, limit: i64) -> Result<Vec<EnrolmentListRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT f.public_id AS friend_public_id, f.display_name, e.status, e.stop_reason, e.next_due_at, e.enrolled_at, \
             a.status AS appointment_status, \
             (SELECT COUNT(*) FROM step_sends s WHERE s.enrolment_id = e.id AND s.status = 'sent') AS steps_sent \
             FROM enrolments e JOIN friends f ON f.id = e.friend_id LEFT JOIN appointments a ON a.id = e.appointment_id \
             WHERE e.sequence_id = $1 \
             ORDER BY CASE WHEN e.status = 'active' THEN 0 ELSE 1 END, e.next_due_at, e.updated_at DESC, e.id DESC LIMIT $2",
        )
        .bind(sequence_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many friends are in a sequence now.
    pub async fn active_enrolments(&self, sequence_id: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM enrolments WHERE sequence_id = $1 AND status = 'active'")
            .bind(sequence_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Every step the enrolment reached (sent, skipped, being sent).
    pub async fn step_sends(&self, enrolment_id: i64) -> Result<Vec<StepSendRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {STEP_SEND_COLUMNS} FROM step_sends WHERE enrolment_id = $1 ORDER BY id"
        ))
        .bind(enrolment_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records that a step is being sent, with the retry key LINE will see
    /// on every attempt. A row already there (a crash after it was written)
    /// is returned as it is: the same key goes again, and LINE answers
    /// that it already accepted it.
    pub async fn begin_step_send(
        &self,
        enrolment_id: i64,
        step_id: i64,
        plan_at: i64,
        retry_key: &str,
        due_at: i64,
        now: i64,
    ) -> Result<StepSendRow, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO step_sends (enrolment_id, step_id, plan_at, status, retry_key, due_at, at) \
             VALUES ($1, $2, $3, 'pending', $4, $5, $6) ON CONFLICT (enrolment_id, step_id, plan_at) DO NOTHING",
        )
        .bind(enrolment_id)
        .bind(step_id)
        .bind(plan_at)
        .bind(retry_key)
        .bind(due_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query_as(&format!(
            "SELECT {STEP_SEND_COLUMNS} FROM step_sends WHERE enrolment_id = $1 AND step_id = $2 AND plan_at = $3"
        ))
        .bind(enrolment_id)
        .bind(step_id)
        .bind(plan_at)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Ends a step's record: sent, failed (refused by LINE), or skipped
    /// with the reason (a skip with no row yet is written as one).
    #[allow(clippy::too_many_arguments)]
    pub async fn finish_step_send(
        &self,
        enrolment_id: i64,
        step_id: i64,
        plan_at: i64,
        status: &str,
        reason: &str,
        due_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO step_sends (enrolment_id, step_id, plan_at, status, reason, retry_key, due_at, at) \
             VALUES ($1, $2, $3, $4, $5, '', $6, $7) ON CONFLICT (enrolment_id, step_id, plan_at) \
             DO UPDATE SET status = excluded.status, reason = excluded.reason, at = excluded.at WHERE step_sends.status = 'pending'",
        )
        .bind(enrolment_id)
        .bind(step_id)
        .bind(plan_at)
        .bind(status)
        .bind(reason)
        .bind(due_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Per step of a sequence: how many friends it was sent to and skipped for.
    pub async fn step_counts(&self, sequence_id: i64) -> Result<Vec<(i64, String, i64)>, StoreError> {
        // Besides each status: `blocked_after`, those sent the step who
        // blocked the account within 7 days of it.
        Ok(sqlx::query_as(
            "SELECT s.step_id, s.status, COUNT(*) FROM step_sends s JOIN sequence_steps t ON t.id = s.step_id \
             WHERE t.sequence_id = $1 GROUP BY s.step_id, s.status \
             UNION ALL \
             SELECT s.step_id, 'blocked_after', COUNT(*) FROM step_sends s JOIN sequence_steps t ON t.id = s.step_id \
             JOIN enrolments e ON e.id = s.enrolment_id JOIN friends f ON f.id = e.friend_id \
             WHERE t.sequence_id = $1 AND s.status = 'sent' AND f.status = 'blocked' \
             AND f.blocked_at >= s.at AND f.blocked_at < s.at + 604800000 GROUP BY s.step_id",
        )
        .bind(sequence_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
