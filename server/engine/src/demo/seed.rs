//! The demo clinic that `make run` starts with.

use crate::channel::MODE_SANDBOX;
use crate::crypto::{public_id, random_token};
use crate::{password, Engine, EngineError};
use model::Role;
use store::NewUser;

pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
    /// Role in さくらファミリークリニック (and, for the owner, the second clinic).
    pub role: Role,
}

pub const DEMO_ORGANIZATION: &str = "医療法人さくら会";
pub const DEMO_CLINIC: &str = "さくらファミリークリニック";
pub const DEMO_CLINIC_DEPARTMENTS: &str = "小児科,内科";
pub const DEMO_SECOND_CLINIC: &str = "さくら皮膚科クリニック";
pub const DEMO_SECOND_CLINIC_DEPARTMENTS: &str = "皮膚科";

/// Demo logins. They are printed by `make run` and used by the browser
/// tests; they exist only in a database seeded for the demo.
pub const DEMO_ACCOUNTS: [DemoAccount; 4] = [
    DemoAccount {
        email: "owner@sakura.example",
        password: "sakura-owner-2026",
        display_name: "佐藤 健一（院長）",
        role: Role::Owner,
    },
    DemoAccount {
        email: "marketer@sakura.example",
        password: "sakura-marketer-2026",
        display_name: "田中 美咲（事務長）",
        role: Role::Marketer,
    },
    DemoAccount {
        email: "staff@sakura.example",
        password: "sakura-staff-2026",
        display_name: "鈴木 花子（受付）",
        role: Role::Staff,
    },
    DemoAccount {
        email: "viewer@sakura.example",
        password: "sakura-viewer-2026",
        display_name: "高橋 誠（顧問）",
        role: Role::Viewer,
    },
];

impl Engine {
    /// Seeds the demo organization when the database holds none; returns
    /// whether it did.
    pub async fn seed_demo_if_empty(&self) -> Result<bool, EngineError> {
        if self.db.count_organizations().await? > 0 {
            return Ok(false);
        }
        let now = self.now_ms();
        let org = self.db.create_organization(&public_id(), DEMO_ORGANIZATION, now).await?;
        let clinic = self
            .db
            .create_clinic(org, &public_id(), DEMO_CLINIC, DEMO_CLINIC_DEPARTMENTS, now)
            .await?;
        let second = self
            .db
            .create_clinic(org, &public_id(), DEMO_SECOND_CLINIC, DEMO_SECOND_CLINIC_DEPARTMENTS, now)
            .await?;
        // Both clinics start connected to the LINE sandbox.
        for c in [clinic, second] {
            self.connect_channel(c, MODE_SANDBOX, &random_token(), Some(&random_token()))
                .await?;
        }
        for account in &DEMO_ACCOUNTS {
            let hash = password::hash(account.password.to_string()).await;
            let user = self
                .db
                .create_user(NewUser {
                    organization_id: org,
                    public_id: &public_id(),
                    email: account.email,
                    display_name: account.display_name,
                    password_hash: Some(&hash),
                    now,
                })
                .await?;
            self.db.add_membership(user, clinic, account.role.as_str(), now).await?;
            if account.role == Role::Owner {
                self.db.add_membership(user, second, Role::Owner.as_str(), now).await?;
            }
        }
        Ok(true)
    }
}

/// The postback data of the demo's vaccine button, and what the clinic
/// answers when a patient taps it.
pub const DEMO_VACCINE_POSTBACK: &str = "vaccine=flu";
pub const DEMO_VACCINE_REPLY: &str = "インフルエンザ予防接種のご希望を承りました。受付より日程のご案内をお送りします。";
pub const DEMO_VACCINE_TAG: &str = "インフルエンザワクチン希望";

