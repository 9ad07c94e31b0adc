//! Staff-only channels (職員連絡, SPEC §9): a channel's settings and their
//! problems, a post's content and its limits, the words a staff member
//! writes on LINE (an acknowledgement, 職員の声), and the patient-data
//! guard that warns before a post that looks like it names a patient.

use crate::line_limits::{utf16_len, TEXT_MAX_UTF16};
use crate::role::Role;
use serde::{Deserialize, Serialize};

pub const CHANNEL_NAME_MAX: usize = 40;
pub const CHANNEL_DESCRIPTION_MAX: usize = 200;
/// A post's text, leaving room in LINE's 5,000 for its link lines.
pub const POST_TEXT_MAX: usize = 4000;
pub const LINK_TITLE_MAX: usize = 60;
/// The longest a reminder may wait (a week).
pub const REMIND_AFTER_HOURS_MAX: u32 = 24 * 7;

/// A postback's data when a member taps 確認しました: the post's public ID
/// and the version they read.
pub const ACK_DATA_PREFIX: &str = "yorisoi:ack:";
/// A staff member's text starting with this word is an anonymous
/// suggestion (職員の声), stored without who sent it.
pub const VOICE_KEYWORD: &str = "職員の声";

pub fn ack_data(post: &str, version: i64) -> String {
    format!("{ACK_DATA_PREFIX}{post}:{version}")
}

/// The post and version an acknowledgement's postback names.
pub fn parse_ack_data(data: &str) -> Option<(&str, i64)> {
    let (post, version) = data.strip_prefix(ACK_DATA_PREFIX)?.rsplit_once(':')?;
    let version = version.parse().ok().filter(|v| *v > 0)?;
    (!post.is_empty()).then_some((post, version))
}

/// What follows the keyword of an anonymous suggestion: `None` when the
/// text is not one; `Some("")` when the keyword came alone (from a menu
/// button), which asks the writer to add their words.
pub fn voice_text(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix(VOICE_KEYWORD)?;
    let rest = rest.trim_start_matches([' ', '　', ':', '：', '\n', '、']);
    Some(rest.trim_end())
}

/// Who belongs to a channel and who may post in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffChannelSettings {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Everyone with one of these roles in the clinic belongs…
    pub member_roles: Vec<Role>,
    /// …and these people (users' public IDs), whatever their role.
    #[serde(default)]
    pub members: Vec<String>,
    /// Roles that may post (an owner or admin always may).
    pub poster_roles: Vec<Role>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffChannelProblem {
    NameMissing,
    NameTooLong { max: usize },
    DescriptionTooLong { max: usize },
    NoMembers,
}

impl StaffChannelSettings {
    pub fn problems(&self) -> Vec<StaffChannelProblem> {
        let mut out = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            out.push(StaffChannelProblem::NameMissing);
        } else if name.chars().count() > CHANNEL_NAME_MAX {
            out.push(StaffChannelProblem::NameTooLong { max: CHANNEL_NAME_MAX });
        }
        if self.description.chars().count() > CHANNEL_DESCRIPTION_MAX {
            out.push(StaffChannelProblem::DescriptionTooLong {
                max: CHANNEL_DESCRIPTION_MAX,
            });
        }
        if self.member_roles.is_empty() && self.members.is_empty() {
            out.push(StaffChannelProblem::NoMembers);
        }
        out
    }

    /// Whether someone with `role` may post here.
    pub fn may_post(&self, role: Role) -> bool {
        matches!(role, Role::Owner | Role::Admin) || self.poster_roles.contains(&role)
    }
}

/// A link with the words shown for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// What a post says: text, and optionally a picture, a link and a
/// document's link (a PDF on the clinic's drive, say).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostContent {
    pub text: String,
    /// An uploaded picture's address.
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub link: Option<Link>,
    #[serde(default)]
    pub document: Option<Link>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PostProblem {
    TextMissing,
    TextTooLong {
        max: usize,
    },
    LinkNotHttps,
    LinkTitleTooLong {
        max: usize,
    },
    RemindTooLate {
        max_hours: u32,
    },
    /// A reminder only makes sense when members must confirm.
    RemindWithoutAck,
}

fn link_problems(link: &Option<Link>, out: &mut Vec<PostProblem>) {
    if let Some(l) = link {
        let url = l.url.trim();
        if !url.starts_with("https://") || url.len() <= "https://".len() || url.contains(char::is_whitespace) {
            out.push(PostProblem::LinkNotHttps);
        }
        if l.title.chars().count() > LINK_TITLE_MAX {
            out.push(PostProblem::LinkTitleTooLong { max: LINK_TITLE_MAX });
        }
    }
}

