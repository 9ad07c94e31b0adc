//! The frame around every signed-in page: header, clinic switcher,
//! navigation for every area, and the signed-in check.

use crate::api::auth::{get_me, Logout, Me, SwitchClinic};
use crate::components::{reload_at, ErrorNotice, HydrationMark, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_location;
use model::{Permission, Role};

/// Every area of the product, in the order staff think of them.
pub const AREAS: &[(&str, &str)] = &[
    ("/", "nav.dashboard"),
    ("/friends", "nav.friends"),
    ("/appointments", "nav.appointments"),
    ("/tags", "nav.tags"),
    ("/segments", "nav.segments"),
    ("/automations", "nav.automations"),
    ("/broadcasts", "nav.broadcasts"),
    ("/quota", "nav.quota"),
    ("/sequences", "nav.sequences"),
    ("/richmenus", "nav.richmenus"),
    ("/staff-channels", "nav.staff_channels"),
    ("/analytics", "nav.analytics"),
    ("/settings", "nav.settings"),
];

/// Whether the page at `path` belongs to the area at `href`: the dashboard
/// only at "/", any other area at its own address and everything under it.
fn in_area(path: &str, href: &str) -> bool {
    match href {
        "/" => path == "/",
        _ => path.strip_prefix(href).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
    }
}

pub fn role_label(role: Role) -> String {
    t(use_lang(), &format!("role.{}", role.as_str()))
}

/// The signed-in member, loaded once by the shell for every page in it.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, crate::errors::AppError>>);

/// Renders `f` with the signed-in member once known. Each part of a page that
/// needs the member waits in a Suspense of its own: the shell never wraps the
/// routed page in one (a Suspense around the `<Outlet/>` with Suspenses in the
/// pages made hydration fail now and then, cf. leptos-rs/leptos#3707).
pub fn me_view<F>(f: F) -> impl IntoView
where
    F: Fn(Me) -> AnyView + Send + Sync + Clone + 'static,
{
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense fallback=Loading>
            {move || {
                let f = f.clone();
                Suspend::new(async move {
                    match me.await {
                        Ok(Some(m)) => f(m),
                        _ => ().into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn Shell() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    provide_context(MeResource(me));
    let lang = use_lang();
    let path = use_location().pathname;
    view! {
        <a class="skip-link" href="#main">{t(lang, "shell.skip")}</a>
        <Suspense fallback=|| view! { <header class="topbar"><Loading/></header> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <TopBar me=me/> }.into_any(),
                    Ok(None) => {
                        // On the server this is a real 302, so even a page
                        // loaded without JavaScript goes to the login.
                        #[cfg(feature = "ssr")]
                        leptos_axum::redirect("/login");
                        view! { <Redirect path="/login"/> }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <div class="layout">
            <nav class="sidenav" aria-label=t(lang, "nav.main")>
                <ul>
                    // Plain links marked by one watch of the address: thirteen
                    // <A>s each kept watches of their own on every page.
                    {AREAS.iter().map(|(href, key)| view! {
                        <li><a href=*href aria-current=move || path.with(|p| in_area(p, href)).then_some("page")>{t(lang, key)}</a></li>
                    }).collect_view()}
                    {me_view(move |me| {
                        (me.sandbox && me.role.can(Permission::HandlePatients))
                            .then(|| view! { <li class="nav-sandbox"><a href="/sandbox" aria-current=move || path.with(|p| in_area(p, "/sandbox")).then_some("page")>{t(lang, "nav.sandbox")}</a></li> })
                            .into_any()
                    })}
                </ul>
            </nav>
            <main id="main" class="content" tabindex="-1">
                <Outlet/>
                <HydrationMark/>
            </main>
        </div>
    }
}

#[component]
fn TopBar(me: Me) -> impl IntoView {
    let lang = use_lang();
    let logout = ServerAction::<Logout>::new();
    let switch = ServerAction::<SwitchClinic>::new();
    Effect::new(move |_| {
        if matches!(switch.value().get(), Some(Ok(()))) {
            reload_at("/");
        }
    });
    let location = use_location();
    let lang_href = move || format!("/lang/{}?next={}", lang.other().code(), location.pathname.get());
    let several = me.clinics.len() > 1;
    let current = me.clinic_id.clone();
    let clinics = me.clinics.clone();
    let role = role_label(me.role);
    let sandbox = me.sandbox;

    view! {
        <header class="topbar">
            <a class="brand" href="/">{t(lang, "app.name")}</a>
            <div class="clinic" data-testid="clinic-name">
                <span class="clinic-label">{t(lang, "shell.clinic")}</span>
                {if several {
                    view! {
                        <ActionForm action=switch attr:class="clinic-switch">
                            <label class="visually-hidden" for="clinic-select">{t(lang, "shell.clinic")}</label>
                            <select id="clinic-select" name="clinic">
                                {clinics.into_iter().map(|c| {
                                    let selected = c.id == current;
                                    view! { <option value=c.id selected=selected>{c.name}</option> }
                                }).collect_view()}
                            </select>
                            <button type="submit" class="button button-small">{t(lang, "shell.switch_clinic")}</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <strong>{me.clinic_name.clone()}</strong> }.into_any()
                }}
            </div>
            <div class="topbar-right">
                <span class="who" data-testid="who">{me.display_name.clone()}" "<span class="badge">{role}</span></span>
                <a class="lang-switch" href=lang_href rel="external">{t(lang, "lang.switch")}</a>
                <ActionForm action=logout>
                    <button type="submit" class="button button-quiet">{t(lang, "shell.logout")}</button>
                </ActionForm>
            </div>
        </header>
        {sandbox.then(|| view! { <div class="sandbox-banner" role="note">{t(lang, "shell.sandbox_banner")}</div> })}
    }
}

#[cfg(test)]
mod tests {
    use super::in_area;

    #[test]
    fn an_area_is_marked_on_its_pages_only() {
        assert!(in_area("/", "/"));
        assert!(!in_area("/friends", "/"));
        assert!(in_area("/friends", "/friends"));
        assert!(in_area("/friends/abc", "/friends"));
        assert!(!in_area("/friendship", "/friends"));
        assert!(in_area("/settings/staff", "/settings"));
        assert!(!in_area("/", "/settings"));
    }
}
