//! The month's messages (SPEC §5): the ledger's figures, reconciliation
//! with LINE's own count, the forecast, and the clinic's delivery settings.

use crate::audit::Event;
use crate::{Actor, Engine, EngineError};
use model::adcheck::{rule_problem, AdRule};
use model::broadcast::{jst_month, Purpose, QuietHours};
use model::plan::Plan;
use model::segment::Date;
use model::Permission;
use store::{DeliverySettingsRow, QuotaEntryRow};

/// The month as the ledger has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaStatus {
    pub month: String,
    pub plan: Plan,
    /// The most the month may hold; `None` on Standard without a cap.
    pub ceiling: Option<i64>,
    pub used: i64,
    pub reserved: i64,
    /// Counted by LINE beyond our own sends.
    pub outside: i64,
    /// Kept for operational sends.
    pub operational_reserve: i64,
    pub reconciled_at: Option<i64>,
}

impl QuotaStatus {
    pub fn taken(&self) -> i64 {
        self.used + self.reserved + self.outside
    }

    /// The ceiling a send of this purpose may fill up to.
    pub fn ceiling_for(&self, purpose: Purpose) -> Option<i64> {
        self.ceiling.map(|c| match purpose {
            Purpose::Marketing => (c - self.operational_reserve).max(0),
            Purpose::Operational => c,
        })
    }

    /// What a send of this purpose may still use.
    pub fn left_for(&self, purpose: Purpose) -> Option<i64> {
        self.ceiling_for(purpose).map(|c| (c - self.taken()).max(0))
    }

    /// Share of the ceiling taken, in percent (0 without a ceiling).
    pub fn percent(&self) -> i64 {
        match self.ceiling {
            Some(c) if c > 0 => self.taken() * 100 / c,
            _ => 0,
        }
    }

    /// `None`, or the 80 % or 95 % warning.
    pub fn warning(&self) -> Option<i64> {
        let p = self.percent();
        if p >= 95 {
            Some(95)
        } else if p >= 80 {
            Some(80)
        } else {
            None
        }
    }
}

/// The quota page.
#[derive(Clone, Debug)]
pub struct QuotaReport {
    pub status: QuotaStatus,
    /// Messages scheduled sends will use by month end.
    pub scheduled: i64,
    /// The JST date the ceiling is reached at this month's pace, if it is
    /// within the month.
    pub runs_out_on: Option<String>,
    /// Messages a day so far this month.
    pub per_day: i64,
    pub entries: Vec<QuotaEntryRow>,
}

/// Delivery settings as the settings page edits them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliverySettings {
    pub quiet: QuietHours,
    pub frequency_cap: i64,
    pub operational_reserve: i64,
    pub require_ad_approval: bool,
    pub ad_rules: Vec<AdRule>,
}

fn days_in_month(d: Date) -> u32 {
    (28..=31).rev().find(|n| Date::new(d.y, d.m, *n).is_some()).unwrap_or(28)
}

/// When a single push fails, whether its reservation waits for a retry.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnFailure {
    /// The same push is tried again later with the same retry key (an
    /// automation run): the reservation stays for it to settle.
    KeepForRetry,
    /// Nobody retries it (a test send): released at once; should LINE
    /// have taken it after all, reconciliation counts it.
    Release,
}

/// The ledger's name for a single push: its retry key, so a resumed
/// attempt finds its own reservation.
pub(crate) fn single_send_source(retry_key: &str) -> String {
    format!("push:{retry_key}")
}

