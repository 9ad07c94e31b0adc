//! Appointments (予約): their states and the one state machine that moves
//! them, shared by the staff's calendar, the patient's booking page and the
//! engine, so the browser never offers a change the server would refuse.

use serde::{Deserialize, Serialize};

/// Where an appointment is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    /// Moved to another time at least once; still to come.
    Changed,
    Visited,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 5] = [
        AppointmentStatus::Booked,
        AppointmentStatus::Changed,
        AppointmentStatus::Visited,
        AppointmentStatus::Cancelled,
        AppointmentStatus::NoShow,
    ];

    /// The word stored in the database (and used in CSS classes and i18n keys).
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Changed => "changed",
            AppointmentStatus::Visited => "visited",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<AppointmentStatus> {
        AppointmentStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Still to come: reminders for it may go.
    pub fn is_upcoming(self) -> bool {
        matches!(self, AppointmentStatus::Booked | AppointmentStatus::Changed)
    }
}

impl TryFrom<String> for AppointmentStatus {
    type Error = crate::broadcast::UnknownWord;
    fn try_from(word: String) -> Result<Self, Self::Error> {
        AppointmentStatus::parse(&word).ok_or(crate::broadcast::UnknownWord {
            what: "appointment status",
            word,
        })
    }
}

/// Who made a change: the reminders a patient gets say so differently
/// (「ご予約を変更しました」 vs 「クリニックでご予約を変更しました」).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangedBy {
    Staff,
    Patient,
    /// A CSV import from the clinic's booking system.
    Import,
}

impl ChangedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangedBy::Staff => "staff",
            ChangedBy::Patient => "patient",
            ChangedBy::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<ChangedBy> {
        [ChangedBy::Staff, ChangedBy::Patient, ChangedBy::Import]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

impl TryFrom<String> for ChangedBy {
    type Error = crate::broadcast::UnknownWord;
    fn try_from(word: String) -> Result<Self, Self::Error> {
        ChangedBy::parse(&word).ok_or(crate::broadcast::UnknownWord { what: "changed by", word })
    }
}

/// What can be done to an appointment once it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum AppointmentAct {
    /// To another time (epoch milliseconds) and department slot.
    Move {
        to: i64,
    },
    Cancel,
    RecordVisit,
    RecordNoShow,
}

impl AppointmentAct {
    pub fn name(self) -> &'static str {
        match self {
            AppointmentAct::Move { .. } => "move",
            AppointmentAct::Cancel => "cancel",
            AppointmentAct::RecordVisit => "record_visit",
            AppointmentAct::RecordNoShow => "record_no_show",
        }
    }
}

/// Why a change is refused, each said in words by the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentProblem {
    /// Cancelled appointments stay cancelled: a new booking is made instead.
    AlreadyCancelled,
    /// A visit is history; it is not moved, cancelled or undone.
    AlreadyVisited,
    /// A patient cannot move or cancel after the appointment's time.
    InThePast,
    /// A visit cannot be recorded for an appointment that has not begun.
    NotYetBegun,
}

impl AppointmentProblem {
    pub fn code(self) -> &'static str {
        match self {
            AppointmentProblem::AlreadyCancelled => "appointment_cancelled",
            AppointmentProblem::AlreadyVisited => "appointment_visited",
            AppointmentProblem::InThePast => "appointment_in_the_past",
            AppointmentProblem::NotYetBegun => "appointment_not_begun",
        }
    }
}

/// How early a visit may be recorded before the appointment's time (a
/// patient who came in early).
pub const EARLY_VISIT_MS: i64 = 2 * 60 * 60 * 1000;

