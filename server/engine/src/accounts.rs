//! Staff accounts: login with throttling and TOTP, sessions, passwords,
//! invitations, roles, and the clinic a session works in.

use crate::audit::Event;
use crate::crypto::{public_id, random_token, sha256_hex, SealedAt};
use crate::{password, totp, Actor, Engine, EngineError};
use model::{password_problem, Permission, Role};
use store::{MemberRow, MembershipRow, NewInvitation, NewUser, ThrottlePolicy, UserRow};

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

const ACCOUNT_POLICY: ThrottlePolicy = ThrottlePolicy {
    free: ACCOUNT_FREE_FAILURES,
    first_delay_ms: FIRST_DELAY_MS,
    max_delay_ms: MAX_DELAY_MS,
    window_ms: FAILURE_WINDOW_MS,
};
const IP_POLICY: ThrottlePolicy = ThrottlePolicy {
    free: IP_FREE_FAILURES,
    ..ACCOUNT_POLICY
};

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

/// What an invitation link is for, shown before it is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationInfo {
    pub email: String,
    /// The clinic an existing account is asked to join; `None` for a new
    /// account (which chooses its password).
    pub clinic_name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct TotpEnrolment {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
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
        let now = self.wall_ms();
        let attempt = [(format!("acct:{email}"), ACCOUNT_POLICY), (format!("ip:{ip}"), IP_POLICY)];
        self.take_attempts(&attempt, now).await?;

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
                return Err(self.failed_attempt(&attempt, now, EngineError::InvalidCredentials).await?);
            }
        };
        // The codes of a TOTP step have their own count, which this leaves alone.
        self.attempt_succeeded(&attempt).await?;
        if user.disabled != 0 {
            return Err(EngineError::AccountDisabled);
        }
        let Some(first) = self.db.memberships_of(user.id).await?.into_iter().next() else {
            return Err(EngineError::AccountDisabled);
        };
        let org = self.db.organization(user.organization_id).await?.ok_or(EngineError::Corrupt)?;
        let (stage, next) = if user.totp_secret_enc.is_some() {
            (STAGE_TOTP, LoginNext::Totp)
        } else if org.require_totp != 0 {
            (STAGE_ENROL, LoginNext::Enrol)
        } else {
            (STAGE_FULL, LoginNext::Done)
        };
        let token = random_token();
        let action = if next == LoginNext::Done {
            "login.success"
        } else {
            "login.password_ok"
        };
        let audit = self.audit(Event {
            organization_id: Some(user.organization_id),
            clinic_id: Some(first.clinic_id),
            actor_user_id: Some(user.id),
            actor_label: format!("{} <{}>", user.display_name, user.email),
            action,
            target: user.email.clone(),
            detail: String::new(),
            ip,
        });
        self.db
            .create_session(
                &sha256_hex(token.as_bytes()),
                user.id,
                first.clinic_id,
                stage,
                now,
                now + SESSION_IDLE_MS,
                &audit,
            )
            .await?;
        Ok(LoginOutcome { token, next })
    }

    /// Takes one attempt from each key (see `store::Db::take_login_attempt`);
    /// refused, with nothing counted, while any of them is locked.
    async fn take_attempts(&self, keys: &[(String, ThrottlePolicy)], now: i64) -> Result<(), EngineError> {
        for (i, (key, policy)) in keys.iter().enumerate() {
            if self.db.take_login_attempt(key, now, *policy).await?.is_none() {
                // The keys already taken were not tried after all.
                self.give_back_attempts(&keys[..i]).await?;
                let until = self.db.throttle(key).await?.map(|t| t.locked_until).unwrap_or(now);
                return Err(EngineError::Throttled {
                    retry_after_secs: ((until - now).max(0) + 999) / 1000,
                });
            }
        }
        Ok(())
    }

    /// The attempt was right: the person's own failures (the first key) are
    /// forgotten, and it no longer counts against the shared keys (the
    /// address) after it.
    async fn attempt_succeeded(&self, keys: &[(String, ThrottlePolicy)]) -> Result<(), EngineError> {
        if let Some((own, _)) = keys.first() {
            self.db.clear_throttle(own).await?;
        }
        self.give_back_attempts(keys.get(1..).unwrap_or_default()).await
    }

    async fn give_back_attempts(&self, keys: &[(String, ThrottlePolicy)]) -> Result<(), EngineError> {
        for (key, policy) in keys {
            self.db.give_back_login_attempt(key, *policy).await?;
        }
        Ok(())
    }

    /// What to tell the user after a failed attempt (already counted when
    /// it was taken): the lock it started, if any, or `otherwise`.
    async fn failed_attempt(
        &self,
        keys: &[(String, ThrottlePolicy)],
        now: i64,
        otherwise: EngineError,
    ) -> Result<EngineError, EngineError> {
        let mut longest_lock = 0;
        for (key, _) in keys {
            if let Some(t) = self.db.throttle(key).await? {
                longest_lock = longest_lock.max(t.locked_until - now);
            }
        }
        Ok(if longest_lock > 0 {
            EngineError::Throttled {
                retry_after_secs: (longest_lock + 999) / 1000,
            }
        } else {
            otherwise
        })
    }

    /// The second step of a login with TOTP.
    pub async fn verify_login_totp(&self, token: &str, code: &str, ip: &str) -> Result<(), EngineError> {
        let (session, user) = self.session_user(token, &[STAGE_TOTP]).await?;
        let now = self.wall_ms();
        // Codes have their own count (a correct password must not reset
        // it), and the address's lock holds here too.
        let attempt = [(format!("totp:{}", user.email), ACCOUNT_POLICY), (format!("ip:{ip}"), IP_POLICY)];
        self.take_attempts(&attempt, now).await?;
        let secret = self.open_totp(user.id, user.totp_secret_enc.as_deref())?;
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
            return Err(self.failed_attempt(&attempt, now, EngineError::InvalidTotp).await?);
        }
        self.attempt_succeeded(&attempt).await?;
        self.db.set_session_stage(session.id, STAGE_FULL, Some(&self.audit(ev))).await?;
        Ok(())
    }

    fn open_totp(&self, user_id: i64, sealed: Option<&str>) -> Result<String, EngineError> {
        let sealed = sealed.ok_or(EngineError::InvalidTotp)?;
        self.open_sealed(SealedAt::totp(user_id), Some(sealed))
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
        let now = self.wall_ms();
        let session = self
            .db
            .session_by_token_hash(&sha256_hex(token.as_bytes()), now)
            .await?
            .ok_or(EngineError::NotSignedIn)?;
        let state = SessionState {
            id: session.id,
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            stage: &session.stage,
        };
        self.admit_session(&state, stages, now).await?;
        let user = self.db.user(session.user_id).await?.ok_or(EngineError::NotSignedIn)?;
        self.admit_user(&state, user.disabled != 0, now).await?;
        Ok((session, user))
    }

    /// The rules every session meets before its request is served: not
    /// older than the longest session, at a stage this request accepts.
    async fn admit_session(&self, s: &SessionState<'_>, stages: &[&str], now: i64) -> Result<(), EngineError> {
        if now - s.created_at > SESSION_MAX_MS {
            self.db.delete_session(s.id, None).await?;
            return Err(EngineError::NotSignedIn);
        }
        if !stages.contains(&s.stage) {
            return Err(if s.stage == STAGE_ENROL {
                EngineError::TotpEnrolmentRequired
            } else {
                EngineError::NotSignedIn
            });
        }
        Ok(())
    }

    /// A disabled user's session ends; a live one's idle expiry slides on
    /// (at most once a minute, so a page is not a write).
    async fn admit_user(&self, s: &SessionState<'_>, disabled: bool, now: i64) -> Result<(), EngineError> {
        if disabled {
            self.db.delete_session(s.id, None).await?;
            return Err(EngineError::NotSignedIn);
        }
        if now - s.last_seen_at > SESSION_TOUCH_MS {
            self.db.touch_session(s.id, now, now + SESSION_IDLE_MS).await?;
        }
        Ok(())
    }

    /// The signed-in actor behind a session token, in the session's clinic:
    /// the session, its user, clinic and role read in one query.
    pub async fn authenticate(&self, token: &str) -> Result<Actor, EngineError> {
        if token.is_empty() {
            return Err(EngineError::NotSignedIn);
        }
        let now = self.wall_ms();
        let c = self
            .db
            .session_caller(&sha256_hex(token.as_bytes()), now)
            .await?
            .ok_or(EngineError::NotSignedIn)?;
        let state = SessionState {
            id: c.session_id,
            created_at: c.created_at,
            last_seen_at: c.last_seen_at,
            stage: &c.stage,
        };
        self.admit_session(&state, &[STAGE_FULL], now).await?;
        self.admit_user(&state, c.user_disabled != 0, now).await?;
        let (Some(clinic_public_id), Some(clinic_name), Some(role)) =
            (c.clinic_public_id, c.clinic_name, c.role.as_deref().and_then(Role::parse))
        else {
            return Err(EngineError::NotSignedIn);
        };
        Ok(Actor {
            session_id: c.session_id,
            user_id: c.user_id,
            user_public_id: c.user_public_id,
            email: c.email,
            display_name: c.display_name,
            organization_id: c.organization_id,
            clinic_id: c.clinic_id,
            clinic_public_id,
            clinic_name,
            role,
            totp_enabled: c.totp_enabled != 0,
        })
    }

    pub async fn logout(&self, token: &str) -> Result<(), EngineError> {
        let Some(s) = self.db.session_by_token_hash(&sha256_hex(token.as_bytes()), self.wall_ms()).await? else {
            return Ok(());
        };
        match self.authenticate(token).await {
            Ok(actor) => {
                let audit = self.audit(Event::by(&actor, "logout", actor.email.clone(), String::new()));
                self.db.delete_session(s.id, Some(&audit)).await?;
            }
            // A half-finished login ends without an entry of its own.
            Err(_) => self.db.delete_session(s.id, None).await?,
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
        // Anyone who knew the old password is signed out everywhere else.
        let audit = self.audit(Event::by(actor, "password.change", actor.email.clone(), String::new()));
        self.db
            .change_password(actor.user_id, &hash, self.wall_ms(), actor.session_id, &audit)
            .await?;
        Ok(())
    }

    // ----------------------------------------------------------------- TOTP

    /// Starts (or restarts) TOTP enrolment for a full session or one that
    /// must enrol; the secret stays pending until a code confirms it. When
    /// a second factor is already on, replacing it needs `proof`: the
    /// password or a current code, which someone holding only a stolen
    /// session does not have (its guesses count like a login's).
    pub async fn begin_totp_enrolment(&self, token: &str, proof: Option<&str>) -> Result<TotpEnrolment, EngineError> {
        let (_, user) = self.session_user(token, &[STAGE_FULL, STAGE_ENROL]).await?;
        if let Some(active) = user.totp_secret_enc.as_deref() {
            let proof = proof.unwrap_or_default();
            if proof.is_empty() {
                return Err(EngineError::TotpProofRequired);
            }
            let now = self.wall_ms();
            let attempt = [(format!("totp:{}", user.email), ACCOUNT_POLICY)];
            self.take_attempts(&attempt, now).await?;
            let by_code = match totp::matching_step(&self.open_totp(user.id, Some(active))?, proof, now / 1000) {
                Some(step) => self.db.claim_totp_step(user.id, step).await?,
                None => false,
            };
            if !by_code && !password::verify(proof.to_string(), user.password_hash.clone()).await {
                return Err(self.failed_attempt(&attempt, now, EngineError::TotpProofRequired).await?);
            }
            self.give_back_attempts(&attempt).await?;
        }
        let secret = totp::new_secret();
        self.db
            .set_totp_pending(user.id, Some(&self.secrets.seal_for(SealedAt::totp(user.id), secret.as_bytes())))
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
        let secret = self.open_totp(user.id, Some(&pending))?;
        let step = totp::matching_step(&secret, code, self.wall_ms() / 1000).ok_or(EngineError::InvalidTotp)?;
        let audit = self.audit(Event {
            organization_id: Some(user.organization_id),
            clinic_id: Some(session.clinic_id),
            actor_user_id: Some(user.id),
            actor_label: format!("{} <{}>", user.display_name, user.email),
            action: "totp.enable",
            target: user.email.clone(),
            detail: String::new(),
            ip: "",
        });
        if !self.db.confirm_totp(user.id, &pending, step, &audit).await? {
            return Err(EngineError::InvalidTotp);
        }
        if session.stage == STAGE_ENROL {
            self.db.set_session_stage(session.id, STAGE_FULL, None).await?;
        }
        Ok(())
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
        let audit = self.audit(Event::by(actor, "totp.disable", actor.email.clone(), String::new()));
        self.db.remove_totp(actor.user_id, &audit).await?;
        Ok(())
    }

    pub async fn organization_requires_totp(&self, actor: &Actor) -> Result<bool, EngineError> {
        let org = self.db.organization(actor.organization_id).await?.ok_or(EngineError::Corrupt)?;
        Ok(org.require_totp != 0)
    }

    /// Owners may require every staff member of the organization to use TOTP;
    /// those without it are asked to set it up at their next login.
    pub async fn set_require_totp(&self, actor: &Actor, required: bool) -> Result<(), EngineError> {
        actor.require(Permission::ManageSecurityPolicy)?;
        // An organization-wide setting: recorded without a clinic, so only
        // owners see it in the log.
        let mut ev = Event::by(actor, "settings.require_totp", "organization".into(), required.to_string());
        ev.clinic_id = None;
        self.db.set_require_totp(actor.organization_id, required, &self.audit(ev)).await?;
        Ok(())
    }

    // ---------------------------------------------------------------- staff

    pub async fn list_staff(&self, actor: &Actor) -> Result<Vec<MemberRow>, EngineError> {
        actor.require(Permission::ManageStaff)?;
        Ok(self.db.clinic_members(actor.clinic_id).await?)
    }

    /// Invites someone to the actor's clinic and returns the one-time token
    /// of the link they open: a new account chooses its password there; an
    /// existing account of the organization accepts with its password (it
    /// is never added silently). An address used in another organization
    /// gets a link like any other that leads nowhere, so the answer says
    /// nothing about other organizations' staff.
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
        let now = self.wall_ms();
        let token = random_token();
        let token_hash = sha256_hex(token.as_bytes());
        let invitation = NewInvitation {
            token_hash: &token_hash,
            created_by: actor.user_id,
            clinic_id: actor.clinic_id,
            role: role.as_str(),
            now,
            expires_at: now + INVITATION_VALID_MS,
        };
        let audit = self.audit(Event::by(actor, "staff.invite", email.clone(), role.as_str().into()));
        match self.db.user_by_email(&email).await? {
            Some(existing) if existing.organization_id == actor.organization_id => {
                if self.db.member_by_public_id(actor.clinic_id, &existing.public_id).await?.is_some() {
                    return Err(EngineError::EmailTaken);
                }
                self.db.invite_to_clinic(&invitation, existing.id, &audit).await?;
            }
            // Nothing is stored but the log's entry: the link is refused
            // when opened, as an expired one would be.
            Some(_) => self.db.append_audit(&audit).await.map(drop)?,
            None => {
                let user = NewUser {
                    organization_id: actor.organization_id,
                    public_id: &public_id(),
                    email: &email,
                    display_name,
                    password_hash: None,
                    now,
                };
                self.db.invite_new_user(user, &invitation, &audit).await.map_err(|e| match e {
                    store::StoreError::Conflict => EngineError::EmailTaken,
                    other => other.into(),
                })?;
            }
        }
        Ok(Some(token))
    }

    /// What an open invitation is for.
    pub async fn invitation_info(&self, token: &str) -> Result<InvitationInfo, EngineError> {
        let inv = self
            .db
            .invitation(&sha256_hex(token.as_bytes()), self.wall_ms())
            .await?
            .ok_or(EngineError::InvalidInvitation)?;
        let user = self.db.user(inv.user_id).await?.ok_or(EngineError::InvalidInvitation)?;
        let clinic_name = match inv.clinic_id {
            Some(id) => Some(self.db.clinic(id).await?.ok_or(EngineError::InvalidInvitation)?.name),
            None => None,
        };
        Ok(InvitationInfo {
            email: user.email,
            clinic_name,
        })
    }

    /// Accepts an invitation: a new account sets `password` as its own; an
    /// existing account proves itself with its password (throttled like a
    /// login) and joins the clinic.
    pub async fn accept_invitation(&self, token: &str, password: &str, ip: &str) -> Result<(), EngineError> {
        let token_hash = sha256_hex(token.as_bytes());
        let now = self.wall_ms();
        let inv = self.db.invitation(&token_hash, now).await?.ok_or(EngineError::InvalidInvitation)?;
        let user = self.db.user(inv.user_id).await?.ok_or(EngineError::InvalidInvitation)?;
        let event = |action, clinic_id| Event {
            organization_id: Some(user.organization_id),
            clinic_id,
            actor_user_id: Some(user.id),
            actor_label: format!("{} <{}>", user.display_name, user.email),
            action,
            target: user.email.clone(),
            detail: String::new(),
            ip,
        };
        let accepted = match inv.clinic_id {
            Some(clinic_id) => {
                let attempt = [(format!("acct:{}", user.email), ACCOUNT_POLICY), (format!("ip:{ip}"), IP_POLICY)];
                self.take_attempts(&attempt, now).await?;
                if !password::verify(password.to_string(), user.password_hash.clone()).await {
                    return Err(self.failed_attempt(&attempt, now, EngineError::WrongCurrentPassword).await?);
                }
                self.attempt_succeeded(&attempt).await?;
                let audit = self.audit(event("invite.join", Some(clinic_id)));
                self.db.accept_membership_invitation(&token_hash, user.id, now, &audit).await?
            }
            None => {
                check_new_password(password)?;
                let hash = password::hash(password.to_string()).await;
                let audit = self.audit(event("invite.accept", None));
                self.db.accept_invitation(&token_hash, user.id, &hash, now, &audit).await?
            }
        };
        if !accepted {
            return Err(EngineError::InvalidInvitation);
        }
        Ok(())
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
        let audit = self.audit(Event::by(
            actor,
            "staff.role",
            user.email,
            format!("{} -> {}", old_role.as_str(), new_role.as_str()),
        ));
        self.db
            .set_membership_role(user.id, actor.clinic_id, new_role.as_str(), &audit)
            .await?;
        Ok(())
    }

    /// Disabling ends the person's access to the actor's clinic at once
    /// (their sessions there end) and keeps them out until re-enabled;
    /// nothing they did is deleted. It acts on this clinic's membership
    /// only: whoever manages staff here cannot touch the same person's
    /// access to the organization's other clinics. Someone disabled in
    /// every clinic cannot sign in at all.
    pub async fn set_staff_disabled(&self, actor: &Actor, user_public_id: &str, disabled: bool) -> Result<(), EngineError> {
        let (user, role) = self.managed_member(actor, user_public_id).await?;
        if disabled && role == Role::Owner && self.db.count_active_owners(actor.clinic_id).await? <= 1 {
            return Err(EngineError::LastOwner);
        }
        let action = if disabled { "staff.disable" } else { "staff.enable" };
        let audit = self.audit(Event::by(actor, action, user.email, String::new()));
        self.db
            .set_membership_disabled(user.id, actor.clinic_id, disabled, self.now_ms(), &audit)
            .await?;
        Ok(())
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
        let now = self.wall_ms();
        let hash = password::hash(password.to_string()).await;
        let audit = self.audit(Event {
            organization_id: None,
            clinic_id: None,
            actor_user_id: None,
            actor_label: "yorisoi admin create-owner".into(),
            action: "staff.create_owner",
            target: email.clone(),
            detail: String::new(),
            ip: "",
        });
        let owner = NewUser {
            // The new organization's, which the store gives it.
            organization_id: 0,
            public_id: &public_id(),
            email: &email,
            display_name: display_name.trim(),
            password_hash: Some(&hash),
            now,
        };
        self.db
            .create_organization_with_owner((&public_id(), org_name.trim()), (&public_id(), clinic_name.trim()), owner, audit)
            .await
            .map_err(|e| match e {
                store::StoreError::Conflict => EngineError::EmailTaken,
                other => other.into(),
            })
    }
}

/// What the session rules look at, whichever query read the session.
struct SessionState<'a> {
    id: i64,
    created_at: i64,
    last_seen_at: i64,
    stage: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_normalised() {
        assert_eq!(normalize_email("  Owner@Example.JP "), "owner@example.jp");
        assert!(valid_email("a@b.jp"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("@b.jp"));
        assert!(!valid_email("a b@c.jp"));
    }
}
