//! The medical advertising check (医療広告ガイドライン, SPEC §4): wording a
//! clinic may not use in advertising, found in a message with the reason.
//! The rules are data: the defaults below plus the clinic's own, which an
//! admin adds on the settings page.

use crate::message::Bundle;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdCategory {
    /// 比較優良広告: claiming to be better than other clinics.
    Superiority,
    /// 誇大広告: promising results.
    Exaggeration,
    /// 体験談: patients' own accounts of treatment.
    Testimonial,
    /// 術前術後の写真: before/after pictures without the required notes.
    BeforeAfter,
    /// 費用を強調した広告: price lures.
    PriceLure,
}

impl AdCategory {
    pub const ALL: [AdCategory; 5] = [
        AdCategory::Superiority,
        AdCategory::Exaggeration,
        AdCategory::Testimonial,
        AdCategory::BeforeAfter,
        AdCategory::PriceLure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdCategory::Superiority => "superiority",
            AdCategory::Exaggeration => "exaggeration",
            AdCategory::Testimonial => "testimonial",
            AdCategory::BeforeAfter => "before_after",
            AdCategory::PriceLure => "price_lure",
        }
    }

    pub fn parse(s: &str) -> Option<AdCategory> {
        AdCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One phrase to look for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdRule {
    pub phrase: String,
    pub category: AdCategory,
    /// Why, in the staff's words (shown beside the highlight).
    #[serde(default)]
    pub note: String,
    /// The phrase is fine when the message also says every one of these
    /// (before/after pictures are allowed with the treatment, its cost and
    /// its risks stated).
    #[serde(default)]
    pub unless_all: Vec<String>,
}

impl AdRule {
    fn new(phrase: &str, category: AdCategory) -> AdRule {
        AdRule {
            phrase: phrase.into(),
            category,
            note: String::new(),
            unless_all: vec![],
        }
    }
}

/// The notes that make a before/after picture acceptable.
pub const BEFORE_AFTER_NOTES: [&str; 3] = ["治療内容", "費用", "リスク"];

/// The rules every clinic starts with.
pub fn default_rules() -> Vec<AdRule> {
    use AdCategory::*;
    let mut rules: Vec<AdRule> = Vec::new();
    for p in [
        "日本一",
        "地域一番",
        "No.1",
        "ナンバーワン",
        "最高",
        "最先端",
        "他院より",
        "どこよりも",
    ] {
        rules.push(AdRule::new(p, Superiority));
    }
    for p in [
        "絶対",
        "必ず治る",
        "確実に治",
        "100%",
        "完治",
        "副作用なし",
        "痛みゼロ",
        "失敗しない",
    ] {
        rules.push(AdRule::new(p, Exaggeration));
    }
    for p in ["体験談", "患者様の声", "口コミ", "感想をいただきました"] {
        rules.push(AdRule::new(p, Testimonial));
    }
    for p in ["ビフォーアフター", "before/after", "施術前後", "術前術後"] {
        let mut r = AdRule::new(p, BeforeAfter);
        r.unless_all = BEFORE_AFTER_NOTES.iter().map(|s| s.to_string()).collect();
        rules.push(r);
    }
    for p in ["今なら半額", "半額", "期間限定", "今だけ", "無料キャンペーン", "割引"] {
        rules.push(AdRule::new(p, PriceLure));
    }
    rules
}

/// A phrase found, in characters of the text it is in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdFlag {
    /// Where in the bundle (`bubbles.0.text`).
    pub at: String,
    pub start: usize,
    pub end: usize,
    pub phrase: String,
    pub category: AdCategory,
    pub note: String,
}

/// Folds what staff type in either width or case to one form, one
/// character for one character (so positions carry over): Ｎｏ．１ and
/// no.1 both read No.1.
fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

fn folded(s: &str) -> Vec<char> {
    s.chars().map(fold).collect()
}

fn find_all(hay: &[char], needle: &[char]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return vec![];
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| hay[i..i + needle.len()] == *needle)
        .collect()
}

