//! 職員連絡 against the sandbox over real HTTP, on a clock the tests move:
//! posts reach only the clinic's linked staff however they are asked for,
//! a disabled or unlinked member is not reached even by a post already on
//! its way, confirmation is per version, the one reminder goes once and
//! only to those who have not confirmed (a lost answer included), replies
//! land in the thread, and 職員の声 is stored with no identity anywhere.

mod common;

use engine::{Actor, Engine, EngineError, ManualClock};
use model::broadcast::{Audience, Purpose};
use model::staff_channel::{PatientDataHint, PostContent, PostRequest, StaffChannelSettings};
use model::Role;
use sandbox::Sandbox;
use std::sync::Arc;

struct Rig {
    engine: Engine,
    clock: Arc<ManualClock>,
    sb: Sandbox,
    owner: Actor,
    marketer: Actor,
    staff: Actor,
    /// LINE users: patients first, then the staff member's and the
    /// marketer's own LINE (also friends of the clinic).
    patients: Vec<String>,
    staff_line: String,
    marketer_line: String,
}

fn user(i: usize) -> String {
    format!("U{:032x}", 0x5a0000 + i)
}

const START_MS: i64 = 1_795_316_400_000;

async fn sign_in(engine: &Engine, email: &str, password: &str) -> Actor {
    let out = engine.login(email, password, "10.2.2.2").await.unwrap();
    engine.authenticate(&out.token).await.unwrap()
}

/// The owner signed in to the organization's second clinic.
async fn owner_in_second_clinic(engine: &Engine) -> Actor {
    let out = engine.login("owner@sakura.example", "sakura-owner-2026", "10.2.2.2").await.unwrap();
    let owner = engine.authenticate(&out.token).await.unwrap();
    let second = engine
        .my_clinics(&owner)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.clinic_id != owner.clinic_id)
        .unwrap();
    engine.switch_clinic(&owner, &second.clinic_public_id).await.unwrap();
    engine.authenticate(&out.token).await.unwrap()
}

async fn rig() -> Rig {
    let (engine, clock, sb) = common::sandbox_engine(START_MS).await;
    let owner = sign_in(&engine, "owner@sakura.example", "sakura-owner-2026").await;
    let marketer = sign_in(&engine, "marketer@sakura.example", "sakura-marketer-2026").await;
    let staff = sign_in(&engine, "staff@sakura.example", "sakura-staff-2026").await;
    let all: Vec<String> = (0..5).map(user).collect();
    engine
        .db_for_tests()
        .insert_friends_for_tests(owner.clinic_id, "sc", &all)
        .await
        .unwrap();
    sb.add_friends(&owner.clinic_public_id, &all).unwrap();
    let r = Rig {
        engine,
        clock,
        sb,
        owner,
        marketer,
        staff,
        patients: all[..3].to_vec(),
        staff_line: all[3].clone(),
        marketer_line: all[4].clone(),
    };
    r.link(&r.staff, &r.staff_line).await;
    r.link(&r.marketer, &r.marketer_line).await;
    r
}

impl Rig {
    /// A LINE event from `from`, signed and processed as LINE would send it.
    async fn event(&self, from: &str, kind: &str) {
        let id = format!("01JSTAFF{}", rand_suffix());
        common::line_event(&self.engine, &self.owner, from, &id, kind).await;
    }

