//! One day's appointments by department, with the day before and after;
//! the front desk records visits and no-shows here.

use super::status_label;
use crate::api::appointments::{act_on_appointment, appointments_day, appointments_week, AppointmentItem, WeekDto};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use model::appointment::AppointmentAct;

#[component]
pub fn AppointmentsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let date = move || query.read().get("date").unwrap_or_default();
    let act = Action::new(|(id, act): &(String, AppointmentAct)| act_on_appointment(id.clone(), *act));
    let week = move || query.read().get("view").as_deref() == Some("week");
    let day = Resource::new(move || (date(), act.version().get()), |(d, _)| appointments_day(d));
    view! {
        <header class="page-head">
            <h1>{t(lang, "nav.appointments")}</h1>
            <nav class="toolbar" aria-label=t(lang, "appt.view")>
                <A href=move || format!("/appointments?date={}", date()) attr:class="button button-small" attr:aria-current=move || (!week()).then_some("page")>{t(lang, "appt.view_day")}</A>
                <A href=move || format!("/appointments?view=week&date={}", date()) attr:class="button button-small" attr:aria-current=move || week().then_some("page")>{t(lang, "appt.view_week")}</A>
            </nav>
        </header>
        <Show when=week fallback=move || view! { <DayView day act/> }>
            <WeekView date=Signal::derive(date)/>
        </Show>
        {move || act.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
        <super::import::AppointmentImport/>
    }
}

type DayResource = Resource<Result<crate::api::appointments::DayDto, crate::errors::AppError>>;

