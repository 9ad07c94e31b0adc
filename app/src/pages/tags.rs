//! タグ: folders and tags with their operating rules, custom fields, and
//! the review (friends per tag, last applied, tags unused for 90 days, the
//! overlap of two tags). Also the tag box on a friend's page.

use crate::api::tags::{friend_tags, tag_overlap, tags_overview, CreateField, CreateTag, CreateTagFolder, SetFriendsTag, TagDto, TagsDto};
use crate::components::{ActionError, ErrorNotice, Loading};
use crate::i18n::{t, t_n};
use crate::use_lang;
use leptos::prelude::*;

/// A tag as a coloured badge.
#[component]
pub fn TagBadge(name: String, color: String) -> impl IntoView {
    view! { <span class="tag" style=format!("--tag: {color}")>{name}</span> }
}

/// Refetches `resource` whenever `action` last succeeded.
fn refetch_on_success<I, O>(action: ServerAction<I>, resource: Resource<Result<TagsDto, crate::errors::AppError>>)
where
    I: leptos::server_fn::ServerFn<Output = O, Error = crate::errors::AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            resource.refetch();
        }
    });
}

#[component]
pub fn TagsPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), |_| tags_overview());
    let add_folder = ServerAction::<CreateTagFolder>::new();
    let add_tag = ServerAction::<CreateTag>::new();
    let add_field = ServerAction::<CreateField>::new();
    refetch_on_success(add_folder, data);
    refetch_on_success(add_tag, data);
    refetch_on_success(add_field, data);
    let review_only = RwSignal::new(false);

    view! {
        <h1>{t(lang, "tags.title")}</h1>
        <p class="help page-intro">{t(lang, "tags.intro")}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let unused = d.tags.iter().filter(|t| t.unused).count() as i64;
                        let mut groups: Vec<(String, Vec<TagDto>)> = d
                            .folders
                            .iter()
                            .map(|f| (f.name.clone(), d.tags.iter().filter(|t| t.folder == f.id).cloned().collect()))
                            .collect();
                        let loose: Vec<TagDto> = d.tags.iter().filter(|t| t.folder.is_empty()).cloned().collect();
                        if !loose.is_empty() {
                            groups.push((t(lang, "tags.no_folder"), loose));
                        }
                        let design = d.can_design;
                        let d2 = d.clone();
                        view! {
                            <section class="card">
                                <div class="toolbar toolbar-start">
                                    <label class="check">
                                        <input type="checkbox" prop:checked=review_only on:change=move |ev| review_only.set(event_target_checked(&ev))/>
                                        {t(lang, "tags.review_only")}
                                    </label>
                                    <span class="badge badge-soon" data-testid="unused-count">{t_n(lang, "tags.unused_count", unused)}</span>
                                </div>
                                {if d.tags.is_empty() {
                                    view! { <p class="empty-state">{t(lang, "tags.empty")}</p> }.into_any()
                                } else {
                                    groups.into_iter().map(|(folder, tags)| view! { <TagGroup folder tags review_only/> }).collect_view().into_any()
                                }}
                            </section>
                            <Overlap data=d2.clone()/>
                            {design.then(|| view! { <TagForms data=d2.clone() add_folder add_tag/> })}
                            <FieldsCard data=d2 add_field/>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TagGroup(folder: String, tags: Vec<TagDto>, review_only: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    let any_unused = tags.iter().any(|t| t.unused);
    view! {
        <div class="tag-group" class:hidden=move || review_only.get() && !any_unused>
            <h2>{folder}</h2>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t(lang, "tags.tag")}</th>
                        <th scope="col">{t(lang, "tags.rule_text")}</th>
                        <th scope="col" class="num">{t(lang, "tags.friends")}</th>
                        <th scope="col">{t(lang, "tags.last_applied")}</th>
                    </tr></thead>
                    <tbody>
                        {tags.into_iter().map(|tag| {
                            let unused = tag.unused;
                            view! {
                                <tr data-testid="tag-row" class:hidden=move || review_only.get() && !unused>
                                    <td>
                                        <TagBadge name=tag.name.clone() color=tag.color.clone()/>
                                        {unused.then(|| view! { " "<span class="badge badge-soon">{t(lang, "tags.unused")}</span> })}
                                        {(!tag.description.is_empty()).then(|| view! { <p class="help">{tag.description.clone()}</p> })}
                                    </td>
                                    <td class="rule-text">{tag.rule_text.clone()}</td>
                                    <td class="num">{tag.friends}</td>
                                    <td>{if tag.last_applied.is_empty() { t(lang, "tags.never") } else { tag.last_applied.clone() }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}

/// The overlap of two tags: candidates to merge when nearly everyone has both.
#[component]
fn Overlap(data: TagsDto) -> impl IntoView {
    let lang = use_lang();
    let (a, b) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let result = Action::new(|(a, b): &(String, String)| tag_overlap(a.clone(), b.clone()));
    let options = move || {
        data.tags
            .iter()
            .map(|tag| view! { <option value=tag.id.clone()>{tag.name.clone()}</option> })
            .collect_view()
    };
    let (options_a, options_b) = (options.clone(), options);
    view! {
        <section class="card">
            <h2>{t(lang, "tags.overlap")}</h2>
            <p class="help">{t(lang, "tags.overlap_help")}</p>
            <div class="form-inline">
                <label class="visually-hidden" for="overlap-a">{t(lang, "tags.overlap_a")}</label>
                <select id="overlap-a" on:change=move |ev| a.set(event_target_value(&ev))>
                    <option value="">{t(lang, "tags.choose")}</option>
                    {options_a()}
                </select>
                <span>"×"</span>
                <label class="visually-hidden" for="overlap-b">{t(lang, "tags.overlap_b")}</label>
                <select id="overlap-b" on:change=move |ev| b.set(event_target_value(&ev))>
                    <option value="">{t(lang, "tags.choose")}</option>
                    {options_b()}
                </select>
                <button type="button" class="button" disabled=move || a.get().is_empty() || b.get().is_empty()
                    on:click=move |_| { result.dispatch((a.get_untracked(), b.get_untracked())); }>
                    {t(lang, "tags.overlap_count")}
                </button>
            </div>
            {move || match result.value().get() {
                Some(Ok((na, nb, both))) => Some(view! {
                    <p class="notice notice-ok" role="status" data-testid="overlap">
                        {t(lang, "tags.overlap_result").replace("{a}", &na.to_string()).replace("{b}", &nb.to_string()).replace("{both}", &both.to_string())}
                    </p>
                }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }.into_any()),
                None => None,
            }}
        </section>
    }
}

#[component]
fn TagForms(data: TagsDto, add_folder: ServerAction<CreateTagFolder>, add_tag: ServerAction<CreateTag>) -> impl IntoView {
    let lang = use_lang();
    let first_color = data.colors.first().cloned().unwrap_or_default();
    view! {
        <section class="card">
            <h2>{t(lang, "tags.add_tag")}</h2>
            <ActionForm action=add_tag attr:class="form form-grid" attr:data-testid="tag-form">
                <div class="field">
                    <label for="tag-name">{t(lang, "tags.name")}</label>
                    <input id="tag-name" name="name" required maxlength="30" autocomplete="off" placeholder=t(lang, "tags.name_placeholder")/>
                </div>
                <div class="field">
                    <label for="tag-folder">{t(lang, "tags.folder")}</label>
                    <select id="tag-folder" name="folder">
                        <option value="">{t(lang, "tags.no_folder")}</option>
                        {data.folders.iter().map(|f| view! { <option value=f.id.clone()>{f.name.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <fieldset class="choices field">
                    <legend>{t(lang, "tags.color")}</legend>
                    <div class="swatches">
                        {data.colors.iter().enumerate().map(|(i, c)| {
                            let checked = *c == first_color;
                            view! {
                                <label class="swatch" style=format!("--tag: {c}")>
                                    <input type="radio" name="color" value=c.clone() checked=checked/>
                                    <span class="visually-hidden">{t_n(lang, "tags.color_n", i as i64 + 1)}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <div class="field">
                    <label for="tag-description">{t(lang, "tags.description")}</label>
                    <input id="tag-description" name="description" maxlength="200" autocomplete="off"/>
                </div>
                <div class="field field-wide">
                    <label for="tag-rule">{t(lang, "tags.rule_text")}</label>
                    <textarea id="tag-rule" name="rule_text" rows="2" maxlength="500"></textarea>
                    <p class="help">{t(lang, "tags.rule_text_help")}</p>
                </div>
                <div class="field field-actions">
                    <button type="submit" class="button button-primary">{t(lang, "tags.create")}</button>
                </div>
            </ActionForm>
            <ActionError value=add_tag.value()/>
            <h3>{t(lang, "tags.add_folder")}</h3>
            <ActionForm action=add_folder attr:class="form-inline">
                <label class="visually-hidden" for="folder-name">{t(lang, "tags.folder_name")}</label>
                <input id="folder-name" name="name" required maxlength="30" placeholder=t(lang, "tags.folder_placeholder")/>
                <button type="submit" class="button">{t(lang, "tags.create_folder")}</button>
            </ActionForm>
            <ActionError value=add_folder.value()/>
        </section>
    }
}

pub fn field_type_label(kind: &str) -> String {
    t(use_lang(), &format!("field.type_{kind}"))
}

#[component]
fn FieldsCard(data: TagsDto, add_field: ServerAction<CreateField>) -> impl IntoView {
    let lang = use_lang();
    let kind = RwSignal::new("text".to_string());
    view! {
        <section class="card">
            <h2>{t(lang, "field.title")}</h2>
            <p class="help">{t(lang, "field.intro")}</p>
            {if data.fields.is_empty() {
                view! { <p class="empty-state">{t(lang, "field.empty")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead><tr><th scope="col">{t(lang, "field.name")}</th><th scope="col">{t(lang, "field.type")}</th><th scope="col">{t(lang, "field.choices")}</th></tr></thead>
                            <tbody>
                                {data.fields.iter().map(|f| view! {
                                    <tr><td>{f.name.clone()}</td><td>{field_type_label(&f.field_type)}</td><td>{f.choices.join("・")}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {data.can_design.then(|| view! {
                <h3>{t(lang, "field.add")}</h3>
                <ActionForm action=add_field attr:class="form form-grid">
                    <div class="field">
                        <label for="field-name">{t(lang, "field.name")}</label>
                        <input id="field-name" name="name" required maxlength="30" autocomplete="off" placeholder=t(lang, "field.name_placeholder")/>
                    </div>
                    <div class="field">
                        <label for="field-type">{t(lang, "field.type")}</label>
                        <select id="field-type" name="field_type" on:change=move |ev| kind.set(event_target_value(&ev))>
                            {["text", "number", "date", "single_choice", "multi_choice"].into_iter().map(|k| view! { <option value=k>{field_type_label(k)}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field" class:hidden=move || !kind.get().ends_with("choice")>
                        <label for="field-choices">{t(lang, "field.choices")}</label>
                        <textarea id="field-choices" name="choices" rows="3"></textarea>
                        <p class="help">{t(lang, "field.choices_help")}</p>
                    </div>
                    <div class="field field-actions">
                        <button type="submit" class="button button-primary">{t(lang, "field.create")}</button>
                    </div>
                </ActionForm>
                <ActionError value=add_field.value()/>
            })}
        </section>
    }
}

/// タグ on a friend's page: what they carry, and (for those who handle
/// patients) attaching and removing one at a time.
#[component]
pub fn FriendTags(id: String) -> impl IntoView {
    let lang = use_lang();
    let catalog = Resource::new(|| (), |_| tags_overview());
    let friend = id.clone();
    let carried = Resource::new(move || friend.clone(), friend_tags);
    let set = ServerAction::<SetFriendsTag>::new();
    Effect::new(move |_| {
        if matches!(set.value().get(), Some(Ok(_))) {
            carried.refetch();
        }
    });
    let chosen = RwSignal::new(String::new());
    view! {
        <section class="card" data-testid="friend-tags">
            <h2>{t(lang, "tags.on_friend")}</h2>
            <Suspense fallback=Loading>
                {move || {
                    let id = id.clone();
                    Suspend::new(async move {
                        match (catalog.await, carried.await) {
                            (Ok(d), Ok(has)) => {
                                let mine: Vec<TagDto> = d.tags.iter().filter(|t| has.contains(&t.id)).cloned().collect();
                                let others: Vec<TagDto> = d.tags.iter().filter(|t| !has.contains(&t.id)).cloned().collect();
                                let can = d.can_tag;
                                let id_remove = id.clone();
                                view! {
                                    {if mine.is_empty() {
                                        view! { <p class="empty-state">{t(lang, "tags.none_on_friend")}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="tag-list">
                                                {mine.into_iter().map(|tag| {
                                                    let (tag_id, friend) = (tag.id.clone(), id_remove.clone());
                                                    let label = t(lang, "tags.remove_named").replace("{tag}", &tag.name);
                                                    view! {
                                                        <li>
                                                            <TagBadge name=tag.name.clone() color=tag.color.clone()/>
                                                            {can.then(|| view! {
                                                                <button type="button" class="button button-quiet button-small" aria-label=label
                                                                    on:click=move |_| { set.dispatch(SetFriendsTag { friends: vec![friend.clone()], tag: tag_id.clone(), attach: false }); }>
                                                                    "×"
                                                                </button>
                                                            })}
                                                        </li>
                                                    }
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                    {(can && !others.is_empty()).then(|| {
                                        let id = id.clone();
                                        view! {
                                            <div class="form-inline">
                                                <label class="visually-hidden" for="add-tag">{t(lang, "tags.add_to_friend")}</label>
                                                <select id="add-tag" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                                    <option value="">{t(lang, "tags.choose")}</option>
                                                    {others.iter().map(|tag| view! { <option value=tag.id.clone()>{tag.name.clone()}</option> }).collect_view()}
                                                </select>
                                                <button type="button" class="button" disabled=move || chosen.get().is_empty()
                                                    on:click=move |_| {
                                                        set.dispatch(SetFriendsTag { friends: vec![id.clone()], tag: chosen.get_untracked(), attach: true });
                                                        chosen.set(String::new());
                                                    }>
                                                    {t(lang, "tags.attach")}
                                                </button>
                                            </div>
                                        }
                                    })}
                                }.into_any()
                            }
                            (Err(e), _) | (_, Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <ActionError value=set.value()/>
        </section>
    }
}
