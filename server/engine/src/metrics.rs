//! `/metrics` (SPEC §14): the figures an operator's Prometheus scrapes —
//! webhook lag and backlog, the send queue, LINE's errors by kind, each
//! clinic's quota left. Counts and ages only: no names, no message text.

use crate::{Engine, EngineError};
use model::broadcast::Purpose;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// LINE's refusals and failures seen by this instance, by kind.
#[derive(Default)]
pub(crate) struct LineErrorCounts(Mutex<BTreeMap<&'static str, u64>>);

impl Engine {
    /// Counts one error LINE answered (or a call that got no answer).
    pub(crate) fn count_line_error(&self, e: &line::LineError) {
        if matches!(e, line::LineError::RetryKeyAccepted { .. }) {
            return;
        }
        *self
            .line_errors
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(e.kind())
            .or_default() += 1;
    }

    /// The Prometheus text exposition of this installation's figures.
    pub async fn metrics_text(&self) -> Result<String, EngineError> {
        let now = self.now_ms();
        let mut out = String::new();
        let backlog = self.db.inbox_backlog().await?;
        let oldest = self.db.oldest_unprocessed_webhook().await?;
        let (batches, recipients) = self.db.send_queue().await?;
        gauge(
            &mut out,
            "yorisoi_webhook_backlog",
            "Webhook events stored and not yet processed.",
            backlog,
        );
        let _ = writeln!(
            out,
            "# HELP yorisoi_webhook_lag_seconds Age of the oldest unprocessed webhook event.\n# TYPE yorisoi_webhook_lag_seconds gauge\nyorisoi_webhook_lag_seconds {:.3}",
            oldest.map_or(0.0, |at| (now - at).max(0) as f64 / 1000.0)
        );
        gauge(
            &mut out,
            "yorisoi_send_queue_batches",
            "Send batches waiting to go to LINE.",
            batches,
        );
        gauge(
            &mut out,
            "yorisoi_send_queue_recipients",
            "Recipients in the waiting send batches.",
            recipients,
        );
        let _ = writeln!(
            out,
            "# HELP yorisoi_line_errors_total LINE API errors seen by this instance, by kind.\n# TYPE yorisoi_line_errors_total counter"
        );
        for (kind, n) in self.line_errors.0.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(out, "yorisoi_line_errors_total{{kind=\"{kind}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP yorisoi_quota_left Messages left this month under the clinic's LINE plan (absent: no ceiling).\n# TYPE yorisoi_quota_left gauge"
        );
        for channel in self.db.all_channels().await? {
            let Some(clinic) = self.db.clinic(channel.clinic_id).await? else {
                continue;
            };
            if let Some(left) = self.quota_status(channel.clinic_id).await?.left_for(Purpose::Operational) {
                let _ = writeln!(out, "yorisoi_quota_left{{clinic=\"{}\"}} {left}", clinic.public_id);
            }
        }
        Ok(out)
    }
}

fn gauge(out: &mut String, name: &str, help: &str, value: i64) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
}
