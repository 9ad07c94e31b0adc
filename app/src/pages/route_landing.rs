//! `/r/{code}`: an inflow route's page as a patient opens it from LINE.
//! LINE (LIFF's ID token, after `#id_token=`) says who they are; the server
//! records the visit, and their follow that follows is the route's.

use super::booking::id_token_in_address;
use crate::api::inflow_routes::{arrive_by_route, LandingDto};
use crate::components::{ErrorNotice, HydrationMark};
use crate::errors::AppError;
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RouteLandingPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let landed = RwSignal::new(None::<Result<LandingDto, AppError>>);
    let followed = RwSignal::new(false);
    Effect::new(move |_| {
        let code = params.read_untracked().get("code").unwrap_or_default();
        let id_token = id_token_in_address();
        leptos::task::spawn_local(async move {
            landed.set(Some(match id_token {
                Some(token) => arrive_by_route(code, token).await,
                None => Err(AppError::new("open_in_line")),
            }));
        });
    });
    let follow = Action::new(move |user: &String| crate::api::phone::phone_act(user.clone(), "follow".into()));
    Effect::new(move |_| {
        if let Some(Ok(())) = follow.value().get() {
            followed.set(true);
        }
    });
    view! {
        <main class="booking-page">
            {move || match landed.get() {
                None => view! { <p class="loading" role="status">{t(lang, "common.loading")}</p> }.into_any(),
                Some(Err(e)) => view! { <h1>{t(lang, "landing.title")}</h1><ErrorNotice error=e/> }.into_any(),
                Some(Ok(l)) => {
                    let user = l.user.clone();
                    view! {
                        <h1>{l.clinic_name.clone()}</h1>
                        {if l.already_friend {
                            view! { <p class="notice notice-ok" role="status">{t(lang, "landing.already")}</p> }.into_any()
                        } else {
                            view! {
                                <Show when=move || followed.get() fallback=move || {
                                    let user = user.clone();
                                    view! {
                                        <p>{t(lang, "landing.invite")}</p>
                                        <button type="button" class="button button-primary button-large"
                                            on:click=move |_| { follow.dispatch(user.clone()); }>{t(lang, "landing.add")}</button>
                                    }
                                }>
                                    <p class="notice notice-ok" role="status" data-testid="landing-done">{t(lang, "landing.done")}</p>
                                </Show>
                                {move || follow.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e/> })}
                            }.into_any()
                        }}
                    }.into_any()
                }
            }}
            <HydrationMark/>
        </main>
    }
}
