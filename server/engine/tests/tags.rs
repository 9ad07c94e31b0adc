//! Tags, folders and custom fields, on the backend the run selects.

mod common;

use common::world;
use engine::tags::{TagInput, TAG_COLORS};
use engine::EngineError;
use model::segment::{Date, Value};

fn input<'a>(folder: Option<&'a str>, name: &'a str) -> TagInput<'a> {
    TagInput {
        folder,
        name,
        color: TAG_COLORS[0],
        description: "",
        rule_text: "初診時の問診票で該当に丸がある方",
    }
}

#[tokio::test]
async fn tags_are_designed_by_marketers_and_attached_by_the_front_desk() {
    let w = world(3).await;
    let e = &w.engine;
    let folder = e.create_tag_folder(&w.owner, "診療科").await.unwrap();
    let child = e.create_tag(&w.owner, &input(Some(&folder.public_id), "小児科")).await.unwrap();
    assert_eq!(child.folder_id, Some(folder.id));
    assert_eq!(child.rule_text, "初診時の問診票で該当に丸がある方");
    assert!(matches!(
        e.create_tag(&w.owner, &input(None, " 小児科 ")).await,
        Err(EngineError::TagNameTaken)
    ));
    assert!(matches!(
        e.create_tag(&w.owner, &input(None, "")).await,
        Err(EngineError::InvalidTagName)
    ));
    let mut pink = input(None, "ピンク");
    pink.color = "#ff00ff";
    assert!(matches!(e.create_tag(&w.owner, &pink).await, Err(EngineError::InvalidTagColor)));
    assert!(matches!(
        e.create_tag(&w.viewer, &input(None, "閲覧")).await,
        Err(EngineError::Forbidden)
    ));
    assert!(matches!(
        e.create_tag(&w.owner, &input(Some("no-such-folder"), "迷子")).await,
        Err(EngineError::NotFound)
    ));

    // Attaching twice changes nothing the second time; bulk in one call.
    assert_eq!(e.set_tag(&w.owner, &child.public_id, &w.friends[..1], true).await.unwrap(), 1);
    assert_eq!(e.set_tag(&w.owner, &child.public_id, &w.friends, true).await.unwrap(), 2);
    assert_eq!(e.set_tag(&w.owner, &child.public_id, &w.friends, true).await.unwrap(), 0);
    let listed = e.list_tags(&w.owner).await.unwrap();
    let stat = listed.iter().find(|t| t.tag.id == child.id).unwrap();
    assert_eq!(stat.friends, 3);
    assert!(stat.last_applied.is_some());
    assert_eq!(e.set_tag(&w.owner, &child.public_id, &w.friends[2..], false).await.unwrap(), 1);
    assert_eq!(e.friend_tag_list(&w.owner, &w.friends[2]).await.unwrap().len(), 0);
    assert_eq!(e.friend_tag_list(&w.owner, &w.friends[0]).await.unwrap()[0].name, "小児科");
    assert!(matches!(
        e.set_tag(&w.viewer, &child.public_id, &w.friends, true).await,
        Err(EngineError::Forbidden)
    ));

    // Another clinic cannot see or use this clinic's tags or friends.
    let elsewhere = w.owner_elsewhere().await;
    assert!(matches!(
        e.set_tag(&elsewhere, &child.public_id, &w.friends, true).await,
        Err(EngineError::NotFound)
    ));
    assert!(e.list_tags(&elsewhere).await.unwrap().is_empty());
    let theirs = e.create_tag(&elsewhere, &input(None, "皮膚科")).await.unwrap();
    assert!(matches!(
        e.set_tag(&w.owner, &theirs.public_id, &w.friends, true).await,
        Err(EngineError::NotFound)
    ));
    assert_eq!(
        e.db_for_tests()
            .tag_friends(
                elsewhere.clinic_id,
                theirs.id,
                &[e.db_for_tests()
                    .friend_by_public_id(w.owner.clinic_id, &w.friends[0])
                    .await
                    .unwrap()
                    .unwrap()
                    .id],
                0,
                None,
                None
            )
            .await
            .unwrap(),
        Vec::<i64>::new(),
        "the store refuses a friend of another clinic too"
    );
}

