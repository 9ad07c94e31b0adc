//! The clinic's saved segments, each with its live count.

use crate::api::segments::list_segments;
use crate::api::tags::tags_overview;
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SegmentsPage() -> impl IntoView {
    let lang = use_lang();
    let list = Resource::new(|| (), |_| list_segments());
    let catalog = Resource::new(|| (), |_| tags_overview());
    view! {
        <h1>{t(lang, "seg.title")}</h1>
        <p class="help page-intro">{t(lang, "seg.intro")}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (list.await, catalog.await) {
                    (Ok(items), Ok(d)) => view! {
                        {d.can_design.then(|| view! {
                            <div class="toolbar"><A href="/segments/new" attr:class="button button-primary">{t(lang, "seg.new")}</A></div>
                        })}
                        <section class="card">
                            {if items.is_empty() {
                                view! { <p class="empty-state">{t(lang, "seg.empty")}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                        <table class="table" data-testid="segments-table">
                                            <thead><tr>
                                                <th scope="col">{t(lang, "seg.name")}</th>
                                                <th scope="col">{t(lang, "seg.description")}</th>
                                                <th scope="col" class="num">{t(lang, "seg.count")}</th>
                                            </tr></thead>
                                            <tbody>
                                                {items.into_iter().map(|s| view! {
                                                    <tr>
                                                        <td><A href=format!("/segments/{}", s.id)>{s.name}</A></td>
                                                        <td>{s.description}</td>
                                                        <td class="num">{t_n(lang, "seg.people", s.count as i64)}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
