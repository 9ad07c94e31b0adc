//! Appointments (予約) and the clinic's departments. A change to an
//! appointment and the re-examination of its reminders are one transaction:
//! the enrolments that count from it are made due at once, and the
//! scheduler works their steps out again from the appointment as it now is.

use crate::{Db, StoreError};
use model::appointment::{AppointmentStatus, ChangedBy};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DepartmentRow {
    pub id: i64,
    pub clinic_id: i64,
    pub public_id: String,
    pub name: String,
    pub slot_minutes: i64,
    pub capacity: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AppointmentRow {
    pub id: i64,
    pub clinic_id: i64,
    pub public_id: String,
    pub friend_id: i64,
    pub department_id: i64,
    pub starts_at: i64,
    #[sqlx(try_from = "String")]
    pub status: AppointmentStatus,
    #[sqlx(try_from = "String")]
    pub changed_by: ChangedBy,
    pub planned_at: i64,
    pub external_ref: Option<String>,
    pub created_at: i64,
}

const APPOINTMENT_COLUMNS: &str =
    "id, clinic_id, public_id, friend_id, department_id, starts_at, status, changed_by, planned_at, external_ref, created_at";

/// A booking as first stored.
pub struct NewAppointment<'a> {
    pub clinic_id: i64,
    pub public_id: &'a str,
    pub friend_id: i64,
    pub department_id: i64,
    pub starts_at: i64,
    pub changed_by: ChangedBy,
    pub external_ref: Option<&'a str>,
    /// The patient's booking link that made it: used up in the same commit.
    pub link_nonce: Option<&'a str>,
    pub now: i64,
}

/// A change decided by `model::appointment::next_status`, applied only if
/// the appointment is still as it was read (`from`).
pub struct AppointmentChange {
    pub id: i64,
    pub clinic_id: i64,
    pub department_id: i64,
    pub from: AppointmentStatus,
    pub to: AppointmentStatus,
    pub starts_at: i64,
    pub changed_by: ChangedBy,
    pub now: i64,
    /// For a move: the new slot's capacity and length; it must have room.
    pub slot: Option<(i64, i64)>,
    /// The patient's booking link that made it: used up in the same commit.
    pub link_nonce: Option<String>,
}

/// How a change ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    Done,
    /// Someone else changed the appointment first.
    ChangedMeanwhile,
    /// The slot it was to move to is full.
    SlotFull,
    /// The patient's link already made its one change.
    LinkUsed,
}