/// The one state machine. `at` is the appointment's current time and `now`
/// the clock's. A no-show may still be corrected to a visit (the patient
/// came late); nothing else leaves a final state.
pub fn next_status(
    status: AppointmentStatus,
    act: AppointmentAct,
    at: i64,
    now: i64,
    by: ChangedBy,
) -> Result<AppointmentStatus, AppointmentProblem> {
    use AppointmentAct as A;
    use AppointmentStatus as S;
    match (status, act) {
        (S::Cancelled, _) => Err(AppointmentProblem::AlreadyCancelled),
        (S::Visited, _) => Err(AppointmentProblem::AlreadyVisited),
        (S::NoShow, A::RecordVisit) => Ok(S::Visited),
        (S::NoShow, _) => Err(AppointmentProblem::InThePast),
        (S::Booked | S::Changed, A::Move { .. } | A::Cancel) if by == ChangedBy::Patient && at <= now => Err(AppointmentProblem::InThePast),
        (S::Booked | S::Changed, A::Move { to }) if by == ChangedBy::Patient && to <= now => Err(AppointmentProblem::InThePast),
        (S::Booked | S::Changed, A::Move { .. }) => Ok(S::Changed),
        (S::Booked | S::Changed, A::Cancel) => Ok(S::Cancelled),
        (S::Booked | S::Changed, A::RecordVisit) if now < at - EARLY_VISIT_MS => Err(AppointmentProblem::NotYetBegun),
        (S::Booked | S::Changed, A::RecordVisit) => Ok(S::Visited),
        (S::Booked | S::Changed, A::RecordNoShow) if now < at => Err(AppointmentProblem::NotYetBegun),
        (S::Booked | S::Changed, A::RecordNoShow) => Ok(S::NoShow),
    }
}

const JST_OFFSET_MS: i64 = 9 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// 「12月20日(日)」: an appointment's day as a patient reads it.
pub fn jst_day_label(ms: i64) -> String {
    let d = crate::segment::Date::jst_of_ms(ms);
    // 1970-01-01 was a Thursday.
    let weekday = ["木", "金", "土", "日", "月", "火", "水"][(ms + JST_OFFSET_MS).div_euclid(DAY_MS).rem_euclid(7) as usize];
    format!("{}月{}日({weekday})", d.m, d.d)
}

