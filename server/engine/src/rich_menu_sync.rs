//! Publishing as reconciliation (SPEC §8): the worker brings LINE to the
//! state the database holds, one clinic at a time, and writes down each
//! step LINE took before the next, so a pass cut short anywhere is
//! finished by the next one without doubling anything:
//!
//! 1. Who should see what: the first rule in force that holds for a friend
//!    wins; nobody matched sees the default. Worked out for everyone when
//!    rules change or a rule's dates begin or end, and otherwise for the
//!    friends the segment change log names (tags, fields, follows).
//! 2. Every tab of every published menu exists on LINE with its picture. A
//!    LINE menu is recorded as being created before LINE is asked, under a
//!    name that carries the record's ID: if LINE's answer is lost, the
//!    next pass finds the menu by that name instead of making another.
//! 3. Tabs are joined by aliases (`ym<menu>-<tab>`), moved to each new
//!    publication once its pictures are in.
//! 4. LINE's default is the menu everyone else sees; friends who should
//!    see another are linked to it in bulk (500 at a time), and those
//!    who should not are unlinked.
//! 5. LINE menus no one is shown any more are deleted.
//!
//! LINE allows 100 creations and deletions an hour per channel; the worker
//! counts its own and waits for the hour to free up, saying what is
//! pending meanwhile.

use crate::rich_menus::{parse_tabs, rule_in_force};
use crate::{Engine, EngineError};
use model::line_limits::RICH_MENU_BULK_MAX_USERS;
use model::rich_menu::{tel_uri, AreaAction, MenuTab, BOOKING_DATA, SWITCH_DATA_PREFIX};
use std::collections::{HashMap, HashSet};
use store::{LineRichMenuRow, RichMenuRow, RichMenuSettle, RichMenuStateRow};

/// LINE's creations and deletions per hour.
pub const CHANGES_PER_HOUR: i64 = 100;
const HOUR_MS: i64 = 3_600_000;
const LEASE_MS: i64 = 120_000;
/// Full re-evaluation at least this often: a rule with a relative date
/// ("followed in the last 30 days") changes who matches without a change
/// being logged.
const FULL_EVERY_MS: i64 = HOUR_MS;

/// The alias that joins a tab to its group.
pub fn alias_of(menu_id: i64, tab: i64) -> String {
    format!("ym{menu_id}-{tab}")
}

/// The LINE name of a recorded LINE menu: the menu's name for people, and
/// the record's ID for the worker to find it by.
fn line_name(menu: &str, row_id: i64) -> String {
    let shown: String = menu.chars().take(200).collect();
    format!("{shown} #yorisoi-{row_id}")
}

/// What a pass left undone, and why.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Creations or deletions waiting for LINE's hourly budget.
    pub waiting_for_budget: bool,
    /// Friends linked or unlinked this pass.
    pub links_changed: usize,
}

impl Engine {
    /// One pass of the worker over every clinic due. Returns how many
    /// clinics it looked at.
    pub async fn sync_rich_menus_once(&self) -> Result<usize, EngineError> {
        let now = self.now_ms();
        let due = self.db.claim_rich_menu_syncs(now, now + LEASE_MS, 10).await?;
        let n = due.len();
        for state in due {
            let claimed_due = state.due_at;
            let outcome = self.sync_clinic_menus(&state).await;
            let now = self.now_ms();
            let settle = match outcome {
                Ok((report, seq, next_boundary)) => RichMenuSettle {
                    due_at: if report.waiting_for_budget {
                        Some(now + 60_000)
                    } else {
                        Some(next_boundary.unwrap_or(now + FULL_EVERY_MS).min(now + FULL_EVERY_MS))
                    },
                    segment_seq: seq,
                    error: None,
                    synced_at: Some(now),
                },
                Err(e) => {
                    tracing::warn!(
                        clinic = state.clinic_id,
                        reason = e.code(),
                        "rich menus not in step with LINE; retrying"
                    );
                    // 5 s, 10 s, 20 s … up to 10 minutes.
                    let wait = (5_000i64 << state.failures.clamp(0, 7)).min(600_000);
                    RichMenuSettle {
                        due_at: Some(now + wait),
                        segment_seq: state.segment_seq,
                        error: Some(e.code().to_string()),
                        synced_at: None,
                    }
                }
            };
            self.db.settle_rich_menu_sync(state.id, claimed_due, &settle).await?;
        }
        Ok(n)
    }

