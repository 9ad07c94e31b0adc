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
    /// Take the client's address from `X-Forwarded-For` (behind a proxy).
    pub trust_forwarded_for: bool,
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
    Ok(engine()?.authenticate(&session_token()).await?)
}

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
    if context().map(|c| c.trust_forwarded_for).unwrap_or(false) {
        if let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return first.trim().to_string();
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
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
