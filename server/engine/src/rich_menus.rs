//! Rich menus (SPEC §8): menus of one or more tabs designed in the
//! browser, published as versions, and shown by rules — the first rule that
//! holds for a friend (a segment or everyone, within dates or always) wins,
//! and nobody matched sees the default.
//!
//! The database holds what LINE should show; `rich_menu_sync.rs` brings
//! LINE to it. Drafts never reach LINE.

use crate::audit::Event;
use crate::{Actor, Engine, EngineError};
use model::rich_menu::RuleAudience;
use model::rich_menu::{AreaAction, MenuDesign, MenuTab, BOOKING_DATA};
use model::Permission;
use store::{NewRichMenuRule, RichMenuRow, RichMenuRuleRow, StoreError};

/// The longest menu name (the list and the rules show it).
pub const NAME_MAX: usize = 100;
/// Tabs a menu may have (LINE's own app shows no more than a few).
pub const TABS_MAX: usize = 5;

/// A menu as the pages list it.
#[derive(Clone, Debug)]
pub struct RichMenuView {
    pub row: RichMenuRow,
    pub draft: Vec<MenuTab>,
    /// The draft differs from what is published.
    pub unpublished_changes: bool,
}

/// A rule as the assignment page saves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuRuleDraft {
    pub menu: String,
    pub audience: RuleAudience,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
}

/// Which menu a friend sees now, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FriendMenu {
    /// No menu is set up for them.
    None,
    /// The default menu.
    Default { menu: String },
    /// A rule's menu: the rule's place in the list (0-based) and its
    /// segment's name (`None`: everyone, or linked staff when `staff`).
    ByRule {
        menu: String,
        position: i64,
        segment: Option<String>,
        staff: bool,
    },
}

pub(crate) fn parse_tabs(json: &str) -> Result<Vec<MenuTab>, EngineError> {
    serde_json::from_str(json).map_err(|_| EngineError::Corrupt)
}

/// Whether a rule holds at `now` as far as dates go.
pub(crate) fn rule_in_force(r: &RichMenuRuleRow, now: i64) -> bool {
    r.starts_at.is_none_or(|s| s <= now) && r.ends_at.is_none_or(|e| now < e)
}

fn valid_name(name: &str) -> Result<&str, EngineError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(EngineError::InvalidRichMenuName);
    }
    Ok(name)
}

fn name_taken(e: StoreError) -> EngineError {
    match e {
        StoreError::Conflict => EngineError::InvalidRichMenuName,
        e => e.into(),
    }
}

