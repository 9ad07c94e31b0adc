//! The clinic's month at a glance (SPEC §10): the first screen each
//! morning. Every figure is counted when asked (nothing stale).

use crate::authz::Actor;
use crate::{Engine, EngineError};
use chrono::{Datelike, TimeZone};
use model::appointment::jst_midnight;
use model::Permission;
use store::{BroadcastRow, FriendDay};

/// Up to this many of the newest sends are shown.
const RECENT_SENDS: i64 = 5;
/// Automations that failed this recently are shown.
const FAILED_RUNS_DAYS: i64 = 7;

pub struct Dashboard {
    /// The Japan-time month: 「2026年12月」 is `(2026, 12)`.
    pub year: i32,
    pub month: u32,
    /// Each day of the month so far, from the 1st, with its follows,
    /// unblocks and blocks (days without any are zero).
    pub days: Vec<FriendDay>,
    pub following: i64,
    pub recent_sends: Vec<(BroadcastRow, i64)>,
    pub enrolled: i64,
    pub steps_sent_today: i64,
    pub failed_runs: i64,
    pub awaiting_approval: i64,
}

impl Dashboard {
    pub fn followed(&self) -> i64 {
        self.days.iter().map(|d| d.followed).sum()
    }
    pub fn unblocked(&self) -> i64 {
        self.days.iter().map(|d| d.unblocked).sum()
    }
    pub fn blocked(&self) -> i64 {
        self.days.iter().map(|d| d.blocked).sum()
    }
    /// Friends gained less friends lost this month.
    pub fn net(&self) -> i64 {
        self.followed() + self.unblocked() - self.blocked()
    }
}

/// The Japan-time start of the month of `ms`, with its year and month.
fn jst_month_start(ms: i64) -> (i64, i32, u32) {
    let tz = chrono_tz::Asia::Tokyo;
    let now = tz
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(|| tz.timestamp_millis_opt(0).unwrap());
    let first = tz
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .map_or(jst_midnight(ms), |d| d.timestamp_millis());
    (first, now.year(), now.month())
}

impl Engine {
    pub async fn dashboard(&self, actor: &Actor) -> Result<Dashboard, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let now = self.now_ms();
        let (start, year, month) = jst_month_start(now);
        let today = jst_midnight(now);
        let first_day = (start + 9 * 3_600_000) / 86_400_000;
        let last_day = (today + 9 * 3_600_000) / 86_400_000;
        let counted = self.db.friend_days(actor.clinic_id, start).await?;
        let days = (first_day..=last_day)
            .map(|day| {
                counted
                    .iter()
                    .find(|d| d.day == day)
                    .cloned()
                    .unwrap_or(FriendDay { day, ..Default::default() })
            })
            .collect();
        let rows = self.db.broadcasts(actor.clinic_id, RECENT_SENDS).await?;
        let clickers = self.broadcast_clickers(actor, &rows.iter().collect::<Vec<_>>()).await?;
        let recent_sends = rows
            .into_iter()
            .map(|r| {
                let n = clickers.get(&r.id).copied().unwrap_or(0);
                (r, n)
            })
            .collect();
        Ok(Dashboard {
            year,
            month,
            days,
            following: self.db.following_patients(actor.clinic_id).await?,
            recent_sends,
            enrolled: self.db.clinic_active_enrolments(actor.clinic_id).await?,
            steps_sent_today: self.db.steps_sent_since(actor.clinic_id, today).await?,
            failed_runs: self
                .db
                .failed_runs_since(actor.clinic_id, now - FAILED_RUNS_DAYS * 86_400_000)
                .await?,
            awaiting_approval: self.db.sends_awaiting_approval(actor.clinic_id).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_starts_at_japan_midnight_on_the_first() {
        // 2026-12-01 00:30 JST is 2026-11-30 15:30 UTC: December already.
        let ms = chrono::Utc.with_ymd_and_hms(2026, 11, 30, 15, 30, 0).unwrap().timestamp_millis();
        let (start, y, m) = jst_month_start(ms);
        assert_eq!((y, m), (2026, 12));
        assert_eq!(
            start,
            chrono::Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap().timestamp_millis()
        );
    }
}
