mod analytics;
mod appointments;
mod auth;
mod automations;
mod booking;
mod broadcasts;
mod dashboard;
mod friends;
mod import;
pub(crate) mod phone;
mod rich_menus;
mod route_landing;
mod segments;
mod sequences;
mod settings;
mod staff_channels;
mod tags;

pub use analytics::AnalyticsPage;
pub use appointments::*;
pub use auth::*;
pub use automations::*;
pub use booking::*;
pub use broadcasts::*;
pub use dashboard::Dashboard;
pub use friends::*;
pub use import::*;
pub use phone::*;
pub use rich_menus::{RichMenuEditPage, RichMenusPage};
pub use route_landing::RouteLandingPage;
pub use segments::*;
pub use sequences::*;
pub use settings::*;
pub use staff_channels::{StaffChannelPage, StaffChannelSettingsPage, StaffChannelsPage};
pub use tags::*;

use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

/// 職員連絡 waiting for my 確認しました: the first thing to see each
/// morning. Nothing is shown when there is none.
#[component]
pub(crate) fn PendingConfirmations() -> impl IntoView {
    use crate::api::staff_channels::my_pending_confirmations;
    use crate::i18n::t_n;
    let lang = use_lang();
    let pending = Resource::new(|| (), |_| my_pending_confirmations());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match pending.await {
                    Ok(list) if !list.is_empty() => view! {
                        <section class="card card-warning" data-testid="pending-confirmations">
                            <h2>{t_n(lang, "dash.pending_n", list.len() as i64)}</h2>
                            <ul>
                                {list.into_iter().map(|p| view! {
                                    <li><a href=format!("/staff-channels/{}", p.channel)>{p.channel_name}</a>
                                        " ・ "{p.at}<br/>{p.excerpt}</li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <h1>"404"</h1>
                <p>{t(lang, "error.not_found")}</p>
                <p><a href="/">{t(lang, "common.back_home")}</a></p>
            </div>
        </main>
    }
}
