//! LINE絵文字: a palette of LINE's standard emoji that puts the chosen one's
//! token (`{絵文字:001}`) at the cursor of a text field.

use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;
use model::emoji::{image_url, palette, token, STANDARD_PRODUCT};

/// `text` with `insert` put at `pos`, a cursor position in UTF-16 code
/// units as the browser reports it (past the end: at the end).
pub fn insert_at_utf16(text: &str, pos: usize, insert: &str) -> String {
    let mut units = 0;
    let at = text
        .char_indices()
        .find(|(_, c)| {
            let here = units >= pos;
            units += c.len_utf16();
            here
        })
        .map_or(text.len(), |(i, _)| i);
    format!("{}{insert}{}", &text[..at], &text[at..])
}

/// The cursor of the text field `field_id`, if the page has one.
fn cursor_of(field_id: &str) -> Option<usize> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let el = web_sys::window()?.document()?.get_element_by_id(field_id)?;
        let area: web_sys::HtmlTextAreaElement = el.dyn_into().ok()?;
        area.selection_start().ok().flatten().map(|n| n as usize)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = field_id;
        None
    }
}

/// `on_pick` gets the token and where the cursor was (None: at the end).
#[component]
pub fn EmojiPicker(field_id: String, on_pick: Callback<(String, Option<usize>)>) -> impl IntoView {
    let lang = use_lang();
    let open = RwSignal::new(false);
    let panel_id = format!("{field_id}-emoji");
    view! {
        <div class="emoji-picker">
            <button type="button" class="button button-small" aria-expanded=move || open.get().to_string()
                aria-controls=panel_id.clone() on:click=move |_| open.update(|o| *o = !*o) data-testid="emoji-toggle">
                {t(lang, "bc.emoji")}
            </button>
            <Show when=move || open.get()>
                <div id=panel_id.clone() class="emoji-grid" role="group" aria-label=t(lang, "bc.emoji")>
                    {palette().map(|id| {
                        let label = t(lang, "phone.emoji").replace("{id}", &id);
                        let pick = token(STANDARD_PRODUCT, &id);
                        let field_id = field_id.clone();
                        view! {
                            <button type="button" class="emoji-choice" aria-label=label.clone() title=label
                                on:click=move |_| on_pick.run((pick.clone(), cursor_of(&field_id)))>
                                <img src=image_url(STANDARD_PRODUCT, &id) alt="" loading="lazy"/>
                                <span class="emoji-id">{id.clone()}</span>
                            </button>
                        }
                    }).collect_view()}
                    <p class="help">{t(lang, "bc.emoji_help")}</p>
                </div>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::insert_at_utf16;

    #[test]
    fn the_token_goes_where_the_cursor_is() {
        assert_eq!(insert_at_utf16("予約", 1, "X"), "予X約");
        // 🍎 is two units: a cursor after it is at 2.
        assert_eq!(insert_at_utf16("🍎予約", 2, "X"), "🍎X予約");
        assert_eq!(insert_at_utf16("予約", 0, "X"), "X予約");
        assert_eq!(insert_at_utf16("予約", 99, "X"), "予約X");
    }
}