impl PostContent {
    pub fn problems(&self) -> Vec<PostProblem> {
        let mut out = Vec::new();
        if self.text.trim().is_empty() {
            out.push(PostProblem::TextMissing);
        } else if utf16_len(&self.text) > POST_TEXT_MAX {
            out.push(PostProblem::TextTooLong { max: POST_TEXT_MAX });
        }
        link_problems(&self.link, &mut out);
        link_problems(&self.document, &mut out);
        out
    }

    /// The text as LINE shows it: the post's words, then its links, each
    /// on its own line (LINE makes an address in a text tappable).
    pub fn line_text(&self) -> String {
        let mut s = self.text.trim().to_string();
        for (mark, link) in [("🔗", &self.link), ("📄", &self.document)] {
            if let Some(l) = link {
                let title = l.title.trim();
                s.push_str("\n\n");
                s.push_str(mark);
                if !title.is_empty() {
                    s.push_str(title);
                    s.push('\n');
                }
                s.push_str(l.url.trim());
            }
        }
        debug_assert!(utf16_len(&s) <= TEXT_MAX_UTF16);
        s
    }
}

/// A post as sent: its content, whether members must confirm it, and after
/// how many hours the one reminder goes to those who have not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRequest {
    pub content: PostContent,
    pub ack_required: bool,
    #[serde(default)]
    pub remind_after_hours: Option<u32>,
    /// The sender saw the patient-data warnings and sends anyway.
    #[serde(default)]
    pub despite_warnings: bool,
}

impl PostRequest {
    pub fn problems(&self) -> Vec<PostProblem> {
        let mut out = self.content.problems();
        if let Some(h) = self.remind_after_hours {
            if !self.ack_required {
                out.push(PostProblem::RemindWithoutAck);
            } else if h == 0 || h > REMIND_AFTER_HOURS_MAX {
                out.push(PostProblem::RemindTooLate {
                    max_hours: REMIND_AFTER_HOURS_MAX,
                });
            }
        }
        out
    }
}

/// Why a post looks like it holds patient data. Each names what was seen,
/// so the sender can judge (a colleague may share a patient's surname).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatientDataHint {
    /// A friend's name as the clinic stored it.
    FriendName { name: String },
    /// A 診察券番号 the clinic stored, or digits after the word.
    PatientNumber { number: String },
    /// Something written like a date of birth.
    BirthDate { text: String },
}

/// The shortest stored name or number looked for: one character (or one
/// digit) would match nearly every post.
const MIN_NAME_CHARS: usize = 2;
const MIN_NUMBER_CHARS: usize = 4;

