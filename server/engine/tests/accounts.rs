//! Accounts, sessions, roles and tenancy, on the backend the run selects
//! (YORISOI_TEST_BACKEND=sqlite | postgres).

use chrono::{DateTime, Duration};
use engine::accounts::LoginNext;
use engine::audit::ChainReport;
use engine::seed::DEMO_ACCOUNTS;
use engine::{totp, Engine, EngineError, ManualClock, SecretBox};
use model::Role;
use std::sync::Arc;

struct World {
    engine: Engine,
    clock: Arc<ManualClock>,
}

async fn world() -> World {
    let db = store::testing::fresh_db().await.expect("test database");
    let clock = Arc::new(ManualClock::new(DateTime::from_timestamp(1_790_000_000, 0).unwrap()));
    let engine = Engine::new(db, clock.clone(), SecretBox::from_base64(&SecretBox::generate_key()).unwrap());
    assert!(engine.seed_demo_if_empty().await.unwrap());
    World { engine, clock }
}

fn demo(role: Role) -> &'static engine::seed::DemoAccount {
    DEMO_ACCOUNTS.iter().find(|a| a.role == role).unwrap()
}

async fn sign_in(w: &World, role: Role) -> (String, engine::Actor) {
    let a = demo(role);
    let out = w.engine.login(a.email, a.password, "10.0.0.1").await.expect("demo login");
    assert_eq!(out.next, LoginNext::Done);
    let actor = w.engine.authenticate(&out.token).await.unwrap();
    (out.token, actor)
}

#[tokio::test]
async fn demo_logins_work_and_seed_runs_once() {
    let w = world().await;
    for a in &DEMO_ACCOUNTS {
        let out = w.engine.login(&a.email.to_uppercase(), a.password, "10.0.0.1").await.unwrap();
        let actor = w.engine.authenticate(&out.token).await.unwrap();
        assert_eq!(actor.role, a.role);
        assert_eq!(actor.clinic_name, engine::seed::DEMO_CLINIC);
    }
    assert!(!w.engine.seed_demo_if_empty().await.unwrap());
}

