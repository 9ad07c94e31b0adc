//! Step sequences (ステップ配信): when a step is due, and whether it still
//! goes when that moment comes. The scheduler, the timeline editor and the
//! preview for one patient all use these functions, so what the preview
//! promises is what the scheduler does.
//!
//! A step's moment is never copied when a friend is enrolled: it is worked
//! out again from the anchor's *current* time (the appointment as it is
//! now) each time the scheduler looks, so a moved appointment carries its
//! reminders with it and a cancelled one takes them away.

use crate::appointment::{AppointmentStatus, ChangedBy};
use crate::broadcast::QuietHours;
use serde::{Deserialize, Serialize};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
const JST_OFFSET_MS: i64 = 9 * 3_600_000;

/// What a step's offset counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The moment the friend entered the sequence (its trigger).
    Enrolment,
    /// The appointment the enrolment is about, at its current time.
    Appointment,
}

/// When a step goes: whole days from its anchor, then either a clock time
/// in Japan (「−3日 18:00」) or a number of minutes (「+30分」).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTiming {
    pub anchor: Anchor,
    /// Negative: before the anchor.
    pub days: i32,
    /// Minutes after midnight, Japan time. With it, `minutes` is unused.
    pub clock: Option<u16>,
    /// Used without a clock time: added to the anchor after `days`.
    pub minutes: i32,
}

impl StepTiming {
    pub fn at_clock(anchor: Anchor, days: i32, hour: u16, minute: u16) -> StepTiming {
        StepTiming {
            anchor,
            days,
            clock: Some(hour * 60 + minute),
            minutes: 0,
        }
    }

    pub fn after(anchor: Anchor, days: i32, minutes: i32) -> StepTiming {
        StepTiming {
            anchor,
            days,
            clock: None,
            minutes,
        }
    }

    /// The step's moment (epoch ms) for an anchor at `anchor_ms`. A clock
    /// time is Japan's, counted on Japan's calendar day of the anchor: no
    /// server time zone enters, so there is no double offset.
    pub fn due(self, anchor_ms: i64) -> i64 {
        match self.clock {
            Some(clock) => {
                let jst_day = (anchor_ms + JST_OFFSET_MS).div_euclid(DAY_MS) + i64::from(self.days);
                jst_day * DAY_MS + i64::from(clock) * MINUTE_MS - JST_OFFSET_MS
            }
            None => anchor_ms + i64::from(self.days) * DAY_MS + i64::from(self.minutes) * MINUTE_MS,
        }
    }

    /// Whether the step is meant to come before its appointment (a
    /// reminder): its moment is before the anchor's.
    pub fn is_before(self, anchor_ms: i64) -> bool {
        self.due(anchor_ms) < anchor_ms
    }

    /// 「−3日 18:00」, 「+1日 10:00」, 「+30分」, 「当日 9:00」: how the
    /// timeline and the preview write it.
    pub fn label(self) -> String {
        let days = match self.days {
            0 if self.clock.is_some() => "当日".to_string(),
            0 => String::new(),
            d if d > 0 => format!("+{d}日"),
            d => format!("−{}日", -d),
        };
        match self.clock {
            Some(c) => format!("{days} {}:{:02}", c / 60, c % 60).trim().to_string(),
            None if self.minutes == 0 && days.is_empty() => "すぐ".to_string(),
            None if self.minutes == 0 => days,
            None => {
                let sign = if self.minutes < 0 { "−" } else { "+" };
                let m = self.minutes.abs();
                let part = if m % 60 == 0 {
                    format!("{}時間", m / 60)
                } else {
                    format!("{m}分")
                };
                if days.is_empty() {
                    format!("{sign}{part}")
                } else {
                    format!("{days} {sign}{part}")
                }
            }
        }
    }
}

