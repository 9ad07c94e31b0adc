//! Rich menus, rate limits, narrowcast and broadcast, taps, insight, faults
//! and webhook delivery behaviour — seen through the product's own client.

mod rig;

use line::client::{Area, MenuSize};
use line::{Action, CallbackRequest, Client, EventKind, LineError, RichMenu, SendKind, SendOptions};
use rig::{area, png, rig, text, CHANNEL, TOKEN};
use sandbox::{Faults, FlushOrder, Plan, RateLimits, WebhookBehaviour};
use serde_json::{json, Value};
use std::time::Duration;

fn menu(areas: Vec<Area>) -> RichMenu {
    RichMenu {
        rich_menu_id: None,
        size: MenuSize { width: 2500, height: 843 },
        selected: true,
        name: "診療案内".into(),
        chat_bar_text: "メニュー".into(),
        areas,
    }
}

#[tokio::test]
async fn rich_menus_images_aliases_links_and_switch_postbacks() {
    let rig = rig(Plan::Light).await;
    let user = rig.friend("タブ 利用者").await;
    let c = &rig.client;

    // LINE's rules on the object.
    let mut bad = menu(vec![area(
        0,
        Action::Uri {
            label: None,
            uri: "javascript:alert(1)".into(),
        },
    )]);
    bad.chat_bar_text = "とても長いチャットバーのテキストです".into();
    let Err(LineError::InvalidRequest { details, .. }) = c.validate_rich_menu(&bad).await else {
        panic!("an invalid menu must be refused")
    };
    let props: Vec<&str> = details.iter().map(|d| d.property.as_str()).collect();
    assert!(
        props.contains(&"chatBarText") && props.contains(&"areas[0].action.uri"),
        "{props:?}"
    );
    assert!(c.create_rich_menu(&bad).await.is_err());
    assert!(c.rich_menus().await.unwrap().is_empty(), "nothing stored");

    let switch = Action::RichMenuSwitch {
        label: None,
        rich_menu_alias_id: "tab-b".into(),
        data: "tab=b".into(),
    };
    let a = c
        .create_rich_menu(&menu(vec![
            area(
                0,
                Action::Postback {
                    label: None,
                    data: "menu=reserve".into(),
                    display_text: None,
                },
            ),
            area(1250, switch.clone()),
        ]))
        .await
        .unwrap();
    let b = c
        .create_rich_menu(&menu(vec![area(
            0,
            Action::Message {
                label: None,
                text: "診療時間".into(),
            },
        )]))
        .await
        .unwrap();
    assert_eq!(c.rich_menu(&a).await.unwrap().unwrap().areas.len(), 2);
    assert_eq!(c.rich_menus().await.unwrap().len(), 2);

    // No image, no use; images must be PNG/JPEG of exactly the size, once.
    assert!(matches!(c.set_default_rich_menu(&a).await, Err(LineError::InvalidRequest { .. })));
    assert!(c.upload_rich_menu_image(&a, "image/png", png(2500, 1686)).await.is_err());
    assert!(c.upload_rich_menu_image(&a, "image/gif", png(2500, 843)).await.is_err());
    c.upload_rich_menu_image(&a, "image/png", png(2500, 843)).await.unwrap();
    assert!(
        c.upload_rich_menu_image(&a, "image/png", png(2500, 843)).await.is_err(),
        "immutable"
    );
    c.upload_rich_menu_image(&b, "image/png", png(2500, 843)).await.unwrap();
    assert_eq!(c.download_rich_menu_image(&a).await.unwrap(), png(2500, 843));

    // Aliases: LINE's pattern, no duplicates.
    assert!(c.create_rich_menu_alias("Tab B", &b).await.is_err());
    c.create_rich_menu_alias("tab-b", &b).await.unwrap();
    c.create_rich_menu_alias("tab-a", &a).await.unwrap();
    assert!(c.create_rich_menu_alias("tab-b", &a).await.is_err());
    assert_eq!(c.rich_menu_aliases().await.unwrap().len(), 2);
    assert_eq!(c.rich_menu_alias("tab-b").await.unwrap().unwrap().rich_menu_id, b);
    assert_eq!(c.rich_menu_alias("nothing").await.unwrap(), None);

    // Default menu, then a tab switch by tapping the area.
    c.set_default_rich_menu(&a).await.unwrap();
    assert_eq!(c.default_rich_menu().await.unwrap(), Some(a.clone()));
    let switch_json = serde_json::to_value(&switch).unwrap();
    assert_eq!(rig.sb.tap(CHANNEL, &user, &switch_json).await.unwrap(), Some(200));
    let event: CallbackRequest = serde_json::from_str(&rig.last_event().1).unwrap();
    match &event.events[0].kind {
        EventKind::Postback { data, params } => {
            assert_eq!(data, "tab=b");
            assert_eq!(params["newRichMenuAliasId"], "tab-b");
            assert_eq!(params["status"], "SUCCESS");
        }
        other => panic!("expected a postback, got {other:?}"),
    }
    assert_eq!(
        c.user_rich_menu(&user).await.unwrap(),
        Some(b.clone()),
        "the tab is now linked to the user"
    );
    // On menu B the switch to B is no longer visible.
    assert!(rig.sb.tap(CHANNEL, &user, &switch_json).await.is_err());
    let msg = json!({"type": "message", "text": "診療時間"});
    rig.sb.tap(CHANNEL, &user, &msg).await.unwrap();
    let event: CallbackRequest = serde_json::from_str(&rig.last_event().1).unwrap();
    assert!(matches!(&event.events[0].kind, EventKind::Message { .. }));

    // Per-user and bulk links; deleting a menu removes its links and aliases.
    c.unlink_rich_menu(&user).await.unwrap();
    assert_eq!(c.user_rich_menu(&user).await.unwrap(), None);
    c.bulk_link_rich_menu(&b, std::slice::from_ref(&user)).await.unwrap();
    assert_eq!(c.user_rich_menu(&user).await.unwrap(), Some(b.clone()));
    c.bulk_unlink_rich_menu(std::slice::from_ref(&user)).await.unwrap();
    assert_eq!(c.user_rich_menu(&user).await.unwrap(), None);
    let too_many: Vec<String> = (0..501).map(|i| format!("U{i:032x}")).collect();
    assert!(c.bulk_link_rich_menu(&b, &too_many).await.is_err());
    c.update_rich_menu_alias("tab-b", &a).await.unwrap();
    c.delete_rich_menu(&a).await.unwrap();
    assert_eq!(c.rich_menu(&a).await.unwrap(), None);
    assert_eq!(c.default_rich_menu().await.unwrap(), None);
    assert!(c.rich_menu_aliases().await.unwrap().is_empty());
    c.delete_rich_menu_alias("nothing").await.unwrap_err();
    c.clear_default_rich_menu().await.unwrap();
}

