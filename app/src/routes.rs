//! The areas whose pages arrive in their own WebAssembly chunk.
//!
//! The login pages, the shell and the dashboard are in the first download;
//! every other area (and the patients' booking page, which a patient opens
//! without the console) is split out (`cargo leptos build --split`) and fetched
//! the first time it is opened, so the first visit stays small however many
//! designers the product grows. A page rendered on the server names its chunk
//! in the HTML, so hydration finds it already on its way.

use crate::pages::*;
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// A route whose page is its own chunk. The page loads its data itself
/// (resources inside the component); the server has already rendered it, so
/// only a navigation inside the app waits for chunk then data.
macro_rules! lazy_page {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_route: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_page! {
    FriendsRoute => FriendsPage,
    ImportRoute => ImportPage,
    FriendRoute => FriendPage,
    PhoneRoute => PhonePage,
    TagsRoute => TagsPage,
    SegmentsRoute => SegmentsPage,
    SegmentEditRoute => SegmentEditPage,
    AutomationsRoute => AutomationsPage,
    BroadcastsRoute => BroadcastsPage,
    ComposerRoute => ComposerPage,
    BroadcastRoute => BroadcastPage,
    QuotaRoute => QuotaPage,
    SequencesRoute => SequencesPage,
    SequenceEditRoute => SequenceEditPage,
    RichMenusRoute => RichMenusPage,
    RichMenuEditRoute => RichMenuEditPage,
    StaffChannelsRoute => StaffChannelsPage,
    StaffChannelRoute => StaffChannelPage,
    StaffChannelSettingsRoute => StaffChannelSettingsPage,
    AppointmentsRoute => AppointmentsPage,
    AccountSettingsRoute => AccountSettings,
    StaffSettingsRoute => StaffSettings,
    AuditSettingsRoute => AuditSettings,
    SecuritySettingsRoute => SecuritySettings,
    ChannelSettingsRoute => ChannelSettingsPage,
    DeliverySettingsRoute => DeliverySettingsPage,
    BookingRoute => BookingPage,
    LiffBookingRoute => LiffBookingPage,
    AnalyticsRoute => AnalyticsPage,
    RouteLandingRoute => RouteLandingPage,
}