/// 「9:30」: an appointment's time, Japan time.
pub fn jst_time_label(ms: i64) -> String {
    let minutes = (ms + JST_OFFSET_MS).rem_euclid(DAY_MS) / 60_000;
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The hours patients may book, Japan time, in minutes from midnight
/// (morning and afternoon); no bookings on Sundays.
pub const OPENING_HOURS: [(i64, i64); 2] = [(9 * 60, 12 * 60), (14 * 60, 18 * 60)];

/// The Japan-time midnight that begins the day of `ms`.
pub fn jst_midnight(ms: i64) -> i64 {
    (ms + JST_OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - JST_OFFSET_MS
}

/// Whether the Japan-time day of `ms` is a Sunday.
pub fn is_jst_sunday(ms: i64) -> bool {
    // 1970-01-01 was a Thursday: three days later, a Sunday.
    (ms + JST_OFFSET_MS).div_euclid(DAY_MS).rem_euclid(7) == 3
}

/// The bookable slots of the day beginning at `midnight` (a Japan-time
/// midnight), each `slot_minutes` long and wholly inside the opening hours.
pub fn day_slots(midnight: i64, slot_minutes: i64) -> Vec<i64> {
    if slot_minutes <= 0 || is_jst_sunday(midnight) || jst_midnight(midnight) != midnight {
        return vec![];
    }
    let mut out = Vec::new();
    for (open, close) in OPENING_HOURS {
        let mut m = open;
        while m + slot_minutes <= close {
            out.push(midnight + m * 60_000);
            m += slot_minutes;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_days_slots_are_its_opening_hours_in_japan_time_and_sundays_have_none() {
        // 2026-12-19 16:30 UTC is Sunday 20 December 01:30 in Japan.
        let sunday = jst_midnight(1_797_697_800_000);
        assert_eq!(jst_day_label(sunday), "12月20日(日)");
        assert_eq!(jst_time_label(sunday), "0:00");
        assert!(day_slots(sunday, 30).is_empty());
        let monday = sunday + DAY_MS;
        let slots = day_slots(monday, 30);
        assert_eq!(slots.len(), 6 + 8);
        assert_eq!(jst_time_label(slots[0]), "9:00");
        assert_eq!(jst_time_label(slots[5]), "11:30");
        assert_eq!(jst_time_label(slots[6]), "14:00");
        assert_eq!(jst_time_label(*slots.last().unwrap()), "17:30");
        // A 45-minute slot ends at noon at the latest: none starts at 12:00.
        assert_eq!(
            day_slots(monday, 45).iter().map(|s| jst_time_label(*s)).collect::<Vec<_>>()[..5],
            ["9:00", "9:45", "10:30", "11:15", "14:00"]
        );
        // Not a midnight: no slots rather than shifted ones.
        assert!(day_slots(monday + 60_000, 30).is_empty());
    }

    const H: i64 = 3_600_000;

    #[test]
    fn days_and_times_are_written_in_japan_time() {
        // 2026-12-19 16:30 UTC is Sunday 20 December 01:30 in Japan.
        let ms = 1_797_697_800_000;
        assert_eq!(jst_day_label(ms), "12月20日(日)");
        assert_eq!(jst_time_label(ms), "1:30");
        assert_eq!(jst_day_label(ms + 10 * 86_400_000), "12月30日(水)");
    }

    #[test]
    fn statuses_are_stored_by_one_name() {
        for s in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert!(AppointmentStatus::try_from("done".to_string()).is_err());
        let upcoming: Vec<_> = AppointmentStatus::ALL.into_iter().filter(|s| s.is_upcoming()).collect();
        assert_eq!(upcoming, [AppointmentStatus::Booked, AppointmentStatus::Changed]);
    }

    #[test]
    fn an_upcoming_appointment_moves_cancels_and_ends_in_a_visit_or_a_no_show() {
        use AppointmentStatus as S;
        let (at, now) = (100 * H, 10 * H);
        let staff = ChangedBy::Staff;
        assert_eq!(
            next_status(S::Booked, AppointmentAct::Move { to: 120 * H }, at, now, staff),
            Ok(S::Changed)
        );
        assert_eq!(
            next_status(S::Changed, AppointmentAct::Move { to: 130 * H }, at, now, staff),
            Ok(S::Changed)
        );
        assert_eq!(next_status(S::Changed, AppointmentAct::Cancel, at, now, staff), Ok(S::Cancelled));
        assert_eq!(
            next_status(S::Booked, AppointmentAct::RecordVisit, at, at - H, staff),
            Ok(S::Visited)
        );
        assert_eq!(
            next_status(S::Booked, AppointmentAct::RecordNoShow, at, at + H, staff),
            Ok(S::NoShow)
        );
    }

    #[test]
    fn final_states_stay_final_except_a_no_show_corrected_to_a_visit() {
        use AppointmentStatus as S;
        let (at, now) = (100 * H, 200 * H);
        let staff = ChangedBy::Staff;
        for act in [
            AppointmentAct::Move { to: 300 * H },
            AppointmentAct::Cancel,
            AppointmentAct::RecordVisit,
            AppointmentAct::RecordNoShow,
        ] {
            assert_eq!(
                next_status(S::Cancelled, act, at, now, staff),
                Err(AppointmentProblem::AlreadyCancelled)
            );
            assert_eq!(
                next_status(S::Visited, act, at, now, staff),
                Err(AppointmentProblem::AlreadyVisited)
            );
        }
        assert_eq!(next_status(S::NoShow, AppointmentAct::RecordVisit, at, now, staff), Ok(S::Visited));
        assert_eq!(
            next_status(S::NoShow, AppointmentAct::Cancel, at, now, staff),
            Err(AppointmentProblem::InThePast)
        );
    }

    #[test]
    fn a_patient_changes_only_what_is_still_to_come_and_visits_wait_for_the_day() {
        use AppointmentStatus as S;
        let at = 100 * H;
        let patient = ChangedBy::Patient;
        assert_eq!(
            next_status(S::Booked, AppointmentAct::Cancel, at, at + 1, patient),
            Err(AppointmentProblem::InThePast)
        );
        assert_eq!(
            next_status(S::Booked, AppointmentAct::Move { to: 50 * H }, at, 60 * H, patient),
            Err(AppointmentProblem::InThePast)
        );
        assert_eq!(
            next_status(S::Booked, AppointmentAct::Cancel, at, at - H, patient),
            Ok(S::Cancelled)
        );
        // Staff may tidy up after the fact.
        assert_eq!(
            next_status(S::Booked, AppointmentAct::Cancel, at, at + H, ChangedBy::Staff),
            Ok(S::Cancelled)
        );
        assert_eq!(
            next_status(S::Booked, AppointmentAct::RecordVisit, at, at - 3 * H, ChangedBy::Staff),
            Err(AppointmentProblem::NotYetBegun)
        );
        assert_eq!(
            next_status(S::Booked, AppointmentAct::RecordNoShow, at, at - 1, ChangedBy::Staff),
            Err(AppointmentProblem::NotYetBegun)
        );
    }
}