#[tokio::test]
async fn the_rate_limit_answers_429_until_the_bucket_refills() {
    let rig = rig(Plan::Standard).await;
    let user = rig.friend("連打").await;
    rig.sb.set_rate_limits(RateLimits {
        disabled: false,
        overrides: [("POST /v2/bot/message/multicast".to_string(), (3, 1000))].into(),
    });
    let to = vec![user.clone()];
    for _ in 0..3 {
        rig.client.multicast(&to, &[text("x")], &SendOptions::default()).await.unwrap();
    }
    let err = rig.client.multicast(&to, &[text("x")], &SendOptions::default()).await.unwrap_err();
    assert_eq!(err, LineError::RateLimited, "told apart from the monthly limit by its message");
    assert!(err.is_transient());
    rig.client
        .push(&user, &[text("x")], &SendOptions::default())
        .await
        .expect("push has its own bucket");
    assert_eq!(rig.sb.received(&user).len(), 4, "the refused multicast delivered nothing");
    rig.sb.advance(1000);
    rig.client.multicast(&to, &[text("x")], &SendOptions::default()).await.unwrap();

    // LINE's own number for the rich menu list: 10 a second.
    rig.sb.set_rate_limits(RateLimits::default());
    for _ in 0..10 {
        rig.client.rich_menus().await.unwrap();
    }
    assert_eq!(rig.client.rich_menus().await.unwrap_err(), LineError::RateLimited);
    // Switched off for throughput tests.
    rig.sb.set_rate_limits(RateLimits {
        disabled: true,
        ..Default::default()
    });
    for _ in 0..30 {
        rig.client.rich_menus().await.unwrap();
    }
}

