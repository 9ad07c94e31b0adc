//! Appointments and step sequences against the sandbox over real HTTP, on
//! a clock the tests move: reminders worked out from the appointment as it
//! is when they go (moved, cancelled, booked inside the window), downtime,
//! stop conditions, step conditions, editing a running sequence, a crash
//! between LINE's acceptance and our commit, and two instances on one
//! database sending each step once.

mod common;

use chrono::DateTime;
use engine::sequences::{SequenceDraft, StepDraft};
use engine::{Actor, Engine, LineEndpoints, ManualClock, SecretBox};
use model::appointment::AppointmentAct;
use model::broadcast::Purpose;
use model::message::Bundle;
use model::sequence::{Anchor, StepCondition, StepTiming, Stop, Trigger};
use sandbox::Sandbox;
use std::sync::Arc;

struct Rig {
    engine: Engine,
    /// A second instance on the same database.
    other: Engine,
    clock: Arc<ManualClock>,
    sb: Sandbox,
    owner: Actor,
    users: Vec<String>,
    /// The friends' public IDs, in the order of `users`.
    friends: Vec<String>,
    department: String,
}

fn user(i: usize) -> String {
    format!("U{:032x}", 0x5e0000 + i)
}

/// Epoch ms of a Japan-time wall clock in 2026 (January: 2027).
fn jst(month: u32, day: u32, h: i64, m: i64) -> i64 {
    let year = if month == 1 { 2027 } else { 2026 };
    let days = model::segment::Date::new(year, month, day).unwrap().days_from_epoch();
    days * 86_400_000 + (h * 60 + m) * 60_000 - 9 * 3_600_000
}

async fn rig(friends: usize) -> Rig {
    rig_with(friends, true).await
}

async fn rig_with(friends: usize, department: bool) -> Rig {
    let (db, db2, _) = store::testing::fresh_db_pair().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sb_base = format!("http://{}", listener.local_addr().unwrap());
    let key = SecretBox::generate_key();
    let clock = Arc::new(ManualClock::new(DateTime::from_timestamp_millis(jst(12, 1, 9, 0)).unwrap()));
    let endpoints = LineEndpoints {
        api_base: "http://127.0.0.1:9".into(),
        data_base: "http://127.0.0.1:9".into(),
        sandbox_base: Some(sb_base),
        sandbox_token: None,
        webhook_base: None,
    };
    let make = |db| Engine::new(db, clock.clone(), SecretBox::from_base64(&key).unwrap()).with_line_endpoints(endpoints.clone());
    let (engine, other) = (make(db), make(db2));
    engine.seed_demo_if_empty().await.unwrap();
    let sb = Sandbox::new();
    server::sandbox_link::link(&engine, &sb, "http://127.0.0.1:9").await.unwrap();
    let router = sb.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let out = engine.login("owner@sakura.example", "sakura-owner-2026", "10.1.1.1").await.unwrap();
    let owner = engine.authenticate(&out.token).await.unwrap();
    let users: Vec<String> = (0..friends).map(user).collect();
    engine
        .db_for_tests()
        .insert_friends_for_tests(owner.clinic_id, "sq", &users)
        .await
        .unwrap();
    sb.add_friends(&owner.clinic_public_id, &users).unwrap();
    let mut ids = Vec::new();
    for u in &users {
        ids.push(
            engine
                .db_for_tests()
                .friend_by_line_user(owner.clinic_id, u)
                .await
                .unwrap()
                .unwrap()
                .public_id,
        );
    }
    let department = if department {
        engine.create_department(&owner, "小児科", 30, 2).await.unwrap()
    } else {
        String::new()
    };
    Rig {
        engine,
        other,
        clock,
        sb,
        owner,
        users,
        friends: ids,
        department,
    }
}

impl Rig {
    /// Moves the clock to `at` and lets the scheduler do all it would.
    async fn at(&self, at: i64) {
        self.clock.set(DateTime::from_timestamp_millis(at).unwrap());
        while self.engine.run_sequences_once().await.unwrap() > 0 {}
    }

    /// The texts friend `i` received, oldest first.
    fn texts(&self, i: usize) -> Vec<String> {
        self.sb
            .received(&self.users[i])
            .iter()
            .flat_map(|d| d.messages.iter().filter_map(|m| m["text"].as_str().map(str::to_string)))
            .collect()
    }

    async fn book(&self, i: usize, at: i64) -> String {
        self.engine
            .book_appointment(&self.owner, &self.friends[i], &self.department, at)
            .await
            .unwrap()
    }

    async fn sequence(&self, name: &str, trigger: Trigger, stops: Vec<Stop>, steps: Vec<StepDraft>) -> String {
        let d = SequenceDraft {
            name: name.into(),
            trigger,
            stops,
            steps,
        };
        self.engine.save_sequence(&self.owner, None, &d).await.unwrap()
    }

    /// 予約リマインド: 3 days and 1 day before, 18:00, naming the appointment.
    async fn reminders(&self) -> String {
        self.sequence(
            "予約リマインド",
            Trigger::AppointmentBooked { department: None },
            vec![],
            vec![
                step(
                    StepTiming::at_clock(Anchor::Appointment, -3, 18, 0),
                    "3日前: {次回予約日} {予約時刻} {診療科}",
                ),
                step(
                    StepTiming::at_clock(Anchor::Appointment, -1, 18, 0),
                    "明日: {表示名}様 {次回予約日} {予約時刻}",
                ),
            ],
        )
        .await
    }
}

fn step(timing: StepTiming, text: &str) -> StepDraft {
    StepDraft {
        id: String::new(),
        timing,
        purpose: Purpose::Operational,
        condition: None,
        bundle: Bundle::texts(&[text]),
        actions: vec![],
    }
}

#[tokio::test]
async fn reminders_go_at_their_moment_in_japan_time_and_name_the_appointment() {
    let r = rig(1).await;
    r.reminders().await;
    r.book(0, jst(12, 20, 10, 0)).await;
    r.at(jst(12, 17, 17, 59)).await;
    assert!(r.texts(0).is_empty(), "nothing before 17 December 18:00");
    r.at(jst(12, 17, 18, 0)).await;
    assert_eq!(r.texts(0), vec!["3日前: 12月20日(日) 10:00 小児科"]);
    r.at(jst(12, 19, 18, 0)).await;
    let name = r
        .engine
        .db_for_tests()
        .friend_by_line_user(r.owner.clinic_id, &r.users[0])
        .await
        .unwrap()
        .unwrap()
        .display_name;
    assert_eq!(r.texts(0)[1], format!("明日: {name}様 12月20日(日) 10:00"));
    r.at(jst(12, 21, 18, 0)).await;
    assert_eq!(r.texts(0).len(), 2, "each reminder once");
}

