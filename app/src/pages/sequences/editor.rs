//! The timeline editor: a sequence's steps on a time axis (before and
//! after the appointment, or after the start). Drag a step to change its
//! day; with the keyboard, ←/→ move it a day and ↑/↓ half an hour; click
//! it to edit its message. Nothing is sent until it is saved, and a step
//! keeps its identity when moved, so nobody is sent one again.

use crate::api::sequences::{load_editor_choices, load_sequence_form, save_sequence, EditorChoices, SequenceForm, StepForm};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use model::appointment::ChangedBy;
use model::automation::Action as StepAction;
use model::broadcast::Purpose;
use model::message::{Bubble, Bundle};
use model::sequence::{Anchor, NoticeOn, StepTiming, Stop, Trigger};

/// The triggers the editor offers, with their words.
const TRIGGERS: [(&str, &str); 8] = [
    ("booked", "seq.trigger_booked"),
    ("visit", "seq.trigger_visit"),
    ("first_visit", "seq.trigger_first_visit"),
    ("no_show", "seq.trigger_no_show"),
    ("friend_added", "seq.trigger_friend_added"),
    ("tag", "seqed.trigger_tag"),
    ("segment", "seqed.trigger_segment"),
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

/// The ID in `list` (of (ID, name)) that is `wanted`, else the list's
/// first: a trigger, stop or action whose kind was just chosen starts on
/// the first of its kind. `None`: the clinic has none.
fn pick_id(list: &[(String, String)], wanted: &str) -> Option<String> {
    list.iter().find(|(id, _)| id == wanted).or(list.first()).map(|(id, _)| id.clone())
}

/// The trigger chosen by its key; a tag or segment trigger starts on the
/// clinic's first one (or keeps the one it had), and is then chosen below.
fn trigger_of(key: &str, keep: &Trigger, choices: &EditorChoices) -> Trigger {
    let first = |list: &[(String, String)]| pick_id(list, "").unwrap_or_default();
    match key {
        "tag" => match keep {
            Trigger::TagAdded { .. } => keep.clone(),
            _ => Trigger::TagAdded { tag: first(&choices.tags) },
        },
        "segment" => match keep {
            Trigger::SegmentEntered { .. } => keep.clone(),
            _ => Trigger::SegmentEntered {
                segment: first(&choices.segments),
            },
        },
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
    let choices = Resource::new(|| (), |_| load_editor_choices());
    view! {
        <p><a href="/sequences">{t(lang, "seqed.back")}</a></p>
        <h1>{move || if id.get().is_empty() { t(lang, "seqed.new_title") } else { t(lang, "seqed.edit_title") }}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (form.await, choices.await) {
                    (Ok(f), Ok(choices)) => view! { <Editor initial=f id=id.get_untracked() choices/> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Editor(initial: SequenceForm, id: String, choices: EditorChoices) -> impl IntoView {
    let lang = use_lang();
    let choices = StoredValue::new(choices);
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
                    actions: vec![],
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
                actions: vec![],
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
                    on:change=move |ev| form.update(|f| f.trigger = choices.with_value(|c| trigger_of(&event_target_value(&ev), &f.trigger, c)))>
                    {TRIGGERS.into_iter().map(|(k, label)| {
                        // A tag or segment trigger needs one to name.
                        let none = choices.with_value(|c| match k {
                            "tag" => c.tags.is_empty(),
                            "segment" => c.segments.is_empty(),
                            _ => false,
                        });
                        view! { <option value=k disabled=none>{t(lang, label)}</option> }
                    }).collect_view()}
                    <optgroup label=t(lang, "seqed.notices")>
                        {NOTICES.into_iter().map(|(k, on, by)| view! { <option value=k>{super::list::notice_text(lang, on, by)}</option> }).collect_view()}
                    </optgroup>
                    {form.with_untracked(|f| trigger_key(&f.trigger) == "notice_other").then(|| {
                        view! { <option value="notice_other">{t(lang, "seqed.trigger_kept")}</option> }
                    })}
                </select>
            </div>
            {move || match form.with(|f| f.trigger.clone()) {
                Trigger::TagAdded { tag } => Some(view! {
                    <TriggerTarget label=t(lang, "seqed.which_tag") current=tag list=choices.with_value(|c| c.tags.clone())
                        on_pick=Callback::new(move |tag| form.update(|f| f.trigger = Trigger::TagAdded { tag }))/>
                }.into_any()),
                Trigger::SegmentEntered { segment } => Some(view! {
                    <TriggerTarget label=t(lang, "seqed.which_segment") current=segment list=choices.with_value(|c| c.segments.clone())
                        on_pick=Callback::new(move |segment| form.update(|f| f.trigger = Trigger::SegmentEntered { segment }))/>
                }.into_any()),
                _ => None,
            }}
            <Stops form choices/>
        </section>
        <section class="card" aria-labelledby="seq-axis-title">
            <h2 id="seq-axis-title">{t(lang, "seq.timeline")}</h2>
            <p class="help">{t(lang, "seqed.axis_help")}</p>
            <Timeline form selected/>
            <div class="toolbar toolbar-start">
                <button type="button" class="button" data-testid="add-step" on:click=add_step>{t(lang, "seqed.add_step")}</button>
            </div>
            {move || current.get().map(|i| view! { <StepPanel i form selected choices/> })}
        </section>
        <div class="send-bar">
            <button type="button" class="button button-primary" data-testid="save-sequence"
                disabled=move || save.pending().get()
                on:click=move |_| { save.dispatch(()); }>{t(lang, "seqed.save")}</button>
        </div>
        {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
    }
}

/// Which tag or segment starts the sequence. One the clinic has since
/// removed stays shown as it is, so saving does not change it unasked.
#[component]
fn TriggerTarget(label: String, current: String, list: Vec<(String, String)>, on_pick: Callback<String>) -> impl IntoView {
    let lang = use_lang();
    let missing = !list.iter().any(|(id, _)| *id == current);
    view! {
        <div class="field">
            <label for="seq-trigger-target">{label}</label>
            <select id="seq-trigger-target" data-testid="seq-trigger-target" prop:value=current.clone()
                on:change=move |ev| on_pick.run(event_target_value(&ev))>
                {list.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                {missing.then(|| view! { <option value=current.clone()>{t(lang, "seqed.trigger_target_gone")}</option> })}
            </select>
        </div>
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
fn StepPanel(
    i: usize,
    form: RwSignal<SequenceForm>,
    selected: RwSignal<Option<usize>>,
    choices: StoredValue<EditorChoices>,
) -> impl IntoView {
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
            <StepActions i form choices/>
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

/// The kinds of action a step offers, with their words: a tag or a
/// sequence is then chosen for each.
const ACTION_KINDS: [(&str, &str); 4] = [
    ("add_tag", "seqed.action_add_tag"),
    ("remove_tag", "seqed.action_remove_tag"),
    ("start_sequence", "seqed.action_start"),
    ("stop_sequence", "seqed.action_stop"),
];

fn action_kind(a: &StepAction) -> &'static str {
    match a {
        StepAction::AddTag { .. } => "add_tag",
        StepAction::RemoveTag { .. } => "remove_tag",
        StepAction::StartSequence { .. } => "start_sequence",
        StepAction::StopSequence { .. } => "stop_sequence",
        StepAction::SetField { .. } => "set_field",
        StepAction::Reply { .. } | StepAction::Push { .. } => "message",
    }
}

/// The tag or sequence an action names (empty for the others).
fn action_target(a: &StepAction) -> String {
    match a {
        StepAction::AddTag { tag } | StepAction::RemoveTag { tag } => tag.clone(),
        StepAction::StartSequence { sequence } | StepAction::StopSequence { sequence } => sequence.clone(),
        _ => String::new(),
    }
}

/// An action of `kind` naming `target`, or the kind's first choice when
/// `target` is not one of its kind's.
fn action_of(kind: &str, target: &str, choices: &EditorChoices) -> Option<StepAction> {
    let pick = |list: &[(String, String)]| pick_id(list, target);
    Some(match kind {
        "add_tag" => StepAction::AddTag { tag: pick(&choices.tags)? },
        "remove_tag" => StepAction::RemoveTag { tag: pick(&choices.tags)? },
        "start_sequence" => StepAction::StartSequence {
            sequence: pick(&choices.sequences)?,
        },
        "stop_sequence" => StepAction::StopSequence {
            sequence: pick(&choices.sequences)?,
        },
        _ => return None,
    })
}

/// What a step does when reached besides its message: a row per action,
/// its kind and what it names. A field set elsewhere (by an earlier
/// version) is kept as it is and shown in words.
#[component]
fn StepActions(i: usize, form: RwSignal<SequenceForm>, choices: StoredValue<EditorChoices>) -> impl IntoView {
    let lang = use_lang();
    let actions = move || form.with(|f| f.steps.get(i).map(|s| s.actions.clone()).unwrap_or_default());
    let set = move |k: usize, a: StepAction| {
        form.update(|f| {
            if let Some(slot) = f.steps.get_mut(i).and_then(|s| s.actions.get_mut(k)) {
                *slot = a;
            }
        })
    };
    let add = move |_| {
        let first = choices.with_value(|c| action_of("add_tag", "", c).or_else(|| action_of("start_sequence", "", c)));
        if let Some(a) = first {
            form.update(|f| {
                if let Some(s) = f.steps.get_mut(i) {
                    s.actions.push(a);
                }
            });
        }
    };
    let can_add =
        move || actions().len() < model::automation::ACTIONS_MAX && choices.with_value(|c| !c.tags.is_empty() || !c.sequences.is_empty());
    view! {
        <fieldset class="editor-group" data-testid="step-actions">
            <legend>{t(lang, "seqed.actions")}</legend>
            <p class="help">{t(lang, "seqed.actions_help")}</p>
            <For each=move || actions().into_iter().enumerate() key=|(k, a)| format!("{k}:{a:?}") let:((k, a))>
                {
                    let kind = action_kind(&a);
                    let target = action_target(&a);
                    let list = choices.with_value(|c| if kind.ends_with("tag") { c.tags.clone() } else { c.sequences.clone() });
                    let editable = ACTION_KINDS.iter().any(|(key, _)| *key == kind);
                    view! {
                        <div class="form form-inline" data-testid="step-action">
                            {if editable {
                                let target_kind = target.clone();
                                view! {
                                    <label class="visually-hidden" for=format!("step-action-kind-{k}")>{t(lang, "seqed.action_kind")}</label>
                                    <select id=format!("step-action-kind-{k}") prop:value=kind
                                        on:change=move |ev| {
                                            let chosen = choices.with_value(|c| action_of(&event_target_value(&ev), &target_kind, c));
                                            if let Some(a) = chosen { set(k, a); }
                                        }>
                                        {ACTION_KINDS.into_iter().map(|(key, label)| view! { <option value=key>{t(lang, label)}</option> }).collect_view()}
                                    </select>
                                    <label class="visually-hidden" for=format!("step-action-target-{k}")>{t(lang, "seqed.action_target")}</label>
                                    <select id=format!("step-action-target-{k}") prop:value=target.clone()
                                        on:change=move |ev| {
                                            let chosen = choices.with_value(|c| action_of(kind, &event_target_value(&ev), c));
                                            if let Some(a) = chosen { set(k, a); }
                                        }>
                                        {list.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                                    </select>
                                }.into_any()
                            } else {
                                view! { <span>{t(lang, "seqed.action_kept")}</span> }.into_any()
                            }}
                            <button type="button" class="button button-small" aria-label=t(lang, "seqed.remove_action")
                                on:click=move |_| form.update(|f| { if let Some(s) = f.steps.get_mut(i) { if k < s.actions.len() { s.actions.remove(k); } } })>
                                {t(lang, "seqed.remove_action")}
                            </button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="button" data-testid="add-step-action" disabled=move || !can_add() on:click=add>{t(lang, "seqed.add_action")}</button>
        </fieldset>
    }
}

/// What ends a friend's enrolment early: a tag added (予約済: the
/// invitations stop) or a segment left. Blocking the account always does.
#[component]
fn Stops(form: RwSignal<SequenceForm>, choices: StoredValue<EditorChoices>) -> impl IntoView {
    let lang = use_lang();
    let stops = move || form.with(|f| f.stops.clone());
    let stop_of = move |kind: &str, target: &str| -> Option<Stop> {
        choices.with_value(|c| {
            let pick = |list: &[(String, String)]| pick_id(list, target);
            Some(match kind {
                "segment" => Stop::SegmentLeft {
                    segment: pick(&c.segments)?,
                },
                _ => Stop::TagAdded { tag: pick(&c.tags)? },
            })
        })
    };
    let set = move |k: usize, s: Stop| {
        form.update(|f| {
            if let Some(slot) = f.stops.get_mut(k) {
                *slot = s;
            }
        })
    };
    let add = move |_| {
        if let Some(s) = stop_of("tag", "").or_else(|| stop_of("segment", "")) {
            form.update(|f| f.stops.push(s));
        }
    };
    let can_add = move || choices.with_value(|c| !c.tags.is_empty() || !c.segments.is_empty());
    view! {
        <fieldset class="editor-group" data-testid="sequence-stops">
            <legend>{t(lang, "seq.stops")}</legend>
            <p class="help">{t(lang, "seqed.stops_help")}</p>
            <For each=move || stops().into_iter().enumerate() key=|(k, s)| format!("{k}:{s:?}") let:((k, s))>
                {
                    let (kind, target) = match &s {
                        Stop::TagAdded { tag } => ("tag", tag.clone()),
                        Stop::SegmentLeft { segment } => ("segment", segment.clone()),
                    };
                    let list = choices.with_value(|c| if kind == "tag" { c.tags.clone() } else { c.segments.clone() });
                    let target_kind = target.clone();
                    view! {
                        <div class="form form-inline" data-testid="sequence-stop">
                            <label class="visually-hidden" for=format!("seq-stop-kind-{k}")>{t(lang, "seqed.stop_kind")}</label>
                            <select id=format!("seq-stop-kind-{k}") prop:value=kind
                                on:change=move |ev| { if let Some(s) = stop_of(&event_target_value(&ev), &target_kind) { set(k, s); } }>
                                <option value="tag">{t(lang, "seqed.stop_kind_tag")}</option>
                                <option value="segment">{t(lang, "seqed.stop_kind_segment")}</option>
                            </select>
                            <label class="visually-hidden" for=format!("seq-stop-target-{k}")>{t(lang, "seqed.action_target")}</label>
                            <select id=format!("seq-stop-target-{k}") prop:value=target.clone()
                                on:change=move |ev| { if let Some(s) = stop_of(kind, &event_target_value(&ev)) { set(k, s); } }>
                                {list.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                            <button type="button" class="button button-small"
                                on:click=move |_| form.update(|f| { if k < f.stops.len() { f.stops.remove(k); } })>
                                {t(lang, "seqed.remove_action")}
                            </button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="button" data-testid="add-stop" disabled=move || !can_add() on:click=add>{t(lang, "seqed.add_stop")}</button>
        </fieldset>
    }
}
