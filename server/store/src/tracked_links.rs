//! Tracked links and their clicks (SPEC §10).

use crate::{Db, StoreError};
use model::link::{LinkFigures, LinkSource};

/// A tracked link: where it leads, and what sent it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TrackedLinkRow {
    pub id: i64,
    pub clinic_id: i64,
    pub url: String,
}

impl Db {
    /// The tracked link of each of `urls` sent by `source`, made the first
    /// time (several instances may ask at once: the unique key decides).
    pub async fn tracked_link_ids(
        &self,
        clinic_id: i64,
        source: LinkSource,
        source_id: i64,
        urls: &[String],
        now: i64,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let mut out = Vec::with_capacity(urls.len());
        for url in urls {
            sqlx::query(
                "INSERT INTO tracked_links (clinic_id, source_kind, source_id, url, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (clinic_id, source_kind, source_id, url) DO NOTHING",
            )
            .bind(clinic_id)
            .bind(source.as_str())
            .bind(source_id)
            .bind(url)
            .bind(now)
            .execute(&self.pool)
            .await?;
            let (id,): (i64,) =
                sqlx::query_as("SELECT id FROM tracked_links WHERE clinic_id = $1 AND source_kind = $2 AND source_id = $3 AND url = $4")
                    .bind(clinic_id)
                    .bind(source.as_str())
                    .bind(source_id)
                    .bind(url)
                    .fetch_one(&self.pool)
                    .await?;
            out.push((url.clone(), id));
        }
        Ok(out)
    }

    pub async fn tracked_link(&self, id: i64) -> Result<Option<TrackedLinkRow>, StoreError> {
        Ok(sqlx::query_as("SELECT id, clinic_id, url FROM tracked_links WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Records one click of `link_id` by `friend_id`, when that friend is
    /// the link's clinic's (a token signed for another clinic's friend
    /// records nothing), with the happening automations answer, in one
    /// transaction. False when nothing was recorded.
    pub async fn record_click(
        &self,
        link: &TrackedLinkRow,
        friend_id: i64,
        now: i64,
        happening: Option<&crate::Happening>,
    ) -> Result<bool, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "INSERT INTO link_clicks (clinic_id, link_id, friend_id, clicked_at) \
             SELECT $1, $2, id, $3 FROM friends WHERE id = $4 AND clinic_id = $1",
        )
        .bind(link.clinic_id)
        .bind(link.id)
        .bind(now)
        .bind(friend_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 1 {
            if let Some(h) = happening {
                crate::automations::enqueue(&mut tx, link.clinic_id, friend_id, h, now).await?;
            }
        }
        tx.commit().await?;
        Ok(done == 1)
    }

    /// The clicks of each link `source` sent, in the order they were made.
    pub async fn link_figures(&self, clinic_id: i64, source: LinkSource, source_id: i64) -> Result<Vec<LinkFigures>, StoreError> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT l.url, COUNT(c.id), COUNT(DISTINCT c.friend_id) FROM tracked_links l \
             LEFT JOIN link_clicks c ON c.link_id = l.id \
             WHERE l.clinic_id = $1 AND l.source_kind = $2 AND l.source_id = $3 GROUP BY l.id, l.url ORDER BY l.id",
        )
        .bind(clinic_id)
        .bind(source.as_str())
        .bind(source_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(url, clicks, clickers)| LinkFigures { url, clicks, clickers })
            .collect())
    }

    /// For each of `source_ids` with a click, the people who clicked any
    /// link it sent.
    pub async fn clickers_by_source(
        &self,
        clinic_id: i64,
        source: LinkSource,
        source_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>, StoreError> {
        if source_ids.is_empty() {
            return Ok(Default::default());
        }
        let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT l.source_id, COUNT(DISTINCT c.friend_id) FROM link_clicks c JOIN tracked_links l ON l.id = c.link_id \
             WHERE l.clinic_id = $1 AND l.source_kind = $2 AND l.source_id IN {} GROUP BY l.source_id",
            crate::db::id_list(source_ids)
        ))
        .bind(clinic_id)
        .bind(source.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Forgets clicks made before `before` (the retention the clinic keeps).
    pub async fn prune_clicks(&self, before: i64) -> Result<u64, StoreError> {
        let _turn = self.writer_turn().await;
        Ok(sqlx::query("DELETE FROM link_clicks WHERE clicked_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}