/// What in `text` looks like patient data: a stored friend `names` or
/// patient `numbers`, digits after 診察券, or a date of birth (a western
/// date with a year from 1900, a Japanese era date, or a date after
/// 生年月日). At most one hint per thing seen.
pub fn patient_data_hints<'a>(
    text: &str,
    names: impl IntoIterator<Item = &'a str>,
    numbers: impl IntoIterator<Item = &'a str>,
) -> Vec<PatientDataHint> {
    let mut out = Vec::new();
    let push = |h: PatientDataHint, out: &mut Vec<PatientDataHint>| {
        if !out.contains(&h) {
            out.push(h);
        }
    };
    let squeezed: String = text.chars().filter(|c| !matches!(c, ' ' | '　')).collect();
    for name in names {
        let bare: String = name.chars().filter(|c| !matches!(c, ' ' | '　')).collect();
        if bare.chars().count() >= MIN_NAME_CHARS && squeezed.contains(&bare) {
            push(PatientDataHint::FriendName { name: name.to_string() }, &mut out);
        }
    }
    let digit_runs = digit_runs(text);
    for number in numbers {
        let n = number.trim();
        if n.chars().count() >= MIN_NUMBER_CHARS && (digit_runs.iter().any(|d| d == n) || (!is_digits(n) && text.contains(n))) {
            push(PatientDataHint::PatientNumber { number: n.to_string() }, &mut out);
        }
    }
    for (i, _) in text.match_indices("診察券") {
        if let Some(d) = first_digit_run(&text[i..], 16) {
            push(PatientDataHint::PatientNumber { number: d }, &mut out);
        }
    }
    for found in birth_dates(text) {
        push(PatientDataHint::BirthDate { text: found }, &mut out);
    }
    out
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// Full-width digits read as ASCII ones.
fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

fn digit_runs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        match ascii_digit(c) {
            Some(d) => cur.push(d),
            None if !cur.is_empty() => out.push(std::mem::take(&mut cur)),
            None => {}
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The first run of digits within `within` characters of the start.
fn first_digit_run(text: &str, within: usize) -> Option<String> {
    let mut cur = String::new();
    for c in text.chars().take(within) {
        match ascii_digit(c) {
            Some(d) => cur.push(d),
            None if !cur.is_empty() => break,
            None => {}
        }
    }
    (cur.len() >= MIN_NUMBER_CHARS).then_some(cur)
}

/// Dates of birth as a clinic writes them: 1985/4/12, 1985-04-12,
/// 1985年4月12日, 昭和60年4月12日, S60.4.12, H2/1/3; any date right after
/// 生年月日.
fn birth_dates(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // An era letter starts a word (not the S of "ASAP").
        let word_start = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if let Some(len) = era_prefix(&chars[i..]).filter(|_| word_start) {
            if let Some(end) = month_day(&chars, i + len) {
                out.push(chars[i..end].iter().collect());
                i = end;
                continue;
            }
        }
        if ascii_digit(chars[i]).is_some() && (i == 0 || ascii_digit(chars[i - 1]).is_none()) {
            let year: String = chars[i..].iter().map_while(|c| ascii_digit(*c)).collect();
            let after = i + year.chars().count();
            let y: u32 = year.parse().unwrap_or(0);
            if year.len() == 4 && (1900..2100).contains(&y) {
                if let Some(end) = month_day(&chars, after) {
                    let found: String = chars[i..end].iter().collect();
                    let labelled = chars[..i].iter().collect::<String>().trim_end().ends_with("生年月日");
                    // A western date is a birth date when labelled, or when
                    // it is far enough back not to be a shift or a meeting.
                    if labelled || y < 2015 {
                        out.push(found);
                    }
                    i = end;
                    continue;
                }
            }
            i = after;
            continue;
        }
        i += 1;
    }
    out
}

/// The length of an era mark and its year at the start of `s` (昭和60,
/// S60, H2).
fn era_prefix(s: &[char]) -> Option<usize> {
    let eras = ["明治", "大正", "昭和", "平成", "令和"];
    let two: String = s.iter().take(2).collect();
    let n = if eras.contains(&two.as_str()) {
        2
    } else if matches!(s.first(), Some('M' | 'T' | 'S' | 'H' | 'R')) {
        1
    } else {
        return None;
    };
    let digits = s[n..].iter().take_while(|c| ascii_digit(**c).is_some()).count();
    (1..=2).contains(&digits).then_some(n + digits)
}

/// Where a `<sep>M<sep>D` (or 年M月D日) after a year ends, if it does.
fn month_day(chars: &[char], mut i: usize) -> Option<usize> {
    let sep = |c: char| matches!(c, '/' | '-' | '.' | '年' | '／' | '－' | '．');
    if !chars.get(i).is_some_and(|c| sep(*c)) {
        return None;
    }
    let kanji = chars[i] == '年';
    i += 1;
    let month: String = chars[i..].iter().map_while(|c| ascii_digit(*c)).take(3).collect();
    if month.is_empty() || month.len() > 2 || !(1..=12).contains(&month.parse::<u32>().ok()?) {
        return None;
    }
    i += month.len();
    let sep2 = if kanji {
        chars.get(i) == Some(&'月')
    } else {
        chars.get(i).is_some_and(|c| sep(*c) && *c != '年')
    };
    if !sep2 {
        return None;
    }
    i += 1;
    let day: String = chars[i..].iter().map_while(|c| ascii_digit(*c)).take(3).collect();
    if day.is_empty() || day.len() > 2 || !(1..=31).contains(&day.parse::<u32>().ok()?) {
        return None;
    }
    i += day.len();
    if kanji && chars.get(i) == Some(&'日') {
        i += 1;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_acknowledgement_names_its_post_and_version() {
        let data = ack_data("p_abc", 3);
        assert_eq!(parse_ack_data(&data), Some(("p_abc", 3)));
        assert_eq!(parse_ack_data("yorisoi:ack:p_abc:0"), None);
        assert_eq!(parse_ack_data("yorisoi:ack::2"), None);
        assert_eq!(parse_ack_data("yorisoi:tab:1"), None);
    }

    #[test]
    fn a_voice_is_the_keyword_and_what_follows() {
        assert_eq!(
            voice_text("職員の声 休憩室の電子レンジを増やしてほしいです"),
            Some("休憩室の電子レンジを増やしてほしいです")
        );
        assert_eq!(voice_text("職員の声：夜勤明けの申し送りを短く"), Some("夜勤明けの申し送りを短く"));
        assert_eq!(voice_text("職員の声"), Some(""));
        assert_eq!(voice_text("明日の職員の声について"), None);
    }

    #[test]
    fn a_channel_needs_a_name_and_members_and_owners_may_always_post() {
        let mut s = StaffChannelSettings {
            name: " ".into(),
            ..Default::default()
        };
        assert_eq!(s.problems(), vec![StaffChannelProblem::NameMissing, StaffChannelProblem::NoMembers]);
        s.name = "看護部".into();
        s.member_roles = vec![Role::Staff];
        s.poster_roles = vec![Role::Marketer];
        assert!(s.problems().is_empty());
        assert!(s.may_post(Role::Owner) && s.may_post(Role::Admin) && s.may_post(Role::Marketer));
        assert!(!s.may_post(Role::Staff) && !s.may_post(Role::Viewer));
        s.name = "あ".repeat(CHANNEL_NAME_MAX + 1);
        assert_eq!(s.problems(), vec![StaffChannelProblem::NameTooLong { max: CHANNEL_NAME_MAX }]);
    }

    #[test]
    fn a_post_needs_text_within_limits_and_https_links() {
        let mut p = PostRequest::default();
        assert_eq!(p.problems(), vec![PostProblem::TextMissing]);
        p.content.text = "明日は休診です".into();
        p.content.link = Some(Link {
            title: "勤務表".into(),
            url: "http://example.com".into(),
        });
        p.remind_after_hours = Some(2);
        assert_eq!(p.problems(), vec![PostProblem::LinkNotHttps, PostProblem::RemindWithoutAck]);
        p.content.link.as_mut().unwrap().url = "https://example.com/shift".into();
        p.ack_required = true;
        assert!(p.problems().is_empty());
        p.remind_after_hours = Some(REMIND_AFTER_HOURS_MAX + 1);
        assert_eq!(
            p.problems(),
            vec![PostProblem::RemindTooLate {
                max_hours: REMIND_AFTER_HOURS_MAX
            }]
        );
        p.content.text = "あ".repeat(POST_TEXT_MAX + 1);
        assert!(p.problems().contains(&PostProblem::TextTooLong { max: POST_TEXT_MAX }));
    }

    #[test]
    fn the_line_text_carries_the_links_on_their_own_lines() {
        let c = PostContent {
            text: "勤務表を更新しました".into(),
            image: None,
            link: Some(Link {
                title: "勤務表".into(),
                url: "https://example.com/shift".into(),
            }),
            document: Some(Link {
                title: String::new(),
                url: "https://example.com/manual.pdf".into(),
            }),
        };
        assert_eq!(
            c.line_text(),
            "勤務表を更新しました\n\n🔗勤務表\nhttps://example.com/shift\n\n📄https://example.com/manual.pdf"
        );
    }

    #[test]
    fn stored_names_and_numbers_are_found_and_short_ones_ignored() {
        let hints = patient_data_hints(
            "山田 太郎さん（12345）の件、診察券 ００９８７６ も確認",
            ["山田太郎", "林", "佐藤花子"],
            ["12345", "777"],
        );
        assert_eq!(
            hints,
            vec![
                PatientDataHint::FriendName {
                    name: "山田太郎".into()
                },
                PatientDataHint::PatientNumber { number: "12345".into() },
                PatientDataHint::PatientNumber { number: "009876".into() },
            ]
        );
        // A number inside a longer one is not that number.
        assert!(patient_data_hints("内線123456へ", [], ["12345"]).is_empty());
    }

    #[test]
    fn dates_of_birth_are_found_in_the_ways_clinics_write_them() {
        let found = |t: &str| -> Vec<String> {
            patient_data_hints(t, [], [])
                .into_iter()
                .map(|h| match h {
                    PatientDataHint::BirthDate { text } => text,
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        assert_eq!(found("昭和60年4月12日生まれの方"), vec!["昭和60年4月12日"]);
        assert_eq!(found("S60.4.12 と H2/1/3"), vec!["S60.4.12", "H2/1/3"]);
        assert_eq!(found("1985/04/12"), vec!["1985/04/12"]);
        assert_eq!(found("生年月日 2021-05-01"), vec!["2021-05-01"]);
        // A recent date unlabelled is a meeting or a shift, not a birth.
        assert!(found("2026/12/24 の勤務変更").is_empty());
        assert!(found("12/24 の勤務変更、3階").is_empty());
    }
}