impl Engine {
    pub async fn rich_menus(&self, actor: &Actor) -> Result<Vec<RichMenuView>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let mut out = Vec::new();
        for row in self.db.rich_menus(actor.clinic_id).await? {
            let draft = parse_tabs(&row.draft)?;
            let unpublished_changes = row.published.as_deref() != Some(row.draft.as_str());
            out.push(RichMenuView {
                row,
                draft,
                unpublished_changes,
            });
        }
        Ok(out)
    }

    async fn rich_menu_row(&self, clinic_id: i64, public_id: &str) -> Result<RichMenuRow, EngineError> {
        self.db
            .rich_menu_by_public_id(clinic_id, public_id)
            .await?
            .ok_or(EngineError::NotFound)
    }

    /// A new menu, as a draft. Returns its public ID.
    pub async fn create_rich_menu(&self, actor: &Actor, name: &str, tabs: &[MenuTab]) -> Result<String, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let name = valid_name(name)?;
        check_tab_count(tabs)?;
        let pid = crate::crypto::public_id();
        let draft = serde_json::to_string(tabs).map_err(|_| EngineError::Corrupt)?;
        let audit = self.audit(Event::by(actor, "rich_menu.created", pid.clone(), name.to_string()));
        self.db
            .create_rich_menu(actor.clinic_id, &pid, name, &draft, self.now_ms(), &audit)
            .await
            .map_err(name_taken)?;
        Ok(pid)
    }

    /// Saves the draft as typed, problems and all (the designer shows them;
    /// publishing refuses them): work in progress is never lost.
    pub async fn save_rich_menu(&self, actor: &Actor, public_id: &str, name: &str, tabs: &[MenuTab]) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let name = valid_name(name)?;
        check_tab_count(tabs)?;
        let row = self.rich_menu_row(actor.clinic_id, public_id).await?;
        let draft = serde_json::to_string(tabs).map_err(|_| EngineError::Corrupt)?;
        let audit = self.audit(Event::by(actor, "rich_menu.saved", row.public_id.clone(), name.to_string()));
        if !self
            .db
            .save_rich_menu_draft(row.id, name, &draft, self.now_ms(), &audit)
            .await
            .map_err(name_taken)?
        {
            return Err(EngineError::NotFound);
        }
        Ok(())
    }

    /// Publishes the draft: every tab must be one LINE takes, with its
    /// picture. The worker then makes it LINE's and moves friends over.
    /// Returns the new version.
    pub async fn publish_rich_menu(&self, actor: &Actor, public_id: &str) -> Result<i64, EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let row = self.rich_menu_row(actor.clinic_id, public_id).await?;
        let tabs = parse_tabs(&row.draft)?;
        let problems = tab_problems(&tabs);
        if !problems.is_empty() {
            return Err(EngineError::InvalidRichMenu(problems));
        }
        for tab in &tabs {
            self.menu_picture(actor.clinic_id, tab).await?;
        }
        if tabs.iter().flat_map(|t| &t.design.areas).any(|a| a.action == AreaAction::Booking) {
            self.ensure_booking_reply(actor).await?;
        }
        let audit = self.audit(Event::by(actor, "rich_menu.published", row.public_id.clone(), row.name.clone()));
        match self.db.publish_rich_menu(actor.clinic_id, row.id, self.now_ms(), &audit).await? {
            0 => Err(EngineError::NotFound),
            version => {
                self.rich_menu_signal.notify_one();
                Ok(version)
            }
        }
    }

    /// A tab's picture as LINE will take it: the clinic's own upload, JPEG
    /// or PNG, exactly the tab's size, ≤ 1 MB.
    pub(crate) async fn menu_picture(&self, clinic_id: i64, tab: &MenuTab) -> Result<store::MediaFile, EngineError> {
        let token = tab.image.as_deref().ok_or(EngineError::RichMenuImage)?;
        let file = self.db.clinic_media(clinic_id, token).await?.ok_or(EngineError::RichMenuImage)?;
        let size = model::line_limits::image_size(&file.bytes);
        if size != Some((tab.design.size.width, tab.design.size.height)) || file.bytes.len() > model::line_limits::RICH_MENU_IMAGE_MAX_BYTES
        {
            return Err(EngineError::RichMenuImage);
        }
        Ok(file)
    }

    /// Archives a menu nobody is shown; the worker takes it off LINE.
    pub async fn archive_rich_menu(&self, actor: &Actor, public_id: &str) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let row = self.rich_menu_row(actor.clinic_id, public_id).await?;
        let audit = self.audit(Event::by(actor, "rich_menu.archived", row.public_id.clone(), row.name.clone()));
        if !self.db.archive_rich_menu(actor.clinic_id, row.id, self.now_ms(), &audit).await? {
            return Err(EngineError::RichMenuInUse);
        }
        self.rich_menu_signal.notify_one();
        Ok(())
    }

    /// Sets the default menu and the rules, in order. Every menu named must
    /// be published; every segment the clinic's.
    pub async fn set_rich_menu_rules(&self, actor: &Actor, default: Option<&str>, rules: &[MenuRuleDraft]) -> Result<(), EngineError> {
        actor.require(Permission::DesignMarketing)?;
        let menus = self.db.rich_menus(actor.clinic_id).await?;
        let published = |pid: &str| {
            menus
                .iter()
                .find(|m| m.public_id == pid && m.version > 0 && m.archived_at.is_none())
                .map(|m| m.id)
                .ok_or(EngineError::NotFound)
        };
        let default_id = default.map(published).transpose()?;
        let mut rows = Vec::with_capacity(rules.len());
        for r in rules {
            let segment_id = match &r.audience {
                RuleAudience::Segment { segment } => Some(
                    self.db
                        .segment_by_public_id(actor.clinic_id, segment)
                        .await?
                        .ok_or(EngineError::NotFound)?
                        .id,
                ),
                RuleAudience::Everyone | RuleAudience::Staff => None,
            };
            if let (Some(s), Some(e)) = (r.starts_at, r.ends_at) {
                if e <= s {
                    return Err(EngineError::InvalidRichMenu(Vec::new()));
                }
            }
            rows.push(NewRichMenuRule {
                public_id: crate::crypto::public_id(),
                menu_id: published(&r.menu)?,
                segment_id,
                for_staff: r.audience == RuleAudience::Staff,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
            });
        }
        let detail = format!("{} rules", rows.len());
        let audit = self.audit(Event::by(actor, "rich_menu.rules_set", String::new(), detail));
        self.db
            .replace_rich_menu_rules(actor.clinic_id, default_id, &rows, self.now_ms(), &audit)
            .await?;
        self.rich_menu_signal.notify_one();
        Ok(())
    }

    /// The default menu's public ID and the rules, as set.
    pub async fn rich_menu_rules(&self, actor: &Actor) -> Result<(Option<String>, Vec<MenuRuleDraft>), EngineError> {
        actor.require(Permission::ViewClinic)?;
        let menus = self.db.rich_menus(actor.clinic_id).await?;
        let pid = |id: i64| menus.iter().find(|m| m.id == id).map(|m| m.public_id.clone()).unwrap_or_default();
        let segments = self.db.segments(actor.clinic_id).await?;
        let state = self.db.rich_menu_state(actor.clinic_id).await?;
        let rules = self
            .db
            .rich_menu_rules(actor.clinic_id)
            .await?
            .into_iter()
            .map(|r| MenuRuleDraft {
                menu: pid(r.menu_id),
                audience: match r.segment_id.and_then(|s| segments.iter().find(|g| g.id == s)) {
                    _ if r.for_staff != 0 => RuleAudience::Staff,
                    Some(g) => RuleAudience::Segment {
                        segment: g.public_id.clone(),
                    },
                    None => RuleAudience::Everyone,
                },
                starts_at: r.starts_at,
                ends_at: r.ends_at,
            })
            .collect();
        Ok((state.default_menu_id.map(pid), rules))
    }

    /// Which menu the friend should see now and why (the friend page).
    pub async fn friend_rich_menu(&self, actor: &Actor, friend_public_id: &str) -> Result<FriendMenu, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let friend = self
            .db
            .friend_by_public_id(actor.clinic_id, friend_public_id)
            .await?
            .ok_or(EngineError::NotFound)?;
        let menus = self.db.rich_menus(actor.clinic_id).await?;
        let name = |id: i64| menus.iter().find(|m| m.id == id).map(|m| m.name.clone()).unwrap_or_default();
        let state = self.db.rich_menu_state(actor.clinic_id).await?;
        let (menu, rule) = match self.db.friend_menu(friend.id).await? {
            Some((menu, rule, _)) => (menu, rule),
            None => (state.default_menu_id, None),
        };
        let Some(menu) = menu else {
            return Ok(FriendMenu::None);
        };
        let rules = self.db.rich_menu_rules(actor.clinic_id).await?;
        match rule.and_then(|id| rules.iter().find(|r| r.id == id)) {
            Some(r) => {
                let segment = match r.segment_id {
                    Some(s) => self
                        .db
                        .segments(actor.clinic_id)
                        .await?
                        .into_iter()
                        .find(|g| g.id == s)
                        .map(|g| g.name),
                    None => None,
                };
                Ok(FriendMenu::ByRule {
                    menu: name(menu),
                    position: r.position,
                    segment,
                    staff: r.for_staff != 0,
                })
            }
            None => Ok(FriendMenu::Default { menu: name(menu) }),
        }
    }
}