    /// Brings one clinic's LINE in step. Returns the report, the segment
    /// change log position read up to, and the next moment a rule begins
    /// or ends.
    async fn sync_clinic_menus(&self, state: &RichMenuStateRow) -> Result<(SyncReport, Option<i64>, Option<i64>), EngineError> {
        let clinic = state.clinic_id;
        let now = self.now_ms();
        let menus: Vec<RichMenuRow> = self.db.rich_menus(clinic).await?;
        let live: HashMap<i64, (&RichMenuRow, Vec<MenuTab>)> = menus
            .iter()
            .filter(|m| m.version > 0 && m.archived_at.is_none())
            .filter_map(|m| Some((m.id, (m, parse_tabs(m.published.as_deref()?).ok()?))))
            .collect();
        let rules = self.db.rich_menu_rules(clinic).await?;
        let in_force: Vec<_> = rules
            .iter()
            .filter(|r| rule_in_force(r, now) && live.contains_key(&r.menu_id))
            .collect();
        let default_menu = state.default_menu_id.filter(|m| live.contains_key(m));
        // The menu LINE shows everyone not linked: an everyone-rule in force
        // (年末年始) stands in for the default.
        let everyone_menu = in_force
            .iter()
            .find(|r| r.segment_id.is_none() && r.for_staff == 0)
            .map(|r| r.menu_id)
            .or(default_menu);
        let next_boundary = rules
            .iter()
            .flat_map(|r| [r.starts_at, r.ends_at])
            .flatten()
            .filter(|b| *b > now)
            .min();

        // 1. Who should see what.
        let crossed = rules
            .iter()
            .flat_map(|r| [r.starts_at, r.ends_at])
            .flatten()
            .any(|b| b <= now && state.synced_at.is_none_or(|s| b > s));
        let stale = state.synced_at.is_none_or(|s| now - s >= FULL_EVERY_MS);
        let head = self.db.segment_change_head(clinic).await?;
        let changed: Option<Vec<i64>> = match state.segment_seq {
            Some(from) if !crossed && !stale => Some(self.db.segment_changes_since(clinic, from, now).await?.friends),
            _ => None,
        };
        self.assign_menus(clinic, &in_force, default_menu, changed.as_deref()).await?;

        let client = self.line_client(clinic).await?;
        let mut report = SyncReport::default();
        let mut budget = CHANGES_PER_HOUR - self.db.rich_menu_changes_since(clinic, now - HOUR_MS).await?;

        // 2. Every tab of every live publication on LINE, with its picture.
        let mut on_line: Vec<LineRichMenuRow> = self.db.line_rich_menus(clinic).await?;
        let mut listed: Option<Vec<line::RichMenu>> = None;
        let mut ready: HashMap<(i64, i64), String> = HashMap::new();
        let mut live_ids: Vec<&i64> = live.keys().collect();
        live_ids.sort();
        for menu_id in live_ids {
            let (row, tabs) = &live[menu_id];
            for (t, tab) in tabs.iter().enumerate() {
                let t = t as i64;
                let existing = on_line
                    .iter()
                    .find(|l| l.menu_id == row.id && l.version == row.version && l.tab == t)
                    .cloned();
                let mut rec = match existing {
                    Some(r) => r,
                    None => {
                        if budget <= 0 {
                            report.waiting_for_budget = true;
                            continue;
                        }
                        budget -= 1;
                        let r = self.db.begin_line_rich_menu(clinic, row.id, row.version, t, self.now_ms()).await?;
                        on_line.push(r.clone());
                        r
                    }
                };
                if rec.line_id.is_none() {
                    if listed.is_none() {
                        listed = Some(client.rich_menus().await.map_err(EngineError::LineSend)?);
                    }
                    let name = line_name(&row.name, rec.id);
                    let found = listed
                        .as_ref()
                        .and_then(|l| l.iter().find(|m| m.name == name))
                        .and_then(|m| m.rich_menu_id.clone());
                    let id = match found {
                        Some(id) => id,
                        None => client
                            .create_rich_menu(&line_menu(row.id, tab, &name))
                            .await
                            .map_err(EngineError::LineSend)?,
                    };
                    self.db.set_line_rich_menu_id(rec.id, &id).await?;
                    rec.line_id = Some(id);
                }
                let line_id = rec.line_id.clone().unwrap_or_default();
                if rec.image_done == 0 {
                    let picture = self.menu_picture(clinic, tab).await?;
                    match client.upload_rich_menu_image(&line_id, &picture.content_type, picture.bytes).await {
                        Ok(()) => {}
                        // Uploaded before a crash: LINE keeps the first picture.
                        Err(line::LineError::InvalidRequest { .. }) if client.download_rich_menu_image(&line_id).await.is_ok() => {}
                        Err(e) => return Err(EngineError::LineSend(e)),
                    }
                    self.db.set_line_rich_menu_image_done(rec.id).await?;
                    rec.image_done = 1;
                }
                ready.insert((row.id, t), line_id);
            }
        }

        // 3. Tabs joined by aliases, once every tab of the publication is in.
        for (menu_id, (row, tabs)) in &live {
            if tabs.len() < 2 || !(0..tabs.len() as i64).all(|t| ready.contains_key(&(*menu_id, t))) {
                continue;
            }
            for t in 0..tabs.len() as i64 {
                let Some(rec) = on_line
                    .iter_mut()
                    .find(|l| l.menu_id == row.id && l.version == row.version && l.tab == t)
                else {
                    continue;
                };
                if rec.alias_done != 0 {
                    continue;
                }
                let alias = alias_of(row.id, t);
                let line_id = &ready[&(*menu_id, t)];
                match client.update_rich_menu_alias(&alias, line_id).await {
                    Ok(()) => {}
                    Err(line::LineError::NotFound | line::LineError::InvalidRequest { .. }) => {
                        match client.create_rich_menu_alias(&alias, line_id).await {
                            Ok(()) => {}
                            // Made by a pass cut short: it points where it should now.
                            Err(line::LineError::InvalidRequest { .. }) => client
                                .update_rich_menu_alias(&alias, line_id)
                                .await
                                .map_err(EngineError::LineSend)?,
                            Err(e) => return Err(EngineError::LineSend(e)),
                        }
                    }
                    Err(e) => return Err(EngineError::LineSend(e)),
                }
                self.db.set_line_rich_menu_alias_done(rec.id).await?;
                rec.alias_done = 1;
            }
        }

        // 4. The default, then the per-user links.
        let line_of = |menu: Option<i64>| menu.and_then(|m| ready.get(&(m, 0)).cloned());
        let default_line = line_of(everyone_menu);
        let default_pending = everyone_menu.is_some() && default_line.is_none();
        let mut line_default = state.line_default.clone();
        if !default_pending && default_line != line_default {
            match &default_line {
                Some(id) => client.set_default_rich_menu(id).await.map_err(EngineError::LineSend)?,
                None => match client.clear_default_rich_menu().await {
                    Ok(()) | Err(line::LineError::NotFound) => {}
                    Err(e) => return Err(EngineError::LineSend(e)),
                },
            }
            self.db.set_line_rich_menu_default(clinic, default_line.as_deref()).await?;
            line_default = default_line.clone();
        }
        let mut to_link: HashMap<Option<String>, Vec<(i64, String)>> = HashMap::new();
        for f in self.db.friend_menus(clinic, None).await? {
            let wanted = if f.menu_id == everyone_menu { None } else { f.menu_id };
            // A menu not yet on LINE: they keep what they have until it is.
            let target = match wanted {
                None => None,
                Some(m) => match line_of(Some(m)) {
                    Some(id) => Some(id),
                    None => continue,
                },
            };
            if target != f.linked {
                to_link.entry(target).or_default().push((f.friend_id, f.line_user_id));
            }
        }
        for (target, friends) in to_link {
            for chunk in friends.chunks(RICH_MENU_BULK_MAX_USERS) {
                let users: Vec<String> = chunk.iter().map(|(_, u)| u.clone()).collect();
                match &target {
                    Some(id) => client.bulk_link_rich_menu(id, &users).await.map_err(EngineError::LineSend)?,
                    None => client.bulk_unlink_rich_menu(&users).await.map_err(EngineError::LineSend)?,
                }
                let ids: Vec<i64> = chunk.iter().map(|(f, _)| *f).collect();
                self.db.set_friend_menu_links(&ids, target.as_deref()).await?;
                report.links_changed += ids.len();
            }
        }

        // 5. LINE menus nobody is shown any more.
        let in_use: HashSet<String> = self.db.linked_line_menus(clinic).await?.into_iter().chain(line_default).collect();
        for rec in &on_line {
            let current = live.get(&rec.menu_id).is_some_and(|(m, _)| m.version == rec.version);
            if current {
                continue;
            }
            let Some(line_id) = &rec.line_id else { continue };
            if in_use.contains(line_id) {
                continue;
            }
            // A tab's alias must have moved on first (or go with its menu).
            let archived = !live.contains_key(&rec.menu_id);
            if !archived {
                let moved = on_line
                    .iter()
                    .any(|l| l.menu_id == rec.menu_id && l.tab == rec.tab && l.version > rec.version && l.alias_done != 0);
                let was_tab = rec.alias_done != 0;
                if was_tab && !moved {
                    continue;
                }
            } else if rec.alias_done != 0 {
                match client.delete_rich_menu_alias(&alias_of(rec.menu_id, rec.tab)).await {
                    Ok(()) | Err(line::LineError::NotFound) => {}
                    Err(e) => return Err(EngineError::LineSend(e)),
                }
            }
            if budget <= 0 {
                report.waiting_for_budget = true;
                break;
            }
            budget -= 1;
            match client.delete_rich_menu(line_id).await {
                Ok(()) | Err(line::LineError::NotFound) => {}
                Err(e) => return Err(EngineError::LineSend(e)),
            }
            self.db.set_line_rich_menu_deleted(rec.id, self.now_ms()).await?;
        }
        Ok((report, Some(head), next_boundary))
    }

