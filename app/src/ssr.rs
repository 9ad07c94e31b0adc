//! Server-side plumbing for the server functions: the engine, the session
//! cookie, the caller's address. Compiled only into the server.

use crate::errors::AppError;
use engine::{Actor, Engine};
use http::header::{COOKIE, SET_COOKIE};
use http::HeaderValue;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use model::Permission;

pub const SESSION_COOKIE: &str = "yorisoi_session";

/// What the server hands every server function and page render.
#[derive(Clone)]
pub struct ServerContext {
    pub engine: Engine,
    /// Set the `Secure` flag on cookies (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// How many reverse proxies of the clinic's own stand in front of this
    /// server; each appends the address it saw to `X-Forwarded-For`. 0: the
    /// header is ignored.
    pub trusted_proxies: usize,
    /// The URL staff and LINE use to reach this server.
    pub public_url: String,
}

pub fn context() -> Result<ServerContext, AppError> {
    use_context::<ServerContext>().ok_or_else(|| AppError::new("internal"))
}

pub fn engine() -> Result<Engine, AppError> {
    Ok(context()?.engine)
}

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// A cookie's value from the request.
pub fn cookie(name: &str) -> Option<String> {
    cookie_in(&request_parts()?.headers, name)
}

/// A cookie's value from request headers (also for plain axum handlers).
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

pub fn session_token() -> String {
    cookie(SESSION_COOKIE).unwrap_or_default()
}

/// The signed-in caller, or `not_signed_in`.
pub async fn actor() -> Result<Actor, AppError> {
    let token = session_token();
    let Some(known) = use_context::<RequestActor>() else {
        return Ok(engine()?.authenticate(&token).await?);
    };
    // A page's shell and each of its data ask at once; the first asks the
    // database and the others wait for its answer instead of asking too.
    let mut known = known.0.lock().await;
    if let Some((t, actor)) = known.as_ref() {
        if *t == token {
            return Ok(actor.clone());
        }
    }
    let actor = engine()?.authenticate(&token).await?;
    *known = Some((token, actor.clone()));
    Ok(actor)
}

/// The caller as this request first found them. One per request (the
/// server provides a fresh one to every request), so a session ended or
/// changed is seen by the next request. A refusal is not kept: whoever asks
/// next asks the database again.
#[derive(Clone, Default)]
pub struct RequestActor(std::sync::Arc<tokio::sync::Mutex<Option<(String, Actor)>>>);

/// The signed-in caller if their role grants `permission`; otherwise a
/// refusal with HTTP 403, whatever the page showed or hid.
pub async fn actor_with(permission: Permission) -> Result<Actor, AppError> {
    let actor = actor().await?;
    actor.require(permission)?;
    Ok(actor)
}

/// The caller's IP address, for throttling and the audit log.
pub fn client_ip() -> String {
    let Some(parts) = request_parts() else { return String::new() };
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    client_address(&forwarded, &peer, context().map(|c| c.trusted_proxies).unwrap_or(0))
}

/// The client's address behind `trusted_proxies` proxies of our own. The
/// left of `X-Forwarded-For` is whatever the client chose to send; only
/// the entries our proxies appended, counted from the right, can be
/// believed, so the client is the `trusted_proxies`-th from the right.
pub fn client_address(forwarded_for: &[&str], peer: &str, trusted_proxies: usize) -> String {
    if trusted_proxies == 0 {
        return peer.to_string();
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    match hops.len().checked_sub(trusted_proxies) {
        Some(i) => hops[i].to_string(),
        // Fewer hops than proxies: the request did not come through them
        // all, so the left-most hop is as far as can be seen.
        None => hops.first().copied().unwrap_or(peer).to_string(),
    }
}

/// The Content-Security-Policy of a page: scripts only from this site and
/// the inline hydration script carrying this response's `nonce` (Leptos
/// puts it on every script it writes), WebAssembly allowed to compile;
/// pictures from this site and LINE's CDN (LINE emoji); never framed.
/// Style attributes stay allowed (progress bars and tag colours are set in
/// them); style elements and sheets only from here.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; \
         img-src 'self' data: blob: https://*.line-scdn.net; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The nonce of one page response. The server's header guard makes it
/// before the page renders and sends the policy with it; the page's
/// scripts carry it because the shell hands it to Leptos
/// (`use_page_nonce`). The header does not wait on the render (a policy
/// added through the render's response options once went missing and left
/// a page with the strict policy of a download, inert).
#[derive(Clone)]
pub struct PageNonce(pub std::sync::Arc<str>);

impl PageNonce {
    pub fn new() -> PageNonce {
        PageNonce(leptos::nonce::Nonce::new().as_inner().clone())
    }
}

impl Default for PageNonce {
    fn default() -> Self {
        Self::new()
    }
}

/// Makes the request's `PageNonce` the one Leptos writes on every script
/// (in place of the one it made itself). Called first in the shell, before
/// any script is written.
pub fn use_page_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<PageNonce>().cloned());
    if let Some(PageNonce(value)) = nonce {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(value));
    }
}

fn set_cookie(value: String) {
    if let (Some(res), Ok(v)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&value)) {
        res.append_header(SET_COOKIE, v);
    }
}

pub fn set_session_cookie(token: &str) {
    let secure = if context().map(|c| c.secure_cookies).unwrap_or(false) {
        "; Secure"
    } else {
        ""
    };
    let max_age = engine::accounts::SESSION_MAX_MS / 1000;
    set_cookie(format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ));
}

pub fn clear_session_cookie() {
    set_cookie(format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"));
}

#[cfg(test)]
mod tests {
    use super::client_address;

    #[test]
    fn the_client_is_counted_from_the_right_past_our_own_proxies() {
        // The client forged "1.1.1.1"; our one proxy appended what it saw.
        assert_eq!(client_address(&["1.1.1.1, 203.0.113.7"], "10.0.0.2", 1), "203.0.113.7");
        // Two proxies: the second appended the first's address.
        assert_eq!(client_address(&["1.1.1.1, 203.0.113.7, 10.0.0.1"], "10.0.0.2", 2), "203.0.113.7");
        // Several header lines are one list.
        assert_eq!(client_address(&["1.1.1.1", "203.0.113.7"], "10.0.0.2", 1), "203.0.113.7");
        // Not trusted: the header means nothing.
        assert_eq!(client_address(&["1.1.1.1"], "10.0.0.2", 0), "10.0.0.2");
        assert_eq!(client_address(&[], "10.0.0.2", 1), "10.0.0.2");
    }
}
