//! The timeline editor: a sequence's steps on a time axis (before and
//! after the appointment, or after the start). Drag a step to change its
//! day; with the keyboard, ←/→ move it a day and ↑/↓ half an hour; click
//! it to edit its message. Nothing is sent until it is saved, and a step
//! keeps its identity when moved, so nobody is sent one again.

use crate::api::sequences::{load_sequence_form, save_sequence, SequenceForm, StepForm};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use model::appointment::ChangedBy;
use model::broadcast::Purpose;
use model::message::{Bubble, Bundle};
use model::sequence::{Anchor, NoticeOn, StepTiming, Trigger};

/// The triggers the editor offers, with their words.
const TRIGGERS: [(&str, &str); 6] = [
    ("booked", "seq.trigger_booked"),
    ("visit", "seq.trigger_visit"),
    ("first_visit", "seq.trigger_first_visit"),
    ("no_show", "seq.trigger_no_show"),
    ("friend_added", "seq.trigger_friend_added"),
    ("manual", "seq.trigger_manual"),
];

/// The appointment notices the editor offers: (key, change, who).
const NOTICES: [(&str, NoticeOn, Option<ChangedBy>); 6] = [
    ("notice_booked_patient", NoticeOn::Booked, Some(ChangedBy::Patient)),
    ("notice_booked_staff", NoticeOn::Booked, Some(ChangedBy::Staff)),
    ("notice_moved_patient", NoticeOn::Moved, Some(ChangedBy::Patient)),
    ("notice_moved_staff", NoticeOn::Moved, Some(ChangedBy::Staff)),
    ("notice_cancelled_patient", NoticeOn::Cancelled, Some(ChangedBy::Patient)),
    ("notice_cancelled_staff", NoticeOn::Cancelled, Some(ChangedBy::Staff)),
];

fn trigger_key(t: &Trigger) -> &'static str {
    match t {
        Trigger::AppointmentBooked { .. } => "booked",
        Trigger::VisitRecorded { first_only: false } => "visit",
        Trigger::VisitRecorded { first_only: true } => "first_visit",
        Trigger::NoShow => "no_show",
        Trigger::FriendAdded => "friend_added",
        Trigger::Manual => "manual",
        Trigger::TagAdded { .. } => "tag",
        Trigger::SegmentEntered { .. } => "segment",
        Trigger::AppointmentNotice { on, by } => NOTICES
            .iter()
            .find(|(_, o, b)| o == on && b == by)
            .map_or("notice_other", |(k, _, _)| k),
    }
}

fn trigger_of(key: &str, keep: &Trigger) -> Trigger {
    match key {
        "booked" => Trigger::AppointmentBooked { department: None },
        "visit" => Trigger::VisitRecorded { first_only: false },
        "first_visit" => Trigger::VisitRecorded { first_only: true },
        "no_show" => Trigger::NoShow,
        "friend_added" => Trigger::FriendAdded,
        "manual" => Trigger::Manual,
        other => match NOTICES.iter().find(|(k, _, _)| *k == other) {
            Some((_, on, by)) => Trigger::AppointmentNotice { on: *on, by: *by },
            None => keep.clone(),
        },
    }
}