#[component]
fn DayView(day: DayResource, act: Action<(String, AppointmentAct), Result<(), crate::errors::AppError>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match day.await {
                    Ok(d) => {
                        let count = d.items.len() as i64;
                        view! {
                            <nav class="toolbar day-nav" aria-label=t(lang, "appt.days")>
                                <A href=format!("/appointments?date={}", d.previous) attr:class="button">{t(lang, "appt.previous_day")}</A>
                                <h2 class="day-title" data-testid="day-title">{d.title.clone()}</h2>
                                <A href=format!("/appointments?date={}", d.next) attr:class="button">{t(lang, "appt.next_day")}</A>
                                <A href="/appointments" attr:class="button button-quiet">{t(lang, "appt.today")}</A>
                            </nav>
                            <p class="help">{t_n(lang, "appt.count_n", count)}</p>
                            {if d.departments.is_empty() {
                                view! { <section class="card empty-state"><p>{t(lang, "appt.no_departments")}</p></section> }.into_any()
                            } else {
                                d.departments.iter().map(|(id, name, slot, capacity)| {
                                    let items: Vec<AppointmentItem> = d.items.iter().filter(|a| &a.department_id == id).cloned().collect();
                                    view! {
                                        <section class="card" data-testid="department">
                                            <h3>{name.clone()}" "<span class="help">{t(lang, "appt.slot").replace("{m}", &slot.to_string()).replace("{n}", &capacity.to_string())}</span></h3>
                                            {if items.is_empty() {
                                                view! { <p class="empty-state">{t(lang, "appt.none_today")}</p> }.into_any()
                                            } else {
                                                view! { <DayTable items can_handle=d.can_handle act/> }.into_any()
                                            }}
                                        </section>
                                    }
                                }).collect_view().into_any()
                            }}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A week per department: each day's appointments by time; a day opens
/// its own list.
#[component]
fn WeekView(date: Signal<String>) -> impl IntoView {
    let week = Resource::new(move || date.get(), appointments_week);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match week.await {
                    Ok(w) => view! { <WeekTables w/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn WeekTables(w: WeekDto) -> impl IntoView {
    let lang = use_lang();
    let title = format!("{} – {}", w.days[0].1, w.days[6].1);
    view! {
        <nav class="toolbar day-nav" aria-label=t(lang, "appt.weeks")>
            <A href=format!("/appointments?view=week&date={}", w.previous) attr:class="button">{t(lang, "appt.previous_week")}</A>
            <h2 class="day-title" data-testid="week-title">{title}</h2>
            <A href=format!("/appointments?view=week&date={}", w.next) attr:class="button">{t(lang, "appt.next_week")}</A>
            <A href="/appointments?view=week" attr:class="button button-quiet">{t(lang, "appt.this_week")}</A>
        </nav>
        {if w.departments.is_empty() {
            view! { <section class="card empty-state"><p>{t(lang, "appt.no_departments")}</p></section> }.into_any()
        } else {
            // Each department's appointments, day by day.
            let sections: Vec<(String, Vec<Vec<AppointmentItem>>)> = w
                .departments
                .iter()
                .map(|(id, name, _, _)| {
                    let cells = w
                        .days
                        .iter()
                        .map(|(iso, _)| w.items.iter().filter(|a| &a.department_id == id && a.local.starts_with(iso.as_str())).cloned().collect())
                        .collect();
                    (name.clone(), cells)
                })
                .collect();
            let days = w.days.clone();
            sections.into_iter().map(|(name, cells)| {
                let days = days.clone();
                view! {
                    <section class="card" data-testid="week-department">
                        <h3>{name}</h3>
                        <div class="table-wrap">
                            <table class="table week-table">
                                <thead><tr>
                                    {days.into_iter().map(|(iso, label)| view! {
                                        <th scope="col"><a href=format!("/appointments?date={iso}")>{label}</a></th>
                                    }.into_any()).collect_view()}
                                </tr></thead>
                                <tbody><tr>
                                    {cells.into_iter().map(|items| view! {
                                        <td>
                                            {items.is_empty().then(|| view! { <span class="help">"—"</span> })}
                                            <ul class="week-items">
                                                {items.into_iter().map(|a| view! {
                                                    <li class=format!("week-item badge-appt-{}", a.status.as_str())>
                                                        <span class="week-time">{a.time.clone()}</span>" "
                                                        <a href=format!("/friends/{}", a.friend_id)>{a.friend_name.clone()}</a>
                                                        <span class="visually-hidden">{status_label(lang, a.status)}</span>
                                                    </li>
                                                }.into_any()).collect_view()}
                                            </ul>
                                        </td>
                                    }.into_any()).collect_view()}
                                </tr></tbody>
                            </table>
                        </div>
                    </section>
                }
                .into_any()
            }).collect_view().into_any()
        }}
    }
}

#[component]
fn DayTable(
    items: Vec<AppointmentItem>,
    can_handle: bool,
    act: Action<(String, AppointmentAct), Result<(), crate::errors::AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="appointments">
                <thead><tr>
                    <th scope="col">{t(lang, "appt.time")}</th>
                    <th scope="col">{t(lang, "appt.patient")}</th>
                    <th scope="col">{t(lang, "appt.status")}</th>
                    {can_handle.then(|| view! { <th scope="col">{t(lang, "appt.actions")}</th> })}
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|a| {
                        let upcoming = a.status.is_upcoming();
                        let (visit, no_show) = (a.id.clone(), a.id.clone());
                        view! {
                            <tr>
                                <td>{a.time.clone()}</td>
                                <td><A href=format!("/friends/{}", a.friend_id)>{a.friend_name.clone()}</A></td>
                                <td><span class=format!("badge badge-appt-{}", a.status.as_str())>{status_label(lang, a.status)}</span></td>
                                {(can_handle && upcoming).then(|| view! {
                                    <td class="row-actions">
                                        <button type="button" class="button button-small" on:click=move |_| { act.dispatch((visit.clone(), AppointmentAct::RecordVisit)); }>{t(lang, "appt.record_visit")}</button>
                                        <button type="button" class="button button-small button-quiet" on:click=move |_| { act.dispatch((no_show.clone(), AppointmentAct::RecordNoShow)); }>{t(lang, "appt.record_no_show")}</button>
                                    </td>
                                })}
                                {(can_handle && !upcoming).then(|| view! { <td></td> })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
