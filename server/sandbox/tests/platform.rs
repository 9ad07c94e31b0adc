//! The sandbox behaves as LINE.md says LINE does, seen through the
//! product's own client.

mod rig;

use line::{CallbackRequest, Client, LineError, SendOptions};
use rig::{rig, text, Rig, SECRET, TOKEN};
use sandbox::{PersonKind, Plan, Sandbox};
use serde_json::{json, Value};

fn keyed(key: &str) -> SendOptions<'_> {
    SendOptions {
        retry_key: Some(key),
        ..Default::default()
    }
}

async fn raw_post(rig: &Rig, path: &str, auth: Option<&str>, body: String) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", rig.base))
        .header("content-type", "application/json")
        .body(body);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.json().await.unwrap_or(Value::Null), headers)
}

#[tokio::test]
async fn follow_sends_a_correctly_signed_webhook() {
    let rig = rig(Plan::Light).await;
    let user = rig.friend("山田 太郎").await;
    let (sig, body) = rig.last_event();
    assert!(line::verify_signature(SECRET, body.as_bytes(), &sig));
    let parsed: CallbackRequest = serde_json::from_str(&body).unwrap();
    let e = &parsed.events[0];
    assert_eq!(e.user_id(), Some(user.as_str()));
    assert_eq!(e.kind, line::EventKind::Follow { is_unblocked: false });
    assert_eq!(e.webhook_event_id.len(), 26);
    // Block, then follow again: an unblock.
    rig.sb.block("1650000000", &user).await.unwrap();
    rig.sb.follow("1650000000", &user).await.unwrap();
    let parsed: CallbackRequest = serde_json::from_str(&rig.last_event().1).unwrap();
    assert_eq!(parsed.events[0].kind, line::EventKind::Follow { is_unblocked: true });
}

#[tokio::test]
async fn authentication_is_required() {
    let rig = rig(Plan::Light).await;
    let body = json!({"to": "U0", "messages": [text("a")]}).to_string();
    let (status, v, headers) = raw_post(&rig, "/v2/bot/message/push", None, body.clone()).await;
    assert_eq!(status, 401);
    assert_eq!(
        v["message"],
        "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'"
    );
    assert!(headers.contains_key("x-line-request-id"));
    let (status, v, _) = raw_post(&rig, "/v2/bot/message/push", Some("Bearer wrong"), body).await;
    assert_eq!(status, 401);
    assert!(v["message"].as_str().unwrap().starts_with("Authentication failed"));
    assert!(matches!(
        Client::new(&rig.base, &rig.base, "wrong").bot_info().await,
        Err(LineError::Auth(_))
    ));
}

#[tokio::test]
async fn push_reaches_friends_only_and_is_counted_per_recipient() {
    let rig = rig(Plan::Light).await;
    let friend = rig.friend("佐々木 花").await;
    let stranger = rig.sb.add_person("未登録", PersonKind::Patient).user_id;
    let five: Vec<Value> = (0..5).map(|i| text(&format!("お知らせ{i}"))).collect();
    rig.client.push(&friend, &five, &SendOptions::default()).await.unwrap();
    rig.client
        .push(&stranger, &[text("届かない")], &SendOptions::default())
        .await
        .unwrap();
    assert_eq!(rig.sb.received(&friend).len(), 1, "five bubbles are one delivery");
    assert!(rig.sb.received(&stranger).is_empty());
    assert_eq!(rig.client.quota_consumption().await.unwrap(), 1);
    assert_eq!(rig.client.quota().await.unwrap(), line::client::Quota::Limited(5000));
}

