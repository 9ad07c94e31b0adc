//! The month's quota: the page, and the dashboard's line about it.

use crate::api::quota::{quota_glance, quota_report, QuotaDto};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn QuotaPage() -> impl IntoView {
    let lang = use_lang();
    let quota = Resource::new(|| (), |_| quota_report());
    view! {
        <h1>{t(lang, "quota.title")}</h1>
        <p class="help page-intro">{t(lang, "quota.intro")}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match quota.await {
                    Ok(q) => view! { <QuotaView q/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn QuotaView(q: QuotaDto) -> impl IntoView {
    let lang = use_lang();
    let n = |k: &str, v: i64| t_n(lang, k, v);
    let width = q.percent.min(100);
    view! {
        {q.warning.map(|w| view! {
            <div class={if w >= 95 { "notice notice-error" } else { "notice" }} role="alert" data-testid="quota-warning">
                <p>{t_n(lang, if w >= 95 { "quota.warn_95" } else { "quota.warn_80" }, q.percent)}</p>
            </div>
        })}
        <section class="card" data-testid="quota">
            <h2>{t(lang, "quota.month").replace("{month}", &q.month)}" — "{t(lang, &format!("plan.{}", q.plan))}</h2>
            {q.ceiling.map(|c| view! {
                <div class="meter" role="meter" aria-valuemin="0" aria-valuemax=c.to_string() aria-valuenow=(q.used + q.reserved + q.outside).to_string()>
                    <div class="meter-fill" style=format!("width: {width}%")></div>
                </div>
            })}
            <dl class="facts">
                <dt>{t(lang, "quota.used")}</dt><dd data-testid="quota-used">{n("bc.n_messages", q.used)}</dd>
                <dt>{t(lang, "quota.reserved")}</dt><dd>{n("bc.n_messages", q.reserved)}</dd>
                <dt>{t(lang, "quota.outside")}</dt><dd>{n("bc.n_messages", q.outside)}</dd>
                {q.ceiling.map(|c| view! { <dt>{t(lang, "quota.ceiling")}</dt><dd>{n("bc.n_messages", c)}</dd> })}
                <dt>{t(lang, "quota.left")}</dt><dd data-testid="quota-left">{match q.left { Some(l) => n("bc.n_messages", l), None => t(lang, "quota.unlimited") }}</dd>
                <dt>{t(lang, "quota.op_reserve")}</dt><dd>{n("bc.n_messages", q.operational_reserve)}</dd>
            </dl>
            <p class="help">{t(lang, "quota.reconciled").replace("{at}", if q.reconciled_at.is_empty() { "—" } else { &q.reconciled_at })}</p>
        </section>
        <section class="card">
            <h2>{t(lang, "quota.forecast")}</h2>
            <dl class="facts">
                <dt>{t(lang, "quota.scheduled")}</dt><dd>{n("bc.n_messages", q.scheduled)}</dd>
                <dt>{t(lang, "quota.pace")}</dt><dd>{n("quota.per_day", q.per_day)}</dd>
                <dt>{t(lang, "quota.runs_out")}</dt><dd>{if q.runs_out_on.is_empty() { t(lang, "quota.not_this_month") } else { q.runs_out_on.clone() }}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>{t(lang, "quota.ledger")}</h2>
            {if q.entries.is_empty() {
                view! { <p class="empty-state">{t(lang, "quota.ledger_empty")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="table">
                        <thead><tr>
                            <th scope="col">{t(lang, "quota.at")}</th>
                            <th scope="col">{t(lang, "quota.kind")}</th>
                            <th scope="col" class="num">{t(lang, "quota.amount")}</th>
                        </tr></thead>
                        <tbody>
                            {q.entries.into_iter().map(|(at, kind, _, amount)| view! {
                                <tr><td>{at}</td><td>{t(lang, &format!("quota.kind_{kind}"))}</td><td class="num">{amount}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}

/// The dashboard's line about the month: a warning at 80 % and 95 %.
#[component]
pub fn QuotaGlance() -> impl IntoView {
    let lang = use_lang();
    let glance = Resource::new(|| (), |_| quota_glance());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match glance.await {
                    Ok((pct, warning, left)) => view! {
                        <section class={if warning.is_some() { "card card-warning" } else { "card" }} data-testid="quota-glance">
                            <h2>{t(lang, "quota.title")}</h2>
                            <p>{match warning {
                                Some(w) if w >= 95 => t_n(lang, "quota.warn_95", pct),
                                Some(_) => t_n(lang, "quota.warn_80", pct),
                                None => t_n(lang, "quota.share", pct),
                            }}</p>
                            {left.map(|l| view! { <p class="help">{t_n(lang, "quota.left_n", l)}</p> })}
                            <p><A href="/quota">{t(lang, "quota.open")}</A></p>
                        </section>
                    }.into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Suspense>
    }
}
