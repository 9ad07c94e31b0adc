//! 配信: the history of sends, the composer (1–5 bubbles with a live phone
//! preview, LINE's limits and the advertising check as the user types, the
//! audience, the cost before sending), a send's live progress, and the
//! month's quota.
//!
//! The composer keeps the draft in the browser's storage as it is typed, so
//! a refused send, a reload or a closed tab loses nothing.

mod audience;
mod composer;
mod detail;
mod list;
mod quota;

pub use composer::ComposerPage;
pub use detail::BroadcastPage;
pub use list::BroadcastsPage;
pub use quota::{QuotaGlance, QuotaPage};

use crate::api::broadcasts::BroadcastSummary;
use crate::i18n::{t, Lang};
use model::broadcast::BroadcastStatus;

pub(crate) fn status_label(lang: Lang, s: BroadcastStatus) -> String {
    t(lang, &format!("bc.status_{}", s.as_str()))
}

/// Why a send is held, paused or stopped, in words.
fn reason_text(lang: Lang, b: &BroadcastSummary) -> String {
    let r = b.reason.as_str();
    if let Some(n) = r.strip_prefix("quota_shortfall:") {
        return t(lang, "bc.reason_quota_shortfall").replace("{n}", n);
    }
    match r {
        "" => String::new(),
        "quiet_hours" => t(lang, "bc.reason_quiet_hours").replace("{at}", &b.resume_at),
        "monthly_limit" | "repeated_failures" | "by_staff" | "channel_changed" => t(lang, &format!("bc.reason_{r}")),
        _ => t(lang, "bc.reason_line"),
    }
}

fn percent(b: &BroadcastSummary) -> i64 {
    if b.total > 0 {
        (b.delivered + b.failed) * 100 / b.total
    } else {
        0
    }
}