impl Engine {
    /// One push outside a broadcast (an automation's, a test send), under
    /// the month's ceiling like any send: reserved in the ledger before
    /// LINE is called and settled after, once per retry key, so a crash in
    /// between leaves a reservation that the retry (answered 409) settles.
    pub(crate) async fn push_counted(
        &self,
        clinic_id: i64,
        client: &line::Client,
        to: &str,
        messages: &[line::message::Message],
        retry_key: &str,
        on_failure: OnFailure,
    ) -> Result<(), EngineError> {
        let now = self.now_ms();
        let source = single_send_source(retry_key);
        let ceiling = self.quota_status(clinic_id).await?.ceiling_for(Purpose::Operational);
        if !self
            .db
            .reserve_single_send(clinic_id, &jst_month(now), &source, ceiling, now)
            .await?
        {
            return Err(EngineError::QuotaShortfall { needed: 1, left: 0 });
        }
        let options = line::SendOptions {
            retry_key: Some(retry_key),
            ..Default::default()
        };
        let sent = client.push(to, messages, &options).await;
        if let Err(e) = &sent {
            self.count_line_error(e);
        }
        let delivered = matches!(sent, Ok(_) | Err(line::LineError::RetryKeyAccepted { .. }));
        // A refusal is final; an unanswered push may still have gone out.
        let unanswered = matches!(&sent, Err(e) if e.is_transient());
        if delivered || !unanswered || on_failure == OnFailure::Release {
            self.db.settle_single_send(clinic_id, &source, delivered, self.now_ms()).await?;
        }
        match sent {
            Ok(_) | Err(line::LineError::RetryKeyAccepted { .. }) => Ok(()),
            Err(e) => Err(EngineError::LineSend(e)),
        }
    }

    pub async fn quota_status(&self, clinic_id: i64) -> Result<QuotaStatus, EngineError> {
        let month = jst_month(self.now_ms());
        let settings = self.db.delivery_settings(clinic_id).await?;
        let row = self.db.quota_month(clinic_id, &month).await?;
        let plan = Plan::parse(&settings.plan).unwrap_or(Plan::Light);
        Ok(QuotaStatus {
            month,
            plan,
            ceiling: settings.line_limit.or(plan.hard_limit()),
            used: row.used,
            reserved: row.reserved,
            outside: row.outside,
            operational_reserve: settings.operational_reserve,
            reconciled_at: row.reconciled_at,
        })
    }

    /// Reads LINE's ceiling and count for the month: what LINE counts
    /// beyond the product's own settled sends (LINE's own app, another
    /// tool) is recorded as `outside`; the plan follows LINE's ceiling.
    pub async fn reconcile_quota(&self, clinic_id: i64) -> Result<(), EngineError> {
        let client = self.line_client(clinic_id).await?;
        let limit = match client.quota().await.map_err(EngineError::LineSend)? {
            line::client::Quota::Limited(n) => Some(n),
            line::client::Quota::Unlimited => None,
        };
        let total = client.quota_consumption().await.map_err(EngineError::LineSend)?;
        let now = self.now_ms();
        let month = jst_month(now);
        let mut settings = self.db.delivery_settings(clinic_id).await?;
        let plan = Plan::from_line_quota(limit);
        if settings.line_limit != limit || settings.plan != plan.as_str() {
            settings.line_limit = limit;
            settings.plan = plan.as_str().into();
            settings.updated_at = now;
            self.db.save_delivery_settings(&settings, None).await?;
        }
        let row = self.db.quota_month(clinic_id, &month).await?;
        self.db.set_quota_outside(clinic_id, &month, (total - row.used).max(0), now).await?;
        Ok(())
    }

