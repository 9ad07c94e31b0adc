//! Request guards that apply to every route.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The origins a state-changing request may come from.
#[derive(Clone)]
pub struct Origins {
    public: String,
}

impl Origins {
    pub fn new(public_url: &str) -> Origins {
        Origins {
            public: public_url.trim_end_matches('/').to_string(),
        }
    }
}

/// CSRF protection for every state-changing request (all server functions
/// and forms): the browser must say the request comes from this site, by
/// `Sec-Fetch-Site: same-origin` or by an `Origin` that is this site. A
/// request that says neither is refused, so a forged cross-site form or
/// fetch can never act with a staff member's cookie.
pub async fn csrf_guard(State(origins): State<Origins>, req: Request<Body>, next: Next) -> Response {
    // LINE's webhook is routed outside this guard (`router`): it carries no
    // browser cookie, and its signature is its proof.
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let same_origin = match (fetch_site, origin) {
        (Some("same-origin"), _) => true,
        (Some(_), _) => false,
        (None, Some(origin)) => origin == origins.public || host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, o)| o == h)),
        (None, None) => false,
    };
    if same_origin {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site state-changing request");
        use app::i18n::{t, Lang};
        // No session language here: say it in both, from the catalogue.
        (
            StatusCode::FORBIDDEN,
            format!("{} / {}", t(Lang::Ja, "error.csrf"), t(Lang::En, "error.csrf")),
        )
            .into_response()
    }
}

/// What `security_headers` adds besides the fixed headers.
#[derive(Clone, Copy)]
pub struct HeaderPolicy {
    /// Served over HTTPS: browsers are told to keep to it (HSTS).
    pub https: bool,
}

/// Answers other than pages (server functions, pictures, downloads) run no
/// script at all.
const NON_PAGE_CSP: &str =
    "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub async fn security_headers(State(policy): State<HeaderPolicy>, req: Request<Body>, next: Next) -> Response {
    // Pages and API answers may hold staff or patient data: never cached.
    // Uploaded pictures (public, and never changed) say so themselves. The
    // WebAssembly, its chunks and the CSS keep their names from one release
    // to the next (a chunk's name is its place, not its content), so a
    // browser keeps them but asks each time whether they changed (a 304
    // costs a round trip, an old chunk beside a new main file breaks pages).
    let path = req.uri().path();
    let site_file = path.starts_with("/pkg/");
    let cacheable = site_file || path.starts_with(model::message::MEDIA_PATH);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    // Pages send their own, with the nonce of their hydration script.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(NON_PAGE_CSP));
    }
    if policy.https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !cacheable {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if site_file {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    res
}
