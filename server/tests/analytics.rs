//! Analytics against the sandbox over real HTTP, on a clock the tests move:
//! every recipient gets their own tracked link for each web address, a
//! click by a person is counted and one by a preview fetcher or a HEAD is
//! not, a changed or foreign token leads nowhere, and the dashboard counts
//! a known month exactly (its first minutes, another month's and staff
//! members' follows left out).

mod common;

use chrono::TimeZone;
use engine::broadcasts::BroadcastRequest;
use engine::tracked_links::Visit;
use engine::{Actor, Engine, EngineError, ManualClock};
use model::broadcast::{Audience, Purpose};
use model::message::{Bubble, Bundle, Button};
use sandbox::Sandbox;
use std::sync::Arc;

const PUBLIC: &str = "https://yorisoi.example";
const PERSON: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Line/14.1.0";

fn user(i: usize) -> String {
    format!("U{:032x}", 0xa11000 + i)
}

/// Japan time on the clock.
fn jst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<chrono::Utc> {
    chrono_tz::Asia::Tokyo
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

struct Rig {
    engine: Engine,
    clock: Arc<ManualClock>,
    sb: Sandbox,
    owner: Actor,
}

async fn rig() -> Rig {
    let (engine, clock, sb) = common::sandbox_engine(jst(2026, 11, 20, 10, 0).timestamp_millis()).await;
    let engine = engine.with_public_url(PUBLIC);
    let out = engine.login("owner@sakura.example", "sakura-owner-2026", "10.3.3.3").await.unwrap();
    let owner = engine.authenticate(&out.token).await.unwrap();
    Rig { engine, clock, sb, owner }
}

impl Rig {
    async fn friends(&self, users: &[String]) {
        self.engine
            .db_for_tests()
            .insert_friends_for_tests(self.owner.clinic_id, "an", users)
            .await
            .unwrap();
        self.sb.add_friends(&self.owner.clinic_public_id, users).unwrap();
    }

    /// Sends `bundle` to every friend (an operational notice: no quiet
    /// hours) and delivers it.
    async fn send(&self, title: &str, bundle: Bundle) -> String {
        let req = BroadcastRequest {
            title: title.into(),
            bundle,
            audience: Audience::All,
            purpose: Purpose::Operational,
            scheduled_at: None,
        };
        let pid = self.engine.create_broadcast(&self.owner, &req).await.unwrap();
        while self.engine.deliver_next().await.unwrap() {}
        pid
    }

    /// One of the clinic's inflow routes, as the list shows it.
    async fn route(&self, public_id: &str) -> store::InflowRouteRow {
        let all = self.engine.inflow_routes(&self.owner).await.unwrap();
        let listed = all.into_iter().find(|x| x.public_id == public_id).unwrap();
        let one = self.engine.inflow_route(&self.owner, public_id).await.unwrap();
        assert_eq!((one.friends, one.blocked), (listed.friends, listed.blocked));
        listed
    }

    async fn event(&self, from: &str, fields: &str) {
        let id = format!("01JANALYTICS{}", next());
        common::line_event(&self.engine, &self.owner, from, &id, fields).await;
    }
}

fn next() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static N: AtomicI64 = AtomicI64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

/// The tracked-link tokens in what `user` received, in order.
fn tokens(sb: &Sandbox, user: &str) -> Vec<String> {
    let text: String = sb
        .received(user)
        .iter()
        .map(|d| serde_json::to_string(&d.messages).unwrap())
        .collect();
    let prefix = format!("{PUBLIC}/l/");
    text.match_indices(&prefix)
        .map(|(i, _)| text[i + prefix.len()..i + prefix.len() + 35].to_string())
        .collect()
}

fn person() -> Visit<'static> {
    Visit {
        user_agent: PERSON,
        ..Default::default()
    }
}

fn with_links() -> Bundle {
    Bundle {
        bubbles: vec![
            Bubble::Text {
                text: "インフルエンザ予防接種の詳細はhttps://clinic.example/fluをご覧ください".into(),
            },
            Bubble::Buttons {
                image_url: String::new(),
                title: "ご予約".into(),
                text: "ご予約・お問い合わせ".into(),
                buttons: vec![
                    Button::open("予約する", "https://clinic.example/book"),
                    Button::open("電話する", "tel:0312345678"),
                ],
            },
        ],
        quick_replies: vec![],
    }
}

