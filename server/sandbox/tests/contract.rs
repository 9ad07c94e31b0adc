//! The contract test: every request the product's LINE client sends, and
//! every answer the sandbox gives, checked against LINE's own OpenAPI files
//! (../shared/line-openapi, read in place).

mod openapi;
mod rig;

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use line::client::MenuSize;
use line::{Action, Client, LineError, RichMenu, SendKind, SendOptions};
use openapi::{check, Spec};
use rig::{area, png, text, CHANNEL, SECRET, TOKEN};
use sandbox::{ChannelConfig, Faults, PersonKind, Plan, RateLimits, Sandbox};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
struct Exchange {
    method: String,
    path: String,
    query: String,
    headers: Vec<String>,
    request: Vec<u8>,
    status: u16,
    response: Vec<u8>,
    response_type: String,
}

type Log = Arc<Mutex<Vec<Exchange>>>;

/// Records every exchange with the LINE API (not the sandbox controls).
async fn record(log: Log, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let request = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut exchange = Exchange {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers: parts.headers.keys().map(|k| k.as_str().to_string()).collect(),
        request: request.to_vec(),
        status: 0,
        response: Vec::new(),
        response_type: String::new(),
    };
    let res = next.run(Request::from_parts(parts, Body::from(request))).await;
    let (parts, body) = res.into_parts();
    let response = to_bytes(body, usize::MAX).await.unwrap_or_default();
    exchange.status = parts.status.as_u16();
    exchange.response = response.to_vec();
    exchange.response_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !exchange.path.starts_with("/_sandbox") {
        log.lock().unwrap().push(exchange);
    }
    Response::from_parts(parts, Body::from(response))
}

/// The sandbox behind a recorder, and the webhook bodies it POSTed.
async fn recorded_sandbox() -> (Sandbox, String, Log, Arc<Mutex<Vec<Value>>>) {
    let log: Log = Arc::default();
    let hooks: Arc<Mutex<Vec<Value>>> = Arc::default();
    let hook_sink = hooks.clone();
    let sb = Sandbox::new();
    let sink = log.clone();
    let router = sb
        .router()
        .layer(axum::middleware::from_fn(move |req, next| record(sink.clone(), req, next)));
    let base = rig::serve(router).await;
    let product = rig::serve(axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let sink = hook_sink.clone();
            async move {
                sink.lock().unwrap().push(serde_json::from_str(&body).unwrap_or(Value::Null));
                "ok"
            }
        }),
    ))
    .await;
    sb.add_channel(ChannelConfig {
        channel_id: CHANNEL.into(),
        channel_secret: SECRET.into(),
        access_token: TOKEN.into(),
        webhook_url: format!("{product}/hook"),
        bot_name: "契約テスト医院".into(),
        plan: Plan::Free,
    });
    (sb, base, log, hooks)
}

