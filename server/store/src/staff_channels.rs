//! Staff-only channels (職員連絡): channels and their members, posts and
//! their versions, one delivery row per member and push (claimed like every
//! durable queue, `lease.rs`), acknowledgements, replies and the anonymous
//! 職員の声. Who a post may reach is only ever read here, from memberships
//! and staff links (`staff_members`), never taken from a request.

use crate::db::{flag, id_list, values_rows};
use crate::lease::Claim;
use crate::{Audit, Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffChannelRow {
    pub id: i64,
    pub clinic_id: i64,
    pub public_id: String,
    pub name: String,
    pub description: String,
    /// JSON lists of `model::Role`.
    pub member_roles: String,
    pub poster_roles: String,
    pub archived_at: Option<i64>,
    pub created_at: i64,
}

const CHANNEL_COLUMNS: &str = "id, clinic_id, public_id, name, description, member_roles, poster_roles, archived_at, created_at";

/// A channel as saved from its settings page.
pub struct StaffChannelWrite<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub member_roles: &'a str,
    pub poster_roles: &'a str,
    /// Members chosen by person (user IDs).
    pub people: &'a [i64],
}

/// A member of the clinic who may be reached: signed in allowed here, and
/// with the LINE account their code linked, when that friend is marked as
/// them and follows the clinic.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffMemberRow {
    pub user_id: i64,
    pub public_id: String,
    pub display_name: String,
    pub role: String,
    pub line_user_id: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffPostRow {
    pub id: i64,
    pub public_id: String,
    pub channel_id: i64,
    pub author_user_id: i64,
    pub author_name: String,
    pub version: i64,
    pub ack_required: i64,
    pub remind_after_ms: Option<i64>,
    pub remind_at: Option<i64>,
    pub created_at: i64,
    /// The current version's `model::staff_channel::PostContent` JSON.
    pub content: String,
    /// When the current version was made (the post's time, if never edited).
    pub version_at: i64,
}

const POST_SELECT: &str = "SELECT p.id, p.public_id, p.channel_id, p.author_user_id, u.display_name AS author_name, p.version, \
     p.ack_required, p.remind_after_ms, p.remind_at, p.created_at, v.content, v.created_at AS version_at \
     FROM staff_posts p JOIN staff_post_versions v ON v.post_id = p.id AND v.version = p.version \
     JOIN users u ON u.id = p.author_user_id";

/// A post (or a new version of one) with whom it goes to.
pub struct StaffPostWrite<'a> {
    pub content: &'a str,
    pub author_user_id: i64,
    /// (user, LINE user, retry key) of each member it is pushed to.
    pub recipients: &'a [(i64, String, String)],
    pub now: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffDeliveryRow {
    pub id: i64,
    pub clinic_id: i64,
    pub post_id: i64,
    pub version: i64,
    pub user_id: i64,
    pub kind: String,
    pub line_user_id: String,
    pub retry_key: String,
}

const DELIVERY_COLUMNS: &str = "id, clinic_id, post_id, version, user_id, kind, line_user_id, retry_key";

