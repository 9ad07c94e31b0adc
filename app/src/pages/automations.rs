//! 自動アクション: what the clinic does by itself when something happens —
//! the list with each automation said in words, the editor (trigger,
//! optional condition from a saved segment, actions), and the latest runs
//! with their failures, so staff see what did not work.

use crate::api::automations::{list_automations, save_automation, set_automation_enabled, AutomationItem};
use crate::api::segments::{list_segments, SegmentItem};
use crate::api::tags::{tags_overview, TagsDto};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use model::automation::{self as auto, Automation, AutomationProblem, Problem, MESSAGE_TEXT_MAX};
use model::segment::{Date, FieldType, Value};
use std::sync::Arc;

#[component]
pub fn AutomationsPage() -> impl IntoView {
    let lang = use_lang();
    let list = Resource::new(|| (), |_| list_automations());
    let catalog = Resource::new(|| (), |_| tags_overview());
    let segments = Resource::new(|| (), |_| list_segments());
    let sequences = Resource::new(|| (), |_| crate::api::sequences::list_sequences());
    // The automation being edited: (public ID or "" for a new one, name, definition).
    let editing: RwSignal<Option<(String, String, Automation)>> = RwSignal::new(None);
    let toggle = Action::new(|(id, on): &(String, bool)| set_automation_enabled(id.clone(), *on));
    Effect::new(move |_| {
        if matches!(toggle.value().get(), Some(Ok(Ok(())))) {
            list.refetch();
        }
    });
    view! {
        <h1>{t(lang, "auto.title")}</h1>
        <p class="help page-intro">{t(lang, "auto.intro")}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (list.await, catalog.await, segments.await, sequences.await) {
                    (Ok(l), Ok(d), Ok(segs), Ok(seqs)) => {
                        provide_context(SequenceNames(Arc::new(seqs.items.into_iter().map(|s| (s.id, s.name)).collect())));
                        let d = Arc::new(d);
                        let d_edit = d.clone();
                        let design = d.can_design;
                        let d_form = d.clone();
                        let segs = Arc::new(segs);
                        let runs = l.runs;
                        let items = l.items;
                        let toolbar = design.then(|| view! {
                                <div class="toolbar">
                                    <button type="button" class="button button-primary" on:click=move |_| editing.set(Some((String::new(), String::new(), blank(&d_form))))>
                                        {t(lang, "auto.new")}
                                    </button>
                                </div>
                            }.into_any());
                        let editor = move || editing.get().map(|(id, name, a)| view! {
                                <Editor id name automation=a data=d_edit.clone() segments=segs.clone() editing on_saved=move || list.refetch()/>
                            }.into_any());
                        let list_view = view! { <AutomationList items data=d.clone() design editing toggle/> }.into_any();
                        let runs_view = view! { <RunsTable runs/> }.into_any();
                        view! { {toolbar} {editor} {list_view} {runs_view} }.into_any()
                    }
                    (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The clinic's step sequences (public ID, name), for the actions that
/// start or stop one.
#[derive(Clone, Default)]
struct SequenceNames(Arc<Vec<(String, String)>>);

fn sequence_names() -> Arc<Vec<(String, String)>> {
    use_context::<SequenceNames>().unwrap_or_default().0
}

fn sequence_name(id: &str) -> String {
    sequence_names()
        .iter()
        .find(|(i, _)| i == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default()
}

type Toggle = Action<(String, bool), Result<Result<(), Vec<AutomationProblem>>, crate::errors::AppError>>;

#[component]
fn AutomationList(
    items: Vec<AutomationItem>,
    data: Arc<TagsDto>,
    design: bool,
    editing: RwSignal<Option<(String, String, Automation)>>,
    toggle: Toggle,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card">
            {if items.is_empty() {
                view! { <p class="empty-state">{t(lang, "auto.empty")}</p> }.into_any()
            } else {
                view! {
                    <ul class="automation-list">
                        {items.into_iter().map(|item| automation_card(item, data.clone(), design, editing, toggle).into_any()).collect_view()}
                    </ul>
                }.into_any()
            }}
            {move || match toggle.value().get() {
                Some(Ok(Err(problems))) => Some(view! { <Problems problems/> }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn RunsTable(runs: Vec<crate::api::automations::RunItem>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{t(lang, "auto.runs")}</h2>
            {if runs.is_empty() {
                view! { <p class="empty-state">{t(lang, "auto.runs_empty")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="automation-runs">
                            <thead><tr>
                                <th scope="col">{t(lang, "auto.run_at")}</th>
                                <th scope="col">{t(lang, "auto.name")}</th>
                                <th scope="col">{t(lang, "auto.run_friend")}</th>
                                <th scope="col">{t(lang, "auto.run_result")}</th>
                            </tr></thead>
                            <tbody>
                                {runs.into_iter().map(|r| {
                                    let failed = r.status == "failed";
                                    let result = if failed {
                                        format!("{}: {}", t(lang, "auto.status_failed"), t(lang, &format!("auto.error_{}", r.error)))
                                    } else {
                                        t(lang, &format!("auto.status_{}", r.status))
                                    };
                                    view! {
                                        <tr>
                                            <td>{r.at}</td>
                                            <td>{r.automation}</td>
                                            <td><A href=format!("/friends/{}", r.friend_id)>{if r.friend_name.is_empty() { t(lang, "friends.no_name") } else { r.friend_name }}</A></td>
                                            <td><span class=if failed { "badge badge-blocked" } else { "badge badge-ok" }>{result}</span></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

fn blank(d: &TagsDto) -> Automation {
    Automation {
        trigger: auto::Trigger::Postback { data: String::new() },
        condition: None,
        actions: d
            .tags
            .first()
            .map(|t| vec![auto::Action::AddTag { tag: t.id.clone() }])
            .unwrap_or_default(),
    }
}

fn field_name(d: &TagsDto, id: &str) -> String {
    d.fields.iter().find(|f| f.id == id).map(|f| f.name.clone()).unwrap_or_default()
}

/// The trigger in words: 「ポストバック「vaccine=flu」を受け取ったとき」.
fn trigger_text(tr: &auto::Trigger, d: &TagsDto) -> String {
    let lang = use_lang();
    let (key, arg) = match tr {
        auto::Trigger::Followed => ("auto.when_followed", String::new()),
        auto::Trigger::FollowedViaRoute { .. } => ("auto.when_followed_via_route", String::new()),
        auto::Trigger::LinkClicked { url } if url.trim().is_empty() => ("auto.when_any_link", String::new()),
        auto::Trigger::LinkClicked { url } => ("auto.when_link", url.clone()),
        auto::Trigger::Unblocked => ("auto.when_unblocked", String::new()),
        auto::Trigger::Keyword { keyword, exact: true } => ("auto.when_keyword_exact", keyword.clone()),
        auto::Trigger::Keyword { keyword, exact: false } => ("auto.when_keyword", keyword.clone()),
        auto::Trigger::Postback { data } => ("auto.when_postback", data.clone()),
        auto::Trigger::TagAdded { tag } => ("auto.when_tag_added", d.tag_name(tag)),
        auto::Trigger::TagRemoved { tag } => ("auto.when_tag_removed", d.tag_name(tag)),
        auto::Trigger::FieldChanged { field } => ("auto.when_field_changed", field_name(d, field)),
    };
    t(lang, key).replace("{x}", &arg)
}

fn action_text(a: &auto::Action, d: &TagsDto) -> String {
    let lang = use_lang();
    let (key, arg) = match a {
        auto::Action::AddTag { tag } => ("auto.do_add_tag", d.tag_name(tag)),
        auto::Action::RemoveTag { tag } => ("auto.do_remove_tag", d.tag_name(tag)),
        auto::Action::SetField { field, values } => {
            let shown: Vec<String> = values.iter().map(value_text).collect();
            ("auto.do_set_field", format!("{} = {}", field_name(d, field), shown.join("・")))
        }
        auto::Action::Reply { text } => ("auto.do_reply", text.clone()),
        auto::Action::Push { text } => ("auto.do_push", text.clone()),
        auto::Action::StartSequence { sequence } => ("auto.do_start_sequence", sequence_name(sequence)),
        auto::Action::StopSequence { sequence } => ("auto.do_stop_sequence", sequence_name(sequence)),
    };
    t(lang, key).replace("{x}", &arg)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::None => String::new(),
        Value::Text(s) | Value::Choice(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Date(d) => format!("{:04}-{:02}-{:02}", d.y, d.m, d.d),
    }
}

fn automation_card(
    item: AutomationItem,
    d: Arc<TagsDto>,
    design: bool,
    editing: RwSignal<Option<(String, String, Automation)>>,
    toggle: Toggle,
) -> impl IntoView {
    let lang = use_lang();
    let (id, name, a) = (item.id.clone(), item.name.clone(), item.automation.clone());
    let enabled = item.enabled;
    let toggle_id = item.id.clone();
    view! {
        <li class="automation" class:automation-off=!enabled data-testid="automation">
            <div class="automation-head">
                <strong>{item.name.clone()}</strong>
                <span class=if enabled { "badge badge-ok" } else { "badge" }>{t(lang, if enabled { "auto.on" } else { "auto.off" })}</span>
            </div>
            <p class="automation-when">{trigger_text(&item.automation.trigger, &d)}</p>
            {item.automation.condition.is_some().then(|| view! { <p class="help">{t(lang, "auto.has_condition")}</p> })}
            <ol class="automation-actions">
                {item.automation.actions.iter().map(|x| view! { <li>{action_text(x, &d)}</li> }).collect_view()}
            </ol>
            {design.then(|| view! {
                <div class="form-inline">
                    <button type="button" class="button button-small" on:click=move |_| editing.set(Some((id.clone(), name.clone(), a.clone())))>{t(lang, "auto.edit")}</button>
                    <button type="button" class="button button-small" on:click=move |_| { toggle.dispatch((toggle_id.clone(), !enabled)); }>
                        {t(lang, if enabled { "auto.turn_off" } else { "auto.turn_on" })}
                    </button>
                </div>
            })}
        </li>
    }
}

#[component]
fn Problems(problems: Vec<AutomationProblem>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="notice notice-error" role="alert" data-testid="automation-problems">
            {problems.into_iter().map(|p| {
                let text = match &p.problem {
                    Problem::Loop(names) => t(lang, "auto.problem_loop").replace("{x}", &names.iter().filter(|n| !n.is_empty()).cloned().collect::<Vec<_>>().join("・")),
                    Problem::Condition(_) => t(lang, "auto.problem_condition"),
                    other => t(lang, &format!("auto.problem_{}", problem_key(other))),
                };
                let place = match p.at.as_str() {
                    "trigger" => t(lang, "auto.trigger"),
                    "condition" => t(lang, "auto.condition"),
                    "actions" => t(lang, "auto.actions"),
                    other => t(lang, "auto.action_n").replace("{n}", &(other.trim_start_matches("actions.").parse::<usize>().unwrap_or(0) + 1).to_string()),
                };
                view! { <p>{format!("{place}: {text}")}</p> }
            }).collect_view()}
        </div>
    }
}

fn problem_key(p: &Problem) -> &'static str {
    match p {
        Problem::NoActions => "no_actions",
        Problem::TooManyActions => "too_many_actions",
        Problem::UnknownTag => "unknown_tag",
        Problem::UnknownField => "unknown_field",
        Problem::UnknownSequence => "unknown_sequence",
        Problem::EmptyText => "empty_text",
        Problem::TextTooLong => "text_too_long",
        Problem::BadUrl => "bad_url",
        Problem::Condition(_) => "condition",
        Problem::Loop(_) => "loop",
    }
}

fn trigger_key(tr: &auto::Trigger) -> &'static str {
    match tr {
        auto::Trigger::Keyword { .. } => "keyword",
        auto::Trigger::FollowedViaRoute { .. } => "followed_via_route",
        other => other.kind(),
    }
}

/// The editor of one automation; what was typed stays when the server refuses.
#[component]
fn Editor(
    id: String,
    name: String,
    automation: Automation,
    data: Arc<TagsDto>,
    segments: Arc<Vec<SegmentItem>>,
    editing: RwSignal<Option<(String, String, Automation)>>,
    on_saved: impl Fn() + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let a = RwSignal::new(automation);
    let name = RwSignal::new(name);
    let id = RwSignal::new(id);
    let condition_from = RwSignal::new(String::new());
    let save = Action::new(move |_: &()| save_automation(id.get_untracked(), name.get_untracked(), a.get_untracked()));
    Effect::new(move |_| {
        if let Some(Ok(Ok(_))) = save.value().get() {
            on_saved();
            editing.set(None);
        }
    });
    let d = data.clone();
    let first_tag = data.tags.first().map(|t| t.id.clone()).unwrap_or_default();
    let first_field = data.fields.first().map(|f| f.id.clone());
    let trigger_view = {
        let d = d.clone();
        let (first_tag, first_field) = (first_tag.clone(), first_field.clone());
        move || {
            let tr = a.with(|a| a.trigger.clone());
            let (tag_default, field_default) = (first_tag.clone(), first_field.clone());
            let arg = match &tr {
                auto::Trigger::Keyword { keyword, exact } => {
                    let exact = *exact;
                    view! {
                        <label for="auto-keyword">{t(lang, "auto.keyword")}</label>
                        <input id="auto-keyword" value=keyword.clone() maxlength="100" on:change=move |ev| {
                            let keyword = event_target_value(&ev);
                            a.update(|a| a.trigger = auto::Trigger::Keyword { keyword, exact });
                        }/>
                        <label class="check">
                            <input type="checkbox" checked=exact on:change=move |ev| {
                                let exact = event_target_checked(&ev);
                                a.update(|a| if let auto::Trigger::Keyword { exact: e, .. } = &mut a.trigger { *e = exact });
                            }/>
                            {t(lang, "auto.exact")}
                        </label>
                    }.into_any()
                }
                auto::Trigger::Postback { data } => view! {
                    <label for="auto-postback">{t(lang, "auto.postback")}</label>
                    <input id="auto-postback" value=data.clone() maxlength="300" on:change=move |ev| {
                        let data = event_target_value(&ev);
                        a.update(|a| a.trigger = auto::Trigger::Postback { data });
                    }/>
                    <p class="help">{t(lang, "auto.postback_help")}</p>
                }.into_any(),
                auto::Trigger::TagAdded { tag } | auto::Trigger::TagRemoved { tag } => {
                    let added = matches!(tr, auto::Trigger::TagAdded { .. });
                    view! {
                        <label for="auto-trigger-tag">{t(lang, "auto.tag")}</label>
                        <select id="auto-trigger-tag" on:change=move |ev| {
                            let tag = event_target_value(&ev);
                            a.update(|a| a.trigger = if added { auto::Trigger::TagAdded { tag } } else { auto::Trigger::TagRemoved { tag } });
                        }>
                            {d.tags.iter().map(|x| view! { <option value=x.id.clone() selected=x.id == *tag>{x.name.clone()}</option> }).collect_view()}
                        </select>
                    }.into_any()
                }
                auto::Trigger::FieldChanged { field } => view! {
                    <label for="auto-trigger-field">{t(lang, "auto.field")}</label>
                    <select id="auto-trigger-field" on:change=move |ev| {
                        let field = event_target_value(&ev);
                        a.update(|a| a.trigger = auto::Trigger::FieldChanged { field });
                    }>
                        {d.fields.iter().map(|x| view! { <option value=x.id.clone() selected=x.id == *field>{x.name.clone()}</option> }).collect_view()}
                    </select>
                }.into_any(),
                auto::Trigger::LinkClicked { url } => view! {
                    <label for="auto-link">{t(lang, "auto.link")}</label>
                    <input id="auto-link" type="url" value=url.clone() maxlength="1000" placeholder="https://" on:change=move |ev| {
                        let url = event_target_value(&ev);
                        a.update(|a| a.trigger = auto::Trigger::LinkClicked { url });
                    }/>
                    <p class="help">{t(lang, "auto.link_help")}</p>
                }.into_any(),
                auto::Trigger::Followed | auto::Trigger::Unblocked | auto::Trigger::FollowedViaRoute { .. } => ().into_any(),
            };
            // A route's own automation belongs to its route: its trigger is
            // not changed here.
            if matches!(tr, auto::Trigger::FollowedViaRoute { .. }) {
                return view! {
                    <div class="field">
                        <span class="label">{t(lang, "auto.trigger")}</span>
                        <p data-testid="route-trigger">{t(lang, "auto.when_followed_via_route")}</p>
                        <p class="help">{t(lang, "auto.route_help")}</p>
                    </div>
                }
                .into_any();
            }
            view! {
                <div class="field">
                    <label for="auto-trigger">{t(lang, "auto.trigger")}</label>
                    <select id="auto-trigger" on:change=move |ev| {
                        let trigger = match event_target_value(&ev).as_str() {
                            "followed" => auto::Trigger::Followed,
                            "unblocked" => auto::Trigger::Unblocked,
                            "keyword" => auto::Trigger::Keyword { keyword: String::new(), exact: false },
                            "tag_added" => auto::Trigger::TagAdded { tag: tag_default.clone() },
                            "tag_removed" => auto::Trigger::TagRemoved { tag: tag_default.clone() },
                            "field_changed" => auto::Trigger::FieldChanged { field: field_default.clone().unwrap_or_default() },
                            "link_clicked" => auto::Trigger::LinkClicked { url: String::new() },
                            _ => auto::Trigger::Postback { data: String::new() },
                        };
                        a.update(|a| a.trigger = trigger);
                    }>
                        {["postback", "keyword", "followed", "unblocked", "tag_added", "tag_removed", "field_changed", "link_clicked"].into_iter()
                            .map(|k| view! { <option value=k selected=trigger_key(&tr) == k>{t(lang, &format!("auto.trigger_{k}"))}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">{arg}</div>
            }.into_any()
        }
    };
    let segs = segments.clone();
    let actions_view = {
        let d = d.clone();
        move || {
            let actions = a.with(|a| a.actions.clone());
            let count = actions.len();
            actions
                .into_iter()
                .enumerate()
                .map(|(i, action)| action_editor(i, count, action, d.clone(), a))
                .collect_view()
        }
    };
    let add_action = move |kind: &'static str| {
        let (tag, field) = (first_tag.clone(), first_field.clone());
        move |_| {
            let action = match kind {
                "add_tag" => auto::Action::AddTag { tag: tag.clone() },
                "remove_tag" => auto::Action::RemoveTag { tag: tag.clone() },
                "set_field" => match &field {
                    Some(f) => auto::Action::SetField {
                        field: f.clone(),
                        values: vec![],
                    },
                    None => return,
                },
                "push" => auto::Action::Push { text: String::new() },
                "start_sequence" | "stop_sequence" => {
                    let Some((sequence, _)) = sequence_names().first().cloned() else {
                        return;
                    };
                    if kind == "start_sequence" {
                        auto::Action::StartSequence { sequence }
                    } else {
                        auto::Action::StopSequence { sequence }
                    }
                }
                _ => auto::Action::Reply { text: String::new() },
            };
            a.update(|a| a.actions.push(action));
        }
    };
    view! {
        <section class="card editor" aria-labelledby="editor-heading" data-testid="automation-editor">
            <h2 id="editor-heading">{move || t(lang, if id.get().is_empty() { "auto.new" } else { "auto.edit" })}</h2>
            <div class="form form-grid">
                <div class="field">
                    <label for="auto-name">{t(lang, "auto.name")}</label>
                    <input id="auto-name" maxlength="40" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                {trigger_view}
            </div>
            <h3>{t(lang, "auto.condition")}</h3>
            <p class="help">{move || if a.with(|a| a.condition.is_some()) { t(lang, "auto.condition_set") } else { t(lang, "auto.condition_none") }}</p>
            <div class="form-inline">
                <label class="visually-hidden" for="auto-condition">{t(lang, "auto.condition_from")}</label>
                <select id="auto-condition" on:change=move |ev| condition_from.set(event_target_value(&ev))>
                    <option value="">{t(lang, "auto.condition_pick")}</option>
                    {segs.iter().map(|s| view! { <option value=s.id.clone()>{s.name.clone()}</option> }).collect_view()}
                </select>
                <button type="button" class="button button-small" disabled=move || condition_from.get().is_empty() on:click=move |_| {
                    let seg = condition_from.get_untracked();
                    leptos::task::spawn_local(async move {
                        if let Ok(s) = crate::api::segments::get_segment(seg).await {
                            a.update(|a| a.condition = Some(s.rule));
                        }
                    });
                }>{t(lang, "auto.condition_use")}</button>
                <button type="button" class="button button-small" disabled=move || a.with(|a| a.condition.is_none())
                    on:click=move |_| a.update(|a| a.condition = None)>{t(lang, "auto.condition_clear")}</button>
            </div>
            <h3>{t(lang, "auto.actions")}</h3>
            <ol class="rule-items">{actions_view}</ol>
            <div class="form-inline">
                {["add_tag", "remove_tag", "set_field", "reply", "push", "start_sequence", "stop_sequence"].into_iter().map(|k| view! {
                    <button type="button" class="button button-small" on:click=add_action(k)>{t(lang, &format!("auto.add_{k}"))}</button>
                }).collect_view()}
            </div>
            <p class="help">{t(lang, "auto.reply_help")}</p>
            <div class="toolbar toolbar-start">
                <button type="button" class="button button-primary" data-testid="save-automation" disabled=move || save.pending().get() on:click=move |_| { save.dispatch(()); }>
                    {t(lang, "auto.save")}
                </button>
                <button type="button" class="button" on:click=move |_| editing.set(None)>{t(lang, "common.cancel")}</button>
            </div>
            {move || match save.value().get() {
                Some(Ok(Err(problems))) => Some(view! { <Problems problems/> }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                _ => None,
            }}
        </section>
    }
}

/// A value typed for a field, read by the field's type; `None` when it
/// does not fit (the server checks again).
fn parse_value(kind: Option<FieldType>, s: &str) -> Option<Vec<Value>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(vec![]);
    }
    Some(match kind? {
        FieldType::Text => vec![Value::Text(s.to_string())],
        FieldType::Number => vec![Value::Number(s.parse().ok()?)],
        FieldType::Date => vec![Value::Date(Date::parse(s)?)],
        FieldType::SingleChoice => vec![Value::Choice(s.to_string())],
        FieldType::MultiChoice => s.split(['、', ',']).map(|c| Value::Choice(c.trim().to_string())).collect(),
    })
}

fn action_editor(i: usize, count: usize, action: auto::Action, d: Arc<TagsDto>, a: RwSignal<Automation>) -> impl IntoView {
    let lang = use_lang();
    let set = move |x: auto::Action| a.update(|a| a.actions[i] = x);
    let body = match action.clone() {
        auto::Action::AddTag { tag } | auto::Action::RemoveTag { tag } => {
            let add = matches!(action, auto::Action::AddTag { .. });
            view! {
                <label for=format!("action-{i}")>{t(lang, if add { "auto.add_add_tag" } else { "auto.add_remove_tag" })}</label>
                <select id=format!("action-{i}") on:change=move |ev| {
                    let tag = event_target_value(&ev);
                    set(if add { auto::Action::AddTag { tag } } else { auto::Action::RemoveTag { tag } });
                }>
                    {d.tags.iter().map(|x| view! { <option value=x.id.clone() selected=x.id == tag>{x.name.clone()}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        auto::Action::SetField { field, values } => {
            let kind = d
                .fields
                .iter()
                .find(|f| f.id == field)
                .and_then(|f| FieldType::parse(&f.field_type));
            let shown: Vec<String> = values.iter().map(value_text).collect();
            let bad = RwSignal::new(false);
            let f2 = field.clone();
            view! {
                <label for=format!("action-{i}")>{t(lang, "auto.add_set_field")}</label>
                <select id=format!("action-{i}") on:change=move |ev| set(auto::Action::SetField { field: event_target_value(&ev), values: vec![] })>
                    {d.fields.iter().map(|x| view! { <option value=x.id.clone() selected=x.id == field>{x.name.clone()}</option> }).collect_view()}
                </select>
                <label class="visually-hidden" for=format!("action-{i}-value")>{t(lang, "seg.value")}</label>
                <input id=format!("action-{i}-value") value=shown.join("、") placeholder=t(lang, "auto.value_placeholder") on:change=move |ev| {
                    match parse_value(kind, &event_target_value(&ev)) {
                        Some(values) => { bad.set(false); set(auto::Action::SetField { field: f2.clone(), values }); }
                        None => bad.set(true),
                    }
                }/>
                {move || bad.get().then(|| view! { <p class="field-error" role="alert">{t(lang, "error.value_not_for_field")}</p> })}
            }
            .into_any()
        }
        auto::Action::StartSequence { sequence } | auto::Action::StopSequence { sequence } => {
            let start = matches!(action, auto::Action::StartSequence { .. });
            view! {
                <label for=format!("action-{i}")>{t(lang, if start { "auto.add_start_sequence" } else { "auto.add_stop_sequence" })}</label>
                <select id=format!("action-{i}") on:change=move |ev| {
                    let sequence = event_target_value(&ev);
                    set(if start { auto::Action::StartSequence { sequence } } else { auto::Action::StopSequence { sequence } });
                }>
                    {sequence_names().iter().map(|(id, name)| view! { <option value=id.clone() selected=*id == sequence>{name.clone()}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        auto::Action::Reply { text } | auto::Action::Push { text } => {
            let reply = matches!(action, auto::Action::Reply { .. });
            let len = RwSignal::new(text.encode_utf16().count());
            view! {
                <label for=format!("action-{i}")>{t(lang, if reply { "auto.add_reply" } else { "auto.add_push" })}</label>
                <textarea id=format!("action-{i}") rows="3" on:input=move |ev| len.set(event_target_value(&ev).encode_utf16().count()) on:change=move |ev| {
                    let text = event_target_value(&ev);
                    set(if reply { auto::Action::Reply { text } } else { auto::Action::Push { text } });
                }>{text.clone()}</textarea>
                <p class="help"><span class="count" class:count-over=move || { len.get() > MESSAGE_TEXT_MAX }>{len}" / "{MESSAGE_TEXT_MAX}</span></p>
            }
            .into_any()
        }
    };
    view! {
        <li class="rule-item" data-testid="automation-action">
            <div class="rule-item-body field">{body}</div>
            <div class="rule-item-tools">
                <button type="button" class="button button-quiet button-small" aria-label=t(lang, "seg.move_up") disabled=i == 0
                    on:click=move |_| a.update(|a| a.actions.swap(i, i - 1))>"↑"</button>
                <button type="button" class="button button-quiet button-small" aria-label=t(lang, "seg.move_down") disabled={i + 1 >= count}
                    on:click=move |_| a.update(|a| a.actions.swap(i, i + 1))>"↓"</button>
                <button type="button" class="button button-quiet button-small button-danger" aria-label=t(lang, "seg.remove")
                    on:click=move |_| a.update(|a| { a.actions.remove(i); })>"×"</button>
            </div>
        </li>
    }
}
