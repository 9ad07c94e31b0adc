//! A channel's settings: name, description, who belongs (by role or by
//! person) and who may post; archiving. `/staff-channels/new` makes one.

use super::{roles_text, ROLES};
use crate::api::staff_channels::{archive_staff_channel, get_staff_channel, save_staff_channel, staff_directory, StaffMemberDto};
use crate::components::{warn_before_leaving, AskFirst, ErrorNotice, Loading};
use crate::errors::AppError;
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::staff_channel::{StaffChannelProblem, StaffChannelSettings};
use model::Role;

#[component]
pub fn StaffChannelSettingsPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = Resource::new(id, |id| async move {
        let people = staff_directory().await?;
        if id.is_empty() {
            let fresh = StaffChannelSettings {
                member_roles: Role::ALL.to_vec(),
                poster_roles: vec![Role::Owner, Role::Admin],
                ..Default::default()
            };
            Ok::<_, AppError>((id, fresh, false, people))
        } else {
            let c = get_staff_channel(id.clone()).await?;
            Ok((id, c.settings, c.archived, people))
        }
    });
    view! {
        <p><A href="/staff-channels">{t(lang, "sc.back")}</A></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((id, settings, archived, people)) => view! { <SettingsForm id settings archived people/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

fn problem_text(lang: crate::i18n::Lang, p: &StaffChannelProblem) -> String {
    match p {
        StaffChannelProblem::NameMissing => t(lang, "sc.p_name"),
        StaffChannelProblem::NameTooLong { max } => t(lang, "sc.p_name_long").replace("{max}", &max.to_string()),
        StaffChannelProblem::DescriptionTooLong { max } => t(lang, "sc.p_desc_long").replace("{max}", &max.to_string()),
        StaffChannelProblem::NoMembers => t(lang, "sc.p_members"),
    }
}

#[component]
fn SettingsForm(id: String, settings: StaffChannelSettings, archived: bool, people: Vec<StaffMemberDto>) -> impl IntoView {
    let lang = use_lang();
    let is_new = id.is_empty();
    let saved_form = settings.clone();
    let form = RwSignal::new(settings);
    let problems = Memo::new(move |_| form.with(StaffChannelSettings::problems));
    let dirty = Memo::new(move |_| form.with(|f| *f != saved_form));
    let save_id = id.clone();
    let save = Action::new(move |_: &()| save_staff_channel(save_id.clone(), form.get_untracked()));
    let done = RwSignal::new(false);
    warn_before_leaving(Memo::new(move |_| dirty.get() && !done.get()));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            done.set(true);
            navigate(&format!("/staff-channels/{saved}"), Default::default());
        }
    });
    let archive_id = id.clone();
    let archive = Action::new(move |_: &()| archive_staff_channel(archive_id.clone()));
    let toggle_role = move |list: fn(&mut StaffChannelSettings) -> &mut Vec<Role>, role: Role, on: bool| {
        form.update(|f| {
            let l = list(f);
            l.retain(|r| *r != role);
            if on {
                l.push(role);
            }
        })
    };
    let role_boxes = move |prefix: &'static str,
                           list: fn(&mut StaffChannelSettings) -> &mut Vec<Role>,
                           read: fn(&StaffChannelSettings) -> &Vec<Role>| {
        ROLES
            .into_iter()
            .map(|role| {
                let box_id = format!("{prefix}-{}", role.as_str());
                let for_id = box_id.clone();
                view! {
                    <label class="check" for=for_id>
                        <input type="checkbox" id=box_id
                            prop:checked=move || form.with(|f| read(f).contains(&role))
                            on:change=move |ev| toggle_role(list, role, event_target_checked(&ev))/>
                        {super::role_text(lang, role)}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <h1>{if is_new { t(lang, "sc.new") } else { form.with_untracked(|f| f.name.clone()) }}</h1>
        <Show when=move || archived>
            <p class="notice" role="status">{t(lang, "sc.archived_notice")}</p>
        </Show>
        <section class="card">
            <form class="form" on:submit=move |ev| { ev.prevent_default(); if problems.with(Vec::is_empty) { save.dispatch(()); } }>
                <label for="sc-name">{t(lang, "sc.name")}</label>
                <input id="sc-name" required maxlength="40" prop:value=move || form.with(|f| f.name.clone())
                    on:input=move |ev| form.update(|f| f.name = event_target_value(&ev))/>
                <label for="sc-desc">{t(lang, "sc.description")}</label>
                <input id="sc-desc" maxlength="200" prop:value=move || form.with(|f| f.description.clone())
                    on:input=move |ev| form.update(|f| f.description = event_target_value(&ev))/>
                <fieldset>
                    <legend>{t(lang, "sc.member_roles")}</legend>
                    {role_boxes("member", |f| &mut f.member_roles, |f| &f.member_roles)}
                </fieldset>
                <fieldset>
                    <legend>{t(lang, "sc.people")}</legend>
                    <p class="help">{t(lang, "sc.people_help")}</p>
                    {people.into_iter().map(|p| {
                        let box_id = format!("person-{}", p.id);
                        let for_id = box_id.clone();
                        let (pid, pid2) = (p.id.clone(), p.id.clone());
                        view! {
                            <label class="check" for=for_id>
                                <input type="checkbox" id=box_id
                                    prop:checked=move || form.with(|f| f.members.contains(&pid))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        form.update(|f| { f.members.retain(|m| *m != pid2); if on { f.members.push(pid2.clone()); } });
                                    }/>
                                {p.name.clone()}" （"{super::role_text(lang, p.role)}
                                {if p.linked { t(lang, "sc.linked_mark") } else { t(lang, "sc.unlinked_mark") }}"）"
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>{t(lang, "sc.poster_roles")}</legend>
                    <p class="help">{t(lang, "sc.poster_help")}</p>
                    {role_boxes("poster", |f| &mut f.poster_roles, |f| &f.poster_roles)}
                </fieldset>
                <p class="help" data-testid="sc-summary">
                    {move || form.with(|f| format!("{}: {}", t(lang, "sc.member_roles"), roles_text(lang, &f.member_roles)))}
                </p>
                <ul class="problems" aria-live="polite">
                    {move || problems.get().iter().map(|p| view! { <li>{problem_text(lang, p)}</li> }).collect_view()}
                </ul>
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{t(lang, "common.save")}</button>
            </form>
            {move || match save.value().get() {
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }),
                _ => None,
            }}
        </section>
        <Show when=move || !is_new && !archived>
            <section class="card">
                <h2>{t(lang, "sc.archive")}</h2>
                <p class="help">{t(lang, "sc.archive_help")}</p>
                <AskFirst ask=t(lang, "sc.archive") question=t(lang, "sc.archive_confirm") yes=t(lang, "sc.archive_yes")
                    no=t(lang, "common.cancel") danger=true on_yes=Callback::new(move |_| { archive.dispatch(()); })/>
                {move || match archive.value().get() {
                    Some(Ok(())) => Some(view! { <p class="notice notice-ok" role="status">{t(lang, "sc.archived_done")}</p> }.into_any()),
                    Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                    None => None,
                }}
            </section>
        </Show>
    }
    .into_any()
}
