//! サンドボックス電話: act as a simulated person on the clinic's LINE.

use crate::api::phone::{
    phone_people, phone_received, phone_rich_menu, PhoneAct, PhoneAddPerson, PhoneItem, PhonePerson, PhoneTap, PhoneWrite, RichMenuView,
};
use crate::components::{ActionError, ErrorNotice, Loading};
use crate::i18n::t;
use crate::line_view::{Drawn, DrawnButton, DrawnCard};
use crate::use_lang;
use leptos::prelude::*;

#[component]
pub fn PhonePage() -> impl IntoView {
    let lang = use_lang();
    let add = ServerAction::<PhoneAddPerson>::new();
    let act = ServerAction::<PhoneAct>::new();
    let write = ServerAction::<PhoneWrite>::new();
    let tap = ServerAction::<PhoneTap>::new();
    let people = Resource::new(move || (add.version().get(), act.version().get()), |_| phone_people());
    // Moving the clock sends steps: the chat is read again after it.
    let travelled = RwSignal::new(0u32);
    let selected = RwSignal::new(String::new());
    // A person just added becomes the one being acted as.
    Effect::new(move |_| {
        if let Some(Ok(p)) = add.value().get() {
            selected.set(p.user_id);
        }
    });
    // The clinic's answers (automations, replies) arrive a moment after a
    // tap or a message: look again a few times after each.
    let tick = RwSignal::new(0u32);
    Effect::new(move |_| {
        let acted = write.version().get() + tap.version().get() + act.version().get();
        if acted > 0 {
            for ms in [1000, 2500, 5000] {
                set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_millis(ms));
            }
        }
    });
    let received = Resource::new(
        move || {
            (
                selected.get(),
                write.version().get(),
                act.version().get(),
                tap.version().get(),
                tick.get(),
                travelled.get(),
            )
        },
        // The chat says which clock move it was read after, so whoever
        // watches it (a demo, a journey) knows the steps of a move are in.
        |(u, _, _, _, _, moves)| async move {
            let list = if u.is_empty() { Ok(Vec::new()) } else { phone_received(u).await };
            (moves, list)
        },
    );

    view! {
        <h1>{t(lang, "phone.title")}</h1>
        <p class="help">{t(lang, "phone.help")}</p>
        <div class="phone-layout">
            <section class="card">
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match people.await {
                            Ok(list) => view! {
                                <label for="phone-person">{t(lang, "phone.person")}</label>
                                <select id="phone-person" on:change=move |ev| selected.set(event_target_value(&ev)) prop:value=move || selected.get()>
                                    <option value="">{t(lang, "phone.choose")}</option>
                                    {list.into_iter().map(|p| {
                                        let status = match p.status.as_str() {
                                            "friend" => t(lang, "friends.status_active"),
                                            "blocked" => t(lang, "friends.status_blocked"),
                                            _ => t(lang, "phone.status_none"),
                                        };
                                        view! { <option value=p.user_id.clone()>{format!("{}（{}）", p.display_name, status)}</option> }
                                    }).collect_view()}
                                </select>
                            }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
                <h2>{t(lang, "phone.new_person")}</h2>
                <ActionForm action=add attr:class="form form-inline">
                    <label for="phone-name" class="visually-hidden">{t(lang, "phone.new_name")}</label>
                    <input id="phone-name" name="name" maxlength="20" placeholder=t(lang, "phone.new_name") required/>
                    <button type="submit" class="button">{t(lang, "phone.add")}</button>
                </ActionForm>
                <ActionError value=add.value()/>
            </section>
            <SandboxPlan/>
            <TimeTravel travelled/>
            <section class="phone" aria-label=t(lang, "phone.title")>
                <Show when=move || !selected.get().is_empty() fallback=move || view! { <p class="phone-empty">{t(lang, "phone.choose")}</p> }>
                    <PhoneScreen selected act write received people tap/>
                </Show>
            </section>
        </div>
    }
    .into_any()
}

