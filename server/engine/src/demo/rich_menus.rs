//! The demo clinic's rich menus (SPEC §8): a two-tab menu for patients
//! (予約する / 診療時間 / アクセス / 予防接種 / 問い合わせ, then 休診日 /
//! 電話), a staff menu for the スタッフ segment, and the year-end holiday
//! menu scheduled for everyone from 12月29日 to 1月4日. Their pictures are
//! drawn tiles with the areas' names, kept beside this file.

use crate::{Engine, EngineError};
use model::rich_menu::{AreaAction, Bounds, Layout, MenuArea, MenuDesign, MenuSize, MenuTab, RuleAudience, COMPACT, LARGE};

const TAB_MENU: &[u8] = include_bytes!("menus/demo-menu.png");
const TAB_GUIDE: &[u8] = include_bytes!("menus/demo-guide.png");
const STAFF: &[u8] = include_bytes!("menus/demo-staff.png");
const HOLIDAY: &[u8] = include_bytes!("menus/demo-holiday.png");

/// The clinic's telephone number in the demo.
const PHONE: &str = "03-1234-5678";

/// Areas laid out by `layout`, each named and given its action and colour.
pub fn areas(size: MenuSize, layout: Layout, items: &[(&str, AreaAction, &str)]) -> Vec<MenuArea> {
    layout
        .areas(size)
        .into_iter()
        .zip(items)
        .map(|(bounds, (label, action, colour)): (Bounds, &(&str, AreaAction, &str))| MenuArea {
            bounds,
            label: label.to_string(),
            action: action.clone(),
            colour: colour.to_string(),
        })
        .collect()
}

fn design(size: MenuSize, bar: &str, areas: Vec<MenuArea>) -> MenuDesign {
    MenuDesign {
        size,
        chat_bar_text: bar.into(),
        opens_by_default: true,
        areas,
    }
}

/// A demo menu: its name, and each tab's design with its picture.
pub type DemoMenu = (&'static str, Vec<(MenuDesign, &'static [u8])>);

/// The demo's menus as designed.
pub fn demo_menus() -> Vec<DemoMenu> {
    use AreaAction::*;
    let text = |t: &str| Text { text: t.into() };
    let link = |u: &str| Link { url: u.into() };
    let call = || Call { number: PHONE.into() };
    let grid3 = Layout::Grid { cols: 3, rows: 1 };
    vec![
        (
            "外来メニュー",
            vec![
                (
                    design(
                        LARGE,
                        "メニュー",
                        areas(
                            LARGE,
                            Layout::Grid { cols: 3, rows: 2 },
                            &[
                                ("予約する", Booking, "#2e7d6b"),
                                ("診療時間", text("診療時間"), "#1f5fa8"),
                                ("アクセス", link("https://sakura-clinic.example/access"), "#1f5fa8"),
                                (
                                    "予防接種",
                                    Postback {
                                        data: crate::demo::seed::DEMO_VACCINE_POSTBACK.into(),
                                    },
                                    "#b7791f",
                                ),
                                ("問い合わせ", text("問い合わせ"), "#6d4c9f"),
                                ("ご案内へ", SwitchTab { tab: 1 }, "#53606a"),
                            ],
                        ),
                    ),
                    TAB_MENU,
                ),
                (
                    design(
                        COMPACT,
                        "ご案内",
                        areas(
                            COMPACT,
                            grid3,
                            &[
                                ("休診日", text("休診日"), "#1f5fa8"),
                                ("電話する", call(), "#2e7d6b"),
                                ("メニューへ", SwitchTab { tab: 0 }, "#53606a"),
                            ],
                        ),
                    ),
                    TAB_GUIDE,
                ),
            ],
        ),
        (
            "スタッフ用",
            vec![(
                design(
                    COMPACT,
                    "スタッフ用",
                    areas(
                        COMPACT,
                        grid3,
                        &[
                            ("勤務表", link("https://sakura-clinic.example/staff/shifts"), "#6d4c9f"),
                            ("職員連絡", text("職員連絡"), "#1f5fa8"),
                            ("電話する", call(), "#2e7d6b"),
                        ],
                    ),
                ),
                STAFF,
            )],
        ),
        (
            "年末年始の休診",
            vec![(
                design(
                    COMPACT,
                    "年末年始の休診",
                    areas(
                        COMPACT,
                        grid3,
                        &[
                            ("休診のお知らせ", text("年末年始の休診"), "#b5473a"),
                            ("電話する", call(), "#2e7d6b"),
                            ("予約する", Booking, "#2e7d6b"),
                        ],
                    ),
                ),
                HOLIDAY,
            )],
        ),
    ]
}

