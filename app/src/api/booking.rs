//! 予約ページ for patients: no staff session, only the signed link they
//! received in LINE. Each server function hands the link to one engine
//! function, which checks it and acts only for its own friend.

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::engine;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One of the patient's appointments still to come.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatientAppointment {
    pub id: String,
    /// 「12月20日(日) 9:30」
    pub when: String,
    pub department: String,
    pub department_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingDto {
    pub clinic_name: String,
    pub friend_name: String,
    /// (public ID, name)
    pub departments: Vec<(String, String)>,
    pub upcoming: Vec<PatientAppointment>,
    pub link_used: bool,
    /// The next 14 bookable days: (any moment of the day, 「12月8日(火)」).
    pub days: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlotDto {
    pub starts_at: i64,
    /// 「9:30」
    pub time: String,
    pub free: i64,
}

#[server(endpoint = "booking_page")]
pub async fn booking_page(token: String) -> Result<BookingDto, AppError> {
    use model::appointment::{jst_day_label, jst_time_label};
    let p = engine()?.booking_page(&token).await?;
    Ok(BookingDto {
        clinic_name: p.clinic_name,
        friend_name: p.friend_name,
        departments: p.departments.iter().map(|d| (d.public_id.clone(), d.name.clone())).collect(),
        upcoming: p
            .upcoming
            .into_iter()
            .map(|v| PatientAppointment {
                when: format!("{} {}", jst_day_label(v.row.starts_at), jst_time_label(v.row.starts_at)),
                id: v.row.public_id,
                department: v.department,
                department_id: v.department_public_id,
            })
            .collect(),
        link_used: p.link_used,
        days: p.days.into_iter().map(|d| (d, jst_day_label(d))).collect(),
    })
}

#[server(endpoint = "booking_slots")]
pub async fn booking_slots(token: String, department: String, day: i64) -> Result<Vec<SlotDto>, AppError> {
    Ok(engine()?
        .booking_slots(&token, &department, day)
        .await?
        .into_iter()
        .map(|s| SlotDto {
            starts_at: s.starts_at,
            time: model::appointment::jst_time_label(s.starts_at),
            free: s.free,
        })
        .collect())
}

/// Books a slot, or moves `appointment` there when one is named.
#[server(endpoint = "patient_book")]
pub async fn patient_book(token: String, department: String, starts_at: i64, appointment: Option<String>) -> Result<(), AppError> {
    let engine = engine()?;
    match appointment {
        Some(a) => engine.patient_move(&token, &a, starts_at).await?,
        None => {
            engine.patient_book(&token, &department, starts_at).await?;
        }
    }
    Ok(())
}

#[server(endpoint = "patient_cancel")]
pub async fn patient_cancel(token: String, appointment: String) -> Result<(), AppError> {
    engine()?.patient_cancel(&token, &appointment).await?;
    Ok(())
}

/// LIFF: the booking page opened inside LINE hands over LIFF's ID token;
/// the server asks LINE whose it is and answers with that friend's booking
/// link token (the page continues at `/book/<token>`).
#[server(endpoint = "booking_from_id_token")]
pub async fn booking_from_id_token(clinic: String, id_token: String) -> Result<String, AppError> {
    Ok(engine()?.booking_link_from_id_token(&clinic, &id_token).await?)
}