/// What LINE counted for one tab of the published menu over the last 30
/// days. `None` figures: fewer than LINE's 20 people, shown as 「20人未満」.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TabStatistics {
    pub impressions: Option<i64>,
    /// Each area's name and taps, in the design's order.
    pub taps: Vec<(String, Option<i64>)>,
}

/// The days LINE's rich menu statistics are asked for.
pub const STATISTICS_DAYS: i64 = 30;

impl Engine {
    /// LINE's rich menu statistics for each tab of a published menu (one
    /// request per tab: LINE allows 60 an hour, so the page asks only
    /// when staff open them).
    pub async fn rich_menu_statistics(&self, actor: &Actor, public_id: &str) -> Result<Vec<TabStatistics>, EngineError> {
        actor.require(Permission::ViewClinic)?;
        let row = self.rich_menu_row(actor.clinic_id, public_id).await?;
        let Some(published) = row.published.as_deref() else {
            return Ok(vec![]);
        };
        let tabs = parse_tabs(published)?;
        let on_line = self.db.line_rich_menus(actor.clinic_id).await?;
        let client = self.line_client(actor.clinic_id).await?;
        let now = self.now_ms();
        let day = model::line_limits::insight_date;
        let (from, to) = (day(now - (STATISTICS_DAYS - 1) * 86_400_000), day(now));
        let mut out = Vec::with_capacity(tabs.len());
        for (t, tab) in tabs.iter().enumerate() {
            let line_id = on_line
                .iter()
                .find(|l| l.menu_id == row.id && l.version == row.version && l.tab == t as i64)
                .and_then(|l| l.line_id.clone());
            let insight = match line_id {
                Some(id) => Some(client.rich_menu_insight(&id, &from, &to).await.map_err(EngineError::LineSend)?),
                None => None,
            };
            let clicks = insight.as_ref().and_then(|i| i.clicks.clone());
            out.push(TabStatistics {
                impressions: insight.as_ref().and_then(|i| i.impression).map(|i| i.metrics.count),
                taps: tab
                    .design
                    .areas
                    .iter()
                    .map(|a| {
                        let taps = clicks
                            .as_ref()
                            .and_then(|c| c.iter().find(|c| c.bounds == a.bounds))
                            .map(|c| c.metrics.count);
                        (a.label.clone(), taps)
                    })
                    .collect(),
            });
        }
        Ok(out)
    }
}

