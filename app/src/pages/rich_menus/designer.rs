//! The designer: areas drawn on the menu's picture — drag on an empty
//! spot to draw one, drag an area to move it, its corner handle to resize
//! it; edges snap to a grid and to other areas; with the keyboard, Tab
//! reaches each area, the arrows nudge it (Shift: ten times as far) and
//! Delete removes it; Ctrl+Z and Ctrl+Shift+Z undo and redo. Touch works
//! the same way (pointer events). The rules of what LINE accepts run here
//! as they do on the server (`model::rich_menu`), so problems show while
//! drawing; publishing checks again.

use super::{action_text, place, tile_colour, MenuPicture, TILE_COLOURS};
use crate::api::rich_menus::{load_rich_menu, publish_rich_menu, save_rich_menu};
use crate::components::{ErrorNotice, Loading};
use crate::errors::AppError;
use crate::i18n::{t, Lang};
use crate::use_lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::rich_menu::{
    edges, layouts_for, snap, ActionProblem, AreaAction, AreaProblem, Bounds, DesignProblem, Layout, MenuArea, MenuSize, MenuTab, COMPACT,
    LARGE, MIN_SIDE,
};

/// Snapping: to a grid of this many picture pixels, and to any edge within
/// `SNAP_REACH` of the pointer.
const GRID: u32 = 50;
const SNAP_REACH: u32 = 40;
/// How far an arrow key moves an area (Shift: ten times).
const NUDGE: i64 = 10;
const TABS_MAX: usize = 5;

/// The action kinds, with their words.
const ACTION_KINDS: [(&str, &str); 6] = [
    ("link", "rm.act_link"),
    ("text", "rm.act_text"),
    ("postback", "rm.act_postback"),
    ("switch", "rm.act_switch"),
    ("booking", "rm.act_booking"),
    ("call", "rm.act_call"),
];

fn kind_of(a: &AreaAction) -> &'static str {
    match a {
        AreaAction::Link { .. } => "link",
        AreaAction::Text { .. } => "text",
        AreaAction::Postback { .. } => "postback",
        AreaAction::SwitchTab { .. } => "switch",
        AreaAction::Booking => "booking",
        AreaAction::Call { .. } => "call",
    }
}

/// A fresh action of `kind` (its text to be filled in).
fn action_of_kind(kind: &str, tab: usize, tabs: usize) -> AreaAction {
    match kind {
        "link" => AreaAction::Link { url: "https://".into() },
        "postback" => AreaAction::Postback { data: String::new() },
        "switch" => AreaAction::SwitchTab {
            tab: ((tab + 1) % tabs.max(2)) as u32,
        },
        "booking" => AreaAction::Booking,
        "call" => AreaAction::Call { number: String::new() },
        _ => AreaAction::Text { text: String::new() },
    }
}

/// What the pointer is doing on the picture, in picture pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Drag {
    Draw {
        from: (i64, i64),
        to: (i64, i64),
    },
    Move {
        area: usize,
        from: (i64, i64),
        start: Bounds,
        now: Bounds,
    },
    Resize {
        area: usize,
        from: (i64, i64),
        start: Bounds,
        now: Bounds,
    },
}

fn problem_text(lang: Lang, p: &DesignProblem) -> String {
    let n = |i: &usize| (i + 1).to_string();
    match p {
        DesignProblem::Size(_) => t(lang, "rm.problem_size"),
        DesignProblem::ChatBarText => t(lang, "rm.problem_bar"),
        DesignProblem::Area(AreaProblem::TooMany) => t(lang, "rm.problem_too_many"),
        DesignProblem::Area(AreaProblem::TooSmall(i)) => t(lang, "rm.problem_small").replace("{n}", &n(i)),
        DesignProblem::Area(AreaProblem::OutOfBounds(i)) => t(lang, "rm.problem_out").replace("{n}", &n(i)),
        DesignProblem::Area(AreaProblem::Overlaps(a, b)) => t(lang, "rm.problem_overlap").replace("{a}", &n(a)).replace("{b}", &n(b)),
        DesignProblem::Label(i) => t(lang, "rm.problem_label").replace("{n}", &n(i)),
        DesignProblem::Action(i, p) => {
            let key = match p {
                ActionProblem::BadLink => "rm.problem_link",
                ActionProblem::EmptyText => "rm.problem_empty",
                ActionProblem::TextTooLong => "rm.problem_long",
                ActionProblem::BadNumber => "rm.problem_number",
                ActionProblem::NoSuchTab => "rm.problem_tab",
            };
            t(lang, key).replace("{n}", &n(i))
        }
    }
}

