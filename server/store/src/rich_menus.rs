//! Rich menus (SPEC §8): the menus as designed and published, the rules
//! that say who sees which, and what LINE has — each LINE menu, the API
//! default and every per-user link — so the engine's worker can bring LINE
//! to the desired state and a crash at any point leaves a record to
//! continue from.

use crate::db::{flag, id_list, values_rows};
use crate::lease::Claim;
use crate::{Audit, Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RichMenuRow {
    pub id: i64,
    pub clinic_id: i64,
    pub public_id: String,
    pub name: String,
    /// `model::rich_menu::MenuTab` JSON list, as being edited.
    pub draft: String,
    /// The same, as last published (`None`: never).
    pub published: Option<String>,
    /// Which publication `published` is (0: none yet).
    pub version: i64,
    pub archived_at: Option<i64>,
    pub updated_at: i64,
}

const MENU_COLUMNS: &str = "id, clinic_id, public_id, name, draft, published, version, archived_at, updated_at";

/// One tab of one publication as LINE has it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LineRichMenuRow {
    pub id: i64,
    pub menu_id: i64,
    pub version: i64,
    pub tab: i64,
    /// `None` while being created.
    pub line_id: Option<String>,
    /// Its picture is on LINE (1) or not yet (0).
    pub image_done: i64,
    /// Its alias points at it (1; tabs only).
    pub alias_done: i64,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
}

const LINE_COLUMNS: &str = "id, menu_id, version, tab, line_id, image_done, alias_done, created_at, deleted_at";

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RichMenuRuleRow {
    pub id: i64,
    pub public_id: String,
    pub position: i64,
    pub menu_id: i64,
    /// `None`: everyone (or linked staff, when `for_staff`).
    pub segment_id: Option<i64>,
    /// 1: for staff who linked their LINE.
    pub for_staff: i64,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
}

/// A rule as saved from the assignment page, in order.
#[derive(Clone, Debug)]
pub struct NewRichMenuRule {
    pub public_id: String,
    pub menu_id: i64,
    pub segment_id: Option<i64>,
    pub for_staff: bool,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
}

/// A clinic's default menu and where the worker stands.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct RichMenuStateRow {
    pub id: i64,
    pub clinic_id: i64,
    pub default_menu_id: Option<i64>,
    /// LINE's API default as last set by the worker.
    pub line_default: Option<String>,
    pub due_at: Option<i64>,
    /// `None`: every friend's menu is to be worked out again.
    pub segment_seq: Option<i64>,
    pub last_error: Option<String>,
    pub failures: i64,
    pub synced_at: Option<i64>,
}

const STATE_COLUMNS: &str = "id, clinic_id, default_menu_id, line_default, due_at, segment_seq, last_error, failures, synced_at";

/// A friend's menu: the one they should see and the one LINE links them to.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FriendMenuRow {
    pub friend_id: i64,
    pub line_user_id: String,
    /// `None`: the default.
    pub menu_id: Option<i64>,
    pub rule_id: Option<i64>,
    /// LINE's per-user link (`None`: none).
    pub linked: Option<String>,
    /// 1: a staff member's linked LINE.
    pub staff: i64,
}

/// Where a worker's pass leaves a clinic.
#[derive(Clone, Debug)]
pub struct RichMenuSettle {
    pub due_at: Option<i64>,
    pub segment_seq: Option<i64>,
    pub error: Option<String>,
    pub synced_at: Option<i64>,
}

