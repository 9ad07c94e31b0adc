//! The audit log: who did what, when.

use crate::api::audit::list_audit;
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

#[component]
pub fn AuditSettings() -> impl IntoView {
    let lang = use_lang();
    let kind = RwSignal::new(String::new());
    let before = RwSignal::new(None::<i64>);
    let rows = Resource::new(move || (kind.get(), before.get()), |(k, b)| list_audit(k, b));
    let kinds = [
        ("", "audit.all"),
        ("login.", "audit.logins"),
        ("staff.", "audit.staff"),
        ("settings.", "audit.settings"),
    ];
    view! {
        <section class="card">
            <h2>{t(lang, "audit.title")}</h2>
            <p class="help">{t(lang, "audit.chain")}</p>
            <label for="audit-kind">{t(lang, "audit.filter")}</label>
            <select id="audit-kind" on:change=move |ev| { kind.set(event_target_value(&ev)); before.set(None); }>
                {kinds.into_iter().map(|(v, k)| view! { <option value=v>{t(lang, k)}</option> }).collect_view()}
            </select>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty-state">{t(lang, "audit.empty")}</p> }.into_any(),
                        Ok(list) => {
                            let oldest = list.last().map(|r| r.seq);
                            let full = list.len() == 50;
                            view! {
                                <div class="table-wrap">
                                <table class="table" data-testid="audit-table">
                                    <thead><tr>
                                        <th scope="col">{t(lang, "audit.at")}</th>
                                        <th scope="col">{t(lang, "audit.actor")}</th>
                                        <th scope="col">{t(lang, "audit.action")}</th>
                                        <th scope="col">{t(lang, "audit.target")}</th>
                                        <th scope="col">{t(lang, "audit.detail")}</th>
                                        <th scope="col">{t(lang, "audit.ip")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|r| view! {
                                            <tr><td>{r.at}</td><td>{r.actor}</td><td><code>{r.action}</code></td><td>{r.target}</td><td>{r.detail}</td><td>{r.ip}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                                {full.then(|| view! {
                                    <button type="button" class="button" on:click=move |_| before.set(oldest)>{t(lang, "audit.more")}</button>
                                })}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