/// Uses up a booking link's nonce; false when it was used before.
async fn use_link(tx: &mut sqlx::Transaction<'_, sqlx::Any>, clinic_id: i64, nonce: Option<&str>, now: i64) -> Result<bool, StoreError> {
    let Some(nonce) = nonce else {
        return Ok(true);
    };
    let r = sqlx::query("INSERT INTO booking_link_uses (nonce, clinic_id, used_at) VALUES ($1, $2, $3) ON CONFLICT (nonce) DO NOTHING")
        .bind(nonce)
        .bind(clinic_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Appointments still to come in the slot starting at `starts_at`, other
/// than `except`. The department's row is locked first (PostgreSQL), so two
/// bookings of the last place cannot both see it free.
async fn slot_taken(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    department_id: i64,
    starts_at: i64,
    slot_ms: i64,
    except: Option<i64>,
) -> Result<i64, StoreError> {
    sqlx::query("UPDATE departments SET capacity = capacity WHERE id = $1")
        .bind(department_id)
        .execute(&mut **tx)
        .await?;
    let (taken,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM appointments WHERE department_id = $1 AND starts_at >= $2 AND starts_at < $3 \
         AND status IN ('booked', 'changed') AND id <> $4",
    )
    .bind(department_id)
    .bind(starts_at)
    .bind(starts_at + slot_ms)
    .bind(except.unwrap_or(0))
    .fetch_one(&mut **tx)
    .await?;
    Ok(taken)
}

impl Db {
    pub async fn insert_department(
        &self,
        clinic_id: i64,
        public_id: &str,
        name: &str,
        slot_minutes: i64,
        capacity: i64,
        now: i64,
    ) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO departments (clinic_id, public_id, name, slot_minutes, capacity, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(clinic_id)
        .bind(public_id)
        .bind(name)
        .bind(slot_minutes)
        .bind(capacity)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::from_insert)?;
        Ok(id)
    }

    pub async fn departments(&self, clinic_id: i64) -> Result<Vec<DepartmentRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, clinic_id, public_id, name, slot_minutes, capacity FROM departments WHERE clinic_id = $1 ORDER BY id",
        )
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Stores a booking and enrols the friend in `sequences` (those its
    /// booking starts) in the same transaction, each due at once.
    /// Refused (`None`) when the slot already holds `capacity` patients.
    pub async fn book_appointment(
        &self,
        new: &NewAppointment<'_>,
        capacity: i64,
        slot_ms: i64,
        sequences: &[i64],
    ) -> Result<Result<i64, ChangeOutcome>, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        if !use_link(&mut tx, new.clinic_id, new.link_nonce, new.now).await? {
            tx.rollback().await?;
            return Ok(Err(ChangeOutcome::LinkUsed));
        }
        // The count and the insert in one transaction: on SQLite the
        // writer turn serialises them; on PostgreSQL the department row's
        // lock does.
        if slot_taken(&mut tx, new.department_id, new.starts_at, slot_ms, None).await? >= capacity {
            tx.rollback().await?;
            return Ok(Err(ChangeOutcome::SlotFull));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO appointments (clinic_id, public_id, friend_id, department_id, starts_at, status, changed_by, planned_at, \
             external_ref, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'booked', $6, $7, $8, $7, $7) RETURNING id",
        )
        .bind(new.clinic_id)
        .bind(new.public_id)
        .bind(new.friend_id)
        .bind(new.department_id)
        .bind(new.starts_at)
        .bind(new.changed_by.as_str())
        .bind(new.now)
        .bind(new.external_ref)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from_insert)?;
        for sequence_id in sequences {
            crate::sequences::insert_enrolment(&mut tx, new.clinic_id, *sequence_id, new.friend_id, Some(id), new.now).await?;
        }
        tx.commit().await?;
        Ok(Ok(id))
    }

    pub async fn appointment(&self, clinic_id: i64, public_id: &str) -> Result<Option<AppointmentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE clinic_id = $1 AND public_id = $2"
        ))
        .bind(clinic_id)
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn appointment_by_id(&self, id: i64) -> Result<Option<AppointmentRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The clinic's appointments from `from` (inclusive) to `to`, by time.
    pub async fn appointments_between(&self, clinic_id: i64, from: i64, to: i64) -> Result<Vec<AppointmentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE clinic_id = $1 AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, id"
        ))
        .bind(clinic_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Applies a change and, in the same transaction, makes every enrolment
    /// counting from this appointment (active, or finished with its old
    /// plan) due now (the scheduler
    /// works its steps out again from the new state), and enrols the friend
    /// in `sequences` (those a visit or a no-show starts).
    pub async fn change_appointment(&self, c: &AppointmentChange, sequences: &[(i64, i64, i64)]) -> Result<ChangeOutcome, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        if !use_link(&mut tx, c.clinic_id, c.link_nonce.as_deref(), c.now).await? {
            tx.rollback().await?;
            return Ok(ChangeOutcome::LinkUsed);
        }
        if let Some((capacity, slot_ms)) = c.slot {
            if slot_taken(&mut tx, c.department_id, c.starts_at, slot_ms, Some(c.id)).await? >= capacity {
                tx.rollback().await?;
                return Ok(ChangeOutcome::SlotFull);
            }
        }
        // A move sets a new plan: reminders already past for the new time
        // are skipped, not caught up. Other changes keep the plan's start.
        let moved = c.to == AppointmentStatus::Changed;
        let changed = sqlx::query(
            "UPDATE appointments SET status = $1, starts_at = $2, changed_by = $3, updated_at = $4, \
             planned_at = CASE WHEN $5 = 1 THEN $4 ELSE planned_at END WHERE id = $6 AND status = $7",
        )
        .bind(c.to.as_str())
        .bind(c.starts_at)
        .bind(c.changed_by.as_str())
        .bind(c.now)
        .bind(crate::db::flag(moved))
        .bind(c.id)
        .bind(c.from.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !changed {
            tx.rollback().await?;
            return Ok(ChangeOutcome::ChangedMeanwhile);
        }
        // Finished ones too: a moved appointment has new reminders to send.
        sqlx::query(
            "UPDATE enrolments SET status = 'active', next_due_at = $1, updated_at = $1 \
             WHERE appointment_id = $2 AND status IN ('active', 'finished')",
        )
        .bind(c.now)
        .bind(c.id)
        .execute(&mut *tx)
        .await?;
        // A new enrolment each time: a second move gets its own notice.
        for (clinic_id, sequence_id, friend_id) in sequences {
            crate::sequences::insert_fresh_enrolment(&mut tx, *clinic_id, *sequence_id, *friend_id, Some(c.id), c.now).await?;
        }
        tx.commit().await?;
        Ok(ChangeOutcome::Done)
    }

    /// A friend's appointments, latest first.
    /// The appointment a booking system's CSV numbered so.
    pub async fn appointment_by_external_ref(&self, clinic_id: i64, external_ref: &str) -> Result<Option<AppointmentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE clinic_id = $1 AND external_ref = $2"
        ))
        .bind(clinic_id)
        .bind(external_ref)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Whether a booking link already made its change.
    pub async fn booking_link_used(&self, nonce: &str) -> Result<bool, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM booking_link_uses WHERE nonce = $1")
            .bind(nonce)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    pub async fn appointments_of_friend(&self, friend_id: i64) -> Result<Vec<AppointmentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE friend_id = $1 ORDER BY starts_at DESC, id DESC"
        ))
        .bind(friend_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Whether the friend has had a visit before this appointment.
    pub async fn visited_before(&self, friend_id: i64, appointment_id: i64) -> Result<bool, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM appointments WHERE friend_id = $1 AND id <> $2 AND status = 'visited'")
            .bind(friend_id)
            .bind(appointment_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }
}
