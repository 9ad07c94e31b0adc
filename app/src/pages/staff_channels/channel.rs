//! One channel: the composer (with what a post costs, who sees it only on
//! the web, and a warning when it looks like it names a patient) and the
//! feed, asked again every few seconds so confirmations appear live.

use crate::api::staff_channels::{
    acknowledge_staff_post, edit_staff_post, get_staff_channel, preview_staff_post, send_staff_post, staff_feed, StaffChannelDto,
    StaffPostDto, StaffPostPreviewDto,
};
use crate::components::image_upload::{ImageUpload, Uploaded};
use crate::components::{warn_before_leaving, AskFirst, ErrorNotice, Loading};
use crate::i18n::{t, t_n, Lang};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use model::staff_channel::{Link, PatientDataHint, PostContent, PostProblem, PostRequest};

#[component]
pub fn StaffChannelPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let channel = Resource::new(id, get_staff_channel);
    view! {
        <p><A href="/staff-channels">{t(lang, "sc.back")}</A></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match channel.await {
                    Ok(c) => view! { <ChannelView c/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ChannelView(c: StaffChannelDto) -> impl IntoView {
    let lang = use_lang();
    let linked = c.members.iter().filter(|m| m.linked).count();
    // Bumped by a send and every few seconds: the feed is asked again —
    // but not while a post is being changed, which would redraw the feed
    // and lose what is being typed.
    let tick = RwSignal::new(0u32);
    let editing = Editing(RwSignal::new(false));
    provide_context(editing);
    #[cfg(feature = "hydrate")]
    {
        let every = std::time::Duration::from_millis(3000);
        let bump = move || {
            if !editing.0.get_untracked() {
                tick.update(|n| *n += 1)
            }
        };
        if let Ok(handle) = set_interval_with_handle(bump, every) {
            on_cleanup(move || handle.clear());
        }
    }
    let id = c.id.clone();
    let settings_href = format!("/staff-channels/{}/settings", c.id);
    let (can_post, can_manage, archived, member) = (c.can_post, c.can_manage, c.archived, c.member);
    view! {
        <header class="page-head">
            <h1>{c.settings.name.clone()}</h1>
            <Show when=move || can_manage>
                <a class="button" href=settings_href.clone()>{t(lang, "sc.settings")}</a>
            </Show>
        </header>
        {(!c.settings.description.is_empty()).then(|| view! { <p class="page-intro">{c.settings.description.clone()}</p> })}
        <p class="help" data-testid="sc-members">
            {t_n(lang, "sc.members_n", c.members.len() as i64)}"（"{t_n(lang, "sc.linked_n", linked as i64)}"）: "
            {c.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join("、")}
        </p>
        <Show when=move || archived>
            <p class="notice" role="status">{t(lang, "sc.archived_notice")}</p>
        </Show>
        <Show when=move || can_post>
            <Composer channel=id.clone() tick/>
        </Show>
        <Feed channel=c.id.clone() tick member/>
    }
    .into_any()
}

/// A sent post is being changed on this page.
#[derive(Clone, Copy)]
struct Editing(RwSignal<bool>);

fn post_problem_text(lang: Lang, p: &PostProblem) -> String {
    match p {
        PostProblem::TextMissing => t(lang, "sc.p_text"),
        PostProblem::TextTooLong { max } => t(lang, "sc.p_text_long").replace("{max}", &max.to_string()),
        PostProblem::LinkNotHttps => t(lang, "sc.p_link"),
        PostProblem::LinkTitleTooLong { max } => t(lang, "sc.p_link_title").replace("{max}", &max.to_string()),
        PostProblem::RemindTooLate { max_hours } => t(lang, "sc.p_remind").replace("{max}", &max_hours.to_string()),
        PostProblem::RemindWithoutAck => t(lang, "sc.p_remind_ack"),
    }
}

fn hint_text(lang: Lang, h: &PatientDataHint) -> String {
    match h {
        PatientDataHint::FriendName { name } => t(lang, "sc.h_name").replace("{x}", name),
        PatientDataHint::PatientNumber { number } => t(lang, "sc.h_number").replace("{x}", number),
        PatientDataHint::BirthDate { text } => t(lang, "sc.h_birth").replace("{x}", text),
    }
}

/// What is being written: the words, a link, a document's link, a picture,
/// and whether members must confirm (with the reminder's delay).
#[derive(Clone, Debug, Default, PartialEq)]
struct Draft {
    text: String,
    link_title: String,
    link_url: String,
    doc_title: String,
    doc_url: String,
    image: Option<String>,
    ack: bool,
    /// Hours before the reminder; empty: none.
    remind: String,
}

impl Draft {
    fn content(&self) -> PostContent {
        let link = |title: &str, url: &str| {
            (!url.trim().is_empty()).then(|| Link {
                title: title.trim().to_string(),
                url: url.trim().to_string(),
            })
        };
        PostContent {
            text: self.text.clone(),
            image: self.image.clone(),
            link: link(&self.link_title, &self.link_url),
            document: link(&self.doc_title, &self.doc_url),
        }
    }

    fn request(&self, despite_warnings: bool) -> PostRequest {
        PostRequest {
            content: self.content(),
            ack_required: self.ack,
            remind_after_hours: if self.ack { self.remind.parse().ok() } else { None },
            despite_warnings,
        }
    }
}

#[component]
fn Composer(channel: String, tick: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let draft = RwSignal::new(Draft::default());
    let problems = Memo::new(move |_| draft.with(|d| d.request(false).problems()));
    let dirty = Memo::new(move |_| draft.with(|d| *d != Draft::default()));
    warn_before_leaving(dirty);
    let preview_channel = channel.clone();
    let preview = Action::new(move |content: &PostContent| preview_staff_post(preview_channel.clone(), content.clone()));
    let send_channel = channel.clone();
    let send = Action::new(move |req: &PostRequest| send_staff_post(send_channel.clone(), req.clone()));
    // What was checked is what is sent: any change asks for a new check.
    let checked = RwSignal::new(None::<(Draft, StaffPostPreviewDto)>);
    Effect::new(move |_| {
        if let Some(Ok(p)) = preview.value().get() {
            checked.set(Some((draft.get_untracked(), p)));
        }
    });
    Effect::new(move |_| {
        let now = draft.get();
        if checked.with_untracked(|c| c.as_ref().is_some_and(|(d, _)| *d != now)) {
            checked.set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            draft.set(Draft::default());
            checked.set(None);
            tick.update(|n| *n += 1);
        }
    });
    let field = move |get: fn(&Draft) -> String, set: fn(&mut Draft, String)| {
        (
            move || draft.with(get),
            move |ev: leptos::ev::Event| draft.update(|d| set(d, event_target_value(&ev))),
        )
    };
    let (text_v, text_in) = field(|d| d.text.clone(), |d, v| d.text = v);
    let (lt_v, lt_in) = field(|d| d.link_title.clone(), |d, v| d.link_title = v);
    let (lu_v, lu_in) = field(|d| d.link_url.clone(), |d, v| d.link_url = v);
    let (dt_v, dt_in) = field(|d| d.doc_title.clone(), |d, v| d.doc_title = v);
    let (du_v, du_in) = field(|d| d.doc_url.clone(), |d, v| d.doc_url = v);
    let (rm_v, rm_in) = field(|d| d.remind.clone(), |d, v| d.remind = v);
    let on_uploaded = Callback::new(move |u: Uploaded| draft.update(|d| d.image = Some(u.path)));
    let head = view! {
        <label for="post-text">{t(lang, "sc.text")}</label>
        <textarea id="post-text" rows="6" prop:value=text_v on:input=text_in></textarea>
        <details>
            <summary>{t(lang, "sc.attach")}</summary>
            <div class="form-grid">
                <label for="post-link-title">{t(lang, "sc.link_title")}</label>
                <input id="post-link-title" prop:value=lt_v on:input=lt_in/>
                <label for="post-link-url">{t(lang, "sc.link_url")}</label>
                <input id="post-link-url" type="url" placeholder="https://" prop:value=lu_v on:input=lu_in/>
                <label for="post-doc-title">{t(lang, "sc.doc_title")}</label>
                <input id="post-doc-title" prop:value=dt_v on:input=dt_in/>
                <label for="post-doc-url">{t(lang, "sc.doc_url")}</label>
                <input id="post-doc-url" type="url" placeholder="https://" prop:value=du_v on:input=du_in/>
            </div>
            <p class="help">{t(lang, "sc.image")}</p>
            <ImageUpload id="post-image".to_string() on_uploaded/>
            {move || draft.with(|d| d.image.clone()).map(|src| view! {
                <p><img class="post-image" src=src alt=t(lang, "sc.image")/>
                <button type="button" class="button button-small" on:click=move |_| draft.update(|d| d.image = None)>{t(lang, "sc.image_remove")}</button></p>
            })}
        </details>
        <label class="check" for="post-ack">
            <input type="checkbox" id="post-ack" prop:checked=move || draft.with(|d| d.ack)
                on:change=move |ev| draft.update(|d| d.ack = event_target_checked(&ev))/>
            {t(lang, "sc.ack")}
        </label>
        <Show when=move || draft.with(|d| d.ack)>
            <label for="post-remind">{t(lang, "sc.remind")}</label>
            <select id="post-remind" prop:value=rm_v on:change=rm_in>
                <option value="">{t(lang, "sc.remind_none")}</option>
                <option value="1">{t_n(lang, "sc.remind_h", 1)}</option>
                <option value="3">{t_n(lang, "sc.remind_h", 3)}</option>
                <option value="24">{t(lang, "sc.remind_day")}</option>
            </select>
        </Show>
    }
    .into_any();
    view! {
        <section class="card" aria-labelledby="compose-title" data-testid="staff-composer">
            <h2 id="compose-title">{t(lang, "sc.compose")}</h2>
            <div class="form">
                {head}
                <ul class="problems" aria-live="polite">
                    {move || if draft.with(|d| d.text.is_empty()) { Vec::new() } else { problems.get() }
                        .iter().map(|p| view! { <li>{post_problem_text(lang, p)}</li> }).collect_view()}
                </ul>
                <button type="button" class="button" disabled=move || !problems.with(Vec::is_empty) || preview.pending().get()
                    on:click=move |_| { preview.dispatch(draft.with_untracked(Draft::content)); }>{t(lang, "sc.check")}</button>
                {move || match preview.value().get() {
                    Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }),
                    _ => None,
                }}
                {move || checked.get().map(|(_, p)| {
                    let warned = !p.hints.is_empty();
                    view! {
                        <div class="card card-inset" data-testid="post-preview" aria-live="polite">
                            <p data-testid="post-cost">{t_n(lang, "sc.cost", p.recipients as i64)}
                                {p.quota_left.map(|left| format!(" {}", t_n(lang, "sc.quota_left", left)))}</p>
                            {(!p.unlinked.is_empty()).then(|| view! {
                                <p class="help">{t(lang, "sc.web_only")}": "{p.unlinked.join("、")}</p>
                            })}
                            {warned.then(|| view! {
                                <div class="notice notice-warn" role="alert" data-testid="patient-warning">
                                    <p><strong>{t(lang, "sc.warn_title")}</strong></p>
                                    <ul>{p.hints.iter().map(|h| view! { <li>{hint_text(lang, h)}</li> }).collect_view()}</ul>
                                    <p>{t(lang, "sc.warn_help")}</p>
                                </div>
                            })}
                            <button type="button" class=if warned { "button button-danger" } else { "button button-primary" }
                                disabled=move || send.pending().get()
                                on:click=move |_| { send.dispatch(draft.with_untracked(|d| d.request(warned))); }>
                                {t(lang, if warned { "sc.send_anyway" } else { "sc.send" })}
                            </button>
                        </div>
                    }
                })}
                {move || match send.value().get() {
                    Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                    Some(Ok(_)) => Some(view! { <p class="notice notice-ok" role="status">{t(lang, "sc.sent")}</p> }.into_any()),
                    None => None,
                }}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Feed(channel: String, tick: RwSignal<u32>, member: bool) -> impl IntoView {
    let lang = use_lang();
    let feed = Resource::new(move || (channel.clone(), tick.get()), |(c, _)| staff_feed(c));
    view! {
        <section aria-labelledby="feed-title">
            <h2 id="feed-title">{t(lang, "sc.feed")}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match feed.await {
                        Ok(posts) if posts.is_empty() => view! { <p class="card empty-state">{t(lang, "sc.feed_empty")}</p> }.into_any(),
                        Ok(posts) => view! {
                            <ol class="feed" data-testid="staff-feed">
                                {posts.into_iter().map(|p| view! { <PostView p tick member/> }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn PostView(p: StaffPostDto, tick: RwSignal<u32>, member: bool) -> impl IntoView {
    let lang = use_lang();
    let (id, version) = (p.id.clone(), p.version);
    let ack = Action::new(move |_: &()| acknowledge_staff_post(id.clone(), version));
    Effect::new(move |_| {
        if ack.version().get() > 0 {
            tick.update(|n| *n += 1);
        }
    });
    let reached = p.confirmed.len() + p.waiting.len();
    let confirm_button = p.ack_required && member && !p.confirmed_by_me;
    let content = p.content.clone();
    let links = [("🔗", content.link.clone()), ("📄", content.document.clone())];
    view! {
        <li class="card post" data-testid="staff-post">
            <p class="help">
                {p.author.clone()}" ・ "{p.at.clone()}
                {(!p.edited_at.is_empty()).then(|| format!(" ・ {}（{}）", t_n(lang, "sc.version_n", p.version), p.edited_at))}
                {p.ack_required.then(|| view! { " " <span class="badge">{t(lang, "sc.ack_badge")}</span> })}
            </p>
            <p class="post-text">{content.text.clone()}</p>
            {content.image.clone().map(|src| view! { <img class="post-image" src=src alt=t(lang, "sc.image")/> })}
            {links.into_iter().filter_map(|(mark, l)| l.map(|l| {
                let title = if l.title.is_empty() { l.url.clone() } else { l.title.clone() };
                view! { <p>{mark}<a href=l.url.clone() target="_blank" rel="noopener noreferrer">{title}</a></p> }
            })).collect_view()}
            <p class="help" data-testid="post-delivery">
                {t_n(lang, "sc.sent_n", p.sent as i64)}
                {(p.pending > 0).then(|| format!(" ・ {}", t_n(lang, "sc.pending_n", p.pending as i64)))}
                {(p.failed > 0).then(|| format!(" ・ {}", t_n(lang, "sc.failed_n", p.failed as i64)))}
            </p>
            {p.ack_required.then(|| view! {
                <div class="acks">
                    <p data-testid="ack-count"><strong>{t(lang, "sc.confirmed")}" "{p.confirmed.len()}" / "{reached}</strong></p>
                    {(!p.confirmed.is_empty()).then(|| view! {
                        <p class="help" data-testid="ack-names">{p.confirmed.iter().map(|(n, at)| format!("{n}（{at}）")).collect::<Vec<_>>().join("、")}</p>
                    })}
                    {(!p.waiting.is_empty()).then(|| view! {
                        <p class="help" data-testid="ack-waiting">{t(lang, "sc.waiting")}": "{p.waiting.join("、")}</p>
                    })}
                    {(!p.remind_at.is_empty()).then(|| view! { <p class="help">{t(lang, "sc.remind_at").replace("{at}", &p.remind_at)}</p> })}
                    {(p.reminders_sent > 0).then(|| view! { <p class="help">{t_n(lang, "sc.reminded_n", p.reminders_sent as i64)}</p> })}
                </div>
            })}
            {confirm_button.then(|| view! {
                <button type="button" class="button button-primary" disabled=move || ack.pending().get()
                    on:click=move |_| { ack.dispatch(()); }>{t(lang, "sc.confirm")}</button>
            })}
            {p.confirmed_by_me.then(|| view! { <p class="notice notice-ok">{t(lang, "sc.confirmed_by_me")}</p> })}
            {move || match ack.value().get() {
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }),
                _ => None,
            }}
            {p.can_edit.then(|| view! { <EditPost p=p.clone() tick/> })}
            {(!p.replies.is_empty()).then(|| view! {
                <div class="replies">
                    <h3>{t(lang, "sc.replies")}</h3>
                    <ul>{p.replies.iter().map(|r| view! {
                        <li><span class="help">{r.author.clone()}" ・ "{r.at.clone()}</span><p class="post-text">{r.text.clone()}</p></li>
                    }).collect_view()}</ul>
                </div>
            })}
        </li>
    }
    .into_any()
}

/// Changing a sent post: a new version goes to everyone, who confirm again.
#[component]
fn EditPost(p: StaffPostDto, tick: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let editing = expect_context::<Editing>().0;
    let open = RwSignal::new(false);
    Effect::new(move |_| editing.set(open.get()));
    let text = RwSignal::new(p.content.text.clone());
    let (id, version, content) = (p.id.clone(), p.version, p.content.clone());
    let edit = Action::new(move |despite: &bool| {
        let req = PostRequest {
            content: PostContent {
                text: text.get_untracked(),
                ..content.clone()
            },
            ack_required: false,
            remind_after_hours: None,
            despite_warnings: *despite,
        };
        edit_staff_post(id.clone(), version, req)
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = edit.value().get() {
            open.set(false);
            tick.update(|n| *n += 1);
        }
    });
    let warned = move || matches!(edit.value().get(), Some(Err(e)) if e.code == "patient_data_warning");
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button type="button" class="button button-small" on:click=move |_| open.set(true)>{t(lang, "sc.edit")}</button>
        }>
            <div class="form">
                <label for=format!("edit-{version}")>{t(lang, "sc.text")}</label>
                <textarea id=format!("edit-{version}") rows="5" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <AskFirst ask=t(lang, "sc.edit_send") question=t(lang, "sc.edit_confirm")
                    yes=Signal::derive(move || t(lang, if warned() { "sc.send_anyway" } else { "sc.edit_yes" }))
                    no=t(lang, "common.cancel") on_yes=Callback::new(move |_| { edit.dispatch(warned()); })/>
                <button type="button" class="button" on:click=move |_| open.set(false)>{t(lang, "common.cancel")}</button>
                {move || match edit.value().get() {
                    Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }),
                    _ => None,
                }}
            </div>
        </Show>
    }
    .into_any()
}
