//! The Yorisoi web application: pages, components and server functions,
//! rendered on the server and hydrated in the browser.
// The larger pages (the sequence editor) nest deeper view types than the
// compiler's default limit when it lays out their hydration.
#![recursion_limit = "256"]

pub mod api;
mod components;
pub mod errors;
mod format;
pub mod i18n;
pub mod line_view;
mod pages;
mod routes;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

/// The HTML document around the application (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = detect_lang();
    #[cfg(feature = "ssr")]
    ssr::use_page_nonce();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
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
    use routes::*;

    view! {
        <Title text="Yorisoi"/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/login/totp") view=TotpLoginPage/>
                <Route path=path!("/login/enrol") view=EnrolPage/>
                <Route path=path!("/invite/:token") view=InvitePage/>
                <Route path=path!("/book") view={Lazy::<LiffBookingRoute>::new()}/>
                <Route path=path!("/book/:token") view={Lazy::<BookingRoute>::new()}/>
                <Route path=path!("/r/:code") view={Lazy::<RouteLandingRoute>::new()}/>
                <ParentRoute path=path!("") view=components::shell::Shell ssr=SsrMode::Async>
                    <Route path=path!("") view=Dashboard/>
                    <Route path=path!("friends") view={Lazy::<FriendsRoute>::new()}/>
                    <Route path=path!("friends/import") view={Lazy::<ImportRoute>::new()}/>
                    <Route path=path!("friends/:id") view={Lazy::<FriendRoute>::new()}/>
                    <Route path=path!("sandbox") view={Lazy::<PhoneRoute>::new()}/>
                    <Route path=path!("tags") view={Lazy::<TagsRoute>::new()}/>
                    <Route path=path!("segments") view={Lazy::<SegmentsRoute>::new()}/>
                    <Route path=path!("segments/:id") view={Lazy::<SegmentEditRoute>::new()}/>
                    <Route path=path!("automations") view={Lazy::<AutomationsRoute>::new()}/>
                    <Route path=path!("broadcasts") view={Lazy::<BroadcastsRoute>::new()}/>
                    <Route path=path!("broadcasts/new") view={Lazy::<ComposerRoute>::new()}/>
                    <Route path=path!("broadcasts/:id") view={Lazy::<BroadcastRoute>::new()}/>
                    <Route path=path!("quota") view={Lazy::<QuotaRoute>::new()}/>
                    <Route path=path!("sequences") view={Lazy::<SequencesRoute>::new()}/>
                    <Route path=path!("sequences/new") view={Lazy::<SequenceEditRoute>::new()}/>
                    <Route path=path!("sequences/:id") view={Lazy::<SequenceEditRoute>::new()}/>
                    <Route path=path!("appointments") view={Lazy::<AppointmentsRoute>::new()}/>
                    <Route path=path!("richmenus") view={Lazy::<RichMenusRoute>::new()}/>
                    <Route path=path!("richmenus/new") view={Lazy::<RichMenuEditRoute>::new()}/>
                    <Route path=path!("richmenus/:id") view={Lazy::<RichMenuEditRoute>::new()}/>
                    <Route path=path!("staff-channels") view={Lazy::<StaffChannelsRoute>::new()}/>
                    <Route path=path!("staff-channels/new") view={Lazy::<StaffChannelSettingsRoute>::new()}/>
                    <Route path=path!("staff-channels/:id") view={Lazy::<StaffChannelRoute>::new()}/>
                    <Route path=path!("staff-channels/:id/settings") view={Lazy::<StaffChannelSettingsRoute>::new()}/>
                    <Route path=path!("analytics") view={Lazy::<AnalyticsRoute>::new()}/>
                    <ParentRoute path=path!("settings") view=SettingsLayout>
                        <Route path=path!("") view={Lazy::<AccountSettingsRoute>::new()}/>
                        <Route path=path!("staff") view={Lazy::<StaffSettingsRoute>::new()}/>
                        <Route path=path!("audit") view={Lazy::<AuditSettingsRoute>::new()}/>
                        <Route path=path!("security") view={Lazy::<SecuritySettingsRoute>::new()}/>
                        <Route path=path!("line") view={Lazy::<ChannelSettingsRoute>::new()}/>
                        <Route path=path!("delivery") view={Lazy::<DeliverySettingsRoute>::new()}/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
