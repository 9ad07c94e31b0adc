//! Staff accounts: login with throttling and TOTP, sessions, passwords,
//! invitations, roles, and the clinic a session works in.

use crate::audit::Event;
use crate::crypto::{public_id, random_token, sha256_hex};
use crate::{password, totp, Actor, Engine, EngineError};
use model::{password_problem, Permission, Role};
use store::{MemberRow, MembershipRow, NewUser, ThrottleRow, UserRow};

/// A session lives 12 hours past its last use and never beyond 7 days.
pub const SESSION_IDLE_MS: i64 = 12 * 3600 * 1000;
pub const SESSION_MAX_MS: i64 = 7 * 24 * 3600 * 1000;
const SESSION_TOUCH_MS: i64 = 5 * 60 * 1000;
pub const INVITATION_VALID_MS: i64 = 7 * 24 * 3600 * 1000;

/// Failed logins allowed before the delay starts, per account and per IP.
pub const ACCOUNT_FREE_FAILURES: i64 = 5;
pub const IP_FREE_FAILURES: i64 = 20;
/// Failures older than this are forgotten.
const FAILURE_WINDOW_MS: i64 = 3600 * 1000;
const FIRST_DELAY_MS: i64 = 30 * 1000;
const MAX_DELAY_MS: i64 = 15 * 60 * 1000;

const STAGE_FULL: &str = "full";
const STAGE_TOTP: &str = "totp";
const STAGE_ENROL: &str = "enrol";

/// What the user must do after a correct password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginNext {
    Done,
    /// Enter the code from the authenticator app.
    Totp,
    /// The organization requires a second factor the user has not set up.
    Enrol,
}

#[derive(Debug)]
pub struct LoginOutcome {
    /// The session token for the cookie.
    pub token: String,
    pub next: LoginNext,
}

#[derive(Clone, Debug)]
pub struct TotpEnrolment {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

/// The delay after `failures` failures when `free` are allowed: 30 s, then
/// doubling, at most 15 minutes.
pub fn lock_delay_ms(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(10) as u32;
    (FIRST_DELAY_MS << doublings).min(MAX_DELAY_MS)
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && email.len() <= 254
}

fn check_new_password(pw: &str) -> Result<(), EngineError> {
    match password_problem(pw) {
        Some(p) => Err(EngineError::WeakPassword(p)),
        None => Ok(()),
    }
}

impl Engine {
    // ---------------------------------------------------------------- login

    /// Checks e-mail and password. Refuses while either the account or the
    /// IP address is throttled, without looking at the password at all.
    pub async fn login(&self, email: &str, password: &str, ip: &str) -> Result<LoginOutcome, EngineError> {
        let email = normalize_email(email);
        let now = self.now_ms();
        let keys = [format!("acct:{email}"), format!("ip:{ip}")];
        for key in &keys {
            if let Some(t) = self.db.throttle(key).await? {
                if t.locked_until > now {
                    return Err(EngineError::Throttled {
                        retry_after_secs: (t.locked_until - now + 999) / 1000,
                    });
                }
            }
        }

        let user = self.db.user_by_email(&email).await?;
        let ok = password::verify(password.to_string(), user.as_ref().and_then(|u| u.password_hash.clone())).await;
        let user = match (ok, user) {
            (true, Some(u)) => u,
            (_, user) => {
                let (org, uid) = user.map(|u| (Some(u.organization_id), Some(u.id))).unwrap_or((None, None));
                self.record(Event {
                    organization_id: org,
                    clinic_id: None,
                    actor_user_id: uid,
                    actor_label: email.clone(),
                    action: "login.failure",
                    target: email.clone(),
                    detail: String::new(),
                    ip,
                })
                .await?;
                return Err(self.count_failure(&keys, now).await?);
            }
        };
        if user.disabled != 0 {
            return Err(EngineError::AccountDisabled);
        }
        let Some(first) = self.db.memberships_of(user.id).await?.into_iter().next() else {
            return Err(EngineError::AccountDisabled);
        };
        self.db.clear_throttle(&keys[0]).await?;

        let org = self.db.organization(user.organization_id).await?.ok_or(EngineError::Corrupt)?;
        let (stage, next) = if user.totp_secret_enc.is_some() {
            (STAGE_TOTP, LoginNext::Totp)
        } else if org.require_totp != 0 {
            (STAGE_ENROL, LoginNext::Enrol)
        } else {
            (STAGE_FULL, LoginNext::Done)
        };
        let token = random_token();
        self.db
            .create_session(
                &sha256_hex(token.as_bytes()),
                user.id,
                first.clinic_id,
                stage,
                now,
                now + SESSION_IDLE_MS,
            )
            .await?;
        let action = if next == LoginNext::Done {
            "login.success"
        } else {
            "login.password_ok"
        };
        self.record(Event {
            organization_id: Some(user.organization_id),
            clinic_id: Some(first.clinic_id),
            actor_user_id: Some(user.id),
            actor_label: format!("{} <{}>", user.display_name, user.email),
            action,
            target: user.email.clone(),
            detail: String::new(),
            ip,
        })
        .await?;
        Ok(LoginOutcome { token, next })
    }

