//! 分析: where friends come from (流入経路) — each route's URL and QR code
//! for posters and leaflets, and the friends it brought.

use crate::api::inflow_routes::{create_inflow_route, list_inflow_routes, RouteDto};
use crate::components::{ActionError, CsvDownload, ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let lang = use_lang();
    let version = RwSignal::new(0u32);
    let routes = Resource::new(move || version.get(), |_| list_inflow_routes());
    view! {
        <h1>{t(lang, "nav.analytics")}</h1>
        <p class="help page-intro">{t(lang, "an.intro")}</p>
        <section class="card" aria-labelledby="routes-title">
            <h2 id="routes-title">{t(lang, "route.title")}</h2>
            <p class="help">{t(lang, "route.intro")}</p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match routes.await {
                        Ok(d) => view! {
                            {d.can_edit.then(|| view! { <NewRoute version/> })}
                            {if d.routes.is_empty() {
                                view! { <p class="empty-state">{t(lang, "route.empty")}</p> }.into_any()
                            } else {
                                view! { <RouteTable routes=d.routes/> }.into_any()
                            }}
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A new route by name; the name typed stays when the server refuses it.
#[component]
fn NewRoute(version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let name = RwSignal::new(String::new());
    let create = Action::new(move |n: &String| create_inflow_route(n.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            version.update(|v| *v += 1);
        }
    });
    view! {
        <form class="form-inline" on:submit=move |ev| {
            ev.prevent_default();
            create.dispatch(name.get_untracked());
        }>
            <label for="route-name">{t(lang, "route.name")}</label>
            <input id="route-name" maxlength="40" required placeholder=t(lang, "route.name_placeholder")
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <button type="submit" class="button button-primary" disabled=move || create.pending().get()>{t(lang, "route.create")}</button>
        </form>
        <ActionError value=create.value()/>
    }
}

#[component]
fn RouteTable(routes: Vec<RouteDto>) -> impl IntoView {
    let lang = use_lang();
    let mut csv = vec![vec![
        t(lang, "route.name"),
        "URL".to_string(),
        t(lang, "route.friends"),
        t(lang, "route.blocked"),
        t(lang, "route.retention"),
    ]];
    csv.extend(routes.iter().map(|r| {
        vec![
            r.name.clone(),
            r.url.clone(),
            r.friends.to_string(),
            r.blocked.to_string(),
            r.retention.map(|p| format!("{p}%")).unwrap_or_default(),
        ]
    }));
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="routes-table">
                <thead><tr>
                    <th scope="col">{t(lang, "route.name")}</th>
                    <th scope="col">"URL"</th>
                    <th scope="col">{t(lang, "route.qr")}</th>
                    <th scope="col" class="num">{t(lang, "route.friends")}</th>
                    <th scope="col" class="num">{t(lang, "route.blocked")}</th>
                    <th scope="col" class="num">{t(lang, "route.retention")}</th>
                    <th scope="col">{t(lang, "route.greeting")}</th>
                </tr></thead>
                <tbody>
                    {routes.into_iter().map(|r| {
                        let svg = format!("/analytics/routes/{}/qr.svg", r.id);
                        let png = format!("/analytics/routes/{}/qr.png", r.id);
                        view! {
                            <tr>
                                <th scope="row">{r.name.clone()}</th>
                                <td class="cell-url"><code>{r.url.clone()}</code></td>
                                <td class="nowrap">
                                    <a href=svg.clone() download=format!("{}.svg", r.name) rel="external">"SVG"</a>" ・ "
                                    <a href=png download=format!("{}.png", r.name) rel="external">"PNG"</a>
                                </td>
                                <td class="num" data-testid="route-friends">{r.friends}</td>
                                <td class="num">{r.blocked}</td>
                                <td class="num">{match r.retention {
                                    Some(p) => format!("{p}%"),
                                    None => t(lang, "route.under_20"),
                                }}</td>
                                <td>
                                    {if r.greeting_on { t(lang, "route.greeting_on") } else { t(lang, "route.greeting_off") }}
                                    " "<A href="/automations">{t(lang, "route.edit_greeting")}</A>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="help">{t(lang, "route.rates_help")}</p>
        <div class="toolbar toolbar-start"><CsvDownload name="inflow-routes" rows=csv/></div>
    }
}