/// Where a delivery stands, for the post's page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffDeliveryState {
    pub post_id: i64,
    pub version: i64,
    pub user_id: i64,
    pub kind: String,
    pub status: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffAckRow {
    pub post_id: i64,
    pub version: i64,
    pub user_id: i64,
    pub at: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffReplyRow {
    pub post_id: i64,
    pub user_id: i64,
    pub author_name: String,
    pub text: String,
    pub at: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffVoiceRow {
    pub id: i64,
    pub text: String,
    pub received_on: String,
}

impl Db {
    pub async fn staff_channels(&self, clinic_id: i64) -> Result<Vec<StaffChannelRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM staff_channels WHERE clinic_id = $1 ORDER BY archived_at IS NOT NULL, id"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn staff_channel(&self, clinic_id: i64, public_id: &str) -> Result<Option<StaffChannelRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM staff_channels WHERE clinic_id = $1 AND public_id = $2"
        ))
        .bind(clinic_id)
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn staff_channel_by_id(&self, id: i64) -> Result<Option<StaffChannelRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {CHANNEL_COLUMNS} FROM staff_channels WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The members chosen by person, of every channel of the clinic:
    /// (channel, user).
    pub async fn staff_channel_people(&self, clinic_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT p.channel_id, p.user_id FROM staff_channel_people p \
             JOIN staff_channels c ON c.id = p.channel_id WHERE c.clinic_id = $1",
        )
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Creates a channel, or saves one (`id`), with its people, in one
    /// transaction with its audit entry. Returns the channel's ID.
    pub async fn save_staff_channel(
        &self,
        clinic_id: i64,
        id: Option<i64>,
        new_public_id: &str,
        w: &StaffChannelWrite<'_>,
        now: i64,
        audit: &Audit<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = match id {
            Some(id) => {
                sqlx::query(
                    "UPDATE staff_channels SET name = $1, description = $2, member_roles = $3, poster_roles = $4 \
                     WHERE id = $5 AND clinic_id = $6",
                )
                .bind(w.name)
                .bind(w.description)
                .bind(w.member_roles)
                .bind(w.poster_roles)
                .bind(id)
                .bind(clinic_id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_insert)?;
                sqlx::query("DELETE FROM staff_channel_people WHERE channel_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO staff_channels (clinic_id, public_id, name, description, member_roles, poster_roles, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(clinic_id)
                .bind(new_public_id)
                .bind(w.name)
                .bind(w.description)
                .bind(w.member_roles)
                .bind(w.poster_roles)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from_insert)?;
                id
            }
        };
        if !w.people.is_empty() {
            let sql = format!(
                "INSERT INTO staff_channel_people (channel_id, user_id) VALUES {}",
                values_rows(w.people.len(), 2)
            );
            let mut q = sqlx::query(&sql);
            for user in w.people {
                q = q.bind(id).bind(*user);
            }
            q.execute(&mut *tx).await?;
        }
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn archive_staff_channel(&self, id: i64, now: i64, audit: &Audit<'_>) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query("UPDATE staff_channels SET archived_at = $1 WHERE id = $2 AND archived_at IS NULL")
                .bind(now)
                .bind(id),
            Some(audit),
        )
        .await
    }

    /// Everyone allowed in the clinic now (not disabled there or anywhere),
    /// with the LINE account a post may reach: their confirmed link, only
    /// when that friend is marked as them and follows the clinic.
    pub async fn staff_members(&self, clinic_id: i64) -> Result<Vec<StaffMemberRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT u.id AS user_id, u.public_id, u.display_name, m.role, f.line_user_id \
             FROM memberships m JOIN users u ON u.id = m.user_id \
             LEFT JOIN staff_line_links l ON l.user_id = m.user_id AND l.clinic_id = m.clinic_id \
             LEFT JOIN friends f ON f.clinic_id = m.clinic_id AND f.line_user_id = l.line_user_id \
                  AND f.staff_user_id = m.user_id AND f.status = 'active' \
             WHERE m.clinic_id = $1 AND m.disabled = 0 AND u.disabled = 0 ORDER BY u.id",
        )
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every patient friend's stored names and number: (LINE name, kana,
    /// 診察券番号), for the patient-data guard. Staff's own are left out.
    pub async fn patient_identifiers(&self, clinic_id: i64) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT display_name, name_kana, patient_number FROM friends WHERE clinic_id = $1 AND staff_user_id IS NULL")
                .bind(clinic_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The staff members among some LINE users of a clinic: (LINE user, user).
    pub async fn staff_friends_among(&self, clinic_id: i64, line_user_ids: &[&str]) -> Result<Vec<(String, i64)>, StoreError> {
        if line_user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..line_user_ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT line_user_id, staff_user_id FROM friends \
             WHERE clinic_id = $1 AND staff_user_id IS NOT NULL AND line_user_id IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query_as(&sql).bind(clinic_id);
        for u in line_user_ids {
            q = q.bind(*u);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// A new post, its first version and its deliveries, together.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_staff_post(
        &self,
        clinic_id: i64,
        channel_id: i64,
        public_id: &str,
        ack_required: bool,
        remind_after_ms: Option<i64>,
        w: &StaffPostWrite<'_>,
        audit: &Audit<'_>,
    ) -> Result<i64, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let (post_id,): (i64,) = sqlx::query_as(
            "INSERT INTO staff_posts (clinic_id, channel_id, public_id, author_user_id, version, ack_required, \
             remind_after_ms, remind_at, created_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8) RETURNING id",
        )
        .bind(clinic_id)
        .bind(channel_id)
        .bind(public_id)
        .bind(w.author_user_id)
        .bind(flag(ack_required))
        .bind(remind_after_ms)
        .bind(remind_after_ms.map(|ms| w.now + ms))
        .bind(w.now)
        .fetch_one(&mut *tx)
        .await?;
        write_version(&mut tx, clinic_id, post_id, 1, w).await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(post_id)
    }

    /// A new version of a sent post, pushed again to `recipients`; its
    /// reminder (if it has one) is due again from now. False when the post
    /// moved past `from_version` meanwhile (nothing written).
    pub async fn revise_staff_post(
        &self,
        clinic_id: i64,
        post_id: i64,
        from_version: i64,
        w: &StaffPostWrite<'_>,
        audit: &Audit<'_>,
    ) -> Result<bool, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let moved = sqlx::query(
            "UPDATE staff_posts SET version = version + 1, \
             remind_at = CASE WHEN remind_after_ms IS NULL THEN NULL ELSE $1 + remind_after_ms END \
             WHERE id = $2 AND version = $3",
        )
        .bind(w.now)
        .bind(post_id)
        .bind(from_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        write_version(&mut tx, clinic_id, post_id, from_version + 1, w).await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A channel's posts, newest first.
    pub async fn staff_posts(&self, channel_id: i64, limit: i64) -> Result<Vec<StaffPostRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("{POST_SELECT} WHERE p.channel_id = $1 ORDER BY p.id DESC LIMIT $2"))
                .bind(channel_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn staff_post(&self, clinic_id: i64, public_id: &str) -> Result<Option<StaffPostRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("{POST_SELECT} WHERE p.clinic_id = $1 AND p.public_id = $2"))
                .bind(clinic_id)
                .bind(public_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn staff_post_by_id(&self, id: i64) -> Result<Option<StaffPostRow>, StoreError> {
        Ok(sqlx::query_as(&format!("{POST_SELECT} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// One version's content.
    pub async fn staff_post_version(&self, post_id: i64, version: i64) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT content FROM staff_post_versions WHERE post_id = $1 AND version = $2")
            .bind(post_id)
            .bind(version)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(c,)| c))
    }

    pub async fn staff_delivery_states(&self, post_ids: &[i64]) -> Result<Vec<StaffDeliveryState>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(&format!(
            "SELECT post_id, version, user_id, kind, status FROM staff_deliveries WHERE post_id IN {} ORDER BY id",
            id_list(post_ids)
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn staff_acks(&self, post_ids: &[i64]) -> Result<Vec<StaffAckRow>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(&format!(
            "SELECT post_id, version, user_id, at FROM staff_acks WHERE post_id IN {} ORDER BY at",
            id_list(post_ids)
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records that `user_id` confirmed a version, once: false when they
    /// already had.
    pub async fn record_staff_ack(&self, post_id: i64, version: i64, user_id: i64, now: i64) -> Result<bool, StoreError> {
        let _turn = self.writer_turn().await;
        Ok(sqlx::query(
            "INSERT INTO staff_acks (post_id, version, user_id, at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (post_id, version, user_id) DO NOTHING",
        )
        .bind(post_id)
        .bind(version)
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Whether anything waits to be pushed (a read, so an idle worker does
    /// not take SQLite's write lock).
    pub async fn any_staff_delivery_ready(&self, now: i64) -> Result<bool, StoreError> {
        let sql = delivery_claim().any_ready_sql();
        Ok(sqlx::query(&sql)
            .bind(0_i64)
            .bind(now)
            .bind(1_i64)
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// Takes pushes to make, under a lease (`Claim`).
    pub async fn claim_staff_deliveries(&self, now: i64, lease_until: i64, limit: i64) -> Result<Vec<StaffDeliveryRow>, StoreError> {
        let _turn = self.writer_turn().await;
        Ok(sqlx::query_as(&delivery_claim().sql(self.dialect()))
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Ends a push: sent, failed (LINE refused) or dropped (no longer a
    /// linked member, so it must not go).
    pub async fn finish_staff_delivery(&self, id: i64, status: &str, now: i64) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        self.exec(
            sqlx::query("UPDATE staff_deliveries SET status = $1, at = $2, lease_until = NULL WHERE id = $3 AND status = 'pending'")
                .bind(status)
                .bind(now)
                .bind(id),
        )
        .await?;
        Ok(())
    }

    /// Posts whose reminder is due.
    pub async fn due_staff_reminders(&self, now: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, version FROM staff_posts WHERE remind_at IS NOT NULL AND remind_at <= $1 ORDER BY remind_at")
                .bind(now)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Makes a post's one reminder, in one transaction: it is marked made,
    /// and a reminder push is written for each member the version reached
    /// who has not confirmed it. Nothing when another worker made it first.
    /// Returns how many reminders were written.
    pub async fn make_staff_reminder(
        &self,
        post_id: i64,
        version: i64,
        new_key: &(dyn Fn() -> String + Sync),
        now: i64,
    ) -> Result<usize, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let taken = sqlx::query("UPDATE staff_posts SET remind_at = NULL WHERE id = $1 AND version = $2 AND remind_at IS NOT NULL")
            .bind(post_id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken != 1 {
            tx.rollback().await?;
            return Ok(0);
        }
        let waiting: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT d.clinic_id, d.user_id, d.line_user_id FROM staff_deliveries d \
             WHERE d.post_id = $1 AND d.version = $2 AND d.kind = 'post' AND d.status = 'sent' \
             AND NOT EXISTS (SELECT 1 FROM staff_acks a WHERE a.post_id = d.post_id AND a.version = d.version AND a.user_id = d.user_id) \
             ORDER BY d.id",
        )
        .bind(post_id)
        .bind(version)
        .fetch_all(&mut *tx)
        .await?;
        let recipients: Vec<(i64, String, String)> = waiting.iter().map(|(_, u, l)| (*u, l.clone(), new_key())).collect();
        if let Some((clinic_id, _, _)) = waiting.first() {
            insert_deliveries(&mut tx, *clinic_id, post_id, version, "reminder", &recipients, now).await?;
        }
        tx.commit().await?;
        Ok(recipients.len())
    }

    /// The post a member was last pushed in the clinic (their LINE reply
    /// belongs under it).
    pub async fn last_staff_post_to(&self, clinic_id: i64, user_id: i64) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT post_id FROM staff_deliveries WHERE clinic_id = $1 AND user_id = $2 AND status = 'sent' \
             ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(clinic_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(p,)| p))
    }

    pub async fn add_staff_reply(&self, post_id: i64, user_id: i64, text: &str, now: i64) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        self.exec(
            sqlx::query("INSERT INTO staff_replies (post_id, user_id, text, at) VALUES ($1, $2, $3, $4)")
                .bind(post_id)
                .bind(user_id)
                .bind(text)
                .bind(now),
        )
        .await?;
        Ok(())
    }

    pub async fn staff_replies(&self, post_ids: &[i64]) -> Result<Vec<StaffReplyRow>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(&format!(
            "SELECT r.post_id, r.user_id, u.display_name AS author_name, r.text, r.at \
             FROM staff_replies r JOIN users u ON u.id = r.user_id WHERE r.post_id IN {} ORDER BY r.id",
            id_list(post_ids)
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Posts of the clinic asking for confirmation, made since `since`, whose
    /// current version `user_id` has not confirmed, newest first. Whether they belong to the channel is the engine's to say.
    pub async fn unconfirmed_staff_posts(&self, clinic_id: i64, user_id: i64, since: i64) -> Result<Vec<StaffPostRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "{POST_SELECT} JOIN staff_channels c ON c.id = p.channel_id \
             WHERE p.clinic_id = $1 AND p.ack_required = 1 AND c.archived_at IS NULL AND p.created_at >= $3 \
             AND NOT EXISTS (SELECT 1 FROM staff_acks a WHERE a.post_id = p.id AND a.version = p.version AND a.user_id = $2) \
             ORDER BY p.id DESC LIMIT 50"
        ))
        .bind(clinic_id)
        .bind(user_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn staff_voices(&self, clinic_id: i64) -> Result<Vec<StaffVoiceRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, text, received_on FROM staff_voices WHERE clinic_id = $1 ORDER BY id DESC LIMIT 500")
                .bind(clinic_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }
}

fn delivery_claim() -> Claim<'static> {
    Claim {
        table: "staff_deliveries",
        alias: "",
        due: "FROM staff_deliveries WHERE status = 'pending'",
        order: "id",
        still: "status = 'pending'",
        also_set: "",
        returning: DELIVERY_COLUMNS,
    }
}

async fn write_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    clinic_id: i64,
    post_id: i64,
    version: i64,
    w: &StaffPostWrite<'_>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO staff_post_versions (post_id, version, content, author_user_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(post_id)
        .bind(version)
        .bind(w.content)
        .bind(w.author_user_id)
        .bind(w.now)
        .execute(&mut **tx)
        .await?;
    insert_deliveries(tx, clinic_id, post_id, version, "post", w.recipients, w.now).await
}

async fn insert_deliveries(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    clinic_id: i64,
    post_id: i64,
    version: i64,
    kind: &str,
    recipients: &[(i64, String, String)],
    now: i64,
) -> Result<(), StoreError> {
    for chunk in recipients.chunks(100) {
        let sql = format!(
            "INSERT INTO staff_deliveries (clinic_id, post_id, version, user_id, kind, line_user_id, retry_key, status, at) \
             VALUES {} ON CONFLICT (post_id, version, user_id, kind) DO NOTHING",
            values_rows(chunk.len(), 9)
        );
        let mut q = sqlx::query(&sql);
        for (user, line_user, key) in chunk {
            q = q
                .bind(clinic_id)
                .bind(post_id)
                .bind(version)
                .bind(*user)
                .bind(kind)
                .bind(line_user.as_str())
                .bind(key.as_str())
                .bind("pending")
                .bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