#[tokio::test]
async fn each_recipient_gets_their_own_links_and_only_peoples_clicks_count() {
    let r = rig().await;
    let e = &r.engine;
    let users: Vec<String> = (0..3).map(user).collect();
    r.friends(&users).await;
    let pid = r.send("予防接種のご案内", with_links()).await;

    let mine: Vec<Vec<String>> = users.iter().map(|u| tokens(&r.sb, u)).collect();
    for (u, t) in users.iter().zip(&mine) {
        assert_eq!(t.len(), 2, "{u}: the text's address and the booking button");
        let seen: String =
            r.sb.received(u)
                .iter()
                .map(|d| serde_json::to_string(&d.messages).unwrap())
                .collect();
        assert!(
            !seen.contains("clinic.example/flu") && !seen.contains("clinic.example/book"),
            "no address goes out bare"
        );
        assert!(seen.contains("tel:0312345678"), "a phone number is not a web link");
        assert!(!seen.contains(&u[1..]), "the address holds nothing of the patient");
    }
    let all: std::collections::HashSet<&String> = mine.iter().flatten().collect();
    assert_eq!(all.len(), 6, "every recipient's links are their own");

    // Two clicks by the first patient, one by the second.
    assert_eq!(e.follow_link(&mine[0][0], person()).await.unwrap(), "https://clinic.example/flu");
    assert_eq!(e.follow_link(&mine[0][0], person()).await.unwrap(), "https://clinic.example/flu");
    assert_eq!(e.follow_link(&mine[1][0], person()).await.unwrap(), "https://clinic.example/flu");
    // Answered, not counted: a HEAD, LINE's link previewer, a prefetch.
    let head = Visit { head: true, ..person() };
    assert_eq!(e.follow_link(&mine[0][1], head).await.unwrap(), "https://clinic.example/book");
    let previewer = Visit {
        user_agent: "facebookexternalhit/1.1;line-poker/1.0",
        ..Default::default()
    };
    assert_eq!(e.follow_link(&mine[2][1], previewer).await.unwrap(), "https://clinic.example/book");
    let prefetch = Visit {
        prefetch: true,
        ..person()
    };
    e.follow_link(&mine[2][0], prefetch).await.unwrap();

    // A changed token, a cut one, and one signed by another installation.
    let mut changed = mine[0][0].clone().into_bytes();
    changed[5] = if changed[5] == b'A' { b'B' } else { b'A' };
    let changed = String::from_utf8(changed).unwrap();
    assert!(matches!(e.follow_link(&changed, person()).await, Err(EngineError::NotFound)));
    assert!(matches!(
        e.follow_link(&mine[0][0][..20], person()).await,
        Err(EngineError::NotFound)
    ));
    let other = engine::SecretBox::from_base64(&engine::SecretBox::generate_key()).unwrap();
    assert!(matches!(
        e.follow_link(&other.tracked_link_token(1, 1), person()).await,
        Err(EngineError::NotFound)
    ));

    let v = e.broadcast_view(&r.owner, &pid).await.unwrap();
    let results = e.broadcast_results(&r.owner, &v.row).await.unwrap();
    let flu = results.links.iter().find(|l| l.url == "https://clinic.example/flu").unwrap();
    let book = results.links.iter().find(|l| l.url == "https://clinic.example/book").unwrap();
    assert_eq!((flu.clicks, flu.clickers), (3, 2));
    assert_eq!((book.clicks, book.clickers), (0, 0));
    assert_eq!(v.clickers, 2);
    assert_eq!(results.links.len(), 2, "tel: is not tracked");
}

#[tokio::test]
async fn a_send_without_web_links_still_goes_as_one_multicast() {
    let r = rig().await;
    let users: Vec<String> = (10..13).map(user).collect();
    r.friends(&users).await;
    r.send("休診のお知らせ", Bundle::texts(&["12月29日から1月3日まで休診です"])).await;
    for u in &users {
        let got = r.sb.received(u);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].via, "multicast", "no tracked link, no need for one push each");
    }
}

