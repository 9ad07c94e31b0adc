//! Saved segments, and the per-clinic index kept current from the change
//! log — also when another instance (another Engine on the same database)
//! makes the change.

mod common;

use common::world;
use engine::tags::TagInput;
use engine::{Engine, EngineError};
use model::segment::*;

fn has(tag: &str) -> Rule {
    Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(Condition::Tag {
                tag: tag.into(),
                has: true,
            })],
        },
    }
}

/// A second instance: its own engine (and index cache) on the same database.
fn other_instance(e: &Engine) -> Engine {
    Engine::new(e.db_for_tests().clone(), e.clock.clone(), e.secrets.clone())
}

#[tokio::test]
async fn the_index_follows_every_change_on_this_instance_and_on_another() {
    let w = world(6).await;
    let (a, b) = (&w.engine, other_instance(&w.engine));
    let flu = a.create_tag(&w.owner, &TagInput::plain("インフル希望")).await.unwrap();
    let rule = has(&flu.public_id);
    assert_eq!(a.count_segment(&w.viewer, &rule, 5).await.unwrap().count, 0);
    assert_eq!(b.count_segment(&w.viewer, &rule, 5).await.unwrap().count, 0);

    // Tagged through instance A: both instances' indexes see it.
    a.set_tag(&w.owner, &flu.public_id, &w.friends[0..3], true).await.unwrap();
    assert_eq!(a.count_segment(&w.viewer, &rule, 5).await.unwrap().count, 3);
    assert_eq!(b.count_segment(&w.viewer, &rule, 5).await.unwrap().count, 3);
    // Untagged through B: A sees it.
    b.set_tag(&w.owner, &flu.public_id, &w.friends[0..1], false).await.unwrap();
    let found = a.count_segment(&w.viewer, &rule, 5).await.unwrap();
    assert_eq!(found.count, 2);
    assert_eq!(
        found.sample.iter().map(|f| f.public_id.clone()).collect::<Vec<_>>(),
        w.friends[1..3].to_vec()
    );

    // A birth date typed on B, a field value, a block and a new friend from
    // LINE: A's index follows each.
    let child = Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(Condition::Date {
                date: DateSource::BirthDate,
                when: When::YearsBetween { min: 0, max: 15 },
            })],
        },
    };
    assert_eq!(a.count_segment(&w.viewer, &child, 5).await.unwrap().count, 0);
    let fields = model::patient::PatientFields {
        birth_date: "2020-04-01".into(),
        ..Default::default()
    };
    b.update_patient_fields(&w.owner, &w.friends[4], &fields).await.unwrap();
    assert_eq!(a.count_segment(&w.viewer, &child, 5).await.unwrap().count, 1);

    let visits = b.create_field(&w.owner, "来院回数", "number", &[]).await.unwrap();
    let frequent = Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(Condition::Field {
                field: visits.public_id.clone(),
                op: Op::Gt,
                value: Value::Number(2.0),
            })],
        },
    };
    assert_eq!(a.count_segment(&w.viewer, &frequent, 5).await.unwrap().count, 0);
    b.set_field_value(&w.owner, &w.friends[5], &visits.public_id, &[Value::Number(3.0)])
        .await
        .unwrap();
    assert_eq!(a.count_segment(&w.viewer, &frequent, 5).await.unwrap().count, 1);

    let active = Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(Condition::Status { status: Status::Active })],
        },
    };
    assert_eq!(a.count_segment(&w.viewer, &active, 5).await.unwrap().count, 6);
    let clinic = w.engine.db_for_tests().clinic(w.owner.clinic_id).await.unwrap().unwrap();
    let events = format!(
        r#"{{"destination":"U0","events":[{},{}]}}"#,
        event("unfollow", &common::user(0), 1, ""),
        event("follow", &common::user(99), 2, r#","follow":{"isUnblocked":false}"#)
    );
    b.ingest_webhook(
        &clinic.public_id,
        events.as_bytes(),
        Some(&line::sign(common::SECRET, events.as_bytes())),
    )
    .await
    .unwrap();
    b.process_webhooks(10).await.unwrap();
    assert_eq!(
        a.count_segment(&w.viewer, &active, 5).await.unwrap().count,
        6,
        "one blocked, one new"
    );
    assert_eq!(a.segment_members(w.owner.clinic_id, &active).await.unwrap().len(), 6);
}

