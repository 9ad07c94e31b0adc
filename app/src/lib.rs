//! The Yorisoi web application: pages, components and server functions,
//! rendered on the server and hydrated in the browser.

pub mod api;
mod components;
pub mod errors;
mod format;
pub mod i18n;
pub mod line_view;
mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document around the application (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = detect_lang();
    #[cfg(feature = "ssr")]
    ssr::send_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The language chosen by the `yorisoi_lang` cookie, read the same way on
/// the server and in the browser so hydration sees the same words.
pub fn detect_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_cookie_header)
            })
            .unwrap_or(Lang::Ja)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast;
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            .and_then(|d| d.cookie().ok())
            .map(|c| Lang::from_cookie_header(&c))
            .unwrap_or(Lang::Ja)
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::Ja
    }
}

/// The language of the page being rendered.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or(Lang::Ja)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(detect_lang());
    use pages::*;

    view! {
        <Stylesheet id="leptos" href="/pkg/yorisoi.css"/>
        <Title text="Yorisoi"/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/login/totp") view=TotpLoginPage/>
                <Route path=path!("/login/enrol") view=EnrolPage/>
                <Route path=path!("/invite/:token") view=InvitePage/>
                <Route path=path!("/book") view=LiffBookingPage/>
                <Route path=path!("/book/:token") view=BookingPage/>
                <ParentRoute path=path!("") view=components::shell::Shell ssr=SsrMode::Async>
                    <Route path=path!("") view=Dashboard/>
                    <Route path=path!("friends") view=FriendsPage/>
                    <Route path=path!("friends/import") view=ImportPage/>
                    <Route path=path!("friends/:id") view=FriendPage/>
                    <Route path=path!("sandbox") view=PhonePage/>
                    <Route path=path!("tags") view=TagsPage/>
                    <Route path=path!("segments") view=SegmentsPage/>
                    <Route path=path!("segments/:id") view=SegmentEditPage/>
                    <Route path=path!("automations") view=AutomationsPage/>
                    <Route path=path!("broadcasts") view=BroadcastsPage/>
                    <Route path=path!("broadcasts/new") view=ComposerPage/>
                    <Route path=path!("broadcasts/:id") view=BroadcastPage/>
                    <Route path=path!("quota") view=QuotaPage/>
                    <Route path=path!("sequences") view=SequencesPage/>
                    <Route path=path!("sequences/new") view=SequenceEditPage/>
                    <Route path=path!("sequences/:id") view=SequenceEditPage/>
                    <Route path=path!("appointments") view=AppointmentsPage/>
                    <Route path=path!("richmenus") view=|| view! { <ComingSoon area="nav.richmenus"/> }/>
                    <Route path=path!("staff-channels") view=|| view! { <ComingSoon area="nav.staff_channels"/> }/>
                    <Route path=path!("analytics") view=|| view! { <ComingSoon area="nav.analytics"/> }/>
                    <ParentRoute path=path!("settings") view=SettingsLayout>
                        <Route path=path!("") view=AccountSettings/>
                        <Route path=path!("staff") view=StaffSettings/>
                        <Route path=path!("audit") view=AuditSettings/>
                        <Route path=path!("security") view=SecuritySettings/>
                        <Route path=path!("line") view=ChannelSettingsPage/>
                        <Route path=path!("delivery") view=DeliverySettingsPage/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
