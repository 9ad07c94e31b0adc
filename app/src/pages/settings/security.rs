//! Security policy: whether two-step sign-in is required.

use crate::api::auth::{get_require_totp, SetRequireTotp};
use crate::components::{ActionError, ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

#[component]
pub fn SecuritySettings() -> impl IntoView {
    let lang = use_lang();
    let save = ServerAction::<SetRequireTotp>::new();
    let current = Resource::new(move || save.version().get(), |_| get_require_totp());
    view! {
        <section class="card">
            <h2>{t(lang, "security.title")}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(required) => view! {
                            <ActionForm action=save attr:class="form">
                                <input type="hidden" name="required" value="false"/>
                                <label class="check">
                                    <input type="checkbox" name="required" value="true" checked=required/>
                                    {t(lang, "security.require_totp")}
                                </label>
                                <p class="help">{t(lang, "security.require_totp_help")}</p>
                                <button type="submit" class="button button-primary">{t(lang, "common.save")}</button>
                            </ActionForm>
                            <ActionError value=save.value()/>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
