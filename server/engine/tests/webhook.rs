//! Webhook ingestion and processing, on the backend the run selects.

use chrono::DateTime;
use engine::{Engine, EngineError, ManualClock, SecretBox};
use std::sync::Arc;

const SECRET: &str = "sakura-channel-secret";
const PATIENT: &str = "U1234567890abcdef1234567890abcdef";

struct World {
    engine: Engine,
    clinic_public_id: String,
    clinic_id: i64,
    key: String,
}

async fn world() -> World {
    let db = store::testing::fresh_db().await.expect("test database");
    let key = SecretBox::generate_key();
    let engine = Engine::new(
        db,
        Arc::new(ManualClock::new(DateTime::from_timestamp(1_790_000_000, 0).unwrap())),
        SecretBox::from_base64(&key).unwrap(),
    );
    engine.seed_demo_if_empty().await.unwrap();
    let owner = engine.db_for_tests().user_by_email("owner@sakura.example").await.unwrap().unwrap();
    let clinic = engine.db_for_tests().memberships_of(owner.id).await.unwrap().remove(0);
    engine
        .connect_channel(clinic.clinic_id, engine::channel::MODE_SANDBOX, SECRET, Some("token"))
        .await
        .unwrap();
    World {
        engine,
        clinic_public_id: clinic.clinic_public_id,
        clinic_id: clinic.clinic_id,
        key,
    }
}

fn event(id: &str, ts: i64, redelivery: bool, body: &str) -> String {
    format!(
        r#"{{"timestamp":{ts},"mode":"active","webhookEventId":"{id}","deliveryContext":{{"isRedelivery":{redelivery}}},"source":{{"type":"user","userId":"{PATIENT}"}},{body}}}"#
    )
}

fn post(events: &[String]) -> String {
    format!(
        r#"{{"destination":"U0123456789abcdef0123456789abcdef","events":[{}]}}"#,
        events.join(",")
    )
}

impl World {
    async fn deliver(&self, body: &str) -> Result<u64, EngineError> {
        let sig = line::sign(SECRET, body.as_bytes());
        self.engine
            .ingest_webhook(&self.clinic_public_id, body.as_bytes(), Some(&sig))
            .await
    }

    async fn friend(&self) -> Option<store::FriendRow> {
        self.engine
            .db_for_tests()
            .friend_by_line_user(self.clinic_id, PATIENT)
            .await
            .unwrap()
    }

    async fn timeline_kinds(&self) -> Vec<String> {
        self.timeline_of(PATIENT).await
    }

