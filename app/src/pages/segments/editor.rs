//! One segment's editor: name, description and the rule, with the live
//! count; leaving with unsaved changes asks first.

use super::rule_view::group_view;
use crate::api::segments::{count_segment, delete_segment, get_segment, save_segment};
use crate::api::tags::{tags_overview, TagsDto};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use model::segment::*;
use std::sync::Arc;

/// `/segments/new` and `/segments/:id`.
#[component]
pub fn SegmentEditPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").filter(|i| i != "new").unwrap_or_default();
    let catalog = Resource::new(|| (), |_| tags_overview());
    let existing = Resource::new(id, |id| async move {
        if id.is_empty() {
            Ok(None)
        } else {
            get_segment(id).await.map(Some)
        }
    });
    view! {
        <p><A href="/segments">{t(lang, "seg.back")}</A></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (catalog.await, existing.await) {
                    (Ok(d), Ok(seg)) => {
                        let (name, description, rule) = match seg {
                            Some(s) => (s.name, s.description, s.rule),
                            None => (String::new(), String::new(), starter_rule(&d)),
                        };
                        view! { <Builder id=id() data=Arc::new(d) name description rule/> }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn starter_rule(d: &TagsDto) -> Rule {
    Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(default_condition(d))],
        },
    }
}

pub(super) fn default_condition(d: &TagsDto) -> Condition {
    match d.tags.first() {
        Some(tag) => Condition::Tag {
            tag: tag.id.clone(),
            has: true,
        },
        None => Condition::Status { status: Status::Active },
    }
}

/// The group at `path` (indexes of nested groups from the root).
fn group_at<'a>(g: &'a mut Group, path: &[usize]) -> Option<&'a mut Group> {
    match path.split_first() {
        None => Some(g),
        Some((i, rest)) => match g.items.get_mut(*i)? {
            Node::Group(inner) => group_at(inner, rest),
            Node::Condition(_) => None,
        },
    }
}

pub(super) fn path_key(path: &[usize]) -> String {
    path.iter().map(usize::to_string).collect::<Vec<_>>().join(".")
}

/// What the builder shares with every part of the tree it draws.
#[derive(Clone)]
pub(super) struct Ctx {
    pub(super) rule: RwSignal<Rule>,
    pub(super) data: Arc<TagsDto>,
    /// The item being dragged: its group's path and its index.
    pub(super) dragging: RwSignal<Option<(Vec<usize>, usize)>>,
    pub(super) refusals: Memo<Vec<Refusal>>,
    pub(super) editable: bool,
}

impl Ctx {
    pub(super) fn edit(&self, group: &[usize], f: impl FnOnce(&mut Group)) {
        self.rule.update(|r| {
            if let Some(g) = group_at(&mut r.root, group) {
                f(g);
            }
        });
    }

    pub(super) fn set_condition(&self, group: &[usize], i: usize, c: Condition) {
        self.edit(group, |g| {
            if let Some(item) = g.items.get_mut(i) {
                *item = Node::Condition(c);
            }
        });
    }
}

