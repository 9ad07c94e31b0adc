//! Rich menus against the sandbox over real HTTP, on a clock the tests
//! move: publishing a two-tab menu (pictures, aliases, the default),
//! drafts that never reach LINE, a friend whose tag changes getting the
//! segment's menu, a scheduled menu at its boundaries, re-publishing, the
//! 100-an-hour budget, and passes cut short by lost answers that still end
//! with LINE in step and nothing made twice.

mod common;

use engine::rich_menus::{FriendMenu, MenuRuleDraft};
use engine::{Actor, Engine, ManualClock};
use model::rich_menu::{AreaAction, Bounds, MenuArea, MenuDesign, MenuTab, RuleAudience, COMPACT};
use sandbox::Sandbox;
use std::sync::Arc;

struct Rig {
    engine: Engine,
    clock: Arc<ManualClock>,
    sb: Sandbox,
    owner: Actor,
    users: Vec<String>,
    friends: Vec<String>,
}

fn user(i: usize) -> String {
    format!("U{:032x}", 0x7a0000 + i)
}

const START_MS: i64 = 1_795_316_400_000;

async fn rig(friends: usize) -> Rig {
    let (engine, clock, sb) = common::sandbox_engine(START_MS).await;
    let out = engine.login("owner@sakura.example", "sakura-owner-2026", "10.1.1.1").await.unwrap();
    let owner = engine.authenticate(&out.token).await.unwrap();
    let users: Vec<String> = (0..friends).map(user).collect();
    engine
        .db_for_tests()
        .insert_friends_for_tests(owner.clinic_id, "rm", &users)
        .await
        .unwrap();
    sb.add_friends(&owner.clinic_public_id, &users).unwrap();
    let mut ids = Vec::new();
    for u in &users {
        ids.push(
            engine
                .db_for_tests()
                .friend_by_line_user(owner.clinic_id, u)
                .await
                .unwrap()
                .unwrap()
                .public_id,
        );
    }
    Rig {
        engine,
        clock,
        sb,
        owner,
        users,
        friends: ids,
    }
}

/// A compact tab of three areas: the third switches to `switch_to` (or
/// sends a postback when `None`).
fn tab(bar: &str, switch_to: Option<u32>) -> MenuTab {
    let area = |x: u32, label: &str, action: AreaAction| MenuArea {
        bounds: Bounds {
            x,
            y: 0,
            width: 833,
            height: 843,
        },
        label: label.into(),
        action,
        colour: String::new(),
    };
    MenuTab {
        design: MenuDesign {
            size: COMPACT,
            chat_bar_text: bar.into(),
            opens_by_default: true,
            areas: vec![
                area(0, "予約する", AreaAction::Booking),
                area(
                    833,
                    "アクセス",
                    AreaAction::Link {
                        url: "https://sakura.example/access".into(),
                    },
                ),
                match switch_to {
                    Some(t) => area(1666, "次のタブ", AreaAction::SwitchTab { tab: t }),
                    None => area(1666, "問い合わせ", AreaAction::Postback { data: "contact".into() }),
                },
            ],
        },
        image: None,
        tiles: false,
    }
}

impl Rig {
    fn channel(&self) -> &str {
        &self.owner.clinic_public_id
    }

    fn now(&self) -> i64 {
        self.engine.now_ms()
    }

    fn set_clock(&self, at: i64) {
        self.clock.set(chrono::DateTime::from_timestamp_millis(at).unwrap());
    }

    async fn picture(&self, colour: [u8; 3]) -> String {
        let png = media::tiles_png(2500, 843, colour, &[(0, 0, 833, 843, [255, 255, 255])]);
        self.engine.upload_image(&self.owner, &png).await.unwrap().token
    }

    /// A menu of `tabs` published, with pictures. Returns its public ID.
    async fn published(&self, name: &str, tabs: Vec<MenuTab>) -> String {
        let mut tabs = tabs;
        for (i, t) in tabs.iter_mut().enumerate() {
            t.image = Some(self.picture([40 * i as u8, 120, 200]).await);
        }
        let pid = self.engine.create_rich_menu(&self.owner, name, &tabs).await.unwrap();
        self.engine.publish_rich_menu(&self.owner, &pid).await.unwrap();
        pid
    }

