//! Organizations, clinics, staff users, their memberships and invitations.

use crate::db::flag;
use crate::{Audit, Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrganizationRow {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub require_totp: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClinicRow {
    pub id: i64,
    pub public_id: String,
    pub organization_id: i64,
    pub name: String,
    pub departments: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub public_id: String,
    pub organization_id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub totp_secret_enc: Option<String>,
    pub totp_pending_enc: Option<String>,
    pub totp_last_step: i64,
    pub disabled: i64,
    pub created_at: i64,
}

/// A user as a member of one clinic.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub public_id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub disabled: i64,
    pub has_password: i64,
    pub totp_enabled: i64,
}

/// One of a user's clinics with the role held there.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MembershipRow {
    pub clinic_id: i64,
    pub clinic_public_id: String,
    pub clinic_name: String,
    pub role: String,
    /// The clinic's LINE channel mode, if it has a channel (every page's
    /// header shows whether the clinic is in the sandbox: read with the
    /// clinics, not by a query of its own).
    pub channel_mode: Option<String>,
}

/// An open invitation: for a new account (`clinic_id` empty, the
/// membership already exists) or an existing one joining a clinic.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvitationRow {
    pub user_id: i64,
    pub clinic_id: Option<i64>,
    pub role: Option<String>,
}

/// An invitation to write: into `clinic_id` with `role`.
pub struct NewInvitation<'a> {
    pub token_hash: &'a str,
    pub created_by: i64,
    pub clinic_id: i64,
    pub role: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

pub struct NewUser<'a> {
    pub organization_id: i64,
    pub public_id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: Option<&'a str>,
    pub now: i64,
}

const USER_COLUMNS: &str = "id, public_id, organization_id, email, display_name, password_hash, \
     totp_secret_enc, totp_pending_enc, totp_last_step, disabled, created_at";

impl Db {
    pub async fn count_organizations(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM organizations").fetch_one(&self.pool).await?;
        Ok(n)
    }

    pub async fn create_organization(&self, public_id: &str, name: &str, now: i64) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO organizations (public_id, name, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(public_id)
            .bind(name)
            .bind(now)
            .fetch_one(&self.pool)
            .await
            .map_err(StoreError::from_insert)?;
        Ok(id)
    }

    pub async fn organization(&self, id: i64) -> Result<Option<OrganizationRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, public_id, name, require_totp FROM organizations WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_require_totp(&self, organization_id: i64, required: bool, audit: &Audit<'_>) -> Result<(), StoreError> {
        self.exec_audited(
            vec![sqlx::query("UPDATE organizations SET require_totp = $1 WHERE id = $2")
                .bind(flag(required))
                .bind(organization_id)],
            audit,
        )
        .await?;
        Ok(())
    }

    pub async fn create_clinic(
        &self,
        organization_id: i64,
        public_id: &str,
        name: &str,
        departments: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO clinics (organization_id, public_id, name, departments, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(organization_id)
        .bind(public_id)
        .bind(name)
        .bind(departments)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::from_insert)?;
        Ok(id)
    }

    pub async fn clinic(&self, id: i64) -> Result<Option<ClinicRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, public_id, organization_id, name, departments FROM clinics WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn clinic_by_public_id(&self, public_id: &str) -> Result<Option<ClinicRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, public_id, organization_id, name, departments FROM clinics WHERE public_id = $1")
                .bind(public_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Creates a user; `Conflict` when the e-mail address is taken.
    pub async fn create_user(&self, u: NewUser<'_>) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert_user(&mut conn, u.organization_id, &u).await
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Users with a TOTP seed, confirmed or pending (to re-seal them).
    pub async fn users_with_totp(&self) -> Result<Vec<UserRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE totp_secret_enc IS NOT NULL OR totp_pending_enc IS NOT NULL ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn user(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The user with this public ID, only if they are a member of `clinic_id`
    /// (so a guessed ID from another clinic finds nothing), with their role.
    pub async fn member_by_public_id(&self, clinic_id: i64, public_id: &str) -> Result<Option<(UserRow, String)>, StoreError> {
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT u.id, m.role FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.public_id = $1 AND m.clinic_id = $2",
        )
        .bind(public_id)
        .bind(clinic_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some((id, role)) => Ok(self.user(id).await?.map(|u| (u, role))),
            None => Ok(None),
        }
    }

    /// A new password; every session of the user but `keep` ends with it.
    pub async fn change_password(&self, user_id: i64, hash: &str, now: i64, keep: i64, audit: &Audit<'_>) -> Result<(), StoreError> {
        self.exec_audited(
            vec![
                sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
                    .bind(hash)
                    .bind(now)
                    .bind(user_id),
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
                    .bind(user_id)
                    .bind(keep),
            ],
            audit,
        )
        .await?;
        Ok(())
    }

    pub async fn set_totp_pending(&self, user_id: i64, secret_enc: Option<&str>) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE users SET totp_pending_enc = $1 WHERE id = $2")
                .bind(secret_enc)
                .bind(user_id),
        )
        .await?;
        Ok(())
    }

