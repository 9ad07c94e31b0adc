//! Message templates (テンプレート) saved from the composer.

use crate::{Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TemplateRow {
    pub public_id: String,
    pub folder: String,
    pub name: String,
    pub bundle: String,
    pub updated_at: i64,
}

impl Db {
    pub async fn templates(&self, clinic_id: i64) -> Result<Vec<TemplateRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT public_id, folder, name, bundle, updated_at FROM message_templates WHERE clinic_id = $1 ORDER BY folder, name",
        )
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Saves a template; one of the same folder and name is replaced.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_template(
        &self,
        clinic_id: i64,
        public_id: &str,
        folder: &str,
        name: &str,
        bundle: &str,
        user_id: i64,
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<(), StoreError> {
        self.exec_audited(
            vec![sqlx::query(
                "INSERT INTO message_templates (clinic_id, public_id, folder, name, bundle, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (clinic_id, folder, name) \
                 DO UPDATE SET bundle = excluded.bundle, updated_at = excluded.updated_at",
            )
            .bind(clinic_id)
            .bind(public_id)
            .bind(folder)
            .bind(name)
            .bind(bundle)
            .bind(user_id)
            .bind(now)],
            audit,
        )
        .await?;
        Ok(())
    }

    pub async fn delete_template(&self, clinic_id: i64, public_id: &str, audit: &crate::Audit<'_>) -> Result<bool, StoreError> {
        self.exec_one(
            sqlx::query("DELETE FROM message_templates WHERE clinic_id = $1 AND public_id = $2")
                .bind(clinic_id)
                .bind(public_id),
            Some(audit),
        )
        .await
    }
}
