//! 画像をアップロード: a file picker that checks the picture in the browser
//! with LINE's rules (the same `model` code the server runs), sends it to
//! `/api/media/images`, and hands back where it is served. The server
//! checks it again and says why in words if it refuses.

use crate::errors::AppError;
use crate::i18n::{t, Lang};
use crate::use_lang;
use leptos::prelude::*;

/// Where an upload is served: the picture and its preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uploaded {
    pub path: String,
    pub preview_path: String,
    /// The picture's size in pixels.
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum State {
    Idle,
    Sending,
    Done(String),
    Refused(String),
}

/// "1.2 MB" / "830 KB", as staff read file sizes.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn size_text(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes / 1024.0).ceil() as u64)
    }
}

/// The refusal the browser can say before sending anything.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn refusal_before_upload(lang: Lang, content_type: &str, bytes: f64) -> Option<String> {
    if bytes <= 0.0 {
        Some(AppError::new("image_empty").message(lang))
    } else if !matches!(content_type, "image/jpeg" | "image/png") {
        Some(AppError::new("image_type").message(lang))
    } else if bytes > model::line_limits::IMAGE_ORIGINAL_MAX_BYTES as f64 {
        Some(AppError::new("image_too_large").message(lang))
    } else {
        None
    }
}

#[component]
pub fn ImageUpload(id: String, on_uploaded: Callback<Uploaded>) -> impl IntoView {
    let lang = use_lang();
    let state = RwSignal::new(State::Idle);
    let input = NodeRef::<leptos::html::Input>::new();
    let on_change = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = input.get() {
            if let Some(file) = el.files().and_then(|f| f.get(0)) {
                if let Some(why) = refusal_before_upload(lang, &file.type_(), file.size()) {
                    state.set(State::Refused(why));
                    el.set_value("");
                    return;
                }
                state.set(State::Sending);
                leptos::task::spawn_local(async move {
                    let result = send(lang, &file).await;
                    match result {
                        Ok((uploaded, summary)) => {
                            on_uploaded.run(uploaded);
                            state.set(State::Done(summary));
                        }
                        Err(why) => state.set(State::Refused(why)),
                    }
                });
                el.set_value("");
            }
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let _ = on_uploaded;
    view! {
        <div class="image-upload">
            // The input stays focusable (hidden only from sight), so the
            // label-button works by keyboard and shows the focus ring.
            <input id=id.clone() type="file" class="file-input" accept="image/jpeg,image/png"
                node_ref=input on:change=on_change data-testid="image-upload"
                disabled=move || state.get() == State::Sending/>
            <label class="button button-small" for=id>{t(lang, "bc.upload")}</label>
            {move || match state.get() {
                State::Idle => view! { <span class="help">{t(lang, "bc.upload_help")}</span> }.into_any(),
                State::Sending => view! { <span class="help" role="status">{t(lang, "bc.uploading")}</span> }.into_any(),
                State::Done(s) => view! { <span class="help upload-done" role="status">{s}</span> }.into_any(),
                State::Refused(s) => view! { <span class="field-problems" role="alert">{s}</span> }.into_any(),
            }}
        </div>
    }
}

/// Posts the file as the request body; the answer is JSON either way.
#[cfg(feature = "hydrate")]
async fn send(lang: Lang, file: &web_sys::File) -> Result<(Uploaded, String), String> {
    post_picture(lang, file, &file.type_()).await
}

/// Uploads a picture made in the browser (the rich menu designer's tiles).
#[cfg(feature = "hydrate")]
pub async fn send_bytes(lang: Lang, bytes: &[u8], content_type: &str) -> Result<Uploaded, String> {
    let body = js_sys::Uint8Array::from(bytes);
    post_picture(lang, &body, content_type).await.map(|(up, _)| up)
}

#[cfg(feature = "hydrate")]
async fn post_picture(lang: Lang, body: &wasm_bindgen::JsValue, content_type: &str) -> Result<(Uploaded, String), String> {
    use wasm_bindgen::JsCast;
    let network = || AppError::new("network").message(lang);
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    let headers = web_sys::Headers::new().map_err(|_| network())?;
    let _ = headers.set("Content-Type", content_type);
    init.set_headers(&headers);
    let window = web_sys::window().ok_or_else(network)?;
    let answer = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init("/api/media/images", &init))
        .await
        .map_err(|_| network())?;
    let res: web_sys::Response = answer.dyn_into().map_err(|_| network())?;
    let text = wasm_bindgen_futures::JsFuture::from(res.text().map_err(|_| network())?)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if !res.ok() {
        return Err(match res.status() {
            401 => AppError::new("not_signed_in").message(lang),
            403 => AppError::new("forbidden").message(lang),
            _ => body["message"].as_str().map(str::to_string).unwrap_or_else(network),
        });
    }
    let s = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    let summary = t(lang, "bc.uploaded")
        .replace("{w}", &body["width"].to_string())
        .replace("{h}", &body["height"].to_string())
        .replace("{size}", &size_text(body["bytes"].as_f64().unwrap_or_default()));
    Ok((
        Uploaded {
            path: s("path"),
            preview_path: s("preview_path"),
            width: body["width"].as_u64().unwrap_or_default() as u32,
            height: body["height"].as_u64().unwrap_or_default() as u32,
        },
        summary,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_refuses_what_line_would() {
        assert!(refusal_before_upload(Lang::Ja, "image/png", 2_000_000.0).is_none());
        assert!(refusal_before_upload(Lang::Ja, "image/gif", 2_000.0).unwrap().contains("JPEGかPNG"));
        assert!(refusal_before_upload(Lang::Ja, "image/jpeg", 11.0 * 1024.0 * 1024.0)
            .unwrap()
            .contains("10MB"));
        assert!(refusal_before_upload(Lang::En, "image/png", 0.0).unwrap().contains("empty"));
        assert_eq!(size_text(830.0 * 1024.0), "830 KB");
        assert_eq!(size_text(2.5 * 1024.0 * 1024.0), "2.5 MB");
    }
}
