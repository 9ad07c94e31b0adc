//! 今後の配信予定 on a friend's page: what their sequences will send them,
//! and when, as things stand now.

use crate::api::sequences::sequence_preview;
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

#[component]
pub fn SequencePreview(id: String) -> impl IntoView {
    let lang = use_lang();
    let items = Resource::new(move || id.clone(), sequence_preview);
    view! {
        <section class="card" data-testid="sequence-preview">
            <h2>{t(lang, "seq.preview_title")}</h2>
            <p class="help">{t(lang, "seq.preview_help")}</p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match items.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty-state">{t(lang, "seq.preview_empty")}</p> }.into_any(),
                        Ok(list) => view! {
                            <ol class="timeline">
                                {list.into_iter().map(|p| view! {
                                    <li data-testid="preview-item">
                                        <span class="timeline-at">{p.when}</span>
                                        <span class="timeline-kind">{format!("{}（{}）", p.sequence, p.step)}</span>
                                        {p.conditional.then(|| view! { <span class="badge">{t(lang, "seq.preview_conditional")}</span> })}
                                        <p class="timeline-text">{p.text}</p>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
