//! A friend's appointments on their page: booking in a department, moving,
//! and cancelling (asked first).

use super::status_label;
use crate::api::appointments::{act_on_appointment, book_appointment, friend_appointments, AppointmentItem};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use model::appointment::AppointmentAct;

type Act = Action<(String, AppointmentAct), Result<(), crate::errors::AppError>>;

#[component]
pub fn FriendAppointments(id: String, can_handle: bool) -> impl IntoView {
    let lang = use_lang();
    let friend = id.clone();
    let department = RwSignal::new(String::new());
    let at = RwSignal::new(String::new());
    let book = Action::new(move |_: &()| book_appointment(friend.clone(), department.get_untracked(), at.get_untracked()));
    let act: Act = Action::new(|(id, act): &(String, AppointmentAct)| act_on_appointment(id.clone(), *act));
    let list = Resource::new(
        move || (book.version().get(), act.version().get()),
        move |_| friend_appointments(id.clone()),
    );
    // The form keeps what was typed when the booking is refused; a booking
    // that went through clears the time.
    Effect::new(move |_| {
        if matches!(book.value().get(), Some(Ok(_))) {
            at.set(String::new());
        }
    });
    view! {
        <section class="card" data-testid="friend-appointments">
            <h2>{t(lang, "appt.title")}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok((items, departments)) => view! {
                            {if items.is_empty() {
                                view! { <p class="empty-state">{t(lang, "appt.none")}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="appointment-list">
                                        {items.into_iter().map(|a| view! { <AppointmentRow a can_handle act/> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {(can_handle && !departments.is_empty()).then(|| {
                                if department.get_untracked().is_empty() {
                                    department.set(departments[0].0.clone());
                                }
                                view! {
                                    <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); book.dispatch(()); }>
                                        <label>{t(lang, "appt.department")}
                                            <select prop:value=move || department.get() on:change=move |ev| department.set(event_target_value(&ev))>
                                                {departments.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <label>{t(lang, "appt.when")}
                                            <input type="datetime-local" required step="900" prop:value=move || at.get() on:input=move |ev| at.set(event_target_value(&ev))/>
                                        </label>
                                        <button type="submit" class="button button-primary">{t(lang, "appt.book")}</button>
                                    </form>
                                }
                            })}
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            {move || book.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
            {move || act.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
        </section>
    }
}

#[component]
fn AppointmentRow(a: AppointmentItem, can_handle: bool, act: Act) -> impl IntoView {
    let lang = use_lang();
    let confirming = RwSignal::new(false);
    let moving = RwSignal::new(false);
    let to = RwSignal::new(a.local.clone());
    let (cancel_id, move_id) = (a.id.clone(), a.id.clone());
    let upcoming = a.status.is_upcoming();
    view! {
        <li data-testid="appointment">
            <strong>{format!("{} {}", a.day, a.time)}</strong>" "{a.department.clone()}" "
            <span class=format!("badge badge-appt-{}", a.status.as_str())>{status_label(lang, a.status)}</span>
            {(can_handle && upcoming).then(|| view! {
                <span class="row-actions">
                    <button type="button" class="button button-small" on:click=move |_| moving.update(|m| *m = !*m)>{t(lang, "appt.move")}</button>
                    <button type="button" class="button button-small button-danger" on:click=move |_| confirming.set(true)>{t(lang, "appt.cancel")}</button>
                </span>
                <Show when=move || moving.get()>
                    <form class="inline-form" on:submit={
                        let move_id = move_id.clone();
                        move |ev| {
                            ev.prevent_default();
                            if let Some(ms) = model::broadcast::parse_jst_local(&to.get_untracked()) {
                                moving.set(false);
                                act.dispatch((move_id.clone(), AppointmentAct::Move { to: ms }));
                            }
                        }
                    }>
                        <label>{t(lang, "appt.move_to")}
                            <input type="datetime-local" required step="900" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                        </label>
                        <button type="submit" class="button button-primary button-small">{t(lang, "appt.move_save")}</button>
                    </form>
                </Show>
                <Show when=move || confirming.get()>
                    <div class="confirm" role="alertdialog" aria-label=t(lang, "appt.cancel_confirm")>
                        <p>{t(lang, "appt.cancel_confirm")}</p>
                        <button type="button" class="button button-danger" on:click={
                            let cancel_id = cancel_id.clone();
                            move |_| { confirming.set(false); act.dispatch((cancel_id.clone(), AppointmentAct::Cancel)); }
                        }>{t(lang, "appt.cancel_yes")}</button>
                        <button type="button" class="button" on:click=move |_| confirming.set(false)>{t(lang, "appt.keep")}</button>
                    </div>
                </Show>
            })}
        </li>
    }
}
