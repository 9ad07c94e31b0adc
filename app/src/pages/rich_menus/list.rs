//! The clinic's menus, and who sees which: the default, then rules in
//! order (the first that holds for a friend wins), each for a segment or
//! everyone, within dates or always — 年末年始の休診メニュー is a rule for
//! everyone with dates. Whether LINE shows it all yet is said at the top.

use super::MenuPicture;
use crate::api::rich_menus::{
    archive_rich_menu, list_rich_menus, rich_menu_statistics, set_rich_menu_rules, MenuItem, MenuRuleForm, RichMenusDto,
};
use crate::components::{ErrorNotice, Loading};
use crate::errors::AppError;
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use model::rich_menu::RuleAudience;

/// The audience select's values besides segments' IDs (which never start
/// with `*`).
const EVERYONE: &str = "*everyone";
const STAFF: &str = "*staff";

fn audience_of(value: &str) -> RuleAudience {
    match value {
        EVERYONE | "" => RuleAudience::Everyone,
        STAFF => RuleAudience::Staff,
        id => RuleAudience::Segment { segment: id.to_string() },
    }
}

#[component]
pub fn RichMenusPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let version = RwSignal::new(0u32);
    let list = Resource::new(move || version.get(), |_| list_rich_menus());
    view! {
        <header class="page-head">
            <h1>{t(lang, "nav.richmenus")}</h1>
            <a class="button button-primary-inline" href="/richmenus/new" data-testid="new-rich-menu">{t(lang, "rm.new_title")}</a>
        </header>
        <p class="help page-intro">{t(lang, "rm.intro")}</p>
        <Show when=move || query.read().get("published").is_some()>
            <p class="notice notice-ok" role="status">{t(lang, "rm.published")}</p>
        </Show>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(d) => view! { <Menus d version/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Menus(d: RichMenusDto, version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let sync = d.sync.clone();
    let can_design = d.can_design;
    let live: Vec<(String, String)> = d
        .menus
        .iter()
        .filter(|m| m.version > 0 && !m.archived)
        .map(|m| (m.id.clone(), m.name.clone()))
        .collect();
    let status = match (&sync.last_error, sync.pending) {
        (Some(code), _) => view! {
            <div class="notice notice-error" role="alert" data-testid="rm-sync">
                {t(lang, "rm.sync_failed")}" "{AppError::new(code).message(lang)}
            </div>
        }
        .into_any(),
        (None, true) => view! { <p class="notice" role="status" data-testid="rm-sync">{t(lang, "rm.sync_pending")}</p> }.into_any(),
        (None, false) => view! {
            <p class="notice notice-ok" role="status" data-testid="rm-sync" data-in-step="true">
                {t(lang, "rm.sync_done").replace("{at}", &sync.synced_at)}
            </p>
        }
        .into_any(),
    };
    let empty = d.menus.is_empty();
    view! {
        {status}
        {if empty {
            view! { <section class="card empty-state"><p>{t(lang, "rm.empty")}</p></section> }.into_any()
        } else {
            view! {
                <div class="rm-list">
                    {d.menus.into_iter().map(|m| view! { <MenuCard m can_design version/> }).collect_view()}
                </div>
            }.into_any()
        }}
        <Rules default=d.default rules=d.rules menus=live segments=d.segments can_design/>
    }
}

#[component]
fn MenuCard(m: MenuItem, can_design: bool, version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let asking = RwSignal::new(false);
    let archive = Action::new(move |id: &String| archive_rich_menu(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = archive.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let status = if m.archived {
        t(lang, "rm.status_archived")
    } else if m.version == 0 {
        t(lang, "rm.status_draft")
    } else if m.unpublished_changes {
        t(lang, "rm.status_changed")
    } else {
        t(lang, "rm.status_live")
    };
    let id = m.id.clone();
    let archived = m.archived;
    view! {
        <section class="card rm-card" data-testid="rich-menu" aria-labelledby=format!("rm-{}", m.id)>
            <header class="rm-card-head">
                <h2 id=format!("rm-{}", m.id)>{m.name.clone()}</h2>
                <span class="badge">{status}</span>
            </header>
            <div class="rm-card-tabs">
                {m.tabs.iter().cloned().map(|tab| view! { <MenuPicture tab/> }).collect_view()}
            </div>
            <p class="help">{t(lang, "rm.tab_count").replace("{n}", &m.tabs.len().to_string())}</p>
            {(can_design && !archived).then(|| view! {
                <div class="form-actions">
                    <a class="button button-small" href=format!("/richmenus/{}", m.id)>{t(lang, "rm.edit")}</a>
                    <button type="button" class="button button-small button-danger" on:click=move |_| asking.set(true)>{t(lang, "rm.archive")}</button>
                </div>
            })}
            {(m.version > 0 && !archived).then(|| view! { <Statistics id=m.id.clone()/> })}
            <Show when=move || asking.get()>
                <div class="confirm" role="alertdialog" aria-label=t(lang, "rm.archive")>
                    <p>{t(lang, "rm.archive_confirm")}</p>
                    <button type="button" class="button button-small button-danger" on:click={
                        let id = id.clone();
                        move |_| { asking.set(false); archive.dispatch(id.clone()); }
                    }>{t(lang, "rm.archive")}</button>
                    <button type="button" class="button button-small" on:click=move |_| asking.set(false)>{t(lang, "common.cancel")}</button>
                </div>
            </Show>
            {move || archive.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
        </section>
    }
}

/// Who sees which menu: the default and the rules, saved together.
#[component]
fn Rules(
    default: String,
    rules: Vec<MenuRuleForm>,
    menus: Vec<(String, String)>,
    segments: Vec<(String, String)>,
    can_design: bool,
) -> impl IntoView {
    let lang = use_lang();
    let default = RwSignal::new(default);
    let rules = RwSignal::new(rules);
    let menus = StoredValue::new(menus);
    let segments = StoredValue::new(segments);
    let save = Action::new(move |_: &()| set_rich_menu_rules(default.get_untracked(), rules.get_untracked()));
    let saved = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            saved.set(true);
        }
    });
    let set_rule = move |i: usize, f: &dyn Fn(&mut MenuRuleForm)| {
        saved.set(false);
        rules.update(|rs| {
            if let Some(r) = rs.get_mut(i) {
                f(r)
            }
        })
    };
    let menu_options = move |chosen: String| {
        menus.with_value(|ms| {
            ms.iter()
                .map(|(id, name)| view! { <option value=id.clone() selected=*id == chosen>{name.clone()}</option> })
                .collect_view()
        })
    };
    view! {
        <section class="card form" aria-labelledby="rm-rules-title" data-testid="rm-rules">
            <h2 id="rm-rules-title">{t(lang, "rm.rules")}</h2>
            <p class="help">{t(lang, "rm.rules_help")}</p>
            <div class="field">
                <label for="rm-default">{t(lang, "rm.default")}</label>
                <select id="rm-default" disabled=!can_design prop:value=move || default.get()
                    on:change=move |ev| { saved.set(false); default.set(event_target_value(&ev)); }>
                    <option value="">{t(lang, "rm.default_none")}</option>
                    {menu_options(default.get_untracked())}
                </select>
            </div>
            <ol class="rm-rule-list">
                {move || rules.get().into_iter().enumerate().map(|(i, r)| {
                    let count = rules.with(Vec::len);
                    view! {
                        <li class="rm-rule form-inline" data-testid="rm-rule">
                            <div class="field">
                                <label for=format!("rm-rule-menu-{i}")>{t(lang, "rm.rule_menu")}</label>
                                <select id=format!("rm-rule-menu-{i}") disabled=!can_design
                                    on:change=move |ev| { let v = event_target_value(&ev); set_rule(i, &|r| r.menu = v.clone()); }>
                                    {menu_options(r.menu.clone())}
                                </select>
                            </div>
                            <div class="field">
                                <label for=format!("rm-rule-who-{i}")>{t(lang, "rm.rule_who")}</label>
                                <select id=format!("rm-rule-who-{i}") disabled=!can_design
                                    on:change=move |ev| { let v = audience_of(&event_target_value(&ev)); set_rule(i, &|r| r.audience = v.clone()); }>
                                    <option value=EVERYONE selected=r.audience == RuleAudience::Everyone>{t(lang, "rm.everyone")}</option>
                                    <option value=STAFF selected=r.audience == RuleAudience::Staff>{t(lang, "rm.staff")}</option>
                                    {segments.with_value(|ss| ss.iter().map(|(id, name)| {
                                        let chosen = matches!(&r.audience, RuleAudience::Segment { segment } if segment == id);
                                        view! { <option value=id.clone() selected=chosen>{name.clone()}</option> }
                                    }).collect_view())}
                                </select>
                            </div>
                            <div class="field">
                                <label for=format!("rm-rule-from-{i}")>{t(lang, "rm.rule_from")}</label>
                                <input id=format!("rm-rule-from-{i}") type="datetime-local" disabled=!can_design prop:value=r.starts.clone()
                                    on:change=move |ev| { let v = event_target_value(&ev); set_rule(i, &|r| r.starts = v.clone()); }/>
                            </div>
                            <div class="field">
                                <label for=format!("rm-rule-until-{i}")>{t(lang, "rm.rule_until")}</label>
                                <input id=format!("rm-rule-until-{i}") type="datetime-local" disabled=!can_design prop:value=r.ends.clone()
                                    on:change=move |ev| { let v = event_target_value(&ev); set_rule(i, &|r| r.ends = v.clone()); }/>
                            </div>
                            {can_design.then(|| view! {
                                <div class="rm-rule-moves">
                                    <button type="button" class="button button-small" disabled={i == 0} aria-label=t(lang, "rm.rule_up")
                                        on:click=move |_| { saved.set(false); rules.update(|rs| rs.swap(i, i - 1)); }>"↑"</button>
                                    <button type="button" class="button button-small" disabled={i + 1 >= count} aria-label=t(lang, "rm.rule_down")
                                        on:click=move |_| { saved.set(false); rules.update(|rs| rs.swap(i, i + 1)); }>"↓"</button>
                                    <button type="button" class="button button-small button-danger"
                                        on:click=move |_| { saved.set(false); rules.update(|rs| { rs.remove(i); }); }>{t(lang, "rm.rule_remove")}</button>
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {can_design.then(|| view! {
                <div class="form-actions">
                    <button type="button" class="button button-small" data-testid="rm-add-rule"
                        disabled=move || menus.with_value(Vec::is_empty)
                        on:click=move |_| {
                            saved.set(false);
                            let first = menus.with_value(|ms| ms.first().map(|m| m.0.clone()).unwrap_or_default());
                            rules.update(|rs| rs.push(MenuRuleForm { menu: first, ..Default::default() }));
                        }>{t(lang, "rm.add_rule")}</button>
                    <button type="button" class="button button-primary-inline" data-testid="rm-save-rules"
                        disabled=move || save.pending().get()
                        on:click=move |_| { save.dispatch(()); }>{t(lang, "rm.save_rules")}</button>
                </div>
            })}
            {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
            <Show when=move || saved.get()>
                <p class="notice notice-ok" role="status">{t(lang, "rm.rules_saved")}</p>
            </Show>
        </section>
    }
}

/// Taps per area and how often the menu was seen, as LINE counted them over
/// the last 30 days; asked for only when opened (LINE allows 60 an hour).
#[component]
fn Statistics(id: String) -> impl IntoView {
    let lang = use_lang();
    let load = Action::new(move |id: &String| rich_menu_statistics(id.clone()));
    let figure = move |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_else(|| t(lang, "rm.under_twenty"));
    view! {
        <details class="rm-stats" data-testid="rm-stats" on:toggle={
            let id = id.clone();
            move |_| if load.value().get_untracked().is_none() && !load.pending().get_untracked() { load.dispatch(id.clone()); }
        }>
            <summary>{t(lang, "rm.stats")}</summary>
            {move || match load.value().get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                Some(Ok(tabs)) => tabs.into_iter().enumerate().map(|(i, tab)| view! {
                    <table class="table">
                        <caption>{t(lang, "rm.tab_n").replace("{n}", &(i + 1).to_string())}" — "{t(lang, "rm.impressions")}": "{figure(tab.impressions)}</caption>
                        <thead><tr><th scope="col">{t(lang, "rm.stats_area")}</th><th scope="col">{t(lang, "rm.stats_taps")}</th></tr></thead>
                        <tbody>
                            {tab.taps.into_iter().map(|(label, n)| view! { <tr><td>{label}</td><td>{figure(n)}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                }).collect_view().into_any(),
            }}
        </details>
    }
}
