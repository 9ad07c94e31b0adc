//! 設定: one's own account, staff management, the audit log, security
//! policy, the LINE channel and delivery settings, each its own route.

mod account;
mod audit;
mod channel;
mod delivery;
mod security;
mod staff;

pub use account::{AccountSettings, TotpEnrol};
pub use audit::AuditSettings;
pub use channel::ChannelSettingsPage;
pub use delivery::DeliverySettingsPage;
pub use security::SecuritySettings;
pub use staff::StaffSettings;

use crate::components::shell::me_view;
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use model::Permission;

#[component]
pub fn SettingsLayout() -> impl IntoView {
    let lang = use_lang();
    view! {
        <h1>{t(lang, "settings.title")}</h1>
        <nav class="tabs" aria-label=t(lang, "settings.title")>
            <A href="/settings" exact=true>{t(lang, "settings.account")}</A>
            {me_view(move |me| {
                let can = |p| me.role.can(p);
                view! {
                    {can(Permission::ManageStaff).then(|| view! {
                        <A href="/settings/staff">{t(lang, "settings.staff")}</A>
                        <A href="/settings/audit">{t(lang, "settings.audit")}</A>
                    })}
                    {can(Permission::ManageClinic).then(|| view! {
                        <A href="/settings/line">{t(lang, "settings.line")}</A>
                        <A href="/settings/delivery">{t(lang, "settings.delivery")}</A>
                    })}
                    {can(Permission::ManageSecurityPolicy).then(|| view! { <A href="/settings/security">{t(lang, "settings.security")}</A> })}
                }.into_any()
            })}
        </nav>
        <Outlet/>
    }
}
