//! The composer: 1–5 bubbles with a live phone preview, LINE's limits and
//! the advertising check as the user types, templates and a test send.
//!
//! The draft is kept in the browser's storage as it is typed, so a refused
//! send, a reload or a closed tab loses nothing.

use super::audience::{AudiencePicker, CostSummary};
use crate::api::broadcasts::{ad_flags, composer_options, create_broadcast, estimate_broadcast, ComposerChoices, Draft};
use crate::api::phone::PhoneItem;
use crate::api::staff_links::test_send;
use crate::api::templates::{delete_template, list_templates, save_template, TemplateDto};
use crate::components::emoji_picker::{insert_at_utf16, EmojiPicker};
use crate::components::image_upload::{ImageUpload, Uploaded};
use crate::components::line_link::{use_line_link, LineLinkSteps};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n, Lang};
use crate::pages::phone::ChatItem;
use crate::{line_view, use_lang};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use model::adcheck::{AdCategory, AdFlag};
use model::message::{Bubble, Button, ButtonAction, Column, MessageProblem, Problem};
use std::sync::Arc;

#[component]
pub fn ComposerPage() -> impl IntoView {
    let lang = use_lang();
    let options = Resource::new(|| (), |_| composer_options());
    view! {
        <p><A href="/broadcasts">{t(lang, "bc.back")}</A></p>
        <h1>{t(lang, "bc.new")}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(o) if o.can_send => view! { <Composer options=Arc::new(o)/> }.into_any(),
                    Ok(_) => view! { <ErrorNotice error=crate::errors::AppError::new("forbidden")/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(feature = "hydrate")]
const DRAFT_KEY: &str = "yorisoi.broadcast_draft";

/// Restores the draft kept in the browser, then keeps every change there.
fn keep_draft(draft: RwSignal<Draft>, restored: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |first: Option<()>| {
        let json = draft.with(|d| serde_json::to_string(d).unwrap_or_default());
        let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
            return;
        };
        if first.is_none() {
            if let Some(saved) = storage
                .get_item(DRAFT_KEY)
                .ok()
                .flatten()
                .and_then(|s| serde_json::from_str::<Draft>(&s).ok())
            {
                if saved != Draft::default() && saved != draft.get_untracked() {
                    draft.set(saved);
                    restored.set(true);
                }
            }
        } else {
            let _ = storage.set_item(DRAFT_KEY, &json);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (draft, restored);
}

fn forget_draft() {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.remove_item(DRAFT_KEY);
    }
}

#[component]
fn Composer(options: Arc<ComposerChoices>) -> impl IntoView {
    let lang = use_lang();
    let draft = RwSignal::new(Draft::default());
    let restored = RwSignal::new(false);
    keep_draft(draft, restored);
    let problems = Memo::new(move |_| draft.with(|d| d.bundle.problems()));
    let own_rules = options.ad_rules.clone();
    let flags = Memo::new(move |_| draft.with(|d| ad_flags(&d.bundle, &own_rules)));
    // The cost depends on who and when, not on the words: asked again only
    // when those change.
    let target = Memo::new(move |_| draft.with(|d| serde_json::to_string(&(&d.audience, d.purpose, &d.scheduled_at)).unwrap_or_default()));
    let estimate = LocalResource::new(move || {
        target.track();
        let d = draft.get_untracked();
        async move { estimate_broadcast(d).await }
    });
    let confirming = RwSignal::new(false);
    let send = Action::new(move |_: &()| {
        let d = draft.get_untracked();
        async move { create_broadcast(d).await }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = send.value().get() {
            forget_draft();
            navigate(&format!("/broadcasts/{id}"), Default::default());
        }
    });
    let fits = move || {
        estimate
            .get()
            .and_then(|r| r.ok())
            .is_some_and(|e| e.shortfall == 0 && e.recipients > 0)
    };
    let ready = move || problems.with(Vec::is_empty) && !draft.with(|d| d.title.trim().is_empty()) && fits();
    let needs_approval = {
        let required = options.require_ad_approval;
        move || required && !flags.with(Vec::is_empty)
    };
    let count = Memo::new(move |_| draft.with(|d| d.bundle.bubbles.len()));

    view! {
        <Show when=move || restored.get()>
            <div class="notice" role="status">
                <p>{t(lang, "bc.restored")}</p>
                <button type="button" class="button" on:click=move |_| { draft.set(Draft::default()); restored.set(false); }>{t(lang, "bc.discard")}</button>
            </div>
        </Show>
        <div class="composer-layout">
            {view! { <div>
                <section class="card">
                    <div class="field">
                        <label for="bc-title">{t(lang, "bc.field_title")}</label>
                        <input id="bc-title" maxlength="60" prop:value=move || draft.with(|d| d.title.clone())
                            on:input=move |ev| draft.update(|d| d.title = event_target_value(&ev))/>
                        <p class="help">{t(lang, "bc.field_title_help")}</p>
                    </div>
                </section>
                <Templates draft/>
                <section class="card" aria-labelledby="bc-messages">
                    <h2 id="bc-messages">{t(lang, "bc.messages")}</h2>
                    <p class="help">{t(lang, "bc.messages_help")}</p>
                    <p class="help">{t(lang, "bc.variables_help")}</p>
                    <For each=move || 0..count.get() key=|i| *i let:i>
                        <BubbleEditor i draft problems/>
                    </For>
                    <div class="toolbar toolbar-start">
                        <button type="button" class="button" data-testid="add-bubble" disabled=move || { count.get() >= 5 }
                            on:click=move |_| draft.update(|d| d.bundle.bubbles.push(Bubble::Text { text: String::new() }))>
                            {t(lang, "bc.add_bubble")}
                        </button>
                        <span class="help">{move || t_n(lang, "bc.bubbles_left", 5 - count.get() as i64)}</span>
                    </div>
                    <h3>{t(lang, "bc.quick_replies")}</h3>
                    <p class="help">{t(lang, "bc.quick_replies_help")}</p>
                    <ButtonsEditor draft problems max=13 fixed=false
                        get=Arc::new(|d: &Draft| d.bundle.quick_replies.clone())
                        set=Arc::new(|d: &mut Draft, b: Vec<Button>| d.bundle.quick_replies = b)
                        path=Arc::new(|j| format!("quick_replies.{j}"))/>
                    {move || {
                        let links = draft.with(|d| d.bundle.links().len());
                        (links > 0).then(|| view! { <p class="help" data-testid="tracked-note">{t_n(lang, "bc.tracked_links_n", links as i64)}</p> })
                    }}
                </section>
                <AdCheck flags needs_approval=Signal::derive(needs_approval)/>
                <AudiencePicker draft options=options.clone()/>
                <section class="card">
                    <h2>{t(lang, "bc.when")}</h2>
                    <div class="radio-row" role="radiogroup">
                        <label><input type="radio" name="bc-when" prop:checked=move || draft.with(|d| d.scheduled_at.is_empty())
                            on:change=move |_| draft.update(|d| d.scheduled_at.clear())/>{t(lang, "bc.now")}</label>
                        <label><input type="radio" name="bc-when" prop:checked=move || draft.with(|d| !d.scheduled_at.is_empty())
                            on:change=move |_| draft.update(|d| if d.scheduled_at.is_empty() { d.scheduled_at = tomorrow_morning() })/>{t(lang, "bc.later")}</label>
                    </div>
                    <Show when=move || draft.with(|d| !d.scheduled_at.is_empty())>
                        <label for="bc-at">{t(lang, "bc.at")}</label>
                        <input id="bc-at" type="datetime-local" prop:value=move || draft.with(|d| d.scheduled_at.clone())
                            on:change=move |ev| draft.update(|d| d.scheduled_at = event_target_value(&ev))/>
                    </Show>
                </section>
            </div> }.into_any()}
            {view! { <aside class="composer-side">
                <section class="card phone-preview" aria-label=t(lang, "bc.preview")>
                    <h2>{t(lang, "bc.preview")}</h2>
                    <div class="phone-screen" data-testid="preview">
                        {move || {
                            let (bubbles, quick) = draft.with(|d| line_view::from_bundle(&d.bundle));
                            let item = PhoneItem { at: String::new(), from_me: false, read: false, bubbles, quick };
                            view! { <ChatItem item on_tap=Callback::new(|_: serde_json::Value| ())/> }
                        }}
                    </div>
                </section>
                <section class="card cost" aria-live="polite" data-testid="cost">
                    <h2>{t(lang, "bc.cost")}</h2>
                    {move || match estimate.get() {
                        None => view! { <Loading/> }.into_any(),
                        Some(Ok(e)) => view! { <CostSummary e/> }.into_any(),
                        Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                    }}
                </section>
                <TestSend draft problems/>
                <div class="send-bar">
                    <button type="button" class="button button-primary" data-testid="send"
                        disabled=move || !ready() || send.pending().get()
                        on:click=move |_| confirming.set(true)>
                        {move || if draft.with(|d| d.scheduled_at.is_empty()) { t(lang, "bc.send") } else { t(lang, "bc.schedule") }}
                    </button>
                    {move || (!problems.with(Vec::is_empty)).then(|| view! { <p class="help">{t(lang, "bc.fix_first")}</p> })}
                </div>
                <Show when=move || confirming.get()>
                    <div class="confirm" role="alertdialog" aria-labelledby="bc-confirm-text">
                        <p id="bc-confirm-text">{move || {
                            let n = estimate.get().and_then(|r| r.ok()).map(|e| e.recipients).unwrap_or(0);
                            t_n(lang, "bc.confirm", n)
                        }}</p>
                        <button type="button" class="button button-primary" data-testid="confirm-send"
                            on:click=move |_| { confirming.set(false); send.dispatch(()); }>{t(lang, "bc.confirm_yes")}</button>
                        " "
                        <button type="button" class="button" on:click=move |_| confirming.set(false)>{t(lang, "common.cancel")}</button>
                    </div>
                </Show>
                {move || match send.value().get() {
                    Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }),
                    _ => None,
                }}
            </aside> }.into_any()}
        </div>
    }
}