/// The flags of one text, in the order they appear. Overlapping phrases
/// (半額 inside 今なら半額) are reported once, by the longer.
pub fn check_text(at: &str, text: &str, whole_message: &str, rules: &[AdRule]) -> Vec<AdFlag> {
    let hay = folded(text);
    let whole = folded(whole_message);
    let mut flags: Vec<AdFlag> = Vec::new();
    for rule in rules {
        let lifted = !rule.unless_all.is_empty() && rule.unless_all.iter().all(|n| !find_all(&whole, &folded(n)).is_empty());
        if lifted {
            continue;
        }
        let needle = folded(&rule.phrase);
        for start in find_all(&hay, &needle) {
            flags.push(AdFlag {
                at: at.to_string(),
                start,
                end: start + needle.len(),
                phrase: rule.phrase.clone(),
                category: rule.category,
                note: rule.note.clone(),
            });
        }
    }
    flags.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut kept: Vec<AdFlag> = Vec::new();
    for f in flags {
        if kept.last().is_some_and(|k| f.start < k.end) {
            continue;
        }
        kept.push(f);
    }
    kept
}

/// Every flag of a bundle.
pub fn check_bundle(bundle: &Bundle, rules: &[AdRule]) -> Vec<AdFlag> {
    let texts = bundle.readable_texts();
    let whole: String = texts.iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\n");
    texts.iter().flat_map(|(at, t)| check_text(at, t, &whole, rules)).collect()
}

/// Problems of a rule an admin adds.
pub fn rule_problem(rule: &AdRule) -> Option<&'static str> {
    let n = rule.phrase.trim().chars().count();
    if n == 0 {
        Some("empty")
    } else if n > 40 {
        Some("too_long")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_category_is_caught_with_its_place() {
        let rules = default_rules();
        let flags = check_text("t", "当院は地域一番の実績。必ず治る治療を今なら半額で", "", &rules);
        let got: Vec<(&str, AdCategory, usize, usize)> = flags.iter().map(|f| (f.phrase.as_str(), f.category, f.start, f.end)).collect();
        assert_eq!(
            got,
            vec![
                ("地域一番", AdCategory::Superiority, 3, 7),
                ("必ず治る", AdCategory::Exaggeration, 11, 15),
                ("今なら半額", AdCategory::PriceLure, 18, 23),
            ]
        );
        assert_eq!(
            check_text("t", "患者様の声をご紹介", "", &rules)[0].category,
            AdCategory::Testimonial
        );
        assert!(check_text("t", "インフルエンザ予防接種のご案内です", "", &rules).is_empty());
    }

    #[test]
    fn width_and_case_do_not_hide_a_phrase() {
        let rules = default_rules();
        let f = check_text("t", "満足度ＮＯ．１", "", &rules);
        assert_eq!((f[0].phrase.as_str(), f[0].start, f[0].end), ("No.1", 3, 7));
        assert_eq!(check_text("t", "効果は１００％", "", &rules)[0].category, AdCategory::Exaggeration);
    }

    #[test]
    fn before_after_is_fine_with_the_required_notes() {
        let rules = default_rules();
        let bare = Bundle::texts(&["ビフォーアフター写真を公開"]);
        assert_eq!(check_bundle(&bare, &rules)[0].category, AdCategory::BeforeAfter);
        let noted = Bundle::texts(&[
            "ビフォーアフター写真を公開",
            "治療内容: 歯列矯正 / 費用: 80万円 / リスク: 痛み・後戻り",
        ]);
        assert!(check_bundle(&noted, &rules).is_empty());
    }

    #[test]
    fn a_clinic_can_add_a_rule() {
        let mut rules = default_rules();
        assert!(check_text("t", "奇跡の回復", "", &rules).is_empty());
        rules.push(AdRule {
            phrase: "奇跡".into(),
            category: AdCategory::Exaggeration,
            note: "院長判断で追加".into(),
            unless_all: vec![],
        });
        let f = check_text("t", "奇跡の回復", "", &rules);
        assert_eq!((f[0].start, f[0].note.as_str()), (0, "院長判断で追加"));
        assert_eq!(rule_problem(&AdRule::new(" ", AdCategory::PriceLure)), Some("empty"));
    }
}