fn event(kind: &str, user: &str, n: i64, extra: &str) -> String {
    format!(
        r#"{{"type":"{kind}"{extra},"timestamp":{},"mode":"active","webhookEventId":"01K{n:023}","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{user}"}},"replyToken":"rt{n}"}}"#,
        1_795_316_500_000i64 + n
    )
}

#[tokio::test]
async fn saved_segments_validate_and_belong_to_their_clinic() {
    let w = world(2).await;
    let e = &w.engine;
    let hbp = e.create_tag(&w.owner, &TagInput::plain("高血圧")).await.unwrap();
    let pid = e
        .save_segment(&w.owner, None, " 生活習慣病リスク ", "高血圧の方", &has(&hbp.public_id))
        .await
        .unwrap();
    let (row, rule) = e.segment(&w.viewer, &pid).await.unwrap();
    assert_eq!((row.name.as_str(), rule), ("生活習慣病リスク", has(&hbp.public_id)));

    // Refusals: a viewer, an unknown tag, an empty name, a taken name.
    assert!(matches!(
        e.save_segment(&w.viewer, None, "x", "", &has(&hbp.public_id)).await,
        Err(EngineError::Forbidden)
    ));
    assert!(matches!(
        e.save_segment(&w.owner, None, "x", "", &has("nope")).await,
        Err(EngineError::InvalidRule(_))
    ));
    assert!(matches!(
        e.save_segment(&w.owner, None, "  ", "", &has(&hbp.public_id)).await,
        Err(EngineError::InvalidSegmentName)
    ));
    assert!(matches!(
        e.save_segment(&w.owner, None, "生活習慣病リスク", "", &has(&hbp.public_id)).await,
        Err(EngineError::TagNameTaken)
    ));
    // A refused edit leaves the stored segment as it was.
    assert!(e.save_segment(&w.owner, Some(&pid), "改名", "", &has("nope")).await.is_err());
    assert_eq!(e.segment(&w.viewer, &pid).await.unwrap().0.name, "生活習慣病リスク");
    e.save_segment(&w.owner, Some(&pid), "改名", "", &has(&hbp.public_id))
        .await
        .unwrap();
    assert_eq!(e.list_segments(&w.viewer).await.unwrap()[0].name, "改名");

    // Another clinic neither sees nor deletes it.
    let elsewhere = w.owner_elsewhere().await;
    assert!(e.list_segments(&elsewhere).await.unwrap().is_empty());
    assert!(matches!(e.segment(&elsewhere, &pid).await, Err(EngineError::NotFound)));
    assert!(matches!(e.delete_segment(&elsewhere, &pid).await, Err(EngineError::NotFound)));
    e.delete_segment(&w.owner, &pid).await.unwrap();
    assert!(e.list_segments(&w.owner).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_instance_idle_past_the_retention_rebuilds_its_index() {
    let w = world(3).await;
    let e = &w.engine;
    let t = e.create_tag(&w.owner, &TagInput::plain("t")).await.unwrap();
    assert_eq!(e.count_segment(&w.viewer, &has(&t.public_id), 1).await.unwrap().count, 0);
    e.set_tag(&w.owner, &t.public_id, &w.friends, true).await.unwrap();
    // Three days later the change rows are pruned; the index is rebuilt.
    w.clock.advance(chrono::Duration::days(3));
    assert!(e.prune_segment_changes().await.unwrap() >= 3);
    assert_eq!(e.count_segment(&w.viewer, &has(&t.public_id), 1).await.unwrap().count, 3);
}
