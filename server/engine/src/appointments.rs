//! Appointments (予約): departments and their slots, booking, and every
//! change through `model::appointment::next_status`. A booking enrols the
//! friend in the sequences it starts, and a change re-examines the
//! reminders counting from it, in the same transaction.

use crate::audit::Event;
use crate::crypto::public_id;
use crate::{Actor, Engine, EngineError};
use model::appointment::{jst_day_label, jst_time_label, next_status, AppointmentAct, AppointmentStatus, ChangedBy};
use model::message::{APPOINTMENT_DAY, APPOINTMENT_TIME, BOOKING_URL, DEPARTMENT, DISPLAY_NAME};
use model::sequence::{NoticeOn, Trigger};
use model::Permission;
use store::{AppointmentChange, AppointmentRow, ChangeOutcome, DepartmentRow, NewAppointment};

pub const DEPARTMENT_NAME_MAX: usize = 20;

/// An appointment with who and where, as the calendar shows it.
#[derive(Clone, Debug)]
pub struct AppointmentView {
    pub row: AppointmentRow,
    pub friend_public_id: String,
    pub friend_name: String,
    pub department: String,
    pub department_public_id: String,
}

/// The values a step's message may name, for one friend and appointment.
pub(crate) fn message_values(
    display_name: &str,
    booking_url: String,
    appointment: Option<&AppointmentRow>,
    department: &str,
) -> Vec<(&'static str, String)> {
    let mut values = vec![(DISPLAY_NAME, display_name.to_string()), (BOOKING_URL, booking_url)];
    if let Some(a) = appointment {
        values.push((APPOINTMENT_DAY, jst_day_label(a.starts_at)));
        values.push((APPOINTMENT_TIME, jst_time_label(a.starts_at)));
        values.push((DEPARTMENT, department.to_string()));
    }
    values
}

/// Who makes a booking or change, and what it carries.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'a> {
    Staff,
    /// A row of the booking system's CSV, by its own number.
    Import {
        external_ref: &'a str,
    },
    /// The patient on the booking page, with the nonce of the link used
    /// (used up in the same commit).
    Patient {
        link_nonce: &'a str,
    },
}

impl<'a> Origin<'a> {
    fn changed_by(self) -> ChangedBy {
        match self {
            Origin::Staff => ChangedBy::Staff,
            Origin::Import { .. } => ChangedBy::Import,
            Origin::Patient { .. } => ChangedBy::Patient,
        }
    }

    fn link_nonce(self) -> Option<&'a str> {
        match self {
            Origin::Patient { link_nonce } => Some(link_nonce),
            _ => None,
        }
    }
}

/// An appointment with its friend and department (`None`: the department
/// is not this clinic's).
pub(crate) fn view_of(row: AppointmentRow, f: &store::FriendRow, departments: &[DepartmentRow]) -> Option<AppointmentView> {
    let d = departments.iter().find(|d| d.id == row.department_id)?;
    Some(AppointmentView {
        friend_public_id: f.public_id.clone(),
        friend_name: f.display_name.clone(),
        department: d.name.clone(),
        department_public_id: d.public_id.clone(),
        row,
    })
}

impl Engine {
    pub async fn create_department(&self, actor: &Actor, name: &str, slot_minutes: i64, capacity: i64) -> Result<String, EngineError> {
        actor.require(Permission::ManageClinic)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > DEPARTMENT_NAME_MAX {
            return Err(EngineError::NameRequired);
        }
        if !(5..=240).contains(&slot_minutes) || !(1..=100).contains(&capacity) {
            return Err(EngineError::InvalidSlot);
        }
        let pid = public_id();
        self.db
            .insert_department(actor.clinic_id, &pid, name, slot_minutes, capacity, self.now_ms())
            .await
            .map_err(|e| match e {
                store::StoreError::Conflict => EngineError::TagNameTaken,
                e => e.into(),
            })?;
        Ok(pid)
    }

