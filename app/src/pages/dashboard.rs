//! ダッシュボード: the clinic's month at a glance, the first screen each
//! morning. Each tile links to its page; every figure is counted when the
//! page opens.

use super::broadcasts::{status_label, QuotaGlance};
use super::PendingConfirmations;
use crate::api::dashboard::{dashboard_figures, DashboardDto, FriendDayDto};
use crate::components::shell::{me_view, role_label};
use crate::components::{ErrorNotice, Loading};
use crate::i18n::{t, t_n, Lang};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use model::link::click_rate;

#[component]
pub fn Dashboard() -> impl IntoView {
    let lang = use_lang();
    let figures = Resource::new(|| (), |_| dashboard_figures());
    let welcome = me_view(move |me| {
        view! {
            <h1>{t(lang, "dash.title")}</h1>
            <p class="page-intro">
                {t(lang, "dash.welcome").replace("{name}", &me.display_name)}" ・ "{me.clinic_name.clone()}" ・ "
                {t(lang, "dash.role")}": "<span data-testid="role">{role_label(me.role)}</span>
            </p>
        }
        .into_any()
    });
    // The quota's Suspense beside the page's, never inside it (leptos-rs/leptos#3707).
    view! {
        {welcome}
        <PendingConfirmations/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match figures.await {
                    Ok(d) => view! { <Tiles d/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <QuotaGlance/>
    }
}

#[component]
fn Tiles(d: DashboardDto) -> impl IntoView {
    let lang = use_lang();
    let month = match lang {
        Lang::Ja => format!("{}年{}月", d.year, d.month),
        Lang::En => format!("{}-{:02}", d.year, d.month),
    };
    view! {
        <div class="dash-grid">
            <section class="card dash-tile dash-wide" data-testid="tile-friends">
                <h2>{t(lang, "dash.friends").replace("{month}", &month)}</h2>
                <dl class="dash-figures">
                    <div><dt>{t(lang, "dash.followed")}</dt><dd data-testid="friends-followed">{d.followed}</dd></div>
                    <div><dt>{t(lang, "dash.unblocked")}</dt><dd>{d.unblocked}</dd></div>
                    <div><dt>{t(lang, "dash.blocked")}</dt><dd data-testid="friends-blocked">{d.blocked}</dd></div>
                    <div><dt>{t(lang, "dash.net")}</dt><dd data-testid="friends-net">{signed(d.net)}</dd></div>
                    <div><dt>{t(lang, "dash.following")}</dt><dd data-testid="friends-following">{d.following}</dd></div>
                </dl>
                <FriendChart days=d.days.clone() lang/>
                <p><A href="/friends">{t(lang, "dash.to_friends")}</A></p>
            </section>
            <section class="card dash-tile dash-wide" data-testid="tile-sends">
                <h2>{t(lang, "dash.sends")}</h2>
                {if d.recent_sends.is_empty() {
                    view! { <p class="empty-state">{t(lang, "dash.no_sends")}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">{t(lang, "bc.col_title")}</th>
                                    <th scope="col">{t(lang, "bc.col_status")}</th>
                                    <th scope="col" class="num">{t(lang, "report.reached")}</th>
                                    <th scope="col" class="num">{t(lang, "report.clickers")}</th>
                                    <th scope="col" class="num">{t(lang, "report.rate")}</th>
                                </tr></thead>
                                <tbody>
                                    {d.recent_sends.into_iter().map(|b| view! {
                                        <tr>
                                            <td><A href=format!("/broadcasts/{}", b.id)>{b.title.clone()}</A></td>
                                            <td><span class=format!("badge badge-status-{}", b.status.as_str())>{status_label(lang, b.status)}</span></td>
                                            <td class="num">{b.delivered}</td>
                                            <td class="num" data-testid="send-clickers">{b.clickers}</td>
                                            <td class="num">{if b.delivered > 0 { click_rate(b.clickers, b.delivered) } else { "—".to_string() }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
                <p><A href="/broadcasts">{t(lang, "dash.to_sends")}</A></p>
            </section>
            <section class="card dash-tile" data-testid="tile-sequences">
                <h2>{t(lang, "dash.sequences")}</h2>
                <dl class="dash-figures">
                    <div><dt>{t(lang, "dash.enrolled")}</dt><dd>{d.enrolled}</dd></div>
                    <div><dt>{t(lang, "dash.steps_today")}</dt><dd data-testid="steps-today">{d.steps_sent_today}</dd></div>
                </dl>
                <p><A href="/sequences">{t(lang, "dash.to_sequences")}</A></p>
            </section>
            <section class={if d.awaiting_approval > 0 { "card dash-tile card-warning" } else { "card dash-tile" }} data-testid="tile-approval">
                <h2>{t(lang, "dash.approval")}</h2>
                <p class="dash-big">{t_n(lang, "dash.approval_n", d.awaiting_approval)}</p>
                <p><A href="/broadcasts">{t(lang, "dash.to_sends")}</A></p>
            </section>
            <section class={if d.failed_runs > 0 { "card dash-tile card-warning" } else { "card dash-tile" }} data-testid="tile-automations">
                <h2>{t(lang, "dash.automations")}</h2>
                <p class="dash-big">{t_n(lang, "dash.failed_n", d.failed_runs)}</p>
                <p><A href="/automations">{t(lang, "dash.to_automations")}</A></p>
            </section>
        </div>
    }
    .into_any()
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// Friends gained (up, green) and blocked (down, red) each day, drawn as
/// SVG by the page; the words say the same for a screen reader.
#[component]
fn FriendChart(days: Vec<FriendDayDto>, lang: Lang) -> impl IntoView {
    const BAR: f64 = 10.0;
    const HALF: f64 = 40.0;
    let top = days.iter().map(|d| d.gained.max(d.blocked)).max().unwrap_or(0).max(1) as f64;
    let width = (days.len().max(1) as f64) * BAR;
    let label = days
        .iter()
        .filter(|d| d.gained > 0 || d.blocked > 0)
        .map(|d| {
            t(lang, "dash.chart_day")
                .replace("{day}", &d.day.to_string())
                .replace("{gained}", &d.gained.to_string())
                .replace("{blocked}", &d.blocked.to_string())
        })
        .collect::<Vec<_>>()
        .join("、");
    let label = if label.is_empty() { t(lang, "dash.chart_none") } else { label };
    view! {
        <svg class="dash-chart" viewBox=format!("0 0 {width} {}", HALF * 2.0 + 12.0) role="img" aria-label=label>
            <line x1="0" x2=width.to_string() y1=HALF.to_string() y2=HALF.to_string() class="dash-axis"/>
            {days.iter().enumerate().map(|(i, d)| {
                let x = i as f64 * BAR + 1.5;
                let up = d.gained as f64 / top * (HALF - 2.0);
                let down = d.blocked as f64 / top * (HALF - 2.0);
                view! {
                    <rect class="dash-bar-up" x=x.to_string() width=(BAR - 3.0).to_string() y=(HALF - up).to_string() height=up.to_string()/>
                    <rect class="dash-bar-down" x=x.to_string() width=(BAR - 3.0).to_string() y=HALF.to_string() height=down.to_string()/>
                    {(d.day == 1 || d.day % 5 == 0).then(|| view! {
                        <text class="dash-tick" x=(x + 3.5).to_string() y=(HALF * 2.0 + 10.0).to_string() text-anchor="middle">{d.day}</text>
                    })}
                }
            }).collect_view()}
        </svg>
        <p class="help">{t(lang, "dash.chart_legend")}</p>
    }
}