#[component]
fn Builder(id: String, data: Arc<TagsDto>, name: String, description: String, rule: Rule) -> impl IntoView {
    let lang = use_lang();
    let saved_json = RwSignal::new(serde_json::to_string(&rule).unwrap_or_default());
    let rule = RwSignal::new(rule);
    let name = RwSignal::new(name);
    let description = RwSignal::new(description);
    let catalog = data.catalog();
    let refusals = Memo::new(move |_| rule.with(|r| r.validate(&catalog)));
    let ctx = Ctx {
        rule,
        data: data.clone(),
        dragging: RwSignal::new(None),
        refusals,
        editable: data.can_design,
    };
    // Counted only when the browser finds the rule valid (the server checks
    // again). Fetched by the browser alone, so the builder — which already
    // sits in the page's Suspense — needs no Suspense of its own
    // (leptos-rs/leptos#3707).
    let json = Memo::new(move |_| rule.with(|r| serde_json::to_string(r).unwrap_or_default()));
    let count = LocalResource::new(move || {
        // Counted again only when the rule's words change (the memo), not
        // on every signal write that leaves them the same.
        json.track();
        let (rule, valid) = (rule.get_untracked(), refusals.with(Vec::is_empty));
        async move {
            if valid {
                Some(count_segment(rule).await)
            } else {
                None
            }
        }
    });
    let id = RwSignal::new(id);
    let save = Action::new(move |_: &()| {
        save_segment(
            id.get_untracked(),
            name.get_untracked(),
            description.get_untracked(),
            rule.get_untracked(),
        )
    });
    Effect::new(move |_| {
        if let Some(Ok(pid)) = save.value().get() {
            saved_json.set(json.get_untracked());
            if id.get_untracked().is_empty() {
                id.set(pid.clone());
                show_address(&format!("/segments/{pid}"));
            }
        }
    });
    let dirty = Memo::new(move |_| json.get() != saved_json.get());
    crate::components::warn_before_leaving(dirty);
    let remove = Action::new(move |_: &()| delete_segment(id.get_untracked()));
    let confirming = RwSignal::new(false);
    let editable = data.can_design;
    let tree_ctx = ctx.clone();

    view! {
        <h1>{move || if id.get().is_empty() { t(lang, "seg.new") } else { t(lang, "seg.edit") }}</h1>
        <div class="builder-layout">
            <div>
                <section class="card">
                    <div class="form form-grid">
                        <div class="field">
                            <label for="seg-name">{t(lang, "seg.name")}</label>
                            <input id="seg-name" maxlength="40" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) disabled=!editable/>
                        </div>
                        <div class="field">
                            <label for="seg-description">{t(lang, "seg.description")}</label>
                            <input id="seg-description" maxlength="200" prop:value=description on:input=move |ev| description.set(event_target_value(&ev)) disabled=!editable/>
                        </div>
                    </div>
                </section>
                <section class="card" aria-labelledby="rule-heading">
                    <h2 id="rule-heading">{t(lang, "seg.rule")}</h2>
                    <p class="help">{t(lang, "seg.rule_help")}</p>
                    {move || {
                        let root = tree_ctx.rule.with(|r| r.root.clone());
                        group_view(tree_ctx.clone(), Vec::new(), root)
                    }}
                </section>
                {editable.then(|| view! {
                    <div class="toolbar toolbar-start">
                        <button type="button" class="button button-primary" data-testid="save-segment"
                            disabled=move || !refusals.with(Vec::is_empty) || save.pending().get()
                            on:click=move |_| { save.dispatch(()); }>
                            {t(lang, "seg.save")}
                        </button>
                        {move || dirty.get().then(|| view! { <span class="help">{t(lang, "seg.unsaved")}</span> })}
                        {move || (!id.get().is_empty()).then(|| view! {
                            <button type="button" class="button button-danger" on:click=move |_| confirming.set(true)>{t(lang, "seg.delete")}</button>
                        })}
                    </div>
                    <Show when=move || confirming.get()>
                        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                            <p id="confirm-text">{t(lang, "seg.delete_confirm")}</p>
                            <button type="button" class="button button-danger" on:click=move |_| { remove.dispatch(()); }>{t(lang, "seg.delete_yes")}</button>
                            " "
                            <button type="button" class="button" on:click=move |_| confirming.set(false)>{t(lang, "common.cancel")}</button>
                        </div>
                    </Show>
                    {move || match save.value().get() {
                        Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                        Some(Ok(_)) if !dirty.get() => Some(view! { <p class="notice notice-ok" role="status">{t(lang, "seg.saved")}</p> }.into_any()),
                        _ => None,
                    }}
                    {move || remove.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
                })}
            </div>
            <aside class="card count-card" aria-live="polite">
                <h2>{t(lang, "seg.matching")}</h2>
                {move || {
                    let problems = refusals.get();
                    if !problems.is_empty() {
                        return view! {
                            <ul class="problems" data-testid="rule-problems">
                                {problems.into_iter().map(|r| view! { <li>{refusal_text(&r)}</li> }).collect_view()}
                            </ul>
                        }.into_any();
                    }
                    match count.get() {
                        None => view! { <Loading/> }.into_any(),
                        Some(Some(Ok(c))) => view! {
                            <p class="big-count" data-testid="segment-count">{t_n(lang, "seg.people", c.count as i64)}</p>
                            {(!c.sample.is_empty()).then(|| view! {
                                <h3>{t(lang, "seg.sample")}</h3>
                                <ul class="sample">
                                    {c.sample.into_iter().map(|(fid, fname)| view! {
                                        <li><A href=format!("/friends/{fid}")>{if fname.is_empty() { t(lang, "friends.no_name") } else { fname }}</A></li>
                                    }).collect_view()}
                                </ul>
                            })}
                        }.into_any(),
                        Some(Some(Err(e))) => view! { <ErrorNotice error=e/> }.into_any(),
                        Some(None) => ().into_any(),
                    }
                }}
            </aside>
        </div>
    }
}

/// Puts the saved segment's own address in the address bar without
/// reloading the builder (a reload or a bookmark then opens it).
fn show_address(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

fn refusal_text(r: &Refusal) -> String {
    let lang = use_lang();
    let reason = match r.reason {
        Reason::UnsupportedVersion => "unsupported_version",
        Reason::EmptyGroup => "empty_group",
        Reason::UnknownTag => "unknown_tag",
        Reason::UnknownField => "unknown_field",
        Reason::OperatorNotForType => "operator_not_for_type",
        Reason::ValueNotForType => "value_not_for_type",
        Reason::BadRange => "bad_range",
    };
    let place = if r.at.is_empty() {
        String::new()
    } else {
        let numbers: Vec<String> = r.at.split('.').map(|n| (n.parse::<usize>().unwrap_or(0) + 1).to_string()).collect();
        format!("{}: ", t(lang, "seg.at").replace("{n}", &numbers.join("-")))
    };
    format!("{place}{}", t(lang, &format!("seg.reason_{reason}")))
}
