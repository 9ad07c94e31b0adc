//! 友だち: the list (search, filters, keyset pages) and one friend's page.

use crate::api::friends::{friend_detail, list_friends, FriendItem};
use crate::api::patients::{SaveMemo, SavePatientFields};
use crate::api::tags::{tags_overview, SetFriendsTag};
use crate::components::{ActionError, ErrorNotice, Loading};
use crate::i18n::{t, t_n};
use crate::pages::TagBadge;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use model::patient::{self, PatientFields, PatientProblem};
use model::percent_encode;

fn status_label(status: &str) -> String {
    let lang = use_lang();
    match status {
        "blocked" => t(lang, "friends.status_blocked"),
        _ => t(lang, "friends.status_active"),
    }
}

#[component]
pub fn FriendsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let chosen_tags = move || {
        query
            .read()
            .get_all("tag")
            .unwrap_or_default()
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
    };
    let page = Resource::new(
        move || (get("q"), get("status"), get("from"), get("until"), chosen_tags(), get("after")),
        |(q, status, from, until, tags, after)| list_friends(q, status, from, until, Some(tags.join(",")), after),
    );
    let catalog = Resource::new(|| (), |_| tags_overview());
    let filtered = move || {
        get("q").is_some() || get("status").is_some() || get("from").is_some() || get("until").is_some() || !chosen_tags().is_empty()
    };
    // The next page keeps the filters and moves the cursor.
    let next_href = move |cursor: String| {
        let q = query.read();
        let mut parts: Vec<String> = ["q", "status", "from", "until"]
            .iter()
            .filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| format!("{k}={}", percent_encode(&v))))
            .collect();
        parts.extend(chosen_tags().iter().map(|t| format!("tag={}", percent_encode(t))));
        parts.push(format!("after={}", percent_encode(&cursor)));
        format!("/friends?{}", parts.join("&"))
    };
    // Friends picked on this page for tagging in bulk.
    let picked: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let bulk_tag = RwSignal::new(String::new());
    let bulk = ServerAction::<SetFriendsTag>::new();
    Effect::new(move |_| {
        if matches!(bulk.value().get(), Some(Ok(_))) {
            picked.set(Vec::new());
            page.refetch();
        }
    });

    view! {
        <h1>{t(lang, "friends.title")}</h1>
        <section class="card">
            <form method="get" action="/friends" class="filters">
                <div class="field">
                    <label for="q">{t(lang, "friends.search")}</label>
                    <input id="q" name="q" type="search" value=move || get("q").unwrap_or_default()/>
                </div>
                <div class="field">
                    <label for="status">{t(lang, "friends.status")}</label>
                    <select id="status" name="status">
                        {[("", "friends.status_all"), ("active", "friends.status_active"), ("blocked", "friends.status_blocked")].into_iter().map(|(v, k)| {
                            view! { <option value=v selected=move || get("status").unwrap_or_default() == v>{t(lang, k)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="from">{t(lang, "friends.followed_from")}</label>
                    <input id="from" name="from" type="date" value=move || get("from").unwrap_or_default()/>
                </div>
                <div class="field">
                    <label for="until">{t(lang, "friends.followed_until")}</label>
                    <input id="until" name="until" type="date" value=move || get("until").unwrap_or_default()/>
                </div>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let chosen = chosen_tags();
                        catalog.await.ok().filter(|d| !d.tags.is_empty()).map(|d| view! {
                            <details class="tag-filter field" open=!chosen.is_empty()>
                                <summary>{t(lang, "friends.by_tags")}{(!chosen.is_empty()).then(|| format!("（{}）", chosen.len()))}</summary>
                                <p class="help">{t(lang, "friends.by_tags_help")}</p>
                                <div class="tag-filter-list">
                                    {d.tags.iter().map(|tag| {
                                        let on = chosen.contains(&tag.id);
                                        view! {
                                            <label class="check">
                                                <input type="checkbox" name="tag" value=tag.id.clone() checked=on/>
                                                <TagBadge name=tag.name.clone() color=tag.color.clone()/>
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            </details>
                        })
                    })}
                </Suspense>
                <div class="field field-actions">
                    <button type="submit" class="button button-primary">{t(lang, "friends.apply")}</button>
                    <a href="/friends" class="button">{t(lang, "friends.clear")}</a>
                </div>
            </form>
        </section>
        <section class="card">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) if p.items.is_empty() => {
                            let key = if filtered() { "friends.no_match" } else { "friends.empty" };
                            view! { <p class="empty-state">{t(lang, key)}</p> }.into_any()
                        }
                        Ok(p) => {
                            let ids: Vec<String> = p.items.iter().map(|f| f.id.clone()).collect();
                            let can = p.can_edit;
                            let tags = if can { catalog.await.map(|d| d.tags).unwrap_or_default() } else { Vec::new() };
                            view! {
                            {can.then(|| view! { <BulkTagBar picked bulk_tag bulk tags/> })}
                            {p.can_edit.then(|| view! {
                                <div class="toolbar">
                                    <span class="help">{t(lang, "friends.csv")}</span>
                                    <a href="/friends/patients.csv" class="button" rel="external" download data-testid="export-csv">{t(lang, "friends.export")}</a>
                                    <A href="/friends/import" attr:class="button">{t(lang, "friends.import")}</A>
                                </div>
                            })}
                            <div class="table-wrap">
                                <table class="table" data-testid="friends-table">
                                    <thead><tr>
                                        {can.then(|| {
                                            let ids = ids.clone();
                                            let all = ids.clone();
                                            view! {
                                                <th scope="col" class="select-cell">
                                                    <input type="checkbox" aria-label=t(lang, "tags.select_all")
                                                        prop:checked=move || { !all.is_empty() && picked.with(|p| all.iter().all(|i| p.contains(i))) }
                                                        on:change=move |ev| picked.set(if event_target_checked(&ev) { ids.clone() } else { Vec::new() })/>
                                                </th>
                                            }
                                        })}
                                        <th scope="col">{t(lang, "friends.name")}</th>
                                        <th scope="col">{t(lang, "friends.patient_number")}</th>
                                        <th scope="col">{t(lang, "friends.status")}</th>
                                        <th scope="col">{t(lang, "friends.followed")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {p.items.into_iter().map(|f| view! { <FriendRow f picked=can.then_some(picked)/> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <p class="pager">
                                {get("after").is_some().then(|| view! { <a href="/friends" class="button">{t(lang, "friends.first")}</a> })}
                                {p.next.map(|c| view! { <A href=next_href(c) attr:class="button">{t(lang, "friends.next")}</A> })}
                            </p>
                        }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Tags the picked friends (or removes a tag from them) in one go.
#[component]
fn BulkTagBar(
    picked: RwSignal<Vec<String>>,
    bulk_tag: RwSignal<String>,
    bulk: ServerAction<SetFriendsTag>,
    tags: Vec<crate::api::tags::TagDto>,
) -> impl IntoView {
    let lang = use_lang();
    let send = move |attach: bool| {
        bulk.dispatch(SetFriendsTag {
            friends: picked.get_untracked(),
            tag: bulk_tag.get_untracked(),
            attach,
        });
    };
    view! {
        <div class="toolbar toolbar-start bulk-bar" data-testid="bulk-tags">
            <span>{move || t_n(lang, "friends.picked", picked.with(Vec::len) as i64)}</span>
            <label class="visually-hidden" for="bulk-tag">{t(lang, "tags.bulk")}</label>
            <select id="bulk-tag" on:change=move |ev| bulk_tag.set(event_target_value(&ev))>
                <option value="">{t(lang, "tags.choose")}</option>
                {tags.into_iter().map(|tag| view! { <option value=tag.id>{tag.name}</option> }).collect_view()}
            </select>
            <button type="button" class="button" disabled=move || picked.with(Vec::is_empty) || bulk_tag.with(String::is_empty) on:click=move |_| send(true)>{t(lang, "tags.bulk_attach")}</button>
            <button type="button" class="button" disabled=move || picked.with(Vec::is_empty) || bulk_tag.with(String::is_empty) on:click=move |_| send(false)>{t(lang, "tags.bulk_remove")}</button>
            {move || match bulk.value().get() {
                Some(Ok(n)) => Some(view! { <span class="notice notice-ok" role="status">{t_n(lang, "tags.bulk_done", n as i64)}</span> }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                None => None,
            }}
        </div>
    }
}

/// A friend's LINE name; until it is known, why not: LINE gives no profile
/// of someone who blocked the account, so theirs may never come.
fn shown_name(lang: crate::i18n::Lang, name: &str, status: &str) -> String {
    match (name.is_empty(), status) {
        (false, _) => name.to_string(),
        (true, "blocked") => t(lang, "friends.no_name_blocked"),
        (true, _) => t(lang, "friends.no_name"),
    }
}

#[component]
fn FriendRow(f: FriendItem, picked: Option<RwSignal<Vec<String>>>) -> impl IntoView {
    let lang = use_lang();
    let name = shown_name(lang, &f.display_name, &f.status);
    let badge = if f.status == "blocked" {
        "badge badge-blocked"
    } else {
        "badge badge-ok"
    };
    let name_for_label = name.clone();
    view! {
        <tr data-testid="friend-row">
            {picked.map(|picked| {
                let (id, id2) = (f.id.clone(), f.id.clone());
                let label = t(lang, "tags.select_one");
                view! {
                    <td class="select-cell">
                        <input type="checkbox" aria-label=format!("{label}: {name_for_label}") prop:checked=move || picked.with(|p| p.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                picked.update(|p| {
                                    p.retain(|x| *x != id2);
                                    if on {
                                        p.push(id2.clone());
                                    }
                                });
                            }/>
                    </td>
                }
            })}
            <td><A href=format!("/friends/{}", f.id)>{name}</A></td>
            <td>{f.patient_number.clone()}</td>
            <td><span class=badge>{status_label(&f.status)}</span></td>
            <td>{f.followed.clone()}</td>
        </tr>
    }
}

#[component]
pub fn FriendPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let detail = Resource::new(move || params.read().get("id").unwrap_or_default(), friend_detail);
    let id = move || params.read_untracked().get("id").unwrap_or_default();
    // The tag box waits in a Suspense of its own beside these two, never
    // inside one (nested Suspenses broke hydration: leptos-rs/leptos#3707).
    view! {
        <p><A href="/friends">{t(lang, "friend.back")}</A></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let badge = if d.status == "blocked" { "badge badge-blocked" } else { "badge badge-ok" };
                        view! {
                            <h1>{shown_name(lang, &d.display_name, &d.status)}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>{t(lang, "friends.status")}</dt><dd><span class=badge data-testid="friend-status">{status_label(&d.status)}</span></dd>
                                    <dt>{t(lang, "friends.followed")}</dt><dd>{d.followed.clone()}</dd>
                                    {(!d.blocked.is_empty()).then(|| view! { <dt>{t(lang, "friend.blocked_at")}</dt><dd>{d.blocked.clone()}</dd> })}
                                    {(!d.unblocked.is_empty()).then(|| view! { <dt>{t(lang, "friend.unblocked_at")}</dt><dd>{d.unblocked.clone()}</dd> })}
                                </dl>
                            </section>
                            <PatientSection id=id() patient=d.patient.clone() age=d.age today=d.today.clone() can_edit=d.can_edit/>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <crate::pages::FriendTags id=id()/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // A failure is already shown above.
                detail.await.ok().map(|d| view! {
                    <MemoSection id=id() memo=d.memo.clone() can_edit=d.can_edit/>
                    <section class="card">
                        <h2>{t(lang, "friend.timeline")}</h2>
                        {if d.timeline.is_empty() {
                            view! { <p class="empty-state">{t(lang, "friend.timeline_empty")}</p> }.into_any()
                        } else {
                            view! {
                                <ol class="timeline" data-testid="timeline">
                                    {d.timeline.into_iter().rev().map(|e| {
                                        let label = t(lang, &format!("event.{}", e.kind));
                                        let text = match (e.kind.as_str(), e.text) {
                                            (_, Some(text)) => Some(text),
                                            ("message_in", None) => Some(t(lang, "event.nontext")),
                                            _ => None,
                                        };
                                        view! {
                                            <li>
                                                <span class="timeline-at">{e.at}</span>
                                                <span class="timeline-kind">{label}</span>
                                                {text.map(|x| view! { <p class="timeline-text">{x}</p> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        }}
                    </section>
                }.into_any())
            })}
        </Suspense>
    }
}

fn sex_label(sex: &str) -> String {
    let lang = use_lang();
    match sex {
        "female" => t(lang, "patient.sex_female"),
        "male" => t(lang, "patient.sex_male"),
        "other" => t(lang, "patient.sex_other"),
        _ => t(lang, "patient.not_set"),
    }
}

/// A field's own message while typing: the rule is `model::patient`'s,
/// the one the server applies.
fn field_problem(check: impl Fn(&str) -> Result<(), PatientProblem> + Send + Sync + 'static, value: RwSignal<String>) -> impl IntoView {
    let lang = use_lang();
    move || {
        check(&value.get())
            .err()
            .map(|p| view! { <p class="field-error" role="alert">{t(lang, &format!("patient.{}", p.code()))}</p> })
    }
}

/// 患者情報: shown to everyone, editable by those who handle patients.
#[component]
fn PatientSection(id: String, patient: PatientFields, age: Option<u32>, today: String, can_edit: bool) -> impl IntoView {
    let lang = use_lang();
    let or_unset = move |s: &str| if s.is_empty() { t(lang, "patient.not_set") } else { s.to_string() };
    if !can_edit {
        let birth = if patient.birth_date.is_empty() {
            t(lang, "patient.not_set")
        } else {
            let age = age
                .map(|a| format!("（{}）", t(lang, "patient.age").replace("{n}", &a.to_string())))
                .unwrap_or_default();
            format!("{}{age}", patient.birth_date)
        };
        return view! {
            <section class="card">
                <h2>{t(lang, "patient.title")}</h2>
                <dl class="facts">
                    <dt>{t(lang, "patient.number")}</dt><dd>{or_unset(&patient.patient_number)}</dd>
                    <dt>{t(lang, "patient.kana")}</dt><dd>{or_unset(&patient.name_kana)}</dd>
                    <dt>{t(lang, "patient.birth_date")}</dt><dd>{birth}</dd>
                    <dt>{t(lang, "patient.sex")}</dt><dd>{sex_label(&patient.sex)}</dd>
                </dl>
            </section>
        }
        .into_any();
    }
    let save = ServerAction::<SavePatientFields>::new();
    let number = RwSignal::new(patient.patient_number.clone());
    let kana = RwSignal::new(patient.name_kana.clone());
    view! {
        <section class="card">
            <h2>{t(lang, "patient.title")}</h2>
            <ActionForm action=save attr:class="form form-grid" attr:data-testid="patient-form">
                <input type="hidden" name="id" value=id/>
                <div class="field">
                    <label for="patient-number">{t(lang, "patient.number")}</label>
                    <input id="patient-number" name="patient_number" autocomplete="off" maxlength="20"
                        prop:value=number on:input=move |ev| number.set(event_target_value(&ev))/>
                    <p class="help">{t(lang, "patient.number_help")}</p>
                    {field_problem(|v| patient::normalize_patient_number(v).map(|_| ()), number)}
                </div>
                <div class="field">
                    <label for="name-kana">{t(lang, "patient.kana")}</label>
                    <input id="name-kana" name="name_kana" autocomplete="off" prop:value=kana on:input=move |ev| kana.set(event_target_value(&ev))/>
                    <p class="help">{t(lang, "patient.kana_help")}</p>
                    {field_problem(|v| patient::normalize_kana(v).map(|_| ()), kana)}
                </div>
                <div class="field">
                    <label for="birth-date">{t(lang, "patient.birth_date")}</label>
                    <input id="birth-date" name="birth_date" type="date" min="1900-01-01" max=today value=patient.birth_date.clone()/>
                    {age.map(|a| view! { <p class="help" data-testid="age">{t(lang, "patient.age").replace("{n}", &a.to_string())}</p> })}
                </div>
                <div class="field">
                    <label for="sex">{t(lang, "patient.sex")}</label>
                    <select id="sex" name="sex">
                        {[("", "patient.sex_unset"), ("female", "patient.sex_female"), ("male", "patient.sex_male"), ("other", "patient.sex_other")]
                            .into_iter()
                            .map(|(v, k)| view! { <option value=v selected=patient.sex == v>{t(lang, k)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field field-actions">
                    <button type="submit" class="button button-primary">{t(lang, "patient.save")}</button>
                </div>
            </ActionForm>
            <ActionError value=save.value()/>
            <Show when=move || matches!(save.value().get(), Some(Ok(_)))>
                <p class="notice notice-ok" role="status">{t(lang, "patient.saved")}</p>
            </Show>
        </section>
    }
    .into_any()
}

/// スタッフメモ: staff-only notes; a refused save keeps what was typed.
#[component]
fn MemoSection(id: String, memo: String, can_edit: bool) -> impl IntoView {
    let lang = use_lang();
    if !can_edit {
        let text = if memo.is_empty() { t(lang, "patient.memo_empty") } else { memo };
        return view! {
            <section class="card">
                <h2>{t(lang, "patient.memo")}</h2>
                <p class="memo">{text}</p>
            </section>
        }
        .into_any();
    }
    let save = ServerAction::<SaveMemo>::new();
    let text = RwSignal::new(memo);
    let count = move || text.with(|s| s.chars().count());
    view! {
        <section class="card">
            <h2><label for="memo">{t(lang, "patient.memo")}</label></h2>
            <ActionForm action=save attr:class="form">
                <input type="hidden" name="id" value=id/>
                <textarea id="memo" name="memo" rows="4" prop:value=text on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <p class="help">{t(lang, "patient.memo_help")}" "<span class="count" class:count-over=move || { count() > patient::MEMO_MAX }>{count}" / "{patient::MEMO_MAX}</span></p>
                {field_problem(patient::check_memo, text)}
                <button type="submit" class="button">{t(lang, "patient.memo_save")}</button>
            </ActionForm>
            <ActionError value=save.value()/>
            <Show when=move || matches!(save.value().get(), Some(Ok(())))>
                <p class="notice notice-ok" role="status">{t(lang, "patient.memo_saved")}</p>
            </Show>
        </section>
    }
    .into_any()
}