    pub async fn list_departments(&self, actor: &Actor) -> Result<Vec<DepartmentRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        Ok(self.db.departments(actor.clinic_id).await?)
    }

    /// Staff book an appointment for a friend at `starts_at`.
    pub async fn book_appointment(&self, actor: &Actor, friend: &str, department: &str, starts_at: i64) -> Result<String, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let f = self
            .db
            .friend_by_public_id(actor.clinic_id, friend)
            .await?
            .ok_or(EngineError::NotFound)?;
        let d = self.department(actor.clinic_id, department).await?;
        if starts_at <= self.now_ms() {
            return Err(EngineError::ScheduleInPast);
        }
        let pid = self.book(actor.clinic_id, f.id, &d, starts_at, Origin::Staff).await?;
        self.record(Event::by(actor, "appointment.booked", pid.clone(), jst_day_label(starts_at)))
            .await?;
        Ok(pid)
    }

    /// Stores a booking, enrolling the friend in the sequences a booking
    /// in this department starts, in one transaction.
    pub(crate) async fn book(
        &self,
        clinic_id: i64,
        friend_id: i64,
        d: &DepartmentRow,
        starts_at: i64,
        origin: Origin<'_>,
    ) -> Result<String, EngineError> {
        let sequences = self
            .sequences_started_by(clinic_id, |t| match t {
                Trigger::AppointmentBooked { department } => department.as_ref().is_none_or(|p| *p == d.public_id),
                other => other.notices(NoticeOn::Booked, origin.changed_by()),
            })
            .await?;
        let pid = public_id();
        let new = NewAppointment {
            clinic_id,
            public_id: &pid,
            friend_id,
            department_id: d.id,
            starts_at,
            changed_by: origin.changed_by(),
            external_ref: match origin {
                Origin::Import { external_ref } => Some(external_ref),
                _ => None,
            },
            link_nonce: origin.link_nonce(),
            now: self.now_ms(),
        };
        match self
            .db
            .book_appointment(&new, d.capacity, d.slot_minutes * 60_000, &sequences)
            .await?
        {
            Ok(_) => {}
            Err(ChangeOutcome::LinkUsed) => return Err(EngineError::BookingLinkUsed),
            Err(_) => return Err(EngineError::SlotFull),
        }
        self.sequence_signal.notify_one();
        Ok(pid)
    }

    /// Staff change an appointment: move, cancel, record a visit or a no-show.
    pub async fn act_on_appointment(&self, actor: &Actor, pid: &str, act: AppointmentAct) -> Result<(), EngineError> {
        actor.require(Permission::HandlePatients)?;
        let a = self.db.appointment(actor.clinic_id, pid).await?.ok_or(EngineError::NotFound)?;
        self.change(&a, act, Origin::Staff).await?;
        self.record(Event::by(actor, "appointment.changed", pid.to_string(), act.name().to_string()))
            .await
    }

    /// Applies a change decided by the one state machine. A visit or a
    /// no-show starts the sequences waiting for it, in the same commit.
    pub(crate) async fn change(&self, a: &AppointmentRow, act: AppointmentAct, origin: Origin<'_>) -> Result<(), EngineError> {
        let now = self.now_ms();
        let by = origin.changed_by();
        let to = next_status(a.status, act, a.starts_at, now, by).map_err(EngineError::Appointment)?;
        let starts_at = match act {
            AppointmentAct::Move { to } => to,
            _ => a.starts_at,
        };
        let started: Vec<i64> = match to {
            AppointmentStatus::Visited => {
                let first = !self.db.visited_before(a.friend_id, a.id).await?;
                self.sequences_started_by(
                    a.clinic_id,
                    |t| matches!(t, Trigger::VisitRecorded { first_only } if first || !first_only),
                )
                .await?
            }
            AppointmentStatus::NoShow => self.sequences_started_by(a.clinic_id, |t| matches!(t, Trigger::NoShow)).await?,
            AppointmentStatus::Changed => self.sequences_started_by(a.clinic_id, |t| t.notices(NoticeOn::Moved, by)).await?,
            AppointmentStatus::Cancelled => {
                self.sequences_started_by(a.clinic_id, |t| t.notices(NoticeOn::Cancelled, by))
                    .await?
            }
            _ => vec![],
        };
        let slot = match act {
            AppointmentAct::Move { .. } => {
                let d = self.department_of(a).await?;
                Some((d.capacity, d.slot_minutes * 60_000))
            }
            _ => None,
        };
        let change = AppointmentChange {
            id: a.id,
            clinic_id: a.clinic_id,
            link_nonce: origin.link_nonce().map(str::to_string),
            department_id: a.department_id,
            from: a.status,
            to,
            starts_at,
            changed_by: by,
            now,
            slot,
        };
        let enrolments: Vec<(i64, i64, i64)> = started.into_iter().map(|s| (a.clinic_id, s, a.friend_id)).collect();
        match self.db.change_appointment(&change, &enrolments).await? {
            ChangeOutcome::Done => {}
            ChangeOutcome::ChangedMeanwhile => return Err(EngineError::AppointmentChangedMeanwhile),
            ChangeOutcome::SlotFull => return Err(EngineError::SlotFull),
            ChangeOutcome::LinkUsed => return Err(EngineError::BookingLinkUsed),
        }
        self.sequence_signal.notify_one();
        Ok(())
    }

    /// The clinic's appointments in `[from, to)`, by time.
    pub async fn appointments_between(&self, actor: &Actor, from: i64, to: i64) -> Result<Vec<AppointmentRow>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        Ok(self.db.appointments_between(actor.clinic_id, from, to).await?)
    }

    /// The appointments in `[from, to)` with who and where, for the
    /// calendar.
    pub async fn appointment_list(&self, actor: &Actor, from: i64, to: i64) -> Result<Vec<AppointmentView>, EngineError> {
        let rows = self.appointments_between(actor, from, to).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.friend_id).collect();
        let friends = self.db.friends_by_ids(actor.clinic_id, &ids).await?;
        let departments = self.db.departments(actor.clinic_id).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let f = friends.iter().find(|f| f.id == row.friend_id)?;
                view_of(row, f, &departments)
            })
            .collect())
    }

    /// A friend's appointments, latest first.
    pub async fn friend_appointments(&self, actor: &Actor, friend: &str) -> Result<Vec<AppointmentView>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let f = self
            .db
            .friend_by_public_id(actor.clinic_id, friend)
            .await?
            .ok_or(EngineError::NotFound)?;
        let departments = self.db.departments(actor.clinic_id).await?;
        Ok(self
            .db
            .appointments_of_friend(f.id)
            .await?
            .into_iter()
            .filter_map(|row| view_of(row, &f, &departments))
            .collect())
    }

    pub async fn appointment_view(&self, actor: &Actor, pid: &str) -> Result<AppointmentRow, EngineError> {
        actor.require(Permission::ViewClinic)?;
        self.db.appointment(actor.clinic_id, pid).await?.ok_or(EngineError::NotFound)
    }

    pub(crate) async fn department(&self, clinic_id: i64, pid: &str) -> Result<DepartmentRow, EngineError> {
        self.db
            .departments(clinic_id)
            .await?
            .into_iter()
            .find(|d| d.public_id == pid)
            .ok_or(EngineError::NotFound)
    }

    /// The department an appointment is in.
    pub(crate) async fn department_of(&self, a: &AppointmentRow) -> Result<DepartmentRow, EngineError> {
        self.db
            .departments(a.clinic_id)
            .await?
            .into_iter()
            .find(|d| d.id == a.department_id)
            .ok_or(EngineError::NotFound)
    }
}
