//! The `yorisoi` server: configuration, the HTTP router and its guards.

pub mod config;
mod guards;
pub mod metrics;
pub mod sandbox_link;

use app::ssr::ServerContext;
use app::{shell, App};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::collections::HashMap;

#[derive(Clone)]
struct AppState {
    leptos: LeptosOptions,
    ctx: ServerContext,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> LeptosOptions {
        s.leptos.clone()
    }
}

/// Leptos' settings for serving the built site (the WebAssembly and CSS that
/// `cargo leptos build` wrote under `site_root/pkg`).
/// The release build names every site file by its content and lists the
/// names in `hash.txt` beside the binary; Leptos reads that list when it
/// writes a page's links. A binary without one (tests, a build without
/// hashing) links the plain names.
pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    const HASH_FILE: &str = "hash.txt";
    let hashed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE).is_file()))
        .unwrap_or(false);
    LeptosOptions::builder()
        .output_name("yorisoi")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hashed)
        .hash_file(HASH_FILE.into())
        .env(leptos::config::Env::PROD)
        .build()
}

/// The whole HTTP surface: pages, server functions, static files, health.
pub fn router(ctx: ServerContext, leptos: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let state = AppState {
        leptos: leptos.clone(),
        ctx: ctx.clone(),
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/lang/{code}", get(set_language))
        .route("/friends/patients.csv", get(export_patients))
        .route("/sandbox/richmenus/{id}/image", get(sandbox_rich_menu_image))
        .route("/analytics/routes/{id}/qr.svg", get(|s, p, h| route_qr(s, p, h, false)))
        .route("/analytics/routes/{id}/qr.png", get(|s, p, h| route_qr(s, p, h, true)))
        .route(
            "/api/media/images",
            axum::routing::post(upload_image).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY_MAX)),
        )
        .route("/media/{token}", get(|s, p| media_file(s, p, false)))
        .route("/media/{token}/preview", get(|s, p| media_file(s, p, true)))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let ctx = ctx.clone();
                move || {
                    provide_context(ctx.clone());
                    provide_context(app::ssr::RequestActor::default());
                }
            },
            {
                let leptos = leptos.clone();
                move || shell(leptos.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            guards::Origins::new(&ctx.public_url),
            guards::csrf_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            guards::HeaderPolicy {
                https: ctx.public_url.starts_with("https://"),
            },
            guards::security_headers,
        ))
        // Pages and server-function answers, compressed for a browser that
        // asks; /pkg files arrive precompressed (Content-Encoding set) and
        // pictures are already compressed, so both pass through untouched.
        // Level 4: most of Brotli's gain at a small part of its cost.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Precise(4))
                .compress_when(tower_http::compression::Predicate::and(
                    tower_http::compression::DefaultPredicate::new(),
                    tower_http::compression::predicate::NotForContentType::const_new("application/wasm"),
                )),
        )
        // LINE's webhook stands outside the browser's guards and compression:
        // no cookie (its signature is its proof, checked in the engine), no
        // page to protect, a body too small to compress. The front door
        // answers LINE with as little work as it can.
        .route("/line/webhook/{clinic}", axum::routing::post(line_webhook))
        // A patient's tracked link: no cookie, nothing to protect, and the
        // patient should be on their way at once.
        .route("/l/{token}", get(follow_link))
        .route("/metrics", get(metrics::metrics))
        .with_state(state)
}

/// LINE's webhook: verified with the clinic's channel secret, stored
/// durably, acknowledged; a worker processes it afterwards.
async fn line_webhook(
    State(state): State<AppState>,
    Path(clinic): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let signature = headers.get("x-line-signature").and_then(|v| v.to_str().ok());
    match state.ctx.engine.ingest_webhook(&clinic, &body, signature).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => {
            let status = app::errors::status_of(&e);
            // The error names only what was wrong, never the body's content.
            tracing::warn!(clinic = %clinic, status = status.as_u16(), reason = e.code(), "webhook refused");
            (status, e.code()).into_response()
        }
    }
}

/// A plain route's answer to an engine error: its status from the one
/// mapping (`app::errors::status_of`), logged by code when it is ours.
fn refused(e: &engine::EngineError, what: &'static str) -> Response {
    let status = app::errors::status_of(e);
    if status.is_server_error() {
        tracing::error!(reason = e.code(), "{what}");
    }
    status.into_response()
}

/// The signed-in member behind a plain (non-server-function) request.
async fn session_actor(state: &AppState, headers: &axum::http::HeaderMap) -> Option<engine::Actor> {
    let token = app::ssr::cookie_in(headers, app::ssr::SESSION_COOKIE)?;
    state.ctx.engine.authenticate(&token).await.ok()
}

