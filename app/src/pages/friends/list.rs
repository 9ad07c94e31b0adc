//! The friend list: search, filters, keyset pages and tags for many at once.

use super::{shown_name, status_label};
use crate::api::friends::{list_friends, FriendItem};
use crate::api::tags::{tag_choices, SetFriendsTag, TagChoice};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n};
use crate::pages::TagBadge;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use model::percent_encode;

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
    let catalog = Resource::new(|| (), |_| tag_choices());
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
                        catalog.await.ok().filter(|tags| !tags.is_empty()).map(|tags| view! {
                            <details class="tag-filter field" open=!chosen.is_empty()>
                                <summary>{t(lang, "friends.by_tags")}{(!chosen.is_empty()).then(|| format!("（{}）", chosen.len()))}</summary>
                                <p class="help">{t(lang, "friends.by_tags_help")}</p>
                                <div class="tag-filter-list">
                                    {tags.iter().map(|tag| {
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
                            let tags = if can { catalog.await.unwrap_or_default() } else { Vec::new() };
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
    tags: Vec<TagChoice>,
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
            // A plain link: the router still follows it in the page, and fifty
            // rows of <A> (each resolving its address and watching whether it
            // is the current page) were a good part of this page's render.
            <td><a href=format!("/friends/{}", f.id)>{name}</a>
                {f.staff.then(|| view! { " " <span class="badge" title=t(lang, "friends.staff_help")>{t(lang, "friends.staff")}</span> })}</td>
            <td>{f.patient_number.clone()}</td>
            <td><span class=badge>{status_label(&f.status)}</span></td>
            <td>{f.followed.clone()}</td>
        </tr>
    }
}
