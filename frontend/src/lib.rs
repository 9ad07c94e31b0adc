//! The WebAssembly entry: hydrates the server-rendered page.
// Leptos views nest deep types; the release build of large pages needs more room.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