/// What a scheduler knows when a step's moment is looked at.
#[derive(Clone, Copy, Debug)]
pub struct Moment {
    pub now: i64,
    /// When the plan this step belongs to began: the enrolment, or the
    /// booking (or the last move) of the appointment.
    pub planned_at: i64,
    /// The anchor's time now (enrolment, or the appointment's current time).
    pub anchor_at: i64,
    /// The appointment's current state, for a step anchored to it.
    pub appointment: Option<AppointmentStatus>,
    /// How late a step may still go after a downtime.
    pub lateness_ms: i64,
    /// Quiet hours, for a marketing step; `None` for an operational one
    /// (reminders are operational).
    pub quiet: Option<QuietHours>,
}

/// Whether a step goes now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", content = "at", rename_all = "snake_case")]
pub enum Verdict {
    /// Not yet: look again at this moment.
    Wait(i64),
    Send,
    Skip(SkipReason),
}

/// Why a step did not go, kept with the enrolment and shown to staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The appointment was cancelled (or, for a step after it, missed).
    AppointmentGone,
    /// A reminder whose appointment has already begun.
    AppointmentPassed,
    /// The step's moment was already past when the booking (or the
    /// enrolment) was made: not caught up.
    PassedBeforePlan,
    /// The server was down past the step's allowed lateness.
    TooLate,
    /// The step's condition (tag, segment) did not hold.
    ConditionFalse,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::AppointmentGone => "appointment_gone",
            SkipReason::AppointmentPassed => "appointment_passed",
            SkipReason::PassedBeforePlan => "passed_before_plan",
            SkipReason::TooLate => "too_late",
            SkipReason::ConditionFalse => "condition_false",
        }
    }

    pub fn parse(s: &str) -> Option<SkipReason> {
        [
            SkipReason::AppointmentGone,
            SkipReason::AppointmentPassed,
            SkipReason::PassedBeforePlan,
            SkipReason::TooLate,
            SkipReason::ConditionFalse,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The one rule that decides a step at the moment the scheduler looks,
/// from the anchor's state *now*. Step conditions (tags, segments) are the
/// engine's to check after a `Send`.
pub fn decide(timing: StepTiming, m: Moment) -> Verdict {
    let due = timing.due(m.anchor_at);
    let before_appointment = timing.anchor == Anchor::Appointment && due < m.anchor_at;
    if timing.anchor == Anchor::Appointment {
        match m.appointment {
            Some(s) if s.is_upcoming() => {}
            // A follow-up after the appointment goes once it was visited.
            Some(AppointmentStatus::Visited) if !before_appointment => {}
            Some(AppointmentStatus::Visited) => return Verdict::Skip(SkipReason::AppointmentPassed),
            _ => return Verdict::Skip(SkipReason::AppointmentGone),
        }
    }
    if due < m.planned_at {
        return Verdict::Skip(SkipReason::PassedBeforePlan);
    }
    // A marketing step due in quiet hours is due when they end; its
    // lateness counts from then, not from the night.
    let due = match m.quiet {
        Some(q) if q.contains(due) => q.next_open(due),
        _ => due,
    };
    if m.now < due {
        return Verdict::Wait(due);
    }
    if before_appointment && m.now >= m.anchor_at {
        return Verdict::Skip(SkipReason::AppointmentPassed);
    }
    if m.now - due > m.lateness_ms {
        return Verdict::Skip(SkipReason::TooLate);
    }
    if let Some(q) = m.quiet {
        if q.contains(m.now) {
            return Verdict::Wait(q.next_open(m.now));
        }
    }
    Verdict::Send
}

/// What enrols a friend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    FriendAdded,
    /// A tag (public ID) was added.
    TagAdded {
        tag: String,
    },
    /// The friend entered a saved segment (public ID).
    SegmentEntered {
        segment: String,
    },
    /// An appointment was booked, in one department (public ID) or any.
    AppointmentBooked {
        department: Option<String>,
    },
    /// A visit was recorded; with `first_only`, only a first visit.
    VisitRecorded {
        first_only: bool,
    },
    NoShow,
    /// By hand, or by an automation's 「ステップ配信を開始」.
    Manual,
    /// A notice about a change to an appointment (予約のお知らせ): booked,
    /// moved or cancelled, by anyone or only by staff or by the patient,
    /// so each can have its own words.
    AppointmentNotice {
        on: NoticeOn,
        by: Option<ChangedBy>,
    },
}

/// What a sequence started by entering a segment listens for.
pub const SEGMENT_ENTERED: &str = "segment_entered";

/// The change an appointment notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeOn {
    Booked,
    Moved,
    Cancelled,
}