    /// Counts one failure against each key and says what to tell the user.
    async fn count_failure(&self, keys: &[String; 2], now: i64) -> Result<EngineError, EngineError> {
        let mut longest_lock = 0;
        for (key, free) in keys.iter().zip([ACCOUNT_FREE_FAILURES, IP_FREE_FAILURES]) {
            let failures = match self.db.throttle(key).await? {
                Some(t) if now - t.last_failure_at < FAILURE_WINDOW_MS => t.failures + 1,
                _ => 1,
            };
            let delay = lock_delay_ms(failures, free);
            longest_lock = longest_lock.max(delay);
            self.db
                .put_throttle(&ThrottleRow {
                    key: key.clone(),
                    failures,
                    last_failure_at: now,
                    locked_until: now + delay,
                })
                .await?;
        }
        Ok(if longest_lock > 0 {
            EngineError::Throttled {
                retry_after_secs: longest_lock / 1000,
            }
        } else {
            EngineError::InvalidCredentials
        })
    }

    /// The second step of a login with TOTP.
    pub async fn verify_login_totp(&self, token: &str, code: &str, ip: &str) -> Result<(), EngineError> {
        let (session, user) = self.session_user(token, &[STAGE_TOTP]).await?;
        let key = format!("acct:{}", user.email);
        let now = self.now_ms();
        if let Some(t) = self.db.throttle(&key).await? {
            if t.locked_until > now {
                return Err(EngineError::Throttled {
                    retry_after_secs: (t.locked_until - now + 999) / 1000,
                });
            }
        }
        let secret = self.open_totp(user.totp_secret_enc.as_deref())?;
        let accepted = match totp::matching_step(&secret, code, now / 1000) {
            Some(step) => self.db.claim_totp_step(user.id, step).await?,
            None => false,
        };
        let mut ev = Event {
            organization_id: Some(user.organization_id),
            clinic_id: Some(session.clinic_id),
            actor_user_id: Some(user.id),
            actor_label: format!("{} <{}>", user.display_name, user.email),
            action: "login.success",
            target: user.email.clone(),
            detail: "totp".into(),
            ip,
        };
        if !accepted {
            ev.action = "login.totp_failure";
            self.record(ev).await?;
            return Err(match self.count_failure(&[key, format!("ip:{ip}")], now).await? {
                EngineError::InvalidCredentials => EngineError::InvalidTotp,
                other => other,
            });
        }
        self.db.clear_throttle(&key).await?;
        self.db.set_session_stage(session.id, STAGE_FULL).await?;
        self.record(ev).await
    }

    fn open_totp(&self, sealed: Option<&str>) -> Result<String, EngineError> {
        let sealed = sealed.ok_or(EngineError::InvalidTotp)?;
        let bytes = self.secrets.open(sealed).ok_or(EngineError::Corrupt)?;
        String::from_utf8(bytes).map_err(|_| EngineError::Corrupt)
    }

