//! The rule drawn as nested groups of conditions, each condition's editor
//! by kind (tag, field, date).

use super::editor::{default_condition, path_key, Ctx};
use crate::api::tags::TagsDto;
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use model::segment::*;
use std::sync::Arc;

pub(super) fn group_view(ctx: Ctx, path: Vec<usize>, g: Group) -> AnyView {
    let lang = use_lang();
    let count = g.items.len();
    let (p_join, p_not, p_add, p_group) = (path.clone(), path.clone(), path.clone(), path.clone());
    let (c_join, c_not, c_add, c_group) = (ctx.clone(), ctx.clone(), ctx.clone(), ctx.clone());
    let editable = ctx.editable;
    let depth = path.len();
    let join_id = format!("join-{}", path_key(&path));
    view! {
        <div class="rule-group" class:rule-group-not=g.negate data-testid="rule-group">
            <div class="rule-group-head">
                <label class="visually-hidden" for=join_id.clone()>{t(lang, "seg.join")}</label>
                <select id=join_id disabled=!editable on:change=move |ev| {
                    let join = if event_target_value(&ev) == "any" { Join::Any } else { Join::All };
                    c_join.edit(&p_join, |g| g.join = join);
                }>
                    <option value="all" selected=g.join == Join::All>{t(lang, "seg.join_all")}</option>
                    <option value="any" selected=g.join == Join::Any>{t(lang, "seg.join_any")}</option>
                </select>
                <label class="check">
                    <input type="checkbox" checked=g.negate disabled=!editable on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        c_not.edit(&p_not, |g| g.negate = on);
                    }/>
                    {t(lang, "seg.not")}
                </label>
            </div>
            <ol class="rule-items">
                {g.items.into_iter().enumerate().map(|(i, node)| item_view(ctx.clone(), path.clone(), i, count, node)).collect_view()}
            </ol>
            {editable.then(|| view! {
                <div class="form-inline">
                    <button type="button" class="button button-small" on:click=move |_| {
                        let c = default_condition(&c_add.data);
                        c_add.edit(&p_add, |g| g.items.push(Node::Condition(c)));
                    }>{t(lang, "seg.add_condition")}</button>
                    {(depth < 3).then(|| view! {
                        <button type="button" class="button button-small" on:click=move |_| {
                            let c = default_condition(&c_group.data);
                            c_group.edit(&p_group, |g| g.items.push(Node::Group(Group { join: Join::Any, negate: false, items: vec![Node::Condition(c)] })));
                        }>{t(lang, "seg.add_group")}</button>
                    })}
                </div>
            })}
        </div>
    }
    .into_any()
}

fn item_view(ctx: Ctx, group: Vec<usize>, i: usize, count: usize, node: Node) -> AnyView {
    let lang = use_lang();
    let mut here = group.clone();
    here.push(i);
    let key = path_key(&here);
    let refused = {
        let key = key.clone();
        move || ctx.refusals.with(|r| r.iter().any(|x| x.at == key))
    };
    let body = match node {
        Node::Group(inner) => group_view(ctx.clone(), here.clone(), inner),
        Node::Condition(c) => condition_view(ctx.clone(), group.clone(), i, c),
    };
    let editable = ctx.editable;
    let (c_up, c_down, c_del, c_drag, c_drop) = (ctx.clone(), ctx.clone(), ctx.clone(), ctx.clone(), ctx.clone());
    let (g_up, g_down, g_del, g_drag, g_drop) = (group.clone(), group.clone(), group.clone(), group.clone(), group);
    view! {
        <li class="rule-item" class:rule-item-refused=refused draggable=if editable { "true" } else { "false" } data-testid="rule-item"
            on:dragstart=move |_| c_drag.dragging.set(Some((g_drag.clone(), i)))
            on:dragover=move |ev| ev.prevent_default()
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some((from_group, from)) = c_drop.dragging.get_untracked() {
                    if from_group == g_drop && from != i {
                        c_drop.edit(&g_drop, |g| {
                            let item = g.items.remove(from);
                            g.items.insert(i.min(g.items.len()), item);
                        });
                    }
                }
                c_drop.dragging.set(None);
            }>
            <div class="rule-item-body">{body}</div>
            {editable.then(|| view! {
                <div class="rule-item-tools">
                    <button type="button" class="button button-quiet button-small" aria-label=t(lang, "seg.move_up") disabled=i == 0
                        on:click=move |_| c_up.edit(&g_up, |g| g.items.swap(i, i - 1))>"↑"</button>
                    <button type="button" class="button button-quiet button-small" aria-label=t(lang, "seg.move_down") disabled={i + 1 >= count}
                        on:click=move |_| c_down.edit(&g_down, |g| g.items.swap(i, i + 1))>"↓"</button>
                    <button type="button" class="button button-quiet button-small button-danger" aria-label=t(lang, "seg.remove")
                        on:click=move |_| c_del.edit(&g_del, |g| { g.items.remove(i); })>"×"</button>
                </div>
            })}
        </li>
    }
    .into_any()
}

