//! Every sequence of the clinic: what starts it, its steps in time order
//! (before and after the appointment), who is in it, and what each step
//! sent or skipped; pausing and resuming.

use crate::api::sequences::{list_sequences, SequenceItem, SetSequencePaused, StepItem};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n, Lang};
use crate::use_lang;
use leptos::prelude::*;
use model::sequence::{Anchor, Stop, Trigger};

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
    }
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
        <h1>{t(lang, "nav.sequences")}</h1>
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
                {steps.into_iter().map(|st| view! { <StepMark st=st anchor_word=anchor_word.clone()/> }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn StepMark(st: StepItem, anchor_word: String) -> impl IntoView {
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
            <p class="help">{t_n(lang, "seq.sent_n", st.sent)}" · "{t_n(lang, "seq.skipped_n", st.skipped)}</p>
        </li>
    }
}