#[tokio::test]
async fn a_moved_appointment_gets_reminders_for_its_new_time_only() {
    let r = rig(1).await;
    r.reminders().await;
    let a = r.book(0, jst(12, 20, 10, 0)).await;
    r.at(jst(12, 17, 18, 0)).await;
    assert_eq!(r.texts(0).len(), 1, "the 3-day reminder for the 20th");
    // On the 18th the clinic moves it to the 30th at 14:30.
    r.at(jst(12, 18, 9, 0)).await;
    r.engine
        .act_on_appointment(&r.owner, &a, AppointmentAct::Move { to: jst(12, 30, 14, 30) })
        .await
        .unwrap();
    r.at(jst(12, 19, 18, 0)).await;
    assert_eq!(r.texts(0).len(), 1, "no reminder for the old day");
    r.at(jst(12, 27, 18, 0)).await;
    assert_eq!(r.texts(0)[1], "3日前: 12月30日(水) 14:30 小児科");
    r.at(jst(12, 29, 18, 0)).await;
    assert!(r.texts(0)[2].ends_with("12月30日(水) 14:30"), "{:?}", r.texts(0));
    assert_eq!(r.texts(0).len(), 3);
}

#[tokio::test]
async fn a_cancelled_appointment_gets_no_reminder_even_one_already_due() {
    let r = rig(1).await;
    r.reminders().await;
    let a = r.book(0, jst(12, 20, 10, 0)).await;
    r.at(jst(12, 17, 18, 0)).await;
    assert_eq!(r.texts(0).len(), 1);
    // The day-before reminder is due at 18:00; the scheduler has not run
    // yet when the patient's cancellation arrives at 18:00:30.
    r.clock.set(DateTime::from_timestamp_millis(jst(12, 19, 18, 0) + 30_000).unwrap());
    r.engine.act_on_appointment(&r.owner, &a, AppointmentAct::Cancel).await.unwrap();
    r.at(jst(12, 19, 18, 1)).await;
    r.at(jst(12, 21, 9, 0)).await;
    assert_eq!(r.texts(0).len(), 1, "nothing after the cancellation");
    let outcomes = r.engine.friend_step_outcomes(&r.owner, &r.friends[0]).await.unwrap();
    assert!(outcomes[0]
        .1
        .iter()
        .any(|(_, o)| *o == engine::sequences::StepOutcome::Skipped(model::sequence::SkipReason::AppointmentGone)));
}

#[tokio::test]
async fn a_booking_inside_a_reminders_window_skips_it_instead_of_catching_up() {
    let r = rig(1).await;
    r.reminders().await;
    r.at(jst(12, 18, 12, 0)).await;
    r.book(0, jst(12, 20, 10, 0)).await;
    r.at(jst(12, 18, 12, 1)).await;
    assert!(
        r.texts(0).is_empty(),
        "the 3-day moment (17th 18:00) was past when the booking was made"
    );
    r.at(jst(12, 19, 18, 0)).await;
    assert_eq!(r.texts(0).len(), 1);
    assert!(r.texts(0)[0].starts_with("明日"));
}

#[tokio::test]
async fn after_a_downtime_a_reminder_goes_late_only_within_its_lateness_and_never_after_the_visit() {
    let r = rig(2).await;
    r.reminders().await;
    r.book(0, jst(12, 20, 10, 0)).await;
    r.book(1, jst(12, 21, 10, 0)).await;
    // Down from the 16th until the 19th 23:00: friend 0's day-before
    // reminder (19th 18:00) is 5 hours late and still goes; the 3-day ones
    // (17th, 18th) are long past their lateness.
    r.at(jst(12, 16, 9, 0)).await;
    r.at(jst(12, 19, 23, 0)).await;
    assert_eq!(r.texts(0).len(), 1);
    assert!(r.texts(0)[0].starts_with("明日"));
    assert!(r.texts(1).is_empty(), "friend 1's day-before reminder is tomorrow");
    // Down again until after friend 1's appointment began.
    r.at(jst(12, 21, 10, 5)).await;
    assert!(r.texts(1).is_empty(), "never after the appointment");
}

#[tokio::test]
async fn a_stop_condition_ends_the_enrolment_and_a_step_condition_skips_its_step() {
    let r = rig(2).await;
    let booked = r
        .engine
        .create_tag(&r.owner, &engine::tags::TagInput::plain("予約済"))
        .await
        .unwrap()
        .public_id;
    let child = r
        .engine
        .create_tag(&r.owner, &engine::tags::TagInput::plain("小児"))
        .await
        .unwrap()
        .public_id;
    let mut follow_up = step(StepTiming::at_clock(Anchor::Enrolment, 7, 10, 0), "お子さまのその後はいかがですか");
    follow_up.condition = Some(StepCondition::HasTag { tag: child.clone() });
    let seq = r
        .sequence(
            "定期検診のご案内",
            Trigger::Manual,
            vec![Stop::TagAdded { tag: booked.clone() }],
            vec![
                step(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0), "検診の時期です"),
                follow_up,
                step(StepTiming::at_clock(Anchor::Enrolment, 30, 10, 0), "まだご予約がありません"),
            ],
        )
        .await;
    for f in &r.friends {
        assert!(r.engine.enrol_friend(&r.owner, &seq, f).await.unwrap());
    }
    assert!(!r.engine.enrol_friend(&r.owner, &seq, &r.friends[0]).await.unwrap(), "not twice");
    r.at(jst(12, 2, 10, 0)).await;
    assert_eq!((r.texts(0).len(), r.texts(1).len()), (1, 1));
    // Friend 1 books (tagged 予約済): the invitations stop for them alone.
    r.engine.set_tag(&r.owner, &booked, &[r.friends[1].clone()], true).await.unwrap();
    r.at(jst(12, 8, 10, 0)).await;
    assert_eq!(r.texts(0).len(), 1, "friend 0 lacks 小児: the 7-day step is skipped");
    r.at(jst(12, 31, 10, 0)).await;
    assert_eq!(r.texts(0), vec!["検診の時期です", "まだご予約がありません"]);
    assert_eq!(r.texts(1), vec!["検診の時期です"], "stopped when 予約済 was added");
    let counts = r.engine.sequence_step_counts(&r.owner, &seq).await.unwrap();
    let sent: Vec<i64> = counts.iter().map(|c| c.sent).collect();
    assert_eq!(sent, vec![2, 0, 1]);
}

