//! 予約ページ: what a patient sees after tapping their link in LINE —
//! their appointments to come, and slots by department and day with the
//! room left; book, move, cancel (asked first). Made for a phone.

use crate::api::booking::{
    booking_from_id_token, booking_page, booking_slots, patient_book, patient_cancel, BookingDto, PatientAppointment, SlotDto,
};
use crate::components::{ErrorNotice, HydrationMark, Loading};
use crate::i18n::{t, t_n};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// What the last change did, to say so.
#[derive(Clone, Copy, PartialEq)]
enum Done {
    Booked,
    Moved,
    Cancelled,
}

#[component]
pub fn BookingPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let version = RwSignal::new(0u32);
    let page = Resource::new(move || (token.get(), version.get()), |(t, _)| booking_page(t));
    let done = RwSignal::new(None::<Done>);
    view! {
        <main class="booking-page">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Booking p token done version/> }.into_any(),
                        Err(e) => view! {
                            <h1>{t(lang, "book.title")}</h1>
                            <ErrorNotice error=e/>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <HydrationMark/>
        </main>
    }
}

/// `/book?clinic=…` opened as a LIFF app: the page takes LIFF's ID token
/// (the sandbox phone puts it after `#id_token=`; inside LINE,
/// `liff.getIDToken()` gives it), the server has LINE verify it, and the
/// page continues at the friend's own booking link.
#[component]
pub fn LiffBookingPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let failed = RwSignal::new(None::<crate::errors::AppError>);
    let navigate = use_navigate();
    Effect::new(move |_| {
        let clinic = query.read_untracked().get("clinic").unwrap_or_default();
        let id_token = id_token_in_address();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let Some(id_token) = id_token else {
                failed.set(Some(crate::errors::AppError::new("booking_link_invalid")));
                return;
            };
            match booking_from_id_token(clinic, id_token).await {
                Ok(token) => navigate(
                    &format!("/book/{token}"),
                    leptos_router::NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                ),
                Err(e) => failed.set(Some(e)),
            }
        });
    });
    view! {
        <main class="booking-page">
            <h1>{t(lang, "book.title")}</h1>
            {move || match failed.get() {
                Some(e) => view! { <ErrorNotice error=e/> }.into_any(),
                None => view! { <p role="status">{t(lang, "book.checking")}</p> }.into_any(),
            }}
            <HydrationMark/>
        </main>
    }
}

/// LIFF's ID token after `#id_token=` (never sent to the server in the
/// address, and removed from it at once).
pub(crate) fn id_token_in_address() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let location = web_sys::window()?.location();
        let hash = location.hash().ok()?;
        let token = hash.strip_prefix("#id_token=")?.to_string();
        if let Ok(history) = web_sys::window()?.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&location.pathname().unwrap_or_default()));
        }
        (!token.is_empty()).then_some(token)
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