/// A rich menu's image for the sandbox phone (the browser cannot reach the
/// sandbox itself).
async fn sandbox_rich_menu_image(State(state): State<AppState>, Path(id): Path<String>, headers: axum::http::HeaderMap) -> Response {
    let Some(actor) = session_actor(&state, &headers).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match state.ctx.engine.sandbox_rich_menu_image(&actor, &id).await {
        Ok((content_type, bytes)) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        Err(e) => refused(&e, "showing a rich menu's picture failed"),
    }
}

/// An inflow route's QR code to print: SVG (any size) or PNG (20 pixels
/// a module, about 6 cm at 300 dpi for a short address), for signed-in
/// staff only.
async fn route_qr(State(state): State<AppState>, Path(id): Path<String>, headers: axum::http::HeaderMap, png: bool) -> Response {
    let Some(actor) = session_actor(&state, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    match state.ctx.engine.route_qr(&actor, &id, png.then_some(20)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, if png { "image/png" } else { "image/svg+xml" })], bytes).into_response(),
        Err(e) => refused(&e, "drawing a route's QR code failed"),
    }
}

/// A little over LINE's 10 MB, so a file just over it reaches the check
/// that says so in words instead of a bare 413.
const UPLOAD_BODY_MAX: usize = model::line_limits::IMAGE_ORIGINAL_MAX_BYTES + 64 * 1024;

/// A picture for a message, sent as the raw request body. Answers where it
/// is served, or the refusal's code and words in the session's language.
async fn upload_image(State(state): State<AppState>, headers: axum::http::HeaderMap, body: axum::body::Bytes) -> Response {
    let Some(actor) = session_actor(&state, &headers).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match state.ctx.engine.upload_image(&actor, &body).await {
        Ok(up) => {
            // Paths, not URLs: a bundle keeps them so a saved template
            // survives a change of address (`Bundle::with_media_base`).
            let path = format!("{}{}", model::message::MEDIA_PATH, up.token);
            axum::Json(serde_json::json!({
                "path": path,
                "preview_path": format!("{path}/preview"),
                "width": up.width,
                "height": up.height,
                "bytes": up.bytes,
            }))
            .into_response()
        }
        Err(e) => {
            let status = app::errors::status_of(&e);
            if status.is_server_error() {
                tracing::error!(reason = e.code(), "image upload failed");
            }
            let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
            let error = app::errors::AppError {
                code: e.code().to_string(),
                param: e.param(),
            };
            let message = error.message(app::i18n::Lang::from_cookie_header(cookies));
            (status, axum::Json(serde_json::json!({"code": e.code(), "message": message}))).into_response()
        }
    }
}

/// An uploaded picture, for LINE and the patients' phones: public (LINE
/// fetches without a cookie), found only by its unguessable token, and
/// never changing, so it may be cached for good.
async fn media_file(State(state): State<AppState>, Path(token): Path<String>, preview: bool) -> Response {
    match state.ctx.engine.media_file(&token, preview).await {
        Ok((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => refused(&e, "serving a picture failed"),
    }
}

/// A tracked link (`engine::tracked_links`): the click recorded (a
/// person's; not a preview fetcher's or a HEAD), then straight on. Never
/// cached, so every click reaches us; no referrer, so the page sent to
/// does not learn the token.
async fn follow_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: axum::http::Method,
    headers: axum::http::HeaderMap,
) -> Response {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let visit = engine::tracked_links::Visit {
        head: method == axum::http::Method::HEAD,
        user_agent: text("user-agent"),
        prefetch: text("sec-purpose").contains("prefetch") || text("purpose").contains("prefetch"),
    };
    let no_store = [(header::CACHE_CONTROL, "no-store"), (header::REFERRER_POLICY, "no-referrer")];
    match state.ctx.engine.follow_link(&token, visit).await {
        Ok(url) => (StatusCode::FOUND, no_store, [(header::LOCATION, url)]).into_response(),
        Err(engine::EngineError::NotFound) => (
            StatusCode::NOT_FOUND,
            no_store,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            UNKNOWN_LINK_PAGE,
        )
            .into_response(),
        Err(e) => refused(&e, "following a tracked link failed"),
    }
}

/// What a patient sees for a link that was altered or is not ours: plain
/// words, no product chrome (they are not staff).
const UNKNOWN_LINK_PAGE: &str = r#"<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>リンクが見つかりません</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.7;color:#1f2a24}h1{font-size:1.3rem}</style></head><body><h1>このリンクは開けません</h1><p>リンクの一部が欠けているか、変更されている可能性があります。LINEのメッセージからもう一度開いてください。開けない場合は、お手数ですがクリニックへ直接お問い合わせください。</p><p lang="en">This link could not be opened. Please open it again from the LINE message, or contact the clinic.</p></body></html>"#;

/// The patient details CSV, as a download. Authorised like every server
/// function: the session cookie, then the role.
async fn export_patients(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(actor) = session_actor(&state, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    // A GET another site can make with the staff member's cookie (a link,
    // an <img>): the export is refused, and so never recorded, unless the
    // browser says it started here or the user typed or bookmarked it.
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if !matches!(fetch_site, None | Some("same-origin") | Some("none")) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let engine = &state.ctx.engine;
    match engine.export_patients_csv(&actor).await {
        Ok(csv) => {
            let day = engine.today_jst().replace('-', "");
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"patients-{day}.csv\"")),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                csv,
            )
                .into_response()
        }
        Err(e) => refused(&e, "patient export failed"),
    }
}

