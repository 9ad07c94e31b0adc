//! LINE's plans (Japan, since 2023-06, tax excluded) and what a send costs:
//! a table, because LINE changes the numbers (LINE.md "Sending and what it
//! costs").

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// コミュニケーションプラン
    Free,
    /// ライトプラン
    Light,
    /// スタンダードプラン
    Standard,
}

/// One band of Standard's extra messages: up to `up_to` extra messages in
/// the month cost `tenth_yen / 10` yen each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub up_to: i64,
    pub tenth_yen: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanTerms {
    pub plan: Plan,
    pub fee_yen: i64,
    /// Messages included each month.
    pub included: i64,
    /// Whether more can be sent (and paid for) past `included`.
    pub extra: &'static [Band],
}

const STANDARD_BANDS: &[Band] = &[
    Band {
        up_to: 50_000,
        tenth_yen: 30,
    },
    Band {
        up_to: 100_000,
        tenth_yen: 28,
    },
    Band {
        up_to: 200_000,
        tenth_yen: 26,
    },
    Band {
        up_to: 300_000,
        tenth_yen: 24,
    },
    Band {
        up_to: 500_000,
        tenth_yen: 22,
    },
    Band {
        up_to: 1_000_000,
        tenth_yen: 20,
    },
    Band {
        up_to: 2_000_000,
        tenth_yen: 19,
    },
    Band {
        up_to: 3_000_000,
        tenth_yen: 18,
    },
    Band {
        up_to: 5_000_000,
        tenth_yen: 17,
    },
    Band {
        up_to: 10_000_000,
        tenth_yen: 16,
    },
    Band {
        up_to: 30_000_000,
        tenth_yen: 15,
    },
    Band {
        up_to: 50_000_000,
        tenth_yen: 14,
    },
    Band {
        up_to: i64::MAX,
        tenth_yen: 13,
    },
];

pub const PLANS: [PlanTerms; 3] = [
    PlanTerms {
        plan: Plan::Free,
        fee_yen: 0,
        included: 200,
        extra: &[],
    },
    PlanTerms {
        plan: Plan::Light,
        fee_yen: 5_000,
        included: 5_000,
        extra: &[],
    },
    PlanTerms {
        plan: Plan::Standard,
        fee_yen: 15_000,
        included: 30_000,
        extra: STANDARD_BANDS,
    },
];

impl Plan {
    pub fn terms(self) -> PlanTerms {
        PLANS.into_iter().find(|t| t.plan == self).expect("every plan has terms")
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Light => "light",
            Plan::Standard => "standard",
        }
    }

    pub fn parse(s: &str) -> Option<Plan> {
        [Plan::Free, Plan::Light, Plan::Standard].into_iter().find(|p| p.as_str() == s)
    }

    /// The month's ceiling when the plan cannot send more.
    pub fn hard_limit(self) -> Option<i64> {
        let t = self.terms();
        t.extra.is_empty().then_some(t.included)
    }

    /// The plan whose ceiling LINE reports (`GET /v2/bot/message/quota`).
    pub fn from_line_quota(limit: Option<i64>) -> Plan {
        match limit {
            Some(n) if n <= Plan::Free.terms().included => Plan::Free,
            Some(n) if n <= Plan::Light.terms().included => Plan::Light,
            _ => Plan::Standard,
        }
    }
}

/// Yen the extra messages of a send cost: `n` more messages when
/// `used_before` were already sent this month. 0 within the included ones.
pub fn extra_cost_yen(plan: Plan, used_before: i64, n: i64) -> i64 {
    let terms = plan.terms();
    let start = (used_before - terms.included).max(0);
    let end = (used_before + n - terms.included).max(0);
    let mut tenths = 0i64;
    let mut lower = 0i64;
    for band in terms.extra {
        let from = start.max(lower);
        let to = end.min(band.up_to);
        if to > from {
            tenths += (to - from) * band.tenth_yen;
        }
        lower = band.up_to;
        if lower >= end {
            break;
        }
    }
    // LINE rounds each month's bill; a send's share is shown rounded up.
    (tenths + 9) / 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_bands_are_graduated() {
        // LINE.md: 70,000 extra = 50,000 × ¥3 + 20,000 × ¥2.8.
        assert_eq!(extra_cost_yen(Plan::Standard, 0, 100_000), 206_000);
        assert_eq!(extra_cost_yen(Plan::Standard, 29_000, 1_000), 0);
        assert_eq!(extra_cost_yen(Plan::Standard, 29_000, 2_000), 3_000);
        assert_eq!(
            extra_cost_yen(Plan::Standard, 79_999, 2),
            6,
            "¥3 + ¥2.8 across the band's edge, rounded up"
        );
        assert_eq!(extra_cost_yen(Plan::Standard, 80_000, 10), 28, "ten at ¥2.8");
    }

    #[test]
    fn free_and_light_have_ceilings() {
        assert_eq!(Plan::Free.hard_limit(), Some(200));
        assert_eq!(Plan::Light.hard_limit(), Some(5_000));
        assert_eq!(Plan::Standard.hard_limit(), None);
        assert_eq!(extra_cost_yen(Plan::Light, 4_000, 2_000), 0);
        assert_eq!(Plan::from_line_quota(Some(200)), Plan::Free);
        assert_eq!(Plan::from_line_quota(Some(5_000)), Plan::Light);
        assert_eq!(Plan::from_line_quota(None), Plan::Standard);
    }
}