#[component]
fn Booking(p: BookingDto, token: Memo<String>, done: RwSignal<Option<Done>>, version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let can_change = !p.link_used;
    // Moving one of them (Some) or booking anew (None).
    let moving = RwSignal::new(None::<PatientAppointment>);
    let cancelling = RwSignal::new(None::<String>);
    let department = RwSignal::new(p.departments.first().map(|d| d.0.clone()).unwrap_or_default());
    let day = RwSignal::new(p.days.first().map(|d| d.0).unwrap_or_default());
    let chosen = RwSignal::new(None::<SlotDto>);
    let slots = Resource::new(
        move || (token.get(), department.get(), day.get(), version.get()),
        |(t, d, day, _)| async move {
            if d.is_empty() {
                Ok(vec![])
            } else {
                booking_slots(t, d, day).await
            }
        },
    );
    let book = Action::new(move |(dep, at, appt): &(String, i64, Option<String>)| {
        patient_book(token.get_untracked(), dep.clone(), *at, appt.clone())
    });
    let cancel = Action::new(move |appt: &String| patient_cancel(token.get_untracked(), appt.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = book.value().get() {
            done.set(Some(if moving.get_untracked().is_some() {
                Done::Moved
            } else {
                Done::Booked
            }));
            chosen.set(None);
            moving.set(None);
            version.update(|v| *v += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = cancel.value().get() {
            done.set(Some(Done::Cancelled));
            cancelling.set(None);
            version.update(|v| *v += 1);
        }
    });
    let departments = p.departments.clone();
    let department_name = move |id: &str| departments.iter().find(|d| d.0 == id).map(|d| d.1.clone()).unwrap_or_default();
    let days = p.days.clone();
    let day_name = move |at: i64| days.iter().find(|d| d.0 == at).map(|d| d.1.clone()).unwrap_or_default();
    let upcoming = p.upcoming.clone();
    view! {
        <header class="booking-head">
            <p class="brand">{p.clinic_name.clone()}</p>
            <h1>{t(lang, "book.title")}</h1>
            <p class="help">{t(lang, "book.greeting").replace("{name}", &p.friend_name)}</p>
        </header>
        {move || done.get().map(|d| view! {
            <div class="notice notice-ok" role="status" data-testid="booking-done">
                <p>{t(lang, match d { Done::Booked => "book.done_booked", Done::Moved => "book.done_moved", Done::Cancelled => "book.done_cancelled" })}</p>
                <p>{t(lang, "book.done_help")}</p>
            </div>
        })}
        {(!can_change && done.get_untracked().is_none()).then(|| view! {
            <div class="notice" role="status"><p>{t(lang, "book.link_used")}</p></div>
        })}
        <section class="card" aria-labelledby="book-upcoming">
            <h2 id="book-upcoming">{t(lang, "book.upcoming")}</h2>
            {if upcoming.is_empty() {
                view! { <p class="help" data-testid="booking-none">{t(lang, "book.none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="booking-list">
                        {upcoming.into_iter().map(|a| {
                            let id = a.id.clone();
                            let id_for_cancel = a.id.clone();
                            let a_for_move = a.clone();
                            view! {
                                <li class="booking-item" data-testid="booking-item">
                                    <p class="booking-when">{a.when.clone()}</p>
                                    <p class="help">{a.department.clone()}</p>
                                    {can_change.then(|| view! {
                                        <div class="toolbar toolbar-start">
                                            <button type="button" class="button" on:click=move |_| {
                                                department.set(a_for_move.department_id.clone());
                                                moving.set(Some(a_for_move.clone()));
                                                chosen.set(None);
                                            }>{t(lang, "book.move")}</button>
                                            <button type="button" class="button button-danger" on:click=move |_| cancelling.set(Some(id_for_cancel.clone()))>
                                                {t(lang, "book.cancel")}
                                            </button>
                                        </div>
                                    })}
                                    <Show when={let id = id.clone(); move || cancelling.get().as_deref() == Some(id.as_str())}>
                                        <div class="confirm" role="alertdialog" aria-labelledby="book-cancel-q">
                                            <p id="book-cancel-q">{t(lang, "book.cancel_confirm")}</p>
                                            <button type="button" class="button button-danger" data-testid="confirm-cancel"
                                                disabled=move || cancel.pending().get()
                                                on:click={let id = id.clone(); move |_| { cancel.dispatch(id.clone()); }}>
                                                {t(lang, "book.cancel_yes")}
                                            </button>
                                            " "
                                            <button type="button" class="button" on:click=move |_| cancelling.set(None)>{t(lang, "book.keep")}</button>
                                        </div>
                                    </Show>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {move || cancel.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
        </section>
        {can_change.then(|| view! {
            <section class="card" aria-labelledby="book-new">
                <h2 id="book-new">{move || match moving.get() {
                    Some(a) => t(lang, "book.move_title").replace("{when}", &a.when),
                    None => t(lang, "book.new"),
                }}</h2>
                <Show when=move || moving.get().is_some()>
                    <button type="button" class="button button-small" on:click=move |_| { moving.set(None); chosen.set(None); }>
                        {t(lang, "book.move_stop")}
                    </button>
                </Show>
                <Show when=move || moving.get().is_none()>
                    <fieldset class="booking-choice">
                        <legend>{t(lang, "book.department")}</legend>
                        <div class="chip-row">
                            {p.departments.iter().map(|(id, name)| {
                                let id = id.clone();
                                let id2 = id.clone();
                                view! {
                                    <label class="chip">
                                        <input type="radio" name="book-department" prop:checked=move || department.get() == id
                                            on:change=move |_| { department.set(id2.clone()); chosen.set(None); }/>
                                        {name.clone()}
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                </Show>
                <fieldset class="booking-choice">
                    <legend>{t(lang, "book.day")}</legend>
                    <div class="chip-row chip-scroll">
                        {p.days.iter().map(|(at, label)| {
                            let at = *at;
                            view! {
                                <label class="chip">
                                    <input type="radio" name="book-day" prop:checked=move || day.get() == at
                                        on:change=move |_| { day.set(at); chosen.set(None); }/>
                                    {label.clone()}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <fieldset class="booking-choice">
                    <legend>{t(lang, "book.time")}</legend>
                    <Suspense fallback=Loading>
                        {move || Suspend::new(async move {
                            match slots.await {
                                Ok(s) if s.is_empty() => view! { <p class="help">{t(lang, "book.no_slots")}</p> }.into_any(),
                                Ok(s) => view! {
                                    <div class="slot-grid" data-testid="slots">
                                        {s.into_iter().map(|slot| {
                                            let full = slot.free == 0;
                                            let s2 = slot.clone();
                                            let at = slot.starts_at;
                                            view! {
                                                <button type="button" class="slot" disabled=full
                                                    aria-pressed=move || if chosen.get().is_some_and(|c| c.starts_at == at) { "true" } else { "false" }
                                                    on:click=move |_| chosen.set(Some(s2.clone()))>
                                                    <span class="slot-time">{slot.time.clone()}</span>
                                                    <span class="slot-free">{if full { t(lang, "book.full") } else { t_n(lang, "book.free", slot.free) }}</span>
                                                </button>
                                            }
                                        }).collect_view()}
                                    </div>
                                }.into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }
                        })}
                    </Suspense>
                </fieldset>
                {move || chosen.get().map(|slot| {
                    let dep = department.get();
                    let summary = format!("{} {} {}", day_name(day.get()), slot.time, department_name(&dep));
                    view! {
                        <div class="confirm" role="region" aria-live="polite">
                            <p data-testid="booking-summary">{summary}</p>
                            <button type="button" class="button button-primary" data-testid="booking-submit"
                                disabled=move || book.pending().get()
                                on:click=move |_| {
                                    book.dispatch((dep.clone(), slot.starts_at, moving.get_untracked().map(|a| a.id)));
                                }>
                                {move || if moving.get().is_some() { t(lang, "book.move_submit") } else { t(lang, "book.submit") }}
                            </button>
                        </div>
                    }
                })}
                {move || book.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
            </section>
        })}
    }
}