    /// One pass of the worker, made due now.
    async fn sync(&self) -> Result<(), String> {
        self.engine
            .db_for_tests()
            .wake_rich_menus(self.owner.clinic_id, self.now(), false)
            .await
            .unwrap();
        assert_eq!(self.engine.sync_rich_menus_once().await.unwrap(), 1);
        let state = self.engine.db_for_tests().rich_menu_state(self.owner.clinic_id).await.unwrap();
        match state.last_error {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// LINE's menus: (menus, aliases, default).
    fn line(&self) -> (Vec<serde_json::Value>, Vec<(String, String)>, Option<String>) {
        self.sb.rich_menus_of(self.channel())
    }

    /// The chat bar text of the menu friend `i` sees on LINE.
    fn sees(&self, i: usize) -> Option<String> {
        self.sb
            .rich_menu_of(self.channel(), &self.users[i])
            .map(|m| m["chatBarText"].as_str().unwrap_or_default().to_string())
    }

    async fn rules(&self, default: Option<&str>, rules: Vec<MenuRuleDraft>) {
        self.engine.set_rich_menu_rules(&self.owner, default, &rules).await.unwrap();
    }
}

/// A rule for `audience` at all times.
fn always(menu: &str, audience: RuleAudience) -> MenuRuleDraft {
    MenuRuleDraft {
        menu: menu.into(),
        audience,
        starts_at: None,
        ends_at: None,
    }
}

fn everyone(menu: &str, starts_at: Option<i64>, ends_at: Option<i64>) -> MenuRuleDraft {
    MenuRuleDraft {
        menu: menu.into(),
        audience: RuleAudience::Everyone,
        starts_at,
        ends_at,
    }
}

#[tokio::test]
async fn a_published_two_tab_menu_reaches_line_with_pictures_aliases_and_default_and_drafts_never_do() {
    let r = rig(2).await;
    // A draft, even a finished one, stays off LINE.
    let draft = r.engine.create_rich_menu(&r.owner, "下書き", &[tab("下書き", None)]).await.unwrap();
    r.sync().await.unwrap();
    assert!(r.line().0.is_empty(), "a draft never reaches LINE");
    // Publishing refuses what LINE would refuse, saying what.
    let refused = r.engine.publish_rich_menu(&r.owner, &draft).await.unwrap_err();
    assert_eq!(refused.code(), "rich_menu_image", "a tab without its picture: {refused:?}");
    let mut switching = tab("下書き", Some(1));
    switching.image = Some(r.picture([1, 2, 3]).await);
    r.engine.save_rich_menu(&r.owner, &draft, "下書き", &[switching]).await.unwrap();
    let refused = r.engine.publish_rich_menu(&r.owner, &draft).await.unwrap_err();
    assert_eq!(
        refused.code(),
        "invalid_rich_menu",
        "a switch to a tab it does not have: {refused:?}"
    );

    let menu = r
        .published("外来メニュー", vec![tab("メニュー", Some(1)), tab("診療案内", Some(0))])
        .await;
    r.rules(Some(&menu), vec![]).await;
    r.sync().await.unwrap();
    let (menus, aliases, default) = r.line();
    assert_eq!(menus.len(), 2, "one LINE menu per tab: {menus:?}");
    for m in &menus {
        let id = m["richMenuId"].as_str().unwrap();
        assert!(r.sb.rich_menu_image(r.channel(), id).is_some(), "each has its picture");
    }
    let first = menus.iter().find(|m| m["chatBarText"] == "メニュー").unwrap()["richMenuId"]
        .as_str()
        .unwrap()
        .to_string();
    let second = menus.iter().find(|m| m["chatBarText"] == "診療案内").unwrap()["richMenuId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(default.as_deref(), Some(first.as_str()), "the first tab is LINE's default");
    assert_eq!(aliases.len(), 2);
    let switch = &menus.iter().find(|m| m["richMenuId"] == first.as_str()).unwrap()["areas"][2]["action"];
    assert_eq!(switch["type"], "richmenuswitch");
    let alias = switch["richMenuAliasId"].as_str().unwrap();
    assert!(
        aliases.contains(&(alias.to_string(), second.clone())),
        "the switch's alias points at the second tab"
    );
    assert_eq!(r.sees(0).as_deref(), Some("メニュー"));
    // A tap on the switch shows the second tab on the phone.
    // (The tap's webhook finds no server here; the switch is LINE's own.)
    let _ = r.sb.tap(r.channel(), &r.users[0], switch).await;
    assert_eq!(r.sees(0).as_deref(), Some("診療案内"));
    // Another pass changes nothing on LINE.
    r.sync().await.unwrap();
    assert_eq!(r.line().0.len(), 2);
}

#[tokio::test]
async fn a_friend_whose_tag_changes_gets_the_segments_menu_and_goes_back_to_the_default_without_it() {
    use model::segment::{Condition, Group, Join, Node, Rule, RULE_VERSION};
    let r = rig(3).await;
    let e = &r.engine;
    let staff_tag = e
        .create_tag(&r.owner, &engine::tags::TagInput::plain("スタッフ"))
        .await
        .unwrap()
        .public_id;
    let rule = Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(Condition::Tag {
                tag: staff_tag.clone(),
                has: true,
            })],
        },
    };
    let staff = e.save_segment(&r.owner, None, "スタッフ", "", &rule).await.unwrap();
    let patients = r.published("外来", vec![tab("外来", None)]).await;
    let staff_menu = r.published("スタッフ用", vec![tab("スタッフ用", None)]).await;
    r.rules(
        Some(&patients),
        vec![always(&staff_menu, RuleAudience::Segment { segment: staff.clone() })],
    )
    .await;
    r.sync().await.unwrap();
    assert_eq!((r.sees(0).as_deref(), r.sees(1).as_deref()), (Some("外来"), Some("外来")));

