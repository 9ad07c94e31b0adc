//! 予約の取り込み: appointments from a booking system's CSV, with a report
//! per row. Columns: 予約番号 (the booking system's own number, so a file
//! imported twice changes nothing), 診察券番号, 診療科, 日時
//! (`YYYY-MM-DD HH:MM`, Japan time) and optionally 状態 (予約 / キャンセル).
//! A row is booked, moved, cancelled, left as it is, or refused with its
//! reason; each change is its own transaction through the same booking and
//! change paths as the front desk's (reminders follow), made by `Import`.

use crate::appointments::Origin;
use crate::audit::Event;
use crate::{Actor, Engine, EngineError};
use model::appointment::AppointmentAct;
use model::patient::{parse_csv, CsvError};
use model::Permission;
use store::{AppointmentRow, DepartmentRow};

const HEADER: [&str; 4] = ["予約番号", "診察券番号", "診療科", "日時"];
const EXTERNAL_REF_MAX: usize = 40;

/// What a row does (or did), or why it cannot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowAction {
    Book,
    Move,
    Cancel,
    Unchanged,
    /// Refused when read: a code (i18n `import.appt_<code>`) and the
    /// offending value.
    Refused {
        code: &'static str,
        value: String,
    },
    /// Readable, but applying it failed (a slot filled since the check):
    /// the engine's error code.
    Failed {
        code: &'static str,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowReport {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub external_ref: String,
    pub action: RowAction,
}

/// A row read and matched against what is stored.
struct Planned {
    report: RowReport,
    department: Option<DepartmentRow>,
    friend_id: i64,
    starts_at: i64,
    existing: Option<AppointmentRow>,
}

/// `2026-12-20 09:30` or `2026/12/20 9:30`, Japan time.
fn parse_when(s: &str) -> Option<i64> {
    let s = s.trim().replace('/', "-");
    let (date, time) = s.split_once([' ', 'T'])?;
    let (h, m) = time.trim().split_once(':')?;
    let local = format!("{}T{:02}:{:02}", date.trim(), h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
    model::broadcast::parse_jst_local(&local)
}

impl Engine {
    /// Reads the file and reports what each row would do; changes nothing.
    pub async fn check_appointment_import(&self, actor: &Actor, csv: &str) -> Result<Vec<RowReport>, EngineError> {
        actor.require(Permission::HandlePatients)?;
        Ok(self.plan_import(actor, csv).await?.into_iter().map(|p| p.report).collect())
    }

    /// Applies every row that can be applied; a row refused changes
    /// nothing, and one that fails while applying (a slot filled since the
    /// check) says why.
    pub async fn apply_appointment_import(&self, actor: &Actor, csv: &str) -> Result<Vec<RowReport>, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let mut out = Vec::new();
        let mut changed = 0;
        for mut p in self.plan_import(actor, csv).await? {
            let origin = Origin::Import {
                external_ref: &p.report.external_ref,
            };
            let result = match (&p.report.action, &p.department, &p.existing) {
                (RowAction::Book, Some(d), _) => self.book(actor.clinic_id, p.friend_id, d, p.starts_at, origin).await.map(|_| ()),
                (RowAction::Move, _, Some(a)) => self.change(a, AppointmentAct::Move { to: p.starts_at }, origin).await,
                (RowAction::Cancel, _, Some(a)) => self.change(a, AppointmentAct::Cancel, origin).await,
                _ => Ok(()),
            };
            match result {
                Ok(()) if matches!(p.report.action, RowAction::Book | RowAction::Move | RowAction::Cancel) => changed += 1,
                Ok(()) => {}
                Err(e) => p.report.action = RowAction::Failed { code: e.code() },
            }
            out.push(p.report);
        }
        let refused = out
            .iter()
            .filter(|r| matches!(r.action, RowAction::Refused { .. } | RowAction::Failed { .. }))
            .count();
        self.record(Event::by(
            actor,
            "appointment.import",
            String::new(),
            format!("{changed} changed, {refused} refused"),
        ))
        .await?;
        Ok(out)
    }

    async fn plan_import(&self, actor: &Actor, csv: &str) -> Result<Vec<Planned>, EngineError> {
        let rows = parse_csv(csv).map_err(EngineError::Csv)?;
        let Some((header, body)) = rows.split_first() else {
            return Err(EngineError::Csv(CsvError::NothingToImport));
        };
        let at = |name: &str| header.iter().position(|h| h.trim().trim_start_matches('\u{feff}') == name);
        let columns: Vec<Option<usize>> = HEADER.iter().map(|h| at(h)).collect();
        if columns.iter().any(Option::is_none) {
            return Err(EngineError::Csv(CsvError::AppointmentColumns));
        }
        let col: Vec<usize> = columns.into_iter().flatten().collect();
        let state_col = at("状態");
        let departments = self.db.departments(actor.clinic_id).await?;
        let now = self.now_ms();
        let mut out = Vec::new();
        for (i, row) in body.iter().enumerate() {
            let cell = |c: usize| row.get(c).map(|v| v.trim().to_string()).unwrap_or_default();
            if row.iter().all(|v| v.trim().is_empty()) {
                continue;
            }
            let external_ref = cell(col[0]);
            let mut planned = Planned {
                report: RowReport {
                    line: i + 2,
                    external_ref: external_ref.clone(),
                    action: RowAction::Unchanged,
                },
                department: None,
                friend_id: 0,
                starts_at: 0,
                existing: None,
            };
            let refuse = |code: &'static str, value: String| RowAction::Refused { code, value };
            planned.report.action = 'row: {
                if external_ref.is_empty() || external_ref.chars().count() > EXTERNAL_REF_MAX {
                    break 'row refuse("ref", external_ref.clone());
                }
                let number = cell(col[1]);
                let Some(friend) = self.db.friend_by_patient_number(actor.clinic_id, &number).await? else {
                    break 'row refuse("patient", number);
                };
                let name = cell(col[2]);
                let Some(d) = departments.iter().find(|d| d.name == name) else {
                    break 'row refuse("department", name);
                };
                let when = cell(col[3]);
                let Some(starts_at) = parse_when(&when) else {
                    break 'row refuse("when", when);
                };
                let cancel = match state_col.map(cell).as_deref() {
                    None | Some("") | Some("予約") => false,
                    Some("キャンセル") | Some("取消") => true,
                    Some(other) => break 'row refuse("state", other.to_string()),
                };
                planned.friend_id = friend.id;
                planned.starts_at = starts_at;
                planned.department = Some(d.clone());
                let existing = self.db.appointment_by_external_ref(actor.clinic_id, &external_ref).await?;
                if let Some(a) = &existing {
                    if a.friend_id != friend.id {
                        break 'row refuse("other_patient", number);
                    }
                }
                planned.existing = existing.clone();
                match (existing, cancel) {
                    (None, true) => RowAction::Unchanged,
                    (None, false) if starts_at <= now => refuse("past", when),
                    (None, false) => RowAction::Book,
                    (Some(a), true) if a.status.is_upcoming() => RowAction::Cancel,
                    (Some(_), true) => RowAction::Unchanged,
                    (Some(a), false) if a.starts_at == starts_at || !a.status.is_upcoming() => RowAction::Unchanged,
                    (Some(_), false) if starts_at <= now => refuse("past", when),
                    (Some(a), false) if a.department_id != d.id => refuse("department_changed", name),
                    (Some(_), false) => RowAction::Move,
                }
            };
            out.push(planned);
        }
        Ok(out)
    }
}
