//! サンドボックス電話: act as a simulated person on the clinic's LINE.

use crate::api::*;
use crate::components::{ActionError, ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

#[component]
pub fn PhonePage() -> impl IntoView {
    let lang = use_lang();
    let add = ServerAction::<PhoneAddPerson>::new();
    let act = ServerAction::<PhoneAct>::new();
    let write = ServerAction::<PhoneWrite>::new();
    let people = Resource::new(move || (add.version().get(), act.version().get()), |_| phone_people());
    let selected = RwSignal::new(String::new());
    // A person just added becomes the one being acted as.
    Effect::new(move |_| {
        if let Some(Ok(p)) = add.value().get() {
            selected.set(p.user_id);
        }
    });
    let received = Resource::new(
        move || (selected.get(), write.version().get(), act.version().get()),
        |(u, _, _)| async move {
            if u.is_empty() {
                Ok(Vec::new())
            } else {
                phone_received(u).await
            }
        },
    );

    view! {
        <h1>{t(lang, "phone.title")}</h1>
        <p class="help">{t(lang, "phone.help")}</p>
        <div class="phone-layout">
            <section class="card">
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match people.await {
                            Ok(list) => view! {
                                <label for="phone-person">{t(lang, "phone.person")}</label>
                                <select id="phone-person" on:change=move |ev| selected.set(event_target_value(&ev)) prop:value=move || selected.get()>
                                    <option value="">{t(lang, "phone.choose")}</option>
                                    {list.into_iter().map(|p| {
                                        let status = match p.status.as_str() {
                                            "friend" => t(lang, "friends.status_active"),
                                            "blocked" => t(lang, "friends.status_blocked"),
                                            _ => t(lang, "phone.status_none"),
                                        };
                                        view! { <option value=p.user_id.clone()>{format!("{}（{}）", p.display_name, status)}</option> }
                                    }).collect_view()}
                                </select>
                            }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
                <h2>{t(lang, "phone.new_person")}</h2>
                <ActionForm action=add attr:class="form form-inline">
                    <label for="phone-name" class="visually-hidden">{t(lang, "phone.new_name")}</label>
                    <input id="phone-name" name="name" maxlength="20" placeholder=t(lang, "phone.new_name") required/>
                    <button type="submit" class="button">{t(lang, "phone.add")}</button>
                </ActionForm>
                <ActionError value=add.value()/>
            </section>
            <section class="phone" aria-label=t(lang, "phone.title")>
                <Show when=move || !selected.get().is_empty() fallback=move || view! { <p class="phone-empty">{t(lang, "phone.choose")}</p> }>
                    <PhoneScreen selected act write received people/>
                </Show>
            </section>
        </div>
    }
    .into_any()
}

#[component]
fn PhoneScreen(
    selected: RwSignal<String>,
    act: ServerAction<PhoneAct>,
    write: ServerAction<PhoneWrite>,
    received: Resource<Result<Vec<PhoneMessage>, crate::errors::AppError>>,
    people: Resource<Result<Vec<PhonePerson>, crate::errors::AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let person = move || {
        people
            .get()
            .and_then(|r| r.ok())
            .and_then(|list| list.into_iter().find(|p| p.user_id == selected.get()))
    };
    let status = move || person().map(|p| p.status).unwrap_or_default();
    view! {
        <header class="phone-header">
            <strong data-testid="phone-name">{move || person().map(|p| p.display_name).unwrap_or_default()}</strong>
            <div class="phone-actions">
                {move || {
                    let (action, key, class) = match status().as_str() {
                        "friend" => ("block", "phone.block", "button button-small button-danger"),
                        "blocked" => ("follow", "phone.unblock", "button button-small"),
                        _ => ("follow", "phone.follow", "button button-small button-primary-inline"),
                    };
                    view! {
                        <ActionForm action=act>
                            <input type="hidden" name="user" value=selected.get()/>
                            <input type="hidden" name="action" value=action/>
                            <button type="submit" class=class>{t(lang, key)}</button>
                        </ActionForm>
                    }
                }}
            </div>
        </header>
        <ActionError value=act.value()/>
        <div class="chat" data-testid="phone-chat">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match received.await {
                        Ok(list) if list.is_empty() => view! { <p class="chat-empty">{t(lang, "phone.chat_empty")}</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|m| view! {
                            <div class="bubble bubble-in">
                                {m.texts.into_iter().map(|x| view! { <p>{x}</p> }).collect_view()}
                                <span class="bubble-at">{m.at}</span>
                            </div>
                        }).collect_view().into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
        <Show when=move || status() == "friend" fallback=move || view! { <p class="help">{t(lang, "phone.not_friend")}</p> }>
            <ActionForm action=write attr:class="composer">
                <input type="hidden" name="user" value=selected.get()/>
                <label for="phone-text" class="visually-hidden">{t(lang, "phone.write")}</label>
                <input id="phone-text" name="text" placeholder=t(lang, "phone.write") maxlength="5000" required/>
                <button type="submit" class="button button-small">{t(lang, "phone.send")}</button>
            </ActionForm>
            <ActionError value=write.value()/>
            <Show when=move || matches!(write.value().get(), Some(Ok(())))>
                <p class="notice notice-ok" role="status">{t(lang, "phone.sent")}</p>
            </Show>
        </Show>
    }
    .into_any()
}