/// Every client call the product can make, and LINE's error answers.
async fn exercise(sb: &Sandbox, base: &str, hooks: &Mutex<Vec<Value>>) {
    let c = Client::new(base, base, TOKEN);
    let none = SendOptions::default();
    let mut people = Vec::new();
    for i in 0..3 {
        let p = sb.add_person(&format!("契約{i}"), PersonKind::Patient);
        sb.follow(CHANNEL, &p.user_id).await.unwrap();
        people.push(p.user_id);
    }
    let u = people[0].clone();
    let rich = vec![
        text("こんにちは"),
        json!({"type": "image", "originalContentUrl": "https://clinic.example/a.png", "previewImageUrl": "https://clinic.example/a-s.png"}),
        json!({"type": "template", "altText": "予約", "template": {"type": "buttons", "title": "予約", "text": "ご希望の日", "actions": [
            {"type": "postback", "label": "明日", "data": "d=1", "displayText": "明日"},
            {"type": "uri", "label": "サイト", "uri": "https://clinic.example"},
            {"type": "datetimepicker", "label": "日付", "data": "pick", "mode": "date"}]}}),
        json!({"type": "template", "altText": "確認", "template": {"type": "confirm", "text": "来院されますか", "actions": [
            {"type": "message", "label": "はい", "text": "はい"}, {"type": "message", "label": "いいえ", "text": "いいえ"}]},
            "quickReply": {"items": [{"type": "action", "action": {"type": "message", "label": "電話", "text": "電話"}}]}}),
        json!({"type": "flex", "altText": "カード", "contents": {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [
            {"type": "text", "text": "健診"}, {"type": "button", "action": {"type": "uri", "label": "詳しく", "uri": "https://clinic.example/k"}}]}}}),
    ];
    c.bot_info().await.unwrap();
    c.profile(&u).await.unwrap();
    c.quota().await.unwrap();
    c.quota_consumption().await.unwrap();
    c.push(
        &u,
        &rich,
        &SendOptions {
            retry_key: Some("123e4567-e89b-12d3-a456-426614174000"),
            aggregation_unit: Some("contract_1"),
            notification_disabled: true,
        },
    )
    .await
    .unwrap();
    c.multicast(
        &people,
        &[text("一斉")],
        &SendOptions {
            retry_key: Some("123e4567-e89b-12d3-a456-426614174001"),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // The typed message objects too.
    let typed = [
        line::Message::text("こんにちは"),
        line::Message::Template {
            alt_text: "予約".into(),
            template: line::Template::Buttons {
                thumbnail_image_url: Some("https://clinic.example/t.jpg".into()),
                title: Some("予約".into()),
                text: "ご希望の日".into(),
                actions: vec![Action::Postback {
                    label: Some("明日".into()),
                    data: "d=1".into(),
                    display_text: None,
                }],
            },
            quick_reply: Some(line::QuickReply {
                items: vec![line::QuickReplyItem::new(Action::Message {
                    label: Some("電話".into()),
                    text: "電話".into(),
                })],
            }),
        },
        line::Message::Template {
            alt_text: "一覧".into(),
            template: line::Template::Carousel {
                columns: vec![line::message::CarouselColumn {
                    thumbnail_image_url: None,
                    title: None,
                    text: "内科".into(),
                    actions: vec![Action::Uri {
                        label: Some("見る".into()),
                        uri: "https://clinic.example".into(),
                    }],
                }],
            },
            quick_reply: None,
        },
        line::Message::Sticker {
            package_id: "446".into(),
            sticker_id: "1988".into(),
        },
    ];
    c.push(&u, &typed, &none).await.unwrap();
    let b = c.broadcast(&[text("全員")], &none).await.unwrap();
    let n = c.narrowcast(&[text("絞り込み")], Some(2), &none).await.unwrap();
    c.narrowcast_progress(n.request_id.as_deref().unwrap()).await.unwrap();
    sb.complete_narrowcasts();
    c.narrowcast_progress(n.request_id.as_deref().unwrap()).await.unwrap();
    for kind in [
        SendKind::Reply,
        SendKind::Push,
        SendKind::Multicast,
        SendKind::Narrowcast,
        SendKind::Broadcast,
    ] {
        c.validate(kind, &rich).await.unwrap();
    }
    c.aggregation_units_used().await.unwrap();
    c.message_reception(b.request_id.as_deref().unwrap()).await.unwrap();
    c.unit_reception("contract_1", "20260101", "20260130").await.unwrap();
    c.show_loading(&u, 5).await.unwrap();
    sb.write(CHANNEL, &u, "予約したいです").await.unwrap();
    let event = hooks.lock().unwrap().last().cloned().unwrap();
    let message = &event["events"][0];
    c.reply(message["replyToken"].as_str().unwrap(), &rich).await.unwrap();
    c.mark_as_read(message["message"]["markAsReadToken"].as_str().unwrap())
        .await
        .unwrap();

    let menu = |areas| RichMenu {
        rich_menu_id: None,
        size: MenuSize { width: 2500, height: 843 },
        selected: false,
        name: "契約".into(),
        chat_bar_text: "メニュー".into(),
        areas,
    };
    let m = menu(vec![
        area(
            0,
            Action::Postback {
                label: Some("予約".into()),
                data: "r".into(),
                display_text: None,
            },
        ),
        area(
            1250,
            Action::RichMenuSwitch {
                label: None,
                rich_menu_alias_id: "tab-b".into(),
                data: "tab=b".into(),
            },
        ),
    ]);
    c.validate_rich_menu(&m).await.unwrap();
    let a = c.create_rich_menu(&m).await.unwrap();
    let b2 = c
        .create_rich_menu(&menu(vec![area(
            0,
            Action::Uri {
                label: None,
                uri: "tel:0312345678".into(),
            },
        )]))
        .await
        .unwrap();
    c.upload_rich_menu_image(&a, "image/png", png(2500, 843)).await.unwrap();
    c.upload_rich_menu_image(&b2, "image/png", png(2500, 843)).await.unwrap();
    c.download_rich_menu_image(&a).await.unwrap();
    c.rich_menu(&a).await.unwrap();
    c.rich_menus().await.unwrap();
    c.set_default_rich_menu(&a).await.unwrap();
    c.default_rich_menu().await.unwrap();
    c.create_rich_menu_alias("tab-b", &b2).await.unwrap();
    c.update_rich_menu_alias("tab-b", &b2).await.unwrap();
    c.rich_menu_alias("tab-b").await.unwrap();
    c.rich_menu_aliases().await.unwrap();
    c.link_rich_menu(&u, &b2).await.unwrap();
    c.user_rich_menu(&u).await.unwrap();
    c.unlink_rich_menu(&u).await.unwrap();
    c.bulk_link_rich_menu(&a, &people).await.unwrap();
    c.bulk_unlink_rich_menu(&people).await.unwrap();
    c.delete_rich_menu_alias("tab-b").await.unwrap();
    c.clear_default_rich_menu().await.unwrap();
    c.delete_rich_menu(&b2).await.unwrap();

    // LINE's error answers.
    assert!(matches!(Client::new(base, base, "wrong").bot_info().await, Err(LineError::Auth(_))));
    assert!(c.push(&u, &[text("")], &none).await.is_err());
    assert!(c
        .push(
            &u,
            &rich,
            &SendOptions {
                retry_key: Some("123e4567-e89b-12d3-a456-426614174000"),
                ..Default::default()
            }
        )
        .await
        .is_err());
    assert_eq!(c.rich_menu("richmenu-none").await.unwrap(), None);
    assert!(c.upload_rich_menu_image(&a, "image/png", png(800, 600)).await.is_err());
    sb.add_usage_elsewhere(CHANNEL, 1000).unwrap();
    assert_eq!(c.push(&u, &[text("x")], &none).await.unwrap_err(), LineError::MonthlyLimitReached);
    sb.set_rate_limits(RateLimits {
        disabled: false,
        overrides: [("GET /v2/bot/info".to_string(), (1, 60_000))].into(),
    });
    let _ = c.bot_info().await;
    assert_eq!(c.bot_info().await.unwrap_err(), LineError::RateLimited);
    sb.set_faults(Faults {
        server_error_rate: 1.0,
        ..Default::default()
    });
    assert_eq!(c.quota().await.unwrap_err(), LineError::Server(500));
}

#[tokio::test]
async fn the_client_and_the_sandbox_speak_lines_openapi() {
    let spec = Spec::load(&["messaging-api.yml", "insight.yml"]);
    let (sb, base, log, hooks) = recorded_sandbox().await;
    exercise(&sb, &base, &hooks).await;
    let log = log.lock().unwrap().clone();
    assert!(log.len() >= 45, "the scenario ran ({} exchanges)", log.len());

    let mut problems = Vec::new();
    let mut operations = std::collections::BTreeSet::new();
    for x in &log {
        let what = format!("{} {}", x.method, x.path);
        let Some(op) = spec.operation(&x.method, &x.path) else {
            problems.push(format!("{what}: not an operation in LINE's OpenAPI files"));
            continue;
        };
        operations.insert(format!("{} {}", x.method, op.template));

        // The request: body per the schema, required query parameters,
        // retry keys only where LINE takes them.
        match op.json_request_schema() {
            Some(schema) => match serde_json::from_slice::<Value>(&x.request) {
                Ok(body) => problems.extend(check(op.doc, schema, &body).into_iter().map(|p| format!("{what} request {p}"))),
                Err(_) => problems.push(format!("{what}: request body is not JSON")),
            },
            None if !op.has_request_body() && !x.request.is_empty() => problems.push(format!("{what}: LINE defines no request body")),
            None => {}
        }
        let params = op.parameters();
        for p in &params {
            let name = p["name"].as_str().unwrap_or_default();
            if p["in"] == "query" && p["required"] == true && !x.query.split('&').any(|kv| kv.split('=').next() == Some(name)) {
                problems.push(format!("{what}: missing required query parameter {name}"));
            }
        }
        let takes_retry_key = params.iter().any(|p| p["name"] == "X-Line-Retry-Key");
        if x.headers.iter().any(|h| h == "x-line-retry-key") && !takes_retry_key {
            problems.push(format!("{what}: sent a retry key to an endpoint that takes none"));
        }

        // The answer: the documented schema for its status, LINE's
        // ErrorResponse for an error status, a JSON object otherwise.
        let is_json = x.response_type.starts_with("application/json");
        let body: Option<Value> = if is_json { serde_json::from_slice(&x.response).ok() } else { None };
        match (op.response_schema(x.status), x.status) {
            (Some(Some(schema)), _) => match &body {
                Some(b) => problems.extend(check(op.doc, schema, b).into_iter().map(|p| format!("{what} → {} {p}", x.status))),
                None => problems.push(format!("{what} → {}: answer is not JSON", x.status)),
            },
            (_, 400..=599) => match &body {
                Some(b) => problems.extend(
                    check(op.doc, op.error_schema(), b)
                        .into_iter()
                        .map(|p| format!("{what} → {} {p}", x.status)),
                ),
                None => problems.push(format!("{what} → {}: error answer is not JSON", x.status)),
            },
            (Some(None), _) => {
                if is_json && !body.as_ref().is_some_and(Value::is_object) {
                    problems.push(format!("{what} → {}: not a JSON object", x.status));
                }
            }
            (None, status) => problems.push(format!("{what} → {status}: LINE does not document this status")),
        }
    }
    assert!(problems.is_empty(), "contract problems:\n{}", problems.join("\n"));
    // Everything the product's client can call was exercised.
    let missing: Vec<&str> = [
        "POST /v2/bot/message/reply",
        "POST /v2/bot/message/narrowcast",
        "GET /v2/bot/message/progress/narrowcast",
        "POST /v2/bot/richmenu/{richMenuId}/content",
        "POST /v2/bot/richmenu/bulk/link",
        "GET /v2/bot/insight/message/event/aggregation",
        "POST /v2/bot/chat/markAsRead",
    ]
    .into_iter()
    .filter(|op| !operations.contains(*op))
    .collect();
    assert!(missing.is_empty(), "not exercised: {missing:?}");
    assert!(operations.len() >= 40, "{} operations exercised", operations.len());
}