impl Engine {
    /// A 予約する area answers with the patient's own booking link: through
    /// an automation the clinic can see and reword, made the first time a
    /// menu with such an area is published (and never twice).
    async fn ensure_booking_reply(&self, actor: &Actor) -> Result<(), EngineError> {
        use model::automation::{Action, Automation, Trigger};
        let trigger = Trigger::Postback {
            data: BOOKING_DATA.to_string(),
        };
        if self
            .automations_of(actor.clinic_id)
            .await?
            .iter()
            .any(|v| v.automation.trigger == trigger)
        {
            return Ok(());
        }
        let reply = Automation {
            trigger,
            condition: None,
            actions: vec![Action::Reply {
                text: format!("ご予約・変更・キャンセルはこちらからどうぞ。\n{}", model::message::BOOKING_URL),
            }],
        };
        self.save_automation(actor, None, "メニュー「予約する」への返信", &reply).await?;
        Ok(())
    }
}

fn check_tab_count(tabs: &[MenuTab]) -> Result<(), EngineError> {
    if tabs.is_empty() || tabs.len() > TABS_MAX {
        return Err(EngineError::InvalidRichMenu(Vec::new()));
    }
    Ok(())
}

/// Every problem of every tab (the first tab's first, and so on).
pub fn tab_problems(tabs: &[MenuTab]) -> Vec<model::rich_menu::DesignProblem> {
    tabs.iter()
        .enumerate()
        .flat_map(|(i, t): (usize, &MenuTab)| MenuDesign::problems(&t.design, i as u32, tabs.len() as u32))
        .collect()
}
