//! Patient fields and the staff memo of friends; the CSV import applies
//! many rows in one transaction.

use crate::{Db, FriendRow, StoreError};
use model::patient::{ImportRow, PatientFields};
use std::collections::HashMap;

impl Db {
    /// Sets all four patient fields of one friend. A patient number another
    /// friend of the clinic has is a `Conflict`, and nothing changes.
    /// `audit` is `None` only for the demo's own seeding.
    pub async fn set_patient_fields(
        &self,
        clinic_id: i64,
        friend_id: i64,
        f: &PatientFields,
        now: i64,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE friends SET patient_number = $1, name_kana = $2, birth_date = $3, sex = $4 \
             WHERE clinic_id = $5 AND id = $6",
        )
        .bind(&f.patient_number)
        .bind(&f.name_kana)
        .bind(&f.birth_date)
        .bind(&f.sex)
        .bind(clinic_id)
        .bind(friend_id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_insert)?;
        // The birth date is something segments see.
        crate::segments::note_change(&mut tx, clinic_id, friend_id, now).await?;
        if let Some(audit) = audit {
            audit.append(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_memo(&self, clinic_id: i64, friend_id: i64, memo: &str, audit: &crate::Audit<'_>) -> Result<(), StoreError> {
        self.exec_audited(
            vec![sqlx::query("UPDATE friends SET memo = $1 WHERE clinic_id = $2 AND id = $3")
                .bind(memo)
                .bind(clinic_id)
                .bind(friend_id)],
            audit,
        )
        .await?;
        Ok(())
    }

    /// The friend with this patient number (an index lookup).
    pub async fn friend_by_patient_number(&self, clinic_id: i64, number: &str) -> Result<Option<FriendRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {} FROM friends WHERE clinic_id = $1 AND patient_number = $2 AND patient_number <> ''",
            crate::friends::FRIEND_COLUMNS
        ))
        .bind(clinic_id)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Which friend (public ID) holds each patient number of the clinic.
    pub async fn patient_numbers(&self, clinic_id: i64) -> Result<HashMap<String, String>, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT patient_number, public_id FROM friends WHERE clinic_id = $1 AND patient_number <> ''")
                .bind(clinic_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// The clinic's friends by public ID.
    pub async fn friends_by_public_id(&self, clinic_id: i64) -> Result<HashMap<String, FriendRow>, StoreError> {
        Ok(self
            .all_friends(clinic_id)
            .await?
            .into_iter()
            .map(|f| (f.public_id.clone(), f))
            .collect())
    }

    /// Applies checked import rows, all or none. Numbers may move between
    /// friends within one file, so the rows' old numbers are cleared first.
    pub async fn apply_patient_import(
        &self,
        clinic_id: i64,
        rows: &[ImportRow],
        now: i64,
        audit: &crate::Audit<'_>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        for r in rows.iter().filter(|r| r.patient_number.is_some()) {
            sqlx::query("UPDATE friends SET patient_number = '' WHERE clinic_id = $1 AND public_id = $2")
                .bind(clinic_id)
                .bind(&r.friend_id)
                .execute(&mut *tx)
                .await?;
        }
        let mut changed = 0;
        for r in rows {
            let done = sqlx::query(
                "UPDATE friends SET patient_number = COALESCE($1, patient_number), name_kana = COALESCE($2, name_kana), \
                   birth_date = COALESCE($3, birth_date), sex = COALESCE($4, sex) \
                 WHERE clinic_id = $5 AND public_id = $6",
            )
            .bind(r.patient_number.clone())
            .bind(r.name_kana.clone())
            .bind(r.birth_date.clone())
            .bind(r.sex.clone())
            .bind(clinic_id)
            .bind(&r.friend_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_insert)?;
            changed += done.rows_affected() as usize;
            sqlx::query("INSERT INTO segment_changes (clinic_id, friend_id, at) SELECT clinic_id, id, $3 FROM friends WHERE clinic_id = $1 AND public_id = $2")
                .bind(clinic_id)
                .bind(&r.friend_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(changed)
    }
}