/// A select whose choice replaces the condition.
fn kind_of(c: &Condition) -> &'static str {
    match c {
        Condition::Tag { .. } => "tag",
        Condition::Field { .. } => "field",
        Condition::Date { .. } => "date",
        Condition::Status { .. } => "status",
        Condition::InflowRoute { .. } => "route",
    }
}

fn op_key(op: Op) -> &'static str {
    match op {
        Op::Eq => "eq",
        Op::Ne => "ne",
        Op::Lt => "lt",
        Op::Gt => "gt",
        Op::Contains => "contains",
        Op::IsEmpty => "is_empty",
        Op::IsNotEmpty => "is_not_empty",
    }
}

fn condition_view(ctx: Ctx, group: Vec<usize>, i: usize, c: Condition) -> AnyView {
    let lang = use_lang();
    let d = ctx.data.clone();
    let editable = ctx.editable;
    let id = format!("cond-{}-{i}", path_key(&group));
    let set = {
        let (ctx, group) = (ctx.clone(), group.clone());
        move |c: Condition| ctx.set_condition(&group, i, c)
    };
    let kind_set = set.clone();
    let kind_data = d.clone();
    let date_fields: Vec<(String, String)> = d
        .fields
        .iter()
        .filter(|f| f.field_type == "date")
        .map(|f| (f.id.clone(), f.name.clone()))
        .collect();
    let kind = view! {
        <label class="visually-hidden" for=format!("{id}-kind")>{t(lang, "seg.kind")}</label>
        <select id=format!("{id}-kind") disabled=!editable on:change=move |ev| {
            let c = match event_target_value(&ev).as_str() {
                "field" => match kind_data.fields.first() {
                    Some(f) => Condition::Field { field: f.id.clone(), op: Op::IsNotEmpty, value: Value::None },
                    None => return,
                },
                "date" => Condition::Date { date: DateSource::BirthDate, when: When::YearsBetween { min: 0, max: 15 } },
                "status" => Condition::Status { status: Status::Active },
                _ => default_condition(&kind_data),
            };
            kind_set(c);
        }>
            {["tag", "field", "date", "status"].into_iter().map(|k| view! { <option value=k selected=kind_of(&c) == k>{t(lang, &format!("seg.kind_{k}"))}</option> }).collect_view()}
        </select>
    };
    let detail = match c {
        Condition::Tag { tag, has } => {
            let (s1, s2) = (set.clone(), set.clone());
            let tag2 = tag.clone();
            view! {
                <label class="visually-hidden" for=format!("{id}-tag")>{t(lang, "seg.kind_tag")}</label>
                <select id=format!("{id}-tag") data-testid="cond-tag" disabled=!editable on:change=move |ev| s1(Condition::Tag { tag: event_target_value(&ev), has })>
                    {(!d.tags.iter().any(|x| x.id == tag)).then(|| view! { <option value=tag.clone() selected=true>{t(lang, "seg.deleted_tag")}</option> })}
                    {tag_options(&d, &tag)}
                </select>
                <label class="visually-hidden" for=format!("{id}-has")>{t(lang, "seg.has")}</label>
                <select id=format!("{id}-has") disabled=!editable on:change=move |ev| s2(Condition::Tag { tag: tag2.clone(), has: event_target_value(&ev) == "has" })>
                    <option value="has" selected=has>{t(lang, "seg.has_tag")}</option>
                    <option value="lacks" selected=!has>{t(lang, "seg.lacks_tag")}</option>
                </select>
            }
            .into_any()
        }
        Condition::Status { status } => {
            let s = set.clone();
            view! {
                <label class="visually-hidden" for=format!("{id}-status")>{t(lang, "seg.kind_status")}</label>
                <select id=format!("{id}-status") disabled=!editable on:change=move |ev| {
                    s(Condition::Status { status: if event_target_value(&ev) == "blocked" { Status::Blocked } else { Status::Active } })
                }>
                    <option value="active" selected=status == Status::Active>{t(lang, "friends.status_active")}</option>
                    <option value="blocked" selected=status == Status::Blocked>{t(lang, "friends.status_blocked")}</option>
                </select>
            }
            .into_any()
        }
        Condition::Field { field, op, value } => field_view(d.clone(), id.clone(), editable, field, op, value, Arc::new(set.clone())),
        Condition::Date { date, when } => date_view(date_fields, id.clone(), editable, date, when, Arc::new(set.clone())),
        Condition::InflowRoute { route } => view! { <span>{route}</span> }.into_any(),
    };
    view! { <div class="condition">{kind}{detail}</div> }.into_any()
}