    /// Turns the pending secret into the active one (or clears both with `None`).
    /// Writes a user's TOTP seeds sealed again (same values), leaving the
    /// last used step alone.
    pub async fn reseal_totp(&self, user_id: i64, secret_enc: Option<&str>, pending_enc: Option<&str>) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE users SET totp_secret_enc = $1, totp_pending_enc = $2 WHERE id = $3")
                .bind(secret_enc)
                .bind(pending_enc)
                .bind(user_id),
        )
        .await?;
        Ok(())
    }

    /// Confirms the pending TOTP seed with the code of `step` (used up by
    /// it): false, and nothing changed, when no seed is pending or the step
    /// was used.
    pub async fn confirm_totp(&self, user_id: i64, pending_enc: &str, step: i64, audit: &Audit<'_>) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL, totp_last_step = $1 \
             WHERE id = $2 AND totp_pending_enc = $3 AND totp_last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .bind(pending_enc)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn remove_totp(&self, user_id: i64, audit: &Audit<'_>) -> Result<(), StoreError> {
        self.exec_audited(
            vec![
                sqlx::query("UPDATE users SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_last_step = 0 WHERE id = $1")
                    .bind(user_id),
            ],
            audit,
        )
        .await?;
        Ok(())
    }

    /// Records that the TOTP code of `step` was used; false when that step (or
    /// a later one) was already used, so a code can never be replayed.
    pub async fn claim_totp_step(&self, user_id: i64, step: i64) -> Result<bool, StoreError> {
        let done = self
            .exec(
                sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
                    .bind(step)
                    .bind(user_id),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn add_membership(&self, user_id: i64, clinic_id: i64, role: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO memberships (user_id, clinic_id, role, created_at) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(clinic_id)
            .bind(role)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(StoreError::from_insert)?;
        Ok(())
    }

    pub async fn set_membership_role(&self, user_id: i64, clinic_id: i64, role: &str, audit: &Audit<'_>) -> Result<(), StoreError> {
        self.exec_audited(
            vec![
                sqlx::query("UPDATE memberships SET role = $1 WHERE user_id = $2 AND clinic_id = $3")
                    .bind(role)
                    .bind(user_id)
                    .bind(clinic_id),
            ],
            audit,
        )
        .await?;
        Ok(())
    }

    pub async fn memberships_of(&self, user_id: i64) -> Result<Vec<MembershipRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT c.id AS clinic_id, c.public_id AS clinic_public_id, c.name AS clinic_name, m.role, \
                    ch.mode AS channel_mode \
             FROM memberships m JOIN clinics c ON c.id = m.clinic_id \
             LEFT JOIN line_channels ch ON ch.clinic_id = c.id \
             WHERE m.user_id = $1 AND m.disabled = 0 ORDER BY c.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn clinic_members(&self, clinic_id: i64) -> Result<Vec<MemberRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT u.id AS user_id, u.public_id, u.email, u.display_name, m.role, \
                    CASE WHEN m.disabled <> 0 OR u.disabled <> 0 THEN 1 ELSE 0 END AS disabled, \
                    CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, \
                    CASE WHEN u.totp_secret_enc IS NULL THEN 0 ELSE 1 END AS totp_enabled \
             FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.clinic_id = $1 ORDER BY m.id",
        )
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Active owners of a clinic: a clinic must always keep at least one.
    pub async fn count_active_owners(&self, clinic_id: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.clinic_id = $1 AND m.role = 'owner' AND m.disabled = 0 AND u.disabled = 0",
        )
        .bind(clinic_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// Invites an existing account into a clinic (with a role), which
    /// happens only when they accept.
    pub async fn invite_to_clinic(&self, inv: &NewInvitation<'_>, user_id: i64, audit: &Audit<'_>) -> Result<(), StoreError> {
        self.exec_audited(
            vec![sqlx::query(
                "INSERT INTO invitations (token_hash, user_id, created_by, created_at, expires_at, clinic_id, role) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(inv.token_hash)
            .bind(user_id)
            .bind(inv.created_by)
            .bind(inv.now)
            .bind(inv.expires_at)
            .bind(inv.clinic_id)
            .bind(inv.role)],
            audit,
        )
        .await?;
        Ok(())
    }

    /// A new organization with one clinic and its owner (`user`'s
    /// organization is the new one), recorded by `audit` (whose
    /// organization and clinic are filled in), all together.
    pub async fn create_organization_with_owner(
        &self,
        org: (&str, &str),
        clinic: (&str, &str),
        user: NewUser<'_>,
        mut audit: Audit<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let (org_id,): (i64,) = sqlx::query_as("INSERT INTO organizations (public_id, name, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(org.0)
            .bind(org.1)
            .bind(user.now)
            .fetch_one(&mut *tx)
            .await?;
        let (clinic_id,): (i64,) = sqlx::query_as(
            "INSERT INTO clinics (organization_id, public_id, name, departments, created_at) VALUES ($1, $2, $3, '', $4) RETURNING id",
        )
        .bind(org_id)
        .bind(clinic.0)
        .bind(clinic.1)
        .bind(user.now)
        .fetch_one(&mut *tx)
        .await?;
        let user_id = insert_user(&mut tx, org_id, &user).await?;
        sqlx::query("INSERT INTO memberships (user_id, clinic_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
            .bind(user_id)
            .bind(clinic_id)
            .bind(user.now)
            .execute(&mut *tx)
            .await?;
        audit.entry.organization_id = Some(org_id);
        audit.entry.clinic_id = Some(clinic_id);
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new account, its membership and the invitation with which it
    /// chooses its password, together. `Conflict` when the e-mail is taken.
    pub async fn invite_new_user(&self, user: NewUser<'_>, inv: &NewInvitation<'_>, audit: &Audit<'_>) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = insert_user(&mut tx, user.organization_id, &user).await?;
        sqlx::query("INSERT INTO invitations (token_hash, user_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(inv.token_hash)
            .bind(id)
            .bind(inv.created_by)
            .bind(inv.now)
            .bind(inv.expires_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO memberships (user_id, clinic_id, role, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(inv.clinic_id)
            .bind(inv.role)
            .bind(inv.now)
            .execute(&mut *tx)
            .await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An unused, unexpired invitation.
    pub async fn invitation(&self, token_hash: &str, now: i64) -> Result<Option<InvitationRow>, StoreError> {
        Ok(
            sqlx::query_as(
                "SELECT user_id, clinic_id, role FROM invitations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?,
        )
    }

    /// Spends an invitation to another clinic and adds the membership it
    /// offers, together: false (nothing changed) when it was already used.
    pub async fn accept_membership_invitation(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        audit: &Audit<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let offer: Option<(i64, String)> = sqlx::query_as(
            "UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1 \
             AND clinic_id IS NOT NULL RETURNING clinic_id, role",
        )
        .bind(now)
        .bind(token_hash)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((clinic_id, role)) = offer else {
            tx.rollback().await?;
            return Ok(false);
        };
        sqlx::query(
            "INSERT INTO memberships (user_id, clinic_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, clinic_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(clinic_id)
        .bind(role)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Disables or re-enables one membership; disabling also ends the
    /// member's sessions in that clinic (their other clinics are untouched).
    pub async fn set_membership_disabled(
        &self,
        user_id: i64,
        clinic_id: i64,
        disabled: bool,
        now: i64,
        audit: &Audit<'_>,
    ) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE memberships SET disabled = $1 WHERE user_id = $2 AND clinic_id = $3")
            .bind(flag(disabled))
            .bind(user_id)
            .bind(clinic_id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND clinic_id = $2")
                .bind(user_id)
                .bind(clinic_id)
                .execute(&mut *tx)
                .await?;
            crate::staff_links::unlink_staff_in(&mut tx, user_id, clinic_id, now).await?;
        }
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the invited user's password and spends the invitation, together:
    /// false (and nothing changed) when the invitation was already used.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        user_id: i64,
        password_hash: &str,
        now: i64,
        audit: &Audit<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let used = sqlx::query(
            "UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(token_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// A user row in `organization_id` (`Conflict` when the e-mail is taken).
async fn insert_user(conn: &mut sqlx::AnyConnection, organization_id: i64, u: &NewUser<'_>) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (organization_id, public_id, email, display_name, password_hash, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(organization_id)
    .bind(u.public_id)
    .bind(u.email)
    .bind(u.display_name)
    .bind(u.password_hash)
    .bind(u.now)
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::from_insert)?;
    Ok(id)
}
