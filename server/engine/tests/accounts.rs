//! Accounts, sessions, roles and tenancy, on the backend the run selects
//! (YORISOI_TEST_BACKEND=sqlite | postgres).

use chrono::{DateTime, Duration};
use engine::accounts::LoginNext;
use engine::audit::ChainReport;
use engine::demo::seed::DEMO_ACCOUNTS;
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

fn demo(role: Role) -> &'static engine::demo::seed::DemoAccount {
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
        assert_eq!(actor.clinic_name, engine::demo::seed::DEMO_CLINIC);
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
    let enrol = w.engine.begin_totp_enrolment(&token, None).await.unwrap();
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
    let enrol = w.engine.begin_totp_enrolment(&out.token, None).await.unwrap();
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
    // An existing account elsewhere cannot be pulled in by invitation, and
    // the answer is the one a new address gets: a link (which leads nowhere),
    // so nobody learns which addresses other organizations use.
    let elsewhere = w
        .engine
        .invite_staff(&other_owner, demo(Role::Staff).email, "x", Role::Staff)
        .await
        .unwrap()
        .expect("a link, as for anyone");
    let fresh = w
        .engine
        .invite_staff(&other_owner, "new-nurse@other.example", "x", Role::Staff)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(elsewhere.len(), fresh.len());
    assert!(matches!(
        w.engine.invitation_info(&elsewhere).await,
        Err(EngineError::InvalidInvitation)
    ));
    assert!(matches!(
        w.engine.accept_invitation(&elsewhere, demo(Role::Staff).password, "10.0.0.7").await,
        Err(EngineError::InvalidInvitation)
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
    assert_eq!(moved.clinic_name, engine::demo::seed::DEMO_SECOND_CLINIC);
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
    let info = w.engine.invitation_info(&token).await.unwrap();
    assert_eq!((info.email.as_str(), info.clinic_name), ("nurse@sakura.example", None));
    assert!(matches!(
        w.engine.accept_invitation(&token, "short", "10.0.0.8").await,
        Err(EngineError::WeakPassword(_))
    ));
    w.engine.accept_invitation(&token, "nurse-password-1", "10.0.0.8").await.unwrap();
    assert!(matches!(
        w.engine.accept_invitation(&token, "nurse-password-2", "10.0.0.8").await,
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
    let (head, _) = w.engine.db_for_tests().audit_head().await.unwrap();
    assert!(matches!(w.engine.verify_audit().await.unwrap(), ChainReport::Intact { .. }));
    test_sql(&w.engine, &format!("DELETE FROM audit_log WHERE seq = {head}")).await;
    assert!(matches!(w.engine.verify_audit().await.unwrap(), ChainReport::Broken { .. }));
    let _ = owner;
}

async fn test_sql(engine: &Engine, sql: &str) {
    engine.db_for_tests().execute_for_tests(sql).await.unwrap();
}

/// The audit rows of one action about one e-mail.
async fn audited(w: &World, action: &str, email: &str) -> usize {
    let rows = w.engine.db_for_tests().audit_chain_page(0, 10_000).await.unwrap();
    rows.iter().filter(|r| r.action == action && r.target == email).count()
}

#[tokio::test]
async fn fifty_wrong_passwords_at_once_get_no_more_tries_than_one_at_a_time() {
    let w = world().await;
    let a = demo(Role::Marketer);
    let tries: Vec<_> = (0..50)
        .map(|_| {
            let engine = w.engine.clone();
            tokio::spawn(async move { engine.login(a.email, "wrong-password", "10.0.4.4").await })
        })
        .collect();
    let mut throttled = 0;
    for t in tries {
        match t.await.unwrap() {
            Err(EngineError::Throttled { .. }) => throttled += 1,
            Err(EngineError::InvalidCredentials) => {}
            other => panic!("{other:?}"),
        }
    }
    // Only the allowance reached the password check (each is audited as a
    // failure); the rest were refused at the door.
    assert_eq!(
        audited(&w, "login.failure", a.email).await,
        engine::accounts::ACCOUNT_FREE_FAILURES as usize
    );
    assert!(throttled > 40, "the rest were refused as throttled ({throttled})");
    // And the right password waits out the lock like anything else.
    assert!(matches!(
        w.engine.login(a.email, a.password, "10.0.4.5").await,
        Err(EngineError::Throttled { .. })
    ));
}

/// A staff member with TOTP on, and their authenticator's secret.
async fn with_totp(w: &World) -> Vec<u8> {
    let (token, _) = sign_in(w, Role::Staff).await;
    let enrol = w.engine.begin_totp_enrolment(&token, None).await.unwrap();
    let secret = data_encoding::BASE32_NOPAD.decode(enrol.secret.as_bytes()).unwrap();
    let code = totp::code(&secret, totp::step_at(w.clock_secs()), 6);
    w.engine.confirm_totp_enrolment(&token, &code).await.unwrap();
    w.clock.advance(Duration::seconds(60));
    secret
}

#[tokio::test]
async fn the_right_password_does_not_buy_more_totp_guesses() {
    let w = world().await;
    let secret = with_totp(&w).await;
    let a = demo(Role::Staff);
    let right = totp::code(&secret, totp::step_at(w.clock_secs()), 6);
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for round in 0..2 {
        let out = w.engine.login(a.email, a.password, "10.0.5.5").await.unwrap();
        assert_eq!(out.next, LoginNext::Totp);
        for guess in 0..3 {
            let e = w.engine.verify_login_totp(&out.token, wrong, "10.0.5.5").await.unwrap_err();
            if round == 1 && guess == 1 {
                // The fifth wrong code, whatever passwords came between.
                assert!(matches!(e, EngineError::Throttled { .. }), "{e:?}");
                break;
            }
            assert!(matches!(e, EngineError::InvalidTotp), "round {round} guess {guess}: {e:?}");
        }
    }
    let out = w.engine.login(a.email, a.password, "10.0.5.5").await.unwrap();
    assert!(matches!(
        w.engine.verify_login_totp(&out.token, &right, "10.0.5.5").await,
        Err(EngineError::Throttled { .. })
    ));
}

#[tokio::test]
async fn the_totp_step_obeys_the_address_lock() {
    let w = world().await;
    let secret = with_totp(&w).await;
    let a = demo(Role::Staff);
    let out = w.engine.login(a.email, a.password, "203.0.113.50").await.unwrap();
    // The same address then guesses other accounts until it is locked.
    for i in 0..engine::accounts::IP_FREE_FAILURES {
        let _ = w
            .engine
            .login(&format!("guess{i}@sakura.example"), "password123", "203.0.113.50")
            .await;
    }
    let code = totp::code(&secret, totp::step_at(w.clock_secs()), 6);
    assert!(matches!(
        w.engine.verify_login_totp(&out.token, &code, "203.0.113.50").await,
        Err(EngineError::Throttled { .. })
    ));
    assert!(w.engine.authenticate(&out.token).await.is_err());
}

#[tokio::test]
async fn a_second_factor_is_replaced_only_with_the_password_or_a_code() {
    let w = world().await;
    let old_secret = with_totp(&w).await;
    let a = demo(Role::Staff);
    let out = w.engine.login(a.email, a.password, "10.0.6.6").await.unwrap();
    let code = totp::code(&old_secret, totp::step_at(w.clock_secs()), 6);
    w.engine.verify_login_totp(&out.token, &code, "10.0.6.6").await.unwrap();
    // Someone holding only this session cannot put in a seed of their own.
    for proof in [None, Some("not-the-password")] {
        let e = w.engine.begin_totp_enrolment(&out.token, proof).await.unwrap_err();
        assert!(matches!(e, EngineError::TotpProofRequired), "{proof:?}: {e:?}");
    }
    let user = w.engine.db_for_tests().user_by_email(a.email).await.unwrap().unwrap();
    assert!(user.totp_pending_enc.is_none(), "no seed is pending");
    // The password proves it.
    w.engine.begin_totp_enrolment(&out.token, Some(a.password)).await.unwrap();
    // So does a current code.
    w.clock.advance(Duration::seconds(60));
    let code = totp::code(&old_secret, totp::step_at(w.clock_secs()), 6);
    w.engine.begin_totp_enrolment(&out.token, Some(&code)).await.unwrap();
}

/// The owner acting in the organization's other clinic.
async fn in_other_clinic(w: &World, owner: &engine::Actor) -> engine::Actor {
    let other = w
        .engine
        .db_for_tests()
        .memberships_of(owner.user_id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.clinic_id != owner.clinic_id)
        .unwrap();
    let mut actor = owner.clone();
    actor.clinic_id = other.clinic_id;
    actor.clinic_public_id = other.clinic_public_id;
    actor.clinic_name = other.clinic_name;
    actor
}

/// Signs `email` in and returns the actor of the session.
async fn actor_of(w: &World, email: &str, password: &str) -> engine::Actor {
    let out = w.engine.login(email, password, "10.0.7.9").await.unwrap();
    w.engine.authenticate(&out.token).await.unwrap()
}

#[tokio::test]
async fn an_admin_of_one_clinic_cannot_disable_the_owner_of_another() {
    let w = world().await;
    let (_, owner) = sign_in(&w, Role::Owner).await;
    // Clinic B gets a director who owns it and nothing else.
    let owner_in_b = in_other_clinic(&w, &owner).await;
    let b = owner_in_b.clone();
    let t = w
        .engine
        .invite_staff(&owner_in_b, "director-b@sakura.example", "B院 院長", Role::Owner)
        .await
        .unwrap()
        .unwrap();
    w.engine.accept_invitation(&t, "director-b-password", "10.0.7.1").await.unwrap();
    // Their session, working in B.
    let session_b = w
        .engine
        .login("director-b@sakura.example", "director-b-password", "10.0.7.4")
        .await
        .unwrap();
    let director = w.engine.authenticate(&session_b.token).await.unwrap();
    assert_eq!((director.clinic_id, director.role), (b.clinic_id, Role::Owner));
    // Clinic A gets an admin.
    let t = w
        .engine
        .invite_staff(&owner, "admin-a@sakura.example", "A院 管理者", Role::Admin)
        .await
        .unwrap()
        .unwrap();
    w.engine.accept_invitation(&t, "admin-a-password", "10.0.7.2").await.unwrap();
    let admin = actor_of(&w, "admin-a@sakura.example", "admin-a-password").await;
    assert_eq!((admin.clinic_id, admin.role), (owner.clinic_id, Role::Admin));

    // The admin invites B's director into A: nothing happens until the
    // director accepts with their own password.
    let join = w
        .engine
        .invite_staff(&admin, "director-b@sakura.example", "x", Role::Staff)
        .await
        .unwrap()
        .expect("an invitation link");
    assert!(w
        .engine
        .list_staff(&admin)
        .await
        .unwrap()
        .iter()
        .all(|m| m.email != "director-b@sakura.example"));
    assert!(matches!(
        w.engine.set_staff_disabled(&admin, &director.user_public_id, true).await,
        Err(EngineError::NotFound)
    ));
    let info = w.engine.invitation_info(&join).await.unwrap();
    assert_eq!(info.clinic_name.as_deref(), Some(admin.clinic_name.as_str()));
    assert!(matches!(
        w.engine.accept_invitation(&join, "not-their-password", "10.0.7.3").await,
        Err(EngineError::WrongCurrentPassword)
    ));
    w.engine.accept_invitation(&join, "director-b-password", "10.0.7.3").await.unwrap();
    assert!(w
        .engine
        .list_staff(&admin)
        .await
        .unwrap()
        .iter()
        .any(|m| m.email == "director-b@sakura.example"));

    // Once a member of A, the admin may disable them in A — and only there.
    w.engine.set_staff_disabled(&admin, &director.user_public_id, true).await.unwrap();
    let still = w.engine.authenticate(&session_b.token).await.unwrap();
    assert_eq!(
        (still.clinic_id, still.role),
        (b.clinic_id, Role::Owner),
        "B's session and ownership are untouched"
    );
    let user = w.engine.db_for_tests().user(director.user_id).await.unwrap().unwrap();
    assert_eq!(user.disabled, 0, "the account itself is not disabled");
    assert_eq!(w.engine.db_for_tests().count_active_owners(b.clinic_id).await.unwrap(), 2);
    // Switching into A is refused now.
    assert!(matches!(
        w.engine.switch_clinic(&still, &admin.clinic_public_id).await,
        Err(EngineError::NotFound)
    ));
    // Signing in again lands in the clinic they may still work in.
    let relogin = actor_of(&w, "director-b@sakura.example", "director-b-password").await;
    assert_eq!(relogin.clinic_id, b.clinic_id);
}

/// Rewrites the chain from entry `from` on with unkeyed SHA-256 hashes (the
/// recipe before hashes were keyed), giving entry `from` the detail `edit`
/// when there is one. Returns the last hash, for the head.
async fn rehash_unkeyed(w: &World, from: i64, edit: Option<&str>) -> String {
    let rows = w.engine.db_for_tests().audit_chain_page(from - 1, 10_000).await.unwrap();
    let mut prev = rows[0].prev_hash.clone();
    for r in &rows {
        let detail = match edit {
            Some(d) if r.seq == from => d.to_string(),
            _ => r.detail.clone(),
        };
        let canonical = serde_json::json!([
            r.seq,
            prev,
            r.at,
            r.organization_id,
            r.clinic_id,
            r.actor_user_id,
            r.actor_label,
            r.action,
            r.target,
            detail,
            r.ip
        ]);
        let hash = engine::crypto::sha256_hex(canonical.to_string().as_bytes());
        test_sql(
            &w.engine,
            &format!(
                "UPDATE audit_log SET detail = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {}",
                detail.replace('\'', "''"),
                r.seq
            ),
        )
        .await;
        prev = hash;
    }
    prev
}

#[tokio::test]
async fn someone_without_the_key_cannot_rewrite_the_audit_chain_to_fit() {
    let w = world().await;
    let (_, owner) = sign_in(&w, Role::Owner).await;
    let (_, viewer) = sign_in(&w, Role::Viewer).await;
    w.engine.set_staff_role(&owner, &viewer.user_public_id, Role::Staff).await.unwrap();
    sign_in(&w, Role::Staff).await;
    let rows = w.engine.db_for_tests().audit_chain_page(0, 10_000).await.unwrap();
    let edited = rows.iter().find(|r| r.action == "staff.role").unwrap().seq;
    // They change the entry, then recompute every hash after it with the
    // published recipe (SHA-256 over the row), as one could before.
    let prev = rehash_unkeyed(&w, edited, Some("viewer -> viewer")).await;
    test_sql(&w.engine, &format!("UPDATE audit_head SET hash = '{prev}' WHERE id = 1")).await;
    assert_eq!(
        w.engine.verify_audit().await.unwrap(),
        ChainReport::Broken {
            seq: edited,
            reason: "entry was altered"
        }
    );
}

#[tokio::test]
async fn an_unkeyed_chain_from_before_is_verified_then_keyed_once() {
    let w = world().await;
    sign_in(&w, Role::Owner).await;
    sign_in(&w, Role::Staff).await;
    // As an older version wrote it: unkeyed SHA-256 hashes.
    let rows = w.engine.db_for_tests().audit_chain_page(0, 10_000).await.unwrap();
    let prev = rehash_unkeyed(&w, 1, None).await;
    test_sql(&w.engine, &format!("UPDATE audit_head SET hash = '{prev}', keyed = 0 WHERE id = 1")).await;
    assert!(
        matches!(w.engine.verify_audit().await.unwrap(), ChainReport::Broken { .. }),
        "unkeyed is not trusted"
    );
    w.engine.key_audit_chain().await.unwrap();
    assert_eq!(
        w.engine.verify_audit().await.unwrap(),
        ChainReport::Intact {
            entries: rows.len() as i64
        }
    );
    sign_in(&w, Role::Viewer).await;
    assert!(matches!(w.engine.verify_audit().await.unwrap(), ChainReport::Intact { .. }));
}

#[tokio::test]
async fn each_clinic_sees_its_own_log_and_only_owners_the_organizations() {
    let w = world().await;
    let (_, owner) = sign_in(&w, Role::Owner).await;
    let (_, viewer) = sign_in(&w, Role::Viewer).await;
    // An admin of the demo clinic.
    w.engine.set_staff_role(&owner, &viewer.user_public_id, Role::Admin).await.unwrap();
    let admin = w.engine.authenticate(&sign_in_as(&w, Role::Viewer).await).await.unwrap();
    assert_eq!(admin.role, Role::Admin);
    // Something happens in the other clinic, and something organization-wide.
    let owner_b = in_other_clinic(&w, &owner).await;
    w.engine
        .invite_staff(&owner_b, "derm-nurse@sakura.example", "皮膚科 看護師", Role::Staff)
        .await
        .unwrap();
    w.engine.set_require_totp(&owner, false).await.unwrap();

    let seen_by_admin = w.engine.list_audit(&admin, None, None, 200).await.unwrap();
    assert!(!seen_by_admin.is_empty());
    assert!(
        seen_by_admin.iter().all(|r| r.clinic_id == Some(admin.clinic_id)),
        "only the admin's clinic"
    );
    assert!(seen_by_admin.iter().all(|r| r.target != "derm-nurse@sakura.example"));
    assert!(seen_by_admin.iter().all(|r| r.action != "settings.require_totp"));
    let seen_by_owner = w.engine.list_audit(&owner, None, None, 200).await.unwrap();
    assert!(seen_by_owner
        .iter()
        .any(|r| r.action == "settings.require_totp" && r.clinic_id.is_none()));
    assert!(
        seen_by_owner.iter().all(|r| r.target != "derm-nurse@sakura.example"),
        "B's entries stay in B"
    );
    let seen_in_b = w.engine.list_audit(&owner_b, None, None, 200).await.unwrap();
    assert!(seen_in_b.iter().any(|r| r.target == "derm-nurse@sakura.example"));
}

async fn sign_in_as(w: &World, role: Role) -> String {
    let a = demo(role);
    w.engine.login(a.email, a.password, "10.0.8.8").await.unwrap().token
}

#[tokio::test]
async fn a_change_is_never_stored_without_its_audit_entry() {
    let w = world().await;
    let (_, owner) = sign_in(&w, Role::Owner).await;
    let (_, viewer) = sign_in(&w, Role::Viewer).await;
    // The log cannot be written (a full disk, a lost table).
    test_sql(&w.engine, "ALTER TABLE audit_log RENAME TO audit_log_away").await;
    assert!(w.engine.set_staff_role(&owner, &viewer.user_public_id, Role::Admin).await.is_err());
    assert!(w.engine.set_staff_disabled(&owner, &viewer.user_public_id, true).await.is_err());
    assert!(w.engine.set_require_totp(&owner, true).await.is_err());
    test_sql(&w.engine, "ALTER TABLE audit_log_away RENAME TO audit_log").await;
    // None of the changes happened.
    assert_eq!(
        w.engine.authenticate(&sign_in_as(&w, Role::Viewer).await).await.unwrap().role,
        Role::Viewer
    );
    assert!(!w.engine.organization_requires_totp(&owner).await.unwrap());
    assert!(matches!(w.engine.verify_audit().await.unwrap(), ChainReport::Intact { .. }));
}
