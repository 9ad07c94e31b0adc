//! Opens from LINE (SPEC §10). A send's pushes and multicasts carry a
//! custom aggregation unit of its own (`bc{id}`; LINE counts at most 1,000
//! names a month, and a send past them goes without one); for 30 days after
//! the send LINE is asked what it counted, within its insight limit (60
//! requests an hour, shared by every instance). LINE hides figures under
//! 20 people: they stay `None` and show as 「20人未満」, while our own
//! click counts stay exact.

use crate::{Engine, EngineError};
use model::broadcast::jst_month;
use model::line_limits::insight_date;
use model::link::LinkSource;

/// LINE is asked about a send this long after it.
pub const WATCH_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;
/// LINE's figures are ready about a day after a send; asking first after an
/// hour shows the early ones, then every six hours.
const FIRST_ASK_AFTER_MS: i64 = 3_600_000;
const ASK_AGAIN_AFTER_MS: i64 = 6 * 3_600_000;
const RETRY_AFTER_MS: i64 = 3_600_000;
const PATH: &str = "/v2/bot/insight/message/event/aggregation";

/// What LINE counted of a send, once asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opens {
    /// LINE has answered at least once.
    pub asked: bool,
    /// People who opened it; `None` when fewer than 20 (or not asked).
    pub opened: Option<i64>,
}

fn unit_name(source: LinkSource, source_id: i64) -> String {
    match source {
        LinkSource::Broadcast => format!("bc{source_id}"),
        LinkSource::SequenceStep => format!("st{source_id}"),
    }
}

impl Engine {
    /// The aggregation unit a send carries this month, its figures then
    /// watched; `None` past the month's 1,000 names.
    pub(crate) async fn aggregation_unit(&self, clinic_id: i64, source: LinkSource, source_id: i64) -> Result<Option<String>, EngineError> {
        let now = self.now_ms();
        let unit = unit_name(source, source_id);
        if !self.db.use_aggregation_unit(clinic_id, &jst_month(now), &unit).await? {
            return Ok(None);
        }
        self.db
            .watch_insight(clinic_id, source, source_id, &unit, now, now + FIRST_ASK_AFTER_MS)
            .await?;
        Ok(Some(unit))
    }

    /// Asks LINE about the sends that are due, within its limit; how many
    /// were answered.
    pub async fn sync_insights_once(&self) -> Result<usize, EngineError> {
        let now = self.now_ms();
        let mut answered = 0;
        for row in self.db.insights_due(now, now - WATCH_DAYS * DAY_MS, 20).await? {
            if let Some(wait_ms) = self.try_take_rate(row.clinic_id, "GET", PATH).await? {
                self.db.postpone_insight(row.id, now + wait_ms).await?;
                continue;
            }
            let client = match self.line_client(row.clinic_id).await {
                Ok(c) => c,
                Err(_) => {
                    self.db.postpone_insight(row.id, now + RETRY_AFTER_MS).await?;
                    continue;
                }
            };
            let from = insight_date(row.first_sent_at);
            let to = insight_date(now.min(row.first_sent_at + (WATCH_DAYS - 1) * DAY_MS));
            match client.unit_reception(&row.unit, &from, &to).await {
                Ok(r) => {
                    self.db
                        .record_insight(row.id, r.unique_impression, r.unique_click, now, now + ASK_AGAIN_AFTER_MS)
                        .await?;
                    answered += 1;
                }
                Err(e) => {
                    self.count_line_error(&e);
                    tracing::info!(reason = e.kind(), "LINE's statistics could not be read; asking again later");
                    self.db.postpone_insight(row.id, now + RETRY_AFTER_MS).await?;
                }
            }
        }
        Ok(answered)
    }

    /// What LINE counted of one send (the caller found it in its clinic).
    pub(crate) async fn opens_of(&self, clinic_id: i64, source: LinkSource, source_id: i64) -> Result<Opens, EngineError> {
        Ok(match self.db.insight_of(clinic_id, source, source_id).await? {
            Some(r) => Opens {
                asked: r.synced_at.is_some(),
                opened: r.opened,
            },
            None => Opens {
                asked: false,
                opened: None,
            },
        })
    }
}