/// The tag and segment the staff menu is for.
pub const DEMO_STAFF_TAG: &str = "スタッフ";

impl Engine {
    /// Makes and publishes the demo's menus and their rules, once.
    pub async fn seed_demo_rich_menus(&self, clinic_id: i64) -> Result<(), EngineError> {
        use model::segment::{Condition, Group, Join, Node, Rule, RULE_VERSION};
        if !self.db.rich_menus(clinic_id).await?.is_empty() {
            return Ok(());
        }
        let actor = self.seed_actor(clinic_id).await?;
        let mut ids = Vec::new();
        for (name, tabs) in demo_menus() {
            let mut stored = Vec::new();
            for (design, picture) in tabs {
                let up = self.upload_image(&actor, picture).await?;
                stored.push(MenuTab {
                    design,
                    image: Some(up.token),
                    tiles: false,
                });
            }
            let id = self.create_rich_menu(&actor, name, &stored).await?;
            self.publish_rich_menu(&actor, &id).await?;
            ids.push(id);
        }
        let tag = self
            .create_tag(
                &actor,
                &crate::tags::TagInput {
                    folder: None,
                    name: DEMO_STAFF_TAG,
                    color: "#4b5563",
                    description: "",
                    rule_text: "職員のLINEに付けると、スタッフ用のメニューが表示されます",
                },
            )
            .await?;
        let rule = Rule {
            version: RULE_VERSION,
            root: Group {
                join: Join::All,
                negate: false,
                items: vec![Node::Condition(Condition::Tag {
                    tag: tag.public_id.clone(),
                    has: true,
                })],
            },
        };
        let staff = self
            .save_segment(&actor, None, DEMO_STAFF_TAG, "スタッフ用メニューの対象", &rule)
            .await?;
        // The coming year end, Japan time: 12月29日 0:00 to 1月4日 0:00.
        let today = model::segment::Date::jst_of_ms(self.now_ms());
        let jst_midnight =
            |y: i32, m: u32, d: u32| model::segment::Date::new(y, m, d).map(|date| date.days_from_epoch() * 86_400_000 - 9 * 3_600_000);
        let year = if today.m == 1 && today.d < 4 { today.y - 1 } else { today.y };
        let (starts, ends) = (jst_midnight(year, 12, 29), jst_midnight(year + 1, 1, 4));
        self.set_rich_menu_rules(
            &actor,
            Some(&ids[0]),
            &[
                crate::rich_menus::MenuRuleDraft {
                    menu: ids[1].clone(),
                    audience: RuleAudience::Segment { segment: staff },
                    starts_at: None,
                    ends_at: None,
                },
                // Staff who linked their LINE are in no segment: their own rule.
                crate::rich_menus::MenuRuleDraft {
                    menu: ids[1].clone(),
                    audience: RuleAudience::Staff,
                    starts_at: None,
                    ends_at: None,
                },
                crate::rich_menus::MenuRuleDraft {
                    menu: ids[2].clone(),
                    audience: RuleAudience::Everyone,
                    starts_at: starts,
                    ends_at: ends,
                },
            ],
        )
        .await
    }
}