#[tokio::test]
async fn the_dashboard_counts_a_known_month_exactly() {
    let r = rig().await;
    let e = &r.engine;
    let follow = r#""type":"follow","follow":{"isUnblocked":false}"#;
    let unblock = r#""type":"follow","follow":{"isUnblocked":true}"#;
    let block = r#""type":"unfollow""#;
    let before = {
        r.clock.set(jst(2027, 1, 6, 12, 0));
        e.dashboard(&r.owner).await.unwrap().following
    };
    let [a, b, c, d, s] = [user(20), user(21), user(22), user(23), user(24)];
    // They are LINE users who can receive (the events below make them friends here).
    r.sb.add_friends(&r.owner.clinic_public_id, &[a.clone(), b.clone(), c.clone(), d.clone()])
        .unwrap();

    // The month before: not counted, even one minute before midnight.
    r.clock.set(jst(2026, 12, 31, 23, 59));
    r.event(&a, follow).await;
    // The 1st, one minute after midnight Japan time (still the 31st in UTC).
    r.clock.set(jst(2027, 1, 1, 0, 1));
    r.event(&b, follow).await;
    r.clock.set(jst(2027, 1, 3, 10, 0));
    r.event(&c, follow).await;
    r.event(&d, follow).await;
    r.clock.set(jst(2027, 1, 3, 15, 0));
    r.event(&c, block).await;
    r.clock.set(jst(2027, 1, 5, 9, 0));
    r.event(&c, unblock).await;
    // A staff member's own LINE follows, then is linked: not a patient.
    r.event(&s, follow).await;
    let (code, _) = e.start_staff_link(&r.owner).await.unwrap();
    r.event(
        &s,
        &format!(
            r#""type":"message","message":{{"type":"text","id":"m{}","text":"{code}","quoteToken":"q"}}"#,
            next()
        ),
    )
    .await;
    assert!(e.staff_link(&r.owner).await.unwrap().linked);

    r.clock.set(jst(2027, 1, 6, 12, 0));
    let pid = r.send("1月のお知らせ", with_links()).await;
    let t = tokens(&r.sb, &b);
    e.follow_link(&t[1], person()).await.unwrap();

    let dash = e.dashboard(&r.owner).await.unwrap();
    assert_eq!((dash.year, dash.month), (2027, 1));
    assert_eq!(dash.days.len(), 6, "the 1st to the 6th");
    let per_day: Vec<(i64, i64, i64)> = dash.days.iter().map(|d| (d.followed, d.unblocked, d.blocked)).collect();
    assert_eq!(per_day, vec![(1, 0, 0), (0, 0, 0), (2, 0, 1), (0, 0, 0), (0, 1, 0), (0, 0, 0)]);
    assert_eq!((dash.followed(), dash.unblocked(), dash.blocked(), dash.net()), (3, 1, 1, 3));
    assert_eq!(dash.following, before + 4, "a, b, c (back again) and d; not the staff member");
    let (latest, clickers) = &dash.recent_sends[0];
    assert_eq!(latest.public_id, pid);
    assert_eq!(*clickers, 1);
    assert!(latest.delivered >= 4);
}

#[tokio::test]
async fn the_short_link_redirects_at_once_and_a_broken_one_says_so_in_words() {
    use axum::body::Body;
    use axum::http::{header, Method, Request, StatusCode};
    use tower::ServiceExt;
    let r = rig().await;
    let users: Vec<String> = (30..31).map(user).collect();
    r.friends(&users).await;
    let pid = r.send("リンク", with_links()).await;
    let token = tokens(&r.sb, &users[0])[0].clone();
    let router = common::router_for(r.engine.clone(), PUBLIC);
    let ask = |method: Method, path: String, ua: &'static str| {
        let router = router.clone();
        async move {
            router
                .oneshot(
                    Request::builder()
                        .method(method)
                        .uri(path)
                        .header(header::USER_AGENT, ua)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap()
        }
    };
    let got = ask(Method::GET, format!("/l/{token}"), PERSON).await;
    assert_eq!(got.status(), StatusCode::FOUND);
    assert_eq!(got.headers()[header::LOCATION], "https://clinic.example/flu");
    assert_eq!(got.headers()[header::CACHE_CONTROL], "no-store", "every click reaches us");
    assert_eq!(got.headers()[header::REFERRER_POLICY], "no-referrer");
    let head = ask(Method::HEAD, format!("/l/{token}"), PERSON).await;
    assert_eq!(head.status(), StatusCode::FOUND);
    let bot = ask(Method::GET, format!("/l/{token}"), "Slackbot-LinkExpanding 1.0").await;
    assert_eq!(bot.status(), StatusCode::FOUND);

    let broken = ask(Method::GET, format!("/l/{}", &token[..30]), PERSON).await;
    assert_eq!(broken.status(), StatusCode::NOT_FOUND);
    let body = axum::body::to_bytes(broken.into_body(), 1 << 16).await.unwrap();
    let body = String::from_utf8(body.to_vec()).unwrap();
    assert!(body.contains("このリンクは開けません"), "{body}");

    let v = r.engine.broadcast_view(&r.owner, &pid).await.unwrap();
    let results = r.engine.broadcast_results(&r.owner, &v.row).await.unwrap();
    let flu = results.links.iter().find(|l| l.url == "https://clinic.example/flu").unwrap();
    assert_eq!(flu.clicks, 1, "the person's GET only");
}