#[tokio::test]
async fn wrong_password_and_unknown_email_are_refused_alike() {
    let w = world().await;
    let a = demo(Role::Staff);
    let e1 = w.engine.login(a.email, "not-the-password", "10.0.0.2").await.unwrap_err();
    let e2 = w.engine.login("nobody@sakura.example", a.password, "10.0.0.3").await.unwrap_err();
    assert!(matches!(e1, EngineError::InvalidCredentials));
    assert!(matches!(e2, EngineError::InvalidCredentials));
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_a_growing_delay() {
    let w = world().await;
    let a = demo(Role::Marketer);
    for i in 1..=4 {
        let e = w.engine.login(a.email, "wrong-password", "10.0.0.4").await.unwrap_err();
        assert!(matches!(e, EngineError::InvalidCredentials), "failure {i}: {e:?}");
    }
    let e = w.engine.login(a.email, "wrong-password", "10.0.0.4").await.unwrap_err();
    assert!(matches!(e, EngineError::Throttled { retry_after_secs: 30 }), "{e:?}");
    // Even the right password is refused while locked, from any address.
    let e = w.engine.login(a.email, a.password, "10.9.9.9").await.unwrap_err();
    assert!(matches!(e, EngineError::Throttled { .. }), "{e:?}");
    w.clock.advance(Duration::seconds(31));
    let e = w.engine.login(a.email, "wrong-password", "10.0.0.4").await.unwrap_err();
    assert!(matches!(e, EngineError::Throttled { retry_after_secs: 60 }), "delay doubles: {e:?}");
    w.clock.advance(Duration::seconds(61));
    let ok = w.engine.login(a.email, a.password, "10.0.0.4").await.unwrap();
    assert_eq!(ok.next, LoginNext::Done);
    // Success resets the account's counter.
    let e = w.engine.login(a.email, "wrong-password", "10.0.0.4").await.unwrap_err();
    assert!(matches!(e, EngineError::InvalidCredentials), "{e:?}");
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_throttled() {
    let w = world().await;
    let mut last = None;
    for i in 0..engine::accounts::IP_FREE_FAILURES {
        last = Some(
            w.engine
                .login(&format!("guess{i}@sakura.example"), "password123", "203.0.113.9")
                .await
                .unwrap_err(),
        );
    }
    assert!(matches!(last, Some(EngineError::Throttled { .. })), "{last:?}");
    let e = w
        .engine
        .login(demo(Role::Owner).email, demo(Role::Owner).password, "203.0.113.9")
        .await
        .unwrap_err();
    assert!(matches!(e, EngineError::Throttled { .. }));
    // Another address is not affected.
    assert!(w
        .engine
        .login(demo(Role::Owner).email, demo(Role::Owner).password, "203.0.113.10")
        .await
        .is_ok());
}

#[tokio::test]
async fn totp_enrolment_then_login_needs_the_code_once() {
    let w = world().await;
    let (token, _) = sign_in(&w, Role::Staff).await;
    let enrol = w.engine.begin_totp_enrolment(&token).await.unwrap();
    assert!(enrol.uri.contains(&enrol.secret));
    let secret = data_encoding::BASE32_NOPAD.decode(enrol.secret.as_bytes()).unwrap();
    let now = || w.clock_secs();
    let code = totp::code(&secret, totp::step_at(now()), 6);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(matches!(
        w.engine.confirm_totp_enrolment(&token, wrong).await,
        Err(EngineError::InvalidTotp)
    ));
    w.engine.confirm_totp_enrolment(&token, &code).await.unwrap();

    w.clock.advance(Duration::seconds(60));
    let a = demo(Role::Staff);
    let out = w.engine.login(a.email, a.password, "10.0.0.5").await.unwrap();
    assert_eq!(out.next, LoginNext::Totp);
    // Half-signed-in sessions cannot act.
    assert!(matches!(w.engine.authenticate(&out.token).await, Err(EngineError::NotSignedIn)));
    assert!(matches!(
        w.engine.verify_login_totp(&out.token, "12345", "10.0.0.5").await,
        Err(EngineError::InvalidTotp)
    ));
    let code = totp::code(&secret, totp::step_at(now()), 6);
    w.engine.verify_login_totp(&out.token, &code, "10.0.0.5").await.unwrap();
    assert!(w.engine.authenticate(&out.token).await.is_ok());

    // The same code cannot be used twice.
    let again = w.engine.login(a.email, a.password, "10.0.0.5").await.unwrap();
    assert!(matches!(
        w.engine.verify_login_totp(&again.token, &code, "10.0.0.5").await,
        Err(EngineError::InvalidTotp)
    ));
}

impl World {
    fn clock_secs(&self) -> i64 {
        use engine::Clock;
        self.clock.now().timestamp()
    }
}

#[tokio::test]
async fn owner_can_require_totp_and_others_must_enrol_first() {
    let w = world().await;
    let (_, owner) = sign_in(&w, Role::Owner).await;
    let (_, admin_like) = sign_in(&w, Role::Marketer).await;
    assert!(matches!(
        w.engine.set_require_totp(&admin_like, true).await,
        Err(EngineError::Forbidden)
    ));
    w.engine.set_require_totp(&owner, true).await.unwrap();
    let a = demo(Role::Viewer);
    let out = w.engine.login(a.email, a.password, "10.0.0.6").await.unwrap();
    assert_eq!(out.next, LoginNext::Enrol);
    assert!(matches!(
        w.engine.authenticate(&out.token).await,
        Err(EngineError::TotpEnrolmentRequired)
    ));
    let enrol = w.engine.begin_totp_enrolment(&out.token).await.unwrap();
    let secret = data_encoding::BASE32_NOPAD.decode(enrol.secret.as_bytes()).unwrap();
    let code = totp::code(&secret, totp::step_at(w.clock_secs()), 6);
    w.engine.confirm_totp_enrolment(&out.token, &code).await.unwrap();
    let viewer = w.engine.authenticate(&out.token).await.unwrap();
    assert!(matches!(
        w.engine.disable_totp(&viewer, a.password).await,
        Err(EngineError::TotpRequiredByPolicy)
    ));
}

#[tokio::test]
async fn roles_are_enforced_by_the_engine() {
    let w = world().await;
    let (_, viewer) = sign_in(&w, Role::Viewer).await;
    let (_, staff) = sign_in(&w, Role::Staff).await;
    let (_, marketer) = sign_in(&w, Role::Marketer).await;
    for actor in [&viewer, &staff, &marketer] {
        assert!(matches!(w.engine.list_staff(actor).await, Err(EngineError::Forbidden)));
        assert!(matches!(
            w.engine.list_audit(actor, None, None, 50).await,
            Err(EngineError::Forbidden)
        ));
        assert!(matches!(
            w.engine.invite_staff(actor, "x@sakura.example", "X", Role::Viewer).await,
            Err(EngineError::Forbidden)
        ));
        assert!(matches!(
            w.engine.set_staff_role(actor, &viewer.user_public_id, Role::Owner).await,
            Err(EngineError::Forbidden)
        ));
    }
    // Nothing changed.
    let again = w.engine.authenticate(&sign_in(&w, Role::Viewer).await.0).await.unwrap();
    assert_eq!(again.role, Role::Viewer);
}

#[tokio::test]
async fn a_clinic_cannot_reach_another_organizations_staff() {
    let w = world().await;
    w.engine
        .create_owner(
            "医療法人ほかの会",
            "ほかのクリニック",
            "other@other.example",
            "他院 院長",
            "other-owner-pass",
        )
        .await
        .unwrap();
    let other = w.engine.login("other@other.example", "other-owner-pass", "10.0.0.7").await.unwrap();
    let other_owner = w.engine.authenticate(&other.token).await.unwrap();
    let (_, sakura_owner) = sign_in(&w, Role::Owner).await;
    let (_, sakura_viewer) = sign_in(&w, Role::Viewer).await;

    // Guessed IDs of another clinic's staff find nothing.
    assert!(matches!(
        w.engine
            .set_staff_role(&other_owner, &sakura_viewer.user_public_id, Role::Admin)
            .await,
        Err(EngineError::NotFound)
    ));
    assert!(matches!(
        w.engine.set_staff_disabled(&other_owner, &sakura_owner.user_public_id, true).await,
        Err(EngineError::NotFound)
    ));
    // Switching into a clinic one is not a member of is refused.
    assert!(matches!(
        w.engine.switch_clinic(&other_owner, &sakura_owner.clinic_public_id).await,
        Err(EngineError::NotFound)
    ));
    // Lists show only the actor's own clinic and organization.
    let staff = w.engine.list_staff(&other_owner).await.unwrap();
    assert_eq!(staff.len(), 1);
    let audit = w.engine.list_audit(&other_owner, None, None, 200).await.unwrap();
    assert!(audit.iter().all(|r| r.organization_id == Some(other_owner.organization_id)));
    assert!(!audit.is_empty());
    // And an existing account elsewhere cannot be pulled in by invitation.
    assert!(matches!(
        w.engine.invite_staff(&other_owner, demo(Role::Staff).email, "x", Role::Staff).await,
        Err(EngineError::EmailTaken)
    ));
    let viewer_still = w.engine.authenticate(&sign_in(&w, Role::Viewer).await.0).await.unwrap();
    assert_eq!(viewer_still.role, Role::Viewer);
}

#[tokio::test]
async fn the_owner_switches_between_own_clinics() {
    let w = world().await;
    let (token, owner) = sign_in(&w, Role::Owner).await;
    let clinics = w.engine.my_clinics(&owner).await.unwrap();
    assert_eq!(clinics.len(), 2);
    w.engine.switch_clinic(&owner, &clinics[1].clinic_public_id).await.unwrap();
    let moved = w.engine.authenticate(&token).await.unwrap();
    assert_eq!(moved.clinic_name, engine::seed::DEMO_SECOND_CLINIC);
    // The marketer is a member of the first clinic only.
    let (_, marketer) = sign_in(&w, Role::Marketer).await;
    assert!(matches!(
        w.engine.switch_clinic(&marketer, &clinics[1].clinic_public_id).await,
        Err(EngineError::NotFound)
    ));
}

#[tokio::test]
async fn invitation_role_change_and_disable() {
    let w = world().await;
    let (_, owner) = sign_in(&w, Role::Owner).await;
    let token = w
        .engine
        .invite_staff(&owner, "Nurse@Sakura.example", "山田 看護師", Role::Staff)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        w.engine.invite_staff(&owner, "nurse@sakura.example", "again", Role::Staff).await,
        Err(EngineError::EmailTaken)
    ));
    assert!(matches!(
        w.engine.invite_staff(&owner, "not-an-email", "x", Role::Staff).await,
        Err(EngineError::InvalidEmail)
    ));
    assert_eq!(w.engine.invitation_email(&token).await.unwrap(), "nurse@sakura.example");
    assert!(matches!(
        w.engine.accept_invitation(&token, "short").await,
        Err(EngineError::WeakPassword(_))
    ));
    w.engine.accept_invitation(&token, "nurse-password-1").await.unwrap();
    assert!(matches!(
        w.engine.accept_invitation(&token, "nurse-password-2").await,
        Err(EngineError::InvalidInvitation)
    ));

    let nurse_login = w
        .engine
        .login("nurse@sakura.example", "nurse-password-1", "10.0.0.8")
        .await
        .unwrap();
    let nurse = w.engine.authenticate(&nurse_login.token).await.unwrap();
    assert_eq!(nurse.role, Role::Staff);

    w.engine.set_staff_role(&owner, &nurse.user_public_id, Role::Admin).await.unwrap();
    let nurse = w.engine.authenticate(&nurse_login.token).await.unwrap();
    assert_eq!(nurse.role, Role::Admin);
    // An admin cannot touch the owner nor make owners, nor change itself.
    assert!(matches!(
        w.engine.set_staff_role(&nurse, &owner.user_public_id, Role::Viewer).await,
        Err(EngineError::Forbidden)
    ));
    let (_, viewer) = sign_in(&w, Role::Viewer).await;
    assert!(matches!(
        w.engine.set_staff_role(&nurse, &viewer.user_public_id, Role::Owner).await,
        Err(EngineError::Forbidden)
    ));
    assert!(matches!(
        w.engine.set_staff_role(&nurse, &nurse.user_public_id, Role::Viewer).await,
        Err(EngineError::SelfChange)
    ));

    w.engine.set_staff_disabled(&owner, &nurse.user_public_id, true).await.unwrap();
    assert!(matches!(
        w.engine.authenticate(&nurse_login.token).await,
        Err(EngineError::NotSignedIn)
    ));
    assert!(matches!(
        w.engine.login("nurse@sakura.example", "nurse-password-1", "10.0.0.8").await,
        Err(EngineError::AccountDisabled)
    ));
    w.engine.set_staff_disabled(&owner, &nurse.user_public_id, false).await.unwrap();
    assert!(w.engine.login("nurse@sakura.example", "nurse-password-1", "10.0.0.8").await.is_ok());
}