fn tag_options(d: &TagsDto, selected: &str) -> impl IntoView {
    let mut groups: Vec<(String, Vec<(String, String)>)> = d
        .folders
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                d.tags
                    .iter()
                    .filter(|t| t.folder == f.id)
                    .map(|t| (t.id.clone(), t.name.clone()))
                    .collect(),
            )
        })
        .collect();
    let loose: Vec<(String, String)> = d
        .tags
        .iter()
        .filter(|t| t.folder.is_empty())
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    if !loose.is_empty() {
        groups.push((t(use_lang(), "tags.no_folder"), loose));
    }
    let selected = selected.to_string();
    groups
        .into_iter()
        .filter(|(_, tags)| !tags.is_empty())
        .map(|(folder, tags)| {
            let selected = selected.clone();
            view! {
                <optgroup label=folder>
                    {tags.into_iter().map(|(id, name)| { let sel = id == selected; view! { <option value=id selected=sel>{name}</option> } }).collect_view()}
                </optgroup>
            }
        })
        .collect_view()
}

type SetCondition = Arc<dyn Fn(Condition) + Send + Sync>;

fn field_view(d: Arc<TagsDto>, id: String, editable: bool, field: String, op: Op, value: Value, set: SetCondition) -> AnyView {
    let lang = use_lang();
    let info = d.fields.iter().find(|f| f.id == field).cloned();
    let kind = info.as_ref().and_then(|f| FieldType::parse(&f.field_type));
    let ops: Vec<Op> = kind.map(|k| ops_for(k).to_vec()).unwrap_or_default();
    let (s_field, s_op, s_value) = (set.clone(), set.clone(), set);
    let (f_op, f_value) = (field.clone(), field.clone());
    let choices = info.as_ref().map(|f| f.choices.clone()).unwrap_or_default();
    // The value that fits the new operator (none for 空/空でない).
    let value_for = move |op: Op, old: &Value, kind: Option<FieldType>, first_choice: Option<String>| -> Value {
        if matches!(op, Op::IsEmpty | Op::IsNotEmpty) {
            return Value::None;
        }
        match (kind, old) {
            (Some(FieldType::Text), Value::Text(_))
            | (Some(FieldType::Number), Value::Number(_))
            | (Some(FieldType::Date), Value::Date(_)) => old.clone(),
            (Some(FieldType::SingleChoice | FieldType::MultiChoice), Value::Choice(_)) => old.clone(),
            (Some(FieldType::Text), _) => Value::Text(String::new()),
            (Some(FieldType::Number), _) => Value::Number(0.0),
            (Some(FieldType::Date), _) => Value::Date(Date { y: 2026, m: 1, d: 1 }),
            (Some(_), _) => Value::Choice(first_choice.unwrap_or_default()),
            (None, _) => Value::None,
        }
    };
    let first_choice = choices.first().cloned();
    let old = value.clone();
    let d2 = d.clone();
    let value_input = match (&value, kind) {
        (Value::None, _) => ().into_any(),
        (Value::Text(text), _) => {
            let (s, f) = (s_value.clone(), f_value.clone());
            view! {
                <label class="visually-hidden" for=format!("{id}-value")>{t(lang, "seg.value")}</label>
                <input id=format!("{id}-value") value=text.clone() disabled=!editable on:change=move |ev| s(Condition::Field { field: f.clone(), op, value: Value::Text(event_target_value(&ev)) })/>
            }
            .into_any()
        }
        (Value::Number(n), _) => {
            let (s, f) = (s_value.clone(), f_value.clone());
            view! {
                <label class="visually-hidden" for=format!("{id}-value")>{t(lang, "seg.value")}</label>
                <input id=format!("{id}-value") type="number" step="any" value=n.to_string() disabled=!editable on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<f64>() {
                        s(Condition::Field { field: f.clone(), op, value: Value::Number(n) })
                    }
                }/>
            }
            .into_any()
        }
        (Value::Date(date), _) => {
            let (s, f) = (s_value.clone(), f_value.clone());
            view! {
                <label class="visually-hidden" for=format!("{id}-value")>{t(lang, "seg.value")}</label>
                <input id=format!("{id}-value") type="date" value=format!("{:04}-{:02}-{:02}", date.y, date.m, date.d) disabled=!editable on:change=move |ev| {
                    if let Some(date) = Date::parse(&event_target_value(&ev)) {
                        s(Condition::Field { field: f.clone(), op, value: Value::Date(date) })
                    }
                }/>
            }
            .into_any()
        }
        (Value::Choice(chosen), _) => {
            let (s, f) = (s_value.clone(), f_value.clone());
            let chosen = chosen.clone();
            view! {
                <label class="visually-hidden" for=format!("{id}-value")>{t(lang, "seg.value")}</label>
                <select id=format!("{id}-value") disabled=!editable on:change=move |ev| s(Condition::Field { field: f.clone(), op, value: Value::Choice(event_target_value(&ev)) })>
                    {choices.iter().map(|c| view! { <option value=c.clone() selected=*c == chosen>{c.clone()}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
    };
    view! {
        <label class="visually-hidden" for=format!("{id}-field")>{t(lang, "seg.kind_field")}</label>
        <select id=format!("{id}-field") disabled=!editable on:change=move |ev| {
            let field = event_target_value(&ev);
            let info = d2.fields.iter().find(|f| f.id == field);
            let kind = info.and_then(|f| FieldType::parse(&f.field_type));
            let op = kind.map(|k| if ops_for(k).contains(&op) { op } else { Op::IsNotEmpty }).unwrap_or(Op::IsNotEmpty);
            let first = info.and_then(|f| f.choices.first().cloned());
            s_field(Condition::Field { field, op, value: value_for(op, &Value::None, kind, first) });
        }>
            {d.fields.iter().map(|f| view! { <option value=f.id.clone() selected=f.id == field>{f.name.clone()}</option> }).collect_view()}
        </select>
        <label class="visually-hidden" for=format!("{id}-op")>{t(lang, "seg.op")}</label>
        <select id=format!("{id}-op") disabled=!editable on:change=move |ev| {
            let key = event_target_value(&ev);
            let Some(op) = [Op::Eq, Op::Ne, Op::Lt, Op::Gt, Op::Contains, Op::IsEmpty, Op::IsNotEmpty].into_iter().find(|o| op_key(*o) == key) else { return };
            s_op(Condition::Field { field: f_op.clone(), op, value: value_for(op, &old, kind, first_choice.clone()) });
        }>
            {ops.into_iter().map(|o| view! { <option value=op_key(o) selected=o == op>{t(lang, &format!("seg.op_{}", op_key(o)))}</option> }).collect_view()}
        </select>
        {value_input}
    }
    .into_any()
}

fn when_key(w: &When) -> &'static str {
    match w {
        When::MoreThanMonthsAgo { .. } => "months_ago",
        When::WithinLastDays { .. } => "within_days",
        When::ThisMonth => "this_month",
        When::YearsBetween { .. } => "years",
    }
}

fn date_view(date_fields: Vec<(String, String)>, id: String, editable: bool, date: DateSource, when: When, set: SetCondition) -> AnyView {
    let lang = use_lang();
    let source_key = match &date {
        DateSource::BirthDate => "birth".to_string(),
        DateSource::FirstFollowed => "followed".to_string(),
        DateSource::Field(f) => format!("field:{f}"),
    };
    let (s_source, s_when, s_a, s_b) = (set.clone(), set.clone(), set.clone(), set);
    let (d_when, d_a, d_b) = (date.clone(), date.clone(), date);
    let number = |n: u32| n.to_string();
    let parse = |ev: &leptos::ev::Event| event_target_value(ev).parse::<u32>().ok();
    let amounts = match when {
        When::MoreThanMonthsAgo { months } => view! {
            <label class="visually-hidden" for=format!("{id}-n")>{t(lang, "seg.months")}</label>
            <input id=format!("{id}-n") class="input-narrow" type="number" min="0" max="600" value=number(months) disabled=!editable
                on:change=move |ev| if let Some(months) = parse(&ev) { s_a(Condition::Date { date: d_a.clone(), when: When::MoreThanMonthsAgo { months } }) }/>
            <span>{t(lang, "seg.months_ago")}</span>
        }.into_any(),
        When::WithinLastDays { days } => view! {
            <span>{t(lang, "seg.within_last")}</span>
            <label class="visually-hidden" for=format!("{id}-n")>{t(lang, "seg.days")}</label>
            <input id=format!("{id}-n") class="input-narrow" type="number" min="0" max="3650" value=number(days) disabled=!editable
                on:change=move |ev| if let Some(days) = parse(&ev) { s_a(Condition::Date { date: d_a.clone(), when: When::WithinLastDays { days } }) }/>
            <span>{t(lang, "seg.days_within")}</span>
        }.into_any(),
        When::ThisMonth => ().into_any(),
        When::YearsBetween { min, max } => view! {
            <label class="visually-hidden" for=format!("{id}-min")>{t(lang, "seg.years_min")}</label>
            <input id=format!("{id}-min") class="input-narrow" type="number" min="0" max="150" value=number(min) disabled=!editable
                on:change=move |ev| if let Some(min) = parse(&ev) { s_a(Condition::Date { date: d_a.clone(), when: When::YearsBetween { min, max } }) }/>
            <span>{t(lang, "seg.years_to")}</span>
            <label class="visually-hidden" for=format!("{id}-max")>{t(lang, "seg.years_max")}</label>
            <input id=format!("{id}-max") class="input-narrow" type="number" min="0" max="150" value=number(max) disabled=!editable
                on:change=move |ev| if let Some(max) = parse(&ev) { s_b(Condition::Date { date: d_b.clone(), when: When::YearsBetween { min, max } }) }/>
            <span>{t(lang, "seg.years_old")}</span>
        }.into_any(),
    };
    view! {
        <label class="visually-hidden" for=format!("{id}-source")>{t(lang, "seg.date_source")}</label>
        <select id=format!("{id}-source") disabled=!editable on:change=move |ev| {
            let v = event_target_value(&ev);
            let date = match v.as_str() {
                "birth" => DateSource::BirthDate,
                "followed" => DateSource::FirstFollowed,
                other => DateSource::Field(other.trim_start_matches("field:").to_string()),
            };
            s_source(Condition::Date { date, when });
        }>
            <option value="birth" selected=source_key == "birth">{t(lang, "seg.date_birth")}</option>
            <option value="followed" selected=source_key == "followed">{t(lang, "seg.date_followed")}</option>
            {date_fields.into_iter().map(|(fid, name)| {
                let key = format!("field:{fid}");
                let sel = key == source_key;
                view! { <option value=key selected=sel>{name}</option> }
            }).collect_view()}
        </select>
        <label class="visually-hidden" for=format!("{id}-when")>{t(lang, "seg.when")}</label>
        <select id=format!("{id}-when") disabled=!editable on:change=move |ev| {
            let when = match event_target_value(&ev).as_str() {
                "months_ago" => When::MoreThanMonthsAgo { months: 6 },
                "within_days" => When::WithinLastDays { days: 30 },
                "this_month" => When::ThisMonth,
                _ => When::YearsBetween { min: 0, max: 15 },
            };
            s_when(Condition::Date { date: d_when.clone(), when });
        }>
            {["years", "months_ago", "within_days", "this_month"].into_iter().map(|k| view! { <option value=k selected=when_key(&when) == k>{t(lang, &format!("seg.when_{k}"))}</option> }).collect_view()}
        </select>
        {amounts}
    }
    .into_any()
}
