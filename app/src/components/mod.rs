pub mod emoji_picker;
pub mod image_upload;
pub mod line_link;
pub mod shell;

use crate::errors::AppError;
use crate::i18n::t;
use crate::use_lang;
use leptos::prelude::*;

/// A refusal or failure, said plainly. A missing permission gets the
/// page-level sentence; a lost session links back to login.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let lang = use_lang();
    let text = if error.code == "forbidden" {
        t(lang, "error.forbidden_page")
    } else {
        error.message(lang)
    };
    let to_login = error.code == "not_signed_in";
    view! {
        <div class="notice notice-error" role="alert">
            <p>{text}</p>
            {to_login.then(|| view! { <p><a href="/login" rel="external">{t(lang, "login.back")}</a></p> })}
        </div>
    }
}

/// The error of the last run of a form's action, if it failed.
#[component]
pub fn ActionError<T: Clone + Send + Sync + 'static>(#[prop(into)] value: Signal<Option<Result<T, AppError>>>) -> impl IntoView {
    move || match value.get() {
        Some(Err(e)) => Some(view! { <ErrorNotice error=e/> }),
        _ => None,
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    let lang = use_lang();
    view! { <p class="loading" role="status" aria-live="polite">{t(lang, "common.loading")}</p> }
}

/// An act that cannot be taken back (or that costs messages), asked first:
/// the button, then the question with 「yes」 and 「no」 in its place.
#[component]
pub fn AskFirst(
    /// The button's words.
    #[prop(into)]
    ask: String,
    #[prop(into)] question: String,
    /// The words that go ahead (they may change, e.g. to 「このまま送信」).
    #[prop(into)]
    yes: Signal<String>,
    #[prop(into)] no: String,
    /// Red buttons: the act removes or ends something.
    #[prop(optional)]
    danger: bool,
    on_yes: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let (ask_class, yes_class) = if danger {
        ("button button-danger", "button button-danger")
    } else {
        ("button", "button button-primary")
    };
    let label = question.clone();
    view! {
        <Show when=move || asking.get() fallback=move || view! {
            <button type="button" class=ask_class on:click=move |_| asking.set(true)>{ask.clone()}</button>
        }>
            <div class="confirm" role="alertdialog" aria-label=label.clone()>
                <p>{question.clone()}</p>
                <button type="button" class=yes_class on:click=move |_| { asking.set(false); on_yes.run(()); }>{move || yes.get()}</button>
                <button type="button" class="button" on:click=move |_| asking.set(false)>{no.clone()}</button>
            </div>
        </Show>
    }
}

/// A full page load of `path`, so the server renders the signed-in shell
/// afresh (after the session itself changed: clinic, second factor).
pub fn reload_at(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Asks before the tab is closed or reloaded with unsaved changes.
pub fn warn_before_leaving(dirty: Memo<bool>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        Effect::new(move |_| {
            let Some(w) = web_sys::window() else { return };
            if dirty.get() {
                let warn = Closure::<dyn FnMut(web_sys::BeforeUnloadEvent)>::new(|ev: web_sys::BeforeUnloadEvent| {
                    ev.prevent_default();
                    ev.set_return_value("unsaved");
                });
                w.set_onbeforeunload(Some(warn.as_ref().unchecked_ref()));
                warn.forget();
            } else {
                w.set_onbeforeunload(None);
            }
        });
        on_cleanup(|| {
            if let Some(w) = web_sys::window() {
                w.set_onbeforeunload(None);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = dirty;
}

/// Marks the page interactive once the part it sits in has hydrated; the
/// browser tests wait for it before they act. Nested routes hydrate in
/// later microtasks than their parent, so the mark waits for the next task,
/// when all of them have run.
#[component]
pub fn HydrationMark() -> impl IntoView {
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        set_timeout(
            || {
                if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
                    let _ = body.set_attribute("data-hydrated", "true");
                }
            },
            std::time::Duration::ZERO,
        );
    });
}

/// A new password and its confirmation, with the rule said beside it; the
/// browser checks the length the server checks.
#[component]
pub fn NewPasswordFields(
    /// The form field (and element ID) of the new password.
    name: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let min = model::MIN_PASSWORD_CHARS.to_string();
    view! {
        <label for=name>{t(lang, "pw.new")}</label>
        <input id=name name=name type="password" autocomplete="new-password" minlength=min.clone() required/>
        <p class="help">{t(lang, "pw.help")}</p>
        <label for="confirm">{t(lang, "pw.confirm")}</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength=min required/>
    }
}

/// The file chosen in `input` as text: UTF-8 (with or without a BOM), else
/// Shift_JIS as Excel saves it in Japan.
#[cfg(feature = "hydrate")]
pub async fn read_text_file(input: web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    match String::from_utf8(bytes.clone()) {
        Ok(text) => Some(text),
        Err(_) => web_sys::TextDecoder::new_with_label("shift_jis")
            .ok()?
            .decode_with_u8_array(&bytes)
            .ok(),
    }
}

/// A table offered as a CSV file (UTF-8 with a byte-order mark, so Excel
/// opens the Japanese right), made in the page: nothing is asked of the
/// server again.
#[component]
pub fn CsvDownload(
    /// The file's name, without `.csv`.
    #[prop(into)]
    name: String,
    rows: Vec<Vec<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let href = format!(
        "data:text/csv;charset=utf-8,{}",
        percent_encode(&format!("\u{feff}{}", csv_text(&rows)))
    );
    view! {
        <a class="button button-small" href=href download=format!("{name}.csv") data-testid="csv-download">{t(lang, "common.csv")}</a>
    }
}

/// Rows as CSV text: every field quoted where it must be, CRLF between rows.
pub fn csv_text(rows: &[Vec<String>]) -> String {
    let field = |f: &String| {
        if f.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.clone()
        }
    };
    rows.iter()
        .map(|r| r.iter().map(field).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod csv_tests {
    #[test]
    fn fields_with_commas_quotes_or_lines_are_quoted() {
        let rows = vec![
            vec!["URL".to_string(), "クリック".to_string()],
            vec!["https://a.example/?x=1,2".to_string(), "say \"hi\"".to_string()],
        ];
        assert_eq!(
            super::csv_text(&rows),
            "URL,クリック\r\n\"https://a.example/?x=1,2\",\"say \"\"hi\"\"\"\r\n"
        );
    }
}