#[tokio::test]
async fn password_change_needs_the_current_one_and_signs_out_elsewhere() {
    let w = world().await;
    let (token, staff) = sign_in(&w, Role::Staff).await;
    let (other_token, _) = sign_in(&w, Role::Staff).await;
    let a = demo(Role::Staff);
    assert!(matches!(
        w.engine.change_password(&staff, "wrong", "new-password-123").await,
        Err(EngineError::WrongCurrentPassword)
    ));
    assert!(matches!(
        w.engine.change_password(&staff, a.password, "short").await,
        Err(EngineError::WeakPassword(_))
    ));
    w.engine.change_password(&staff, a.password, "new-password-123").await.unwrap();
    assert!(w.engine.authenticate(&token).await.is_ok());
    assert!(matches!(w.engine.authenticate(&other_token).await, Err(EngineError::NotSignedIn)));
    assert!(w.engine.login(a.email, a.password, "10.0.0.9").await.is_err());
    assert!(w.engine.login(a.email, "new-password-123", "10.0.0.9").await.is_ok());
}

#[tokio::test]
async fn sessions_expire_and_logout_ends_them() {
    let w = world().await;
    let (token, _) = sign_in(&w, Role::Staff).await;
    w.clock.advance(Duration::hours(11));
    assert!(w.engine.authenticate(&token).await.is_ok());
    w.clock.advance(Duration::hours(11));
    assert!(w.engine.authenticate(&token).await.is_ok(), "use slides the idle expiry");
    w.clock.advance(Duration::hours(13));
    assert!(matches!(w.engine.authenticate(&token).await, Err(EngineError::NotSignedIn)));

    let (token, _) = sign_in(&w, Role::Staff).await;
    w.engine.logout(&token).await.unwrap();
    assert!(matches!(w.engine.authenticate(&token).await, Err(EngineError::NotSignedIn)));
    assert!(matches!(w.engine.authenticate("forged-token").await, Err(EngineError::NotSignedIn)));
}