#[tokio::test]
async fn editing_a_running_sequence_never_resends_a_step_already_passed() {
    let r = rig(1).await;
    let seq = r
        .sequence(
            "初診後フォロー",
            Trigger::Manual,
            vec![],
            vec![
                step(StepTiming::after(Anchor::Enrolment, 0, 0), "ご来院ありがとうございました"),
                step(StepTiming::at_clock(Anchor::Enrolment, 7, 10, 0), "その後いかがですか"),
            ],
        )
        .await;
    r.engine.enrol_friend(&r.owner, &seq, &r.friends[0]).await.unwrap();
    r.at(jst(12, 1, 9, 1)).await;
    assert_eq!(r.texts(0), vec!["ご来院ありがとうございました"]);
    // The marketer rewords the first step and adds one at +2 days.
    let mut view = r.engine.sequence_view(&r.owner, &seq).await.unwrap();
    view.steps[0].bundle = Bundle::texts(&["本日はご来院いただきありがとうございました"]);
    view.steps
        .push(step(StepTiming::at_clock(Anchor::Enrolment, 2, 10, 0), "お薬は飲めていますか"));
    let d = SequenceDraft {
        name: view.row.name.clone(),
        trigger: view.trigger.clone(),
        stops: view.stops.clone(),
        steps: view.steps.clone(),
    };
    r.engine.save_sequence(&r.owner, Some(&seq), &d).await.unwrap();
    r.at(jst(12, 3, 10, 0)).await;
    r.at(jst(12, 8, 10, 0)).await;
    assert_eq!(
        r.texts(0),
        vec!["ご来院ありがとうございました", "お薬は飲めていますか", "その後いかがですか"]
    );
}

#[tokio::test]
async fn a_crash_between_lines_acceptance_and_our_commit_sends_one_copy() {
    let r = rig(1).await;
    r.reminders().await;
    r.book(0, jst(12, 20, 10, 0)).await;
    // LINE takes the push and the answer never comes back.
    r.sb.set_faults(sandbox::Faults {
        drop_rate: 1.0,
        ..Default::default()
    });
    r.at(jst(12, 17, 18, 0)).await;
    assert_eq!(r.sb.received(&r.users[0]).len(), 1, "LINE has it");
    r.sb.set_faults(sandbox::Faults::default());
    // Tried again under the same retry key: LINE answers that it already
    // accepted it; the patient has one copy and the ledger counts one.
    r.at(jst(12, 17, 18, 2)).await;
    assert_eq!(r.texts(0).len(), 1);
    let quota = r.engine.quota_status(r.owner.clinic_id).await.unwrap();
    assert_eq!((quota.used, quota.reserved), (1, 0));
    r.at(jst(12, 19, 18, 0)).await;
    assert_eq!(r.texts(0).len(), 2, "the next reminder as usual");
}

