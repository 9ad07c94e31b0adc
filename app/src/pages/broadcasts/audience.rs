//! Who a send goes to (everyone, a segment, tags, a list of patient
//! numbers) and what it will cost before it is sent.

use crate::api::broadcasts::{ComposerChoices, Draft, EstimateDto};
use crate::i18n::{t, t_n};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use model::broadcast::{Audience, Purpose};
use std::sync::Arc;

#[component]
pub(super) fn AudiencePicker(draft: RwSignal<Draft>, options: Arc<ComposerChoices>) -> impl IntoView {
    let lang = use_lang();
    let kind = Memo::new(move |_| {
        draft.with(|d| match d.audience {
            Audience::All => "all",
            Audience::Segment { .. } => "segment",
            Audience::Tags { .. } => "tags",
            Audience::Patients { .. } => "patients",
        })
    });
    let first_segment = options.segments.first().map(|s| s.0.clone()).unwrap_or_default();
    let choose = move |k: &str| {
        let first_segment = first_segment.clone();
        draft.update(|d| {
            d.audience = match k {
                "segment" => Audience::Segment { segment: first_segment },
                "tags" => Audience::Tags { tags: vec![], all: false },
                "patients" => Audience::Patients { numbers: vec![] },
                _ => Audience::All,
            }
        })
    };
    let segments = options.segments.clone();
    let tags = options.tags.clone();
    view! {
        <section class="card" aria-labelledby="bc-audience">
            <h2 id="bc-audience">{t(lang, "bc.audience")}</h2>
            <div class="radio-row" role="radiogroup">
                {["all", "segment", "tags", "patients"].into_iter().map(|k| {
                    let choose = choose.clone();
                    view! {
                        <label><input type="radio" name="bc-audience" value=k prop:checked=move || kind.get() == k on:change=move |_| choose(k)/>
                        {t(lang, &format!("bc.aud_{k}"))}</label>
                    }
                }).collect_view()}
            </div>
            {move || match kind.get() {
                "segment" if segments.is_empty() => view! { <p class="empty-state">{t(lang, "bc.no_segments")}" "<A href="/segments/new">{t(lang, "seg.new")}</A></p> }.into_any(),
                "segment" => view! {
                    <label for="bc-segment">{t(lang, "bc.aud_segment")}</label>
                    <select id="bc-segment" prop:value=move || draft.with(|d| match &d.audience { Audience::Segment { segment } => segment.clone(), _ => String::new() })
                        on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.audience = Audience::Segment { segment: v }) }>
                        {segments.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                    </select>
                }.into_any(),
                "tags" => view! { <TagChoice draft tags=tags.clone()/> }.into_any(),
                "patients" => view! {
                    <PatientListFile draft/>
                    <label for="bc-patients">{t(lang, "bc.patients_label")}</label>
                    <textarea id="bc-patients" rows="5"
                        prop:value=move || draft.with(|d| match &d.audience { Audience::Patients { numbers } => numbers.join("\n"), _ => String::new() })
                        on:change=move |ev| {
                            let numbers = patient_numbers(&event_target_value(&ev));
                            draft.update(|d| d.audience = Audience::Patients { numbers })
                        }></textarea>
                    <p class="help">{t(lang, "bc.patients_help")}</p>
                }.into_any(),
                _ => view! { <p class="help">{t(lang, "bc.aud_all_help")}</p> }.into_any(),
            }}
            <h3>{t(lang, "bc.purpose")}</h3>
            <div class="radio-row" role="radiogroup">
                <label><input type="radio" name="bc-purpose" prop:checked=move || draft.with(|d| d.purpose == Purpose::Marketing)
                    on:change=move |_| draft.update(|d| d.purpose = Purpose::Marketing)/>{t(lang, "bc.purpose_marketing")}</label>
                <label><input type="radio" name="bc-purpose" prop:checked=move || draft.with(|d| d.purpose == Purpose::Operational)
                    on:change=move |_| draft.update(|d| d.purpose = Purpose::Operational)/>{t(lang, "bc.purpose_operational")}</label>
            </div>
            <p class="help">{t(lang, "bc.purpose_help")}</p>
        </section>
    }
}

