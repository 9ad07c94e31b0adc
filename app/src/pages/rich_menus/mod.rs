//! リッチメニュー: the designer (areas drawn on the picture, their actions,
//! tabs), the list with who sees which menu, and a menu's picture as the
//! phone would show it.

mod designer;
mod list;

pub use designer::RichMenuEditPage;
pub use list::RichMenusPage;

use crate::i18n::{t, Lang};
use crate::use_lang;
use leptos::prelude::*;
use model::rich_menu::{AreaAction, Bounds, MenuArea, MenuSize, MenuTab};

/// The tile colours the designer offers (white text reads on each).
pub const TILE_COLOURS: [&str; 6] = ["#2e7d6b", "#1f5fa8", "#b5473a", "#b7791f", "#6d4c9f", "#53606a"];

/// An area's place as CSS percentages of a picture of `size`.
fn place(size: MenuSize, b: Bounds) -> String {
    let (w, h) = (size.width as f64, size.height as f64);
    format!(
        "left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%",
        b.x as f64 / w * 100.0,
        b.y as f64 / h * 100.0,
        b.width as f64 / w * 100.0,
        b.height as f64 / h * 100.0
    )
}

/// An area's tile colour (the first of the palette until one is chosen).
fn tile_colour(a: &MenuArea) -> &str {
    if a.colour.is_empty() {
        TILE_COLOURS[0]
    } else {
        &a.colour
    }
}

/// What an area does, in words: 「タブ2を表示」「https://…を開く」.
pub fn action_text(lang: Lang, a: &AreaAction) -> String {
    let unset = match a {
        AreaAction::Link { url: v } | AreaAction::Text { text: v } | AreaAction::Postback { data: v } | AreaAction::Call { number: v } => {
            v.trim().is_empty() || v == "https://"
        }
        _ => false,
    };
    if unset {
        return t(lang, "rm.does_unset");
    }
    match a {
        AreaAction::Link { url } => t(lang, "rm.does_link").replace("{url}", url),
        AreaAction::Text { text } => t(lang, "rm.does_text").replace("{text}", text),
        AreaAction::Postback { data } => t(lang, "rm.does_postback").replace("{data}", data),
        AreaAction::SwitchTab { tab } => t(lang, "rm.does_switch").replace("{n}", &(tab + 1).to_string()),
        AreaAction::Booking => t(lang, "rm.does_booking"),
        AreaAction::Call { number } => t(lang, "rm.does_call").replace("{number}", number),
    }
}

/// A tab's picture as patients will see it: the uploaded picture, or the
/// tiles the designer draws from the areas' names and colours.
#[component]
pub fn MenuPicture(tab: MenuTab) -> impl IntoView {
    let lang = use_lang();
    let ratio = format!("aspect-ratio:{}/{}", tab.design.size.width, tab.design.size.height);
    let picture = match (&tab.image, tab.tiles) {
        (Some(token), false) => {
            view! { <img class="rm-picture-img" src=format!("{}{token}", model::message::MEDIA_PATH) alt=""/> }.into_any()
        }
        _ => tab
            .design
            .areas
            .iter()
            .map(|a| {
                view! {
                    <span class="rm-tile" style=format!("{};background:{}", place(tab.design.size, a.bounds), tile_colour(a))>{a.label.clone()}</span>
                }
            })
            .collect_view()
            .into_any(),
    };
    view! {
        <div class="rm-picture" style=ratio role="img" aria-label=t(lang, "rm.picture_of").replace("{bar}", &tab.design.chat_bar_text)>
            {picture}
        </div>
    }
}
