//! 配信の履歴: every send of the clinic, newest first, with its progress.

use super::status_label;
use crate::api::broadcasts::{composer_options, list_broadcasts, BroadcastSummary};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use model::link::click_rate;

#[component]
pub fn BroadcastsPage() -> impl IntoView {
    let lang = use_lang();
    let list = Resource::new(|| (), |_| list_broadcasts());
    let options = Resource::new(|| (), |_| composer_options());
    view! {
        <h1>{t(lang, "bc.title")}</h1>
        <p class="help page-intro">{t(lang, "bc.intro")}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (list.await, options.await) {
                    (Ok(items), Ok(o)) => view! {
                        <div class="toolbar">
                            <A href="/quota" attr:class="button">{t(lang, "quota.title")}</A>
                            {o.can_send.then(|| view! { <A href="/broadcasts/new" attr:class="button button-primary">{t(lang, "bc.new")}</A> })}
                        </div>
                        <section class="card">
                            {if items.is_empty() {
                                view! { <p class="empty-state">{t(lang, "bc.empty")}</p> }.into_any()
                            } else {
                                view! { <HistoryTable items/> }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HistoryTable(items: Vec<BroadcastSummary>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="broadcasts-table">
                <thead><tr>
                    <th scope="col">{t(lang, "bc.col_title")}</th>
                    <th scope="col">{t(lang, "bc.col_status")}</th>
                    <th scope="col" class="num">{t(lang, "bc.col_delivered")}</th>
                    <th scope="col" class="num">{t(lang, "bc.col_failed")}</th>
                    <th scope="col" class="num">{t(lang, "report.rate")}</th>
                    <th scope="col">{t(lang, "bc.col_when")}</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|b| {
                        let when = if b.scheduled_at.is_empty() { b.created_at.clone() } else { b.scheduled_at.clone() };
                        view! {
                            <tr>
                                <td><A href=format!("/broadcasts/{}", b.id)>{b.title.clone()}</A></td>
                                <td><span class=format!("badge badge-status-{}", b.status.as_str())>{status_label(lang, b.status)}</span></td>
                                <td class="num">{format!("{} / {}", b.delivered, b.total)}</td>
                                <td class="num">{b.failed}</td>
                                <td class="num">{if b.clickers > 0 { click_rate(b.clickers, b.delivered) } else { "—".to_string() }}</td>
                                <td>{when}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