/// The first text of a step's message (what the editor's box edits).
fn step_text(b: &Bundle) -> String {
    b.bubbles
        .iter()
        .find_map(|b| match b {
            Bubble::Text { text } => Some(text.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

fn set_step_text(b: &mut Bundle, text: String) {
    match b.bubbles.iter_mut().find(|b| matches!(b, Bubble::Text { .. })) {
        Some(Bubble::Text { text: t }) => *t = text,
        _ => b.bubbles.insert(0, Bubble::Text { text }),
    }
}

/// 「18:00」 of a step's clock time (or empty: a fixed offset).
fn clock_text(t: &StepTiming) -> String {
    t.clock.map(|c| format!("{:02}:{:02}", c / 60, c % 60)).unwrap_or_default()
}

fn parse_clock(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The days the axis shows: at least a week before and two after, and
/// every step with a day to spare.
fn axis_range(form: &SequenceForm) -> (i32, i32) {
    let before = form.trigger.has_appointment();
    let days = form.steps.iter().map(|s| s.timing.days);
    let lo = days.clone().min().unwrap_or(0).min(if before { -7 } else { 0 }) - 1;
    let hi = days.max().unwrap_or(0).max(14) + 1;
    (lo, hi)
}

#[component]
pub fn SequenceEditPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").filter(|i| i != "new").unwrap_or_default());
    let from = Memo::new(move |_| query.read().get("from").unwrap_or_default());
    let form = Resource::new(
        move || (id.get(), from.get()),
        |(id, from)| async move {
            if id.is_empty() && !from.is_empty() {
                load_sequence_form(from, true).await
            } else {
                load_sequence_form(id, false).await
            }
        },
    );
    view! {
        <p><a href="/sequences">{t(lang, "seqed.back")}</a></p>
        <h1>{move || if id.get().is_empty() { t(lang, "seqed.new_title") } else { t(lang, "seqed.edit_title") }}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(f) => view! { <Editor initial=f id=id.get_untracked()/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Editor(initial: SequenceForm, id: String) -> impl IntoView {
    let lang = use_lang();
    let form = RwSignal::new(initial);
    let selected = RwSignal::new(None::<usize>);
    // The panel is drawn again only when another step is chosen, not on
    // every keystroke (the text box keeps its focus).
    let current = Memo::new(move |_| selected.get().filter(|i| form.with(|f| *i < f.steps.len())));
    let save = Action::new(move |_: &()| save_sequence(id.clone(), form.get_untracked()));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            navigate("/sequences", Default::default());
        }
    });
    let add_step = move |_| {
        form.update(|f| {
            if matches!(f.trigger, Trigger::AppointmentNotice { .. }) && f.steps.is_empty() {
                // A notice goes at once.
                f.steps.push(StepForm {
                    id: String::new(),
                    timing: StepTiming::after(Anchor::Enrolment, 0, 0),
                    purpose: Purpose::Operational,
                    condition: None,
                    bundle: Bundle::texts(&[""]),
                });
                selected.set(Some(0));
                return;
            }
            let anchor = if f.trigger.has_appointment() && !matches!(f.trigger, Trigger::VisitRecorded { .. } | Trigger::NoShow) {
                Anchor::Appointment
            } else {
                Anchor::Enrolment
            };
            let days = match anchor {
                Anchor::Appointment => -1 - f.steps.len() as i32,
                Anchor::Enrolment => 1 + f.steps.len() as i32,
            };
            f.steps.push(StepForm {
                id: String::new(),
                timing: StepTiming::at_clock(anchor, days, 10, 0),
                purpose: Purpose::Operational,
                condition: None,
                bundle: Bundle::texts(&[""]),
            });
            selected.set(Some(f.steps.len() - 1));
        })
    };
    view! {
        <section class="card">
            <div class="field">
                <label for="seq-name">{t(lang, "seqed.name")}</label>
                <input id="seq-name" maxlength="40" prop:value=move || form.with(|f| f.name.clone())
                    on:input=move |ev| form.update(|f| f.name = event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="seq-trigger">{t(lang, "seq.trigger")}</label>
                <select id="seq-trigger" prop:value=move || form.with(|f| trigger_key(&f.trigger).to_string())
                    on:change=move |ev| form.update(|f| f.trigger = trigger_of(&event_target_value(&ev), &f.trigger))>
                    {TRIGGERS.into_iter().map(|(k, label)| view! { <option value=k>{t(lang, label)}</option> }).collect_view()}
                    <optgroup label=t(lang, "seqed.notices")>
                        {NOTICES.into_iter().map(|(k, on, by)| view! { <option value=k>{super::list::notice_text(lang, on, by)}</option> }).collect_view()}
                    </optgroup>
                    {form.with_untracked(|f| matches!(trigger_key(&f.trigger), "tag" | "segment" | "notice_other")).then(|| {
                        let k = form.with_untracked(|f| trigger_key(&f.trigger));
                        view! { <option value=k>{t(lang, "seqed.trigger_kept")}</option> }
                    })}
                </select>
            </div>
        </section>
        <section class="card" aria-labelledby="seq-axis-title">
            <h2 id="seq-axis-title">{t(lang, "seq.timeline")}</h2>
            <p class="help">{t(lang, "seqed.axis_help")}</p>
            <Timeline form selected/>
            <div class="toolbar toolbar-start">
                <button type="button" class="button" data-testid="add-step" on:click=add_step>{t(lang, "seqed.add_step")}</button>
            </div>
            {move || current.get().map(|i| view! { <StepPanel i form selected/> })}
        </section>
        <div class="send-bar">
            <button type="button" class="button button-primary" data-testid="save-sequence"
                disabled=move || save.pending().get()
                on:click=move |_| { save.dispatch(()); }>{t(lang, "seqed.save")}</button>
        </div>
        {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
    }
}

/// The time axis with a mark per step: drag, arrow keys, click.
#[component]
fn Timeline(form: RwSignal<SequenceForm>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    let lang = use_lang();
    let axis = NodeRef::<leptos::html::Div>::new();
    let range = Memo::new(move |_| form.with(axis_range));
    let dragging = RwSignal::new(None::<usize>);
    // The day under the pointer, from where it is across the axis.
    let day_at = move |client_x: i32| -> Option<i32> {
        #[cfg(feature = "hydrate")]
        {
            let el = axis.get_untracked()?;
            let rect = el.get_bounding_client_rect();
            let (lo, hi) = range.get_untracked();
            let frac = ((f64::from(client_x) - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0);
            Some((f64::from(lo) + frac * f64::from(hi - lo)).round() as i32)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = client_x;
            None
        }
    };
    let place = move |days: i32| {
        let (lo, hi) = range.get();
        format!("left: {:.2}%", f64::from(days - lo) * 100.0 / f64::from((hi - lo).max(1)))
    };
    view! {
        <div class="timeline" node_ref=axis data-testid="timeline"
            on:pointermove=move |ev| {
                if let (Some(i), Some(day)) = (dragging.get_untracked(), day_at(ev.client_x())) {
                    form.update(|f| if let Some(s) = f.steps.get_mut(i) { s.timing.days = day; });
                }
            }
            on:pointerup=move |_| dragging.set(None)
            on:pointerleave=move |_| dragging.set(None)>
            <div class="timeline-line"></div>
            {move || {
                let (lo, hi) = range.get();
                let zero = form.with(|f| if f.trigger.has_appointment() { t(lang, "seqed.zero_appointment") } else { t(lang, "seqed.zero_start") });
                (lo..=hi).filter(|d| d % 7 == 0).map(|d| {
                    let label = match d {
                        0 => zero.clone(),
                        d if d < 0 => format!("−{}日", -d),
                        d => format!("+{d}日"),
                    };
                    view! { <span class=if d == 0 { "timeline-tick timeline-zero" } else { "timeline-tick" } style=place(d)>{label}</span> }
                }).collect_view()
            }}
            <For each=move || 0..form.with(|f| f.steps.len()) key=|i| *i let:i>
                <button type="button" class="timeline-step" data-testid="timeline-step"
                    style=move || place(form.with(|f| f.steps.get(i).map_or(0, |s| s.timing.days)))
                    aria-pressed=move || (selected.get() == Some(i)).to_string()
                    aria-label=move || form.with(|f| f.steps.get(i).map(|s| t(lang, "seqed.step_label").replace("{when}", &s.timing.label())).unwrap_or_default())
                    on:pointerdown=move |ev| {
                        selected.set(Some(i));
                        dragging.set(Some(i));
                        ev.prevent_default();
                    }
                    on:click=move |_| selected.set(Some(i))
                    on:keydown=move |ev| {
                        let key = ev.key();
                        let handled = form.try_update(|f| {
                            let Some(s) = f.steps.get_mut(i) else { return false };
                            match key.as_str() {
                                "ArrowLeft" => s.timing.days -= 1,
                                "ArrowRight" => s.timing.days += 1,
                                "ArrowUp" | "ArrowDown" => {
                                    let c = i32::from(s.timing.clock.unwrap_or(600));
                                    let c = if key == "ArrowUp" { c + 30 } else { c - 30 };
                                    s.timing.clock = Some(c.clamp(0, 23 * 60 + 30) as u16);
                                }
                                _ => return false,
                            }
                            true
                        });
                        if handled == Some(true) {
                            ev.prevent_default();
                            selected.set(Some(i));
                        }
                    }>
                    {move || form.with(|f| f.steps.get(i).map(|s| s.timing.label()).unwrap_or_default())}
                </button>
            </For>
        </div>
    }
}

/// The selected step: when, what kind, its words; removing it.
#[component]
fn StepPanel(i: usize, form: RwSignal<SequenceForm>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    let lang = use_lang();
    let get = move |f: &SequenceForm| f.steps.get(i).cloned();
    let step = move || form.with(get);
    let update = move |g: &dyn Fn(&mut StepForm)| {
        form.update(|f| {
            if let Some(s) = f.steps.get_mut(i) {
                g(s)
            }
        })
    };
    let confirming = RwSignal::new(false);
    let others = move || {
        step()
            .map(|s| s.bundle.bubbles.iter().filter(|b| !matches!(b, Bubble::Text { .. })).count())
            .unwrap_or(0)
    };
    view! {
        <div class="step-panel" data-testid="step-panel" role="group" aria-label=t(lang, "seqed.step_panel")>
            <h3>{move || step().map(|s| t(lang, "seqed.step_label").replace("{when}", &s.timing.label())).unwrap_or_default()}</h3>
            <div class="form form-inline">
                <label for="step-anchor">{t(lang, "seqed.anchor")}</label>
                <select id="step-anchor" prop:value=move || step().map(|s| if s.timing.anchor == Anchor::Appointment { "appointment" } else { "start" }).unwrap_or("start")
                    on:change=move |ev| { let v = event_target_value(&ev); update(&|s| s.timing.anchor = if v == "appointment" { Anchor::Appointment } else { Anchor::Enrolment }); }>
                    <option value="appointment">{t(lang, "seqed.anchor_appointment")}</option>
                    <option value="start">{t(lang, "seqed.anchor_start")}</option>
                </select>
                <label for="step-days">{t(lang, "seqed.days")}</label>
                <input id="step-days" type="number" min="-365" max="365" prop:value=move || step().map(|s| s.timing.days.to_string()).unwrap_or_default()
                    on:change=move |ev| { if let Ok(d) = event_target_value(&ev).parse::<i32>() { update(&|s| s.timing.days = d); } }/>
                <label for="step-clock">{t(lang, "seqed.clock")}</label>
                <input id="step-clock" type="time" step="300" prop:value=move || step().map(|s| clock_text(&s.timing)).unwrap_or_default()
                    on:change=move |ev| { let c = parse_clock(&event_target_value(&ev)); update(&|s| { s.timing.clock = c; s.timing.minutes = 0; }); }/>
            </div>
            <div class="radio-row" role="radiogroup" aria-label=t(lang, "seqed.purpose")>
                <label><input type="radio" name=format!("step-purpose-{i}") prop:checked=move || step().is_some_and(|s| s.purpose == Purpose::Operational)
                    on:change=move |_| update(&|s| s.purpose = Purpose::Operational)/>{t(lang, "seq.operational")}</label>
                <label><input type="radio" name=format!("step-purpose-{i}") prop:checked=move || step().is_some_and(|s| s.purpose == Purpose::Marketing)
                    on:change=move |_| update(&|s| s.purpose = Purpose::Marketing)/>{t(lang, "seq.marketing")}</label>
            </div>
            <div class="field">
                <label for="step-text">{t(lang, "seqed.text")}</label>
                <textarea id="step-text" rows="5" maxlength="5000" prop:value=move || step().map(|s| step_text(&s.bundle)).unwrap_or_default()
                    on:input=move |ev| { let v = event_target_value(&ev); update(&|s| set_step_text(&mut s.bundle, v.clone())); }></textarea>
                <p class="help">{t(lang, "seqed.variables")}</p>
                {move || (others() > 0).then(|| view! { <p class="help">{t(lang, "seqed.other_bubbles").replace("{n}", &others().to_string())}</p> })}
            </div>
            <Show when=move || confirming.get() fallback=move || view! {
                <button type="button" class="button button-danger" on:click=move |_| confirming.set(true)>{t(lang, "seqed.remove_step")}</button>
            }>
                <div class="confirm" role="alertdialog" aria-label=t(lang, "seqed.remove_confirm")>
                    <p>{t(lang, "seqed.remove_confirm")}</p>
                    <button type="button" class="button button-danger" on:click=move |_| {
                        confirming.set(false);
                        selected.set(None);
                        form.update(|f| { if i < f.steps.len() { f.steps.remove(i); } });
                    }>{t(lang, "seqed.remove_yes")}</button>
                    " "
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>{t(lang, "common.cancel")}</button>
                </div>
            </Show>
        </div>
    }
}
