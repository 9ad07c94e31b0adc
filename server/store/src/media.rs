//! Uploaded pictures (migration 0009).

use crate::db::{Db, StoreError};

/// A picture as it was stored, for serving it.
#[derive(Debug, sqlx::FromRow)]
pub struct MediaFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What an upload records.
pub struct NewMedia<'a> {
    pub clinic_id: i64,
    pub token: &'a str,
    pub content_type: &'a str,
    pub width: u32,
    pub height: u32,
    pub original: &'a [u8],
    pub preview: Option<&'a [u8]>,
    pub user_id: i64,
    pub now: i64,
}

impl Db {
    pub async fn insert_media(&self, m: NewMedia<'_>, audit: &crate::Audit<'_>) -> Result<(), StoreError> {
        let q = sqlx::query(
            "INSERT INTO media (clinic_id, token, content_type, width, height, byte_size, original, preview, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(m.clinic_id)
        .bind(m.token)
        .bind(m.content_type)
        .bind(i64::from(m.width))
        .bind(i64::from(m.height))
        .bind(m.original.len() as i64)
        .bind(m.original.to_vec())
        .bind(m.preview.map(<[u8]>::to_vec))
        .bind(m.user_id)
        .bind(m.now);
        self.exec_audited(vec![q], audit).await?;
        Ok(())
    }

    /// The original picture, or its preview (the original when it has no
    /// smaller one).
    pub async fn media_file(&self, token: &str, preview: bool) -> Result<Option<MediaFile>, StoreError> {
        let sql = if preview {
            "SELECT CASE WHEN preview IS NULL THEN content_type ELSE 'image/jpeg' END AS content_type, \
             COALESCE(preview, original) AS bytes FROM media WHERE token = $1"
        } else {
            "SELECT content_type, original AS bytes FROM media WHERE token = $1"
        };
        Ok(sqlx::query_as(sql).bind(token).fetch_optional(&self.pool).await?)
    }

    /// An upload of this clinic's, as uploaded (a rich menu's picture must
    /// be the clinic's own).
    pub async fn clinic_media(&self, clinic_id: i64, token: &str) -> Result<Option<MediaFile>, StoreError> {
        Ok(
            sqlx::query_as("SELECT content_type, original AS bytes FROM media WHERE clinic_id = $1 AND token = $2")
                .bind(clinic_id)
                .bind(token)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