    /// The stage of a session ("full", "totp" or "enrol"), for routing the
    /// login pages; `NotSignedIn` when there is no valid session.
    pub async fn session_stage(&self, token: &str) -> Result<String, EngineError> {
        let (s, _) = self.session_user(token, &[STAGE_FULL, STAGE_TOTP, STAGE_ENROL]).await?;
        Ok(s.stage)
    }

    async fn session_user(&self, token: &str, stages: &[&str]) -> Result<(store::SessionRow, UserRow), EngineError> {
        if token.is_empty() {
            return Err(EngineError::NotSignedIn);
        }
        let now = self.now_ms();
        let session = self
            .db
            .session_by_token_hash(&sha256_hex(token.as_bytes()), now)
            .await?
            .ok_or(EngineError::NotSignedIn)?;
        if now - session.created_at > SESSION_MAX_MS {
            self.db.delete_session(session.id).await?;
            return Err(EngineError::NotSignedIn);
        }
        if !stages.contains(&session.stage.as_str()) {
            return Err(if session.stage == STAGE_ENROL {
                EngineError::TotpEnrolmentRequired
            } else {
                EngineError::NotSignedIn
            });
        }
        let user = self.db.user(session.user_id).await?.ok_or(EngineError::NotSignedIn)?;
        if user.disabled != 0 {
            self.db.delete_session(session.id).await?;
            return Err(EngineError::NotSignedIn);
        }
        if now - session.last_seen_at > SESSION_TOUCH_MS {
            self.db.touch_session(session.id, now, now + SESSION_IDLE_MS).await?;
        }
        Ok((session, user))
    }

    /// The signed-in actor behind a session token, in the session's clinic.
    pub async fn authenticate(&self, token: &str) -> Result<Actor, EngineError> {
        let (session, user) = self.session_user(token, &[STAGE_FULL]).await?;
        let clinic = self.db.clinic(session.clinic_id).await?.ok_or(EngineError::NotSignedIn)?;
        let role = self
            .db
            .membership_role(user.id, clinic.id)
            .await?
            .and_then(|r| Role::parse(&r))
            .ok_or(EngineError::NotSignedIn)?;
        Ok(Actor {
            session_id: session.id,
            user_id: user.id,
            user_public_id: user.public_id,
            email: user.email,
            display_name: user.display_name,
            organization_id: user.organization_id,
            clinic_id: clinic.id,
            clinic_public_id: clinic.public_id,
            clinic_name: clinic.name,
            role,
            totp_enabled: user.totp_secret_enc.is_some(),
        })
    }

    pub async fn logout(&self, token: &str) -> Result<(), EngineError> {
        if let Ok(actor) = self.authenticate(token).await {
            self.record(Event::by(&actor, "logout", actor.email.clone(), String::new())).await?;
        }
        if let Some(s) = self.db.session_by_token_hash(&sha256_hex(token.as_bytes()), self.now_ms()).await? {
            self.db.delete_session(s.id).await?;
        }
        Ok(())
    }

    // ------------------------------------------------------------- clinics

    pub async fn my_clinics(&self, actor: &Actor) -> Result<Vec<MembershipRow>, EngineError> {
        Ok(self.db.memberships_of(actor.user_id).await?)
    }

    /// Moves the session to another clinic the user is a member of.
    pub async fn switch_clinic(&self, actor: &Actor, clinic_public_id: &str) -> Result<(), EngineError> {
        let target = self
            .db
            .memberships_of(actor.user_id)
            .await?
            .into_iter()
            .find(|m| m.clinic_public_id == clinic_public_id)
            .ok_or(EngineError::NotFound)?;
        self.db.set_session_clinic(actor.session_id, target.clinic_id).await?;
        Ok(())
    }

