//! One's own account: password, two-step sign-in, and one's own LINE
//! linked for 職員連絡.

use crate::api::auth::{ChangePassword, TotpBegin, TotpConfirm, TotpDisable};
use crate::components::line_link::LineLinkSection;
use crate::components::shell::me_view;
use crate::components::{ActionError, ErrorNotice, NewPasswordFields};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

#[component]
pub fn AccountSettings() -> impl IntoView {
    me_view(|me| view! { <AccountForms totp_enabled=me.totp_enabled/> }.into_any())
}

#[component]
fn AccountForms(totp_enabled: bool) -> impl IntoView {
    let lang = use_lang();
    let change = ServerAction::<ChangePassword>::new();
    let disable = ServerAction::<TotpDisable>::new();
    let enabled = RwSignal::new(totp_enabled);
    Effect::new(move |_| {
        if matches!(disable.value().get(), Some(Ok(()))) {
            enabled.set(false);
        }
    });
    view! {
        <section class="card">
            <h2>{t(lang, "pw.title")}</h2>
            <ActionForm action=change attr:class="form">
                <label for="current">{t(lang, "pw.current")}</label>
                <input id="current" name="current" type="password" autocomplete="current-password" required/>
                <NewPasswordFields name="new"/>
                <button type="submit" class="button button-primary">{t(lang, "common.save")}</button>
            </ActionForm>
            <ActionError value=change.value()/>
            <Show when=move || matches!(change.value().get(), Some(Ok(())))>
                <p class="notice notice-ok" role="status">{t(lang, "pw.changed")}</p>
            </Show>
        </section>
        <section class="card">
            <h2>{t(lang, "totp.title")}</h2>
            <p>{t(lang, "totp.status")}": "
                <strong data-testid="totp-status">{move || if enabled.get() { t(lang, "totp.on") } else { t(lang, "totp.off") }}</strong>
            </p>
            <Show when=move || enabled.get() fallback=move || view! { <TotpEnrol on_done=Callback::new(move |_| enabled.set(true))/> }>
                <p class="help">{t(lang, "totp.disable_help")}</p>
                <ActionForm action=disable attr:class="form form-inline">
                    <label for="totp-password" class="visually-hidden">{t(lang, "pw.current")}</label>
                    <input id="totp-password" name="password" type="password" autocomplete="current-password" placeholder=t(lang, "pw.current") required/>
                    <button type="submit" class="button button-danger">{t(lang, "totp.disable")}</button>
                </ActionForm>
                <ActionError value=disable.value()/>
            </Show>
            <Show when=move || matches!(disable.value().get(), Some(Ok(())))>
                <p class="notice notice-ok" role="status">{t(lang, "totp.disabled")}</p>
            </Show>
        </section>
        <LineLinkSection/>
    }
}

/// Setting up TOTP: show the QR code and key, then confirm with a code.
#[component]
pub fn TotpEnrol(on_done: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let begin = ServerAction::<TotpBegin>::new();
    let confirm = ServerAction::<TotpConfirm>::new();
    Effect::new(move |_| {
        if matches!(confirm.value().get(), Some(Ok(()))) {
            on_done.run(());
        }
    });
    view! {
        <div class="totp-enrol">
            {move || match begin.value().get() {
                Some(Ok(e)) => view! {
                    <p>{t(lang, "totp.scan")}</p>
                    <div class="qr" inner_html=e.qr_svg></div>
                    <p>{t(lang, "totp.secret")}": "<code data-testid="totp-secret">{e.secret}</code></p>
                    <ActionForm action=confirm attr:class="form form-inline">
                        <label for="enrol-code">{t(lang, "totp.confirm")}</label>
                        <input id="enrol-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="7" required/>
                        <button type="submit" class="button button-primary">{t(lang, "login.totp_submit")}</button>
                    </ActionForm>
                    <ActionError value=confirm.value()/>
                    <Show when=move || matches!(confirm.value().get(), Some(Ok(())))>
                        <p class="notice notice-ok" role="status">{t(lang, "totp.enabled")}</p>
                    </Show>
                }.into_any(),
                other => view! {
                    <ActionForm action=begin>
                        <button type="submit" class="button">{t(lang, "totp.start")}</button>
                    </ActionForm>
                    {match other { Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }), _ => None }}
                }.into_any(),
            }}
        </div>
    }
}
