//! Every sequence of the clinic: what starts it, its steps in time order
//! (before and after the appointment), who is in it, and what each step
//! sent or skipped; pausing and resuming.

use crate::api::sequences::{
    enrol_segment, list_sequences, sequence_enrolments, unenrol_friend, EnrolmentItem, SequenceItem, SetSequencePaused, StepItem,
};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n, Lang};
use crate::use_lang;
use leptos::prelude::*;
use model::appointment::ChangedBy;
use model::sequence::{Anchor, NoticeOn, Stop, Trigger};

/// The name of a tag, segment or department, by public ID.
fn name_of(names: &[(String, String)], id: &str) -> String {
    names.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone()).unwrap_or_default()
}

/// What starts a sequence, in words.
fn trigger_text(lang: Lang, tr: &Trigger, names: &[(String, String)]) -> String {
    match tr {
        Trigger::FriendAdded => t(lang, "seq.trigger_friend_added"),
        Trigger::TagAdded { tag } => t(lang, "seq.trigger_tag_added").replace("{name}", &name_of(names, tag)),
        Trigger::SegmentEntered { segment } => t(lang, "seq.trigger_segment_entered").replace("{name}", &name_of(names, segment)),
        Trigger::AppointmentBooked { department: None } => t(lang, "seq.trigger_booked"),
        Trigger::AppointmentBooked { department: Some(d) } => t(lang, "seq.trigger_booked_in").replace("{name}", &name_of(names, d)),
        Trigger::VisitRecorded { first_only: true } => t(lang, "seq.trigger_first_visit"),
        Trigger::VisitRecorded { first_only: false } => t(lang, "seq.trigger_visit"),
        Trigger::NoShow => t(lang, "seq.trigger_no_show"),
        Trigger::Manual => t(lang, "seq.trigger_manual"),
        Trigger::AppointmentNotice { on, by } => notice_text(lang, *on, *by),
    }
}

/// 「患者さんが予約を変更したとき」
pub(crate) fn notice_text(lang: Lang, on: NoticeOn, by: Option<ChangedBy>) -> String {
    let change = match on {
        NoticeOn::Booked => "seq.notice_booked",
        NoticeOn::Moved => "seq.notice_moved",
        NoticeOn::Cancelled => "seq.notice_cancelled",
    };
    let who = match by {
        None => "seq.by_anyone",
        Some(ChangedBy::Patient) => "seq.by_patient",
        Some(ChangedBy::Staff) => "seq.by_staff",
        Some(ChangedBy::Import) => "seq.by_import",
    };
    t(lang, change).replace("{who}", &t(lang, who))
}

/// A step's action in words: 「タグ「フォロー済み」を付ける」.
fn action_text(lang: Lang, a: &model::automation::Action, names: &[(String, String)]) -> String {
    use model::automation::Action as A;
    let (key, id) = match a {
        A::AddTag { tag } => ("seq.does_add_tag", tag),
        A::RemoveTag { tag } => ("seq.does_remove_tag", tag),
        A::StartSequence { sequence } => ("seq.does_start", sequence),
        A::StopSequence { sequence } => ("seq.does_stop", sequence),
        A::SetField { field, .. } => ("seq.does_set_field", field),
        A::Reply { .. } | A::Push { .. } => return String::new(),
    };
    t(lang, key).replace("{name}", &name_of(names, id))
}

fn stop_text(lang: Lang, s: &Stop, names: &[(String, String)]) -> String {
    match s {
        Stop::TagAdded { tag } => t(lang, "seq.stop_tag").replace("{name}", &name_of(names, tag)),
        Stop::SegmentLeft { segment } => t(lang, "seq.stop_segment").replace("{name}", &name_of(names, segment)),
    }
}

