//! Automations: saving (validation, loops refused), running from the queue
//! (chains, conditions, failures that are recorded and block nothing), and
//! a crash between a happening and its run.

mod common;

use common::world;
use engine::tags::TagInput;
use engine::{Clock, EngineError};
use model::automation::*;
use model::segment::*;

fn on_tag(tag: &str, then: Vec<Action>) -> Automation {
    Automation {
        trigger: Trigger::TagAdded { tag: tag.into() },
        condition: None,
        actions: then,
    }
}

fn add(tag: &str) -> Action {
    Action::AddTag { tag: tag.into() }
}

async fn tags_of(w: &common::World, friend: &str) -> Vec<String> {
    let mut names: Vec<String> = w
        .engine
        .friend_tag_list(&w.viewer, friend)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_loop_is_refused_when_saving_and_when_enabling() {
    let w = world(1).await;
    let e = &w.engine;
    let a = e.create_tag(&w.owner, &TagInput::plain("A")).await.unwrap();
    let b = e.create_tag(&w.owner, &TagInput::plain("B")).await.unwrap();
    let first = e
        .save_automation(&w.owner, None, "AならB", &on_tag(&a.public_id, vec![add(&b.public_id)]))
        .await
        .unwrap();
    let Err(EngineError::InvalidAutomation(problems)) = e
        .save_automation(&w.owner, None, "BならA", &on_tag(&b.public_id, vec![add(&a.public_id)]))
        .await
    else {
        panic!("B → A closes a loop with A → B")
    };
    assert!(matches!(&problems[0].problem, Problem::Loop(names) if names.contains(&"AならB".to_string())));
    // With the first turned off the second may be saved; turning the first
    // back on is then refused.
    e.set_automation_enabled(&w.owner, &first, false).await.unwrap();
    e.save_automation(&w.owner, None, "BならA", &on_tag(&b.public_id, vec![add(&a.public_id)]))
        .await
        .unwrap();
    assert!(matches!(
        e.set_automation_enabled(&w.owner, &first, true).await,
        Err(EngineError::InvalidAutomation(_))
    ));
    // Invalid ones are refused with where and why; a staff member may not design.
    let Err(EngineError::InvalidAutomation(problems)) = e
        .save_automation(&w.owner, None, "x", &on_tag("nope", vec![Action::Reply { text: " ".into() }]))
        .await
    else {
        panic!("unknown tag and empty text")
    };
    let at: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
    assert_eq!(at, vec!["trigger", "actions.0"]);
    assert!(matches!(
        e.save_automation(&w.viewer, None, "x", &on_tag(&a.public_id, vec![])).await,
        Err(EngineError::Forbidden)
    ));
    assert_eq!(e.list_automations(&w.viewer).await.unwrap().len(), 2);
    assert!(e.list_automations(&w.owner_elsewhere().await).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_tag_added_by_staff_runs_a_chain_with_its_condition() {
    let w = world(3).await;
    let e = &w.engine;
    let vaccine = e.create_tag(&w.owner, &TagInput::plain("ワクチン希望")).await.unwrap();
    let adult = e.create_tag(&w.owner, &TagInput::plain("成人")).await.unwrap();
    let call = e.create_tag(&w.owner, &TagInput::plain("要電話")).await.unwrap();
    let list = e.create_tag(&w.owner, &TagInput::plain("接種リスト")).await.unwrap();
    // Only adults go on the list; being on the list means a call.
    let adults_only = Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(Condition::Tag {
                tag: adult.public_id.clone(),
                has: true,
            })],
        },
    };
    let mut to_list = on_tag(&vaccine.public_id, vec![add(&list.public_id)]);
    to_list.condition = Some(adults_only);
    e.save_automation(&w.owner, None, "接種リストへ", &to_list).await.unwrap();
    e.save_automation(&w.owner, None, "電話する", &on_tag(&list.public_id, vec![add(&call.public_id)]))
        .await
        .unwrap();

    e.set_tag(&w.owner, &adult.public_id, &w.friends[0..1], true).await.unwrap();
    e.set_tag(&w.owner, &vaccine.public_id, &w.friends[0..2], true).await.unwrap();
    while e.process_automations(10).await.unwrap() > 0 {}
    assert_eq!(
        tags_of(&w, &w.friends[0]).await,
        vec!["ワクチン希望", "成人", "接種リスト", "要電話"]
    );
    assert_eq!(
        tags_of(&w, &w.friends[1]).await,
        vec!["ワクチン希望"],
        "the condition held back the child"
    );
    let timeline = e.friend_detail(&w.viewer, &w.friends[0]).await.unwrap().timeline;
    assert_eq!(timeline.iter().filter(|t| t.kind == "automation").count(), 2);
    // Nothing runs twice.
    assert_eq!(e.process_automations(10).await.unwrap(), 0);
    let runs = e.recent_automation_runs(&w.viewer, 10).await.unwrap();
    assert_eq!(runs.iter().filter(|r| r.status == "done").count(), 2);
}