#[tokio::test]
async fn custom_field_values_must_fit_their_type() {
    let w = world(1).await;
    let e = &w.engine;
    let f = &w.friends[0];
    let visit = e.create_field(&w.owner, "最終来院日", "date", &[]).await.unwrap();
    let needs = e
        .create_field(
            &w.owner,
            "ニーズ",
            "multi_choice",
            &["インフルエンザワクチン".into(), "乳がん検診".into()],
        )
        .await
        .unwrap();
    assert!(matches!(
        e.create_field(&w.owner, "重複", "single_choice", &["a".into(), "a".into()]).await,
        Err(EngineError::InvalidChoices)
    ));
    assert!(matches!(
        e.create_field(&w.owner, "選択なし", "single_choice", &[]).await,
        Err(EngineError::InvalidChoices)
    ));
    assert!(matches!(
        e.create_field(&w.owner, "数", "integer", &[]).await,
        Err(EngineError::InvalidFieldType)
    ));
    assert!(matches!(
        e.create_field(&w.owner, "最終来院日", "text", &[]).await,
        Err(EngineError::TagNameTaken)
    ));

    let day = Value::Date(Date::new(2026, 5, 1).unwrap());
    e.set_field_value(&w.owner, f, &visit.public_id, std::slice::from_ref(&day))
        .await
        .unwrap();
    assert!(matches!(
        e.set_field_value(&w.owner, f, &visit.public_id, &[Value::Text("先月".into())])
            .await,
        Err(EngineError::ValueNotForField)
    ));
    e.set_field_value(
        &w.owner,
        f,
        &needs.public_id,
        &[Value::Choice("インフルエンザワクチン".into()), Value::Choice("乳がん検診".into())],
    )
    .await
    .unwrap();
    assert!(matches!(
        e.set_field_value(&w.owner, f, &needs.public_id, &[Value::Choice("未登録の選択肢".into())])
            .await,
        Err(EngineError::ValueNotForField)
    ));
    let friend = e.db_for_tests().friend_by_public_id(w.owner.clinic_id, f).await.unwrap().unwrap();
    let stored = e.db_for_tests().friend_field_values(w.owner.clinic_id, friend.id).await.unwrap();
    assert_eq!(stored.len(), 2, "refused values changed nothing");
    let visit_value: Vec<Value> = serde_json::from_str(&stored.iter().find(|(id, _)| *id == visit.id).unwrap().1).unwrap();
    assert_eq!(visit_value, vec![day]);
    e.set_field_value(&w.owner, f, &visit.public_id, &[]).await.unwrap();
    assert_eq!(
        e.db_for_tests()
            .friend_field_values(w.owner.clinic_id, friend.id)
            .await
            .unwrap()
            .len(),
        1,
        "cleared"
    );
}

#[tokio::test]
async fn segments_count_tags_fields_and_ages_of_the_clinic_only() {
    use model::patient::PatientFields;
    use model::segment::*;
    let w = world(4).await;
    let e = &w.engine;
    let hbp = e.create_tag(&w.owner, &input(None, "高血圧")).await.unwrap();
    let hbg = e.create_tag(&w.owner, &input(None, "高血糖")).await.unwrap();
    e.set_tag(&w.owner, &hbp.public_id, &w.friends[0..2], true).await.unwrap();
    e.set_tag(&w.owner, &hbg.public_id, &w.friends[1..3], true).await.unwrap();
    let born = |date: &str| PatientFields {
        birth_date: date.into(),
        ..Default::default()
    };
    e.update_patient_fields(&w.owner, &w.friends[0], &born("1950-01-01")).await.unwrap();
    e.update_patient_fields(&w.owner, &w.friends[1], &born("2015-01-01")).await.unwrap();
    let visits = e.create_field(&w.owner, "来院回数", "number", &[]).await.unwrap();
    e.set_field_value(&w.owner, &w.friends[2], &visits.public_id, &[Value::Number(5.0)])
        .await
        .unwrap();

    let tag = |t: &str| Node::Condition(Condition::Tag { tag: t.into(), has: true });
    let rule = |items: Vec<Node>| Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items,
        },
    };
    let either = Node::Group(Group {
        join: Join::Any,
        negate: false,
        items: vec![tag(&hbp.public_id), tag(&hbg.public_id)],
    });
    assert_eq!(e.count_segment(&w.viewer, &rule(vec![either.clone()]), 10).await.unwrap().count, 3);
    let not_a_child = Node::Group(Group {
        join: Join::All,
        negate: true,
        items: vec![Node::Condition(Condition::Date {
            date: DateSource::BirthDate,
            when: When::YearsBetween { min: 0, max: 15 },
        })],
    });
    assert_eq!(
        e.count_segment(&w.viewer, &rule(vec![either, not_a_child]), 10)
            .await
            .unwrap()
            .count,
        2
    );
    let frequent = rule(vec![Node::Condition(Condition::Field {
        field: visits.public_id.clone(),
        op: Op::Gt,
        value: Value::Number(3.0),
    })]);
    let found = e.count_segment(&w.viewer, &frequent, 10).await.unwrap();
    assert_eq!(found.count, 1);
    assert_eq!(found.sample[0].public_id, w.friends[2]);

    // A rule naming what the clinic does not have is refused, with the reason.
    let Err(EngineError::InvalidRule(why)) = e.count_segment(&w.viewer, &rule(vec![tag("存在しないタグ")]), 10).await else {
        panic!("an unknown tag must be refused")
    };
    assert_eq!(why[0].reason, Reason::UnknownTag);
    let elsewhere = w.owner_elsewhere().await;
    assert!(
        matches!(e.count_segment(&elsewhere, &frequent, 10).await, Err(EngineError::InvalidRule(_))),
        "another clinic's fields are unknown here"
    );
}