impl Trigger {
    /// Whether this happening to a friend starts the sequence (the
    /// appointment triggers start from the booking and its changes).
    pub fn starts_on(&self, h: &crate::automation::Happening) -> bool {
        use crate::automation::Happening;
        match (self, h) {
            (Trigger::FriendAdded, Happening::Followed) => true,
            (Trigger::TagAdded { tag }, Happening::TagAdded { tag: added }) => tag == added,
            _ => false,
        }
    }

    /// The happening kind (`Happening::kind`) that may start it, for
    /// queueing only the happenings something listens for.
    pub fn happening_kind(&self) -> Option<&'static str> {
        match self {
            Trigger::FriendAdded => Some("followed"),
            Trigger::TagAdded { .. } => Some("tag_added"),
            _ => None,
        }
    }

    /// What the sequence's row records it listens for: the happening kind
    /// that starts it, or [`SEGMENT_ENTERED`] (the scheduler watches the
    /// segment change log for it).
    pub fn listens_for(&self) -> Option<&'static str> {
        match self {
            Trigger::SegmentEntered { .. } => Some(SEGMENT_ENTERED),
            other => other.happening_kind(),
        }
    }

    /// Whether it is a notice of this change made by `by`.
    pub fn notices(&self, change: NoticeOn, by: ChangedBy) -> bool {
        matches!(self, Trigger::AppointmentNotice { on, by: who } if *on == change && who.is_none_or(|w| w == by))
    }

    /// Whether the enrolment is about one appointment (its steps may
    /// count from it).
    pub fn has_appointment(&self) -> bool {
        matches!(
            self,
            Trigger::AppointmentBooked { .. } | Trigger::VisitRecorded { .. } | Trigger::NoShow | Trigger::AppointmentNotice { .. }
        )
    }
}

/// What ends an enrolment early. Blocking the account always does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stop {
    /// e.g. 予約済: the friend booked, the invitations stop.
    TagAdded {
        tag: String,
    },
    SegmentLeft {
        segment: String,
    },
}

/// A step goes only if its condition holds when it is due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepCondition {
    HasTag { tag: String },
    LacksTag { tag: String },
    InSegment { segment: String },
    NotInSegment { segment: String },
}

/// Why a sequence cannot be saved as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SequenceProblem {
    NoName,
    NoSteps,
    /// A step counts from the appointment, but the trigger has none.
    AppointmentStepWithoutAppointment,
    /// More steps than the timeline holds.
    TooManySteps,
    /// A clock time past 23:59, or an offset beyond the sequence's reach.
    TimingOutOfRange,
    /// The tag or segment that starts it is not the clinic's (or no longer
    /// exists). Checked by the server, which knows the clinic's.
    UnknownTriggerTarget,
    /// A step's action cannot run: a reply or push (a step's message is its
    /// bubbles), more than ten, or a tag, field or sequence that is not the
    /// clinic's.
    BadStepAction,
    /// A stop names a tag or segment that is not the clinic's.
    UnknownStopTarget,
}

/// The most steps one sequence holds.
pub const STEPS_MAX: usize = 30;
/// The farthest a step may be from its anchor: two years.
pub const DAYS_MAX: i32 = 730;