    pub async fn quota_report(&self, actor: &Actor) -> Result<QuotaReport, EngineError> {
        actor.require(Permission::ViewClinic)?;
        if let Err(e) = self.reconcile_quota(actor.clinic_id).await {
            tracing::info!(error = e.code(), "could not reconcile the quota with LINE");
        }
        let status = self.quota_status(actor.clinic_id).await?;
        let now = self.now_ms();
        let today = Date::jst_of_ms(now);
        let month_end_day = days_in_month(today);
        let month_end_ms = now + (i64::from(month_end_day - today.d) + 1) * 86_400_000;
        let mut scheduled = 0;
        for b in self.db.scheduled_broadcasts(actor.clinic_id).await? {
            if b.scheduled_at.is_some_and(|at| at < month_end_ms) {
                let Ok(audience) = serde_json::from_str(&b.audience) else {
                    continue;
                };
                if let Ok(r) = self.fix_recipients(actor.clinic_id, &audience, b.purpose).await {
                    scheduled += r.list.len() as i64;
                }
            }
        }
        let days_so_far = i64::from(today.d);
        let per_day = (status.used + status.outside) / days_so_far.max(1);
        let runs_out_on = match (status.ceiling, per_day) {
            (Some(c), p) if p > 0 => {
                let left = c - status.taken();
                let days = if left <= 0 { 0 } else { (left + p - 1) / p };
                let day = i64::from(today.d) + days;
                (day <= i64::from(month_end_day)).then(|| format!("{:04}-{:02}-{:02}", today.y, today.m, day))
            }
            _ => None,
        };
        let entries = self.db.quota_entries(actor.clinic_id, &status.month, 50).await?;
        Ok(QuotaReport {
            status,
            scheduled,
            runs_out_on,
            per_day,
            entries,
        })
    }

    pub async fn delivery_settings(&self, actor: &Actor) -> Result<DeliverySettings, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self.db.delivery_settings(actor.clinic_id).await?;
        Ok(DeliverySettings {
            quiet: row.quiet(),
            frequency_cap: row.frequency_cap,
            operational_reserve: row.operational_reserve,
            require_ad_approval: row.require_ad_approval != 0,
            ad_rules: serde_json::from_str(&row.ad_rules).map_err(|_| EngineError::Corrupt)?,
        })
    }

    /// Saves the delivery settings (owner and admin). The plan is not among
    /// them: it is LINE's, read back from LINE.
    pub async fn save_delivery_settings(&self, actor: &Actor, s: &DeliverySettings) -> Result<(), EngineError> {
        actor.require(Permission::ManageClinic)?;
        let valid_minutes = |m: i64| (0..24 * 60).contains(&m);
        if !valid_minutes(s.quiet.start)
            || !valid_minutes(s.quiet.end)
            || !(0..=100).contains(&s.frequency_cap)
            || s.operational_reserve < 0
            || s.ad_rules.iter().any(|r| rule_problem(r).is_some())
        {
            return Err(EngineError::InvalidDeliverySettings);
        }
        let mut row: DeliverySettingsRow = self.db.delivery_settings(actor.clinic_id).await?;
        row.quiet_start = s.quiet.start;
        row.quiet_end = s.quiet.end;
        row.frequency_cap = s.frequency_cap;
        row.operational_reserve = s.operational_reserve;
        row.require_ad_approval = i64::from(s.require_ad_approval);
        row.ad_rules = serde_json::to_string(&s.ad_rules).map_err(|_| EngineError::Corrupt)?;
        row.updated_at = self.now_ms();
        let audit = self.audit(Event::by(actor, "delivery.settings_saved", String::new(), String::new()));
        self.db.save_delivery_settings(&row, Some(&audit)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(ceiling: Option<i64>, used: i64, reserved: i64, reserve: i64) -> QuotaStatus {
        QuotaStatus {
            month: "2026-12".into(),
            plan: Plan::Light,
            ceiling,
            used,
            reserved,
            outside: 0,
            operational_reserve: reserve,
            reconciled_at: None,
        }
    }

    #[test]
    fn marketing_cannot_eat_the_operational_reserve() {
        let s = status(Some(5_000), 4_000, 500, 300);
        assert_eq!(s.left_for(Purpose::Operational), Some(500));
        assert_eq!(s.left_for(Purpose::Marketing), Some(200));
        assert_eq!(s.warning(), Some(80));
        assert_eq!(status(Some(200), 190, 0, 0).warning(), Some(95));
        assert_eq!(status(None, 90_000, 0, 0).left_for(Purpose::Marketing), None);
        assert_eq!(days_in_month(Date::new(2028, 2, 1).unwrap()), 29);
    }
}
