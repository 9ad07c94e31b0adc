//! 配信設定: quiet hours, the frequency cap, the operational reserve, and
//! the advertising check (the owner's approval setting and the clinic's
//! own phrases). Owner and admin edit; others read.

use crate::api::quota::{get_delivery_settings, save_delivery_settings, DeliverySettingsDto};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use model::adcheck::{AdCategory, AdRule};

#[component]
pub fn DeliverySettingsPage() -> impl IntoView {
    let lang = use_lang();
    let current = Resource::new(|| (), |_| get_delivery_settings());
    view! {
        <section class="card">
            <h2>{t(lang, "deliv.title")}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(s) => view! { <DeliveryForm s/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DeliveryForm(s: DeliverySettingsDto) -> impl IntoView {
    let lang = use_lang();
    let editable = s.can_edit;
    let form = RwSignal::new(s);
    let save = Action::new(move |_: &()| save_delivery_settings(form.get_untracked()));
    let new_phrase = RwSignal::new(String::new());
    let new_category = RwSignal::new("exaggeration".to_string());
    let new_note = RwSignal::new(String::new());
    let add_rule = move |_| {
        let phrase = new_phrase.get_untracked().trim().to_string();
        if phrase.is_empty() {
            return;
        }
        let category = AdCategory::parse(&new_category.get_untracked()).unwrap_or(AdCategory::Exaggeration);
        form.update(|f| {
            f.ad_rules.push(AdRule {
                phrase,
                category,
                note: new_note.get_untracked().trim().to_string(),
                unless_all: vec![],
            })
        });
        new_phrase.set(String::new());
        new_note.set(String::new());
    };
    view! {
        <div class="form">
            <fieldset class="choices" disabled=!editable>
                <legend>{t(lang, "deliv.quiet")}</legend>
                <p class="help">{t(lang, "deliv.quiet_help")}</p>
                <label for="quiet-start">{t(lang, "deliv.quiet_start")}</label>
                <input id="quiet-start" type="time" prop:value=move || form.with(|f| f.quiet_start.clone())
                    on:change=move |ev| form.update(|f| f.quiet_start = event_target_value(&ev))/>
                <label for="quiet-end">{t(lang, "deliv.quiet_end")}</label>
                <input id="quiet-end" type="time" prop:value=move || form.with(|f| f.quiet_end.clone())
                    on:change=move |ev| form.update(|f| f.quiet_end = event_target_value(&ev))/>
            </fieldset>
            <fieldset class="choices" disabled=!editable>
                <legend>{t(lang, "deliv.limits")}</legend>
                <label for="freq-cap">{t(lang, "deliv.cap")}</label>
                <input id="freq-cap" type="number" min="0" max="100" prop:value=move || form.with(|f| f.frequency_cap.to_string())
                    on:change=move |ev| form.update(|f| f.frequency_cap = event_target_value(&ev).parse().unwrap_or(f.frequency_cap))/>
                <p class="help">{t(lang, "deliv.cap_help")}</p>
                <label for="op-reserve">{t(lang, "deliv.reserve")}</label>
                <input id="op-reserve" type="number" min="0" prop:value=move || form.with(|f| f.operational_reserve.to_string())
                    on:change=move |ev| form.update(|f| f.operational_reserve = event_target_value(&ev).parse().unwrap_or(f.operational_reserve))/>
                <p class="help">{t(lang, "deliv.reserve_help")}</p>
            </fieldset>
            <fieldset class="choices" disabled=!editable>
                <legend>{t(lang, "deliv.ad")}</legend>
                <label class="check"><input type="checkbox" prop:checked=move || form.with(|f| f.require_ad_approval)
                    on:change=move |ev| form.update(|f| f.require_ad_approval = event_target_checked(&ev))/>{t(lang, "deliv.approval")}</label>
                <p class="help">{t(lang, "deliv.rules_help")}</p>
                {move || {
                    let rules = form.with(|f| f.ad_rules.clone());
                    if rules.is_empty() {
                        return view! { <p class="empty-state">{t(lang, "deliv.no_rules")}</p> }.into_any();
                    }
                    view! {
                        <ul class="ad-rules">
                            {rules.into_iter().enumerate().map(|(k, r)| view! {
                                <li>
                                    <mark>{r.phrase.clone()}</mark>" — "{t(lang, &format!("ad.{}", r.category.as_str()))}
                                    {(!r.note.is_empty()).then(|| view! { <span class="help">{format!("（{}）", r.note)}</span> })}
                                    " "
                                    <button type="button" class="button button-small" on:click=move |_| form.update(|f| { if k < f.ad_rules.len() { f.ad_rules.remove(k); } })>{t(lang, "bc.remove")}</button>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <div class="form-inline">
                    <input aria-label=t(lang, "deliv.phrase") placeholder=t(lang, "deliv.phrase") maxlength="40" prop:value=new_phrase on:input=move |ev| new_phrase.set(event_target_value(&ev))/>
                    <select aria-label=t(lang, "deliv.category") prop:value=new_category on:change=move |ev| new_category.set(event_target_value(&ev))>
                        {AdCategory::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{t(lang, &format!("ad.{}", c.as_str()))}</option> }).collect_view()}
                    </select>
                    <input aria-label=t(lang, "deliv.note") placeholder=t(lang, "deliv.note") maxlength="100" prop:value=new_note on:input=move |ev| new_note.set(event_target_value(&ev))/>
                    <button type="button" class="button" on:click=add_rule>{t(lang, "deliv.add_rule")}</button>
                </div>
            </fieldset>
            {editable.then(|| view! {
                <button type="button" class="button button-primary" disabled=move || save.pending().get() on:click=move |_| { save.dispatch(()); }>{t(lang, "common.save")}</button>
            })}
            {move || match save.value().get() {
                Some(Ok(())) => Some(view! { <p class="notice notice-ok" role="status">{t(lang, "common.saved")}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                None => None,
            }}
        </div>
    }
}