/// The checks a sequence passes before it is saved, in the editor and on
/// the server alike.
pub fn sequence_problems(name: &str, trigger: &Trigger, steps: &[StepTiming]) -> Vec<SequenceProblem> {
    let mut problems = Vec::new();
    if name.trim().is_empty() {
        problems.push(SequenceProblem::NoName);
    }
    if steps.is_empty() {
        problems.push(SequenceProblem::NoSteps);
    }
    if steps.len() > STEPS_MAX {
        problems.push(SequenceProblem::TooManySteps);
    }
    if !trigger.has_appointment() && steps.iter().any(|s| s.anchor == Anchor::Appointment) {
        problems.push(SequenceProblem::AppointmentStepWithoutAppointment);
    }
    if steps
        .iter()
        .any(|s| s.days.abs() > DAYS_MAX || s.clock.is_some_and(|c| c >= 24 * 60) || s.minutes.abs() > 24 * 60 * 7)
    {
        problems.push(SequenceProblem::TimingOutOfRange);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appointment::AppointmentStatus as S;

    const H: i64 = 3_600_000;

    /// Epoch ms of a Japan-time wall clock.
    fn jst(y: i32, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
        let day = crate::segment::Date::new(y, mo, d).unwrap().days_from_epoch();
        day * DAY_MS + h * H + mi * MINUTE_MS - JST_OFFSET_MS
    }

    fn moment(now: i64, planned_at: i64, anchor_at: i64, appointment: Option<AppointmentStatus>) -> Moment {
        Moment {
            now,
            planned_at,
            anchor_at,
            appointment,
            lateness_ms: 6 * H,
            quiet: None,
        }
    }

    #[test]
    fn clock_times_are_japans_across_month_ends_and_the_new_year() {
        let three_days_before = StepTiming::at_clock(Anchor::Appointment, -3, 18, 0);
        // 2 January 10:30 JST (1 January 01:30 UTC): three days before is
        // 30 December 18:00 JST of the year before.
        assert_eq!(three_days_before.due(jst(2027, 1, 2, 10, 30)), jst(2026, 12, 30, 18, 0));
        // 1 March 09:00 JST (28 February 00:00 UTC) → 26 February 18:00.
        assert_eq!(three_days_before.due(jst(2027, 3, 1, 9, 0)), jst(2027, 2, 26, 18, 0));
        // An appointment just after midnight JST (the previous day in UTC)
        // counts from Japan's day, not the server's.
        let day_before = StepTiming::at_clock(Anchor::Appointment, -1, 18, 0);
        assert_eq!(day_before.due(jst(2026, 12, 10, 0, 30)), jst(2026, 12, 9, 18, 0));
        let checkup = StepTiming::at_clock(Anchor::Enrolment, 90, 10, 0);
        assert_eq!(checkup.due(jst(2026, 11, 15, 16, 0)), jst(2027, 2, 13, 10, 0));
        assert_eq!(
            StepTiming::after(Anchor::Enrolment, 0, 30).due(jst(2026, 12, 31, 23, 50)),
            jst(2027, 1, 1, 0, 20)
        );
    }

    #[test]
    fn labels_read_as_the_timeline_writes_them() {
        assert_eq!(StepTiming::at_clock(Anchor::Appointment, -3, 18, 0).label(), "−3日 18:00");
        assert_eq!(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0).label(), "+1日 10:00");
        assert_eq!(StepTiming::at_clock(Anchor::Appointment, 0, 9, 5).label(), "当日 9:05");
        assert_eq!(StepTiming::after(Anchor::Enrolment, 0, 30).label(), "+30分");
        assert_eq!(StepTiming::after(Anchor::Enrolment, 0, 120).label(), "+2時間");
        assert_eq!(StepTiming::after(Anchor::Enrolment, 7, 0).label(), "+7日");
        assert_eq!(StepTiming::after(Anchor::Enrolment, 0, 0).label(), "すぐ");
    }

    #[test]
    fn a_reminder_waits_for_its_moment_then_goes() {
        let at = jst(2026, 12, 20, 10, 0);
        let booked = jst(2026, 12, 1, 12, 0);
        let t = StepTiming::at_clock(Anchor::Appointment, -3, 18, 0);
        let due = jst(2026, 12, 17, 18, 0);
        assert_eq!(decide(t, moment(due - 1, booked, at, Some(S::Booked))), Verdict::Wait(due));
        assert_eq!(decide(t, moment(due, booked, at, Some(S::Booked))), Verdict::Send);
        assert_eq!(decide(t, moment(due + 30 * MINUTE_MS, booked, at, Some(S::Changed))), Verdict::Send);
    }

    #[test]
    fn a_booking_made_inside_a_reminders_window_skips_it_and_keeps_the_next() {
        // Booked on the 19th at noon for the 20th: the −3日 moment (17th
        // 18:00) had passed before the booking existed.
        let at = jst(2026, 12, 20, 10, 0);
        let booked = jst(2026, 12, 19, 12, 0);
        let three = StepTiming::at_clock(Anchor::Appointment, -3, 18, 0);
        let one = StepTiming::at_clock(Anchor::Appointment, -1, 18, 0);
        assert_eq!(
            decide(three, moment(booked + 1, booked, at, Some(S::Booked))),
            Verdict::Skip(SkipReason::PassedBeforePlan)
        );
        assert_eq!(
            decide(one, moment(booked + 1, booked, at, Some(S::Booked))),
            Verdict::Wait(jst(2026, 12, 19, 18, 0))
        );
    }

    #[test]
    fn a_moved_appointment_carries_its_reminders_and_a_cancelled_one_takes_them_away() {
        let booked = jst(2026, 12, 1, 12, 0);
        let t = StepTiming::at_clock(Anchor::Appointment, -1, 18, 0);
        // Moved from the 10th to the 20th on the 5th: the reminder is now
        // the 19th's, and on the 9th at 18:00 nothing goes.
        let moved_at = jst(2026, 12, 5, 9, 0);
        let new_at = jst(2026, 12, 20, 10, 0);
        assert_eq!(
            decide(t, moment(jst(2026, 12, 9, 18, 0), moved_at, new_at, Some(S::Changed))),
            Verdict::Wait(jst(2026, 12, 19, 18, 0))
        );
        // Cancelled, even with the moment already due and not yet sent.
        let due = jst(2026, 12, 19, 18, 0);
        assert_eq!(
            decide(t, moment(due + MINUTE_MS, booked, new_at, Some(S::Cancelled))),
            Verdict::Skip(SkipReason::AppointmentGone)
        );
        assert_eq!(
            decide(t, moment(due, booked, new_at, None)),
            Verdict::Skip(SkipReason::AppointmentGone)
        );
    }

    #[test]
    fn after_a_downtime_a_step_goes_late_only_while_it_still_means_something() {
        let at = jst(2026, 12, 20, 10, 0);
        let booked = jst(2026, 12, 1, 12, 0);
        let t = StepTiming::at_clock(Anchor::Appointment, -1, 18, 0);
        let due = jst(2026, 12, 19, 18, 0);
        // Back up 5 hours late: still within the lateness, before the visit.
        assert_eq!(decide(t, moment(due + 5 * H, booked, at, Some(S::Booked))), Verdict::Send);
        // Back up 7 hours late: past the lateness.
        assert_eq!(
            decide(t, moment(due + 7 * H, booked, at, Some(S::Booked))),
            Verdict::Skip(SkipReason::TooLate)
        );
        // Never after the appointment, whatever the lateness allows.
        let mut m = moment(at + MINUTE_MS, booked, at, Some(S::Booked));
        m.lateness_ms = 30 * 24 * H;
        assert_eq!(decide(t, m), Verdict::Skip(SkipReason::AppointmentPassed));
    }

    #[test]
    fn a_follow_up_after_the_appointment_needs_the_visit() {
        let at = jst(2026, 12, 20, 10, 0);
        let booked = jst(2026, 12, 1, 12, 0);
        let t = StepTiming::at_clock(Anchor::Appointment, 1, 10, 0);
        let due = jst(2026, 12, 21, 10, 0);
        assert_eq!(decide(t, moment(due, booked, at, Some(S::Visited))), Verdict::Send);
        assert_eq!(
            decide(t, moment(due, booked, at, Some(S::NoShow))),
            Verdict::Skip(SkipReason::AppointmentGone)
        );
        assert_eq!(
            decide(t, moment(due, booked, at, Some(S::Cancelled))),
            Verdict::Skip(SkipReason::AppointmentGone)
        );
        // A reminder for a visit already recorded (the patient came early) is moot.
        let reminder = StepTiming::at_clock(Anchor::Appointment, 0, 8, 0);
        assert_eq!(
            decide(reminder, moment(jst(2026, 12, 20, 8, 0), booked, at, Some(S::Visited))),
            Verdict::Skip(SkipReason::AppointmentPassed)
        );
    }

    #[test]
    fn quiet_hours_defer_a_marketing_step_and_leave_a_reminder_alone() {
        let enrolled = jst(2026, 12, 1, 12, 0);
        let t = StepTiming::at_clock(Anchor::Enrolment, 1, 22, 0);
        let due = jst(2026, 12, 2, 22, 0);
        let quiet = QuietHours {
            start: 21 * 60,
            end: 8 * 60,
        };
        let mut m = moment(due, enrolled, enrolled, None);
        assert_eq!(decide(t, m), Verdict::Send, "operational: no quiet hours");
        m.quiet = Some(quiet);
        let morning = jst(2026, 12, 3, 8, 0);
        assert_eq!(decide(t, m), Verdict::Wait(morning));
        // In the morning it goes, though ten hours after its moment: the
        // night does not count against its lateness (6 hours here).
        m.now = morning;
        assert_eq!(decide(t, m), Verdict::Send);
        // A downtime that ends inside quiet hours waits for the morning.
        let t = StepTiming::at_clock(Anchor::Enrolment, 1, 19, 0);
        m.now = jst(2026, 12, 2, 23, 0);
        assert_eq!(decide(t, m), Verdict::Wait(morning));
    }

    #[test]
    fn a_sequence_without_an_appointment_cannot_count_from_one() {
        let reminder = StepTiming::at_clock(Anchor::Appointment, -1, 18, 0);
        let welcome = StepTiming::after(Anchor::Enrolment, 0, 0);
        assert_eq!(
            sequence_problems("予約リマインド", &Trigger::AppointmentBooked { department: None }, &[reminder]),
            vec![]
        );
        assert_eq!(
            sequence_problems("ようこそ", &Trigger::FriendAdded, &[welcome, reminder]),
            vec![SequenceProblem::AppointmentStepWithoutAppointment]
        );
        assert_eq!(
            sequence_problems(" ", &Trigger::Manual, &[]),
            vec![SequenceProblem::NoName, SequenceProblem::NoSteps]
        );
        let late = StepTiming::at_clock(Anchor::Enrolment, 1, 24, 0);
        assert_eq!(
            sequence_problems("x", &Trigger::Manual, &[late]),
            vec![SequenceProblem::TimingOutOfRange]
        );
        assert_eq!(
            sequence_problems("x", &Trigger::Manual, &vec![welcome; STEPS_MAX + 1]),
            vec![SequenceProblem::TooManySteps]
        );
    }

    #[test]
    fn skip_reasons_are_stored_by_one_name() {
        for r in [
            SkipReason::AppointmentGone,
            SkipReason::AppointmentPassed,
            SkipReason::PassedBeforePlan,
            SkipReason::TooLate,
            SkipReason::ConditionFalse,
        ] {
            assert_eq!(SkipReason::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
    }
}
