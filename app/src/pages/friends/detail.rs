//! One friend's page: profile, patient fields, tags and the staff memo.

use super::{shown_name, status_label};
use crate::api::friends::friend_detail;
use crate::api::patients::{SaveMemo, SavePatientFields};
use crate::components::{ActionError, ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use model::patient::{self, PatientFields, PatientProblem};

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
                            {d.staff.then(|| view! { <p class="notice" data-testid="friend-staff">{t(lang, "friends.staff_help")}</p> })}
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
                    <crate::pages::FriendAppointments id=id() can_handle=d.can_edit/>
                    <crate::pages::SequencePreview id=id()/>
                    <FriendRichMenu id=id()/>
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

/// Which rich menu the friend sees now, and the rule that decided it.
#[component]
fn FriendRichMenu(id: String) -> impl IntoView {
    use crate::api::rich_menus::{friend_rich_menu, FriendMenuDto};
    let lang = use_lang();
    let menu = Resource::new(move || id.clone(), friend_rich_menu);
    view! {
        <section class="card" aria-labelledby="friend-rm-title">
            <h2 id="friend-rm-title">{t(lang, "rm.friend_title")}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match menu.await {
                        Ok(m) => {
                            let text = match m {
                                FriendMenuDto::None => t(lang, "rm.friend_none"),
                                FriendMenuDto::Default { menu } => t(lang, "rm.friend_default").replace("{menu}", &menu),
                                FriendMenuDto::ByRule { menu, number, segment, staff } => {
                                    let who = match (staff, segment.is_empty()) {
                                        (true, _) => t(lang, "rm.staff"),
                                        (false, true) => t(lang, "rm.everyone"),
                                        (false, false) => segment,
                                    };
                                    t(lang, "rm.friend_rule").replace("{menu}", &menu).replace("{n}", &number.to_string()).replace("{who}", &who)
                                }
                            };
                            view! { <p data-testid="friend-rich-menu">{text}</p> }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