#[tokio::test]
async fn a_failing_automation_is_recorded_and_blocks_nothing() {
    let w = world(1).await;
    let e = &w.engine;
    let t = e.create_tag(&w.owner, &TagInput::plain("t")).await.unwrap();
    let automation = Automation {
        trigger: Trigger::Keyword {
            keyword: "予約".into(),
            exact: false,
        },
        condition: None,
        actions: vec![
            add(&t.public_id),
            Action::Reply {
                text: "受け付けました".into(),
            },
        ],
    };
    e.save_automation(&w.owner, None, "予約の返信", &automation).await.unwrap();
    // The world's channel has no LINE to reach: the reply fails.
    let clinic = e.db_for_tests().clinic(w.owner.clinic_id).await.unwrap().unwrap();
    let body = format!(
        r#"{{"destination":"U0","events":[{{"type":"message","message":{{"type":"text","id":"m1","text":"予約したいです","quoteToken":"q"}},"timestamp":1795316500001,"mode":"active","webhookEventId":"01KAAAAAAAAAAAAAAAAAAAAAAA","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{}"}},"replyToken":"rt1"}}]}}"#,
        common::user(0)
    );
    e.ingest_webhook(
        &clinic.public_id,
        body.as_bytes(),
        Some(&line::sign(common::SECRET, body.as_bytes())),
    )
    .await
    .unwrap();
    assert_eq!(e.process_webhooks(10).await.unwrap(), 1, "intake does not wait for automations");
    assert_eq!(e.process_automations(10).await.unwrap(), 1);
    let runs = e.recent_automation_runs(&w.viewer, 10).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].status.as_str(), runs[0].error.as_str()), ("failed", "no_channel"));
    assert_eq!(tags_of(&w, &w.friends[0]).await, vec!["t"], "the actions before the failure stand");
}

#[tokio::test]
async fn a_happening_left_by_a_crash_is_run_once_after_its_lease() {
    let w = world(1).await;
    let e = &w.engine;
    let a = e.create_tag(&w.owner, &TagInput::plain("A")).await.unwrap();
    let b = e.create_tag(&w.owner, &TagInput::plain("B")).await.unwrap();
    e.save_automation(&w.owner, None, "AならB", &on_tag(&a.public_id, vec![add(&b.public_id)]))
        .await
        .unwrap();
    e.set_tag(&w.owner, &a.public_id, &w.friends, true).await.unwrap();
    // A worker leased it and died before finishing.
    let now = w.clock.now().timestamp_millis();
    let taken = e.db_for_tests().claim_happening(now, now + 30_000).await.unwrap();
    assert!(taken.is_some());
    assert!(
        e.db_for_tests().claim_happening(now, now + 30_000).await.unwrap().is_none(),
        "one queued, and it is held"
    );
    assert_eq!(e.process_automations(10).await.unwrap(), 0, "held by the lease");
    w.clock.advance(chrono::Duration::seconds(31));
    // It, and then the B it added (queued meanwhile, taken in the same round).
    assert_eq!(e.process_automations(10).await.unwrap(), 2);
    assert_eq!(tags_of(&w, &w.friends[0]).await, vec!["A", "B"]);
    // Adding B is queued too (an automation listens for added tags) and
    // fires nothing; the automation ran once.
    while e.process_automations(10).await.unwrap() > 0 {}
    let runs = e.recent_automation_runs(&w.viewer, 10).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, "done");
}