    e.set_tag(&r.owner, &staff_tag, &[r.friends[1].clone()], true).await.unwrap();
    // Nothing is due by the clock: the change itself brings the worker.
    assert_eq!(e.sync_rich_menus_once().await.unwrap(), 1);
    assert_eq!(r.sees(1).as_deref(), Some("スタッフ用"), "the tag put them in the staff segment");
    assert_eq!(r.sees(0).as_deref(), Some("外来"));
    assert_eq!(
        e.friend_rich_menu(&r.owner, &r.friends[1]).await.unwrap(),
        FriendMenu::ByRule {
            menu: "スタッフ用".into(),
            position: 0,
            segment: Some("スタッフ".into()),
            staff: false,
        }
    );
    assert_eq!(
        e.friend_rich_menu(&r.owner, &r.friends[0]).await.unwrap(),
        FriendMenu::Default { menu: "外来".into() }
    );

    e.set_tag(&r.owner, &staff_tag, &[r.friends[1].clone()], false).await.unwrap();
    r.sync().await.unwrap();
    assert_eq!(r.sees(1).as_deref(), Some("外来"));
    assert_eq!(r.sb.rich_menus_of(r.channel()).0.len(), 2, "nothing made twice");

    // A staff member's linked LINE is in no segment, however tagged: the
    // staff rule is what reaches it.
    e.set_tag(&r.owner, &staff_tag, &[r.friends[0].clone()], true).await.unwrap();
    e.db_for_tests()
        .execute_for_tests(&format!(
            "UPDATE friends SET staff_user_id = {} WHERE public_id = '{}'",
            r.owner.user_id, r.friends[0]
        ))
        .await
        .unwrap();
    r.rules(
        Some(&patients),
        vec![always(&staff_menu, RuleAudience::Segment { segment: staff.clone() })],
    )
    .await;
    r.sync().await.unwrap();
    assert_eq!(r.sees(0).as_deref(), Some("外来"), "linked staff are in no segment");
    r.rules(Some(&patients), vec![always(&staff_menu, RuleAudience::Staff)]).await;
    r.sync().await.unwrap();
    assert_eq!((r.sees(0).as_deref(), r.sees(1).as_deref()), (Some("スタッフ用"), Some("外来")));
    assert_eq!(
        e.friend_rich_menu(&r.owner, &r.friends[0]).await.unwrap(),
        FriendMenu::ByRule {
            menu: "スタッフ用".into(),
            position: 0,
            segment: None,
            staff: true,
        }
    );
}

