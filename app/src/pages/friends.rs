//! 友だち: the list (search, filters, keyset pages) and one friend's page.

use crate::api::{friend_detail, list_friends, FriendItem};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
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
    let page = Resource::new(
        move || (get("q"), get("status"), get("from"), get("until"), get("after")),
        |(q, status, from, until, after)| list_friends(q, status, from, until, after),
    );
    let filtered = move || get("q").is_some() || get("status").is_some() || get("from").is_some() || get("until").is_some();
    // The next page keeps the filters and moves the cursor.
    let next_href = move |cursor: String| {
        let q = query.read();
        let mut parts: Vec<String> = ["q", "status", "from", "until"]
            .iter()
            .filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| format!("{k}={}", percent_encode(&v))))
            .collect();
        parts.push(format!("after={}", percent_encode(&cursor)));
        format!("/friends?{}", parts.join("&"))
    };

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
                        Ok(p) => view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="friends-table">
                                    <thead><tr>
                                        <th scope="col">{t(lang, "friends.name")}</th>
                                        <th scope="col">{t(lang, "friends.status")}</th>
                                        <th scope="col">{t(lang, "friends.followed")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {p.items.into_iter().map(|f| view! { <FriendRow f/> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <p class="pager">
                                {get("after").is_some().then(|| view! { <a href="/friends" class="button">{t(lang, "friends.first")}</a> })}
                                {p.next.map(|c| view! { <A href=next_href(c) attr:class="button">{t(lang, "friends.next")}</A> })}
                            </p>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn FriendRow(f: FriendItem) -> impl IntoView {
    let lang = use_lang();
    let name = if f.display_name.is_empty() {
        t(lang, "friends.no_name")
    } else {
        f.display_name.clone()
    };
    let badge = if f.status == "blocked" {
        "badge badge-blocked"
    } else {
        "badge badge-ok"
    };
    view! {
        <tr data-testid="friend-row">
            <td><A href=format!("/friends/{}", f.id)>{name}</A></td>
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
    view! {
        <p><A href="/friends">{t(lang, "friend.back")}</A></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let badge = if d.status == "blocked" { "badge badge-blocked" } else { "badge badge-ok" };
                        view! {
                            <h1>{if d.display_name.is_empty() { t(lang, "friends.no_name") } else { d.display_name.clone() }}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>{t(lang, "friends.status")}</dt><dd><span class=badge data-testid="friend-status">{status_label(&d.status)}</span></dd>
                                    <dt>{t(lang, "friends.followed")}</dt><dd>{d.followed.clone()}</dd>
                                    {(!d.blocked.is_empty()).then(|| view! { <dt>{t(lang, "friend.blocked_at")}</dt><dd>{d.blocked.clone()}</dd> })}
                                    {(!d.unblocked.is_empty()).then(|| view! { <dt>{t(lang, "friend.unblocked_at")}</dt><dd>{d.unblocked.clone()}</dd> })}
                                </dl>
                            </section>
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
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