#[tokio::test]
async fn broadcast_and_narrowcast_count_and_reserve_quota() {
    let rig = rig(Plan::Free).await;
    let mut people = Vec::new();
    for i in 0..3 {
        people.push(rig.friend(&format!("患者{i}")).await);
    }
    rig.sb.set_narrowcast_duration(None);
    rig.client
        .broadcast(&[text("休診のお知らせ")], &SendOptions::default())
        .await
        .unwrap();
    assert!(people.iter().all(|p| rig.sb.received(p).len() == 1));
    assert_eq!(rig.client.quota_consumption().await.unwrap(), 3);

    // A narrowcast reserves the whole target reach while it runs.
    rig.sb.add_usage_elsewhere(CHANNEL, 194).unwrap();
    let sent = rig
        .client
        .narrowcast(&[text("健診")], Some(1), &SendOptions::default())
        .await
        .unwrap();
    let id = sent.request_id.unwrap();
    let progress = rig.client.narrowcast_progress(&id).await.unwrap();
    assert_eq!(progress.phase, "sending");
    assert_eq!(
        rig.client
            .push(&people[0], &[text("x")], &SendOptions::default())
            .await
            .unwrap_err(),
        LineError::MonthlyLimitReached,
        "197 used + 3 reserved + 1 > 200"
    );
    rig.sb.complete_narrowcasts();
    let progress = rig.client.narrowcast_progress(&id).await.unwrap();
    assert_eq!((progress.phase.as_str(), progress.success_count), ("succeeded", Some(1)));
    assert!(progress.completed_time.is_some());
    assert_eq!(
        rig.client.quota_consumption().await.unwrap(),
        198,
        "only what was delivered is counted"
    );
    rig.client.push(&people[0], &[text("x")], &SendOptions::default()).await.unwrap();
    // Audiences are not simulated: said plainly rather than ignored.
    let req = reqwest::Client::new()
        .post(format!("{}/v2/bot/message/narrowcast", rig.base))
        .bearer_auth(TOKEN)
        .json(&json!({"messages": [text("x")], "recipient": {"type": "audience", "audienceGroupId": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(req.status().as_u16(), 400);
}

#[tokio::test]
async fn validate_checks_without_sending() {
    let rig = rig(Plan::Light).await;
    let user = rig.friend("検証").await;
    rig.client.validate(SendKind::Push, &[text("ok")]).await.unwrap();
    let bad = json!({"type": "template", "altText": "x", "template": {"type": "buttons", "text": "t",
        "actions": [{"type": "uri", "label": "開く", "uri": "ftp://files.example"}]}});
    let Err(LineError::InvalidRequest { details, .. }) = rig.client.validate(SendKind::Broadcast, std::slice::from_ref(&bad)).await else {
        panic!()
    };
    assert_eq!(details[0].property, "messages[0].template.actions[0].uri");
    assert_eq!(details[0].message, "invalid uri");
    assert!(rig.client.push(&user, &[bad], &SendOptions::default()).await.is_err());
    assert!(rig.sb.received(&user).is_empty());
}

#[tokio::test]
async fn quick_replies_and_template_buttons_can_be_tapped_once_received() {
    let rig = rig(Plan::Light).await;
    let user = rig.friend("タップ").await;
    let yes = json!({"type": "postback", "label": "希望する", "data": "vaccine=yes"});
    let date = json!({"type": "datetimepicker", "label": "日付", "data": "pick", "mode": "date"});
    let quick = json!({"type": "action", "action": {"type": "message", "label": "はい", "text": "はい"}});
    // Not received yet: not visible, not tappable.
    assert!(rig.sb.tap(CHANNEL, &user, &yes).await.is_err());
    let messages = [
        json!({"type": "template", "altText": "接種", "template": {"type": "buttons", "text": "接種を希望しますか", "actions": [yes, date]}}),
        json!({"type": "text", "text": "お選びください", "quickReply": {"items": [quick]}}),
    ];
    rig.client.push(&user, &messages, &SendOptions::default()).await.unwrap();
    rig.sb.tap(CHANNEL, &user, &yes).await.unwrap();
    let e: CallbackRequest = serde_json::from_str(&rig.last_event().1).unwrap();
    assert!(matches!(&e.events[0].kind, EventKind::Postback { data, .. } if data == "vaccine=yes"));
    rig.sb.tap(CHANNEL, &user, &date).await.unwrap();
    let e: CallbackRequest = serde_json::from_str(&rig.last_event().1).unwrap();
    assert!(matches!(&e.events[0].kind, EventKind::Postback { params, .. } if params.contains_key("date")));
    rig.sb.tap(CHANNEL, &user, &quick["action"]).await.unwrap();
    let e: Value = serde_json::from_str(&rig.last_event().1).unwrap();
    assert_eq!(e["events"][0]["message"]["text"], "はい");
}

#[tokio::test]
async fn insight_counts_opens_and_clicks_and_hides_small_numbers() {
    let rig = rig(Plan::Standard).await;
    let mut people = Vec::new();
    for i in 0..25 {
        people.push(rig.friend(&format!("読者{i}")).await);
    }
    let link = json!({"type": "uri", "label": "予約", "uri": "https://clinic.example/reserve"});
    let message =
        json!({"type": "template", "altText": "予約", "template": {"type": "buttons", "text": "ご予約はこちら", "actions": [link]}});
    let sent = rig
        .client
        .broadcast(std::slice::from_ref(&message), &SendOptions::default())
        .await
        .unwrap();
    for p in &people[..21] {
        rig.sb.open(CHANNEL, p).unwrap();
    }
    for p in &people[..5] {
        assert_eq!(rig.sb.tap(CHANNEL, p, &link).await.unwrap(), None, "a link is not a webhook");
    }
    let r = rig.client.message_reception(sent.request_id.as_deref().unwrap()).await.unwrap();
    assert_eq!(r.delivered, Some(25));
    assert_eq!(r.unique_impression, Some(21));
    assert_eq!(r.unique_click, None, "5 clicks is under LINE's 20");
    assert_eq!(r.clicks[0].url, "https://clinic.example/reserve");

    // Per unit, for multicast.
    let opts = SendOptions {
        aggregation_unit: Some("flu_2026"),
        ..Default::default()
    };
    rig.client.multicast(&people, &[text("予防接種")], &opts).await.unwrap();
    for p in &people[..20] {
        rig.sb.open(CHANNEL, p).unwrap();
    }
    assert_eq!(rig.client.aggregation_units_used().await.unwrap(), 1);
    let today = chrono::DateTime::from_timestamp_millis(rig.sb.now_ms())
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .format("%Y%m%d")
        .to_string();
    let r = rig.client.unit_reception("flu_2026", &today, &today).await.unwrap();
    assert_eq!(r.unique_impression, Some(20));
    assert!(rig.client.unit_reception("flu-2026", &today, &today).await.is_err());
    let bad_unit = SendOptions {
        aggregation_unit: Some("not valid"),
        ..Default::default()
    };
    assert!(rig.client.push(&people[0], &[text("x")], &bad_unit).await.is_err());
}

#[tokio::test]
async fn mark_as_read_and_loading() {
    let rig = rig(Plan::Light).await;
    let user = rig.friend("既読").await;
    rig.sb.write(CHANNEL, &user, "薬が切れました").await.unwrap();
    let e: Value = serde_json::from_str(&rig.last_event().1).unwrap();
    let token = e["events"][0]["message"]["markAsReadToken"].as_str().unwrap().to_string();
    assert!(!rig.sb.written(&user)[0].read);
    rig.client.mark_as_read(&token).await.unwrap();
    assert!(rig.sb.written(&user)[0].read);
    assert!(rig.client.mark_as_read("bogus").await.is_err());
    rig.client.show_loading(&user, 10).await.unwrap();
    assert!(rig.client.show_loading(&user, 7).await.is_err());
    assert!(rig.client.show_loading("U00000000000000000000000000000000", 5).await.is_err());
}

#[tokio::test]
async fn faults_5xx_timeouts_and_drops_and_the_retry_key_saves_the_day() {
    let rig = rig(Plan::Light).await;
    let user = rig.friend("不安定").await;
    rig.sb.set_faults(Faults {
        server_error_rate: 1.0,
        ..Default::default()
    });
    assert_eq!(
        rig.client.push(&user, &[text("x")], &SendOptions::default()).await.unwrap_err(),
        LineError::Server(500)
    );
    assert!(rig.sb.received(&user).is_empty(), "a 500 did nothing");

    // A dropped answer: the push happened, the caller cannot know.
    rig.sb.set_faults(Faults {
        drop_rate: 1.0,
        ..Default::default()
    });
    let key = "0b6e3a8c-6f0e-4c1e-9d55-1f2a3b4c5d6e";
    let opts = SendOptions {
        retry_key: Some(key),
        ..Default::default()
    };
    let err = rig.client.push(&user, &[text("一度だけ")], &opts).await.unwrap_err();
    assert!(matches!(err, LineError::Network(_)), "{err:?}");
    assert_eq!(rig.sb.received(&user).len(), 1);

    // A late answer past the client's timeout.
    rig.sb.set_faults(Faults {
        timeout_rate: 1.0,
        timeout_ms: 2000,
        ..Default::default()
    });
    let impatient = Client::with_timeout(&rig.base, &rig.base, TOKEN, Duration::from_millis(300));
    assert_eq!(
        impatient.push(&user, &[text("一度だけ")], &opts).await.unwrap_err(),
        LineError::Timeout
    );

    // Retrying with the same key: 409, still exactly one copy.
    rig.sb.set_faults(Faults::default());
    assert!(matches!(
        rig.client.push(&user, &[text("一度だけ")], &opts).await.unwrap_err(),
        LineError::RetryKeyAccepted { .. }
    ));
    assert_eq!(rig.sb.received(&user).len(), 1);

    // Slow but fine.
    rig.sb.set_faults(Faults {
        slow_rate: 1.0,
        slow_ms: 50,
        ..Default::default()
    });
    rig.client.push(&user, &[text("遅延")], &SendOptions::default()).await.unwrap();
    assert_eq!(rig.sb.received(&user).len(), 2);
}

#[tokio::test]
async fn held_webhooks_go_several_to_a_post_out_of_order_and_redelivered() {
    let rig = rig(Plan::Light).await;
    let user = rig.friend("まとめて").await;
    let before = rig.received.lock().unwrap().len();
    rig.sb.set_webhooks(WebhookBehaviour {
        hold: true,
        ..Default::default()
    });
    rig.sb.write(CHANNEL, &user, "一通目").await.unwrap();
    rig.sb.write(CHANNEL, &user, "二通目").await.unwrap();
    rig.sb.block(CHANNEL, &user).await.unwrap();
    assert_eq!(rig.received.lock().unwrap().len(), before, "held");
    rig.sb.set_webhooks(WebhookBehaviour {
        duplicate_rate: 1.0,
        ..Default::default()
    });
    let statuses = rig.sb.flush_webhooks(3, FlushOrder::Reversed).await.unwrap();
    assert_eq!(statuses, vec![200]);
    let posts = rig.received.lock().unwrap()[before..].to_vec();
    assert_eq!(posts.len(), 2, "the POST and its duplicate");
    let first: CallbackRequest = serde_json::from_str(&posts[0].1).unwrap();
    let again: CallbackRequest = serde_json::from_str(&posts[1].1).unwrap();
    assert_eq!(first.events.len(), 3);
    assert_eq!(first.events[0].type_name(), "unfollow", "newest first");
    assert!(first.events[0].timestamp >= first.events[2].timestamp);
    assert!(line::verify_signature(rig::SECRET, posts[1].1.as_bytes(), &posts[1].0));
    let ids = |r: &CallbackRequest| r.events.iter().map(|e| e.webhook_event_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&again), "same webhookEventIds");
    assert!(again.events.iter().all(|e| e.is_redelivery));
    assert!(first.events.iter().all(|e| !e.is_redelivery));
}
