//! Patient fields, the memo, and the patient CSV import.
//! Each server function checks the session and role, calls one engine
//! function and maps its error.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{actor_with, engine};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::Permission;
use serde::{Deserialize, Serialize};

#[server(endpoint = "friend_patient_save")]
pub async fn save_patient_fields(
    id: String,
    patient_number: String,
    name_kana: String,
    birth_date: String,
    sex: String,
) -> Result<model::patient::PatientFields, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    let input = model::patient::PatientFields {
        patient_number,
        name_kana,
        birth_date,
        sex,
    };
    Ok(engine()?.update_patient_fields(&actor, &id, &input).await?)
}

#[server(endpoint = "friend_memo_save")]
pub async fn save_memo(id: String, memo: String) -> Result<(), AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.update_memo(&actor, &id, &memo).await?)
}

/// What a CSV import found (and did).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportReportDto {
    pub rows_ok: usize,
    pub problems: Vec<model::patient::RowProblem>,
    pub applied: bool,
}

#[cfg(feature = "ssr")]
impl From<engine::patients::ImportReport> for ImportReportDto {
    fn from(r: engine::patients::ImportReport) -> Self {
        ImportReportDto {
            rows_ok: r.rows_ok,
            problems: r.problems,
            applied: r.applied,
        }
    }
}

#[server(endpoint = "patients_import_check")]
pub async fn check_patient_import(csv: String) -> Result<ImportReportDto, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.check_patient_import(&actor, &csv).await?.into())
}

#[server(endpoint = "patients_import_apply")]
pub async fn apply_patient_import(csv: String) -> Result<ImportReportDto, AppError> {
    let actor = actor_with(Permission::HandlePatients).await?;
    Ok(engine()?.apply_patient_import(&actor, &csv).await?.into())
}
