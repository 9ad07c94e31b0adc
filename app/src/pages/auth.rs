//! Pages before one is signed in: login, the TOTP step, enrolment when the
//! organization requires it, and accepting an invitation.

use crate::api::auth::{invitation_info, AcceptInvitation, InviteInfo, Login, LoginTotp};
use crate::components::{reload_at, ActionError, ErrorNotice, HydrationMark, Loading, NewPasswordFields};
use crate::i18n::t;
use crate::pages::settings::TotpEnrol;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
fn AuthCard(title: String, children: Children) -> impl IntoView {
    let lang = use_lang();
    let other = lang.other();
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <p class="brand">{t(lang, "app.name")}</p>
                <p class="tagline">{t(lang, "app.tagline")}</p>
                <h1>{title}</h1>
                {children()}
                <HydrationMark/>
                <p class="auth-lang"><a href=format!("/lang/{}?next=/login", other.code()) rel="external">{t(lang, "lang.switch")}</a></p>
            </div>
        </main>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let login = ServerAction::<Login>::new();
    let invited = move || use_query_map().read().get("invited").is_some();
    let pending = login.pending();
    view! {
        <AuthCard title=t(lang, "login.title")>
            <Show when=invited>
                <p class="notice notice-ok" role="status">{t(lang, "invite.done")}</p>
            </Show>
            <ActionForm action=login attr:class="form">
                <label for="email">{t(lang, "login.email")}</label>
                <input id="email" name="email" type="email" autocomplete="username" required/>
                <label for="password">{t(lang, "login.password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit" class="button button-primary" disabled=pending>
                    {move || if pending.get() { t(lang, "login.submitting") } else { t(lang, "login.submit") }}
                </button>
            </ActionForm>
            <ActionError value=login.value()/>
        </AuthCard>
    }
}

#[component]
pub fn TotpLoginPage() -> impl IntoView {
    let lang = use_lang();
    let verify = ServerAction::<LoginTotp>::new();
    view! {
        <AuthCard title=t(lang, "login.totp_title")>
            <p>{t(lang, "login.totp_help")}</p>
            <ActionForm action=verify attr:class="form">
                <label for="code">{t(lang, "login.totp_code")}</label>
                <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required/>
                <button type="submit" class="button button-primary">{t(lang, "login.totp_submit")}</button>
            </ActionForm>
            <ActionError value=verify.value()/>
            <p><a href="/login">{t(lang, "login.back")}</a></p>
        </AuthCard>
    }
}

#[component]
pub fn EnrolPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <AuthCard title=t(lang, "login.enrol_title")>
            <p>{t(lang, "login.enrol_help")}</p>
            <TotpEnrol on_done=Callback::new(|_| reload_at("/"))/>
            <p><a href="/login">{t(lang, "login.back")}</a></p>
        </AuthCard>
    }
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = Resource::new(token, invitation_info);
    let accept = ServerAction::<AcceptInvitation>::new();
    view! {
        <AuthCard title=t(lang, "invite.title")>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(InviteInfo { email, clinic_name: None }) => view! {
                            <p>{t(lang, "invite.help").replace("{email}", &email)}</p>
                            <ActionForm action=accept attr:class="form">
                                <input type="hidden" name="token" value=token()/>
                                <NewPasswordFields name="password"/>
                                <button type="submit" class="button button-primary">{t(lang, "invite.submit")}</button>
                            </ActionForm>
                            <ActionError value=accept.value()/>
                        }.into_any(),
                        // An existing account is asked to join another clinic.
                        Ok(InviteInfo { email, clinic_name: Some(clinic) }) => view! {
                            <p data-testid="invite-join">{t(lang, "invite.join_help").replace("{clinic}", &clinic).replace("{email}", &email)}</p>
                            <ActionForm action=accept attr:class="form">
                                <input type="hidden" name="token" value=token()/>
                                <label for="invite-password">{t(lang, "pw.current")}</label>
                                <input id="invite-password" name="password" type="password" autocomplete="current-password" required/>
                                <button type="submit" class="button button-primary">{t(lang, "invite.join_submit")}</button>
                            </ActionForm>
                            <ActionError value=accept.value()/>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
