//! Staff: invitations, roles, and disabling an account.

use crate::api::staff::{list_staff, InviteStaff, SetStaffDisabled, SetStaffRole, StaffMember};
use crate::components::shell::{me_view, role_label};
use crate::components::{ActionError, ErrorNotice, Loading};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use model::Role;

#[component]
pub fn StaffSettings() -> impl IntoView {
    me_view(|me| view! { <StaffManagement role=me.role/> }.into_any())
}

#[component]
fn StaffManagement(role: Role) -> impl IntoView {
    let lang = use_lang();
    let invite = ServerAction::<InviteStaff>::new();
    let set_role = ServerAction::<SetStaffRole>::new();
    let set_disabled = ServerAction::<SetStaffDisabled>::new();
    let staff = Resource::new(
        move || (invite.version().get(), set_role.version().get(), set_disabled.version().get()),
        |_| list_staff(),
    );
    let assignable: Vec<Role> = Role::ALL.into_iter().filter(|r| role.may_assign(*r)).collect();
    let invite_roles = assignable.clone();

    view! {
        <section class="card">
            <h2>{t(lang, "staff.title")}</h2>
            <ActionError value=set_role.value()/>
            <ActionError value=set_disabled.value()/>
            <Suspense fallback=Loading>
                {move || {
                    let assignable = assignable.clone();
                    Suspend::new(async move {
                        match staff.await {
                            Ok(rows) if rows.is_empty() => view! { <p class="empty-state">{t(lang, "staff.empty")}</p> }.into_any(),
                            Ok(rows) => view! {
                                <div class="table-wrap">
                                <table class="table" data-testid="staff-table">
                                    <thead><tr>
                                        <th scope="col">{t(lang, "staff.name")}</th>
                                        <th scope="col">{t(lang, "staff.email")}</th>
                                        <th scope="col">{t(lang, "staff.role")}</th>
                                        <th scope="col">{t(lang, "staff.state")}</th>
                                        <th scope="col">{t(lang, "staff.totp")}</th>
                                        <th scope="col"></th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|m| view! { <StaffRow member=m assignable=assignable.clone() set_role set_disabled/> }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                            }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
        <section class="card">
            <h2>{t(lang, "staff.invite")}</h2>
            <ActionForm action=invite attr:class="form">
                <label for="invite-name">{t(lang, "staff.name")}</label>
                <input id="invite-name" name="name" required/>
                <label for="invite-email">{t(lang, "staff.email")}</label>
                <input id="invite-email" name="email" type="email" required/>
                <label for="invite-role">{t(lang, "staff.role")}</label>
                <select id="invite-role" name="role">
                    {invite_roles.into_iter().map(|r| {
                        let selected = r == Role::Staff;
                        view! { <option value=r.as_str() selected=selected>{role_label(r)}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class="button button-primary">{t(lang, "staff.invite_submit")}</button>
            </ActionForm>
            <ActionError value=invite.value()/>
            {move || match invite.value().get() {
                Some(Ok(Some(link))) => Some(view! {
                    <div class="notice notice-ok" role="status">
                        <p>{t(lang, "staff.invite_link")}</p>
                        <p><code data-testid="invite-link">{link}</code></p>
                    </div>
                }.into_any()),
                Some(Ok(None)) => Some(view! { <p class="notice notice-ok" role="status">{t(lang, "staff.added")}</p> }.into_any()),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn StaffRow(
    member: StaffMember,
    assignable: Vec<Role>,
    set_role: ServerAction<SetStaffRole>,
    set_disabled: ServerAction<SetStaffDisabled>,
) -> impl IntoView {
    let lang = use_lang();
    let confirming = RwSignal::new(false);
    let manageable = !member.is_me && assignable.contains(&member.role);
    let state = if member.invited {
        t(lang, "staff.invited")
    } else if member.disabled {
        t(lang, "staff.disabled")
    } else {
        t(lang, "staff.active")
    };
    let id = member.id.clone();
    let id2 = member.id.clone();
    let id3 = member.id.clone();
    let name = member.display_name.clone();
    let disabled = member.disabled;
    view! {
        <tr data-testid="staff-row">
            <td>{member.display_name.clone()}{member.is_me.then(|| view! { " " <span class="badge">{t(lang, "staff.you")}</span> })}</td>
            <td>{member.email.clone()}</td>
            <td>
                {if manageable {
                    view! {
                        <ActionForm action=set_role attr:class="form-inline">
                            <input type="hidden" name="user" value=id/>
                            <label class="visually-hidden" for=format!("role-{id2}")>{t(lang, "staff.role")}</label>
                            <select id=format!("role-{id2}") name="role">
                                {assignable.iter().map(|r| {
                                    let selected = *r == member.role;
                                    view! { <option value=r.as_str() selected=selected>{role_label(*r)}</option> }
                                }).collect_view()}
                            </select>
                            <button type="submit" class="button button-small">{t(lang, "staff.change_role")}</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <span>{role_label(member.role)}</span> }.into_any()
                }}
            </td>
            <td>{state}</td>
            <td>{if member.totp_enabled { t(lang, "totp.on") } else { t(lang, "totp.off") }}</td>
            <td>
                {manageable.then(|| {
                    let id3 = StoredValue::new(id3.clone());
                    let name = name.clone();
                    if disabled {
                        view! {
                            <ActionForm action=set_disabled>
                                <input type="hidden" name="user" value=id3.get_value()/>
                                <input type="hidden" name="disabled" value="false"/>
                                <button type="submit" class="button button-small">{t(lang, "staff.enable")}</button>
                            </ActionForm>
                        }.into_any()
                    } else {
                        view! {
                            <Show when=move || confirming.get() fallback=move || view! {
                                <button type="button" class="button button-small button-danger" on:click=move |_| confirming.set(true)>{t(lang, "staff.disable")}</button>
                            }>
                                <div class="confirm" role="alertdialog" aria-label=t(lang, "staff.disable")>
                                    <p>{t(lang, "staff.confirm_disable").replace("{name}", &name)}</p>
                                    <ActionForm action=set_disabled attr:class="form-inline">
                                        <input type="hidden" name="user" value=id3.get_value()/>
                                        <input type="hidden" name="disabled" value="true"/>
                                        <button type="submit" class="button button-small button-danger">{t(lang, "common.yes")}</button>
                                        <button type="button" class="button button-small" on:click=move |_| confirming.set(false)>{t(lang, "common.cancel")}</button>
                                    </ActionForm>
                                </div>
                            </Show>
                        }.into_any()
                    }
                })}
            </td>
        </tr>
    }
}
