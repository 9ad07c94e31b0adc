//! 予約: a day of the clinic's appointments by department, booking from a
//! friend's page, and each change (move, cancel, visit, no-show) through
//! the one state machine. Each server function checks the session and
//! role, calls one engine function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::appointment::{AppointmentAct, AppointmentStatus};
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppointmentItem {
    pub id: String,
    pub friend_id: String,
    pub friend_name: String,
    pub department: String,
    pub department_id: String,
    /// 「12月20日(日)」 and 「9:30」, Japan time.
    pub day: String,
    pub time: String,
    /// As a `datetime-local` value, for moving it.
    pub local: String,
    pub status: AppointmentStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayDto {
    /// The day shown, `YYYY-MM-DD`, and the days before and after it.
    pub date: String,
    pub previous: String,
    pub next: String,
    pub title: String,
    /// (public ID, name, minutes per slot, patients per slot)
    pub departments: Vec<(String, String, i64, i64)>,
    pub items: Vec<AppointmentItem>,
    pub can_handle: bool,
}

#[cfg(feature = "ssr")]
fn item(v: engine::appointments::AppointmentView) -> AppointmentItem {
    AppointmentItem {
        id: v.row.public_id,
        friend_id: v.friend_public_id,
        friend_name: v.friend_name,
        department: v.department,
        department_id: v.department_public_id,
        day: model::appointment::jst_day_label(v.row.starts_at),
        time: model::appointment::jst_time_label(v.row.starts_at),
        local: model::broadcast::jst_local(v.row.starts_at),
        status: v.row.status,
    }
}

/// The clinic's departments: (public ID, name, minutes per slot, patients
/// per slot).
#[cfg(feature = "ssr")]
async fn departments_with_slots(engine: &engine::Engine, actor: &engine::Actor) -> Result<Vec<(String, String, i64, i64)>, AppError> {
    Ok(engine
        .list_departments(actor)
        .await?
        .into_iter()
        .map(|d| (d.public_id, d.name, d.slot_minutes, d.capacity))
        .collect())
}

/// The appointments of one Japan-time day (`YYYY-MM-DD`; empty: today).
#[server(endpoint = "appointments_day")]
pub async fn appointments_day(date: String) -> Result<DayDto, AppError> {
    use model::segment::Date;
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let day = Date::parse(date.trim()).unwrap_or_else(|| Date::jst_of_ms(engine.now_ms()));
    let start = day.days_from_epoch() * 86_400_000 - 9 * 3_600_000;
    let items = engine
        .appointment_list(&actor, start, start + 86_400_000)
        .await?
        .into_iter()
        .map(item)
        .collect();
    let iso = |d: Date| format!("{:04}-{:02}-{:02}", d.y, d.m, d.d);
    let departments = departments_with_slots(&engine, &actor).await?;
    Ok(DayDto {
        date: iso(day),
        previous: iso(Date::from_days(day.days_from_epoch() - 1)),
        next: iso(Date::from_days(day.days_from_epoch() + 1)),
        title: model::appointment::jst_day_label(start + 12 * 3_600_000),
        departments,
        items,
        can_handle: actor.role.can(Permission::HandlePatients),
    })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekDto {
    /// Monday of the week shown, and of the weeks before and after.
    pub start: String,
    pub previous: String,
    pub next: String,
    /// (`YYYY-MM-DD`, 「12月14日(月)」) for Monday to Sunday.
    pub days: Vec<(String, String)>,
    /// (public ID, name, minutes per slot, patients per slot)
    pub departments: Vec<(String, String, i64, i64)>,
    pub items: Vec<AppointmentItem>,
}

/// The Japan-time week (Monday to Sunday) around `date` (empty: this week).
#[server(endpoint = "appointments_week")]
pub async fn appointments_week(date: String) -> Result<WeekDto, AppError> {
    use model::segment::Date;
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let day = Date::parse(date.trim()).unwrap_or_else(|| Date::jst_of_ms(engine.now_ms()));
    // 1970-01-01 was a Thursday: three days after a Monday.
    let days = day.days_from_epoch();
    let monday = days - (days + 3).rem_euclid(7);
    let start = monday * 86_400_000 - 9 * 3_600_000;
    let iso = |d: Date| format!("{:04}-{:02}-{:02}", d.y, d.m, d.d);
    let items = engine
        .appointment_list(&actor, start, start + 7 * 86_400_000)
        .await?
        .into_iter()
        .map(item)
        .collect();
    let departments = departments_with_slots(&engine, &actor).await?;
    Ok(WeekDto {
        start: iso(Date::from_days(monday)),
        previous: iso(Date::from_days(monday - 7)),
        next: iso(Date::from_days(monday + 7)),
        days: (0..7)
            .map(|i| {
                let at = start + i * 86_400_000 + 12 * 3_600_000;
                (iso(Date::from_days(monday + i)), model::appointment::jst_day_label(at))
            })
            .collect(),
        departments,
        items,
    })
}

/// A friend's appointments, latest first, and the departments to book in.
#[server(endpoint = "friend_appointments")]
pub async fn friend_appointments(friend: String) -> Result<(Vec<AppointmentItem>, Vec<(String, String)>), AppError> {
    let actor = actor_with(Permission::ViewClinic).await?;
    let engine = engine()?;
    let items = engine.friend_appointments(&actor, &friend).await?.into_iter().map(item).collect();
    let departments = engine
        .list_departments(&actor)
        .await?
        .into_iter()
        .map(|d| (d.public_id, d.name))
        .collect();
    Ok((items, departments))
}

/// Books `friend` in `department` at `at` (a `datetime-local` value, Japan
/// time). Returns the appointment's public ID.
#[server(endpoint = "appointment_book")]
pub async fn book_appointment(friend: String, department: String, at: String) -> Result<String, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    let at = model::broadcast::parse_jst_local(&at).ok_or_else(|| AppError::new("schedule_in_past"))?;
    Ok(engine()?.book_appointment(&actor, &friend, &department, at).await?)
}

/// Moves, cancels, or records a visit or a no-show.
#[server(endpoint = "appointment_act", input = Json)]
pub async fn act_on_appointment(id: String, act: AppointmentAct) -> Result<(), AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    engine()?.act_on_appointment(&actor, &id, act).await?;
    Ok(())
}

