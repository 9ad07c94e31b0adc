//! One send: its live progress, and pausing, resuming or stopping it.

use super::{percent, reason_text, status_label};
use crate::api::broadcasts::{act_on_broadcast, broadcast_progress, get_broadcast, BroadcastDetail, BroadcastSummary};
use crate::api::phone::PhoneItem;
use crate::components::{CsvDownload, ErrorNotice, Loading};
use crate::i18n::{t, t_n};
use crate::pages::phone::ChatItem;
use crate::{line_view, use_lang};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use model::broadcast::{Audience, BroadcastAct, BroadcastStatus};
use model::link::{click_rate, LinkFigures};

#[component]
pub fn BroadcastPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, get_broadcast);
    view! {
        <p><A href="/broadcasts">{t(lang, "bc.back")}</A></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <BroadcastView d/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BroadcastView(d: BroadcastDetail) -> impl IntoView {
    let lang = use_lang();
    let id = d.summary.id.clone();
    let current = RwSignal::new(d.summary.clone());
    // Asked again every second until the send is over (no reload needed).
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if !current.with_untracked(|c| c.status.is_final()) || current.with_untracked(|c| c.finished_at.is_empty()) {
                    tick.update(|n| *n += 1)
                }
            },
            std::time::Duration::from_millis(1000),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let progress_id = id.clone();
    let progress = LocalResource::new(move || {
        let n = tick.get();
        let id = progress_id.clone();
        async move {
            if n == 0 {
                None
            } else {
                Some(broadcast_progress(id).await)
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Some(Ok(s))) = progress.get() {
            current.set(s);
        }
    });
    let act = Action::new(move |a: &(String, BroadcastAct)| act_on_broadcast(a.0.clone(), a.1));
    Effect::new(move |_| {
        if act.version().get() > 0 {
            tick.update(|n| *n += 1);
        }
    });
    let confirming = RwSignal::new(false);
    let (bubbles, quick) = line_view::from_bundle(&d.bundle);
    let item = PhoneItem {
        at: String::new(),
        from_me: false,
        read: false,
        bubbles,
        quick,
    };
    let audience = match &d.audience {
        Audience::All => t(lang, "bc.aud_all"),
        Audience::Segment { .. } => format!("{}: {}", t(lang, "bc.aud_segment"), d.audience_names.join("、")),
        Audience::Tags { all, .. } => format!(
            "{}: {}",
            t(lang, if *all { "bc.tags_all" } else { "bc.tags_any" }),
            d.audience_names.join("、")
        ),
        Audience::Patients { numbers } => t_n(lang, "bc.aud_patients_n", numbers.len() as i64),
    };
    let can_send = d.can_send;
    let can_approve = d.can_approve;
    let (pid, rid, cid, aid) = (id.clone(), id.clone(), id.clone(), id);
    view! {
        <h1>{d.summary.title.clone()}</h1>
        <div class="composer-layout">
            <div>
                <section class="card" aria-labelledby="bc-progress">
                    <h2 id="bc-progress">{t(lang, "bc.progress")}</h2>
                    <p>
                        <span class=move || format!("badge badge-status-{}", current.with(|c| c.status.as_str())) data-testid="status">
                            {move || status_label(lang, current.with(|c| c.status))}
                        </span>
                    </p>
                    {move || {
                        let c = current.get();
                        let pct = percent(&c);
                        view! {
                            <div class="progress" role="progressbar" data-testid="progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()>
                                <div class="progress-fill" style=format!("width: {pct}%")></div>
                            </div>
                            <p data-testid="progress-text">{t(lang, "bc.progress_text").replace("{done}", &c.delivered.to_string()).replace("{total}", &c.total.to_string()).replace("{pct}", &pct.to_string())}</p>
                            {(c.failed > 0).then(|| view! { <p class="notice notice-error">{t_n(lang, "bc.failed_n", c.failed)}</p> })}
                            {(c.capped > 0).then(|| view! { <p class="help">{t_n(lang, "bc.capped_n", c.capped)}</p> })}
                            {(!c.reason.is_empty()).then(|| view! { <p class="notice" role="status" data-testid="reason">{reason_text(lang, &c)}</p> })}
                        }
                        .into_any()
                    }}
                    <dl class="facts">
                        <dt>{t(lang, "bc.audience")}</dt><dd>{audience}</dd>
                        <dt>{t(lang, "bc.purpose")}</dt><dd>{t(lang, &format!("bc.purpose_{}", d.summary.purpose.as_str()))}</dd>
                        <dt>{t(lang, "bc.col_when")}</dt><dd>{if d.summary.scheduled_at.is_empty() { d.summary.created_at.clone() } else { d.summary.scheduled_at.clone() }}</dd>
                        {(d.summary.ad_flags > 0).then(|| view! { <dt>{t(lang, "bc.ad_title")}</dt><dd>{t_n(lang, "bc.ad_flags_n", d.summary.ad_flags)}</dd> })}
                    </dl>
                    {can_send.then(|| view! {
                        <div class="toolbar toolbar-start">
                            {move || {
                                let s = current.with(|c| c.status);
                                let (pid, rid, aid) = (pid.clone(), rid.clone(), aid.clone());
                                view! {
                                    {(s == BroadcastStatus::Sending || s == BroadcastStatus::Held).then(|| view! {
                                        <button type="button" class="button" on:click=move |_| { act.dispatch((pid.clone(), BroadcastAct::Pause)); }>{t(lang, "bc.pause")}</button>
                                    })}
                                    {(s == BroadcastStatus::Paused).then(|| view! {
                                        <button type="button" class="button button-primary" on:click=move |_| { act.dispatch((rid.clone(), BroadcastAct::Resume)); }>{t(lang, "bc.resume")}</button>
                                    })}
                                    {(s == BroadcastStatus::AwaitingApproval && can_approve).then(|| view! {
                                        <button type="button" class="button button-primary" on:click=move |_| { act.dispatch((aid.clone(), BroadcastAct::Approve)); }>{t(lang, "bc.approve")}</button>
                                    })}
                                    {(!s.is_final()).then(|| view! {
                                        <button type="button" class="button button-danger" on:click=move |_| confirming.set(true)>{t(lang, "bc.cancel")}</button>
                                    })}
                                }
                                .into_any()
                            }}
                        </div>
                        <Show when=move || confirming.get()>
                            <div class="confirm" role="alertdialog" aria-labelledby="bc-cancel-text">
                                <p id="bc-cancel-text">{t(lang, "bc.cancel_confirm")}</p>
                                <button type="button" class="button button-danger" on:click={
                                    let cid = cid.clone();
                                    move |_| { confirming.set(false); act.dispatch((cid.clone(), BroadcastAct::Cancel)); }
                                }>{t(lang, "bc.cancel_yes")}</button>
                                " "
                                <button type="button" class="button" on:click=move |_| confirming.set(false)>{t(lang, "common.cancel")}</button>
                            </div>
                        </Show>
                        {move || act.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
                    }.into_any())}
                </section>
                <BroadcastReport current links=d.links.clone() title=d.summary.title.clone() opens=(d.opens_asked, d.opened)/>
            </div>
            <aside class="composer-side">
                <section class="card phone-preview">
                    <h2>{t(lang, "bc.preview")}</h2>
                    <div class="phone-screen"><ChatItem item on_tap=Callback::new(|_: serde_json::Value| ())/></div>
                </section>
            </aside>
        </div>
    }
    .into_any()
}

/// What the send did: who it reached, who clicked (our own tracked links:
/// exact, however few), and each link's clicks.
#[component]
fn BroadcastReport(
    current: RwSignal<BroadcastSummary>,
    links: Vec<LinkFigures>,
    title: String,
    /// LINE asked yet, and the people it says opened it (`None` under 20).
    opens: (bool, Option<i64>),
) -> impl IntoView {
    let lang = use_lang();
    let delivered = current.with_untracked(|c| c.delivered);
    let csv = {
        let mut rows = vec![vec![
            t(lang, "report.col_link"),
            t(lang, "report.col_clicks"),
            t(lang, "report.col_clickers"),
            t(lang, "report.col_rate"),
        ]];
        rows.extend(links.iter().map(|l| {
            vec![
                l.url.clone(),
                l.clicks.to_string(),
                l.clickers.to_string(),
                click_rate(l.clickers, delivered),
            ]
        }));
        rows
    };
    view! {
        <section class="card" aria-labelledby="bc-report">
            <h2 id="bc-report">{t(lang, "report.title")}</h2>
            <dl class="facts">
                <dt>{t(lang, "report.reached")}</dt><dd data-testid="reached">{move || current.with(|c| c.delivered)}</dd>
                <dt>{t(lang, "report.opened")}</dt>
                <dd data-testid="opened">{match opens {
                    (false, _) => t(lang, "report.opened_later"),
                    (true, None) => t(lang, "report.under_20"),
                    (true, Some(n)) => t_n(lang, "report.people_n", n),
                }}</dd>
                <dt>{t(lang, "report.clickers")}</dt><dd data-testid="clickers">{move || current.with(|c| c.clickers)}</dd>
                <dt>{t(lang, "report.rate")}</dt>
                <dd data-testid="click-rate">{move || current.with(|c| {
                    let r = click_rate(c.clickers, c.delivered);
                    if r.is_empty() { "—".to_string() } else { r }
                })}</dd>
            </dl>
            {if links.is_empty() {
                view! { <p class="help">{t(lang, "report.no_links")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="link-table">
                            <thead><tr>
                                <th scope="col">{t(lang, "report.col_link")}</th>
                                <th scope="col" class="num">{t(lang, "report.col_clicks")}</th>
                                <th scope="col" class="num">{t(lang, "report.col_clickers")}</th>
                                <th scope="col" class="num">{t(lang, "report.col_rate")}</th>
                            </tr></thead>
                            <tbody>
                                {links.into_iter().map(|l| view! {
                                    <tr>
                                        <td class="cell-url"><a href=l.url.clone() target="_blank" rel="noopener noreferrer">{l.url.clone()}</a></td>
                                        <td class="num">{l.clicks}</td>
                                        <td class="num">{l.clickers}</td>
                                        <td class="num">{click_rate(l.clickers, delivered)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <p class="help">{t(lang, "report.links_help")}</p>
                    <div class="toolbar toolbar-start"><CsvDownload name=format!("{title}-links") rows=csv/></div>
                }.into_any()
            }}
        </section>
    }
}
