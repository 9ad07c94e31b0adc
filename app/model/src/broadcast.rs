//! What a send is about, shared by the composer and the engine: its
//! audience, its purpose, its states, quiet hours and the JST month.

use serde::{Deserialize, Serialize};

/// Who a send goes to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    All,
    /// A saved segment, by its public ID.
    Segment {
        segment: String,
    },
    /// Friends with any (or, with `all`, every one) of these tags.
    Tags {
        tags: Vec<String>,
        all: bool,
    },
    /// An uploaded list of patient numbers (診察券番号).
    Patients {
        numbers: Vec<String>,
    },
}

/// Marketing sends obey quiet hours, the frequency cap and the marketing
/// opt-out; operational ones (reminders, notices about a patient's own
/// care) do not, and may use the quota reserve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Marketing,
    Operational,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Marketing => "marketing",
            Purpose::Operational => "operational",
        }
    }
    pub fn parse(s: &str) -> Option<Purpose> {
        match s {
            "marketing" => Some(Purpose::Marketing),
            "operational" => Some(Purpose::Operational),
            _ => None,
        }
    }
}

/// Where a send is in its life, the same in the database, the engine, the
/// server functions and the pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BroadcastStatus {
    AwaitingApproval,
    Scheduled,
    Sending,
    /// Waiting for quiet hours to end.
    Held,
    Paused,
    Done,
    Cancelled,
    /// Ended by the product (LINE's monthly limit, a refused request).
    Stopped,
}

impl BroadcastStatus {
    pub const ALL: [BroadcastStatus; 8] = [
        BroadcastStatus::AwaitingApproval,
        BroadcastStatus::Scheduled,
        BroadcastStatus::Sending,
        BroadcastStatus::Held,
        BroadcastStatus::Paused,
        BroadcastStatus::Done,
        BroadcastStatus::Cancelled,
        BroadcastStatus::Stopped,
    ];

    /// The word stored in the database (and used in CSS classes and i18n keys).
    pub fn as_str(self) -> &'static str {
        match self {
            BroadcastStatus::AwaitingApproval => "awaiting_approval",
            BroadcastStatus::Scheduled => "scheduled",
            BroadcastStatus::Sending => "sending",
            BroadcastStatus::Held => "held",
            BroadcastStatus::Paused => "paused",
            BroadcastStatus::Done => "done",
            BroadcastStatus::Cancelled => "cancelled",
            BroadcastStatus::Stopped => "stopped",
        }
    }

    pub fn parse(s: &str) -> Option<BroadcastStatus> {
        BroadcastStatus::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// No more will be sent.
    pub fn is_final(self) -> bool {
        matches!(self, BroadcastStatus::Done | BroadcastStatus::Cancelled | BroadcastStatus::Stopped)
    }
}

/// A stored word this build does not know (read from a newer database).
#[derive(Debug)]
pub struct UnknownWord {
    pub what: &'static str,
    pub word: String,
}

impl std::fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?}", self.what, self.word)
    }
}

impl std::error::Error for UnknownWord {}

/// How the store reads the column (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for BroadcastStatus {
    type Error = UnknownWord;
    fn try_from(word: String) -> Result<Self, UnknownWord> {
        BroadcastStatus::parse(&word).ok_or(UnknownWord {
            what: "broadcast status",
            word,
        })
    }
}

impl TryFrom<String> for Purpose {
    type Error = UnknownWord;
    fn try_from(word: String) -> Result<Self, UnknownWord> {
        Purpose::parse(&word).ok_or(UnknownWord { what: "purpose", word })
    }
}

/// What staff can do to a send once it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BroadcastAct {
    Pause,
    Resume,
    Cancel,
    Approve,
}

const MINUTE_MS: i64 = 60_000;
const DAY_MINUTES: i64 = 24 * 60;
const JST_OFFSET_MS: i64 = 9 * 3_600_000;

/// Minutes after midnight in Japan.
pub fn jst_minute_of_day(ms: i64) -> i64 {
    (ms + JST_OFFSET_MS).div_euclid(MINUTE_MS).rem_euclid(DAY_MINUTES)
}

/// The quota month (`2026-12`): the calendar month in Japan.
pub fn jst_month(ms: i64) -> String {
    let d = crate::segment::Date::jst_of_ms(ms);
    format!("{:04}-{:02}", d.y, d.m)
}

/// Quiet hours from `start` to `end` (minutes after midnight, JST; the
/// window may cross midnight; `start == end` means none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start: i64,
    pub end: i64,
}

impl Default for QuietHours {
    /// 21:00–08:00.
    fn default() -> Self {
        QuietHours {
            start: 21 * 60,
            end: 8 * 60,
        }
    }
}