/// One row of an appointment import, as the report lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportRowDto {
    pub line: usize,
    pub external_ref: String,
    /// book, move, cancel, unchanged or refused
    pub action: String,
    /// For a refused row: the i18n key of the reason, and the value.
    pub reason: String,
    pub value: String,
}

#[cfg(feature = "ssr")]
fn import_rows(rows: Vec<engine::appointment_import::RowReport>) -> Vec<ImportRowDto> {
    use engine::appointment_import::RowAction;
    rows.into_iter()
        .map(|r| {
            let (action, reason, value) = match r.action {
                RowAction::Book => ("book", String::new(), String::new()),
                RowAction::Move => ("move", String::new(), String::new()),
                RowAction::Cancel => ("cancel", String::new(), String::new()),
                RowAction::Unchanged => ("unchanged", String::new(), String::new()),
                RowAction::Refused { code, value } => ("refused", format!("import.appt_{code}"), value),
                RowAction::Failed { code } => ("refused", format!("error.{code}"), String::new()),
            };
            ImportRowDto {
                line: r.line,
                external_ref: r.external_ref,
                action: action.into(),
                reason,
                value,
            }
        })
        .collect()
}

/// What each row of a booking system's CSV would do; changes nothing.
#[server(endpoint = "appointments_import_check")]
pub async fn check_appointment_import(csv: String) -> Result<Vec<ImportRowDto>, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(import_rows(engine()?.check_appointment_import(&actor, &csv).await?))
}

/// Applies every row that can be applied, with what became of each.
#[server(endpoint = "appointments_import_apply")]
pub async fn apply_appointment_import(csv: String) -> Result<Vec<ImportRowDto>, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(import_rows(engine()?.apply_appointment_import(&actor, &csv).await?))
}