    // ------------------------------------------------------------ passwords

    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> Result<(), EngineError> {
        let user = self.db.user(actor.user_id).await?.ok_or(EngineError::NotSignedIn)?;
        if !password::verify(current.to_string(), user.password_hash).await {
            return Err(EngineError::WrongCurrentPassword);
        }
        check_new_password(new)?;
        let hash = password::hash(new.to_string()).await;
        self.db.set_password_hash(actor.user_id, &hash, self.now_ms()).await?;
        // Anyone who knew the old password is signed out everywhere else.
        self.db.delete_sessions_of_user(actor.user_id, Some(actor.session_id)).await?;
        self.record(Event::by(actor, "password.change", actor.email.clone(), String::new()))
            .await
    }

    // ----------------------------------------------------------------- TOTP

    /// Starts (or restarts) TOTP enrolment for a full session or one that
    /// must enrol; the secret stays pending until a code confirms it.
    pub async fn begin_totp_enrolment(&self, token: &str) -> Result<TotpEnrolment, EngineError> {
        let (_, user) = self.session_user(token, &[STAGE_FULL, STAGE_ENROL]).await?;
        let secret = totp::new_secret();
        self.db
            .set_totp_pending(user.id, Some(&self.secrets.seal(secret.as_bytes())))
            .await?;
        let uri = totp::provisioning_uri(&secret, &user.email);
        Ok(TotpEnrolment {
            qr_svg: totp::qr_svg(&uri),
            uri,
            secret,
        })
    }

    pub async fn confirm_totp_enrolment(&self, token: &str, code: &str) -> Result<(), EngineError> {
        let (session, user) = self.session_user(token, &[STAGE_FULL, STAGE_ENROL]).await?;
        let pending = user.totp_pending_enc.clone().ok_or(EngineError::InvalidTotp)?;
        let secret = self.open_totp(Some(&pending))?;
        let step = totp::matching_step(&secret, code, self.now_ms() / 1000).ok_or(EngineError::InvalidTotp)?;
        self.db.set_totp_secret(user.id, Some(&pending)).await?;
        if !self.db.claim_totp_step(user.id, step).await? {
            return Err(EngineError::InvalidTotp);
        }
        if session.stage == STAGE_ENROL {
            self.db.set_session_stage(session.id, STAGE_FULL).await?;
        }
        self.record(Event {
            organization_id: Some(user.organization_id),
            clinic_id: Some(session.clinic_id),
            actor_user_id: Some(user.id),
            actor_label: format!("{} <{}>", user.display_name, user.email),
            action: "totp.enable",
            target: user.email.clone(),
            detail: String::new(),
            ip: "",
        })
        .await
    }

    /// Turns TOTP off after the password is confirmed, unless the
    /// organization requires it.
    pub async fn disable_totp(&self, actor: &Actor, current_password: &str) -> Result<(), EngineError> {
        let org = self.db.organization(actor.organization_id).await?.ok_or(EngineError::Corrupt)?;
        if org.require_totp != 0 {
            return Err(EngineError::TotpRequiredByPolicy);
        }
        let user = self.db.user(actor.user_id).await?.ok_or(EngineError::NotSignedIn)?;
        if !password::verify(current_password.to_string(), user.password_hash).await {
            return Err(EngineError::WrongCurrentPassword);
        }
        self.db.set_totp_secret(actor.user_id, None).await?;
        self.record(Event::by(actor, "totp.disable", actor.email.clone(), String::new()))
            .await
    }

    pub async fn organization_requires_totp(&self, actor: &Actor) -> Result<bool, EngineError> {
        let org = self.db.organization(actor.organization_id).await?.ok_or(EngineError::Corrupt)?;
        Ok(org.require_totp != 0)
    }

    /// Owners may require every staff member of the organization to use TOTP;
    /// those without it are asked to set it up at their next login.
    pub async fn set_require_totp(&self, actor: &Actor, required: bool) -> Result<(), EngineError> {
        actor.require(Permission::ManageSecurityPolicy)?;
        self.db.set_require_totp(actor.organization_id, required).await?;
        self.record(Event::by(
            actor,
            "settings.require_totp",
            "organization".into(),
            required.to_string(),
        ))
        .await
    }

    // ---------------------------------------------------------------- staff

