//! The channels the signed-in person belongs to (all, for whoever manages
//! staff), whether their own LINE is linked, and 職員の声.

use super::roles_text;
use crate::api::staff_channels::{list_staff_channels, list_staff_voices, StaffChannelsDto};
use crate::components::line_link::use_line_link;
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn StaffChannelsPage() -> impl IntoView {
    let lang = use_lang();
    let list = Resource::new(|| (), |_| list_staff_channels());
    view! {
        <header class="page-head">
            <h1>{t(lang, "nav.staff_channels")}</h1>
        </header>
        <p class="help page-intro">{t(lang, "sc.intro")}</p>
        <MyLink/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(d) => view! { <Channels d/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// A nudge to link one's LINE, until it is.
#[component]
fn MyLink() -> impl IntoView {
    let lang = use_lang();
    let (link, _) = use_line_link();
    move || match link.get() {
        Some(Ok(l)) if !l.linked => Some(view! {
            <p class="notice" data-testid="link-nudge">
                {t(lang, "sc.not_linked")}" "<A href="/settings">{t(lang, "sc.link_here")}</A>
            </p>
        }),
        _ => None,
    }
}

#[component]
fn Channels(d: StaffChannelsDto) -> impl IntoView {
    let lang = use_lang();
    let can_manage = d.can_manage;
    let empty = d.channels.is_empty();
    view! {
        <Show when=move || can_manage>
            <p><a class="button button-primary-inline" href="/staff-channels/new" data-testid="new-staff-channel">{t(lang, "sc.new")}</a></p>
        </Show>
        <Show when=move || empty>
            <section class="card empty-state">
                <p>{t(lang, if can_manage { "sc.empty_manager" } else { "sc.empty" })}</p>
            </section>
        </Show>
        <ul class="card-list" data-testid="staff-channels">
            {d.channels.into_iter().map(|c| {
                let linked = c.members.iter().filter(|m| m.linked).count();
                let count = c.members.len();
                view! {
                    <li class="card">
                        <h2><A href=format!("/staff-channels/{}", c.id)>{c.settings.name.clone()}</A>
                            {c.archived.then(|| view! { " " <span class="badge">{t(lang, "sc.archived")}</span> })}
                        </h2>
                        {(!c.settings.description.is_empty()).then(|| view! { <p>{c.settings.description.clone()}</p> })}
                        <p class="help">
                            {t_n(lang, "sc.members_n", count as i64)}"（"{t_n(lang, "sc.linked_n", linked as i64)}"）・"
                            {t(lang, "sc.posters")}": "{roles_text(lang, &c.settings.poster_roles)}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
        <Show when=move || can_manage>
            <Voices/>
        </Show>
    }
    .into_any()
}

/// 職員の声: the words and the day only; nothing here can say who.
#[component]
fn Voices() -> impl IntoView {
    let lang = use_lang();
    let voices = Resource::new(|| (), |_| list_staff_voices());
    view! {
        <section class="card" aria-labelledby="voices-title" data-testid="staff-voices">
            <h2 id="voices-title">{t(lang, "sc.voices")}</h2>
            <p class="help">{t(lang, "sc.voices_help")}</p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match voices.await {
                        Ok(v) if v.is_empty() => view! { <p class="empty-state">{t(lang, "sc.voices_empty")}</p> }.into_any(),
                        Ok(v) => view! {
                            <ul class="voices">
                                {v.into_iter().map(|(text, day)| view! {
                                    <li><span class="help">{day}</span><p class="post-text">{text}</p></li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}