/// Processes stored webhook events until the server stops: at once when
/// new ones arrive, and every few seconds for anything a crash left behind.
pub async fn run_webhook_worker(engine: engine::Engine) {
    loop {
        match engine.process_webhooks(500).await {
            Ok(500) => continue,
            // A few at a time: let more arrive (20 ms) so they are written in
            // one transaction, instead of taking SQLite's one writer from the
            // intake for a handful of events at a time.
            Ok(n) if n > 0 => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "webhook worker failed; retrying"),
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), engine.inbox_signal.notified()).await;
    }
}

/// Runs automations for queued happenings, apart from webhook intake: at
/// once when something is queued, and every few seconds for what a crash
/// or an unreachable LINE left behind.
pub async fn run_automation_worker(engine: engine::Engine) {
    loop {
        match engine.process_automations(100).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "automation worker failed; retrying"),
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(3), engine.automation_signal.notified()).await;
    }
}

/// Sends sequence steps as they come due: at once when a booking, a
/// change or a saved sequence wakes it, and every few seconds otherwise, so
/// a step goes within seconds of its moment (SPEC asks within 60 s). Each
/// round first enrols those who entered a watched segment.
pub async fn run_sequence_worker(engine: engine::Engine) {
    loop {
        if let Err(e) = engine.enrol_segment_entries().await {
            tracing::error!(reason = e.code(), "segment entries not read; retrying");
        }
        match engine.run_sequences_once().await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(reason = e.code(), "sequence scheduler failed; retrying"),
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), engine.sequence_signal.notified()).await;
    }
}

/// Keeps LINE's rich menus in step with what the clinic published and the
/// rules say (`engine::rich_menu_sync`): at once when a menu or rule
/// changes, and every few seconds for tags and fields that moved friends
/// between segments, scheduled menus and retries.
pub async fn run_rich_menu_worker(engine: engine::Engine) {
    loop {
        match engine.sync_rich_menus_once().await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(reason = e.code(), "rich menu worker failed; retrying"),
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), engine.rich_menu_signal.notified()).await;
    }
}

/// Pushes staff posts and makes their reminders (see
/// `Engine::run_staff_posts_once`), woken by a new post or edit.
pub async fn run_staff_post_worker(engine: engine::Engine) {
    loop {
        match engine.run_staff_posts_once().await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(reason = e.code(), "staff post worker failed; retrying"),
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), engine.staff_post_signal.notified()).await;
    }
}

/// Delivers broadcasts (see `Engine::run_delivery`).
pub async fn run_delivery_worker(engine: engine::Engine) {
    engine.run_delivery().await
}

/// Keeps friends' LINE names and pictures fresh (a few at a time, so the
/// profile endpoint's rate limit is never pressed), and prunes the segment
/// change log.
pub async fn run_housekeeping(engine: engine::Engine) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        if let Err(e) = engine.refresh_stale_profiles(200).await {
            tracing::warn!(error = %e, "profile refresh failed; trying again later");
        }
        if let Err(e) = engine.prune_segment_changes().await {
            tracing::warn!(error = %e, "pruning segment changes failed; trying again later");
        }
        if let Err(e) = engine.prune_rate_windows().await {
            tracing::warn!(error = %e, "pruning rate windows failed; trying again later");
        }
        if let Err(e) = engine.sync_insights_once().await {
            tracing::warn!(error = %e, "reading LINE's statistics failed; trying again later");
        }
        if let Err(e) = engine.prune_clicks().await {
            tracing::warn!(error = %e, "pruning old link clicks failed; trying again later");
        }
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.ctx.engine.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// A path on this site and nothing else. Browsers drop tabs and newlines
/// from a URL and read `\\` as `/`, so `/\t/evil.example` would become the
/// other site's `//evil.example`: any control character, backslash or
/// leading `//` is refused rather than cleaned.
pub fn is_same_site_path(next: &str) -> bool {
    next.starts_with('/') && !next.starts_with("//") && !next.chars().any(|c| c == '\\' || c.is_control())
}

/// `/lang/en?next=/settings` remembers the language and goes back.
async fn set_language(Path(code): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let code = if code == "en" { "en" } else { "ja" };
    let next = q
        .get("next")
        .filter(|n| is_same_site_path(n))
        .cloned()
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}={code}; Path=/; SameSite=Lax; Max-Age=31536000",
        app::i18n::Lang::COOKIE
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