    /// Works out and records which menu each friend should see: everyone's,
    /// or only `changed`'s.
    async fn assign_menus(
        &self,
        clinic: i64,
        in_force: &[&store::RichMenuRuleRow],
        default_menu: Option<i64>,
        changed: Option<&[i64]>,
    ) -> Result<(), EngineError> {
        let friends = self.db.friend_menus(clinic, changed).await?;
        if friends.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = friends.iter().map(|f| f.friend_id).collect();
        // Members of each segment a rule in force names, among these friends.
        let mut members: HashMap<i64, HashSet<i64>> = HashMap::new();
        let segments = self.db.segments(clinic).await?;
        for r in in_force {
            let Some(seg) = r.segment_id else { continue };
            if members.contains_key(&seg) {
                continue;
            }
            let inside = match segments.iter().find(|s| s.id == seg) {
                Some(s) => {
                    let rule: model::segment::Rule = serde_json::from_str(&s.rule).map_err(|_| EngineError::Corrupt)?;
                    // A rule the clinic's tags no longer allow matches nobody.
                    match self.check_rule(clinic, &rule).await {
                        Ok(names) => self.matching_among(clinic, &rule, &names, &ids).await?.into_iter().collect(),
                        Err(_) => HashSet::new(),
                    }
                }
                None => HashSet::new(),
            };
            members.insert(seg, inside);
        }
        // Only those whose menu or reason changed are written.
        let wanted: Vec<(i64, Option<i64>, Option<i64>)> = friends
            .iter()
            .filter_map(|f| {
                let winner = in_force.iter().find(|r| match r.segment_id {
                    _ if r.for_staff != 0 => f.staff != 0,
                    Some(s) => members.get(&s).is_some_and(|m| m.contains(&f.friend_id)),
                    None => true,
                });
                let (menu, rule) = match winner {
                    Some(r) => (Some(r.menu_id), Some(r.id)),
                    None => (default_menu, None),
                };
                (f.menu_id != menu || f.rule_id != rule).then_some((f.friend_id, menu, rule))
            })
            .collect();
        self.db.set_friend_menus(clinic, &wanted).await?;
        Ok(())
    }
}