#[tokio::test]
async fn a_step_tags_the_friend_and_hands_over_to_the_next_sequence_once_even_when_lines_answer_is_lost() {
    use model::automation::Action;
    let r = rig(1).await;
    let e = &r.engine;
    let followed = e
        .create_tag(&r.owner, &engine::tags::TagInput::plain("フォロー済み"))
        .await
        .unwrap()
        .public_id;
    let next = r
        .sequence(
            "定期検診のご案内（次）",
            Trigger::Manual,
            vec![],
            vec![step(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0), "検診のご案内です")],
        )
        .await;
    let mut thanks = step(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0), "ご来院ありがとうございました");
    thanks.actions = vec![Action::AddTag { tag: followed.clone() }];
    // A step of actions only: no message of its own.
    let mut hand_over = step(StepTiming::at_clock(Anchor::Enrolment, 2, 10, 0), "");
    hand_over.bundle = Bundle::texts(&[]);
    hand_over.actions = vec![
        Action::RemoveTag { tag: followed.clone() },
        Action::StartSequence { sequence: next.clone() },
    ];
    let follow_up = r
        .sequence(
            "初診後フォロー（アクション）",
            Trigger::Manual,
            vec![],
            vec![thanks.clone(), hand_over],
        )
        .await;
    // Saved and read back, the actions are the step's.
    let saved = e.sequence_view(&r.owner, &follow_up).await.unwrap();
    assert_eq!(saved.steps[0].actions, thanks.actions);
    assert!(saved.steps[1].bundle.bubbles.is_empty());

    e.enrol_friend(&r.owner, &follow_up, &r.friends[0]).await.unwrap();
    let tagged = || async {
        e.friend_tag_list(&r.owner, &r.friends[0])
            .await
            .unwrap()
            .iter()
            .any(|t| t.public_id == followed)
    };
    // LINE takes the first step's push and its answer is lost: the step is
    // not recorded done, so it is tried again; LINE keeps one copy.
    r.sb.set_faults(sandbox::Faults {
        drop_rate: 1.0,
        ..Default::default()
    });
    r.at(jst(12, 2, 10, 0)).await;
    r.sb.set_faults(sandbox::Faults::default());
    r.at(jst(12, 2, 10, 2)).await;
    assert_eq!(r.texts(0), vec!["ご来院ありがとうございました"]);
    assert!(tagged().await, "the step's tag is on the friend");
    // The next day the action-only step takes the tag off and starts the
    // next sequence, which sends its own step a day later.
    r.at(jst(12, 3, 10, 0)).await;
    assert!(!tagged().await);
    assert_eq!(r.texts(0).len(), 1, "an action-only step sends nothing");
    r.at(jst(12, 4, 10, 0)).await;
    assert_eq!(r.texts(0), vec!["ご来院ありがとうございました", "検診のご案内です"]);

    // A step cannot carry a push (its message is its bubbles), nor name a
    // tag or a sequence that is not the clinic's.
    for action in [
        Action::Push { text: "二通目".into() },
        Action::AddTag { tag: "nope".into() },
        Action::StartSequence { sequence: "nope".into() },
    ] {
        let mut bad = step(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0), "本文");
        bad.actions = vec![action.clone()];
        let d = SequenceDraft {
            name: "だめなステップ".into(),
            trigger: Trigger::Manual,
            stops: vec![],
            steps: vec![bad],
        };
        match e.save_sequence(&r.owner, None, &d).await {
            Err(engine::EngineError::InvalidSequence(p)) => {
                assert_eq!(p, vec![model::sequence::SequenceProblem::BadStepAction], "{action:?}")
            }
            other => panic!("{action:?}: expected a refusal, got {other:?}"),
        }
    }
    // A step with neither a message nor an action is refused as empty.
    let mut empty = step(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0), "");
    empty.bundle = Bundle::texts(&[]);
    let d = SequenceDraft {
        name: "空のステップ".into(),
        trigger: Trigger::Manual,
        stops: vec![],
        steps: vec![empty],
    };
    assert!(matches!(
        e.save_sequence(&r.owner, None, &d).await,
        Err(engine::EngineError::InvalidBundle(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_send_each_step_once() {
    let r = rig(40).await;
    r.reminders().await;
    for i in 0..40 {
        // Two per half-hour slot (the department's capacity).
        r.book(i, jst(12, 20, 9, 0) + (i as i64 / 2) * 30 * 60_000).await;
    }
    r.clock.set(DateTime::from_timestamp_millis(jst(12, 17, 18, 0)).unwrap());
    let run = |e: Engine| async move { while e.run_sequences_once().await.unwrap() > 0 {} };
    tokio::join!(
        run(r.engine.clone()),
        run(r.other.clone()),
        run(r.engine.clone()),
        run(r.other.clone())
    );
    let copies: Vec<usize> = (0..40).map(|i| r.texts(i).len()).collect();
    assert_eq!(copies, vec![1; 40]);
    // A third appointment in a full slot is refused.
    let full = r
        .engine
        .book_appointment(&r.owner, &r.friends[0], &r.department, jst(12, 20, 9, 0))
        .await;
    assert!(matches!(full, Err(engine::EngineError::SlotFull)));
}

#[tokio::test]
async fn the_demo_clinic_starts_with_its_patient_journey_once() {
    let r = rig_with(112, false).await;
    let e = &r.engine;
    e.seed_demo_journey(r.owner.clinic_id).await.unwrap();
    e.seed_demo_journey(r.owner.clinic_id).await.unwrap();
    let names: Vec<String> = e.list_sequences(&r.owner).await.unwrap().into_iter().map(|s| s.row.name).collect();
    assert_eq!(
        names,
        vec![
            "予約リマインド",
            "初診後フォロー",
            "定期検診のご案内",
            "無断キャンセルのフォロー",
            "ご予約受付のお知らせ",
            "予約変更のお知らせ（患者さん）",
            "予約変更のお知らせ（クリニック）",
            "キャンセル受付のお知らせ（患者さん）",
            "予約取消のお知らせ（クリニック）"
        ]
    );
    assert_eq!(e.list_departments(&r.owner).await.unwrap().len(), 2);
    let month = e.appointments_between(&r.owner, jst(12, 1, 0, 0), jst(12, 31, 0, 0)).await.unwrap();
    assert_eq!(month.len(), 12);
    // Every booking is enrolled in the reminders, and over the month each
    // gets the ones whose moments were still ahead when it was booked.
    let mut at = jst(12, 1, 9, 0);
    while at < jst(12, 31, 0, 0) {
        at += 6 * 3_600_000;
        r.at(at).await;
    }
    let reminders = e.list_sequences(&r.owner).await.unwrap().remove(0).row.public_id;
    let counts = e.sequence_step_counts(&r.owner, &reminders).await.unwrap();
    let (three_days, day_before) = (counts[0].sent + counts[0].skipped, counts[1].sent + counts[1].skipped);
    assert_eq!(
        (three_days, day_before),
        (12, 12),
        "each step reached for every booking, sent or skipped"
    );
    assert!(counts[1].sent >= 11, "the day-before reminders went: {counts:?}");
}

#[tokio::test]
async fn the_preview_for_one_patient_is_what_the_scheduler_then_sends() {
    let r = rig(1).await;
    r.reminders().await;
    let a = r.book(0, jst(12, 20, 10, 0)).await;
    let preview = |r: &Rig| {
        let e = r.engine.clone();
        let (owner, friend) = (r.owner.clone(), r.friends[0].clone());
        async move { e.sequence_preview(&owner, &friend, 180).await.unwrap() }
    };
    let planned: Vec<(i64, String)> = preview(&r).await.into_iter().map(|p| (p.at, p.step)).collect();
    assert_eq!(
        planned,
        vec![
            (jst(12, 17, 18, 0), "−3日 18:00".to_string()),
            (jst(12, 19, 18, 0), "−1日 18:00".to_string())
        ]
    );
    // Moved: the preview follows, and the scheduler sends exactly that.
    r.engine
        .act_on_appointment(&r.owner, &a, AppointmentAct::Move { to: jst(12, 30, 14, 30) })
        .await
        .unwrap();
    let planned: Vec<i64> = preview(&r).await.into_iter().map(|p| p.at).collect();
    assert_eq!(planned, vec![jst(12, 27, 18, 0), jst(12, 29, 18, 0)]);
    let mut sent_at = Vec::new();
    for at in &planned {
        r.at(*at - 60_000).await;
        let before = r.texts(0).len();
        r.at(*at).await;
        assert_eq!(r.texts(0).len(), before + 1, "sent at the previewed moment");
        sent_at.push(*at);
    }
    assert_eq!(sent_at, planned);
    assert!(preview(&r).await.is_empty(), "nothing left to come");
    // Cancelled appointments promise nothing.
    let b = r.book(0, jst(12, 31, 15, 0) + 30 * 86_400_000).await;
    assert_eq!(preview(&r).await.len(), 2);
    r.engine.act_on_appointment(&r.owner, &b, AppointmentAct::Cancel).await.unwrap();
    assert!(preview(&r).await.is_empty());
}

/// The booking page's token in the last text friend `i` received that has
/// one (`…/book/<token>`).
fn last_booking_token(r: &Rig, i: usize) -> String {
    let texts = r.texts(i);
    let text = texts
        .iter()
        .rev()
        .find(|t| t.contains("/book/"))
        .expect("a text with a booking link");
    let start = text.find("/book/").unwrap() + "/book/".len();
    text[start..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn time_travel_sends_each_step_at_its_own_moment_and_keeps_staff_signed_in() {
    let r = rig(1).await;
    r.reminders().await;
    r.book(0, jst(12, 21, 10, 0)).await;
    let staff = r
        .engine
        .login("owner@sakura.example", "sakura-owner-2026", "10.1.1.2")
        .await
        .unwrap();
    r.engine.travel_in_time(&r.owner, 30 * 86_400_000).await.unwrap();
    assert_eq!(r.engine.now_ms(), jst(12, 31, 9, 0));
    // One jump of a month, yet neither reminder was "too late": the
    // scheduler ran at each one's moment on the way.
    let texts = r.texts(0);
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].starts_with("3日前: 12月21日(月) 10:00"));
    assert!(texts[1].starts_with("明日:"));
    let sent = r.sb.received(&r.users[0]);
    let apart = sent[1].at - sent[0].at;
    assert!(
        (apart - 2 * 86_400_000).abs() < 60_000,
        "the sandbox saw them two days apart, not together: {apart} ms"
    );
    // Signing in keeps real time: a month ahead, the session still holds.
    r.engine.authenticate(&staff.token).await.unwrap();
    // Backwards, or too far, is refused.
    assert!(matches!(
        r.engine.travel_in_time(&r.owner, -3_600_000).await,
        Err(engine::EngineError::TimeTravelRefused)
    ));
    // Once any clinic here talks to real LINE, never.
    r.engine
        .save_channel(
            &r.owner,
            engine::channel::ChannelInput {
                mode: "line",
                channel_id: "1234567890",
                channel_secret: "0123456789abcdef0123456789abcdef",
                access_token: "a-real-looking-token",
            },
        )
        .await
        .unwrap();
    let before = r.engine.now_ms();
    assert!(matches!(
        r.engine.travel_in_time(&r.owner, 3_600_000).await,
        Err(engine::EngineError::TimeTravelRefused)
    ));
    assert_eq!(r.engine.now_ms(), before);
    assert!(!r.engine.time_travel_state(&r.owner).await.unwrap().allowed);
}

#[tokio::test]
async fn a_patient_moves_and_cancels_from_their_reminders_link_and_each_link_makes_one_change() {
    let r = rig(2).await;
    r.sequence(
        "予約リマインド",
        Trigger::AppointmentBooked { department: None },
        vec![],
        vec![
            step(
                StepTiming::at_clock(Anchor::Appointment, -3, 18, 0),
                "3日前: {次回予約日} {予約時刻} 変更・キャンセル {予約URL}",
            ),
            step(
                StepTiming::at_clock(Anchor::Appointment, -1, 18, 0),
                "明日: {次回予約日} {予約時刻} 変更・キャンセル {予約URL}",
            ),
        ],
    )
    .await;
    let mine = r.book(0, jst(12, 21, 10, 0)).await;
    let theirs = r.book(1, jst(12, 21, 10, 30)).await;
    r.engine
        .travel_in_time(&r.owner, jst(12, 18, 18, 0) - jst(12, 1, 9, 0))
        .await
        .unwrap();
    let token = last_booking_token(&r, 0);
    let page = r.engine.booking_page(&token).await.unwrap();
    assert_eq!(page.upcoming.len(), 1);
    assert_eq!(page.upcoming[0].row.public_id, mine);
    assert!(!page.link_used);
    // Another patient's appointment is not found through my link, and an
    // altered link opens nothing.
    assert!(matches!(
        r.engine.patient_cancel(&token, &theirs).await,
        Err(engine::EngineError::NotFound)
    ));
    let forged = format!("{}{}", if token.starts_with('N') { 'M' } else { 'N' }, &token[1..]);
    assert!(matches!(
        r.engine.booking_page(&forged).await,
        Err(engine::EngineError::BookingLinkInvalid)
    ));
    // A slot the page never offers (a Sunday) is refused.
    assert!(matches!(
        r.engine.patient_move(&token, &mine, jst(12, 20, 10, 0)).await,
        Err(engine::EngineError::InvalidSlot)
    ));
    // Moved to Tuesday 22nd 14:00: the day's slots say one place is taken.
    r.engine.patient_move(&token, &mine, jst(12, 22, 14, 0)).await.unwrap();
    let slots = r.engine.booking_slots(&token, &r.department, jst(12, 22, 0, 0)).await.unwrap();
    let slot = slots.iter().find(|s| s.starts_at == jst(12, 22, 14, 0)).unwrap();
    assert_eq!(slot.free, 1, "capacity 2, one taken");
    // The link made its change: a second one is refused and nothing moves.
    assert!(matches!(
        r.engine.patient_cancel(&token, &mine).await,
        Err(engine::EngineError::BookingLinkUsed)
    ));
    assert!(r.engine.booking_page(&token).await.unwrap().link_used);
    let a = r.engine.appointment_view(&r.owner, &mine).await.unwrap();
    assert_eq!(a.status, model::appointment::AppointmentStatus::Changed);
    assert_eq!(a.changed_by, model::appointment::ChangedBy::Patient);
    // No day-before reminder for the old Monday; both for Tuesday (its
    // 3-day moment, the 19th, came after the move).
    r.engine
        .travel_in_time(&r.owner, jst(12, 21, 18, 0) - jst(12, 18, 18, 0))
        .await
        .unwrap();
    let texts = r.texts(0);
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(texts[1].starts_with("3日前: 12月22日(火) 14:00"), "{texts:?}");
    assert!(texts[2].starts_with("明日: 12月22日(火) 14:00"), "{texts:?}");
    // Cancelled from that reminder's own link: nothing more comes.
    let fresh = last_booking_token(&r, 0);
    r.engine.patient_cancel(&fresh, &mine).await.unwrap();
    assert!(r.engine.booking_page(&fresh).await.unwrap().upcoming.is_empty());
    r.engine.travel_in_time(&r.owner, 3 * 86_400_000).await.unwrap();
    assert_eq!(r.texts(0).len(), 3);
    // A month later the links have expired.
    r.engine.travel_in_time(&r.owner, 31 * 86_400_000).await.unwrap();
    assert!(matches!(
        r.engine.booking_page(&fresh).await,
        Err(engine::EngineError::BookingLinkInvalid)
    ));
}

#[tokio::test]
async fn a_new_friend_or_a_tag_starts_its_sequence_and_an_automation_starts_and_stops_one() {
    use model::automation::{Action, Automation, Problem, Trigger as When};
    let r = rig(3).await;
    let e = &r.engine;
    let checkup = e
        .create_tag(&r.owner, &engine::tags::TagInput::plain("検診希望"))
        .await
        .unwrap()
        .public_id;
    let wants = e
        .create_tag(&r.owner, &engine::tags::TagInput::plain("案内希望"))
        .await
        .unwrap()
        .public_id;
    let stop = e
        .create_tag(&r.owner, &engine::tags::TagInput::plain("案内停止"))
        .await
        .unwrap()
        .public_id;
    r.sequence(
        "検診のご案内",
        Trigger::TagAdded { tag: checkup.clone() },
        vec![],
        vec![step(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0), "検診のご案内です")],
    )
    .await;
    r.sequence(
        "友だち追加のあいさつ",
        Trigger::FriendAdded,
        vec![],
        vec![step(StepTiming::after(Anchor::Enrolment, 0, 0), "ようこそ")],
    )
    .await;
    let by_hand = r
        .sequence(
            "院内のご案内",
            Trigger::Manual,
            vec![],
            vec![step(StepTiming::at_clock(Anchor::Enrolment, 2, 10, 0), "院内のご案内です")],
        )
        .await;
    for (name, when, action) in [
        ("案内を始める", wants.clone(), Action::StartSequence { sequence: by_hand.clone() }),
        ("案内をやめる", stop.clone(), Action::StopSequence { sequence: by_hand.clone() }),
    ] {
        let a = Automation {
            trigger: When::TagAdded { tag: when },
            condition: None,
            actions: vec![action],
        };
        e.save_automation(&r.owner, None, name, &a).await.unwrap();
    }
    // A tag or segment that is not the clinic's cannot start or stop a
    // sequence.
    use model::sequence::SequenceProblem::{UnknownStopTarget, UnknownTriggerTarget};
    for (trigger, stops, problem) in [
        (Trigger::TagAdded { tag: "nope".into() }, vec![], UnknownTriggerTarget),
        (Trigger::SegmentEntered { segment: "nope".into() }, vec![], UnknownTriggerTarget),
        (Trigger::Manual, vec![Stop::TagAdded { tag: "nope".into() }], UnknownStopTarget),
        (
            Trigger::Manual,
            vec![Stop::SegmentLeft { segment: "nope".into() }],
            UnknownStopTarget,
        ),
    ] {
        let d = SequenceDraft {
            name: "どこにもないきっかけ".into(),
            trigger,
            stops,
            steps: vec![step(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0), "届かない")],
        };
        match e.save_sequence(&r.owner, None, &d).await {
            Err(engine::EngineError::InvalidSequence(p)) => assert_eq!(p, vec![problem]),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    // A sequence that is not the clinic's is refused in words.
    let unknown = Automation {
        trigger: When::TagAdded { tag: wants.clone() },
        condition: None,
        actions: vec![Action::StartSequence { sequence: "nope".into() }],
    };
    match e.save_automation(&r.owner, None, "だめ", &unknown).await {
        Err(engine::EngineError::InvalidAutomation(p)) => assert!(p.iter().any(|p| p.problem == Problem::UnknownSequence)),
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Friend 0 gets the checkup tag; friend 1 asks for the guide; friend 2
    // asks for it and then stops it.
    e.set_tag(&r.owner, &checkup, &[r.friends[0].clone()], true).await.unwrap();
    e.set_tag(&r.owner, &wants, &[r.friends[1].clone(), r.friends[2].clone()], true)
        .await
        .unwrap();
    while e.process_automations(100).await.unwrap() > 0 {}
    e.set_tag(&r.owner, &stop, &[r.friends[2].clone()], true).await.unwrap();
    while e.process_automations(100).await.unwrap() > 0 {}
    r.at(jst(12, 2, 10, 0)).await;
    r.at(jst(12, 3, 10, 0)).await;
    assert_eq!(r.texts(0), vec!["検診のご案内です"]);
    assert_eq!(r.texts(1), vec!["院内のご案内です"]);
    assert!(r.texts(2).is_empty(), "taken out by the automation: {:?}", r.texts(2));

    // A new friend: the follow event starts the welcome at once.
    let newcomer = user(99);
    r.sb.add_friends(&r.owner.clinic_public_id, std::slice::from_ref(&newcomer))
        .unwrap();
    common::line_event(
        e,
        &r.owner,
        &newcomer,
        "01JFOLLOW99",
        r#""type":"follow","follow":{"isUnblocked":false}"#,
    )
    .await;
    while e.process_automations(100).await.unwrap() > 0 {}
    r.at(jst(12, 3, 10, 1)).await;
    let welcomed: Vec<String> =
        r.sb.received(&newcomer)
            .iter()
            .flat_map(|d| d.messages.iter().filter_map(|m| m["text"].as_str().map(str::to_string)))
            .collect();
    assert_eq!(welcomed, vec!["ようこそ"]);
    // The friends already here got no welcome.
    assert!(!r.texts(0).iter().any(|t| t == "ようこそ"));
}

#[tokio::test]
async fn each_change_to_an_appointment_sends_its_own_notice_by_who_made_it() {
    use model::appointment::ChangedBy::{Patient, Staff};
    use model::sequence::NoticeOn::{Booked, Cancelled, Moved};
    let r = rig(1).await;
    for (name, on, by, text) in [
        ("受付", Booked, Patient, "受付: {次回予約日} {予約時刻}"),
        ("変更・患者", Moved, Patient, "変更(患者): {次回予約日} {予約時刻}"),
        ("変更・院", Moved, Staff, "変更(院): {次回予約日} {予約時刻} {予約URL}"),
        ("取消・患者", Cancelled, Patient, "取消(患者): {次回予約日} {予約時刻}"),
        ("取消・院", Cancelled, Staff, "取消(院): {次回予約日} {予約時刻}"),
    ] {
        r.sequence(
            name,
            Trigger::AppointmentNotice { on, by: Some(by) },
            vec![],
            vec![step(StepTiming::after(Anchor::Enrolment, 0, 0), text)],
        )
        .await;
    }
    let now = jst(12, 1, 9, 0);
    let a = r.book(0, jst(12, 21, 10, 0)).await;
    r.at(now + 60_000).await;
    assert!(r.texts(0).is_empty(), "booked by staff: no notice is set for that");
    for (i, day) in [22, 23].into_iter().enumerate() {
        r.engine
            .act_on_appointment(&r.owner, &a, AppointmentAct::Move { to: jst(12, day, 10, 0) })
            .await
            .unwrap();
        r.at(now + (i as i64 + 2) * 60_000).await;
    }
    let texts = r.texts(0);
    assert_eq!(texts.len(), 2, "a notice for each move: {texts:?}");
    assert!(texts[0].starts_with("変更(院): 12月22日(火) 10:00 "));
    assert!(texts[1].starts_with("変更(院): 12月23日(水) 10:00 "));
    // The patient moves it with the first notice's link, then cancels it
    // with the second's: their own words each time.
    let first = {
        let start = texts[0].find("/book/").unwrap() + "/book/".len();
        texts[0][start..].to_string()
    };
    let second = last_booking_token(&r, 0);
    r.engine.patient_move(&first, &a, jst(12, 24, 14, 0)).await.unwrap();
    r.at(now + 5 * 60_000).await;
    r.engine.patient_cancel(&second, &a).await.unwrap();
    r.at(now + 6 * 60_000).await;
    let texts = r.texts(0);
    assert_eq!(
        texts[2..],
        ["変更(患者): 12月24日(木) 14:00", "取消(患者): 12月24日(木) 14:00"],
        "{texts:?}"
    );
    // A used link books nothing; a fresh one (from the clinic's next
    // notice) books, and the patient's booking is acknowledged.
    assert!(matches!(
        r.engine.patient_book(&second, &r.department, jst(12, 25, 9, 0)).await,
        Err(engine::EngineError::BookingLinkUsed)
    ));
    let b = r.book(0, jst(12, 28, 10, 0)).await;
    r.engine
        .act_on_appointment(&r.owner, &b, AppointmentAct::Move { to: jst(12, 28, 11, 0) })
        .await
        .unwrap();
    r.at(now + 7 * 60_000).await;
    let fresh = last_booking_token(&r, 0);
    r.engine.patient_book(&fresh, &r.department, jst(12, 25, 9, 0)).await.unwrap();
    r.at(now + 8 * 60_000).await;
    assert_eq!(r.texts(0).last().unwrap(), "受付: 12月25日(金) 9:00");
}

/// A webhook event from friend `user`, signed as LINE signs it.
async fn deliver_event(r: &Rig, event: &str, user: &str, id: &str) {
    let e = &r.engine;
    let body = format!(
        r#"{{"destination":"U0123456789abcdef0123456789abcdef","events":[{{"type":"{event}","timestamp":{},"mode":"active","webhookEventId":"01JEV{id}","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{user}"}}}}]}}"#,
        e.now_ms()
    );
    let (secret, _) = e.channel_credentials(r.owner.clinic_id).await.unwrap();
    e.ingest_webhook(
        &r.owner.clinic_public_id,
        body.as_bytes(),
        Some(&line::sign(&secret, body.as_bytes())),
    )
    .await
    .unwrap();
    e.process_webhooks(10).await.unwrap();
}

#[tokio::test]
async fn inside_line_the_booking_page_knows_the_patient_only_from_lines_answer_to_their_id_token() {
    let r = rig(2).await;
    let e = &r.engine;
    let token = e.sandbox_id_token(&r.owner, &r.users[0]).await.unwrap();
    let link = e.booking_link_from_id_token(&r.owner.clinic_public_id, &token).await.unwrap();
    let me = e
        .db_for_tests()
        .friend_by_line_user(r.owner.clinic_id, &r.users[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.booking_page(&link).await.unwrap().friend_name, me.display_name);
    // A made-up token, or a user ID where the token goes, is nobody.
    for bad in ["made.up.token", r.users[1].as_str()] {
        assert!(matches!(
            e.booking_link_from_id_token(&r.owner.clinic_public_id, bad).await,
            Err(engine::EngineError::BookingLinkInvalid)
        ));
    }
    // LINE's ID tokens last an hour.
    e.travel_in_time(&r.owner, 2 * 3_600_000).await.unwrap();
    assert!(matches!(
        e.booking_link_from_id_token(&r.owner.clinic_public_id, &token).await,
        Err(engine::EngineError::BookingLinkInvalid)
    ));
}

#[tokio::test]
async fn a_step_counts_those_who_blocked_the_account_within_a_week_of_it() {
    let r = rig(3).await;
    let seq = r
        .sequence(
            "お知らせ",
            Trigger::Manual,
            vec![],
            vec![step(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0), "お知らせです")],
        )
        .await;
    for f in &r.friends {
        r.engine.enrol_friend(&r.owner, &seq, f).await.unwrap();
    }
    r.at(jst(12, 2, 10, 0)).await;
    // Friend 0 blocks the next day, friend 1 ten days later.
    r.at(jst(12, 3, 12, 0)).await;
    deliver_event(&r, "unfollow", &r.users[0], "B0").await;
    r.at(jst(12, 12, 12, 0)).await;
    deliver_event(&r, "unfollow", &r.users[1], "B1").await;
    let counts = r.engine.sequence_step_counts(&r.owner, &seq).await.unwrap();
    assert_eq!((counts[0].sent, counts[0].blocked_after), (3, 1));
}

#[tokio::test]
async fn a_booking_systems_csv_books_moves_and_cancels_row_by_row_and_twice_changes_nothing() {
    use engine::appointment_import::RowAction;
    let r = rig(2).await;
    let e = &r.engine;
    r.reminders().await;
    for (i, number) in ["1001", "1002"].into_iter().enumerate() {
        let fields = model::patient::PatientFields {
            patient_number: number.into(),
            name_kana: String::new(),
            birth_date: String::new(),
            sex: String::new(),
        };
        e.update_patient_fields(&r.owner, &r.friends[i], &fields).await.unwrap();
    }
    let first = "予約番号,診察券番号,診療科,日時,状態\n\
                 A-1,1001,小児科,2026-12-20 10:00,予約\n\
                 A-2,1002,小児科,2026/12/21 9:30,\n\
                 A-3,9999,小児科,2026-12-22 10:00,予約\n\
                 A-4,1001,眼科,2026-12-22 10:00,予約\n\
                 A-5,1001,小児科,12月22日,予約\n\
                 A-6,1002,小児科,2026-11-01 10:00,予約\n";
    let checked = e.check_appointment_import(&r.owner, first).await.unwrap();
    let actions: Vec<&RowAction> = checked.iter().map(|r| &r.action).collect();
    assert_eq!(actions[..2], [&RowAction::Book, &RowAction::Book]);
    let codes: Vec<&str> = checked[2..]
        .iter()
        .map(|r| match &r.action {
            RowAction::Refused { code, .. } => *code,
            other => panic!("expected a refusal, got {other:?}"),
        })
        .collect();
    assert_eq!(codes, ["patient", "department", "when", "past"]);
    assert_eq!(checked[2].line, 4, "lines count from the header");
    assert!(
        e.friend_appointments(&r.owner, &r.friends[0]).await.unwrap().is_empty(),
        "a check changes nothing"
    );

    let applied = e.apply_appointment_import(&r.owner, first).await.unwrap();
    assert_eq!(applied[0].action, RowAction::Book);
    let a1 = e.friend_appointments(&r.owner, &r.friends[0]).await.unwrap();
    assert_eq!(a1.len(), 1);
    assert_eq!(a1[0].row.changed_by, model::appointment::ChangedBy::Import);
    // The same file again: nothing changes.
    let again = e.apply_appointment_import(&r.owner, first).await.unwrap();
    assert_eq!(again[0].action, RowAction::Unchanged);
    assert_eq!(again[1].action, RowAction::Unchanged);
    assert_eq!(e.friend_appointments(&r.owner, &r.friends[0]).await.unwrap().len(), 1);
    // A later export: A-1 moved, A-2 cancelled; reminders follow.
    let later = "予約番号,診察券番号,診療科,日時,状態\n\
                 A-1,1001,小児科,2026-12-27 10:00,予約\n\
                 A-2,1002,小児科,2026-12-21 09:30,キャンセル\n";
    let applied = e.apply_appointment_import(&r.owner, later).await.unwrap();
    assert_eq!(applied[0].action, RowAction::Move);
    assert_eq!(applied[1].action, RowAction::Cancel);
    r.at(jst(12, 17, 18, 0)).await;
    r.at(jst(12, 18, 18, 0)).await;
    assert!(r.texts(0).is_empty(), "no reminder for the 20th, which moved: {:?}", r.texts(0));
    assert!(r.texts(1).is_empty(), "none for the cancelled 21st");
    r.at(jst(12, 24, 18, 0)).await;
    assert_eq!(r.texts(0), vec!["3日前: 12月27日(日) 10:00 小児科"]);
    // A file without the columns is refused as a whole, in words.
    assert!(matches!(
        e.check_appointment_import(&r.owner, "番号,日付\n1,2\n").await,
        Err(engine::EngineError::Csv(model::patient::CsvError::AppointmentColumns))
    ));
}

#[tokio::test]
async fn a_segment_is_enrolled_at_once_and_those_already_in_are_passed_by() {
    let r = rig(3).await;
    let e = &r.engine;
    let seq = r
        .sequence(
            "まとめて",
            Trigger::Manual,
            vec![],
            vec![step(StepTiming::at_clock(Anchor::Enrolment, 1, 10, 0), "ご案内")],
        )
        .await;
    use model::segment::{Condition, Group, Join, Node, Rule, Status, RULE_VERSION};
    let rule = Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(Condition::Status { status: Status::Active })],
        },
    };
    let segment = e.save_segment(&r.owner, None, "全員", "", &rule).await.unwrap();
    e.enrol_friend(&r.owner, &seq, &r.friends[0]).await.unwrap();
    let joined = e.enrol_segment(&r.owner, &seq, &segment).await.unwrap();
    let everyone = e.sequence_enrolled(&r.owner, &seq).await.unwrap();
    assert_eq!(joined as i64, everyone - 1, "friend 0 was already in");
    assert!(everyone >= 3);
    assert_eq!(
        e.enrol_segment(&r.owner, &seq, &segment).await.unwrap(),
        0,
        "twice enrols nobody again"
    );
}

#[tokio::test]
async fn reminders_cross_the_month_end_and_the_new_year_in_japan_time() {
    let r = rig(1).await;
    r.reminders().await;
    // 2 January 10:30 JST is 1 January 01:30 UTC: its day-before reminder
    // is on New Year's Day, its 3-day one on 30 December.
    r.book(0, jst(1, 2, 10, 30)).await;
    r.at(jst(12, 30, 17, 59)).await;
    assert!(r.texts(0).is_empty());
    r.at(jst(12, 30, 18, 0)).await;
    assert_eq!(r.texts(0), vec!["3日前: 1月2日(土) 10:30 小児科"]);
    r.at(jst(12, 31, 18, 0)).await;
    assert_eq!(r.texts(0).len(), 1, "nothing on New Year's Eve");
    r.at(jst(1, 1, 17, 59)).await;
    assert_eq!(r.texts(0).len(), 1);
    r.at(jst(1, 1, 18, 0)).await;
    assert!(r.texts(0)[1].ends_with("1月2日(土) 10:30"), "{:?}", r.texts(0));
    // A step a day after a start on 31 December at 23:50 goes on
    // 1 January at its clock time.
    let r2 = rig(1).await;
    let seq2 = r2
        .sequence(
            "年越し",
            Trigger::Manual,
            vec![],
            vec![step(
                StepTiming::at_clock(Anchor::Enrolment, 1, 9, 0),
                "あけましておめでとうございます",
            )],
        )
        .await;
    r2.at(jst(12, 31, 23, 50)).await;
    r2.engine.enrol_friend(&r2.owner, &seq2, &r2.friends[0]).await.unwrap();
    r2.at(jst(1, 1, 8, 59)).await;
    assert!(r2.texts(0).is_empty());
    r2.at(jst(1, 1, 9, 0)).await;
    assert_eq!(r2.texts(0), vec!["あけましておめでとうございます"]);
}

#[tokio::test]
async fn entering_a_segment_starts_its_sequence_once_per_entry_and_those_already_inside_are_not_enrolled() {
    use model::segment::{Condition, Group, Join, Node, Rule, RULE_VERSION};
    let r = rig(3).await;
    let e = &r.engine;
    let first = e
        .create_tag(&r.owner, &engine::tags::TagInput::plain("初診"))
        .await
        .unwrap()
        .public_id;
    let other = e
        .create_tag(&r.owner, &engine::tags::TagInput::plain("その他"))
        .await
        .unwrap()
        .public_id;
    let rule = Rule {
        version: RULE_VERSION,
        root: Group {
            join: Join::All,
            negate: false,
            items: vec![Node::Condition(Condition::Tag {
                tag: first.clone(),
                has: true,
            })],
        },
    };
    let segment = e.save_segment(&r.owner, None, "初診の方", "", &rule).await.unwrap();
    // Friend 0 is inside before the sequence exists: they did not enter.
    e.set_tag(&r.owner, &first, &[r.friends[0].clone()], true).await.unwrap();
    let seq = r
        .sequence(
            "初診の方へ",
            Trigger::SegmentEntered { segment: segment.clone() },
            vec![],
            vec![step(StepTiming::after(Anchor::Enrolment, 0, 0), "初診のご案内")],
        )
        .await;
    e.enrol_segment_entries().await.unwrap();
    // Friend 1 enters; friend 0 changes without leaving; friend 2 gets an
    // unrelated tag. Two instances look at once: one enrolment.
    e.set_tag(&r.owner, &first, &[r.friends[1].clone()], true).await.unwrap();
    e.set_tag(&r.owner, &other, &[r.friends[0].clone(), r.friends[2].clone()], true)
        .await
        .unwrap();
    let (a, b) = tokio::join!(e.enrol_segment_entries(), r.other.enrol_segment_entries());
    assert_eq!(a.unwrap() + b.unwrap(), 1, "only friend 1 entered");
    r.at(jst(12, 1, 9, 1)).await;
    assert_eq!(r.texts(0), Vec::<String>::new());
    assert_eq!(r.texts(1), vec!["初診のご案内"]);
    assert_eq!(r.texts(2), Vec::<String>::new());
    assert_eq!(e.enrol_segment_entries().await.unwrap(), 0, "nothing changed since");
    // Leaving and entering again is a new entry.
    e.set_tag(&r.owner, &first, &[r.friends[1].clone()], false).await.unwrap();
    assert_eq!(e.enrol_segment_entries().await.unwrap(), 0);
    e.set_tag(&r.owner, &first, &[r.friends[1].clone()], true).await.unwrap();
    assert_eq!(e.enrol_segment_entries().await.unwrap(), 1);
    r.at(jst(12, 1, 9, 2)).await;
    assert_eq!(r.texts(1), vec!["初診のご案内", "初診のご案内"]);
    // A paused sequence watches nothing.
    e.set_sequence_paused(&r.owner, &seq, true).await.unwrap();
    e.set_tag(&r.owner, &first, &[r.friends[2].clone()], true).await.unwrap();
    assert_eq!(e.enrol_segment_entries().await.unwrap(), 0);
}

#[tokio::test]
async fn a_steps_web_address_goes_as_each_patients_own_tracked_link_but_their_booking_link_stays_theirs() {
    let r = rig(2).await;
    // The product's own address, as LINE reaches it: links are tracked through it.
    let e = r.engine.clone().with_public_url("https://yorisoi.example");
    r.sequence(
        "問診票のご案内",
        Trigger::AppointmentBooked { department: None },
        vec![],
        vec![step(
            StepTiming::at_clock(Anchor::Appointment, -1, 18, 0),
            "問診票は https://clinic.example/form から。予約の確認は {予約URL}",
        )],
    )
    .await;
    r.book(0, jst(12, 20, 10, 0)).await;
    r.book(1, jst(12, 20, 11, 0)).await;
    r.clock.set(DateTime::from_timestamp_millis(jst(12, 19, 18, 0)).unwrap());
    while e.run_sequences_once().await.unwrap() > 0 {}
    let mut tokens = Vec::new();
    for i in 0..2 {
        let text = r.texts(i).pop().expect("the step went");
        assert!(!text.contains("clinic.example/form"), "{text}");
        let at = text.find("https://yorisoi.example/l/").expect("a tracked link");
        let token = text[at + "https://yorisoi.example/l/".len()..][..35].to_string();
        assert!(
            text.contains("https://yorisoi.example/book/"),
            "the booking link is the patient's own, not tracked: {text}"
        );
        assert!(!text[text.find("予約の確認").unwrap()..].contains("/l/"));
        tokens.push(token);
    }
    assert_ne!(tokens[0], tokens[1]);
    let person = engine::tracked_links::Visit {
        user_agent: "Mozilla/5.0 (iPhone) Line/14.1.0",
        ..Default::default()
    };
    assert_eq!(e.follow_link(&tokens[1], person).await.unwrap(), "https://clinic.example/form");
}