#[tokio::test]
async fn a_scheduled_menu_starts_and_ends_on_time_and_the_worker_wakes_for_each_boundary() {
    let r = rig(2).await;
    let normal = r.published("通常", vec![tab("通常", None)]).await;
    let holiday = r.published("年末年始", vec![tab("休診のお知らせ", None)]).await;
    // Within the hour the worker would look again anyway: it looks at the
    // boundary itself.
    let starts = START_MS + 30 * 60_000;
    let ends = starts + 40 * 60_000;
    r.rules(Some(&normal), vec![everyone(&holiday, Some(starts), Some(ends))]).await;
    r.engine.sync_rich_menus_once().await.unwrap();
    assert_eq!(r.sees(0).as_deref(), Some("通常"));
    let state = r.engine.db_for_tests().rich_menu_state(r.owner.clinic_id).await.unwrap();
    assert_eq!(state.due_at, Some(starts), "the worker looks again when the holiday menu starts");

    // Not due a moment before; due at the boundary.
    r.set_clock(starts - 1);
    assert_eq!(r.engine.sync_rich_menus_once().await.unwrap(), 0);
    r.set_clock(starts);
    assert_eq!(r.engine.sync_rich_menus_once().await.unwrap(), 1);
    assert_eq!(
        (r.sees(0).as_deref(), r.sees(1).as_deref()),
        (Some("休診のお知らせ"), Some("休診のお知らせ"))
    );
    let (_, _, default) = r.line();
    let holiday_line = r.sb.rich_menu_of(r.channel(), &r.users[0]).unwrap()["richMenuId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        default,
        Some(holiday_line),
        "everyone's menu is LINE's default, not one link per friend"
    );
    let state = r.engine.db_for_tests().rich_menu_state(r.owner.clinic_id).await.unwrap();
    assert_eq!(state.due_at, Some(ends));

    r.set_clock(ends);
    assert_eq!(r.engine.sync_rich_menus_once().await.unwrap(), 1);
    assert_eq!(r.sees(0).as_deref(), Some("通常"));
}

#[tokio::test]
async fn republishing_moves_everyone_to_the_new_menu_and_then_deletes_the_old() {
    let r = rig(1).await;
    let menu = r.published("外来", vec![tab("メニュー", Some(1)), tab("診療案内", Some(0))]).await;
    r.rules(Some(&menu), vec![]).await;
    r.sync().await.unwrap();
    let before: Vec<String> = r.line().0.iter().map(|m| m["richMenuId"].as_str().unwrap().to_string()).collect();

    let mut tabs = vec![tab("新メニュー", Some(1)), tab("診療案内", Some(0))];
    for t in &mut tabs {
        t.image = Some(r.picture([10, 200, 10]).await);
    }
    r.engine.save_rich_menu(&r.owner, &menu, "外来", &tabs).await.unwrap();
    r.sync().await.unwrap();
    assert_eq!(r.sees(0).as_deref(), Some("メニュー"), "a saved draft changes nothing on LINE");
    r.engine.publish_rich_menu(&r.owner, &menu).await.unwrap();
    r.sync().await.unwrap();
    let (menus, aliases, _) = r.line();
    assert_eq!(menus.len(), 2, "the old publication is deleted: {menus:?}");
    assert!(menus
        .iter()
        .all(|m| !before.contains(&m["richMenuId"].as_str().unwrap().to_string())));
    assert_eq!(r.sees(0).as_deref(), Some("新メニュー"));
    let ids: Vec<&str> = menus.iter().map(|m| m["richMenuId"].as_str().unwrap()).collect();
    assert!(aliases.iter().all(|(_, m)| ids.contains(&m.as_str())), "the aliases moved over");
}

#[tokio::test]
async fn creations_and_deletions_wait_for_lines_hourly_budget() {
    let r = rig(1).await;
    let tabs: Vec<MenuTab> = (0..5).map(|i| tab(&format!("タブ{i}"), Some(if i == 0 { 1 } else { 0 }))).collect();
    let menu = r.published("大きなメニュー", tabs.clone()).await;
    r.rules(Some(&menu), vec![]).await;
    // Each publication of five tabs makes five and, once moved over,
    // deletes five: eleven publications ask for 105 within the hour.
    for _ in 0..10 {
        r.sync().await.unwrap();
        r.engine.publish_rich_menu(&r.owner, &menu).await.unwrap();
    }
    r.sync().await.unwrap();
    let db = r.engine.db_for_tests();
    let used = db.rich_menu_changes_since(r.owner.clinic_id, r.now() - 3_600_000).await.unwrap();
    assert!(used <= 100, "never more than LINE's 100 an hour: {used}");
    let state = db.rich_menu_state(r.owner.clinic_id).await.unwrap();
    assert_eq!(state.due_at, Some(r.now() + 60_000), "it says it is waiting and looks again");
    assert!(r.line().0.len() > 5, "the last publication's old menus still wait to be deleted");

    r.set_clock(r.now() + 3_600_000);
    r.sb.advance(3_600_000);
    r.sync().await.unwrap();
    assert_eq!(r.line().0.len(), 5, "an hour later the rest is done");
}