    /// The kinds of a friend's timeline entries, oldest first.
    async fn timeline_of(&self, user: &str) -> Vec<String> {
        let f = self
            .engine
            .db_for_tests()
            .friend_by_line_user(self.clinic_id, user)
            .await
            .unwrap()
            .expect("the friend exists");
        self.engine
            .db_for_tests()
            .friend_timeline(f.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }
}

#[tokio::test]
async fn a_bad_or_missing_signature_stores_nothing() {
    let w = world().await;
    let body = post(&[event(
        "01A",
        1000,
        false,
        r#""type":"follow","replyToken":"r","follow":{"isUnblocked":false}"#,
    )]);
    let wrong = line::sign("another-secret", body.as_bytes());
    for sig in [Some(wrong.as_str()), None, Some("")] {
        let e = w
            .engine
            .ingest_webhook(&w.clinic_public_id, body.as_bytes(), sig)
            .await
            .unwrap_err();
        assert!(matches!(e, EngineError::BadSignature), "{e:?}");
    }
    // A body changed after signing.
    let sig = line::sign(SECRET, body.as_bytes());
    let tampered = body.replace("1000", "1001");
    assert!(matches!(
        w.engine.ingest_webhook(&w.clinic_public_id, tampered.as_bytes(), Some(&sig)).await,
        Err(EngineError::BadSignature)
    ));
    assert_eq!(w.engine.db_for_tests().count_inbox(w.clinic_id).await.unwrap(), 0);
}

#[tokio::test]
async fn a_malformed_body_is_refused_with_nothing_stored() {
    let w = world().await;
    let good = event("01A", 1000, false, r#""type":"follow","follow":{"isUnblocked":false}"#);
    let broken =
        r#"{"type":"message","timestamp":1,"mode":"active","webhookEventId":"01B","deliveryContext":{"isRedelivery":false}}"#.to_string();
    for body in [post(&[good, broken]), "not json".to_string(), r#"{"events":"x"}"#.to_string()] {
        let e = w.deliver(&body).await.unwrap_err();
        assert!(matches!(e, EngineError::MalformedWebhook(_)), "{e:?}");
    }
    assert_eq!(w.engine.db_for_tests().count_inbox(w.clinic_id).await.unwrap(), 0);
}

#[tokio::test]
async fn the_connectivity_check_is_accepted() {
    let w = world().await;
    assert_eq!(
        w.deliver(r#"{"destination":"U0123456789abcdef0123456789abcdef","events":[]}"#)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_redelivered_event_is_processed_once() {
    let w = world().await;
    let first = event(
        "01HZDUP",
        1000,
        false,
        r#""type":"message","replyToken":"r","message":{"type":"text","id":"m1","text":"予約の変更をお願いします"}"#,
    );
    let again = event(
        "01HZDUP",
        1000,
        true,
        r#""type":"message","message":{"type":"text","id":"m1","text":"予約の変更をお願いします"}"#,
    );
    assert_eq!(w.deliver(&post(&[first])).await.unwrap(), 1);
    assert_eq!(w.engine.process_webhooks(100).await.unwrap(), 1);
    assert_eq!(w.deliver(&post(std::slice::from_ref(&again))).await.unwrap(), 0);
    // Even a duplicate inside one POST.
    assert_eq!(w.deliver(&post(&[again.clone(), again])).await.unwrap(), 0);
    assert_eq!(w.engine.process_webhooks(100).await.unwrap(), 0);
    assert_eq!(w.timeline_kinds().await, vec!["message_in"]);
    assert_eq!(w.engine.db_for_tests().count_inbox(w.clinic_id).await.unwrap(), 1);
}

#[tokio::test]
async fn a_crash_between_storing_and_processing_loses_nothing() {
    let w = world().await;
    w.deliver(&post(&[
        event(
            "01C1",
            1000,
            false,
            r#""type":"follow","replyToken":"r","follow":{"isUnblocked":false}"#,
        ),
        event(
            "01C2",
            2000,
            false,
            r#""type":"message","replyToken":"r","message":{"type":"text","id":"m1","text":"こんにちは"}"#,
        ),
    ]))
    .await
    .unwrap();
    // The process dies here: acknowledged to LINE, not yet processed.
    let db = w.engine.db_for_tests().clone();
    drop(w.engine);
    let restarted = Engine::new(db, Arc::new(engine::SystemClock), SecretBox::from_base64(&w.key).unwrap());
    assert_eq!(restarted.process_webhooks(100).await.unwrap(), 2);
    let friend = restarted
        .db_for_tests()
        .friend_by_line_user(w.clinic_id, PATIENT)
        .await
        .unwrap()
        .expect("friend created after restart");
    assert_eq!(friend.status, "active");
    let kinds: Vec<String> = restarted
        .db_for_tests()
        .friend_timeline(friend.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec!["follow", "message_in"]);
}

#[tokio::test]
async fn follow_block_unblock_and_late_events() {
    let w = world().await;
    w.deliver(&post(&[event(
        "01F1",
        1000,
        false,
        r#""type":"follow","replyToken":"r","follow":{"isUnblocked":false}"#,
    )]))
    .await
    .unwrap();
    w.deliver(&post(&[event("01F2", 2000, false, r#""type":"unfollow""#)]))
        .await
        .unwrap();
    w.engine.process_webhooks(100).await.unwrap();
    let f = w.friend().await.unwrap();
    assert_eq!(
        (f.status.as_str(), f.first_followed_at, f.blocked_at),
        ("blocked", Some(1000), Some(2000))
    );

    // An unblock, then an older block that arrives late (order is not guaranteed).
    w.deliver(&post(&[event(
        "01F3",
        3000,
        false,
        r#""type":"follow","replyToken":"r","follow":{"isUnblocked":true}"#,
    )]))
    .await
    .unwrap();
    w.engine.process_webhooks(100).await.unwrap();
    w.deliver(&post(&[event("01F0", 2500, false, r#""type":"unfollow""#)]))
        .await
        .unwrap();
    w.engine.process_webhooks(100).await.unwrap();
    let f = w.friend().await.unwrap();
    assert_eq!(
        (f.status.as_str(), f.unblocked_at, f.first_followed_at),
        ("active", Some(3000), Some(1000))
    );
}

#[tokio::test]
async fn events_of_one_post_are_applied_in_timestamp_order() {
    let w = world().await;
    // Delivered newest first in one POST.
    w.deliver(&post(&[
        event("01O2", 2000, false, r#""type":"unfollow""#),
        event(
            "01O1",
            1000,
            false,
            r#""type":"follow","replyToken":"r","follow":{"isUnblocked":false}"#,
        ),
    ]))
    .await
    .unwrap();
    w.engine.process_webhooks(100).await.unwrap();
    assert_eq!(w.friend().await.unwrap().status, "blocked");
    assert_eq!(w.timeline_kinds().await, vec!["follow", "block"]);
}

#[tokio::test]
async fn unsend_removes_the_stored_message_and_unknown_events_are_kept_but_skipped() {
    let w = world().await;
    w.deliver(&post(&[
        event(
            "01U1",
            1000,
            false,
            r#""type":"message","replyToken":"r","message":{"type":"text","id":"m9","text":"間違えました"}"#,
        ),
        event(
            "01U2",
            1500,
            false,
            r#""type":"postback","replyToken":"r","postback":{"data":"menu=booking"}"#,
        ),
        event("01U3", 2000, false, r#""type":"unsend","unsend":{"messageId":"m9"}"#),
        event("01U4", 2500, false, r#""type":"somethingNew","whatever":true"#),
    ]))
    .await
    .unwrap();
    assert_eq!(w.engine.process_webhooks(100).await.unwrap(), 4);
    assert_eq!(w.timeline_kinds().await, vec!["postback"]);
    assert_eq!(w.engine.db_for_tests().count_inbox(w.clinic_id).await.unwrap(), 4);
    assert!(w.engine.db_for_tests().pending_inbox(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn one_clinics_secret_does_not_open_anothers_webhook() {
    let w = world().await;
    let owner = w
        .engine
        .db_for_tests()
        .user_by_email("owner@sakura.example")
        .await
        .unwrap()
        .unwrap();
    let second = w.engine.db_for_tests().memberships_of(owner.id).await.unwrap().remove(1);
    w.engine
        .connect_channel(second.clinic_id, engine::channel::MODE_SANDBOX, "second-secret", None)
        .await
        .unwrap();
    let body = post(&[event("01X", 1000, false, r#""type":"unfollow""#)]);
    let sig = line::sign(SECRET, body.as_bytes());
    assert!(matches!(
        w.engine.ingest_webhook(&second.clinic_public_id, body.as_bytes(), Some(&sig)).await,
        Err(EngineError::BadSignature)
    ));
    assert!(matches!(
        w.engine.ingest_webhook("no-such-clinic", body.as_bytes(), Some(&sig)).await,
        Err(EngineError::NotFound)
    ));
    assert_eq!(w.engine.db_for_tests().count_inbox(second.clinic_id).await.unwrap(), 0);
}

fn event_from(user: &str, id: &str, ts: i64, body: &str) -> String {
    event(id, ts, false, body).replace(PATIENT, user)
}

impl World {
    async fn actor(&self, email: &str, password: &str) -> engine::Actor {
        let out = self.engine.login(email, password, "10.1.1.1").await.unwrap();
        self.engine.authenticate(&out.token).await.unwrap()
    }
}

#[tokio::test]
async fn the_friend_list_pages_by_keyset_and_filters() {
    let w = world().await;
    // 120 friends; every tenth blocks again; names set as the profile refresh would.
    let events: Vec<String> = (0..120)
        .map(|i| {
            event_from(
                &format!("U{i:032x}"),
                &format!("01L{i:05}"),
                1_000 + i,
                r#""type":"follow","follow":{"isUnblocked":false}"#,
            )
        })
        .chain(
            (0..120)
                .step_by(10)
                .map(|i| event_from(&format!("U{i:032x}"), &format!("01B{i:05}"), 5_000 + i, r#""type":"unfollow""#)),
        )
        .collect();
    w.deliver(&post(&events)).await.unwrap();
    w.engine.process_webhooks(1000).await.unwrap();
    for i in 0..120 {
        let name = if i % 2 == 0 { format!("山田 {i}") } else { format!("佐藤 {i}") };
        w.engine
            .db_for_tests()
            .set_friend_profile(w.clinic_id, &format!("U{i:032x}"), &name, "", 0)
            .await
            .unwrap();
    }
    let viewer = w.actor("viewer@sakura.example", "sakura-viewer-2026").await;

    let mut seen = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = w
            .engine
            .list_friends(
                &viewer,
                engine::friends::FriendQuery {
                    after: after.clone(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        pages += 1;
        seen.extend(page.items.iter().map(|f| f.line_user_id.clone()));
        match page.next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 120);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 120, "no friend appears on two pages");

    let blocked = w
        .engine
        .list_friends(
            &viewer,
            engine::friends::FriendQuery {
                status: Some("blocked".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(blocked.items.len(), 12);
    assert!(blocked.items.iter().all(|f| f.status == "blocked"));
    let yamada = w
        .engine
        .list_friends(
            &viewer,
            engine::friends::FriendQuery {
                search: Some("山田".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(yamada.items.len(), 50);
    assert!(yamada.items.iter().all(|f| f.display_name.starts_with("山田")));
    let early = engine::friends::FriendQuery {
        followed_from: Some(1_000),
        followed_until: Some(1_010),
        ..Default::default()
    };
    assert_eq!(w.engine.list_friends(&viewer, early).await.unwrap().items.len(), 10);
    // A wildcard typed into the search is taken literally.
    let percent = w
        .engine
        .list_friends(
            &viewer,
            engine::friends::FriendQuery {
                search: Some("%".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        percent.items.len(),
        50,
        "'%' is ignored, not a match-everything pattern smuggled in"
    );
}

#[tokio::test]
async fn a_friend_of_one_clinic_is_not_found_from_another() {
    let w = world().await;
    w.deliver(&post(&[event(
        "01Z",
        1000,
        false,
        r#""type":"follow","follow":{"isUnblocked":false}"#,
    )]))
    .await
    .unwrap();
    w.engine.process_webhooks(10).await.unwrap();
    let friend = w.friend().await.unwrap();
    let out = w
        .engine
        .login("owner@sakura.example", "sakura-owner-2026", "10.1.1.1")
        .await
        .unwrap();
    let owner = w.engine.authenticate(&out.token).await.unwrap();
    assert!(w.engine.friend_detail(&owner, &friend.public_id).await.is_ok());

    let clinics = w.engine.my_clinics(&owner).await.unwrap();
    w.engine.switch_clinic(&owner, &clinics[1].clinic_public_id).await.unwrap();
    let moved = w.engine.authenticate(&out.token).await.unwrap();
    assert_eq!(moved.clinic_name, engine::demo::seed::DEMO_SECOND_CLINIC);
    assert!(matches!(
        w.engine.friend_detail(&moved, &friend.public_id).await,
        Err(EngineError::NotFound)
    ));
    assert!(w.engine.list_friends(&moved, Default::default()).await.unwrap().items.is_empty());
}

/// POSTs that arrive together share one transaction (group commit); each
/// is answered with its own count, and a redelivery in the same group is
/// stored once.
#[tokio::test]
async fn posts_arriving_together_are_stored_once_each() {
    let w = Arc::new(world().await);
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..40 {
        let w = w.clone();
        // Posts 20..40 redeliver the events of posts 0..20.
        let n = i % 20;
        posts.spawn(async move {
            let user = format!("U{:032x}", 0x5000 + n);
            w.deliver(&post(&[
                event_from(
                    &user,
                    &format!("01G{n:03}a"),
                    1000 + n,
                    r#""type":"follow","replyToken":"r","follow":{"isUnblocked":false}"#,
                ),
                event_from(
                    &user,
                    &format!("01G{n:03}b"),
                    2000 + n,
                    r#""type":"message","replyToken":"r","message":{"type":"text","id":"m","text":"はい"}"#,
                ),
            ]))
            .await
            .unwrap()
        });
    }
    let new: u64 = posts.join_all().await.into_iter().sum();
    assert_eq!(new, 40, "each of the 40 distinct events counted once");
    assert_eq!(w.engine.db_for_tests().count_inbox(w.clinic_id).await.unwrap(), 40);
    assert_eq!(w.engine.process_webhooks(1000).await.unwrap(), 40);
    for n in 0..20 {
        let user = format!("U{:032x}", 0x5000 + n);
        assert_eq!(w.timeline_of(&user).await, ["follow", "message_in"], "{user}");
    }
}

/// The secret is kept in memory per instance: a change on this instance
/// takes effect at once, and one made on another instance is read again
/// as soon as a POST signed with the new secret fails the cached one.
#[tokio::test]
async fn a_changed_channel_secret_takes_effect_at_once_on_every_instance() {
    let (db, other_db, _) = store::testing::fresh_db_pair().await.unwrap();
    let key = SecretBox::generate_key();
    let clock = Arc::new(ManualClock::new(DateTime::from_timestamp(1_790_000_000, 0).unwrap()));
    let a = Engine::new(db, clock.clone(), SecretBox::from_base64(&key).unwrap());
    let b = Engine::new(other_db, clock, SecretBox::from_base64(&key).unwrap());
    a.seed_demo_if_empty().await.unwrap();
    let owner = a.db_for_tests().user_by_email("owner@sakura.example").await.unwrap().unwrap();
    let clinic = a.db_for_tests().memberships_of(owner.id).await.unwrap().remove(0);
    a.connect_channel(clinic.clinic_id, engine::channel::MODE_SANDBOX, SECRET, None)
        .await
        .unwrap();
    let body = |id: &str| post(&[event(id, 1000, false, r#""type":"unfollow""#)]);
    let send = |e: &Engine, secret: &str, id: &str| {
        let (e, b, s, c) = (
            e.clone(),
            body(id),
            line::sign(secret, body(id).as_bytes()),
            clinic.clinic_public_id.clone(),
        );
        async move { e.ingest_webhook(&c, b.as_bytes(), Some(&s)).await }
    };
    assert_eq!(send(&a, SECRET, "01S1").await.unwrap(), 1, "cached on a");
    // Changed on b: a reads it again when the new signature fails the old.
    b.connect_channel(clinic.clinic_id, engine::channel::MODE_SANDBOX, "second-secret", None)
        .await
        .unwrap();
    assert_eq!(send(&a, "second-secret", "01S2").await.unwrap(), 1);
    // Changed on a itself: the old secret stops working at once.
    a.connect_channel(clinic.clinic_id, engine::channel::MODE_SANDBOX, "third-secret", None)
        .await
        .unwrap();
    assert!(matches!(send(&a, "second-secret", "01S3").await, Err(EngineError::BadSignature)));
    assert_eq!(send(&a, "third-secret", "01S4").await.unwrap(), 1);
}

/// Hundreds of new friends in one batch: each made once, each with their
/// own timeline in order, the segments told of each.
#[tokio::test]
async fn a_large_batch_makes_every_friend_once_in_order() {
    let w = world().await;
    let mut events = Vec::new();
    for n in 0..300 {
        let user = format!("U{:032x}", 0x9000 + n);
        events.push(event_from(
            &user,
            &format!("01L{n:04}a"),
            1000 + n,
            r#""type":"follow","replyToken":"r","follow":{"isUnblocked":false}"#,
        ));
        events.push(event_from(
            &user,
            &format!("01L{n:04}b"),
            5000 + n,
            r#""type":"message","replyToken":"r","message":{"type":"text","id":"m","text":"はい"}"#,
        ));
        events.push(event_from(&user, &format!("01L{n:04}c"), 9000 + n, r#""type":"unfollow""#));
    }
    w.deliver(&post(&events)).await.unwrap();
    assert_eq!(w.engine.process_webhooks(1000).await.unwrap(), 900);
    for n in [0, 149, 299] {
        let user = format!("U{:032x}", 0x9000 + n);
        let f = w
            .engine
            .db_for_tests()
            .friend_by_line_user(w.clinic_id, &user)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(f.status, "blocked");
        assert_eq!(w.timeline_of(&user).await, ["follow", "message_in", "block"], "{user}");
    }
    let changes = w.engine.db_for_tests().segment_changes_since(w.clinic_id, 0, 0).await.unwrap();
    let told: std::collections::HashSet<i64> = changes.friends.into_iter().collect();
    assert_eq!(told.len(), 300, "every new friend, once or more");
}