/// A demo tag: name, colour, when staff attach it.
type DemoTag = (&'static str, &'static str, &'static str);

/// The answer to 「予約」: the friend's own booking page.
pub const DEMO_BOOKING_REPLY: &str =
    "{表示名}様\nご予約・変更・キャンセルは、こちらのページからどうぞ（あなた専用のリンクです）。\n{予約URL}";

/// The clinic's flu vaccine notice, whose button the demo automation answers.
pub fn demo_vaccine_notice() -> serde_json::Value {
    serde_json::json!({
        "type": "template",
        "altText": "インフルエンザ予防接種のご案内",
        "template": {
            "type": "buttons",
            "title": "インフルエンザ予防接種",
            "text": "今シーズンの予防接種を受け付けています。接種を希望されますか？",
            "actions": [{"type": "postback", "label": "希望する", "data": DEMO_VACCINE_POSTBACK}]
        }
    })
}

/// The tag design of a pediatric and internal medicine clinic: folder → tags.
const DEMO_TAGS: [(&str, &[DemoTag]); 5] = [
    (
        "診療科",
        &[
            ("小児科", "#2563eb", "小児科を受診した患者さんに付けます"),
            ("内科", "#0a7d5a", "内科を受診した患者さんに付けます"),
        ],
    ),
    (
        "年齢層",
        &[
            ("乳幼児（0〜5歳）", "#db2777", "生年月日から付けます"),
            ("学童（6〜15歳）", "#d97706", "生年月日から付けます"),
            ("成人（16〜64歳）", "#4b5563", "生年月日から付けます"),
            ("高齢者（65歳以上）", "#7c3aed", "生年月日から付けます"),
        ],
    ),
    (
        "来院状況",
        &[
            ("初診予約済", "#0891b2", "初診の予約を受けたときに付け、来院後に外します"),
            ("定期通院中", "#0a7d5a", "2回以上続けて来院している患者さんに付けます"),
            ("半年以上来院なし", "#dc2626", "最終来院日から6か月を過ぎたら付けます"),
        ],
    ),
    (
        "ニーズ",
        &[
            (
                DEMO_VACCINE_TAG,
                "#2563eb",
                "予防接種の案内で「希望する」を押した方に自動で付きます",
            ),
            ("乳がん検診対象", "#db2777", "40歳以上の女性で、検診を希望された方に付けます"),
            ("生活習慣病", "#d97706", "高血圧・高血糖・脂質異常で通院中の方に付けます"),
        ],
    ),
    (
        "健診結果",
        &[
            ("高血圧", "#dc2626", "健診で血圧が基準値を超えた方に付けます"),
            ("高血糖", "#d97706", "健診で血糖値が基準値を超えた方に付けます"),
            ("腹囲基準超", "#7c3aed", "健診で腹囲が基準を超えた方に付けます"),
        ],
    ),
];

pub const DEMO_LAST_VISIT_FIELD: &str = "最終来院日";

impl Engine {
    /// The clinic's owner acting without a session (the demo seed only).
    pub(crate) async fn seed_actor(&self, clinic_id: i64) -> Result<crate::Actor, EngineError> {
        let user = self.db.user_by_email(DEMO_ACCOUNTS[0].email).await?.ok_or(EngineError::NotFound)?;
        let clinic = self.db.clinic(clinic_id).await?.ok_or(EngineError::NotFound)?;
        Ok(crate::Actor {
            session_id: 0,
            user_id: user.id,
            user_public_id: user.public_id,
            email: user.email,
            display_name: user.display_name,
            organization_id: clinic.organization_id,
            clinic_id,
            clinic_public_id: clinic.public_id,
            clinic_name: clinic.name,
            role: Role::Owner,
            totp_enabled: false,
        })
    }

    /// The demo clinic's tags, fields, saved segments and the vaccine
    /// automation; then its patients tagged as its staff would have. Only
    /// when the clinic has no tags yet.
    pub async fn seed_demo_marketing(&self, clinic_id: i64) -> Result<(), EngineError> {
        use model::automation::{Action, Automation, Trigger};
        use model::segment::*;
        if !self.db.tags(clinic_id).await?.is_empty() {
            return Ok(());
        }
        let actor = self.seed_actor(clinic_id).await?;
        let mut tag_ids = std::collections::HashMap::new();
        for (folder, tags) in DEMO_TAGS {
            let folder = self.create_tag_folder(&actor, folder).await?;
            for (name, color, rule_text) in tags {
                let input = crate::tags::TagInput {
                    folder: Some(&folder.public_id),
                    name,
                    color,
                    description: "",
                    rule_text,
                };
                let tag = self.create_tag(&actor, &input).await?;
                tag_ids.insert(*name, tag);
            }
        }
        let last_visit = self.create_field(&actor, DEMO_LAST_VISIT_FIELD, "date", &[]).await?;
        let visits = self.create_field(&actor, "来院回数", "number", &[]).await?;
        let contact = ["LINE", "電話"].map(String::from);
        self.create_field(&actor, "連絡方法の希望", "single_choice", &contact).await?;

        let tag = |name: &str| {
            Node::Condition(Condition::Tag {
                tag: tag_ids[name].public_id.clone(),
                has: true,
            })
        };
        let rule = |join, items| Rule {
            version: RULE_VERSION,
            root: Group {
                join,
                negate: false,
                items,
            },
        };
        let segments = [
            (
                "生活習慣病リスク",
                "高血圧 OR 高血糖 OR 腹囲基準超",
                rule(Join::Any, vec![tag("高血圧"), tag("高血糖"), tag("腹囲基準超")]),
            ),
            (
                "最終来院から6か月以上",
                "再来院のご案内の対象",
                rule(
                    Join::All,
                    vec![
                        Node::Condition(Condition::Date {
                            date: DateSource::Field(last_visit.public_id.clone()),
                            when: When::MoreThanMonthsAgo { months: 6 },
                        }),
                        Node::Condition(Condition::Status { status: Status::Active }),
                    ],
                ),
            ),
            (
                "今月誕生日の小児科の患者さん",
                "お誕生月のご案内",
                rule(
                    Join::All,
                    vec![
                        tag("小児科"),
                        Node::Condition(Condition::Date {
                            date: DateSource::BirthDate,
                            when: When::ThisMonth,
                        }),
                    ],
                ),
            ),
        ];
        for (name, description, r) in &segments {
            self.save_segment(&actor, None, name, description, r).await?;
        }
        let vaccine = Automation {
            trigger: Trigger::Postback {
                data: DEMO_VACCINE_POSTBACK.into(),
            },
            condition: None,
            actions: vec![
                Action::AddTag {
                    tag: tag_ids[DEMO_VACCINE_TAG].public_id.clone(),
                },
                Action::Reply {
                    text: DEMO_VACCINE_REPLY.into(),
                },
            ],
        };
        self.save_automation(&actor, None, "予防接種の希望を受け付ける", &vaccine).await?;

        // The patients, tagged as the front desk would have.
        let today = Date::jst_of_ms(self.now_ms());
        let friends = self.db.all_friends(clinic_id).await?;
        let mut by_tag: std::collections::HashMap<&str, Vec<i64>> = Default::default();
        for (i, f) in friends.iter().enumerate() {
            let Some(born) = Date::parse(&f.birth_date) else { continue };
            let age = born.whole_years_until(today);
            let mut add = |t: &'static str| by_tag.entry(t).or_default().push(f.id);
            add(if age < 16 { "小児科" } else { "内科" });
            add(match age {
                0..=5 => "乳幼児（0〜5歳）",
                6..=15 => "学童（6〜15歳）",
                16..=64 => "成人（16〜64歳）",
                _ => "高齢者（65歳以上）",
            });
            if age >= 40 {
                if i % 4 == 0 {
                    add("高血圧");
                }
                if i % 7 == 1 {
                    add("高血糖");
                }
                if i % 6 == 2 {
                    add("腹囲基準超");
                }
                if i % 5 == 0 {
                    add("生活習慣病");
                }
            }
            if age >= 40 && f.sex == "female" && i % 2 == 1 {
                add("乳がん検診対象");
            }
            // Last visits spread over the past year and a half.
            let visited = Date::from_days(today.days_from_epoch() - ((i * 53) % 540) as i64 - 1);
            add(if visited < today.minus_months(6) {
                "半年以上来院なし"
            } else if i % 2 == 0 {
                "定期通院中"
            } else {
                "初診予約済"
            });
            self.apply_field_value(clinic_id, f.id, &last_visit.public_id, &[Value::Date(visited)], 0)
                .await?;
            let count = 1 + (i * 7) % 12;
            self.apply_field_value(clinic_id, f.id, &visits.public_id, &[Value::Number(count as f64)], 0)
                .await?;
        }
        for (name, ids) in by_tag {
            self.apply_tag(clinic_id, &tag_ids[name], &ids, true, 0, None).await?;
        }
        Ok(())
    }
}

/// A clinic connected to the sandbox, as the in-process sandbox is told of
/// it at start-up.
pub struct SandboxClinic {
    pub clinic: store::ClinicRow,
    pub channel_secret: String,
    pub access_token: String,
    /// Friends who came through the sandbox (never a real channel's).
    pub friends: Vec<store::FriendRow>,
}

impl Engine {
    /// Every clinic in sandbox mode with its credentials and the friends
    /// it made through the sandbox (the sandbox keeps its state in memory
    /// only, so it is rebuilt from these at start-up).
    pub async fn sandbox_clinics(&self) -> Result<Vec<SandboxClinic>, EngineError> {
        let mut out = Vec::new();
        for row in self.db.sandbox_channels().await? {
            let Some(clinic) = self.db.clinic(row.clinic_id).await? else {
                continue;
            };
            let (channel_secret, access_token) = self.channel_credentials(clinic.id).await?;
            let key = row.key();
            let friends = self
                .db
                .all_friends(clinic.id)
                .await?
                .into_iter()
                .filter(|f| f.channel_key == key)
                .collect();
            out.push(SandboxClinic {
                clinic,
                channel_secret,
                access_token,
                friends,
            });
        }
        Ok(out)
    }

    /// Whether the demo's accounts exist (their logins are printed).
    pub async fn has_demo_accounts(&self) -> Result<bool, EngineError> {
        Ok(self.db.user_by_email(DEMO_ACCOUNTS[0].email).await?.is_some())
    }

    /// The demo clinic, when this database has it.
    pub async fn demo_clinic(&self) -> Result<Option<store::ClinicRow>, EngineError> {
        let Some(owner) = self.db.user_by_email(DEMO_ACCOUNTS[0].email).await? else {
            return Ok(None);
        };
        for m in self.db.memberships_of(owner.id).await? {
            if m.clinic_name == DEMO_CLINIC {
                return Ok(self.db.clinic(m.clinic_id).await?);
            }
        }
        Ok(None)
    }

    /// The demo clinic's friends, oldest first.
    pub async fn demo_friends(&self, clinic_id: i64) -> Result<Vec<store::FriendRow>, EngineError> {
        Ok(self.db.all_friends(clinic_id).await?)
    }

    /// Fills in a demo friend's chart (patient number, kana, birth date,
    /// sex), as the front desk would.
    pub async fn set_demo_chart(
        &self,
        clinic_id: i64,
        line_user_id: &str,
        fields: &model::patient::PatientFields,
    ) -> Result<(), EngineError> {
        if let Some(friend) = self.db.friend_by_line_user(clinic_id, line_user_id).await? {
            self.db
                .set_patient_fields(clinic_id, friend.id, fields, self.now_ms(), None)
                .await?;
        }
        Ok(())
    }

    /// A cheap database round trip for the readiness probe.
    pub async fn ping(&self) -> Result<(), EngineError> {
        Ok(self.db.ping().await?)
    }
}

impl Engine {
    /// The demo clinic's patient journey (SPEC §7's seed plan from 初診予約
    /// to 定期検診): two departments, the four sequences a clinic starts
    /// with, and appointments over the coming weeks for some of its
    /// patients. Only when the clinic has no department yet.
    pub async fn seed_demo_journey(&self, clinic_id: i64) -> Result<(), EngineError> {
        use crate::sequences::{SequenceDraft, StepDraft};
        use model::broadcast::Purpose;
        use model::message::Bundle;
        use model::sequence::{Anchor, StepTiming as At, Trigger};
        if !self.db.departments(clinic_id).await?.is_empty() {
            return Ok(());
        }
        let actor = self.seed_actor(clinic_id).await?;
        self.create_department(&actor, "小児科", 15, 2).await?;
        self.create_department(&actor, "内科", 15, 3).await?;
        let step = |timing: At, purpose: Purpose, text: &str| StepDraft {
            id: String::new(),
            timing,
            purpose,
            condition: None,
            bundle: Bundle::texts(&[text]),
            actions: vec![],
        };
        let sequences = [
            (
                "予約リマインド",
                Trigger::AppointmentBooked { department: None },
                vec![
                    step(
                        At::at_clock(Anchor::Appointment, -3, 18, 0),
                        Purpose::Operational,
                        "{表示名}様\n{次回予約日} {予約時刻}に{診療科}のご予約をいただいています。\nご予約の確認・変更・キャンセルはこちらから（あなた専用のリンクです）:\n{予約URL}",
                    ),
                    step(
                        At::at_clock(Anchor::Appointment, -1, 18, 0),
                        Purpose::Operational,
                        "{表示名}様\n明日 {次回予約日} {予約時刻}、{診療科}でお待ちしています。\n保険証（マイナ保険証）と診察券をお持ちください。\n変更・キャンセル: {予約URL}",
                    ),
                ],
            ),
            (
                "初診後フォロー",
                Trigger::VisitRecorded { first_only: true },
                vec![
                    step(
                        At::at_clock(Anchor::Enrolment, 1, 10, 0),
                        Purpose::Operational,
                        "{表示名}様\n昨日はご来院ありがとうございました。お薬や体調で気になることがあれば、このトークでお気軽にご相談ください。",
                    ),
                    step(
                        At::at_clock(Anchor::Enrolment, 7, 10, 0),
                        Purpose::Operational,
                        "{表示名}様\nその後の体調はいかがですか。症状が続く場合は、こちらから再診をご予約ください。\n{予約URL}",
                    ),
                ],
            ),
            (
                "定期検診のご案内",
                Trigger::VisitRecorded { first_only: false },
                vec![
                    step(
                        At::at_clock(Anchor::Enrolment, 90, 10, 0),
                        Purpose::Marketing,
                        "{表示名}様\n前回のご来院から3か月が経ちました。定期検診の時期です。こちらからご予約いただけます。\n{予約URL}",
                    ),
                    step(
                        At::at_clock(Anchor::Enrolment, 180, 10, 0),
                        Purpose::Marketing,
                        "{表示名}様\n前回のご来院から半年が経ちました。健康のために、定期検診をおすすめしています。",
                    ),
                ],
            ),
            (
                "無断キャンセルのフォロー",
                Trigger::NoShow,
                vec![step(
                    At::after(Anchor::Enrolment, 0, 120),
                    Purpose::Operational,
                    "{表示名}様\n本日のご予約にお越しになれなかったようです。体調はいかがですか。改めてのご予約は、こちらからどうぞ。\n{予約URL}",
                )],
            ),
        ];
        // 予約のお知らせ: each change in its own words, by who made it.
        let notice = |text: &str| vec![step(At::after(Anchor::Enrolment, 0, 0), Purpose::Operational, text)];
        use model::appointment::ChangedBy::{Patient, Staff};
        use model::sequence::NoticeOn::{Booked, Cancelled, Moved};
        let notices = [
            (
                "ご予約受付のお知らせ",
                Booked,
                Patient,
                "{表示名}様\nご予約ありがとうございます。\n{次回予約日} {予約時刻} {診療科}\n確認・変更・キャンセル: {予約URL}",
            ),
            (
                "予約変更のお知らせ（患者さん）",
                Moved,
                Patient,
                "{表示名}様\nご予約を {次回予約日} {予約時刻}（{診療科}）に変更しました。",
            ),
            (
                "予約変更のお知らせ（クリニック）",
                Moved,
                Staff,
                "{表示名}様\nクリニックにてご予約を {次回予約日} {予約時刻}（{診療科}）に変更いたしました。ご都合が悪い場合はこちらから: {予約URL}",
            ),
            (
                "キャンセル受付のお知らせ（患者さん）",
                Cancelled,
                Patient,
                "{表示名}様\n{次回予約日} {予約時刻}のご予約のキャンセルを承りました。またのご予約をお待ちしています。",
            ),
            (
                "予約取消のお知らせ（クリニック）",
                Cancelled,
                Staff,
                "{表示名}様\n誠に恐れ入りますが、{次回予約日} {予約時刻}のご予約はクリニックの都合により取り消しとなりました。お手数ですが、こちらから改めてご予約ください: {予約URL}",
            ),
        ];
        let sequences = sequences.into_iter().chain(
            notices
                .into_iter()
                .map(|(name, on, by, text)| (name, Trigger::AppointmentNotice { on, by: Some(by) }, notice(text))),
        );
        // 「予約」と送ると、その人専用の予約ページのリンクが届く。
        let booking = model::automation::Automation {
            trigger: model::automation::Trigger::Keyword {
                keyword: "予約".into(),
                exact: true,
            },
            condition: None,
            actions: vec![model::automation::Action::Reply {
                text: DEMO_BOOKING_REPLY.into(),
            }],
        };
        self.save_automation(&actor, None, "「予約」で予約ページを送る", &booking).await?;
        for (name, trigger, steps) in sequences {
            let d = SequenceDraft {
                name: name.into(),
                trigger,
                stops: vec![],
                steps,
            };
            self.save_sequence(&actor, None, &d).await?;
        }
        // Appointments for a dozen patients over the next three weeks,
        // 9:00–11:45 and 14:00–16:45 Japan time.
        let today = model::segment::Date::jst_of_ms(self.now_ms()).days_from_epoch();
        let departments = self.db.departments(clinic_id).await?;
        let friends: Vec<_> = self
            .demo_friends(clinic_id)
            .await?
            .into_iter()
            .filter(|f| f.status == "active")
            // Past the patients the browser journeys talk to.
            .skip(100)
            .take(12)
            .collect();
        for (i, f) in friends.iter().enumerate() {
            let day = today + 1 + (i as i64 * 2) % 20;
            let minutes = if i % 2 == 0 { 9 * 60 } else { 14 * 60 } + (i as i64 % 4) * 15;
            let at = day * 86_400_000 + minutes * 60_000 - 9 * 3_600_000;
            let d = &departments[if i % 3 == 0 { 1 } else { 0 }];
            self.book(clinic_id, f.id, d, at, crate::appointments::Origin::Staff).await?;
        }
        Ok(())
    }
}