#[component]
pub fn SequencesPage() -> impl IntoView {
    let lang = use_lang();
    let pause = ServerAction::<SetSequencePaused>::new();
    let list = Resource::new(move || pause.version().get(), |_| list_sequences());
    view! {
        <header class="page-head">
            <h1>{t(lang, "nav.sequences")}</h1>
            <a class="button button-primary-inline" href="/sequences/new" data-testid="new-sequence">{t(lang, "seqed.new_title")}</a>
        </header>
        <p class="help page-intro">{t(lang, "seq.intro")}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(d) if d.items.is_empty() => view! {
                        <section class="card empty-state"><p>{t(lang, "seq.empty")}</p></section>
                    }.into_any(),
                    Ok(d) => {
                        let names = d.names.clone();
                        d.items.into_iter().map(|s| view! {
                            <SequenceCard s=s names=names.clone() can_design=d.can_design pause=pause/>
                        }).collect_view().into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
        {move || pause.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
    }
}

#[component]
fn SequenceCard(s: SequenceItem, names: Vec<(String, String)>, can_design: bool, pause: ServerAction<SetSequencePaused>) -> impl IntoView {
    let lang = use_lang();
    let mut steps = s.steps.clone();
    // Before the appointment first, then after; in time order within each.
    steps.sort_by_key(|st| (st.anchor == Anchor::Enrolment && s.trigger.has_appointment(), st.offset_minutes));
    let id = s.id.clone();
    let paused = s.paused;
    let anchor_word = if s.trigger.has_appointment() {
        t(lang, "seq.axis_appointment")
    } else {
        t(lang, "seq.axis_start")
    };
    view! {
        <section class="card sequence" data-testid="sequence" aria-labelledby=format!("seq-{}", s.id)>
            <header class="sequence-head">
                <h2 id=format!("seq-{}", s.id)>{s.name.clone()}</h2>
                <span class=if paused { "badge badge-status-paused" } else { "badge badge-ok" }>
                    {if paused { t(lang, "seq.paused") } else { t(lang, "seq.running") }}
                </span>
                {can_design.then(|| view! {
                    <a class="button button-small" href=format!("/sequences/{}", s.id)>{t(lang, "seqed.edit")}</a>
                    <a class="button button-small" href=format!("/sequences/new?from={}", s.id)>{t(lang, "seqed.duplicate")}</a>
                    <button type="button" class="button button-small" on:click=move |_| {
                        pause.dispatch(SetSequencePaused { id: id.clone(), paused: !paused });
                    }>{if paused { t(lang, "seq.resume") } else { t(lang, "seq.pause") }}</button>
                })}
            </header>
            <dl class="facts">
                <dt>{t(lang, "seq.trigger")}</dt><dd>{trigger_text(lang, &s.trigger, &names)}</dd>
                {(!s.stops.is_empty()).then(|| view! {
                    <dt>{t(lang, "seq.stops")}</dt>
                    <dd>{s.stops.iter().map(|st| stop_text(lang, st, &names)).collect::<Vec<_>>().join("、")}</dd>
                })}
                <dt>{t(lang, "seq.enrolled")}</dt><dd data-testid="enrolled">{t_n(lang, "seq.people", s.enrolled)}</dd>
            </dl>
            <ol class="step-axis" aria-label=t(lang, "seq.timeline")>
                {steps.into_iter().map(|st| {
                    let does = st.actions.iter().map(|a| action_text(lang, a, &names)).collect::<Vec<_>>().join("、");
                    view! { <StepMark st=st anchor_word=anchor_word.clone() does/> }
                }).collect_view()}
            </ol>
            {view! { <Enrolments sequence=s.id.clone() can_design/> }.into_any()}
        </section>
    }
}

#[component]
fn StepMark(st: StepItem, anchor_word: String, does: String) -> impl IntoView {
    let lang = use_lang();
    let when = match st.anchor {
        Anchor::Appointment => format!("{anchor_word} {}", st.label),
        Anchor::Enrolment => st.label.clone(),
    };
    view! {
        <li class="step-axis-step" data-testid="step">
            <span class="step-axis-when">{when}</span>
            <span class=if st.operational { "badge" } else { "badge badge-soon" }>
                {if st.operational { t(lang, "seq.operational") } else { t(lang, "seq.marketing") }}
            </span>
            <p class="step-axis-text">{st.preview}</p>
            {(!does.is_empty()).then(|| view! { <p class="help" data-testid="step-does">{t(lang, "seq.does").replace("{list}", &does)}</p> })}
            <p class="help" data-testid="step-kpi">{t_n(lang, "seq.sent_n", st.sent)}" · "{t_n(lang, "seq.skipped_n", st.skipped)}" · "{t_n(lang, "seq.blocked_after_n", st.blocked_after)}</p>
        </li>
    }
}

/// 参加者: who is in the sequence, when their next step is due, and who
/// left and why; taking one out by hand asks first.
#[component]
fn Enrolments(sequence: String, can_design: bool) -> impl IntoView {
    let lang = use_lang();
    let shown = RwSignal::new(false);
    let removing = RwSignal::new(None::<String>);
    let seq = sequence.clone();
    let remove = Action::new(move |friend: &String| unenrol_friend(seq.clone(), friend.clone()));
    let seq = sequence.clone();
    let bulk = Action::new(move |segment: &String| enrol_segment(seq.clone(), segment.clone()));
    let list = Resource::new(
        move || (shown.get(), remove.version().get(), bulk.version().get()),
        move |(shown, _, _)| {
            let id = sequence.clone();
            async move {
                if shown {
                    sequence_enrolments(id).await
                } else {
                    Ok(vec![])
                }
            }
        },
    );
    view! {
        <div class="enrolments">
            <button type="button" class="button button-small" aria-expanded=move || shown.get().to_string()
                on:click=move |_| shown.update(|s| *s = !*s)>
                {move || if shown.get() { t(lang, "seq.enrolments_hide") } else { t(lang, "seq.enrolments_show") }}
            </button>
            <Show when=move || shown.get()>
                {can_design.then(|| view! { <BulkEnrol bulk/> }.into_any())}
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(items) if items.is_empty() => view! { <p class="help">{t(lang, "seq.enrolments_empty")}</p> }.into_any(),
                            Ok(items) => view! {
                                <table class="table" data-testid="enrolments">
                                    <thead><tr>
                                        <th scope="col">{t(lang, "seq.col_friend")}</th>
                                        <th scope="col">{t(lang, "seq.col_state")}</th>
                                        <th scope="col">{t(lang, "seq.col_next")}</th>
                                        <th scope="col">{t(lang, "seq.col_sent")}</th>
                                        <th scope="col"><span class="visually-hidden">{t(lang, "seq.col_actions")}</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {items.into_iter().map(|e| view! { <EnrolmentRow e removing remove/> }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
                {move || remove.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
            </Show>
        </div>
    }
}

#[component]
fn EnrolmentRow(
    e: EnrolmentItem,
    removing: RwSignal<Option<String>>,
    remove: Action<String, Result<(), crate::errors::AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let state = match e.status.as_str() {
        "active" => t(lang, "seq.state_active"),
        "finished" => t(lang, "seq.state_finished"),
        _ => t(lang, "seq.state_stopped"),
    };
    let reason = (!e.reason.is_empty()).then(|| {
        let key = match e.reason.as_str() {
            "cancelled" | "no_show" | "visited" | "changed" | "booked" => format!("appt.status_{}", e.reason),
            other => format!("seq.reason_{other}"),
        };
        format!("（{}）", t(lang, &key))
    });
    let friend = e.friend_id.clone();
    let asking = {
        let f = friend.clone();
        move || removing.get().as_deref() == Some(f.as_str())
    };
    view! {
        <tr data-testid="enrolment">
            <td><a href=format!("/friends/{}", e.friend_id)>{e.friend_name.clone()}</a></td>
            <td>{state}{reason}</td>
            <td>{e.next.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{e.steps_sent}</td>
            <td>
                {(e.status == "active").then(|| {
                    let f = friend.clone();
                    let f2 = friend.clone();
                    let asking = asking.clone();
                    view! {
                        <Show when=asking.clone() fallback=move || {
                            let f = f.clone();
                            view! { <button type="button" class="button button-small button-danger" on:click=move |_| removing.set(Some(f.clone()))>{t(lang, "seq.unenrol")}</button> }
                        }>
                            <span role="alertdialog" aria-label=t(lang, "seq.unenrol_confirm")>
                                {t(lang, "seq.unenrol_confirm")}" "
                                <button type="button" class="button button-small button-danger" on:click={
                                    let f2 = f2.clone();
                                    move |_| { removing.set(None); remove.dispatch(f2.clone()); }
                                }>{t(lang, "seq.unenrol_yes")}</button>
                                <button type="button" class="button button-small" on:click=move |_| removing.set(None)>{t(lang, "common.cancel")}</button>
                            </span>
                        </Show>
                    }
                })}
            </td>
        </tr>
    }
}

/// まとめて登録: every friend of a saved segment joins (asked first).
#[component]
fn BulkEnrol(bulk: Action<String, Result<usize, crate::errors::AppError>>) -> impl IntoView {
    let lang = use_lang();
    let segments = Resource::new(|| (), |_| crate::api::segments::list_segments());
    let chosen = RwSignal::new(String::new());
    let asking = RwSignal::new(false);
    view! {
        <div class="form form-inline bulk-enrol">
            <label for="bulk-segment">{t(lang, "seq.bulk_segment")}</label>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match segments.await {
                        Ok(list) => view! {
                            <select id="bulk-segment" prop:value=move || chosen.get() on:change=move |ev| { chosen.set(event_target_value(&ev)); asking.set(false); }>
                                <option value="">{t(lang, "seq.bulk_pick")}</option>
                                {list.into_iter().map(|s| view! { <option value=s.id.clone()>{t_n(lang, "seq.bulk_option", s.count as i64).replace("{name}", &s.name)}</option> }).collect_view()}
                            </select>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <button type="button" class="button button-small" disabled=move || chosen.get().is_empty() || bulk.pending().get()
                on:click=move |_| asking.set(true)>{t(lang, "seq.bulk_enrol")}</button>
        </div>
        <Show when=move || asking.get()>
            <div class="confirm" role="alertdialog" aria-label=t(lang, "seq.bulk_confirm")>
                <p>{t(lang, "seq.bulk_confirm")}</p>
                <button type="button" class="button button-primary-inline" on:click=move |_| { asking.set(false); bulk.dispatch(chosen.get_untracked()); }>
                    {t(lang, "seq.bulk_yes")}
                </button>
                " "
                <button type="button" class="button" on:click=move |_| asking.set(false)>{t(lang, "common.cancel")}</button>
            </div>
        </Show>
        {move || match bulk.value().get() {
            Some(Ok(n)) => Some(view! { <p class="notice notice-ok" role="status">{t_n(lang, "seq.bulk_done", n as i64)}</p> }.into_any()),
            Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
            None => None,
        }}
    }
}
