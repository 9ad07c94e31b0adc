//! The demo's simulated people: the same names and IDs on every start, so
//! the product's friends and the sandbox's people always match.

use crate::{Person, PersonKind};

/// Family names with their reading.
const FAMILY: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("山下", "ヤマシタ"),
    ("中島", "ナカジマ"),
    ("石井", "イシイ"),
    ("小川", "オガワ"),
];
/// Given names with their reading and the sex they usually go with.
const GIVEN: &[(&str, &str, &str)] = &[
    ("陽翔", "ハルト", "male"),
    ("蓮", "レン", "male"),
    ("湊", "ミナト", "male"),
    ("大和", "ヤマト", "male"),
    ("悠真", "ユウマ", "male"),
    ("結菜", "ユイナ", "female"),
    ("陽葵", "ヒマリ", "female"),
    ("凛", "リン", "female"),
    ("芽依", "メイ", "female"),
    ("葵", "アオイ", "female"),
    ("健一", "ケンイチ", "male"),
    ("誠", "マコト", "male"),
    ("浩", "ヒロシ", "male"),
    ("美咲", "ミサキ", "female"),
    ("由美", "ユミ", "female"),
    ("恵子", "ケイコ", "female"),
    ("和子", "カズコ", "female"),
    ("翔太", "ショウタ", "male"),
    ("拓也", "タクヤ", "male"),
    ("彩", "アヤ", "female"),
    ("さくら", "サクラ", "female"),
    ("ひなた", "ヒナタ", "female"),
    ("花子", "ハナコ", "female"),
    ("太郎", "タロウ", "male"),
    ("優子", "ユウコ", "female"),
    ("直樹", "ナオキ", "male"),
    ("真理子", "マリコ", "female"),
    ("剛", "ツヨシ", "male"),
    ("千尋", "チヒロ", "female"),
    ("勇気", "ユウキ", "male"),
    ("美穂", "ミホ", "female"),
    ("隆", "タカシ", "male"),
    ("愛", "アイ", "female"),
    ("智子", "トモコ", "female"),
    ("大輔", "ダイスケ", "male"),
];

/// `n` patients: deterministic names and user IDs.
pub fn patients(n: usize) -> Vec<Person> {
    (0..n)
        .map(|i| {
            // A fixed permutation so neighbours do not share names.
            let (f, _) = family(i);
            let (g, _, _) = given(i);
            Person {
                user_id: format!("U{:032x}", 0xdead_0000_u128 + i as u128 * 0x9e37_79b9),
                display_name: format!("{f} {g}"),
                kind: PersonKind::Patient,
            }
        })
        .collect()
}

fn family(i: usize) -> (&'static str, &'static str) {
    // A fixed permutation so neighbours do not share names.
    FAMILY[(i * 7 + i / FAMILY.len()) % FAMILY.len()]
}

fn given(i: usize) -> (&'static str, &'static str, &'static str) {
    GIVEN[(i * 11 + 3) % GIVEN.len()]
}

/// What the demo clinic's records say of patient `i` (the same every
/// start): a pediatric and internal medicine practice, so about a third
/// are children and the rest adults up to their late 80s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoChart {
    pub patient_number: String,
    pub name_kana: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `female` or `male`.
    pub sex: String,
}

pub fn chart(i: usize, this_year: i32) -> DemoChart {
    let (_, family_kana) = family(i);
    let (_, given_kana, sex) = given(i);
    // Children spread over 0–14 (every third patient), adults 20–87.
    let age = if i.is_multiple_of(3) {
        (i / 3 * 7) % 15
    } else {
        20 + (i * 13) % 68
    } as i32;
    let month = 1 + (i * 7) % 12;
    let day = 1 + (i * 11) % 28;
    DemoChart {
        patient_number: format!("{:06}", 100_000 + i * 37),
        name_kana: format!("{family_kana} {given_kana}"),
        birth_date: format!("{:04}-{month:02}-{day:02}", this_year - age - 1),
        sex: sex.to_string(),
    }
}

/// Staff members as LINE users (for the staff channels to come).
pub fn staff() -> Vec<Person> {
    ["受付 鈴木", "看護師 山口", "看護師 森", "事務長 田中"]
        .iter()
        .enumerate()
        .map(|(i, name)| Person {
            user_id: format!("U{:032x}", 0x5747_0000_u128 + i as u128),
            display_name: (*name).to_string(),
            kind: PersonKind::Staff,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_same_people_every_time_with_valid_ids() {
        let a = super::patients(300);
        assert_eq!(a, super::patients(300));
        let mut ids: Vec<&str> = a.iter().map(|p| p.user_id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 300);
        assert!(a
            .iter()
            .all(|p| p.user_id.len() == 33 && p.user_id[1..].chars().all(|c| c.is_ascii_hexdigit())));
    }

    #[test]
    fn charts_vary_in_age_and_sex_and_numbers_are_unique() {
        let charts: Vec<_> = (0..300).map(|i| super::chart(i, 2026)).collect();
        let children = charts.iter().filter(|c| c.birth_date.as_str() > "2010").count();
        let women = charts.iter().filter(|c| c.sex == "female").count();
        assert!((60..=140).contains(&children), "{children} children");
        assert!((100..=200).contains(&women), "{women} women");
        let mut numbers: Vec<&str> = charts.iter().map(|c| c.patient_number.as_str()).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 300);
        assert_eq!(super::chart(5, 2026), super::chart(5, 2026));
    }
}