    pub async fn list_staff(&self, actor: &Actor) -> Result<Vec<MemberRow>, EngineError> {
        actor.require(Permission::ManageStaff)?;
        Ok(self.db.clinic_members(actor.clinic_id).await?)
    }

    /// Invites someone to the actor's clinic and returns the one-time token
    /// of the link they open to choose a password. An existing account of the
    /// same organization is simply added to this clinic.
    pub async fn invite_staff(&self, actor: &Actor, email: &str, display_name: &str, role: Role) -> Result<Option<String>, EngineError> {
        actor.require(Permission::ManageStaff)?;
        if !actor.role.may_assign(role) {
            return Err(EngineError::Forbidden);
        }
        let email = normalize_email(email);
        if !valid_email(&email) {
            return Err(EngineError::InvalidEmail);
        }
        let display_name = display_name.trim();
        if display_name.is_empty() {
            return Err(EngineError::NameRequired);
        }
        let now = self.now_ms();
        let (user_id, token) = match self.db.user_by_email(&email).await? {
            Some(existing) if existing.organization_id == actor.organization_id => {
                if self.db.membership_role(existing.id, actor.clinic_id).await?.is_some() {
                    return Err(EngineError::EmailTaken);
                }
                (existing.id, None)
            }
            Some(_) => return Err(EngineError::EmailTaken),
            None => {
                let id = self
                    .db
                    .create_user(NewUser {
                        organization_id: actor.organization_id,
                        public_id: &public_id(),
                        email: &email,
                        display_name,
                        password_hash: None,
                        now,
                    })
                    .await
                    .map_err(|e| match e {
                        store::StoreError::Conflict => EngineError::EmailTaken,
                        other => other.into(),
                    })?;
                let token = random_token();
                self.db
                    .create_invitation(&sha256_hex(token.as_bytes()), id, actor.user_id, now, now + INVITATION_VALID_MS)
                    .await?;
                (id, Some(token))
            }
        };
        self.db.add_membership(user_id, actor.clinic_id, role.as_str(), now).await?;
        self.record(Event::by(actor, "staff.invite", email, role.as_str().into())).await?;
        Ok(token)
    }

    /// The e-mail address an open invitation is for.
    pub async fn invitation_email(&self, token: &str) -> Result<String, EngineError> {
        let user_id = self
            .db
            .invitation_user(&sha256_hex(token.as_bytes()), self.now_ms())
            .await?
            .ok_or(EngineError::InvalidInvitation)?;
        Ok(self.db.user(user_id).await?.ok_or(EngineError::InvalidInvitation)?.email)
    }

    pub async fn accept_invitation(&self, token: &str, new_password: &str) -> Result<(), EngineError> {
        let token_hash = sha256_hex(token.as_bytes());
        let now = self.now_ms();
        let user_id = self
            .db
            .invitation_user(&token_hash, now)
            .await?
            .ok_or(EngineError::InvalidInvitation)?;
        check_new_password(new_password)?;
        let hash = password::hash(new_password.to_string()).await;
        if !self.db.accept_invitation(&token_hash, user_id, &hash, now).await? {
            return Err(EngineError::InvalidInvitation);
        }
        let user = self.db.user(user_id).await?.ok_or(EngineError::InvalidInvitation)?;
        self.record(Event {
            organization_id: Some(user.organization_id),
            clinic_id: None,
            actor_user_id: Some(user.id),
            actor_label: format!("{} <{}>", user.display_name, user.email),
            action: "invite.accept",
            target: user.email,
            detail: String::new(),
            ip: "",
        })
        .await
    }

    /// A member of the actor's clinic whom the actor may manage.
    async fn managed_member(&self, actor: &Actor, user_public_id: &str) -> Result<(UserRow, Role), EngineError> {
        actor.require(Permission::ManageStaff)?;
        let (user, role) = self
            .db
            .member_by_public_id(actor.clinic_id, user_public_id)
            .await?
            .ok_or(EngineError::NotFound)?;
        if user.id == actor.user_id {
            return Err(EngineError::SelfChange);
        }
        let role = Role::parse(&role).ok_or(EngineError::Corrupt)?;
        if !actor.role.may_assign(role) {
            return Err(EngineError::Forbidden);
        }
        Ok((user, role))
    }