#[tokio::test]
async fn audit_chain_records_and_detects_tampering() {
    let w = world().await;
    let a = demo(Role::Staff);
    let _ = w.engine.login(a.email, "bad-password", "10.0.0.10").await;
    let (_, owner) = sign_in(&w, Role::Owner).await;
    let (_, viewer) = sign_in(&w, Role::Viewer).await;
    w.engine.set_staff_role(&owner, &viewer.user_public_id, Role::Staff).await.unwrap();

    let rows = w.engine.list_audit(&owner, None, None, 200).await.unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"login.failure"));
    assert!(actions.contains(&"login.success"));
    assert!(actions.contains(&"staff.role"));
    let only_logins = w.engine.list_audit(&owner, Some("login.".into()), None, 200).await.unwrap();
    assert!(only_logins.iter().all(|r| r.action.starts_with("login.")));
    assert!(!only_logins.is_empty());

    let ChainReport::Intact { entries } = w.engine.verify_audit().await.unwrap() else {
        panic!("chain should be intact")
    };
    assert_eq!(entries as usize, rows.len());

    // Someone edits the role change in the database directly.
    let role_row = rows.iter().find(|r| r.action == "staff.role").unwrap();
    test_sql(
        &w.engine,
        &format!("UPDATE audit_log SET detail = 'viewer -> viewer' WHERE seq = {}", role_row.seq),
    )
    .await;
    assert_eq!(
        w.engine.verify_audit().await.unwrap(),
        ChainReport::Broken {
            seq: role_row.seq,
            reason: "entry was altered"
        }
    );
}

#[tokio::test]
async fn deleting_the_newest_audit_rows_is_detected() {
    let w = world().await;
    let (_, owner) = sign_in(&w, Role::Owner).await;
    sign_in(&w, Role::Staff).await;
    let (head, _) = w.engine.db.audit_head().await.unwrap();
    assert!(matches!(w.engine.verify_audit().await.unwrap(), ChainReport::Intact { .. }));
    test_sql(&w.engine, &format!("DELETE FROM audit_log WHERE seq = {head}")).await;
    assert!(matches!(w.engine.verify_audit().await.unwrap(), ChainReport::Broken { .. }));
    let _ = owner;
}

async fn test_sql(engine: &Engine, sql: &str) {
    engine.db.execute_for_tests(sql).await.unwrap();
}