#[tokio::test]
async fn passes_cut_short_by_lost_answers_end_with_line_in_step_and_nothing_made_twice() {
    use model::segment::{Condition, Group, Join, Node, Rule, Status, RULE_VERSION};
    let r = rig(4).await;
    let menu = r.published("外来", vec![tab("メニュー", Some(1)), tab("診療案内", Some(0))]).await;
    let staff = r.published("スタッフ用", vec![tab("スタッフ用", None)]).await;
    // A segment every friend is in: each is linked to the staff menu.
    let rule = Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(Condition::Status { status: Status::Active })],
        },
    };
    let all = r.engine.save_segment(&r.owner, None, "全員", "", &rule).await.unwrap();
    r.rules(Some(&menu), vec![always(&staff, RuleAudience::Segment { segment: all })])
        .await;
    // LINE does the work and the answer is lost, a third of the time.
    r.sb.set_faults(sandbox::Faults {
        drop_rate: 0.35,
        ..Default::default()
    });
    let mut failed = 0;
    for _ in 0..200 {
        if r.sync().await.is_ok() {
            break;
        }
        failed += 1;
    }
    r.sb.set_faults(sandbox::Faults::default());
    r.sync().await.unwrap();
    assert!(failed > 0, "the faults cut some passes short");
    let (menus, aliases, default) = r.line();
    assert_eq!(menus.len(), 3, "one LINE menu per tab, none twice: {menus:?}");
    assert_eq!(aliases.len(), 2);
    let first = menus.iter().find(|m| m["chatBarText"] == "メニュー").unwrap()["richMenuId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(default, Some(first), "the default menu's first tab is LINE's default");
    for i in 0..4 {
        assert_eq!(
            r.sees(i).as_deref(),
            Some("スタッフ用"),
            "friend {i} is linked to the segment's menu"
        );
    }
    for m in &menus {
        assert!(r.sb.rich_menu_image(r.channel(), m["richMenuId"].as_str().unwrap()).is_some());
    }
}

#[tokio::test]
async fn taps_per_area_come_from_lines_statistics_and_fewer_than_twenty_people_stay_hidden() {
    let r = rig(21).await;
    // LINE counts by its own days: the clinic's clock agrees with it here.
    r.set_clock(r.sb.now_ms());
    let menu = r.published("外来", vec![tab("メニュー", None)]).await;
    r.rules(Some(&menu), vec![]).await;
    r.sync().await.unwrap();
    let shown = r.sb.rich_menu_of(r.channel(), &r.users[0]).unwrap();
    let contact = shown["areas"][2]["action"].clone();
    let access = shown["areas"][1]["action"].clone();
    // Nineteen people tap: LINE says nothing of it.
    for u in &r.users[..19] {
        r.sb.open(r.channel(), u).unwrap();
        let _ = r.sb.tap(r.channel(), u, &contact).await;
    }
    let stats = r.engine.rich_menu_statistics(&r.owner, &menu).await.unwrap();
    assert_eq!(stats.len(), 1);
    assert_eq!(stats[0].impressions, None);
    assert!(stats[0].taps.iter().all(|(_, n)| n.is_none()), "{stats:?}");
    // The twentieth, twice, and one tap elsewhere.
    let _ = r.sb.tap(r.channel(), &r.users[19], &contact).await;
    let _ = r.sb.tap(r.channel(), &r.users[19], &contact).await;
    let _ = r.sb.tap(r.channel(), &r.users[20], &access).await;
    let stats = r.engine.rich_menu_statistics(&r.owner, &menu).await.unwrap();
    assert_eq!(stats[0].impressions, Some(19));
    assert_eq!(
        stats[0].taps,
        vec![
            ("予約する".into(), Some(0)),
            ("アクセス".into(), Some(1)),
            ("問い合わせ".into(), Some(21))
        ]
    );
}
