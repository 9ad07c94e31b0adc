//! Request guards that apply to every route.

use app::ssr::{content_security_policy, PageNonce};
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
/// script at all. A page's policy is `content_security_policy` with the
/// nonce made here for it.
const NON_PAGE_CSP: &str =
    "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub async fn security_headers(State(policy): State<HeaderPolicy>, mut req: Request<Body>, next: Next) -> Response {
    // Pages and API answers may hold staff or patient data: never cached.
    // Uploaded pictures (public, and never changed) say so themselves. A
    // site file named by its content (the release build's) never changes
    // under its name, so a browser keeps it a year without asking; one with
    // a plain name (a build without hashing) is kept but asked about each
    // time, since an old chunk beside a new main file would break pages.
    let path = req.uri().path().to_string();
    let site_file = path.starts_with("/pkg/");
    let cacheable = site_file || path.starts_with(model::message::MEDIA_PATH);
    // Only a GET can answer with a page; its scripts will carry this nonce.
    let nonce = (!site_file && matches!(*req.method(), Method::GET | Method::HEAD)).then(PageNonce::new);
    if let Some(n) = &nonce {
        req.extensions_mut().insert(n.clone());
    }
    let mut res = next.run(req).await;
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let failed = res.status().is_client_error() || res.status().is_server_error();
    let h = res.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    let csp = match nonce {
        Some(PageNonce(n)) if is_page => HeaderValue::from_str(&content_security_policy(&n)).ok(),
        _ => None,
    };
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        csp.unwrap_or(HeaderValue::from_static(NON_PAGE_CSP)),
    );
    if policy.https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !cacheable || failed {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if site_file {
        let kept = if named_by_content(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(kept));
    }
    res
}

/// Whether a site file's name carries the hash of its content, as
/// cargo-leptos writes it: a 22-character base64url part between the stem
/// and the extension (`yorisoi.3q2-7w….wasm`, `chunk_4.9Xa….wasm`). The
/// unhashed split loader is named with 22 underscores in that place.
pub fn named_by_content(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|p| {
            p.len() == 22 && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') && !p.bytes().all(|b| b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::named_by_content;

    #[test]
    fn only_a_name_with_a_content_hash_counts_as_one() {
        assert!(named_by_content("/pkg/yorisoi.Zm9vYmFyYmF6cXV4MTIzNA.wasm"));
        assert!(named_by_content("/pkg/chunk_12.a-b_c0123456789ABCDEFG.wasm.br"));
        assert!(named_by_content("/pkg/__wasm_split.Zm9vYmFyYmF6cXV4MTIzNA.js"));
        assert!(!named_by_content("/pkg/yorisoi.wasm"));
        assert!(!named_by_content("/pkg/__wasm_split.______________________.js"));
        assert!(!named_by_content("/pkg/chunk_12.wasm"));
        // 21 or 23 characters are not cargo-leptos' hash.
        assert!(!named_by_content("/pkg/yorisoi.Zm9vYmFyYmF6cXV4MTIzN.wasm"));
        assert!(!named_by_content("/pkg/yorisoi.Zm9vYmFyYmF6cXV4MTIzNAA.wasm"));
        assert!(!named_by_content("/pkg/snippets/yorisoi-Zm9vYmFyYmF6cXV4MTIzNA/inline0.js"));
    }
}
