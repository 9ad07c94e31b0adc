//! The HTTP surface as a browser (or an attacker) meets it: server
//! functions with and without a session, across roles and tenants, forged
//! cross-site requests. Runs on the backend the test run selects.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use engine::demo::seed::DEMO_ACCOUNTS;
use engine::{Engine, SecretBox, SystemClock};
use model::Role;
use std::sync::Arc;
use tower::ServiceExt;

const ORIGIN: &str = "http://127.0.0.1:3000";

struct Site {
    router: Router,
    engine: Engine,
}

async fn site() -> Site {
    let db = store::testing::fresh_db().await.expect("test database");
    let engine = Engine::new(
        db,
        Arc::new(SystemClock),
        SecretBox::from_base64(&SecretBox::generate_key()).unwrap(),
    );
    engine.seed_demo_if_empty().await.unwrap();
    let router = common::router_for(engine.clone(), ORIGIN);
    Site { router, engine }
}

struct Answer {
    status: StatusCode,
    cookie: Option<String>,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Site {
    async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let cookie = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("yorisoi_session="))
            .map(|c| c.split(';').next().unwrap().to_string());
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        Answer {
            status,
            cookie,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    /// A server function call as the hydrated page makes it.
    async fn call(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>, origin: Option<&str>) -> Answer {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{}={}", k, model::percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:3000");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    async fn login(&self, role: Role) -> String {
        let a = DEMO_ACCOUNTS.iter().find(|a| a.role == role).unwrap();
        let res = self
            .call("login", &[("email", a.email), ("password", a.password)], None, Some(ORIGIN))
            .await;
        assert!(
            res.status.is_success() || res.status.is_redirection(),
            "login {role:?}: {} {}",
            res.status,
            res.body
        );
        res.cookie.expect("login sets the session cookie")
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let mut req = Request::get(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    async fn role_of(&self, email: &str) -> String {
        let user = self.engine.db_for_tests().user_by_email(email).await.unwrap().unwrap();
        let clinics = self.engine.db_for_tests().memberships_of(user.id).await.unwrap();
        clinics[0].role.clone()
    }
}

async fn public_id_of(site: &Site, email: &str) -> String {
    site.engine.db_for_tests().user_by_email(email).await.unwrap().unwrap().public_id
}

#[tokio::test]
async fn health_and_readiness() {
    let s = site().await;
    assert_eq!(s.get("/healthz", None).await.status, StatusCode::OK);
    let ready = s.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, "ready");
}

#[tokio::test]
async fn login_sets_an_httponly_cookie_and_a_wrong_password_says_why() {
    let s = site().await;
    let a = &DEMO_ACCOUNTS[0];
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, ORIGIN)
        .body(Body::from(format!(
            "email={}&password={}",
            model::percent_encode(a.email),
            model::percent_encode(a.password)
        )))
        .unwrap();
    let res = s.router.clone().oneshot(req).await.unwrap();
    let set_cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );

    let wrong = s
        .call("login", &[("email", a.email), ("password", "wrong-password")], None, Some(ORIGIN))
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("invalid_credentials"), "{}", wrong.body);
    assert!(wrong.cookie.is_none());
}

