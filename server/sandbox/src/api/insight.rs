//! Statistics LINE gives back: per broadcast/narrowcast request, and per
//! aggregation unit of push/multicast over JST dates.

use super::{error, not_found, ok, Channel};
use crate::insight;
use crate::state::jst_date;
use crate::Sandbox;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use line::limits;
use serde::Deserialize;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/v2/bot/insight/message/event", get(message_event))
        .route("/v2/bot/insight/message/event/aggregation", get(per_unit))
        .route(
            "/v2/bot/insight/richmenu/{richMenuId}/summary",
            get(|s, c, p, q| rich_menu(s, c, p, q, false)),
        )
        .route(
            "/v2/bot/insight/richmenu/{richMenuId}/daily",
            get(|s, c, p, q| rich_menu(s, c, p, q, true)),
        )
}

#[derive(Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// Days between two `yyyyMMdd` dates, if both are dates.
fn span_days(from: &str, to: &str) -> Option<i64> {
    let day = |s: &str| -> Option<i64> {
        if !is_date(s) {
            return None;
        }
        let date = chrono::NaiveDate::from_ymd_opt(s[..4].parse().ok()?, s[4..6].parse().ok()?, s[6..].parse().ok()?)?;
        Some(date.num_days_from_ce() as i64)
    };
    Some(day(to)? - day(from)?)
}

/// Rich menu statistics (`insight.yml`): the period is at most 396 days
/// summed, 99 by day.
async fn rich_menu(
    State(sb): State<Sandbox>,
    Channel(ch): Channel,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<PeriodQuery>,
    daily: bool,
) -> Response {
    let (from, to) = (q.from.unwrap_or_default(), q.to.unwrap_or_default());
    let longest = if daily { 99 } else { 396 };
    match span_days(&from, &to) {
        Some(days) if (0..=longest).contains(&days) => {}
        _ => return error(StatusCode::BAD_REQUEST, "The request parameters are invalid"),
    }
    let st = sb.lock();
    match st.channels[ch].rich_menus.statistics(&id, &from, &to, daily, jst_date) {
        Some(v) => ok(v),
        None => not_found(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventQuery {
    request_id: Option<String>,
}

async fn message_event(State(sb): State<Sandbox>, Channel(ch): Channel, Query(q): Query<EventQuery>) -> Response {
    let st = sb.lock();
    let Some(id) = q.request_id.filter(|s| !s.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "requestId is required");
    };
    match st.channels[ch]
        .requests
        .iter()
        .find(|r| r.request_id == id && matches!(r.via, "broadcast" | "narrowcast"))
    {
        Some(r) => ok(insight::message_event(r)),
        None => not_found(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnitQuery {
    custom_aggregation_unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn is_date(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit())
}

async fn per_unit(State(sb): State<Sandbox>, Channel(ch): Channel, Query(q): Query<UnitQuery>) -> Response {
    let unit = q.custom_aggregation_unit.unwrap_or_default();
    let (from, to) = (q.from.unwrap_or_default(), q.to.unwrap_or_default());
    if !limits::is_aggregation_unit(&unit) || !is_date(&from) || !is_date(&to) || from > to {
        return error(StatusCode::BAD_REQUEST, "The request parameters are invalid");
    }
    let st = sb.lock();
    let requests: Vec<_> = st.channels[ch]
        .requests
        .iter()
        .filter(|r| r.unit.as_deref() == Some(unit.as_str()))
        .filter(|r| (from.as_str()..=to.as_str()).contains(&jst_date(r.at_ms).as_str()))
        .collect();
    ok(insight::per_unit(&requests))
}