impl QuietHours {
    pub fn contains(self, ms: i64) -> bool {
        let m = jst_minute_of_day(ms);
        match self.start.cmp(&self.end) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => m >= self.start && m < self.end,
            std::cmp::Ordering::Greater => m >= self.start || m < self.end,
        }
    }

    /// When sending may go on: `ms` itself outside quiet hours, else the
    /// next end of the window.
    pub fn next_open(self, ms: i64) -> i64 {
        if !self.contains(ms) {
            return ms;
        }
        let m = jst_minute_of_day(ms);
        let wait_minutes = (self.end - m).rem_euclid(DAY_MINUTES);
        let minute_start = ms - (ms + JST_OFFSET_MS).rem_euclid(MINUTE_MS);
        minute_start + wait_minutes * MINUTE_MS
    }

    /// `21:00` style.
    pub fn hhmm(minutes: i64) -> String {
        format!("{:02}:{:02}", minutes / 60, minutes % 60)
    }

    /// Parses `21:00`.
    pub fn parse_hhmm(s: &str) -> Option<i64> {
        let (h, m) = s.trim().split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
    }
}

/// `2026-12-05T10:00` (an `<input type="datetime-local">` value) read as
/// Japan time, in ms.
pub fn parse_jst_local(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once('T')?;
    let days = crate::segment::Date::parse(date)?.days_from_epoch();
    let minutes = QuietHours::parse_hhmm(time.get(..5)?)?;
    Some(days * 86_400_000 + minutes * MINUTE_MS - JST_OFFSET_MS)
}

/// The `datetime-local` value of `ms` in Japan time.
pub fn jst_local(ms: i64) -> String {
    let d = crate::segment::Date::jst_of_ms(ms);
    let m = jst_minute_of_day(ms);
    format!("{:04}-{:02}-{:02}T{}", d.y, d.m, d.d, QuietHours::hhmm(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The acts travel by name (a form field, a query string); the names
    /// are the contract with the page.
    #[test]
    fn acts_travel_by_their_names() {
        for (act, name) in [
            (BroadcastAct::Pause, "pause"),
            (BroadcastAct::Resume, "resume"),
            (BroadcastAct::Cancel, "cancel"),
            (BroadcastAct::Approve, "approve"),
        ] {
            assert_eq!(serde_json::to_value(act).unwrap(), name);
            assert_eq!(serde_json::from_value::<BroadcastAct>(name.into()).unwrap(), act);
        }
        assert!(serde_json::from_value::<BroadcastAct>("delete".into()).is_err());
    }

    /// The stored word, the JSON word and the parsed value agree for every
    /// status; a word from elsewhere is refused, not guessed.
    #[test]
    fn statuses_are_stored_and_sent_by_one_name() {
        for s in BroadcastStatus::ALL {
            assert_eq!(BroadcastStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(BroadcastStatus::try_from(s.as_str().to_string()).unwrap(), s);
        }
        assert!(BroadcastStatus::try_from("sent".to_string()).is_err());
        let finals: Vec<_> = BroadcastStatus::ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(
            finals,
            [BroadcastStatus::Done, BroadcastStatus::Cancelled, BroadcastStatus::Stopped]
        );
    }

    /// 2026-12-01 00:00 JST.
    const DEC_1_JST: i64 = 1_796_050_800_000;

    fn at(h: i64, m: i64) -> i64 {
        DEC_1_JST + (h * 60 + m) * MINUTE_MS
    }

    #[test]
    fn quiet_hours_cross_midnight_in_japan() {
        let q = QuietHours::default();
        assert!(!q.contains(at(20, 59)));
        assert!(q.contains(at(21, 0)));
        assert!(q.contains(at(21, 1)));
        assert!(q.contains(at(7, 59)));
        assert!(!q.contains(at(8, 0)));
        assert_eq!(q.next_open(at(20, 59)), at(20, 59));
        assert_eq!(q.next_open(at(21, 1) + 30_000), at(24 + 8, 0), "the next morning at 08:00");
        assert_eq!(q.next_open(at(3, 0)), at(8, 0), "the same morning");
        assert!(!QuietHours { start: 600, end: 600 }.contains(at(10, 0)));
        assert!(QuietHours {
            start: 12 * 60,
            end: 13 * 60
        }
        .contains(at(12, 30)));
    }

    #[test]
    fn months_and_times_are_japanese() {
        assert_eq!(jst_month(DEC_1_JST), "2026-12");
        assert_eq!(jst_month(DEC_1_JST - 1), "2026-11");
        assert_eq!(QuietHours::parse_hhmm("21:00"), Some(1260));
        assert_eq!(QuietHours::parse_hhmm("24:00"), None);
        assert_eq!(QuietHours::hhmm(480), "08:00");
        assert_eq!(parse_jst_local("2026-12-01T00:00"), Some(DEC_1_JST));
        assert_eq!(parse_jst_local("2026-12-01T21:30"), Some(at(21, 30)));
        assert_eq!(jst_local(at(21, 30)), "2026-12-01T21:30");
        assert_eq!(parse_jst_local("2026-13-01T10:00"), None);
    }
}
