//! The demo's simulated people: the same names and IDs on every start, so
//! the product's friends and the sandbox's people always match.

use crate::{Person, PersonKind};

const FAMILY: &[&str] = &[
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "山下",
    "中島",
    "石井",
    "小川",
];
const GIVEN: &[&str] = &[
    "陽翔",
    "蓮",
    "湊",
    "大和",
    "悠真",
    "結菜",
    "陽葵",
    "凛",
    "芽依",
    "葵",
    "健一",
    "誠",
    "浩",
    "美咲",
    "由美",
    "恵子",
    "和子",
    "翔太",
    "拓也",
    "彩",
    "さくら",
    "ひなた",
    "花子",
    "太郎",
    "優子",
    "直樹",
    "真理子",
    "剛",
    "千尋",
    "勇気",
    "美穂",
    "隆",
    "愛",
    "智子",
    "大輔",
];

/// `n` patients: deterministic names and user IDs.
pub fn patients(n: usize) -> Vec<Person> {
    (0..n)
        .map(|i| {
            // A fixed permutation so neighbours do not share names.
            let f = FAMILY[(i * 7 + i / FAMILY.len()) % FAMILY.len()];
            let g = GIVEN[(i * 11 + 3) % GIVEN.len()];
            Person {
                user_id: format!("U{:032x}", 0xdead_0000_u128 + i as u128 * 0x9e37_79b9),
                display_name: format!("{f} {g}"),
                kind: PersonKind::Patient,
            }
        })
        .collect()
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
}