/// The areas a problem is about (to outline them in red).
fn problem_areas(p: &DesignProblem) -> Vec<usize> {
    match p {
        DesignProblem::Area(AreaProblem::TooSmall(i) | AreaProblem::OutOfBounds(i))
        | DesignProblem::Label(i)
        | DesignProblem::Action(i, _) => {
            vec![*i]
        }
        DesignProblem::Area(AreaProblem::Overlaps(a, b)) => vec![*a, *b],
        _ => vec![],
    }
}

#[component]
pub fn RichMenuEditPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").filter(|i| i != "new").unwrap_or_default());
    let loaded = Resource::new(move || id.get(), load_rich_menu);
    view! {
        <p><a href="/richmenus">{t(lang, "rm.back")}</a></p>
        <h1>{move || if id.get().is_empty() { t(lang, "rm.new_title") } else { t(lang, "rm.edit_title") }}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((name, tabs)) => view! { <Designer id=id.get_untracked() name tabs/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Designer(id: String, name: String, tabs: Vec<MenuTab>) -> impl IntoView {
    let lang = use_lang();
    let id = RwSignal::new(id);
    let name = RwSignal::new(name);
    let saved = StoredValue::new((name.get_untracked(), tabs.clone()));
    let tabs = RwSignal::new(tabs);
    let current = RwSignal::new(0usize);
    let selected = RwSignal::new(None::<usize>);
    let history = StoredValue::new((Vec::<Vec<MenuTab>>::new(), Vec::<Vec<MenuTab>>::new()));
    let drag = RwSignal::new(None::<Drag>);
    let surface = NodeRef::<leptos::html::Div>::new();
    let dirty = Memo::new(move |_| saved.with_value(|(n, t)| *n != name.get() || *t != tabs.get()));
    crate::components::warn_before_leaving(dirty);

    let tab = Memo::new(move |_| tabs.with(|all| all.get(current.get()).cloned().unwrap_or_else(model::rich_menu::blank_tab)));
    let problems = Memo::new(move |_| {
        let count = tabs.with(Vec::len) as u32;
        tab.with(|t| t.design.problems(current.get() as u32, count))
    });
    // Every change of the tabs goes through here, so it can be undone.
    let change = move |f: &dyn Fn(&mut Vec<MenuTab>)| {
        let before = tabs.get_untracked();
        let mut after = before.clone();
        f(&mut after);
        if after != before {
            history.update_value(|(undo, redo)| {
                undo.push(before);
                redo.clear();
            });
            tabs.set(after);
        }
    };
    let change_tab = move |f: &dyn Fn(&mut MenuTab)| {
        let i = current.get_untracked();
        change(&|all: &mut Vec<MenuTab>| {
            if let Some(t) = all.get_mut(i) {
                f(t)
            }
        });
    };
    let undo = move || {
        history.update_value(|(undo, redo)| {
            if let Some(prev) = undo.pop() {
                redo.push(tabs.get_untracked());
                tabs.set(prev);
            }
        });
        selected.set(None);
    };
    let redo = move || {
        history.update_value(|(undo, redo)| {
            if let Some(next) = redo.pop() {
                undo.push(tabs.get_untracked());
                tabs.set(next);
            }
        });
        selected.set(None);
    };

    // Picture pixels under the pointer.
    let at = move |ev: &leptos::ev::PointerEvent| -> Option<(i64, i64)> {
        #[cfg(feature = "hydrate")]
        {
            let el = surface.get_untracked()?;
            let r = el.get_bounding_client_rect();
            let size = tab.with_untracked(|t| t.design.size);
            if r.width() <= 0.0 || r.height() <= 0.0 {
                return None;
            }
            let x = (ev.client_x() as f64 - r.left()) / r.width() * size.width as f64;
            let y = (ev.client_y() as f64 - r.top()) / r.height() * size.height as f64;
            Some((x.round() as i64, y.round() as i64))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (ev, surface);
            None
        }
    };
    let capture = move |ev: &leptos::ev::PointerEvent| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = surface.get_untracked() {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    // Snaps a point to the other areas' edges, then the grid.
    let snapped = move |p: (i64, i64), except: Option<usize>| {
        tab.with_untracked(|t| {
            let areas: Vec<Bounds> = t.design.areas.iter().map(|a| a.bounds).collect();
            let (xs, ys) = edges(t.design.size, &areas, except);
            (snap(p.0, &xs, GRID, SNAP_REACH), snap(p.1, &ys, GRID, SNAP_REACH))
        })
    };
    let on_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        let Some(p) = at(&ev) else { return };
        capture(&ev);
        let p = snapped(p, None);
        selected.set(None);
        drag.set(Some(Drag::Draw { from: p, to: p }));
    };
    let start_area = move |ev: leptos::ev::PointerEvent, area: usize, resize: bool| {
        if ev.button() != 0 {
            return;
        }
        ev.stop_propagation();
        let Some(p) = at(&ev) else { return };
        capture(&ev);
        selected.set(Some(area));
        let Some(start) = tab.with_untracked(|t| t.design.areas.get(area).map(|a| a.bounds)) else {
            return;
        };
        drag.set(Some(if resize {
            Drag::Resize {
                area,
                from: p,
                start,
                now: start,
            }
        } else {
            Drag::Move {
                area,
                from: p,
                start,
                now: start,
            }
        }));
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let Some(d) = drag.get_untracked() else { return };
        let Some(p) = at(&ev) else { return };
        let size = tab.with_untracked(|t| t.design.size);
        drag.set(Some(match d {
            Drag::Draw { from, .. } => Drag::Draw {
                from,
                to: snapped(p, None),
            },
            Drag::Move { area, from, start, .. } => {
                let moved = start.moved(p.0 - from.0, p.1 - from.1, size);
                let (x, y) = snapped((moved.x as i64, moved.y as i64), Some(area));
                Drag::Move {
                    area,
                    from,
                    start,
                    now: moved.moved(x - moved.x as i64, y - moved.y as i64, size),
                }
            }
            Drag::Resize { area, from, start, .. } => {
                let grown = start.resized(p.0 - from.0, p.1 - from.1, size);
                let (r, b) = snapped((grown.right() as i64, grown.bottom() as i64), Some(area));
                Drag::Resize {
                    area,
                    from,
                    start,
                    now: grown.resized(r - grown.right() as i64, b - grown.bottom() as i64, size),
                }
            }
        }));
    };
    let on_up = move |_ev: leptos::ev::PointerEvent| {
        let Some(d) = drag.get_untracked() else { return };
        drag.set(None);
        match d {
            Drag::Draw { from, to } => {
                let size = tab.with_untracked(|t| t.design.size);
                let b = Bounds::from_drag(from, to, size);
                // A click, not a drag: nothing drawn.
                if b.width < MIN_SIDE || b.height < MIN_SIDE {
                    return;
                }
                let n = tab.with_untracked(|t| t.design.areas.len());
                change_tab(&|t| {
                    let colour = TILE_COLOURS[t.design.areas.len() % TILE_COLOURS.len()].to_string();
                    t.design.areas.push(MenuArea {
                        bounds: b,
                        label: String::new(),
                        action: AreaAction::Text { text: String::new() },
                        colour,
                    })
                });
                selected.set(Some(n));
            }
            Drag::Move { area, now, .. } | Drag::Resize { area, now, .. } => change_tab(&|t| {
                if let Some(a) = t.design.areas.get_mut(area) {
                    a.bounds = now;
                }
            }),
        }
    };
    // Undo and redo anywhere in the designer but in a text box (which
    // keeps the browser's own).
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if typing_in_field(&ev) {
            return;
        }
        let ctrl = ev.ctrl_key() || ev.meta_key();
        let key = ev.key();
        if ctrl && (key == "z" || key == "Z") {
            ev.prevent_default();
            if ev.shift_key() {
                redo()
            } else {
                undo()
            }
            return;
        }
        if ctrl && key == "y" {
            ev.prevent_default();
            redo();
        }
    };
    // On the whole page while the designer is open: after an area is
    // deleted the focus is on the page, and Ctrl+Z must still bring it back.
    let listener = window_event_listener(leptos::ev::keydown, on_key);
    on_cleanup(move || listener.remove());
    // The arrows and Delete act on the focused area.
    let on_area_key = move |ev: leptos::ev::KeyboardEvent, i: usize| {
        let key = ev.key();
        let step = if ev.shift_key() { NUDGE * 10 } else { NUDGE };
        let (dx, dy) = match key.as_str() {
            "ArrowLeft" => (-step, 0),
            "ArrowRight" => (step, 0),
            "ArrowUp" => (0, -step),
            "ArrowDown" => (0, step),
            "Delete" | "Backspace" => {
                ev.prevent_default();
                change_tab(&|t| {
                    if i < t.design.areas.len() {
                        t.design.areas.remove(i);
                    }
                });
                selected.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        change_tab(&|t| {
            let size = t.design.size;
            if let Some(a) = t.design.areas.get_mut(i) {
                a.bounds = a.bounds.moved(dx, dy, size);
            }
        });
        // The areas are drawn again: the moved one keeps the focus.
        focus_area(i);
    };
    // What the picture shows: the tab, with the area being dragged where
    // the pointer has it.
    let shown = Memo::new(move |_| {
        let mut t = tab.get();
        if let Some(Drag::Move { area, now, .. } | Drag::Resize { area, now, .. }) = drag.get() {
            if let Some(a) = t.design.areas.get_mut(area) {
                a.bounds = now;
            }
        }
        t
    });
    let bad_areas = Memo::new(move |_| problems.with(|ps| ps.iter().flat_map(problem_areas).collect::<Vec<_>>()));

    // Saving and publishing.
    let failure = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<&'static str>);
    let navigate = use_navigate();
    let save = move |publish: bool| {
        let navigate = navigate.clone();
        busy.set(true);
        failure.set(None);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let mut all = tabs.get_untracked();
            if publish {
                if let Err(e) = draw_tile_pictures(lang, &mut all).await {
                    failure.set(Some(e));
                    busy.set(false);
                    return;
                }
            }
            let result = save_rich_menu(id.get_untracked(), name.get_untracked(), all.clone()).await;
            let result = match result {
                Ok(menu) => {
                    id.set(menu.clone());
                    saved.set_value((name.get_untracked(), tabs.get_untracked()));
                    if publish {
                        publish_rich_menu(menu).await.map(|_| ())
                    } else {
                        Ok(())
                    }
                }
                Err(e) => Err(e),
            };
            busy.set(false);
            match result {
                Ok(()) if publish => navigate("/richmenus?published=1", Default::default()),
                Ok(()) => notice.set(Some("rm.saved")),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let save_draft = save.clone();

    let name_section = view! {
            <section class="card form">
                <div class="field">
                    <label for="rm-name">{t(lang, "rm.name")}</label>
                    <input id="rm-name" maxlength="100" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
            </section>
    }
    .into_any();
    let tabs_section = view! {
            <section class="card">
                <h2>{t(lang, "rm.tabs")}</h2>
                <p class="help">{t(lang, "rm.tabs_help")}</p>
                <div class="rm-tabs" role="tablist" aria-label=t(lang, "rm.tabs")>
                    {move || (0..tabs.with(Vec::len)).map(|i| {
                        let t_i = Memo::new(move |_| tabs.with(|all| all.get(i).cloned()));
                        view! {
                            <button type="button" role="tab" class="rm-tab" aria-selected=move || (current.get() == i).to_string()
                                data-testid="rm-tab"
                                on:click=move |_| { current.set(i); selected.set(None); }>
                                <span>{t(lang, "rm.tab_n").replace("{n}", &(i + 1).to_string())}</span>
                                {move || t_i.get().map(|tab| view! { <MenuPicture tab/> })}
                            </button>
                        }
                    }).collect_view()}
                    <button type="button" class="button button-small" data-testid="rm-add-tab"
                        disabled=move || tabs.with(|all| all.len() >= TABS_MAX)
                        on:click=move |_| {
                            let size = tab.with_untracked(|t| t.design.size);
                            change(&|all: &mut Vec<MenuTab>| {
                                let mut fresh = model::rich_menu::blank_tab();
                                fresh.design.size = size;
                                all.push(fresh);
                            });
                            current.set(tabs.with_untracked(Vec::len) - 1);
                            selected.set(None);
                        }>{t(lang, "rm.add_tab")}</button>
                    <Show when=move || tabs.with(|all| all.len() > 1)>
                        <button type="button" class="button button-small button-danger" data-testid="rm-remove-tab"
                            on:click=move |_| {
                                let i = current.get_untracked();
                                change(&|all: &mut Vec<MenuTab>| { if all.len() > 1 && i < all.len() { all.remove(i); } });
                                current.set(i.saturating_sub(1));
                                selected.set(None);
                            }>{t(lang, "rm.remove_tab")}</button>
                    </Show>
                </div>
            </section>
    }
    .into_any();
    let work_section = view! {
            <section class="card rm-work">
                <div class="rm-settings form form-inline">
                    <div class="field">
                        <label for="rm-size">{t(lang, "rm.size")}</label>
                        <select id="rm-size" prop:value=move || if tab.with(|t| t.design.size == LARGE) { "large" } else { "compact" }
                            on:change=move |ev| {
                                let size: MenuSize = if event_target_value(&ev) == "large" { LARGE } else { COMPACT };
                                change_tab(&|t| {
                                    let old = t.design.size;
                                    t.design.size = size;
                                    // Areas keep their place relative to the picture.
                                    for a in &mut t.design.areas {
                                        let sy = |v: u32| (v as u64 * size.height as u64 / old.height.max(1) as u64) as u32;
                                        a.bounds.y = sy(a.bounds.y);
                                        a.bounds.height = sy(a.bounds.height).max(MIN_SIDE);
                                    }
                                    t.image = None;
                                });
                            }>
                            <option value="compact">{t(lang, "rm.size_compact")}</option>
                            <option value="large">{t(lang, "rm.size_large")}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="rm-bar">{t(lang, "rm.bar")}</label>
                        <input id="rm-bar" maxlength="14" prop:value=move || tab.with(|t| t.design.chat_bar_text.clone())
                            on:change=move |ev| { let v = event_target_value(&ev); change_tab(&|t| t.design.chat_bar_text = v.clone()); }/>
                    </div>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || tab.with(|t| t.design.opens_by_default)
                            on:change=move |ev| { let v = event_target_checked(&ev); change_tab(&|t| t.design.opens_by_default = v); }/>
                        {t(lang, "rm.opens")}
                    </label>
                </div>
                <div class="rm-layouts" role="group" aria-label=t(lang, "rm.layouts")>
                    <span class="help">{t(lang, "rm.layouts")}</span>
                    {move || layouts_for(tab.with(|t| t.design.size)).into_iter().map(|l| view! {
                        <button type="button" class="button button-small" data-testid="rm-layout"
                            on:click=move |_| {
                                change_tab(&|t| {
                                    let size = t.design.size;
                                    t.design.areas = l.areas(size).into_iter().enumerate().map(|(i, bounds)| MenuArea {
                                        bounds,
                                        label: String::new(),
                                        action: AreaAction::Text { text: String::new() },
                                        colour: TILE_COLOURS[i % TILE_COLOURS.len()].to_string(),
                                    }).collect();
                                });
                                selected.set(None);
                            }>{layout_name(lang, l)}</button>
                    }).collect_view()}
                </div>
                <p class="help" id="rm-draw-help">{t(lang, "rm.draw_help")}</p>
                <div class="rm-surface" node_ref=surface data-testid="rm-surface" aria-describedby="rm-draw-help"
                    style=move || { let s = tab.with(|t| t.design.size); format!("aspect-ratio:{}/{}", s.width, s.height) }
                    on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=move |_| drag.set(None)>
                    {move || shown.get().image.filter(|_| !shown.with(|t| t.tiles)).map(|token| view! {
                        <img class="rm-picture-img" src=format!("{}{token}", model::message::MEDIA_PATH) alt="" draggable="false"/>
                    })}
                    {move || {
                        let t = shown.get();
                        let bad = bad_areas.get();
                        t.design.areas.iter().enumerate().map(|(i, a)| {
                            let style = format!("{};--tile:{}", place(t.design.size, a.bounds), tile_colour(a));
                            let label = if a.label.trim().is_empty() { t_untitled(lang, i) } else { a.label.clone() };
                            let does = action_text(lang, &a.action);
                            let aria = format!("{label}: {does}");
                            let tiles = t.tiles;
                            view! {
                                <div class="rm-area" class:rm-area-tile=tiles class:rm-area-bad=bad.contains(&i)
                                    class:rm-area-selected=move || selected.get() == Some(i)
                                    id=format!("rm-area-{i}") style=style tabindex="0" role="button" aria-label=aria data-testid="rm-area"
                                    on:pointerdown=move |ev| start_area(ev, i, false)
                                    on:keydown=move |ev| on_area_key(ev, i)
                                    on:focus=move |_| selected.set(Some(i))>
                                    <span class="rm-area-label">{label}</span>
                                    <span class="rm-area-does">{does}</span>
                                    <span class="rm-handle" aria-hidden="true" data-testid="rm-handle"
                                        on:pointerdown=move |ev| start_area(ev, i, true)></span>
                                </div>
                            }
                        }).collect_view()
                    }}
                    {move || match drag.get() {
                        Some(Drag::Draw { from, to }) => {
                            let size = tab.with(|t| t.design.size);
                            Some(view! { <div class="rm-drawing" style=place(size, Bounds::from_drag(from, to, size))></div> })
                        }
                        _ => None,
                    }}
                </div>
                <div class="rm-history">
                    <button type="button" class="button button-small" on:click=move |_| undo()
                        disabled=move || { tabs.track(); history.with_value(|(u, _)| u.is_empty()) }>{t(lang, "rm.undo")}</button>
                    <button type="button" class="button button-small" on:click=move |_| redo()
                        disabled=move || { tabs.track(); history.with_value(|(_, r)| r.is_empty()) }>{t(lang, "rm.redo")}</button>
                    <span class="help">{move || t(lang, "rm.area_count").replace("{n}", &tab.with(|t| t.design.areas.len()).to_string())}</span>
                </div>
                <Show when=move || !problems.with(Vec::is_empty)>
                    <ul class="field-problems" data-testid="rm-problems" aria-live="polite">
                        {move || problems.get().iter().map(|p| view! { <li>{problem_text(lang, p)}</li> }).collect_view()}
                    </ul>
                </Show>
                <Picture tab change_tab/>
            </section>
    }
    .into_any();
    let actions_section = view! {
            <section class="card form-actions">
                {move || failure.get().map(|e| view! { <ErrorNotice error=e/> })}
                {move || notice.get().map(|k| view! { <p class="notice notice-ok" role="status">{t(lang, k)}</p> })}
                <button type="button" class="button" data-testid="rm-save" disabled=move || busy.get()
                    on:click=move |_| save_draft(false)>{t(lang, "rm.save")}</button>
                <button type="button" class="button button-primary-inline" data-testid="rm-publish"
                    disabled=move || busy.get() || !problems.with(Vec::is_empty)
                    on:click=move |_| save(true)>{t(lang, "rm.publish")}</button>
                <p class="help">{t(lang, "rm.publish_help")}</p>
            </section>
    }
    .into_any();
    view! {
        <div class="rm-designer">
            {name_section}
            {tabs_section}
            {work_section}
            {move || selected.get().filter(|i| tab.with(|t| *i < t.design.areas.len())).map(|i| view! {
                <AreaPanel i tab tabs current change_tab on_remove=Callback::new(move |_| {
                    change_tab(&|t| { if i < t.design.areas.len() { t.design.areas.remove(i); } });
                    selected.set(None);
                })/>
            })}
            {actions_section}
        </div>
    }
}

/// Focuses area `i` once the picture has been drawn again.
fn focus_area(i: usize) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("rm-area-{i}")))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = i;
}

/// Whether a key was pressed in a text box or a list (its own keys).
fn typing_in_field(ev: &leptos::ev::KeyboardEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

fn t_untitled(lang: Lang, i: usize) -> String {
    t(lang, "rm.untitled").replace("{n}", &(i + 1).to_string())
}

fn layout_name(lang: Lang, l: Layout) -> String {
    match l {
        Layout::Grid { cols, rows } => t(lang, "rm.layout_grid")
            .replace("{c}", &cols.to_string())
            .replace("{r}", &rows.to_string()),
        Layout::WideTop { below } => t(lang, "rm.layout_wide").replace("{n}", &below.to_string()),
        Layout::LargeLeft => t(lang, "rm.layout_large_left"),
    }
}

/// The tab's picture: drawn from the tiles, or uploaded.
#[component]
fn Picture(tab: Memo<MenuTab>, change_tab: impl Fn(&dyn Fn(&mut MenuTab)) + Copy + Send + Sync + 'static) -> impl IntoView {
    let lang = use_lang();
    // LINE takes only a picture of exactly the menu's size: said at once,
    // not at publishing.
    let wrong_size = RwSignal::new(false);
    let on_uploaded = Callback::new(move |up: crate::components::image_upload::Uploaded| {
        let size = tab.with_untracked(|t| t.design.size);
        if (up.width, up.height) != (size.width, size.height) {
            wrong_size.set(true);
            return;
        }
        wrong_size.set(false);
        let token = up.path.trim_start_matches(model::message::MEDIA_PATH).to_string();
        change_tab(&|t| {
            t.image = Some(token.clone());
            t.tiles = false;
        });
    });
    view! {
        <fieldset class="rm-picture-choice">
            <legend>{t(lang, "rm.picture")}</legend>
            <label class="check">
                <input type="radio" name="rm-picture" prop:checked=move || tab.with(|t| t.tiles)
                    on:change=move |_| change_tab(&|t| t.tiles = true)/>
                {t(lang, "rm.picture_tiles")}
            </label>
            <label class="check">
                <input type="radio" name="rm-picture" prop:checked=move || !tab.with(|t| t.tiles)
                    on:change=move |_| change_tab(&|t| t.tiles = false)/>
                {t(lang, "rm.picture_upload")}
            </label>
            <Show when=move || !tab.with(|t| t.tiles)>
                <p class="help">{move || {
                    let s = tab.with(|t| t.design.size);
                    t(lang, "rm.picture_upload_help").replace("{w}", &s.width.to_string()).replace("{h}", &s.height.to_string())
                }}</p>
                <crate::components::image_upload::ImageUpload id="rm-upload".to_string() on_uploaded/>
                <Show when=move || wrong_size.get()>
                    <p class="field-problems" role="alert">{move || {
                        let s = tab.with(|t| t.design.size);
                        t(lang, "rm.picture_wrong_size").replace("{w}", &s.width.to_string()).replace("{h}", &s.height.to_string())
                    }}</p>
                </Show>
            </Show>
        </fieldset>
    }
}

/// The chosen area's name, colour, action and exact place.
#[component]
fn AreaPanel(
    i: usize,
    tab: Memo<MenuTab>,
    tabs: RwSignal<Vec<MenuTab>>,
    current: RwSignal<usize>,
    change_tab: impl Fn(&dyn Fn(&mut MenuTab)) + Copy + Send + Sync + 'static,
    on_remove: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let area = move || tab.with(|t| t.design.areas.get(i).cloned());
    let set = move |f: &dyn Fn(&mut MenuArea)| {
        change_tab(&|t| {
            if let Some(a) = t.design.areas.get_mut(i) {
                f(a)
            }
        })
    };
    let kind = move || area().map(|a| kind_of(&a.action)).unwrap_or("text");
    let text_value = move || {
        area()
            .map(|a| match a.action {
                AreaAction::Link { url } => url,
                AreaAction::Text { text } => text,
                AreaAction::Postback { data } => data,
                AreaAction::Call { number } => number,
                _ => String::new(),
            })
            .unwrap_or_default()
    };
    let set_text = move |v: String| {
        set(&|a| {
            a.action = match &a.action {
                AreaAction::Link { .. } => AreaAction::Link { url: v.clone() },
                AreaAction::Text { .. } => AreaAction::Text { text: v.clone() },
                AreaAction::Postback { .. } => AreaAction::Postback { data: v.clone() },
                AreaAction::Call { .. } => AreaAction::Call { number: v.clone() },
                other => other.clone(),
            }
        })
    };
    let number = move |key: &'static str, get: fn(&Bounds) -> u32, put: fn(&mut Bounds, u32)| {
        view! {
            <div class="field field-narrow">
                <label for=format!("rm-{key}")>{t(lang, &format!("rm.{key}"))}</label>
                <input id=format!("rm-{key}") type="number" min="0" max="2500" step="1"
                    prop:value=move || area().map(|a| get(&a.bounds).to_string()).unwrap_or_default()
                    on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { set(&|a| put(&mut a.bounds, v)); } }/>
            </div>
        }
    };
    view! {
        <section class="card form rm-panel" data-testid="rm-panel" aria-labelledby="rm-panel-title">
            <h2 id="rm-panel-title">{t_untitled(lang, i)}</h2>
            <div class="field">
                <label for="rm-label">{t(lang, "rm.label")}</label>
                <input id="rm-label" maxlength="20" prop:value=move || area().map(|a| a.label).unwrap_or_default()
                    on:input=move |ev| { let v = event_target_value(&ev); set(&|a| a.label = v.clone()); }/>
                <p class="help">{t(lang, "rm.label_help")}</p>
            </div>
            <div class="field">
                <label for="rm-kind">{t(lang, "rm.action")}</label>
                <select id="rm-kind" prop:value=kind on:change=move |ev| {
                    let k = event_target_value(&ev);
                    let (tab_i, count) = (current.get_untracked(), tabs.with_untracked(Vec::len));
                    set(&|a| a.action = action_of_kind(&k, tab_i, count));
                }>
                    {ACTION_KINDS.into_iter().map(|(k, label)| view! { <option value=k>{t(lang, label)}</option> }).collect_view()}
                </select>
            </div>
            {move || match kind() {
                "switch" => {
                    let count = tabs.with(Vec::len);
                    view! {
                        <div class="field">
                            <label for="rm-switch">{t(lang, "rm.switch_to")}</label>
                            <select id="rm-switch"
                                prop:value=move || area().and_then(|a| match a.action { AreaAction::SwitchTab { tab } => Some(tab.to_string()), _ => None }).unwrap_or_default()
                                on:change=move |ev| { if let Ok(n) = event_target_value(&ev).parse::<u32>() { set(&|a| a.action = AreaAction::SwitchTab { tab: n }); } }>
                                {(0..count).map(|n| view! { <option value=n.to_string()>{t(lang, "rm.tab_n").replace("{n}", &(n + 1).to_string())}</option> }).collect_view()}
                            </select>
                            {(count < 2).then(|| view! { <p class="help">{t(lang, "rm.switch_help")}</p> })}
                        </div>
                    }.into_any()
                }
                "booking" => view! { <p class="help">{t(lang, "rm.booking_help")}</p> }.into_any(),
                k => {
                    let (label, help) = match k {
                        "link" => ("rm.url", "rm.url_help"),
                        "postback" => ("rm.postback", "rm.postback_help"),
                        "call" => ("rm.number", "rm.number_help"),
                        _ => ("rm.text", "rm.text_help"),
                    };
                    view! {
                        <div class="field">
                            <label for="rm-value">{t(lang, label)}</label>
                            <input id="rm-value" prop:value=text_value on:input=move |ev| set_text(event_target_value(&ev))/>
                            <p class="help">{t(lang, help)}</p>
                        </div>
                    }.into_any()
                }
            }}
            <fieldset class="rm-colours">
                <legend>{t(lang, "rm.colour")}</legend>
                {TILE_COLOURS.into_iter().enumerate().map(|(n, c)| view! {
                    <label class="rm-colour" style=format!("--tile:{c}")>
                        <input type="radio" name="rm-colour" prop:checked=move || area().is_some_and(|a| a.colour == c)
                            on:change=move |_| set(&|a| a.colour = c.to_string())/>
                        <span class="visually-hidden">{t(lang, "rm.colour_n").replace("{n}", &(n + 1).to_string())}</span>
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="form-inline">
                {number("x", |b| b.x, |b, v| b.x = v)}
                {number("y", |b| b.y, |b, v| b.y = v)}
                {number("width", |b| b.width, |b, v| b.width = v)}
                {number("height", |b| b.height, |b, v| b.height = v)}
            </div>
            <button type="button" class="button button-small button-danger" data-testid="rm-remove-area"
                on:click=move |_| on_remove.run(())>{t(lang, "rm.remove_area")}</button>
        </section>
    }
}

/// Draws each tile tab's picture in the browser at the tab's exact size
/// and uploads it, so the tab carries a picture LINE takes.
async fn draw_tile_pictures(lang: Lang, tabs: &mut [MenuTab]) -> Result<(), AppError> {
    for tab in tabs.iter_mut().filter(|t| t.tiles) {
        #[cfg(feature = "hydrate")]
        {
            let png = tiles::draw(tab).ok_or_else(|| AppError::new("rich_menu_image"))?;
            let up = crate::components::image_upload::send_bytes(lang, &png, "image/png")
                .await
                .map_err(|_| AppError::new("rich_menu_image"))?;
            tab.image = Some(up.path.trim_start_matches(model::message::MEDIA_PATH).to_string());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (lang, tab);
    }
    Ok(())
}

#[cfg(feature = "hydrate")]
mod tiles {
    use model::rich_menu::MenuTab;
    use wasm_bindgen::JsCast;

    /// The tab's tiles on a canvas of the menu's size, as PNG bytes.
    pub fn draw(tab: &MenuTab) -> Option<Vec<u8>> {
        let size = tab.design.size;
        let document = web_sys::window()?.document()?;
        let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
        canvas.set_width(size.width);
        canvas.set_height(size.height);
        let cx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        cx.set_fill_style_str("#ffffff");
        cx.fill_rect(0.0, 0.0, size.width as f64, size.height as f64);
        cx.set_text_align("center");
        cx.set_text_baseline("middle");
        for a in &tab.design.areas {
            let b = a.bounds;
            cx.set_fill_style_str(super::tile_colour(a));
            // A white seam between tiles.
            cx.fill_rect(b.x as f64 + 4.0, b.y as f64 + 4.0, b.width as f64 - 8.0, b.height as f64 - 8.0);
            let px = (b.height as f64 * 0.2)
                .min(b.width as f64 / (a.label.chars().count().max(1) as f64 + 1.0))
                .max(24.0);
            cx.set_font(&format!("bold {px:.0}px sans-serif"));
            cx.set_fill_style_str("#ffffff");
            let _ = cx.fill_text(
                a.label.trim(),
                b.x as f64 + b.width as f64 / 2.0,
                b.y as f64 + b.height as f64 / 2.0,
            );
        }
        let url = canvas.to_data_url_with_type("image/png").ok()?;
        let encoded = url.split_once(',')?.1;
        let binary = web_sys::window()?.atob(encoded).ok()?;
        Some(binary.chars().map(|c| c as u32 as u8).collect())
    }
}