impl Db {
    pub async fn create_rich_menu(
        &self,
        clinic_id: i64,
        public_id: &str,
        name: &str,
        draft: &str,
        now: i64,
        audit: &Audit<'_>,
    ) -> Result<(), StoreError> {
        self.exec_audited(
            vec![sqlx::query(
                "INSERT INTO rich_menus (clinic_id, public_id, name, draft, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(clinic_id)
            .bind(public_id)
            .bind(name)
            .bind(draft)
            .bind(now)],
            audit,
        )
        .await
        .map(drop)
    }

    /// Saves the draft; the published menu, and so LINE, stay as they are.
    pub async fn save_rich_menu_draft(
        &self,
        menu_id: i64,
        name: &str,
        draft: &str,
        now: i64,
        audit: &Audit<'_>,
    ) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query("UPDATE rich_menus SET name = $1, draft = $2, updated_at = $3 WHERE id = $4 AND archived_at IS NULL")
                .bind(name)
                .bind(draft)
                .bind(now)
                .bind(menu_id),
            Some(audit),
        )
        .await
    }

    /// Publishes the draft as the next version and wakes the worker, in one
    /// commit. Returns the new version (0 when the menu is archived).
    pub async fn publish_rich_menu(&self, clinic_id: i64, menu_id: i64, now: i64, audit: &Audit<'_>) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE rich_menus SET published = draft, version = version + 1, updated_at = $1 \
             WHERE id = $2 AND clinic_id = $3 AND archived_at IS NULL RETURNING version",
        )
        .bind(now)
        .bind(menu_id)
        .bind(clinic_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version,)) = row else {
            tx.rollback().await?;
            return Ok(0);
        };
        wake(&mut tx, clinic_id, now, false).await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Archives a menu no rule and no default names (false otherwise); the
    /// worker then takes its LINE menus down.
    pub async fn archive_rich_menu(&self, clinic_id: i64, menu_id: i64, now: i64, audit: &Audit<'_>) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE rich_menus SET archived_at = $1, updated_at = $1 WHERE id = $2 AND clinic_id = $3 AND archived_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM rich_menu_rules WHERE menu_id = $2) \
             AND NOT EXISTS (SELECT 1 FROM rich_menu_states WHERE default_menu_id = $2)",
        )
        .bind(now)
        .bind(menu_id)
        .bind(clinic_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !changed {
            tx.rollback().await?;
            return Ok(false);
        }
        wake(&mut tx, clinic_id, now, false).await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn rich_menus(&self, clinic_id: i64) -> Result<Vec<RichMenuRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {MENU_COLUMNS} FROM rich_menus WHERE clinic_id = $1 ORDER BY archived_at IS NOT NULL, name"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn rich_menu_by_public_id(&self, clinic_id: i64, public_id: &str) -> Result<Option<RichMenuRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {MENU_COLUMNS} FROM rich_menus WHERE clinic_id = $1 AND public_id = $2"
        ))
        .bind(clinic_id)
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn rich_menu_rules(&self, clinic_id: i64) -> Result<Vec<RichMenuRuleRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, public_id, position, menu_id, segment_id, for_staff, starts_at, ends_at FROM rich_menu_rules WHERE clinic_id = $1 \
             ORDER BY position",
        )
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Replaces the rules and the default at once, and has every friend's
    /// menu worked out again. Friends' recorded rules are let go first (a
    /// rule may be gone).
    pub async fn replace_rich_menu_rules(
        &self,
        clinic_id: i64,
        default_menu_id: Option<i64>,
        rules: &[NewRichMenuRule],
        now: i64,
        audit: &Audit<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        ensure_state(&mut tx, clinic_id).await?;
        sqlx::query("UPDATE friend_rich_menus SET rule_id = NULL WHERE clinic_id = $1")
            .bind(clinic_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM rich_menu_rules WHERE clinic_id = $1")
            .bind(clinic_id)
            .execute(&mut *tx)
            .await?;
        if !rules.is_empty() {
            let sql = format!(
                "INSERT INTO rich_menu_rules (clinic_id, public_id, position, menu_id, segment_id, for_staff, starts_at, ends_at, created_at) \
                 VALUES {}",
                values_rows(rules.len(), 9)
            );
            let mut q = sqlx::query(&sql);
            for (i, r) in rules.iter().enumerate() {
                q = q
                    .bind(clinic_id)
                    .bind(r.public_id.clone())
                    .bind(i as i64)
                    .bind(r.menu_id)
                    .bind(r.segment_id)
                    .bind(flag(r.for_staff))
                    .bind(r.starts_at)
                    .bind(r.ends_at)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE rich_menu_states SET default_menu_id = $1 WHERE clinic_id = $2")
            .bind(default_menu_id)
            .bind(clinic_id)
            .execute(&mut *tx)
            .await?;
        wake(&mut tx, clinic_id, now, true).await?;
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The clinic's state row (a default one when it has none yet).
    pub async fn rich_menu_state(&self, clinic_id: i64) -> Result<RichMenuStateRow, StoreError> {
        let row: Option<RichMenuStateRow> = sqlx::query_as(&format!("SELECT {STATE_COLUMNS} FROM rich_menu_states WHERE clinic_id = $1"))
            .bind(clinic_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.unwrap_or(RichMenuStateRow {
            clinic_id,
            ..Default::default()
        }))
    }

    /// Has the worker look at a clinic now (`everyone`: every friend's menu
    /// worked out again), e.g. after a sandbox reset or a channel change.
    pub async fn wake_rich_menus(&self, clinic_id: i64, now: i64, everyone: bool) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        ensure_state(&mut tx, clinic_id).await?;
        wake(&mut tx, clinic_id, now, everyone).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Clinics whose menus are due for the worker, or whose friends'
    /// tags or fields changed since it last looked, each leased until
    /// `lease_until` (`Claim`).
    pub async fn claim_rich_menu_syncs(&self, now: i64, lease_until: i64, limit: i64) -> Result<Vec<RichMenuStateRow>, StoreError> {
        let _turn = self.writer_turn().await;
        let sql = Claim {
            table: "rich_menu_states",
            alias: "s",
            // Due, or a friend's tags or fields changed since the last pass.
            due: "FROM rich_menu_states s WHERE (due_at <= $2 OR segment_seq < \
                  (SELECT MAX(c.seq) FROM segment_changes c WHERE c.clinic_id = s.clinic_id))",
            order: "s.id",
            still: "clinic_id IS NOT NULL",
            also_set: "",
            returning: STATE_COLUMNS,
        }
        .sql(self.dialect());
        Ok(sqlx::query_as(&sql)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Ends a worker's pass over a clinic and releases it. A wake that came
    /// during the pass (`due_at` moved to before the pass ended) is kept.
    pub async fn settle_rich_menu_sync(&self, state_id: i64, claimed_due: Option<i64>, s: &RichMenuSettle) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        let failed = s.error.is_some();
        self.exec(
            sqlx::query(
                "UPDATE rich_menu_states SET lease_until = NULL, last_error = $1, \
                 failures = CASE WHEN $2 = 1 THEN failures + 1 ELSE 0 END, \
                 synced_at = COALESCE($3, synced_at), \
                 segment_seq = CASE WHEN segment_seq IS NULL AND due_at IS NOT DISTINCT FROM $6 THEN $4 \
                                    WHEN segment_seq IS NULL THEN NULL ELSE $4 END, \
                 due_at = CASE WHEN due_at IS NOT DISTINCT FROM $6 THEN $5 \
                               WHEN $5 IS NULL THEN due_at WHEN due_at < $5 THEN due_at ELSE $5 END \
                 WHERE id = $7",
            )
            .bind(s.error.clone())
            .bind(flag(failed))
            .bind(s.synced_at)
            .bind(s.segment_seq)
            .bind(s.due_at)
            .bind(claimed_due)
            .bind(state_id),
        )
        .await?;
        Ok(())
    }

    pub async fn set_line_rich_menu_default(&self, clinic_id: i64, line_id: Option<&str>) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE rich_menu_states SET line_default = $1 WHERE clinic_id = $2")
                .bind(line_id.map(str::to_string))
                .bind(clinic_id),
        )
        .await
        .map(drop)
    }

    /// Every LINE menu of a clinic still on LINE (or being created).
    pub async fn line_rich_menus(&self, clinic_id: i64) -> Result<Vec<LineRichMenuRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {LINE_COLUMNS} FROM line_rich_menus WHERE clinic_id = $1 AND deleted_at IS NULL ORDER BY id"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Writes down that a tab of a publication is about to be created on
    /// LINE, before asking LINE; the row (new, or left by a crash) is
    /// returned.
    pub async fn begin_line_rich_menu(
        &self,
        clinic_id: i64,
        menu_id: i64,
        version: i64,
        tab: i64,
        now: i64,
    ) -> Result<LineRichMenuRow, StoreError> {
        let _turn = self.writer_turn().await;
        self.exec(
            sqlx::query(
                "INSERT INTO line_rich_menus (clinic_id, menu_id, version, tab, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (menu_id, version, tab) DO NOTHING",
            )
            .bind(clinic_id)
            .bind(menu_id)
            .bind(version)
            .bind(tab)
            .bind(now),
        )
        .await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {LINE_COLUMNS} FROM line_rich_menus WHERE menu_id = $1 AND version = $2 AND tab = $3"
        ))
        .bind(menu_id)
        .bind(version)
        .bind(tab)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn set_line_rich_menu_id(&self, row_id: i64, line_id: &str) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE line_rich_menus SET line_id = $1 WHERE id = $2")
                .bind(line_id)
                .bind(row_id),
        )
        .await
        .map(drop)
    }

    pub async fn set_line_rich_menu_image_done(&self, row_id: i64) -> Result<(), StoreError> {
        self.exec(sqlx::query("UPDATE line_rich_menus SET image_done = 1 WHERE id = $1").bind(row_id))
            .await
            .map(drop)
    }

    pub async fn set_line_rich_menu_alias_done(&self, row_id: i64) -> Result<(), StoreError> {
        self.exec(sqlx::query("UPDATE line_rich_menus SET alias_done = 1 WHERE id = $1").bind(row_id))
            .await
            .map(drop)
    }

    /// The LINE menu is gone from LINE (deleted, or found missing).
    pub async fn set_line_rich_menu_deleted(&self, row_id: i64, now: i64) -> Result<(), StoreError> {
        self.exec(
            sqlx::query("UPDATE line_rich_menus SET deleted_at = $1 WHERE id = $2")
                .bind(now)
                .bind(row_id),
        )
        .await
        .map(drop)
    }

    /// Creations and deletions asked of LINE since `since`: LINE allows 100
    /// an hour.
    pub async fn rich_menu_changes_since(&self, clinic_id: i64, since: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM line_rich_menus WHERE clinic_id = $1 AND created_at > $2) \
                  + (SELECT COUNT(*) FROM line_rich_menus WHERE clinic_id = $1 AND deleted_at > $2)",
        )
        .bind(clinic_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// The friends (following or not) whose menus are to be worked out: all
    /// of the clinic's, or those among `only`.
    pub async fn friend_menus(&self, clinic_id: i64, only: Option<&[i64]>) -> Result<Vec<FriendMenuRow>, StoreError> {
        let among = match only {
            Some([]) => return Ok(vec![]),
            Some(ids) => format!("AND f.id IN {}", id_list(ids)),
            None => String::new(),
        };
        Ok(sqlx::query_as(&format!(
            "SELECT f.id AS friend_id, f.line_user_id, m.menu_id, m.rule_id, m.linked, \
             CAST(CASE WHEN f.staff_user_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS staff \
             FROM friends f LEFT JOIN friend_rich_menus m ON m.friend_id = f.id \
             WHERE f.clinic_id = $1 AND f.status = 'active' {among} ORDER BY f.id"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records which menu each friend should see and by which rule: (friend,
    /// menu, rule).
    pub async fn set_friend_menus(&self, clinic_id: i64, wanted: &[(i64, Option<i64>, Option<i64>)]) -> Result<(), StoreError> {
        for chunk in wanted.chunks(200) {
            let sql = format!(
                "INSERT INTO friend_rich_menus (friend_id, clinic_id, menu_id, rule_id) VALUES {} \
                 ON CONFLICT (friend_id) DO UPDATE SET menu_id = excluded.menu_id, rule_id = excluded.rule_id",
                values_rows(chunk.len(), 4)
            );
            let mut q = sqlx::query(&sql);
            for (friend, menu, rule) in chunk {
                q = q.bind(*friend).bind(clinic_id).bind(*menu).bind(*rule);
            }
            let _turn = self.writer_turn().await;
            self.exec(q).await?;
        }
        Ok(())
    }

    /// Records LINE's per-user link of these friends, after LINE took it.
    pub async fn set_friend_menu_links(&self, friends: &[i64], linked: Option<&str>) -> Result<(), StoreError> {
        if friends.is_empty() {
            return Ok(());
        }
        let _turn = self.writer_turn().await;
        self.exec(
            sqlx::query(&format!(
                "UPDATE friend_rich_menus SET linked = $1 WHERE friend_id IN {}",
                id_list(friends)
            ))
            .bind(linked.map(str::to_string)),
        )
        .await
        .map(drop)
    }

    /// How many friends LINE links to each LINE menu (a menu still linked
    /// is not deleted).
    pub async fn linked_line_menus(&self, clinic_id: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT linked FROM friend_rich_menus WHERE clinic_id = $1 AND linked IS NOT NULL")
                .bind(clinic_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(l,)| l).collect())
    }

    /// The friend's menu as recorded: (menu, rule, LINE link).
    pub async fn friend_menu(&self, friend_id: i64) -> Result<Option<(Option<i64>, Option<i64>, Option<String>)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT menu_id, rule_id, linked FROM friend_rich_menus WHERE friend_id = $1")
                .bind(friend_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

/// The clinic's state row exists.
async fn ensure_state(tx: &mut sqlx::Transaction<'_, sqlx::Any>, clinic_id: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO rich_menu_states (clinic_id) VALUES ($1) ON CONFLICT (clinic_id) DO NOTHING")
        .bind(clinic_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Makes the worker look at the clinic now (`everyone`: at every friend).
async fn wake(tx: &mut sqlx::Transaction<'_, sqlx::Any>, clinic_id: i64, now: i64, everyone: bool) -> Result<(), StoreError> {
    ensure_state(tx, clinic_id).await?;
    let sql = if everyone {
        "UPDATE rich_menu_states SET due_at = $1, segment_seq = NULL WHERE clinic_id = $2"
    } else {
        "UPDATE rich_menu_states SET due_at = $1 WHERE clinic_id = $2"
    };
    sqlx::query(sql).bind(now).bind(clinic_id).execute(&mut **tx).await?;
    Ok(())
}