/// テスト送信: the bundle to one's own LINE, linked once by writing a code
/// to the clinic's account.
#[component]
fn TestSend(draft: RwSignal<Draft>, problems: Memo<Vec<MessageProblem>>) -> impl IntoView {
    let lang = use_lang();
    let send = Action::new(move |_: &()| test_send(draft.with_untracked(|d| d.bundle.clone())));
    let (link, refresh) = use_line_link();
    let unlinked = move || link.get().is_some_and(|l| l.is_ok_and(|l| !l.linked && l.code.is_empty()));
    view! {
        <section class="card" data-testid="test-send">
            <h2>{t(lang, "bc.test_title")}</h2>
            <Show when=unlinked>
                <p class="help">{t(lang, "bc.test_help")}</p>
            </Show>
            <LineLinkSteps link refresh linked=move || view! {
                <button type="button" class="button" disabled=move || !problems.with(Vec::is_empty) || send.pending().get()
                    on:click=move |_| { send.dispatch(()); }>{t(lang, "bc.test_send")}</button>
                {move || match send.value().get() {
                    Some(Ok(())) => Some(view! { <p class="notice notice-ok" role="status">{t(lang, "bc.test_sent")}</p> }.into_any()),
                    Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                    None => None,
                }}
            }/>
        </section>
    }
}

