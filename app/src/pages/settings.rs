//! 設定: one's own account, staff management, the audit log, security policy.

use crate::api::audit::list_audit;
use crate::api::auth::{get_require_totp, ChangePassword, SetRequireTotp, TotpBegin, TotpConfirm, TotpDisable};
use crate::api::channel::{get_channel, SaveChannel, TestChannel};
use crate::api::staff::{list_staff, InviteStaff, SetStaffDisabled, SetStaffRole, StaffMember};
use crate::components::shell::{me_view, role_label};
use crate::components::{ActionError, ErrorNotice, Loading, NewPasswordFields};
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use model::{Permission, Role};

#[component]
pub fn SettingsLayout() -> impl IntoView {
    let lang = use_lang();
    view! {
        <h1>{t(lang, "settings.title")}</h1>
        <nav class="tabs" aria-label=t(lang, "settings.title")>
            <A href="/settings" exact=true>{t(lang, "settings.account")}</A>
            {me_view(move |me| {
                let can = |p| me.role.can(p);
                view! {
                    {can(Permission::ManageStaff).then(|| view! {
                        <A href="/settings/staff">{t(lang, "settings.staff")}</A>
                        <A href="/settings/audit">{t(lang, "settings.audit")}</A>
                    })}
                    {can(Permission::ManageClinic).then(|| view! {
                        <A href="/settings/line">{t(lang, "settings.line")}</A>
                        <A href="/settings/delivery">{t(lang, "settings.delivery")}</A>
                    })}
                    {can(Permission::ManageSecurityPolicy).then(|| view! { <A href="/settings/security">{t(lang, "settings.security")}</A> })}
                }.into_any()
            })}
        </nav>
        <Outlet/>
    }
}

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

#[component]
pub fn AuditSettings() -> impl IntoView {
    let lang = use_lang();
    let kind = RwSignal::new(String::new());
    let before = RwSignal::new(None::<i64>);
    let rows = Resource::new(move || (kind.get(), before.get()), |(k, b)| list_audit(k, b));
    let kinds = [
        ("", "audit.all"),
        ("login.", "audit.logins"),
        ("staff.", "audit.staff"),
        ("settings.", "audit.settings"),
    ];
    view! {
        <section class="card">
            <h2>{t(lang, "audit.title")}</h2>
            <p class="help">{t(lang, "audit.chain")}</p>
            <label for="audit-kind">{t(lang, "audit.filter")}</label>
            <select id="audit-kind" on:change=move |ev| { kind.set(event_target_value(&ev)); before.set(None); }>
                {kinds.into_iter().map(|(v, k)| view! { <option value=v>{t(lang, k)}</option> }).collect_view()}
            </select>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty-state">{t(lang, "audit.empty")}</p> }.into_any(),
                        Ok(list) => {
                            let oldest = list.last().map(|r| r.seq);
                            let full = list.len() == 50;
                            view! {
                                <div class="table-wrap">
                                <table class="table" data-testid="audit-table">
                                    <thead><tr>
                                        <th scope="col">{t(lang, "audit.at")}</th>
                                        <th scope="col">{t(lang, "audit.actor")}</th>
                                        <th scope="col">{t(lang, "audit.action")}</th>
                                        <th scope="col">{t(lang, "audit.target")}</th>
                                        <th scope="col">{t(lang, "audit.detail")}</th>
                                        <th scope="col">{t(lang, "audit.ip")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|r| view! {
                                            <tr><td>{r.at}</td><td>{r.actor}</td><td><code>{r.action}</code></td><td>{r.target}</td><td>{r.detail}</td><td>{r.ip}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                                {full.then(|| view! {
                                    <button type="button" class="button" on:click=move |_| before.set(oldest)>{t(lang, "audit.more")}</button>
                                })}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

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