/// Switches the sandbox channel to another LINE plan (owners and admins).
#[component]
fn SandboxPlan() -> impl IntoView {
    let lang = use_lang();
    let plan = RwSignal::new("light".to_string());
    let usage = RwSignal::new(0i64);
    let apply = Action::new(move |_: &()| crate::api::phone::set_sandbox_plan(plan.get_untracked(), usage.get_untracked()));
    view! {
        <section class="card" data-testid="sandbox-plan">
            <h2>{t(lang, "phone.plan_title")}</h2>
            <p class="help">{t(lang, "phone.plan_help")}</p>
            <div class="form form-inline">
                <label for="sandbox-plan" class="visually-hidden">{t(lang, "bc.plan")}</label>
                <select id="sandbox-plan" prop:value=plan on:change=move |ev| plan.set(event_target_value(&ev))>
                    {["free", "light", "standard"].into_iter().map(|p| view! { <option value=p>{t(lang, &format!("plan.{p}"))}</option> }).collect_view()}
                </select>
                <label for="sandbox-usage">{t(lang, "phone.plan_usage")}</label>
                <input id="sandbox-usage" type="number" min="0" prop:value=move || usage.get().to_string()
                    on:change=move |ev| usage.set(event_target_value(&ev).parse().unwrap_or(0))/>
                <button type="button" class="button" on:click=move |_| { apply.dispatch(()); }>{t(lang, "phone.plan_apply")}</button>
            </div>
            {move || match apply.value().get() {
                Some(Ok(())) => Some(view! { <p class="notice notice-ok" role="status">{t(lang, "common.saved")}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                None => None,
            }}
        </section>
    }
}

/// 時間を進める: the sandbox clinics' clock moves forward and every step
/// due on the way goes at its own moment (sandbox only).
#[component]
fn TimeTravel(travelled: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let go = Action::new(move |hours: &i64| crate::api::phone::travel_in_time(*hours));
    let next = Action::new(move |_: &()| crate::api::phone::travel_to_next_step());
    Effect::new(move |_| {
        if let Some(Ok(())) = go.value().get() {
            travelled.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = next.value().get() {
            travelled.update(|n| *n += 1);
        }
    });
    let busy = move || go.pending().get() || next.pending().get();
    let state = Resource::new(move || travelled.get(), |_| crate::api::phone::time_travel_state());
    view! {
        <section class="card" data-testid="time-travel" aria-labelledby="time-travel-title" data-moves=move || travelled.get().to_string()>
            <h2 id="time-travel-title">{t(lang, "travel.title")}</h2>
            <p class="help">{t(lang, "travel.help")}</p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(s) if !s.allowed => view! { <p class="help">{t(lang, "travel.not_allowed")}</p> }.into_any(),
                        Ok(s) => view! {
                            <p aria-live="polite">
                                {t(lang, "travel.now")}" "<strong data-testid="travel-now">{s.now.clone()}</strong>
                                {(s.ahead_minutes > 0).then(|| {
                                    let days = s.ahead_minutes / (24 * 60);
                                    let hours = s.ahead_minutes % (24 * 60) / 60;
                                    view! { <span class="help">" · "{t(lang, "travel.ahead").replace("{d}", &days.to_string()).replace("{h}", &hours.to_string())}</span> }
                                })}
                            </p>
                            <div class="toolbar toolbar-start">
                                {[(1, "travel.hour"), (24, "travel.day"), (72, "travel.three_days"), (168, "travel.week"), (720, "travel.month")].into_iter().map(|(h, key)| view! {
                                    <button type="button" class="button button-small" disabled=busy
                                        on:click=move |_| { go.dispatch(h); }>{t(lang, key)}</button>
                                }).collect_view()}
                                <button type="button" class="button button-small button-primary-inline" disabled=busy
                                    on:click=move |_| { next.dispatch(()); }>{t(lang, "travel.next")}</button>
                            </div>
                            {move || matches!(next.value().get(), Some(Ok(false))).then(|| view! { <p class="help" role="status">{t(lang, "travel.nothing_next")}</p> })}
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            {move || busy().then(|| view! { <p class="help" role="status">{t(lang, "travel.moving")}</p> })}
            {move || go.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
            {move || next.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
        </section>
    }
}

#[component]
fn PhoneScreen(
    selected: RwSignal<String>,
    act: ServerAction<PhoneAct>,
    write: ServerAction<PhoneWrite>,
    received: Resource<(u32, Result<Vec<PhoneItem>, crate::errors::AppError>)>,
    people: Resource<Result<Vec<PhonePerson>, crate::errors::AppError>>,
    tap: ServerAction<PhoneTap>,
) -> impl IntoView {
    let lang = use_lang();
    let person = move || {
        people
            .get()
            .and_then(|r| r.ok())
            .and_then(|list| list.into_iter().find(|p| p.user_id == selected.get()))
    };
    let status = move || person().map(|p| p.status).unwrap_or_default();
    let menu = Resource::new(
        move || (selected.get(), tap.version().get(), act.version().get()),
        |(u, _, _)| async move {
            if u.is_empty() {
                Ok(None)
            } else {
                phone_rich_menu(u).await
            }
        },
    );
    let menu_open = RwSignal::new(true);
    let on_tap = Callback::new(move |action: serde_json::Value| {
        tap.dispatch(PhoneTap {
            user: selected.get_untracked(),
            action,
        });
    });
    view! {
        <header class="phone-header">
            <strong data-testid="phone-name">{move || person().map(|p| p.display_name).unwrap_or_default()}</strong>
            <div class="phone-actions">
                {move || {
                    let (action, key, class) = match status().as_str() {
                        "friend" => ("block", "phone.block", "button button-small button-danger"),
                        "blocked" => ("follow", "phone.unblock", "button button-small"),
                        _ => ("follow", "phone.follow", "button button-small button-primary-inline"),
                    };
                    view! {
                        <ActionForm action=act>
                            <input type="hidden" name="user" value=selected.get()/>
                            <input type="hidden" name="action" value=action/>
                            <button type="submit" class=class>{t(lang, key)}</button>
                        </ActionForm>
                    }
                }}
                <Show when=move || status() != "friend" && status() != "blocked">
                    <RouteFollow selected/>
                </Show>
                <Show when=move || status() == "friend">
                    <button type="button" class="button button-small" data-testid="open-liff" on:click=move |_| {
                        let user = selected.get_untracked();
                        leptos::task::spawn_local(async move {
                            if let Ok(url) = crate::api::phone::phone_open_booking(user).await {
                                open_in_new_tab(&url);
                            }
                        });
                    }>{t(lang, "book.open_liff")}</button>
                </Show>
            </div>
        </header>
        <ActionError value=act.value()/>
        <ActionError value=tap.value()/>
        <div class="chat" data-testid="phone-chat">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let (moves, list) = received.await;
                    let shown = match list {
                        Ok(list) if list.is_empty() => view! { <p class="chat-empty">{t(lang, "phone.chat_empty")}</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|item| view! { <ChatItem item on_tap/> }).collect_view().into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    };
                    view! { <span hidden data-testid="chat-read" data-moves=moves.to_string()></span> {shown} }
                })}
            </Transition>
        </div>
        <Show when=move || status() == "friend" fallback=move || view! { <p class="help">{t(lang, "phone.not_friend")}</p> }>
            <ActionForm action=write attr:class="composer">
                <input type="hidden" name="user" value=selected.get()/>
                <label for="phone-text" class="visually-hidden">{t(lang, "phone.write")}</label>
                <input id="phone-text" name="text" placeholder=t(lang, "phone.write") maxlength="5000" required/>
                <button type="submit" class="button button-small">{t(lang, "phone.send")}</button>
            </ActionForm>
            <ActionError value=write.value()/>
            <Show when=move || matches!(write.value().get(), Some(Ok(())))>
                <p class="notice notice-ok" role="status">{t(lang, "phone.sent")}</p>
            </Show>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match menu.await {
                        Ok(Some(m)) => view! { <RichMenu menu=m open=menu_open on_tap/> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </Show>
    }
    .into_any()
}

/// A person not yet a friend reads a route's QR code in LINE: the route's
/// page opens (in a new tab, as LINE's in-app browser) knowing who they are.
#[component]
fn RouteFollow(selected: RwSignal<String>) -> impl IntoView {
    let lang = use_lang();
    let routes = Resource::new(|| (), |_| crate::api::inflow_routes::list_inflow_routes());
    let chosen = RwSignal::new(String::new());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match routes.await {
                    Ok(d) if !d.routes.is_empty() => {
                        if chosen.get_untracked().is_empty() {
                            chosen.set(d.routes[0].id.clone());
                        }
                        view! {
                            <label for="phone-route" class="visually-hidden">{t(lang, "phone.route")}</label>
                            <select id="phone-route" class="select-small" aria-label=t(lang, "phone.route")
                                on:change=move |ev| chosen.set(event_target_value(&ev))>
                                {d.routes.into_iter().map(|r| view! { <option value=r.id.clone()>{r.name.clone()}</option> }).collect_view()}
                            </select>
                            <button type="button" class="button button-small" data-testid="open-route" on:click=move |_| {
                                let (user, route) = (selected.get_untracked(), chosen.get_untracked());
                                leptos::task::spawn_local(async move {
                                    if let Ok(url) = crate::api::inflow_routes::phone_open_route(user, route).await {
                                        open_in_new_tab(&url);
                                    }
                                });
                            }>{t(lang, "phone.route_open")}</button>
                        }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

/// A button inside a message: links open (and count as a click), the rest
/// send their action as the person's tap.
#[component]
fn TapButton(
    button: DrawnButton,
    on_tap: Callback<serde_json::Value>,
    #[prop(optional)] class: &'static str,
    /// Placement over a rich menu image.
    #[prop(optional)]
    style: String,
) -> impl IntoView {
    let class = if class.is_empty() { "line-button" } else { class };
    let action = button.action.clone();
    match button.uri {
        Some(uri) => view! {
            <a class=class style=style href=uri target="_blank" rel="noopener noreferrer" on:click=move |_| on_tap.run(action.clone())>{button.label}</a>
        }
        .into_any(),
        None => view! {
            <button type="button" class=class style=style on:click=move |_| on_tap.run(action.clone())>{button.label}</button>
        }
        .into_any(),
    }
}

#[component]
fn CardView(card: DrawnCard, on_tap: Callback<serde_json::Value>) -> impl IntoView {
    view! {
        <div class="line-card">
            {card.image.map(|src| view! { <img class="line-card-image" src=src alt="" loading="lazy"/> })}
            <div class="line-card-body">
                {card.title.map(|x| view! { <p class="line-card-title">{x}</p> })}
                {(!card.text.is_empty()).then(|| view! { <p>{card.text.clone()}</p> })}
            </div>
            <div class="line-card-buttons">
                {card.buttons.into_iter().map(|button| view! { <TapButton button on_tap/> }).collect_view()}
            </div>
        </div>
    }
}

/// Words and LINE emoji, the emoji as LINE's own pictures (named for
/// screen readers and for when the picture cannot load).
/// Opens a page in a new tab, as LINE opens a LIFF app over the chat.
fn open_in_new_tab(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.open_with_url_and_target(url, "_blank");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// Words with their web addresses made links, as LINE shows a text
/// message (opened in a new tab, as LINE opens its in-app browser).
fn linked(words: &str) -> impl IntoView {
    let mut parts = Vec::new();
    let mut at = 0;
    for r in model::link::web_links_in(words) {
        parts.push((words[at..r.start].to_string(), false));
        parts.push((words[r.clone()].to_string(), true));
        at = r.end;
    }
    parts.push((words[at..].to_string(), false));
    parts
        .into_iter()
        .map(|(text, is_link)| {
            if is_link {
                let href = text.clone();
                view! { <a href=href target="_blank" rel="noopener noreferrer">{text}</a> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view()
}

#[component]
fn TextPieces(pieces: Vec<model::emoji::Piece>) -> impl IntoView {
    use model::emoji::{image_url, Piece};
    let lang = use_lang();
    pieces
        .into_iter()
        .map(|p| match p {
            Piece::Words(w) => linked(&w).into_any(),
            Piece::Malformed(w) => w.into_any(),
            Piece::Emoji { product_id, emoji_id } => {
                let alt = t(lang, "phone.emoji").replace("{id}", &emoji_id);
                view! { <img class="line-emoji" src=image_url(&product_id, &emoji_id) alt=alt.clone() title=alt/> }.into_any()
            }
        })
        .collect_view()
}

#[component]
pub(crate) fn ChatItem(item: PhoneItem, on_tap: Callback<serde_json::Value>) -> impl IntoView {
    let lang = use_lang();
    let side = if item.from_me { "chat-row chat-row-me" } else { "chat-row" };
    let read = (item.from_me && item.read).then(|| view! { <span class="read-mark">{t(lang, "phone.read")}</span> });
    view! {
        <div class=side>
            {item.bubbles.into_iter().map(|b| match b {
                Drawn::Text(pieces) => view! { <div class=if item.from_me { "bubble bubble-me" } else { "bubble bubble-in" }><p><TextPieces pieces/></p></div> }.into_any(),
                Drawn::Image(src) => view! { <img class="bubble-image" src=src alt=t(lang, "phone.image") loading="lazy"/> }.into_any(),
                Drawn::Sticker => view! { <div class="bubble-sticker" role="img" aria-label=t(lang, "phone.sticker")>"🙂"</div> }.into_any(),
                Drawn::Card(card) => view! { <CardView card on_tap/> }.into_any(),
                Drawn::Confirm { text, buttons } => view! {
                    <div class="line-card line-confirm">
                        <div class="line-card-body"><p>{text}</p></div>
                        <div class="line-card-buttons line-card-buttons-row">
                            {buttons.into_iter().map(|button| view! { <TapButton button on_tap/> }).collect_view()}
                        </div>
                    </div>
                }.into_any(),
                Drawn::Carousel(cards) => view! {
                    <div class="line-carousel" role="group" aria-label=t(lang, "phone.carousel")>
                        {cards.into_iter().map(|card| view! { <CardView card on_tap/> }).collect_view()}
                    </div>
                }.into_any(),
                Drawn::Other(alt) => view! { <div class="bubble bubble-in"><p class="bubble-alt">{alt}</p></div> }.into_any(),
            }).collect_view()}
            <span class="bubble-at">{read}{item.at}</span>
            {(!item.quick.is_empty()).then(|| view! {
                <div class="quick-replies" role="group" aria-label=t(lang, "phone.quick_replies")>
                    {item.quick.into_iter().map(|button| view! { <TapButton button on_tap class="quick-reply"/> }).collect_view()}
                </div>
            })}
        </div>
    }
}

/// The rich menu under the chat, drawn from its image with a button over
/// each tap area; the chat bar opens and closes it, as in LINE.
#[component]
fn RichMenu(menu: RichMenuView, open: RwSignal<bool>, on_tap: Callback<serde_json::Value>) -> impl IntoView {
    let padding = format!("padding-top: {:.3}%", menu.ratio * 100.0);
    let image = format!("/sandbox/richmenus/{}/image", menu.id);
    view! {
        <div class="rich-menu" data-testid="rich-menu">
            <Show when=move || open.get()>
                <div class="rich-menu-image" style=padding.clone()>
                    <img src=image.clone() alt=""/>
                    {menu.areas.clone().into_iter().map(|a| {
                        let style = format!("left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%", a.left, a.top, a.width, a.height);
                        view! { <TapButton button=a.button.clone() on_tap class="rich-menu-area" style/> }
                    }).collect_view()}
                </div>
            </Show>
            <button type="button" class="rich-menu-bar" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {menu.chat_bar_text.clone()}" ▾"
            </button>
        </div>
    }
}