#[tokio::test]
async fn metrics_are_served_to_the_operator_only_and_hold_no_patient_data() {
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::{header, Request, StatusCode};
    use tower::ServiceExt;
    let r = rig().await;
    let users: Vec<String> = (40..42).map(user).collect();
    r.friends(&users).await;
    // LINE answers the first attempt with a 500; the batch goes again later.
    r.sb.set_faults(sandbox::Faults {
        server_error_rate: 1.0,
        ..Default::default()
    });
    let req = BroadcastRequest {
        title: "メトリクス".into(),
        bundle: Bundle::texts(&["山田様 明日のご予約は10時です"]),
        audience: Audience::All,
        purpose: Purpose::Operational,
        scheduled_at: None,
    };
    r.engine.create_broadcast(&r.owner, &req).await.unwrap();
    assert!(r.engine.deliver_next().await.unwrap());
    r.sb.set_faults(sandbox::Faults::default());
    r.clock.advance(chrono::Duration::minutes(2));
    while r.engine.deliver_next().await.unwrap() {}
    r.event(&users[0], r#""type":"follow","follow":{"isUnblocked":false}"#).await;
    let router = common::router_for(r.engine.clone(), PUBLIC);
    let ask = |from: [u8; 4], bearer: Option<&'static str>| {
        let router = router.clone();
        async move {
            let mut req = Request::builder().uri("/metrics");
            if let Some(b) = bearer {
                req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
            }
            let mut req = req.body(Body::empty()).unwrap();
            req.extensions_mut().insert(ConnectInfo(std::net::SocketAddr::from((from, 40000))));
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
    };
    let (status, text) = ask([127, 0, 0, 1], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("yorisoi_webhook_backlog 0\n"), "{text}");
    assert!(text.contains("yorisoi_webhook_lag_seconds 0.000\n"));
    assert!(text.contains("yorisoi_send_queue_batches 0\n"));
    assert!(text.contains("yorisoi_line_errors_total{kind=\"server_error\"} 1\n"), "{text}");
    let quota = format!("yorisoi_quota_left{{clinic=\"{}\"}} ", r.owner.clinic_public_id);
    assert!(text.contains(&quota), "{text}");
    assert!(!text.contains("山田") && !text.contains(&users[0]), "no message text, no LINE user");
    // From elsewhere, with or without a token it does not know: nothing is there.
    assert_eq!(ask([203, 0, 113, 9], None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(ask([203, 0, 113, 9], Some("guess")).await.0, StatusCode::NOT_FOUND);
}

/// The texts `user` was answered with (replies and pushes).
fn texts_to(sb: &Sandbox, user: &str) -> Vec<String> {
    sb.received(user)
        .iter()
        .flat_map(|d| d.messages.iter().filter_map(|m| m["text"].as_str().map(str::to_string)))
        .collect()
}

#[tokio::test]
async fn a_friend_added_through_a_route_is_its_own_and_gets_its_greeting_instead_of_the_usual() {
    use model::automation::{Action, Automation, Trigger};
    let r = rig().await;
    let e = &r.engine;
    // The clinic's usual greeting, for friends from anywhere else.
    let usual = Automation {
        trigger: Trigger::Followed,
        condition: None,
        actions: vec![Action::Reply {
            text: "いつものごあいさつです".into(),
        }],
    };
    e.save_automation(&r.owner, None, "友だち追加のあいさつ", &usual).await.unwrap();
    let route = e.create_inflow_route(&r.owner, "受付ポスター").await.unwrap();
    assert!(matches!(
        e.create_inflow_route(&r.owner, " 受付ポスター ").await,
        Err(EngineError::InvalidRouteName)
    ));
    let row = r.route(&route).await;
    assert_eq!(e.route_url(&row.code), format!("{PUBLIC}/r/{}", row.code));
    let svg = String::from_utf8(e.route_qr(&r.owner, &route, None).await.unwrap()).unwrap();
    assert!(svg.contains("<svg"), "{svg:.60}");
    let png = e.route_qr(&r.owner, &route, Some(10)).await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let [via, plain, late] = [user(50), user(51), user(52)];
    r.sb.add_friends(&r.owner.clinic_public_id, &[via.clone(), plain.clone(), late.clone()])
        .unwrap();
    let follow = r#""type":"follow","follow":{"isUnblocked":false}"#;

    // Opened from LINE: LINE says who it is; then the follow.
    let token = e.sandbox_id_token(&r.owner, &via).await.unwrap();
    let landing = e.arrive_by_route(&row.code, &token).await.unwrap();
    assert!(!landing.already_friend);
    assert!(matches!(
        e.arrive_by_route(&row.code, "made.up.token").await,
        Err(EngineError::BookingLinkInvalid)
    ));
    assert!(matches!(e.arrive_by_route("nosuchroute", &token).await, Err(EngineError::NotFound)));
    r.clock.advance(chrono::Duration::minutes(3));
    r.event(&via, follow).await;
    // Not through the route: the usual greeting.
    r.event(&plain, follow).await;
    // Through the route, but two hours later: the visit no longer counts.
    let token = e.sandbox_id_token(&r.owner, &late).await.unwrap();
    e.arrive_by_route(&row.code, &token).await.unwrap();
    r.clock.advance(chrono::Duration::hours(2));
    r.event(&late, follow).await;
    while e.process_automations(50).await.unwrap() > 0 {}

    let greeting = "友だち追加ありがとうございます。ご予約やお知らせをこのLINEでお届けします。";
    assert_eq!(texts_to(&r.sb, &via), vec![greeting.to_string()], "the route's greeting only");
    assert_eq!(texts_to(&r.sb, &plain), vec!["いつものごあいさつです".to_string()]);
    assert_eq!(texts_to(&r.sb, &late), vec!["いつものごあいさつです".to_string()]);
    let row = r.route(&route).await;
    assert_eq!((row.friends, row.blocked), (1, 0));

    // Blocking later still counts the friend as the route's, as blocked.
    r.event(&via, r#""type":"unfollow""#).await;
    let row = r.route(&route).await;
    assert_eq!((row.friends, row.blocked), (1, 1));

    // With the route's automation off, its friends get the usual greeting.
    e.set_automation_enabled(&r.owner, &row.automation_public_id, false).await.unwrap();
    let next = user(53);
    r.sb.add_friends(&r.owner.clinic_public_id, std::slice::from_ref(&next)).unwrap();
    let token = e.sandbox_id_token(&r.owner, &next).await.unwrap();
    e.arrive_by_route(&row.code, &token).await.unwrap();
    r.event(&next, follow).await;
    while e.process_automations(50).await.unwrap() > 0 {}
    assert_eq!(texts_to(&r.sb, &next), vec!["いつものごあいさつです".to_string()]);
    let row = r.route(&route).await;
    assert_eq!(row.friends, 2, "still the route's friend");
}

#[tokio::test]
async fn opening_a_link_can_tag_the_friend_but_a_preview_or_another_link_does_not() {
    use model::automation::{Action, Automation, Trigger};
    let r = rig().await;
    let e = &r.engine;
    let users: Vec<String> = (60..63).map(user).collect();
    r.friends(&users).await;
    let interested = e
        .create_tag(&r.owner, &engine::tags::TagInput::plain("インフル関心あり"))
        .await
        .unwrap()
        .public_id;
    let on_click = Automation {
        trigger: Trigger::LinkClicked {
            url: "https://clinic.example/flu".into(),
        },
        condition: None,
        actions: vec![Action::AddTag { tag: interested.clone() }],
    };
    e.save_automation(&r.owner, None, "インフルのリンクを開いた方", &on_click)
        .await
        .unwrap();
    let not_a_web_address = Automation {
        trigger: Trigger::LinkClicked { url: "tel:0312".into() },
        ..on_click.clone()
    };
    assert!(matches!(
        e.save_automation(&r.owner, None, "x", &not_a_web_address).await,
        Err(EngineError::InvalidAutomation(_))
    ));
    r.send("予防接種", with_links()).await;
    let t: Vec<Vec<String>> = users.iter().map(|u| tokens(&r.sb, u)).collect();
    e.follow_link(&t[0][0], person()).await.unwrap();
    e.follow_link(&t[1][1], person()).await.unwrap();
    let previewer = Visit {
        user_agent: "facebookexternalhit/1.1;line-poker/1.0",
        ..Default::default()
    };
    e.follow_link(&t[2][0], previewer).await.unwrap();
    while e.process_automations(50).await.unwrap() > 0 {}
    let tagged = |i: usize| {
        let user = users[i].clone();
        let interested = interested.clone();
        async move {
            let f = e
                .db_for_tests()
                .friend_by_line_user(r.owner.clinic_id, &user)
                .await
                .unwrap()
                .unwrap();
            e.db_for_tests()
                .friend_tags(r.owner.clinic_id, f.id)
                .await
                .unwrap()
                .iter()
                .any(|t| t.public_id == interested)
        }
    };
    assert!(tagged(0).await, "opened the flu link");
    assert!(!tagged(1).await, "opened another link");
    assert!(!tagged(2).await, "only a previewer fetched it");
}

#[tokio::test]
async fn opens_come_from_line_by_the_sends_unit_small_numbers_stay_hidden_and_lines_hourly_limit_holds() {
    let r = rig().await;
    // The sandbox dates its sends by the wall clock, as LINE does.
    r.clock.set(chrono::Utc::now());
    let e = &r.engine;
    let users: Vec<String> = (100..122).map(user).collect();
    r.friends(&users).await;
    let many = r.send("健診のご案内", Bundle::texts(&["健診のご案内です"])).await;
    let few = r.send("休診のお知らせ", Bundle::texts(&["休診のお知らせです"])).await;
    let owner = &r.owner;
    let opens = |pid: String| async move {
        let v = e.broadcast_view(owner, &pid).await.unwrap();
        e.broadcast_results(owner, &v.row).await.unwrap().opens
    };
    assert_eq!(
        opens(many.clone()).await,
        engine::insights::Opens {
            asked: false,
            opened: None
        }
    );

    // 21 people open the first; 3 of them also open the second, which
    // arrived later (opening the chat reads everything delivered so far).
    for u in &users[..21] {
        if u == &users[0] {
            continue;
        }
        r.sb.open(&r.owner.clinic_public_id, u).unwrap();
    }
    let second = r.send("再送テスト", Bundle::texts(&["三通目"])).await;
    for u in &users[..3] {
        r.sb.open(&r.owner.clinic_public_id, u).unwrap();
    }
    r.clock.advance(chrono::Duration::hours(2));
    assert_eq!(e.sync_insights_once().await.unwrap(), 3);
    assert_eq!(
        opens(many.clone()).await,
        engine::insights::Opens {
            asked: true,
            opened: Some(21)
        }
    );
    assert_eq!(
        opens(few).await,
        engine::insights::Opens {
            asked: true,
            opened: Some(21)
        }
    );
    assert_eq!(
        opens(second).await,
        engine::insights::Opens { asked: true, opened: None },
        "3 people: LINE says null, shown as under 20"
    );

    // LINE allows 60 statistics requests an hour per channel: asked every six
    // hours, three sends make 3 requests a round; the 21st round finds the
    // hour's 60 used (when the test does not straddle an hour of the wall clock).
    let hour = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / 3600
    };
    let started = hour();
    let mut answered = 3;
    for _ in 0..20 {
        r.clock.advance(chrono::Duration::hours(6));
        answered += e.sync_insights_once().await.unwrap();
    }
    if hour() == started {
        assert_eq!(answered, 60, "the hour's limit, and no more");
    }
}