/// Where a clinic's LINE stands against what it published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuSyncStatus {
    pub last_error: Option<String>,
    pub synced_at: Option<i64>,
    /// A publication, a rule or a friend's change LINE does not show yet.
    pub pending: bool,
}

impl Engine {
    pub async fn rich_menu_sync_status(&self, actor: &crate::Actor) -> Result<MenuSyncStatus, EngineError> {
        actor.require(model::Permission::ViewClinic)?;
        let state = self.db.rich_menu_state(actor.clinic_id).await?;
        let on_line = self.db.line_rich_menus(actor.clinic_id).await?;
        let mut pending = state.due_at.is_some_and(|d| d <= self.now_ms());
        for m in self.db.rich_menus(actor.clinic_id).await? {
            if m.version == 0 || m.archived_at.is_some() {
                continue;
            }
            let tabs = m.published.as_deref().map(parse_tabs).transpose()?.map_or(0, |t| t.len());
            let ready = on_line
                .iter()
                .filter(|l| l.menu_id == m.id && l.version == m.version && l.image_done != 0)
                .count();
            pending |= ready < tabs;
        }
        Ok(MenuSyncStatus {
            last_error: state.last_error,
            synced_at: state.synced_at,
            pending,
        })
    }
}

/// A tab as LINE's rich menu object, named `name`.
fn line_menu(menu_id: i64, tab: &MenuTab, name: &str) -> line::RichMenu {
    let d = &tab.design;
    let areas = d
        .areas
        .iter()
        .map(|a| {
            let label = Some(a.label.trim().to_string());
            let action = match &a.action {
                AreaAction::Link { url } => line::Action::Uri { label, uri: url.clone() },
                AreaAction::Text { text } => line::Action::Message { label, text: text.clone() },
                AreaAction::Postback { data } => line::Action::Postback {
                    label,
                    data: data.clone(),
                    display_text: None,
                },
                AreaAction::SwitchTab { tab } => line::Action::RichMenuSwitch {
                    label,
                    rich_menu_alias_id: alias_of(menu_id, *tab as i64),
                    data: format!("{SWITCH_DATA_PREFIX}{tab}"),
                },
                // Answered by the clinic with the patient's own booking link
                // (a reply: free, and works without LIFF).
                AreaAction::Booking => line::Action::Postback {
                    label: label.clone(),
                    data: BOOKING_DATA.to_string(),
                    display_text: label,
                },
                AreaAction::Call { number } => line::Action::Uri {
                    label,
                    uri: tel_uri(number).unwrap_or_default(),
                },
            };
            line::Area { bounds: a.bounds, action }
        })
        .collect();
    line::RichMenu {
        rich_menu_id: None,
        size: d.size,
        selected: d.opens_by_default,
        name: name.to_string(),
        chat_bar_text: d.chat_bar_text.trim().to_string(),
        areas,
    }
}
