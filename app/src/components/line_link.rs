//! 自分のLINE連携: linking one's own LINE to the clinic's account with a
//! one-time code written from it (for 職員連絡 and test sends), and ending
//! the link. The profile page shows it whole; the composer's test send
//! shows it until the LINE is linked.

use crate::api::staff_links::{end_staff_link, get_staff_link, start_staff_link, StaffLinkDto};
use crate::components::{AskFirst, ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

/// The caller's link, asked again after each start, end or check.
pub fn use_line_link() -> (LocalResource<Result<StaffLinkDto, crate::errors::AppError>>, RwSignal<u32>) {
    let refresh = RwSignal::new(0u32);
    let link = LocalResource::new(move || {
        refresh.get();
        get_staff_link()
    });
    (link, refresh)
}

/// The code to write, or the button that asks for one. `linked` is shown
/// when the LINE is linked (with the unlink button when `can_end`).
#[component]
pub fn LineLinkSteps(
    link: LocalResource<Result<StaffLinkDto, crate::errors::AppError>>,
    refresh: RwSignal<u32>,
    #[prop(into)] linked: ViewFn,
    #[prop(optional)] can_end: bool,
) -> impl IntoView {
    let lang = use_lang();
    let start = Action::new(|_: &()| start_staff_link());
    let end = Action::new(|_: &()| end_staff_link());
    Effect::new(move |_| {
        if start.version().get() > 0 || end.version().get() > 0 {
            refresh.update(|n| *n += 1);
        }
    });
    view! {
        {move || match link.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
            Some(Ok(l)) if l.linked => view! {
                {linked.run()}
                <Show when=move || can_end>
                    <AskFirst ask=t(lang, "link.end") question=t(lang, "link.end_confirm") yes=t(lang, "link.end_yes")
                        no=t(lang, "common.cancel") danger=true on_yes=Callback::new(move |_| { end.dispatch(()); })/>
                </Show>
            }.into_any(),
            Some(Ok(l)) if !l.code.is_empty() => view! {
                <p>{t(lang, "bc.test_code").replace("{until}", &l.expires)}</p>
                <p class="big-count" data-testid="link-code">{l.code.clone()}</p>
                <button type="button" class="button" on:click=move |_| refresh.update(|n| *n += 1)>{t(lang, "bc.test_check")}</button>
            }.into_any(),
            Some(Ok(_)) => view! {
                <button type="button" class="button" on:click=move |_| { start.dispatch(()); }>{t(lang, "bc.test_link")}</button>
            }.into_any(),
        }}
        {move || match (start.value().get(), end.value().get()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(view! { <ErrorNotice error=e/> }),
            _ => None,
        }}
    }
    .into_any()
}

/// The profile page's section: what the link is for, and its steps.
#[component]
pub fn LineLinkSection() -> impl IntoView {
    let lang = use_lang();
    let (link, refresh) = use_line_link();
    view! {
        <section class="card" data-testid="line-link">
            <h2>{t(lang, "link.title")}</h2>
            <p class="help">{t(lang, "link.help")}</p>
            <LineLinkSteps link refresh can_end=true linked=move || view! {
                <p class="notice notice-ok" role="status" data-testid="line-linked">{t(lang, "link.linked")}</p>
            }/>
        </section>
    }
    .into_any()
}
