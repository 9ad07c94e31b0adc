//! The LINE channel: credentials, the connection test, the webhook address.

use crate::api::channel::{get_channel, SaveChannel, TestChannel};
use crate::components::{ActionError, ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

#[component]
pub fn ChannelSettingsPage() -> impl IntoView {
    let lang = use_lang();
    let save = ServerAction::<SaveChannel>::new();
    let test = ServerAction::<TestChannel>::new();
    // Reload only after a successful save: a refused one keeps the form as typed.
    let saved = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            saved.update(|n| *n += 1);
        }
    });
    let current = Resource::new(move || saved.get(), |_| get_channel());
    view! {
        <section class="card">
            <h2>{t(lang, "channel.title")}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(c) => {
                            let mode = RwSignal::new(c.mode.clone());
                            let keep = t(lang, "channel.keep");
                            let saved_secret = c.mode == "line";
                            let saved_token = c.mode == "line" && c.has_token;
                            view! {
                                <ActionForm action=save attr:class="form">
                                    <fieldset class="choices">
                                        <legend>{t(lang, "channel.mode")}</legend>
                                        {[("sandbox", "channel.mode_sandbox"), ("line", "channel.mode_line")].into_iter().map(|(v, k)| view! {
                                            <label class="check">
                                                <input type="radio" name="mode" value=v checked=c.mode == v on:change=move |_| mode.set(v.to_string())/>
                                                {t(lang, k)}
                                            </label>
                                        }).collect_view()}
                                    </fieldset>
                                    <Show when=move || mode.get() == "line">
                                        <label for="channel-id">{t(lang, "channel.channel_id")}</label>
                                        <input id="channel-id" name="channel_id" inputmode="numeric" value=c.channel_id.clone()/>
                                        <label for="channel-secret">{t(lang, "channel.secret")}</label>
                                        <input id="channel-secret" name="secret" type="password" autocomplete="off" placeholder=if saved_secret { keep.clone() } else { String::new() }/>
                                        <label for="channel-token">{t(lang, "channel.token")}</label>
                                        <input id="channel-token" name="token" type="password" autocomplete="off" placeholder=if saved_token { keep.clone() } else { String::new() }/>
                                        <p class="help">{t(lang, "channel.secret_help")}</p>
                                    </Show>
                                    <button type="submit" class="button button-primary">{t(lang, "channel.save")}</button>
                                </ActionForm>
                                <ActionError value=save.value()/>
                                <Show when=move || matches!(save.value().get(), Some(Ok(())))>
                                    <p class="notice notice-ok" role="status">{t(lang, "channel.saved")}</p>
                                </Show>
                                <h3>{t(lang, "channel.webhook")}</h3>
                                <p><code data-testid="webhook-url">{c.webhook_url.clone()}</code></p>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="card">
            <h2>{t(lang, "channel.test")}</h2>
            <ActionForm action=test>
                <button type="submit" class="button">{t(lang, "channel.test")}</button>
            </ActionForm>
            {move || match test.value().get() {
                Some(Ok(r)) => {
                    let quota = r.quota.map(|q| q.to_string()).unwrap_or_else(|| t(lang, "channel.unlimited"));
                    let text = t(lang, "channel.test_ok").replace("{name}", &r.bot_name).replace("{used}", &r.used.to_string()).replace("{quota}", &quota);
                    Some(view! { <p class="notice notice-ok" role="status" data-testid="connection-ok">{text}</p> }.into_any())
                }
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                None => None,
            }}
        </section>
    }
    .into_any()
}