    async fn say(&self, from: &str, text: &str) {
        let id = rand_suffix();
        self.event(
            from,
            &format!(r#""type":"message","message":{{"type":"text","id":"{id}","text":"{text}","quoteToken":"q"}}"#),
        )
        .await;
    }

    async fn tap(&self, from: &str, data: &str) {
        self.event(from, &format!(r#""type":"postback","postback":{{"data":"{data}"}}"#))
            .await;
    }

    /// Links `who`'s own LINE with a code written from it.
    async fn link(&self, who: &Actor, line_user: &str) {
        let (code, _) = self.engine.start_staff_link(who).await.unwrap();
        self.say(line_user, &code).await;
        assert!(self.engine.staff_link(who).await.unwrap().linked);
    }

    async fn channel(&self, roles: &[Role]) -> String {
        let settings = StaffChannelSettings {
            name: "全職員".into(),
            description: "院内の連絡".into(),
            member_roles: roles.to_vec(),
            members: vec![],
            poster_roles: vec![Role::Marketer],
        };
        self.engine.save_staff_channel(&self.owner, None, &settings).await.unwrap()
    }

    /// Pushes what waits until nothing does.
    async fn deliver(&self) {
        for _ in 0..10 {
            if self.engine.run_staff_posts_once().await.unwrap() == 0 {
                return;
            }
        }
    }

    /// The pushes a LINE user got (replies are not pushes).
    fn pushes(&self, line_user: &str) -> Vec<sandbox::Delivery> {
        self.sb.received(line_user).into_iter().filter(|d| d.via == "push").collect()
    }
}

fn rand_suffix() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static N: AtomicI64 = AtomicI64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

fn post(text: &str, ack: bool) -> PostRequest {
    PostRequest {
        content: PostContent {
            text: text.into(),
            ..Default::default()
        },
        ack_required: ack,
        remind_after_hours: ack.then_some(2),
        despite_warnings: false,
    }
}

#[tokio::test]
async fn a_post_reaches_only_the_clinics_linked_staff_and_staff_leave_patient_audiences() {
    let r = rig().await;
    let e = &r.engine;
    let channel = r
        .channel(&[Role::Owner, Role::Admin, Role::Marketer, Role::Staff, Role::Viewer])
        .await;
    let preview = e
        .preview_staff_post(&r.marketer, &channel, &post("x", false).content)
        .await
        .unwrap();
    assert_eq!(preview.recipients, 2, "the two linked members: one message each of the quota");
    assert!(
        preview.unlinked.iter().any(|n| n.contains("佐藤")),
        "the owner is not linked: web only"
    );

    e.send_staff_post(&r.marketer, &channel, &post("明日の朝礼は8時半からです", false))
        .await
        .unwrap();
    r.deliver().await;
    assert_eq!(r.pushes(&r.staff_line).len(), 1);
    assert_eq!(r.pushes(&r.marketer_line).len(), 1);
    assert!(r.pushes(&r.staff_line)[0].messages[0]["text"]
        .as_str()
        .unwrap()
        .contains("明日の朝礼は8時半からです"));
    for p in &r.patients {
        assert!(r.pushes(p).is_empty(), "a patient never gets a staff post");
    }

    // A linked staff member is out of every patient audience.
    let everyone = e
        .fix_recipients(r.owner.clinic_id, &Audience::All, Purpose::Operational)
        .await
        .unwrap();
    let reached: Vec<&String> = everyone.list.iter().map(|(_, l)| l).collect();
    assert_eq!(reached.len(), 3);
    assert!(!reached.contains(&&r.staff_line) && !reached.contains(&&r.marketer_line));

    // A member list naming a patient friend, another clinic's staff or a
    // made-up ID is refused: people are only this clinic's members.
    let patient = e
        .db_for_tests()
        .friend_by_line_user(r.owner.clinic_id, &r.patients[0])
        .await
        .unwrap()
        .unwrap();
    let owner_there = owner_in_second_clinic(e).await;
    let token = e
        .invite_staff(&owner_there, "nurse@hanayasu.example", "別院 看護師", Role::Staff)
        .await
        .unwrap()
        .unwrap();
    e.accept_invitation(&token, "hanayasu-nurse-2026", "10.3.3.3").await.unwrap();
    let elsewhere = sign_in(e, "nurse@hanayasu.example", "hanayasu-nurse-2026").await;
    for forged in [patient.public_id.clone(), elsewhere.user_public_id.clone(), "nobody".to_string()] {
        let settings = StaffChannelSettings {
            name: "看護部".into(),
            description: String::new(),
            member_roles: vec![],
            members: vec![forged],
            poster_roles: vec![],
        };
        assert!(matches!(
            e.save_staff_channel(&r.owner, None, &settings).await,
            Err(EngineError::NotFound)
        ));
    }
    // Another clinic's staff cannot see or post in this clinic's channel.
    assert!(matches!(
        e.send_staff_post(&elsewhere, &channel, &post("x", false)).await,
        Err(EngineError::NotFound)
    ));
    // Who may post is the channel's: the staff role may not here.
    assert!(matches!(
        e.send_staff_post(&r.staff, &channel, &post("x", false)).await,
        Err(EngineError::Forbidden)
    ));
}

#[tokio::test]
async fn a_disabled_or_unlinked_member_is_not_reached_even_by_a_post_on_its_way() {
    let r = rig().await;
    let e = &r.engine;
    let channel = r.channel(&[Role::Marketer, Role::Staff]).await;
    e.send_staff_post(&r.marketer, &channel, &post("感染対策の手順を変更します", false))
        .await
        .unwrap();
    // Disabled before the worker pushes: the staff member is not reached.
    e.set_staff_disabled(&r.owner, &r.staff.user_public_id, true).await.unwrap();
    r.deliver().await;
    assert!(r.pushes(&r.staff_line).is_empty());
    assert_eq!(r.pushes(&r.marketer_line).len(), 1);
    assert!(!e.staff_link(&r.staff).await.is_ok_and(|l| l.linked), "disabling unlinks at once");
    // Their LINE is a patient friend again (and in patient audiences).
    let everyone = e
        .fix_recipients(r.owner.clinic_id, &Audience::All, Purpose::Operational)
        .await
        .unwrap();
    assert!(everyone.list.iter().any(|(_, l)| *l == r.staff_line));

    // Unlinking one's own LINE: the next post does not reach it.
    e.unlink_my_line(&r.marketer).await.unwrap();
    e.send_staff_post(&r.owner, &channel, &post("来週の勤務表です", false))
        .await
        .unwrap();
    r.deliver().await;
    assert_eq!(r.pushes(&r.marketer_line).len(), 1, "still only the first post");
}

#[tokio::test]
async fn confirmation_is_per_version_and_the_one_reminder_goes_only_to_who_has_not_confirmed() {
    let r = rig().await;
    let e = &r.engine;
    let channel = r.channel(&[Role::Marketer, Role::Staff]).await;
    let id = e
        .send_staff_post(&r.owner, &channel, &post("年末年始の休診日を確認してください", true))
        .await
        .unwrap();
    r.deliver().await;
    // The push carries the 確認しました button for version 1.
    let got = r.pushes(&r.staff_line);
    assert_eq!(got.len(), 1);
    let button = &got[0].messages[1]["template"]["actions"][0];
    assert_eq!(button["label"], "確認しました");
    let data = button["data"].as_str().unwrap().to_string();
    let waiting = e.my_pending_confirmations(&r.staff).await.unwrap();
    assert_eq!(waiting.len(), 1, "on the staff member's dashboard until confirmed");
    assert_eq!(waiting[0].channel_name, "全職員");
    r.tap(&r.staff_line, &data).await;
    assert!(e.my_pending_confirmations(&r.staff).await.unwrap().is_empty());
    let feed = e.staff_feed(&r.owner, &channel).await.unwrap();
    assert_eq!(feed[0].confirmed.len(), 1);
    assert!(feed[0].confirmed[0].0.contains("鈴木"));
    assert_eq!(feed[0].waiting.len(), 1, "the marketer has not confirmed");
    // A tap from someone the post never reached records nothing.
    r.tap(&r.patients[0], &data).await;
    assert_eq!(e.staff_feed(&r.owner, &channel).await.unwrap()[0].confirmed.len(), 1);

    // The reminder's time comes while LINE drops its answers: the push may
    // have gone, so it is tried again under its key, and delivered once.
    r.clock.advance(chrono::Duration::hours(2) + chrono::Duration::minutes(1));
    r.sb.set_faults(sandbox::Faults {
        drop_rate: 1.0,
        ..Default::default()
    });
    e.run_staff_posts_once().await.unwrap();
    r.sb.set_faults(sandbox::Faults::default());
    r.clock.advance(chrono::Duration::minutes(2));
    r.deliver().await;
    r.clock.advance(chrono::Duration::hours(5));
    r.deliver().await;
    let marketer = r.pushes(&r.marketer_line);
    assert_eq!(marketer.len(), 2, "the post and one reminder");
    assert!(marketer[1].messages[0]["text"].as_str().unwrap().contains("再通知"));
    assert_eq!(r.pushes(&r.staff_line).len(), 1, "who confirmed gets no reminder");

    // Editing makes version 2 and asks everyone again.
    let view = &e.staff_feed(&r.owner, &channel).await.unwrap()[0];
    let mut changed = post("年末年始の休診日は12月29日から1月3日です", true);
    changed.remind_after_hours = None;
    e.edit_staff_post(&r.owner, &id, view.version, &changed).await.unwrap();
    assert!(matches!(
        e.edit_staff_post(&r.owner, &id, view.version, &changed).await,
        Err(EngineError::StaffPostChangedMeanwhile)
    ));
    r.deliver().await;
    let again = &e.staff_feed(&r.owner, &channel).await.unwrap()[0];
    assert_eq!(again.version, 2);
    assert!(again.confirmed.is_empty(), "a new version is confirmed afresh");
    assert_eq!(again.waiting.len(), 2);
    assert_eq!(r.pushes(&r.staff_line).len(), 2);
    // The old button still names version 1: it does not confirm version 2.
    r.tap(&r.staff_line, &data).await;
    assert!(e.staff_feed(&r.owner, &channel).await.unwrap()[0].confirmed.is_empty());
    e.acknowledge_staff_post(&r.staff, &id, 2).await.unwrap();
    assert_eq!(e.staff_feed(&r.owner, &channel).await.unwrap()[0].confirmed.len(), 1);

    // A member's LINE reply lands under the post.
    r.say(&r.marketer_line, "了解しました").await;
    let replies = &e.staff_feed(&r.owner, &channel).await.unwrap()[0].replies;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].text, "了解しました");
    assert!(replies[0].author.contains("田中"));
}

#[tokio::test]
async fn a_post_naming_a_patient_is_held_with_the_reason_until_sent_anyway() {
    let r = rig().await;
    let e = &r.engine;
    let channel = r.channel(&[Role::Marketer, Role::Staff]).await;
    let text = "患者 1さん（P000001）の件、昭和60年4月12日生まれ";
    let refused = e.send_staff_post(&r.owner, &channel, &post(text, false)).await;
    let Err(EngineError::PatientDataWarning(hints)) = refused else {
        panic!("{refused:?}");
    };
    assert!(hints.contains(&PatientDataHint::FriendName { name: "患者 1".into() }));
    assert!(hints.contains(&PatientDataHint::PatientNumber { number: "P000001".into() }));
    assert!(hints.contains(&PatientDataHint::BirthDate {
        text: "昭和60年4月12日".into()
    }));
    r.deliver().await;
    assert!(r.pushes(&r.staff_line).is_empty(), "nothing was sent");
    let mut anyway = post(text, false);
    anyway.despite_warnings = true;
    e.send_staff_post(&r.owner, &channel, &anyway).await.unwrap();
    r.deliver().await;
    assert_eq!(r.pushes(&r.staff_line).len(), 1);
}

#[tokio::test]
async fn a_voice_is_stored_with_no_identity_in_any_table() {
    let r = rig().await;
    let e = &r.engine;
    let words = "休憩室の換気をもっと増やしてほしいです";
    let staff_friend = e
        .db_for_tests()
        .friend_by_line_user(r.owner.clinic_id, &r.staff_line)
        .await
        .unwrap()
        .unwrap();
    r.say(&r.staff_line, &format!("職員の声 {words}")).await;
    let voices = e.staff_voices(&r.owner).await.unwrap();
    assert_eq!(voices.len(), 1);
    assert_eq!(voices[0].text, words);
    assert!(matches!(e.staff_voices(&r.staff).await, Err(EngineError::Forbidden)));

    let rows = e.db_for_tests().every_row_for_tests().await.unwrap();
    let holding: Vec<&(String, String)> = rows.iter().filter(|(_, row)| row.contains(words)).collect();
    assert_eq!(holding.len(), 1, "the words are in one row only: {holding:?}");
    assert_eq!(holding[0].0, "staff_voices");
    let row = &holding[0].1;
    for identity in [
        r.staff_line.as_str(),
        staff_friend.public_id.as_str(),
        r.staff.user_public_id.as_str(),
        r.staff.email.as_str(),
    ] {
        assert!(!row.contains(identity), "{row}");
    }
    // The stored event that carried it names nobody now.
    let inbox: Vec<&(String, String)> = rows
        .iter()
        .filter(|(t, row)| t == "webhook_inbox" && row.contains("staff_voice"))
        .collect();
    assert_eq!(inbox.len(), 1);
    assert!(!inbox[0].1.contains(&r.staff_line));
    // And the friend's timeline has no entry for it.
    let timeline = e.db_for_tests().friend_timeline(staff_friend.id).await.unwrap();
    assert!(timeline.iter().all(|ev| !ev.detail.contains("職員の声")));
}