/// A CSV (or text) file of patient numbers, read in the browser into the
/// list below it, which stays editable.
#[component]
fn PatientListFile(draft: RwSignal<Draft>) -> impl IntoView {
    let lang = use_lang();
    let input = NodeRef::<leptos::html::Input>::new();
    let read = RwSignal::new(None::<Result<usize, ()>>);
    let on_change = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = input.get() {
            leptos::task::spawn_local(async move {
                match crate::components::read_text_file(el).await {
                    Some(text) => {
                        let numbers = patient_numbers(&text);
                        read.set(Some(Ok(numbers.len())));
                        draft.update(|d| d.audience = Audience::Patients { numbers });
                    }
                    None => read.set(Some(Err(()))),
                }
            });
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let _ = (draft, input);
    view! {
        <div class="field">
            <label for="bc-patients-file">{t(lang, "bc.patients_file")}</label>
            <input id="bc-patients-file" type="file" accept=".csv,.txt,text/csv,text/plain" node_ref=input on:change=on_change data-testid="patients-file"/>
            {move || match read.get() {
                Some(Ok(n)) => view! { <p class="help" role="status">{t_n(lang, "bc.patients_file_read", n as i64)}</p> }.into_any(),
                Some(Err(())) => view! { <p class="notice notice-error" role="alert">{t(lang, "import.not_read")}</p> }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
}

/// Patient numbers from pasted text or a CSV: the first value of each line
/// (a header line without digits is skipped).
pub fn patient_numbers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let first = line.split([',', '\t']).next().unwrap_or("").trim().trim_matches('"').trim();
        if !first.is_empty() && first.chars().any(|c| c.is_ascii_digit()) && !out.iter().any(|n| n == first) {
            out.push(first.to_string());
        }
    }
    out
}

#[component]
fn TagChoice(draft: RwSignal<Draft>, tags: Vec<(String, String)>) -> impl IntoView {
    let lang = use_lang();
    let chosen = move |id: &str| draft.with(|d| matches!(&d.audience, Audience::Tags { tags, .. } if tags.iter().any(|t| t == id)));
    let all = move || draft.with(|d| matches!(d.audience, Audience::Tags { all: true, .. }));
    if tags.is_empty() {
        return view! { <p class="empty-state">{t(lang, "bc.no_tags")}</p> }.into_any();
    }
    view! {
        <div class="tag-choice">
            {tags.into_iter().map(|(id, name)| {
                let id2 = id.clone();
                view! {
                    <label class="check"><input type="checkbox" prop:checked=move || chosen(&id)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let id = id2.clone();
                            draft.update(|d| if let Audience::Tags { tags, .. } = &mut d.audience {
                                tags.retain(|t| *t != id);
                                if on { tags.push(id) }
                            })
                        }/>{name}</label>
                }
            }).collect_view()}
        </div>
        <div class="radio-row" role="radiogroup">
            <label><input type="radio" name="bc-tags-join" prop:checked=move || !all() on:change=move |_| draft.update(|d| if let Audience::Tags { all, .. } = &mut d.audience { *all = false })/>{t(lang, "bc.tags_any")}</label>
            <label><input type="radio" name="bc-tags-join" prop:checked=all on:change=move |_| draft.update(|d| if let Audience::Tags { all, .. } = &mut d.audience { *all = true })/>{t(lang, "bc.tags_all")}</label>
        </div>
    }
    .into_any()
}

#[component]
pub(super) fn CostSummary(e: EstimateDto) -> impl IntoView {
    let lang = use_lang();
    let yen = |n: i64| format!("¥{}", group_digits(n));
    view! {
        <dl class="facts">
            <dt>{t(lang, "bc.recipients")}</dt><dd data-testid="recipients">{t_n(lang, "seg.people", e.recipients)}</dd>
            <dt>{t(lang, "bc.consumes")}</dt><dd data-testid="consumes">{t_n(lang, "bc.n_messages", e.messages)}</dd>
            {e.left.map(|l| view! { <dt>{t(lang, "bc.left_now")}</dt><dd>{t_n(lang, "bc.n_messages", l)}</dd> })}
            {e.left_after.map(|l| view! { <dt>{t(lang, "bc.left_after")}</dt><dd data-testid="left-after">{t_n(lang, "bc.n_messages", l.max(0))}</dd> })}
            {(e.plan == "standard").then(|| view! { <dt>{t(lang, "bc.extra_cost")}</dt><dd data-testid="extra-cost">{yen(e.extra_yen)}</dd> })}
            <dt>{t(lang, "bc.plan")}</dt><dd>{t(lang, &format!("plan.{}", e.plan))}</dd>
        </dl>
        {(e.opted_out > 0 || e.capped > 0).then(|| view! {
            <p class="help">{t(lang, "bc.excluded").replace("{opted}", &e.opted_out.to_string()).replace("{capped}", &e.capped.to_string())}</p>
        })}
        {(!e.unknown_numbers.is_empty()).then(|| view! {
            <p class="notice">{t(lang, "bc.unknown_numbers").replace("{list}", &e.unknown_numbers.join("、"))}</p>
        })}
        {(e.shortfall > 0).then(|| view! {
            <p class="notice notice-error" role="alert" data-testid="shortfall">{t_n(lang, "bc.shortfall", e.shortfall)}</p>
        })}
        {(e.recipients == 0).then(|| view! { <p class="notice">{t(lang, "bc.nobody")}</p> })}
        {e.marked_marketing.then(|| view! { <p class="notice" role="status" data-testid="marked-marketing">{t(lang, "bc.marked_marketing")}</p> })}
        {e.needs_approval.then(|| view! { <p class="notice" role="status" data-testid="needs-approval">{t(lang, "bc.ad_needs_approval")}</p> })}
        {(!e.held_until.is_empty()).then(|| view! { <p class="notice" role="status">{t(lang, "bc.held_until").replace("{at}", &e.held_until)}</p> })}
    }
}

/// 12345 → 12,345.
fn group_digits(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn patient_numbers_come_from_the_first_column() {
        let csv = "診察券番号,氏名\n000123,山田\n\"000456\",佐藤\n000123,重複\n\n";
        assert_eq!(super::patient_numbers(csv), vec!["000123", "000456"]);
        assert_eq!(super::group_digits(1234567), "1,234,567");
        assert_eq!(super::group_digits(12), "12");
    }
}