/// Tomorrow at 10:00 Japan time, as a `datetime-local` value.
fn tomorrow_morning() -> String {
    #[cfg(feature = "hydrate")]
    {
        let now = js_sys::Date::now() as i64;
        let day = 86_400_000;
        let jst_midnight = (now + 9 * 3_600_000).div_euclid(day) * day - 9 * 3_600_000;
        model::broadcast::jst_local(jst_midnight + day + 10 * 3_600_000)
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

fn kind_of(b: &Bubble) -> &'static str {
    match b {
        Bubble::Text { .. } => "text",
        Bubble::Image { .. } => "image",
        Bubble::Buttons { .. } => "buttons",
        Bubble::Confirm { .. } => "confirm",
        Bubble::Carousel { .. } => "carousel",
        Bubble::Card { .. } => "card",
    }
}

/// A fresh bubble of a kind, keeping the text already typed.
fn bubble_of(kind: &str, keep: &str) -> Bubble {
    let text = keep.to_string();
    match kind {
        "image" => Bubble::Image {
            url: String::new(),
            preview_url: String::new(),
        },
        "buttons" => Bubble::Buttons {
            image_url: String::new(),
            title: String::new(),
            text,
            buttons: vec![Button::open("", "https://")],
        },
        "confirm" => Bubble::Confirm {
            text,
            yes: Button::say("はい", "はい"),
            no: Button::say("いいえ", "いいえ"),
        },
        "carousel" => Bubble::Carousel {
            columns: vec![Column {
                image_url: String::new(),
                title: String::new(),
                text,
                buttons: vec![Button::open("", "https://")],
            }],
        },
        "card" => Bubble::Card {
            image_url: String::new(),
            title: text,
            body: String::new(),
            button: None,
        },
        _ => Bubble::Text { text },
    }
}

fn main_text(b: &Bubble) -> String {
    match b {
        Bubble::Text { text } | Bubble::Buttons { text, .. } | Bubble::Confirm { text, .. } => text.clone(),
        Bubble::Card { title, .. } => title.clone(),
        Bubble::Carousel { columns } => columns.first().map(|c| c.text.clone()).unwrap_or_default(),
        Bubble::Image { .. } => String::new(),
    }
}

/// The text fields of bubbles, by name.
fn get_field(b: &Bubble, field: &str) -> String {
    match (b, field) {
        (Bubble::Text { text }, "text") | (Bubble::Buttons { text, .. }, "text") | (Bubble::Confirm { text, .. }, "text") => text.clone(),
        (Bubble::Image { url, .. }, "url") => url.clone(),
        (Bubble::Image { preview_url, .. }, "preview_url") => preview_url.clone(),
        (Bubble::Buttons { image_url, .. }, "image_url") | (Bubble::Card { image_url, .. }, "image_url") => image_url.clone(),
        (Bubble::Buttons { title, .. }, "title") | (Bubble::Card { title, .. }, "title") => title.clone(),
        (Bubble::Card { body, .. }, "body") => body.clone(),
        _ => String::new(),
    }
}

fn set_field(b: &mut Bubble, field: &str, v: String) {
    match (b, field) {
        (Bubble::Text { text }, "text") | (Bubble::Buttons { text, .. }, "text") | (Bubble::Confirm { text, .. }, "text") => *text = v,
        (Bubble::Image { url, .. }, "url") => *url = v,
        (Bubble::Image { preview_url, .. }, "preview_url") => *preview_url = v,
        (Bubble::Buttons { image_url, .. }, "image_url") | (Bubble::Card { image_url, .. }, "image_url") => *image_url = v,
        (Bubble::Buttons { title, .. }, "title") | (Bubble::Card { title, .. }, "title") => *title = v,
        (Bubble::Card { body, .. }, "body") => *body = v,
        _ => {}
    }
}

/// What is wrong, in words.
fn problem_text(lang: Lang, p: &Problem) -> String {
    match p {
        Problem::TooLong { max, len } => t(lang, "msg.too_long")
            .replace("{max}", &max.to_string())
            .replace("{len}", &len.to_string()),
        Problem::TooManyBubbles { max }
        | Problem::TooManyButtons { max }
        | Problem::TooManyColumns { max }
        | Problem::TooManyQuickReplies { max } => t_n(lang, "msg.too_many", *max as i64),
        Problem::CardTooLarge { max_bytes } => t_n(lang, "msg.card_too_large", (*max_bytes / 1024) as i64),
        Problem::NoBubbles => t(lang, "msg.no_bubbles"),
        Problem::Empty => t(lang, "msg.empty"),
        Problem::NoButtons => t(lang, "msg.no_buttons"),
        Problem::NoColumns => t(lang, "msg.no_columns"),
        Problem::UnevenColumns => t(lang, "msg.uneven_columns"),
        Problem::NotHttps => t(lang, "msg.not_https"),
        Problem::TooManyEmoji { max } => t_n(lang, "msg.too_many_emoji", *max as i64),
        Problem::BadEmoji => t(lang, "msg.bad_emoji"),
        Problem::BadUri => t(lang, "msg.bad_uri"),
    }
}

/// The problems at exactly `at`, said under the field.
#[component]
fn FieldProblems(problems: Memo<Vec<MessageProblem>>, at: String) -> impl IntoView {
    let lang = use_lang();
    move || {
        let mine: Vec<String> = problems.with(|ps| ps.iter().filter(|p| p.at == at).map(|p| problem_text(lang, &p.problem)).collect());
        (!mine.is_empty()).then(|| {
            view! { <ul class="problems field-problems" data-testid="field-problems">{mine.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul> }
        })
    }
}

/// One text field of bubble `i`.
#[component]
fn BubbleField(
    i: usize,
    draft: RwSignal<Draft>,
    problems: Memo<Vec<MessageProblem>>,
    field: &'static str,
    label: &'static str,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let id = format!("bubble-{i}-{field}");
    let value = move || draft.with(|d| d.bundle.bubbles.get(i).map(|b| get_field(b, field)).unwrap_or_default());
    let on_input = move |ev| {
        let v = event_target_value(&ev);
        draft.update(|d| {
            if let Some(b) = d.bundle.bubbles.get_mut(i) {
                set_field(b, field, v)
            }
        })
    };
    let count = move || model::line_limits::utf16_len(&value());
    view! {
        <div class="field">
            <label for=id.clone()>{t(lang, label)}</label>
            {if multiline {
                view! { <textarea id=id.clone() rows="4" prop:value=value on:input=on_input placeholder=placeholder></textarea> }.into_any()
            } else {
                view! { <input id=id.clone() prop:value=value on:input=on_input placeholder=placeholder/> }.into_any()
            }}
            {multiline.then(|| view! { <p class="help counter">{move || t_n(lang, "bc.length", count() as i64)}</p> })}
            <FieldProblems problems at=format!("bubbles.{i}.{field}")/>
        </div>
    }
}

/// Uploads a picture into bubble `i`'s `field` (and its preview into
/// `preview_field`).
#[component]
fn PictureUpload(i: usize, draft: RwSignal<Draft>, field: &'static str, #[prop(optional)] preview_field: &'static str) -> impl IntoView {
    let on_uploaded = Callback::new(move |up: Uploaded| {
        draft.update(|d| {
            if let Some(b) = d.bundle.bubbles.get_mut(i) {
                set_field(b, field, up.path);
                if !preview_field.is_empty() {
                    set_field(b, preview_field, up.preview_path);
                }
            }
        })
    });
    view! { <ImageUpload id=format!("bubble-{i}-{field}-upload") on_uploaded/> }
}

#[component]
fn BubbleEditor(i: usize, draft: RwSignal<Draft>, problems: Memo<Vec<MessageProblem>>) -> impl IntoView {
    let lang = use_lang();
    let kind = Memo::new(move |_| draft.with(|d| d.bundle.bubbles.get(i).map(kind_of).unwrap_or("text")));
    let count = move || draft.with(|d| d.bundle.bubbles.len());
    let move_by = move |delta: isize| {
        draft.update(|d| {
            let j = i as isize + delta;
            if j >= 0 && (j as usize) < d.bundle.bubbles.len() {
                d.bundle.bubbles.swap(i, j as usize);
            }
        })
    };
    let kinds = ["text", "image", "buttons", "confirm", "card", "carousel"];
    view! {
        <fieldset class="bubble-editor" data-testid="bubble-editor">
            <legend>{t_n(lang, "bc.bubble_n", i as i64 + 1)}</legend>
            <div class="bubble-tools">
                <label for=format!("bubble-{i}-kind") class="visually-hidden">{t(lang, "bc.kind")}</label>
                <select id=format!("bubble-{i}-kind") prop:value=move || kind.get()
                    on:change=move |ev| {
                        let k = event_target_value(&ev);
                        draft.update(|d| if let Some(b) = d.bundle.bubbles.get_mut(i) { *b = bubble_of(&k, &main_text(b)) });
                    }>
                    {kinds.into_iter().map(|k| view! { <option value=k>{t(lang, &format!("bc.kind_{k}"))}</option> }).collect_view()}
                </select>
                <button type="button" class="button button-small" aria-label=t(lang, "bc.move_up") disabled=move || { i == 0 } on:click=move |_| move_by(-1)>"↑"</button>
                <button type="button" class="button button-small" aria-label=t(lang, "bc.move_down") disabled=move || { i + 1 >= count() } on:click=move |_| move_by(1)>"↓"</button>
                <button type="button" class="button button-small button-danger" disabled=move || { count() <= 1 }
                    on:click=move |_| draft.update(|d| { if d.bundle.bubbles.len() > 1 { d.bundle.bubbles.remove(i); } })>{t(lang, "bc.remove")}</button>
            </div>
            {move || match kind.get() {
                "image" => view! {
                    <PictureUpload i draft field="url" preview_field="preview_url"/>
                    <BubbleField i draft problems field="url" label="bc.f_image_url" placeholder="https://"/>
                    <BubbleField i draft problems field="preview_url" label="bc.f_preview_url" placeholder="https://"/>
                    <p class="help">{t(lang, "bc.image_help")}</p>
                }.into_any(),
                "buttons" => view! {
                    <BubbleField i draft problems field="title" label="bc.f_title"/>
                    <BubbleField i draft problems field="text" label="bc.f_text" multiline=true/>
                    <PictureUpload i draft field="image_url"/>
                    <BubbleField i draft problems field="image_url" label="bc.f_image_optional" placeholder="https://"/>
                    <ButtonsEditor draft problems max=4 fixed=false
                        get=Arc::new(move |d: &Draft| match d.bundle.bubbles.get(i) { Some(Bubble::Buttons { buttons, .. }) => buttons.clone(), _ => vec![] })
                        set=Arc::new(move |d: &mut Draft, v: Vec<Button>| if let Some(Bubble::Buttons { buttons, .. }) = d.bundle.bubbles.get_mut(i) { *buttons = v })
                        path=Arc::new(move |j| format!("bubbles.{i}.buttons.{j}"))/>
                }.into_any(),
                "confirm" => view! {
                    <BubbleField i draft problems field="text" label="bc.f_question" multiline=true/>
                    <ButtonsEditor draft problems max=2 fixed=true
                        get=Arc::new(move |d: &Draft| match d.bundle.bubbles.get(i) { Some(Bubble::Confirm { yes, no, .. }) => vec![yes.clone(), no.clone()], _ => vec![] })
                        set=Arc::new(move |d: &mut Draft, v: Vec<Button>| if let (Some(Bubble::Confirm { yes, no, .. }), [a, b]) = (d.bundle.bubbles.get_mut(i), v.as_slice()) { *yes = a.clone(); *no = b.clone(); })
                        path=Arc::new(move |j| format!("bubbles.{i}.{}", if j == 0 { "yes" } else { "no" }))/>
                }.into_any(),
                "card" => view! {
                    <PictureUpload i draft field="image_url"/>
                    <BubbleField i draft problems field="image_url" label="bc.f_image_optional" placeholder="https://"/>
                    <BubbleField i draft problems field="title" label="bc.f_title"/>
                    <BubbleField i draft problems field="body" label="bc.f_body" multiline=true/>
                    <ButtonsEditor draft problems max=1 fixed=false
                        get=Arc::new(move |d: &Draft| match d.bundle.bubbles.get(i) { Some(Bubble::Card { button, .. }) => button.iter().cloned().collect(), _ => vec![] })
                        set=Arc::new(move |d: &mut Draft, v: Vec<Button>| if let Some(Bubble::Card { button, .. }) = d.bundle.bubbles.get_mut(i) { *button = v.into_iter().next() })
                        path=Arc::new(move |_| format!("bubbles.{i}.button"))/>
                }.into_any(),
                "carousel" => view! { <CarouselEditor i draft problems/> }.into_any(),
                _ => view! {
                    <BubbleField i draft problems field="text" label="bc.f_text" multiline=true/>
                    <EmojiPicker field_id=format!("bubble-{i}-text") on_pick=Callback::new(move |(token, at): (String, Option<usize>)| {
                        draft.update(|d| if let Some(Bubble::Text { text }) = d.bundle.bubbles.get_mut(i) {
                            *text = insert_at_utf16(text, at.unwrap_or(usize::MAX), &token);
                        })
                    })/>
                }.into_any(),
            }}
            <FieldProblems problems at=format!("bubbles.{i}")/>
        </fieldset>
    }
}

type GetButtons = Arc<dyn Fn(&Draft) -> Vec<Button> + Send + Sync>;
type SetButtons = Arc<dyn Fn(&mut Draft, Vec<Button>) + Send + Sync>;
type ButtonPath = Arc<dyn Fn(usize) -> String + Send + Sync>;

/// A list of buttons (label, and a page to open or words to send), read and
/// written through `get` / `set`; `fixed` lists cannot grow or shrink.
#[component]
fn ButtonsEditor(
    draft: RwSignal<Draft>,
    problems: Memo<Vec<MessageProblem>>,
    max: usize,
    fixed: bool,
    get: GetButtons,
    set: SetButtons,
    path: ButtonPath,
) -> impl IntoView {
    let lang = use_lang();
    let count = {
        let get = get.clone();
        Memo::new(move |_| draft.with(|d| get(d).len()))
    };
    let edit = {
        let (get, set) = (get.clone(), set.clone());
        Arc::new(move |j: usize, f: &dyn Fn(&mut Button)| {
            draft.update(|d| {
                let mut list = get(d);
                if let Some(b) = list.get_mut(j) {
                    f(b);
                }
                set(d, list);
            })
        })
    };
    let add = {
        let (get, set) = (get.clone(), set.clone());
        move |_| {
            draft.update(|d| {
                let mut list = get(d);
                list.push(Button::say("", ""));
                set(d, list);
            })
        }
    };
    view! {
        <div class="buttons-editor">
            <For each=move || 0..count.get() key=|j| *j let:j>
                {
                    let get = get.clone();
                    let set = set.clone();
                    let edit = edit.clone();
                    let edit2 = edit.clone();
                    let edit3 = edit.clone();
                    let at = path(j);
                    let current = {
                        let get = get.clone();
                        move || draft.with(|d| get(d).get(j).cloned()).unwrap_or_else(|| Button::say("", ""))
                    };
                    let current2 = current.clone();
                    let current3 = current.clone();
                    let is_link = move || matches!(current2().does, ButtonAction::Open { .. });
                    view! {
                        <div class="button-row">
                            <input aria-label=t(lang, "bc.button_label") placeholder=t(lang, "bc.button_label") maxlength="20"
                                prop:value=move || current().label
                                on:input=move |ev| { let v = event_target_value(&ev); edit(j, &|b: &mut Button| b.label = v.clone()) }/>
                            <select aria-label=t(lang, "bc.button_does")
                                prop:value=move || if is_link() { "open" } else { "say" }
                                on:change=move |ev| {
                                    let open = event_target_value(&ev) == "open";
                                    edit2(j, &|b: &mut Button| b.does = if open { ButtonAction::Open { uri: "https://".into() } } else { ButtonAction::Say { text: b.label.clone() } })
                                }>
                                <option value="open">{t(lang, "bc.button_open")}</option>
                                <option value="say">{t(lang, "bc.button_say")}</option>
                            </select>
                            <input aria-label=t(lang, "bc.button_value")
                                prop:value=move || match current3().does { ButtonAction::Open { uri } => uri, ButtonAction::Say { text } => text }
                                on:input=move |ev| {
                                    let v = event_target_value(&ev);
                                    edit3(j, &|b: &mut Button| match &mut b.does { ButtonAction::Open { uri } => *uri = v.clone(), ButtonAction::Say { text } => *text = v.clone() })
                                }/>
                            {(!fixed).then(|| view! {
                                <button type="button" class="button button-small" on:click=move |_| draft.update(|d| { let mut l = get(d); if j < l.len() { l.remove(j); } set(d, l); })>{t(lang, "bc.remove")}</button>
                            })}
                            <FieldProblems problems at=format!("{at}.label")/>
                            <FieldProblems problems at=format!("{at}.uri")/>
                            <FieldProblems problems at=format!("{at}.text")/>
                        </div>
                    }
                }
            </For>
            {(!fixed).then(|| view! {
                <button type="button" class="button button-small" disabled=move || { count.get() >= max } on:click=add>{t(lang, "bc.add_button")}</button>
            })}
        </div>
    }
}

#[component]
fn CarouselEditor(i: usize, draft: RwSignal<Draft>, problems: Memo<Vec<MessageProblem>>) -> impl IntoView {
    let lang = use_lang();
    let columns = move || match draft.with(|d| d.bundle.bubbles.get(i).cloned()) {
        Some(Bubble::Carousel { columns }) => columns.len(),
        _ => 0,
    };
    let with_col = move |c: usize, f: &dyn Fn(&mut Column)| {
        draft.update(|d| {
            if let Some(Bubble::Carousel { columns }) = d.bundle.bubbles.get_mut(i) {
                if let Some(col) = columns.get_mut(c) {
                    f(col)
                }
            }
        })
    };
    let col_value = move |c: usize, which: &'static str| {
        draft.with(|d| match d.bundle.bubbles.get(i) {
            Some(Bubble::Carousel { columns }) => columns
                .get(c)
                .map(|col| match which {
                    "title" => col.title.clone(),
                    "image_url" => col.image_url.clone(),
                    _ => col.text.clone(),
                })
                .unwrap_or_default(),
            _ => String::new(),
        })
    };
    view! {
        <For each=move || 0..columns() key=|c| *c let:c>
            <fieldset class="column-editor">
                <legend>{t_n(lang, "bc.column_n", c as i64 + 1)}</legend>
                {["title", "text", "image_url"].into_iter().map(|which| view! {
                    <div class="field">
                        <label>{t(lang, &format!("bc.column_{which}"))}
                            <input prop:value=move || col_value(c, which)
                                on:input=move |ev| { let v = event_target_value(&ev); with_col(c, &|col: &mut Column| match which { "title" => col.title = v.clone(), "image_url" => col.image_url = v.clone(), _ => col.text = v.clone() }) }/>
                        </label>
                        <FieldProblems problems at=format!("bubbles.{i}.columns.{c}.{which}")/>
                    </div>
                }).collect_view()}
                <ButtonsEditor draft problems max=3 fixed=false
                    get=Arc::new(move |d: &Draft| match d.bundle.bubbles.get(i) { Some(Bubble::Carousel { columns }) => columns.get(c).map(|x| x.buttons.clone()).unwrap_or_default(), _ => vec![] })
                    set=Arc::new(move |d: &mut Draft, v: Vec<Button>| if let Some(Bubble::Carousel { columns }) = d.bundle.bubbles.get_mut(i) { if let Some(x) = columns.get_mut(c) { x.buttons = v } })
                    path=Arc::new(move |j| format!("bubbles.{i}.columns.{c}.buttons.{j}"))/>
            </fieldset>
        </For>
        <button type="button" class="button button-small" disabled=move || { columns() >= 10 }
            on:click=move |_| draft.update(|d| if let Some(Bubble::Carousel { columns }) = d.bundle.bubbles.get_mut(i) {
                let like = columns.first().cloned();
                columns.push(Column {
                    image_url: like.as_ref().map(|c| c.image_url.clone()).unwrap_or_default(),
                    title: String::new(),
                    text: String::new(),
                    buttons: like.map(|c| c.buttons.iter().map(|_| Button::open("", "https://")).collect()).unwrap_or_default(),
                });
            })>{t(lang, "bc.add_column")}</button>
        <FieldProblems problems at=format!("bubbles.{i}.columns")/>
    }
}

/// 定型文: load a saved bundle into the draft (asking first, as it replaces
/// what was typed), or save the current one, in folders.
#[component]
fn Templates(draft: RwSignal<Draft>) -> impl IntoView {
    let lang = use_lang();
    let save = Action::new(move |a: &(String, String)| save_template(a.0.clone(), a.1.clone(), draft.with_untracked(|d| d.bundle.clone())));
    let remove = Action::new(move |id: &String| delete_template(id.clone()));
    // Fetched by the browser alone: the composer already sits in the page's
    // Suspense (leptos-rs/leptos#3707).
    let list = LocalResource::new(move || {
        save.version().get();
        remove.version().get();
        list_templates()
    });
    let chosen = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let folder = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let templates = move || list.get().and_then(|r| r.ok()).unwrap_or_default();
    let load = move || {
        if let Some(tpl) = templates().into_iter().find(|x| x.id == chosen.get_untracked()) {
            draft.update(|d| d.bundle = tpl.bundle);
        }
    };
    view! {
        <section class="card" aria-labelledby="bc-templates" data-testid="templates">
            <h2 id="bc-templates">{t(lang, "bc.templates")}</h2>
            {move || {
                let all = templates();
                if all.is_empty() {
                    return view! { <p class="empty-state">{t(lang, "bc.templates_empty")}</p> }.into_any();
                }
                let mut folders: Vec<String> = all.iter().map(|x| x.folder.clone()).collect();
                folders.dedup();
                view! {
                    <div class="form-inline">
                        <label for="bc-template" class="visually-hidden">{t(lang, "bc.templates")}</label>
                        <select id="bc-template" prop:value=move || chosen.get() on:change=move |ev| chosen.set(event_target_value(&ev))>
                            <option value="">{t(lang, "bc.template_choose")}</option>
                            {folders.into_iter().map(|f| {
                                let label = if f.is_empty() { t(lang, "bc.template_no_folder") } else { f.clone() };
                                let items: Vec<TemplateDto> = all.iter().filter(|x| x.folder == f).cloned().collect();
                                view! {
                                    <optgroup label=label>
                                        {items.into_iter().map(|x| view! { <option value=x.id.clone()>{x.name.clone()}</option> }).collect_view()}
                                    </optgroup>
                                }
                            }).collect_view()}
                        </select>
                        <button type="button" class="button" disabled=move || chosen.get().is_empty() on:click=move |_| confirming.set(true)>{t(lang, "bc.template_load")}</button>
                        <button type="button" class="button button-small" disabled=move || chosen.get().is_empty()
                            on:click=move |_| { remove.dispatch(chosen.get_untracked()); chosen.set(String::new()); }>{t(lang, "bc.remove")}</button>
                    </div>
                }.into_any()
            }}
            <Show when=move || confirming.get()>
                <div class="confirm" role="alertdialog" aria-labelledby="bc-load-text">
                    <p id="bc-load-text">{t(lang, "bc.template_replace")}</p>
                    <button type="button" class="button button-primary" on:click=move |_| { confirming.set(false); load(); }>{t(lang, "bc.template_load")}</button>
                    " "
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>{t(lang, "common.cancel")}</button>
                </div>
            </Show>
            <details>
                <summary>{t(lang, "bc.template_save")}</summary>
                <div class="form-inline">
                    <input aria-label=t(lang, "bc.template_folder") placeholder=t(lang, "bc.template_folder") maxlength="40" prop:value=folder on:input=move |ev| folder.set(event_target_value(&ev))/>
                    <input aria-label=t(lang, "bc.template_name") placeholder=t(lang, "bc.template_name") maxlength="40" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                    <button type="button" class="button" disabled=move || name.get().trim().is_empty() || save.pending().get()
                        on:click=move |_| { save.dispatch((folder.get_untracked(), name.get_untracked())); }>{t(lang, "common.save")}</button>
                </div>
                {move || match save.value().get() {
                    Some(Ok(())) => Some(view! { <p class="notice notice-ok" role="status">{t(lang, "bc.template_saved")}</p> }.into_any()),
                    Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                    None => None,
                }}
            </details>
        </section>
    }
}

fn category_key(c: AdCategory) -> String {
    format!("ad.{}", c.as_str())
}

/// The wording a clinic may not advertise with, highlighted in its
/// sentence, with the reason.
#[component]
fn AdCheck(flags: Memo<Vec<AdFlag>>, needs_approval: Signal<bool>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card" aria-labelledby="bc-ad" data-testid="ad-check">
            <h2 id="bc-ad">{t(lang, "bc.ad_title")}</h2>
            {move || {
                let list = flags.get();
                if list.is_empty() {
                    return view! { <p class="notice notice-ok">{t(lang, "bc.ad_clear")}</p> }.into_any();
                }
                view! {
                    <ul class="ad-flags">
                        {list.into_iter().map(|f| {
                            let why = if f.note.is_empty() { t(lang, &format!("{}_why", category_key(f.category))) } else { f.note.clone() };
                            view! {
                                <li>
                                    <mark>{f.phrase.clone()}</mark>
                                    " — "<strong>{t(lang, &category_key(f.category))}</strong>
                                    <span class="help">{format!("（{}）", where_text(lang, &f.at))}</span>
                                    <p class="help">{why}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || needs_approval.get().then(|| view! { <p class="notice" role="status">{t(lang, "bc.ad_needs_approval")}</p> })}
                }.into_any()
            }}
        </section>
    }
}

/// `bubbles.1.text` → 吹き出し2.
fn where_text(lang: Lang, at: &str) -> String {
    let n: i64 = at.split('.').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    t_n(lang, "bc.bubble_n", n + 1)
}