#[tokio::test]
async fn message_limits_are_enforced_with_lines_messages() {
    let rig = rig(Plan::Light).await;
    let friend = rig.friend("検証 用").await;
    let six: Vec<Value> = (0..6).map(|_| text("x")).collect();
    let Err(LineError::InvalidRequest { details, .. }) = rig.client.push(&friend, &six, &SendOptions::default()).await else {
        panic!("6 messages must be refused")
    };
    assert_eq!(details[0].message, "Size must be between 1 and 5");
    // 2,501 apples are 5,002 UTF-16 units.
    let Err(LineError::InvalidRequest { details, .. }) =
        rig.client.push(&friend, &[text(&"🍎".repeat(2501))], &SendOptions::default()).await
    else {
        panic!()
    };
    assert_eq!(
        (details[0].message.as_str(), details[0].property.as_str()),
        ("Length must be between 0 and 5000", "messages[0].text")
    );
    assert!(rig
        .client
        .push(&friend, &[text(&"🍎".repeat(2500))], &SendOptions::default())
        .await
        .is_ok());
    let Err(LineError::InvalidRequest { details, .. }) = rig.client.push(&friend, &[text("")], &SendOptions::default()).await else {
        panic!()
    };
    assert_eq!(details[0].message, "May not be empty");
    let many: Vec<String> = (0..501).map(|i| format!("U{i:032x}")).collect();
    let Err(LineError::InvalidRequest { details, .. }) = rig.client.multicast(&many, &[text("x")], &SendOptions::default()).await else {
        panic!()
    };
    assert_eq!(details[0].message, "Size must be between 1 and 500");
    let big = json!({"to": friend, "messages": [text(&"a".repeat(limits_body()))]}).to_string();
    let (status, _, _) = raw_post(&rig, "/v2/bot/message/push", Some(&format!("Bearer {TOKEN}")), big).await;
    assert_eq!(status, 413);
    assert_eq!(rig.sb.received(&friend).len(), 1, "only the valid push arrived");
}

fn limits_body() -> usize {
    line::limits::MAX_BODY_BYTES + 10
}