#[tokio::test]
async fn a_viewer_is_refused_admin_functions_by_the_server() {
    let s = site().await;
    let viewer = s.login(Role::Viewer).await;
    let staff_id = public_id_of(&s, "staff@sakura.example").await;
    for (endpoint, form) in [
        ("staff_list", vec![]),
        ("audit_list", vec![("kind", "")]),
        ("staff_role", vec![("user", staff_id.as_str()), ("role", "admin")]),
        ("staff_disabled", vec![("user", staff_id.as_str()), ("disabled", "true")]),
        (
            "staff_invite",
            vec![("email", "new@sakura.example"), ("name", "新人"), ("role", "admin")],
        ),
        ("security_set", vec![("required", "true")]),
    ] {
        let res = s.call(endpoint, &form, Some(&viewer), Some(ORIGIN)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{endpoint}: {}", res.body);
        assert!(res.body.contains("forbidden"), "{endpoint}: {}", res.body);
    }
    assert_eq!(s.role_of("staff@sakura.example").await, "staff");
    assert!(s.engine.db_for_tests().user_by_email("new@sakura.example").await.unwrap().is_none());
    // The admin page itself answers 403 to a viewer, not only a hidden link.
    let page = s.get("/settings/staff", Some(&viewer)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(page.body.contains("このページを表示する権限がありません"));
}

#[tokio::test]
async fn without_a_session_nothing_is_served() {
    let s = site().await;
    let res = s.call("staff_list", &[], None, Some(ORIGIN)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = s.call("staff_list", &[], Some("yorisoi_session=guessed-token"), Some(ORIGIN)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // Pages send a visitor without a session to the login page.
    let page = s.get("/settings/staff", None).await;
    assert!(page.status.is_redirection(), "{}", page.status);
}

#[tokio::test]
async fn forged_cross_site_requests_are_refused() {
    let s = site().await;
    let owner = s.login(Role::Owner).await;
    let staff_id = public_id_of(&s, "staff@sakura.example").await;
    let form = [("user", staff_id.as_str()), ("role", "admin")];
    // Another site's form, and a request that names no origin at all.
    for origin in [Some("https://evil.example"), None] {
        let res = s.call("staff_role", &form, Some(&owner), origin).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{origin:?}");
        assert!(res.body.contains("安全のため"), "{}", res.body);
    }
    let req = Request::post("/api/staff_role")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:3000")
        .header("sec-fetch-site", "cross-site")
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &owner)
        .body(Body::from(format!("user={staff_id}&role=admin")))
        .unwrap();
    assert_eq!(s.send(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.role_of("staff@sakura.example").await, "staff", "nothing changed");
    // The same request from the site itself goes through.
    let res = s.call("staff_role", &form, Some(&owner), Some(ORIGIN)).await;
    assert!(res.status.is_success(), "{} {}", res.status, res.body);
    assert_eq!(s.role_of("staff@sakura.example").await, "admin");
}

#[tokio::test]
async fn another_clinics_owner_cannot_reach_sakura_by_guessed_ids() {
    let s = site().await;
    s.engine
        .create_owner(
            "医療法人ほかの会",
            "ほかのクリニック",
            "other@other.example",
            "他院 院長",
            "other-owner-pass",
        )
        .await
        .unwrap();
    let res = s
        .call(
            "login",
            &[("email", "other@other.example"), ("password", "other-owner-pass")],
            None,
            Some(ORIGIN),
        )
        .await;
    let other = res.cookie.unwrap();
    let viewer_id = public_id_of(&s, "viewer@sakura.example").await;
    let owner_id = public_id_of(&s, "owner@sakura.example").await;

    let res = s
        .call("staff_role", &[("user", &viewer_id), ("role", "admin")], Some(&other), Some(ORIGIN))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    let res = s
        .call(
            "staff_disabled",
            &[("user", &owner_id), ("disabled", "true")],
            Some(&other),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);

    let sakura = s
        .engine
        .db_for_tests()
        .user_by_email("owner@sakura.example")
        .await
        .unwrap()
        .unwrap();
    let sakura_clinic = s.engine.db_for_tests().memberships_of(sakura.id).await.unwrap()[0]
        .clinic_public_id
        .clone();
    let res = s
        .call("switch_clinic", &[("clinic", &sakura_clinic)], Some(&other), Some(ORIGIN))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    let list = s.call("staff_list", &[], Some(&other), Some(ORIGIN)).await;
    assert!(list.status.is_success());
    assert!(!list.body.contains("sakura.example"), "{}", list.body);
    let audit = s.call("audit_list", &[("kind", "")], Some(&other), Some(ORIGIN)).await;
    assert!(!audit.body.contains("sakura.example"), "{}", audit.body);

    assert_eq!(s.role_of("viewer@sakura.example").await, "viewer");
    assert!(
        s.engine
            .db_for_tests()
            .user_by_email("owner@sakura.example")
            .await
            .unwrap()
            .unwrap()
            .disabled
            == 0
    );
}

#[tokio::test]
async fn the_login_page_renders_in_japanese_and_switches_to_english() {
    let s = site().await;
    let page = s.get("/login", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("lang=\"ja\"") && page.body.contains("メールアドレス"),
        "{}",
        page.body
    );
    let switch = s.get("/lang/en?next=/login", None).await;
    assert!(switch.status.is_redirection());
    let page = s.get("/login", Some("yorisoi_lang=en")).await;
    assert!(page.body.contains("E-mail address"));
    // An open redirect through the language switch is not possible.
    let res = s
        .router
        .clone()
        .oneshot(Request::get("/lang/en?next=//evil.example").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.headers().get(header::LOCATION).unwrap(), "/");
}

#[tokio::test]
async fn the_language_switch_goes_back_only_to_a_path_of_this_site() {
    let s = site().await;
    let location = |a: Answer| a.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_string();
    assert_eq!(location(s.get("/lang/en?next=/friends?page=2", None).await), "/friends?page=2");
    // A browser drops the tab and goes to //evil.example; a backslash reads as a slash.
    for next in [
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D%0A/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example",
    ] {
        assert_eq!(location(s.get(&format!("/lang/en?next={next}"), None).await), "/", "{next}");
    }
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_with_the_nonce_of_their_scripts() {
    let s = site().await;
    let owner = s.login(Role::Owner).await;
    // A public page, a signed-in area (a lazily loaded one) and the
    // not-found page (rendered by the fallback, not a route).
    for (path, cookie) in [("/segments", Some(owner.as_str())), ("/no-such-page", None), ("/login", None)] {
        let page = s.get(path, cookie).await;
        assert!(page.body.contains("<body"), "{path}: {}", page.body);
        let csp = page
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .expect("a policy")
            .to_str()
            .unwrap()
            .to_string();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: a nonce in script-src: {csp}"))
            .to_string();
        assert!(nonce.len() >= 16);
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(
            !csp.split(';')
                .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")),
            "{csp}"
        );
        // Every script of the page carries that nonce.
        let scripts = page.body.matches("<script").count();
        assert!(scripts > 0, "{path}");
        assert_eq!(
            page.body.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{path}: {}",
            page.body
        );
    }
    let page = s.get("/login", None).await;
    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    // Another response, another nonce.
    let again = s.get("/login", None).await;
    assert_ne!(again.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap(), csp);
    // Answers that are not pages run nothing; no HSTS over plain http.
    let health = s.get("/healthz", None).await;
    assert!(health
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    assert!(page.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    // Behind https the browser is told to stay on it.
    let https = common::router_for(s.engine.clone(), "https://clinic.example");
    let res = https
        .oneshot(
            Request::get("/healthz")
                .header(header::HOST, "clinic.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(res
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("max-age="));
}

#[tokio::test]
async fn the_patient_csv_is_exported_and_recorded_only_for_this_sites_own_requests() {
    let s = site().await;
    let staff = s.login(Role::Staff).await;
    let exports = || async {
        let rows = s.engine.db_for_tests().audit_chain_page(0, 10_000).await.unwrap();
        rows.iter().filter(|r| r.action == "friend.export").count()
    };
    let with_site = |site: &'static str| {
        Request::get("/friends/patients.csv")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::COOKIE, staff.clone())
            .header("sec-fetch-site", site)
            .body(Body::empty())
            .unwrap()
    };
    // A link or an <img> on another site, carrying the staff member's cookie.
    for site in ["cross-site", "same-site"] {
        assert_eq!(s.send(with_site(site)).await.status, StatusCode::FORBIDDEN, "{site}");
    }
    assert_eq!(exports().await, 0, "a refused download is not an export");
    // The page's own link, and a typed or bookmarked address.
    for site in ["same-origin", "none"] {
        assert_eq!(s.send(with_site(site)).await.status, StatusCode::OK, "{site}");
    }
    assert_eq!(exports().await, 2);
}

#[tokio::test]
async fn the_webhook_needs_the_clinics_signature_and_no_browser_origin() {
    let s = site().await;
    let owner = s
        .engine
        .db_for_tests()
        .user_by_email("owner@sakura.example")
        .await
        .unwrap()
        .unwrap();
    let clinic = s.engine.db_for_tests().memberships_of(owner.id).await.unwrap().remove(0);
    s.engine
        .connect_channel(clinic.clinic_id, engine::channel::MODE_SANDBOX, "webhook-secret", None)
        .await
        .unwrap();
    let body = r#"{"destination":"U0123456789abcdef0123456789abcdef","events":[{"type":"unfollow","timestamp":1,"mode":"active","webhookEventId":"01W","deliveryContext":{"isRedelivery":false},"source":{"type":"user","userId":"U1234567890abcdef1234567890abcdef"}}]}"#;
    let send = |sig: String| {
        Request::post(format!("/line/webhook/{}", clinic.clinic_public_id))
            .header(header::CONTENT_TYPE, "application/json")
            .header("X-Line-Signature", sig)
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(s.send(send("bad".into())).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.engine.db_for_tests().count_inbox(clinic.clinic_id).await.unwrap(), 0);
    assert_eq!(
        s.send(send(line::sign("webhook-secret", body.as_bytes()))).await.status,
        StatusCode::OK
    );
    assert_eq!(s.engine.db_for_tests().count_inbox(clinic.clinic_id).await.unwrap(), 1);
    let unknown = Request::post("/line/webhook/nope")
        .header("X-Line-Signature", "x")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(s.send(unknown).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn downloads_check_the_session_and_the_role() {
    let s = site().await;
    let csv = s.get("/friends/patients.csv", None).await;
    assert!(csv.status.is_redirection(), "no session: to the login page ({})", csv.status);
    let viewer = s.login(Role::Viewer).await;
    assert_eq!(s.get("/friends/patients.csv", Some(&viewer)).await.status, StatusCode::FORBIDDEN);
    let staff = s.login(Role::Staff).await;
    let ok = s.get("/friends/patients.csv", Some(&staff)).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.starts_with("\u{feff}友だちID,"));
    assert_eq!(
        s.get("/sandbox/richmenus/richmenu-1/image", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A server function refuses a viewer's patient change whatever the page showed.
    let refused = s
        .call(
            "friend_patient_save",
            &[
                ("id", "f-x"),
                ("patient_number", "1"),
                ("name_kana", ""),
                ("birth_date", ""),
                ("sex", ""),
            ],
            Some(&viewer),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pictures_are_checked_on_upload_and_served_to_anyone_with_the_link() {
    let s = site().await;
    let upload = |body: Vec<u8>, cookie: Option<String>, origin: bool| {
        let mut req = Request::post("/api/media/images")
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(header::HOST, "127.0.0.1:3000");
        if origin {
            req = req.header(header::ORIGIN, ORIGIN);
        }
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.body(Body::from(body)).unwrap()
    };
    let png = common::TINY_PNG.to_vec();
    assert_eq!(s.send(upload(png.clone(), None, true)).await.status, StatusCode::UNAUTHORIZED);
    let viewer = s.login(Role::Viewer).await;
    assert_eq!(s.send(upload(png.clone(), Some(viewer), true)).await.status, StatusCode::FORBIDDEN);
    let marketer = s.login(Role::Marketer).await;
    assert_eq!(
        s.send(upload(png.clone(), Some(marketer.clone()), false)).await.status,
        StatusCode::FORBIDDEN,
        "a cross-site upload is refused"
    );

    let gif = s
        .send(upload(b"GIF89a\x01\x00\x01\x00".to_vec(), Some(marketer.clone()), true))
        .await;
    assert_eq!(gif.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answer: serde_json::Value = serde_json::from_str(&gif.body).unwrap();
    assert_eq!(answer["code"], "image_type");
    assert!(answer["message"].as_str().unwrap().contains("JPEGかPNG"), "{answer}");
    let mut over = png.clone();
    over.resize(model::line_limits::IMAGE_ORIGINAL_MAX_BYTES + 1, 0);
    let big = s.send(upload(over, Some(marketer.clone()), true)).await;
    assert_eq!(big.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(big.body.contains("image_too_large"), "{}", big.body);

    let ok = s.send(upload(png.clone(), Some(marketer), true)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let answer: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    let path = answer["path"].as_str().unwrap().to_string();
    assert!(path.starts_with("/media/"), "{path}");
    assert_eq!(answer["preview_path"], format!("{path}/preview"));
    assert_eq!((answer["width"].as_u64(), answer["height"].as_u64()), (Some(1), Some(1)));

    // LINE and the patients' phones fetch it with no cookie.
    let res = s
        .router
        .clone()
        .oneshot(Request::get(&path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
    assert_eq!(bytes.as_ref(), png.as_slice());
    assert!(res_cache_is_public(&s, &path).await);
    assert_eq!(s.get(&format!("{path}/preview"), None).await.status, StatusCode::OK);
    assert_eq!(s.get("/media/not-a-token", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.get(&format!("/media/{}", "A".repeat(43)), None).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn res_cache_is_public(s: &Site, path: &str) -> bool {
    let res = s
        .router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    res.headers()[header::CACHE_CONTROL].to_str().unwrap().starts_with("public")
}

/// A GET asking for `encoding`: the Content-Encoding answered, and the body.
async fn get_encoded(router: axum::Router, path: &str, encoding: &str) -> (Option<String>, axum::body::Bytes) {
    let res = router
        .oneshot(
            Request::get(path)
                .header(header::HOST, "127.0.0.1:3000")
                .header(header::ACCEPT_ENCODING, encoding)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let enc = res.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_string());
    (enc, axum::body::to_bytes(res.into_body(), 1 << 22).await.unwrap())
}

#[tokio::test]
async fn the_webassembly_is_sent_precompressed_to_browsers_that_accept_it() {
    let s = site().await;
    let site_root = std::env::temp_dir().join(format!("yorisoi-site-{}", std::process::id()));
    let pkg = site_root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("yorisoi.wasm"), b"\0asm plain").unwrap();
    std::fs::write(pkg.join("yorisoi.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("yorisoi.wasm.gz"), b"gzip bytes").unwrap();
    let router = common::router_with_site(s.engine.clone(), ORIGIN, site_root.to_str().unwrap());
    let get = |encoding: &'static str| get_encoded(router.clone(), "/pkg/yorisoi.wasm", encoding);
    assert_eq!(get("br, gzip").await, (Some("br".into()), "brotli bytes".into()));
    assert_eq!(get("gzip").await, (Some("gzip".into()), "gzip bytes".into()));
    assert_eq!(get("identity").await, (None, "\0asm plain".into()));
    // Kept by the browser but checked each time: a chunk's name does not
    // change with its content between releases.
    let res = router
        .clone()
        .oneshot(
            Request::get("/pkg/yorisoi.wasm")
                .header(header::HOST, "127.0.0.1:3000")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
    // Named by its content (the release build's names): kept a year, never
    // asked about; a name that is not there is not kept at all.
    const HASHED: &str = "yorisoi.Zm9vYmFyYmF6cXV4MTIzNA.wasm";
    std::fs::write(pkg.join(HASHED), b"\0asm hashed").unwrap();
    for (path, status, kept) in [
        (format!("/pkg/{HASHED}"), StatusCode::OK, "public, max-age=31536000, immutable"),
        (
            "/pkg/yorisoi.Zm9vYmFyYmF6cXV4MTIzNQ.wasm".to_string(),
            StatusCode::NOT_FOUND,
            "no-store",
        ),
    ] {
        let res = router
            .clone()
            .oneshot(
                Request::get(&path)
                    .header(header::HOST, "127.0.0.1:3000")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{path}");
        assert_eq!(res.headers()[header::CACHE_CONTROL], kept, "{path}");
    }
    std::fs::remove_dir_all(&site_root).unwrap();
}

#[tokio::test]
async fn pages_are_sent_compressed_to_browsers_that_accept_it() {
    let s = site().await;
    let get = |encoding: &'static str| get_encoded(s.router.clone(), "/login", encoding);
    let (plain_enc, plain) = get("identity").await;
    assert_eq!(plain_enc, None);
    assert!(String::from_utf8_lossy(&plain).contains("<html"), "the login page itself");
    let (br_enc, br) = get("br, gzip").await;
    assert_eq!(br_enc.as_deref(), Some("br"));
    assert!(br.len() * 4 < plain.len() * 3, "{} bytes compressed from {}", br.len(), plain.len());
    let (gz_enc, gz) = get("gzip").await;
    assert_eq!(gz_enc.as_deref(), Some("gzip"));
    assert!(gz.len() * 4 < plain.len() * 3, "{} bytes gzipped from {}", gz.len(), plain.len());
}

/// Who is signed in is read once per request, never carried to the next:
/// a role changed or an account disabled between two requests of the same
/// session takes effect on the second.
#[tokio::test]
async fn a_change_to_the_caller_takes_effect_on_their_next_request() {
    let s = site().await;
    let owner = s.login(Role::Owner).await;
    let token = owner.split_once('=').map_or(owner.as_str(), |(_, v)| v).trim();
    let owner = s.engine.authenticate(token).await.unwrap();
    let staff = s.login(Role::Staff).await;
    let staff_id = public_id_of(&s, "staff@sakura.example").await;
    let page = s.get("/settings/staff", Some(&staff)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // Changed outside any request of theirs (by the owner, through the
    // engine): the next request sees it.
    s.engine.set_staff_role(&owner, &staff_id, Role::Admin).await.unwrap();
    let page = s.get("/settings/staff", Some(&staff)).await;
    assert_eq!(page.status, StatusCode::OK, "an admin now");
    let list = s.call("friends_list", &[], Some(&staff), Some(ORIGIN)).await;
    assert!(list.status.is_success(), "{}", list.body);

    s.engine.set_staff_disabled(&owner, &staff_id, true).await.unwrap();
    let page = s.get("/settings/staff", Some(&staff)).await;
    assert_ne!(page.status, StatusCode::OK, "a disabled account sees nothing");
    let list = s.call("friends_list", &[], Some(&staff), Some(ORIGIN)).await;
    assert_eq!(list.status, StatusCode::UNAUTHORIZED, "{}", list.body);
}

/// Functions whose argument is a structure take it as JSON, typed: the
/// composer's own call saves a template; a body that does not fit the type
/// is refused with a code the page can say in words, and stores nothing.
#[tokio::test]
async fn structured_arguments_arrive_typed_and_a_malformed_body_is_refused() {
    let s = site().await;
    let marketer = s.login(Role::Marketer).await;
    let json_call = |body: String| {
        let req = Request::post("/api/template_save")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, ORIGIN)
            .header(header::COOKIE, marketer.as_str())
            .body(Body::from(body))
            .unwrap();
        s.send(req)
    };
    let count = || async {
        let res = s.call("templates_list", &[], Some(&marketer), Some(ORIGIN)).await;
        serde_json::from_str::<Vec<serde_json::Value>>(&res.body).expect("the list").len()
    };
    let before = count().await;
    let good = serde_json::json!({
        "folder": "休診",
        "name": "年末年始",
        "bundle": model::message::Bundle::texts(&["12月29日から1月3日まで休診します"]),
    });
    let res = json_call(good.to_string()).await;
    assert!(res.status.is_success(), "{} {}", res.status, res.body);
    assert_eq!(count().await, before + 1);

    for bad in [
        r#"{"folder":"休診","name":"x","bundle":"not a bundle"}"#.to_string(),
        r#"{"folder":"休診""#.to_string(),
    ] {
        let res = json_call(bad.clone()).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(res.body.contains("unreadable_request"), "{bad}: {}", res.body);
    }
    assert_eq!(count().await, before + 1, "nothing stored from a malformed body");
}