    pub async fn set_staff_role(&self, actor: &Actor, user_public_id: &str, new_role: Role) -> Result<(), EngineError> {
        let (user, old_role) = self.managed_member(actor, user_public_id).await?;
        if !actor.role.may_assign(new_role) {
            return Err(EngineError::Forbidden);
        }
        if old_role == Role::Owner && new_role != Role::Owner && self.db.count_active_owners(actor.clinic_id).await? <= 1 {
            return Err(EngineError::LastOwner);
        }
        self.db.set_membership_role(user.id, actor.clinic_id, new_role.as_str()).await?;
        self.record(Event::by(
            actor,
            "staff.role",
            user.email,
            format!("{} -> {}", old_role.as_str(), new_role.as_str()),
        ))
        .await
    }

    /// Disabling signs the person out at once and keeps them out until
    /// re-enabled; nothing they did is deleted.
    pub async fn set_staff_disabled(&self, actor: &Actor, user_public_id: &str, disabled: bool) -> Result<(), EngineError> {
        let (user, role) = self.managed_member(actor, user_public_id).await?;
        if disabled && role == Role::Owner && self.db.count_active_owners(actor.clinic_id).await? <= 1 {
            return Err(EngineError::LastOwner);
        }
        self.db.set_user_disabled(user.id, disabled).await?;
        if disabled {
            self.db.delete_sessions_of_user(user.id, None).await?;
        }
        let action = if disabled { "staff.disable" } else { "staff.enable" };
        self.record(Event::by(actor, action, user.email, String::new())).await
    }

    // ------------------------------------------------------------ bootstrap

    /// The first owner of a real installation (`yorisoi admin create-owner`):
    /// a new organization with one clinic and its owner.
    pub async fn create_owner(
        &self,
        org_name: &str,
        clinic_name: &str,
        email: &str,
        display_name: &str,
        password: &str,
    ) -> Result<(), EngineError> {
        let email = normalize_email(email);
        if !valid_email(&email) {
            return Err(EngineError::InvalidEmail);
        }
        if display_name.trim().is_empty() || org_name.trim().is_empty() || clinic_name.trim().is_empty() {
            return Err(EngineError::NameRequired);
        }
        check_new_password(password)?;
        if self.db.user_by_email(&email).await?.is_some() {
            return Err(EngineError::EmailTaken);
        }
        let now = self.now_ms();
        let hash = password::hash(password.to_string()).await;
        let org = self.db.create_organization(&public_id(), org_name.trim(), now).await?;
        let clinic = self.db.create_clinic(org, &public_id(), clinic_name.trim(), "", now).await?;
        let user = self
            .db
            .create_user(NewUser {
                organization_id: org,
                public_id: &public_id(),
                email: &email,
                display_name: display_name.trim(),
                password_hash: Some(&hash),
                now,
            })
            .await?;
        self.db.add_membership(user, clinic, Role::Owner.as_str(), now).await?;
        self.record(Event {
            organization_id: Some(org),
            clinic_id: Some(clinic),
            actor_user_id: None,
            actor_label: "yorisoi admin create-owner".into(),
            action: "staff.create_owner",
            target: email,
            detail: String::new(),
            ip: "",
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_and_is_capped() {
        assert_eq!(lock_delay_ms(4, 5), 0);
        assert_eq!(lock_delay_ms(5, 5), 30_000);
        assert_eq!(lock_delay_ms(6, 5), 60_000);
        assert_eq!(lock_delay_ms(7, 5), 120_000);
        assert_eq!(lock_delay_ms(50, 5), 15 * 60_000);
    }

    #[test]
    fn emails_are_checked_and_normalised() {
        assert_eq!(normalize_email("  Owner@Example.JP "), "owner@example.jp");
        assert!(valid_email("a@b.jp"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("@b.jp"));
        assert!(!valid_email("a b@c.jp"));
    }
}