#[tokio::test]
async fn a_repeated_retry_key_answers_409_and_delivers_nothing_more() {
    let rig = rig(Plan::Light).await;
    let friend = rig.friend("再送 確認").await;
    let key = "123e4567-e89b-12d3-a456-426614174000";
    let first = rig.client.push(&friend, &[text("明日は予約日です")], &keyed(key)).await.unwrap();
    let again = rig
        .client
        .push(&friend, &[text("明日は予約日です")], &keyed(key))
        .await
        .unwrap_err();
    assert_eq!(
        again,
        LineError::RetryKeyAccepted {
            accepted_request_id: first.request_id.clone()
        }
    );
    let got = rig.sb.received(&friend);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].retry_key.as_deref(), Some(key));
    assert_eq!(Some(got[0].request_id.clone()), first.request_id);
    // After LINE's 24 hours the key is forgotten.
    rig.sb.advance(24 * 3600 * 1000 + 1);
    assert!(rig.client.push(&friend, &[text("再送")], &keyed(key)).await.is_ok());
    // Reply does not take a retry key; a malformed key is refused.
    let (status, _, _) = raw_post(&rig, "/v2/bot/message/push", None, String::new()).await;
    assert_eq!(status, 401);
    let req = reqwest::Client::new()
        .post(format!("{}/v2/bot/message/reply", rig.base))
        .bearer_auth(TOKEN)
        .header("X-Line-Retry-Key", key)
        .json(&json!({"replyToken": "x", "messages": [text("a")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(req.status().as_u16(), 400);
    assert!(matches!(
        rig.client.push(&friend, &[text("x")], &keyed("not-a-uuid")).await,
        Err(LineError::InvalidRequest { .. })
    ));
}

#[tokio::test]
async fn the_monthly_limit_refuses_the_whole_request() {
    let rig = rig(Plan::Free).await;
    let a = rig.friend("一号").await;
    let b = rig.friend("二号").await;
    rig.sb.add_usage_elsewhere("1650000000", 199).unwrap();
    let err = rig
        .client
        .multicast(&[a.clone(), b.clone()], &[text("健診のご案内")], &SendOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err, LineError::MonthlyLimitReached);
    assert!(rig.sb.received(&a).is_empty() && rig.sb.received(&b).is_empty(), "all or nothing");
    rig.client
        .multicast(std::slice::from_ref(&a), &[text("健診のご案内")], &SendOptions::default())
        .await
        .unwrap();
    assert_eq!(rig.client.quota_consumption().await.unwrap(), 200);
    assert_eq!(
        rig.client.push(&b, &[text("x")], &SendOptions::default()).await.unwrap_err(),
        LineError::MonthlyLimitReached
    );
    // Replies are free even at the limit.
    rig.sb.write("1650000000", &b, "予約できますか").await.unwrap();
    let event: CallbackRequest = serde_json::from_str(&rig.last_event().1).unwrap();
    let token = event.events[0].reply_token.clone().unwrap();
    rig.client.reply(&token, &[text("はい、どうぞ")]).await.unwrap();
    assert_eq!(rig.sb.received(&b).len(), 1);
}

#[tokio::test]
async fn the_quota_month_rolls_over_in_japan_time() {
    let rig = rig(Plan::Free).await;
    let a = rig.friend("月替わり").await;
    rig.sb.add_usage_elsewhere("1650000000", 200).unwrap();
    assert_eq!(
        rig.client.push(&a, &[text("x")], &SendOptions::default()).await.unwrap_err(),
        LineError::MonthlyLimitReached
    );
    let month = sandbox_month(&rig.sb);
    while sandbox_month(&rig.sb) == month {
        rig.sb.advance(3600 * 1000);
    }
    assert_eq!(rig.client.quota_consumption().await.unwrap(), 0);
    assert!(rig.client.push(&a, &[text("x")], &SendOptions::default()).await.is_ok());
}

/// The calendar month in Asia/Tokyo at sandbox time, computed independently
/// of the sandbox's own arithmetic.
fn sandbox_month(sb: &Sandbox) -> (i32, u32) {
    use chrono::Datelike;
    let t = chrono::DateTime::from_timestamp_millis(sb.now_ms())
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Tokyo);
    (t.year(), t.month())
}

#[tokio::test]
async fn reply_tokens_are_single_use_and_expire() {
    let rig = rig(Plan::Light).await;
    let user = rig.friend("返信 確認").await;
    let follow: CallbackRequest = serde_json::from_str(&rig.last_event().1).unwrap();
    let token = follow.events[0].reply_token.clone().unwrap();
    rig.client.reply(&token, &[text("友だち追加ありがとうございます")]).await.unwrap();
    let Err(LineError::InvalidRequest { message, .. }) = rig.client.reply(&token, &[text("二度目")]).await else {
        panic!()
    };
    assert_eq!(message, "Invalid reply token");
    rig.sb.write("1650000000", &user, "こんにちは").await.unwrap();
    let msg: CallbackRequest = serde_json::from_str(&rig.last_event().1).unwrap();
    rig.sb.advance(61_000);
    assert!(rig
        .client
        .reply(msg.events[0].reply_token.as_deref().unwrap(), &[text("遅い")])
        .await
        .is_err());
    assert_eq!(rig.sb.received(&user).len(), 1);
    assert_eq!(rig.client.quota_consumption().await.unwrap(), 0, "replies are free");
}

#[tokio::test]
async fn profiles_are_given_for_friends_only() {
    let rig = rig(Plan::Light).await;
    let user = rig.friend("高橋 さくら").await;
    let p = rig.client.profile(&user).await.unwrap();
    assert_eq!(p.display_name, "高橋 さくら");
    let stranger = rig.sb.add_person("他人", PersonKind::Patient).user_id;
    assert_eq!(rig.client.profile(&stranger).await.unwrap_err(), LineError::NotFound);
    assert_eq!(rig.client.bot_info().await.unwrap().display_name, "さくらファミリークリニック");
}
