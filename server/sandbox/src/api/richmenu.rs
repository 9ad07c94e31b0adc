//! Rich menus: objects, images (on the data host), defaults, per-user and
//! bulk links, aliases.

use super::{error, invalid, json_body, json_request, line_answer, no_retry_key, not_found, ok, Channel};
use crate::ids;
use crate::richmenu::MenuError;
use crate::validate::{self, Problems};
use crate::Sandbox;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use line::limits;
use serde_json::{json, Value};

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/v2/bot/richmenu", post(create))
        .route("/v2/bot/richmenu/validate", post(validate_menu))
        .route("/v2/bot/richmenu/list", get(list))
        .route("/v2/bot/richmenu/{richMenuId}", get(get_menu).delete(delete_menu))
        .route("/v2/bot/richmenu/{richMenuId}/content", get(download).post(upload))
        .route("/v2/bot/user/all/richmenu/{richMenuId}", post(set_default))
        .route("/v2/bot/user/all/richmenu", get(get_default).delete(clear_default))
        .route("/v2/bot/user/{userId}/richmenu", get(user_menu).delete(unlink))
        .route("/v2/bot/user/{userId}/richmenu/{richMenuId}", post(link))
        .route("/v2/bot/richmenu/bulk/link", post(bulk_link))
        .route("/v2/bot/richmenu/bulk/unlink", post(bulk_unlink))
        .route("/v2/bot/richmenu/alias", post(create_alias))
        .route("/v2/bot/richmenu/alias/list", get(list_aliases))
        .route(
            "/v2/bot/richmenu/alias/{richMenuAliasId}",
            get(get_alias).post(update_alias).delete(delete_alias),
        )
}

fn menu_error(e: MenuError) -> Response {
    match e {
        MenuError::NotFound => not_found(),
        MenuError::Invalid(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

fn done(result: Result<(), MenuError>) -> Response {
    match result {
        Ok(()) => ok(json!({})),
        Err(e) => menu_error(e),
    }
}

fn checked_menu(headers: &HeaderMap, body: &Bytes) -> Result<Value, Response> {
    no_retry_key(headers)?;
    let menu = json_body(body)?;
    let mut problems = Problems::default();
    validate::rich_menu(&menu, &mut problems);
    if problems.is_empty() {
        Ok(menu)
    } else {
        Err(invalid(problems))
    }
}

async fn create(State(sb): State<Sandbox>, Channel(ch): Channel, headers: HeaderMap, body: Bytes) -> Response {
    let menu = match checked_menu(&headers, &body) {
        Ok(m) => m,
        Err(answer) => return answer,
    };
    match sb.lock().channels[ch].rich_menus.create(menu) {
        Ok(id) => ok(json!({"richMenuId": id})),
        Err(e) => menu_error(e),
    }
}

async fn validate_menu(Channel(_): Channel, headers: HeaderMap, body: Bytes) -> Response {
    match checked_menu(&headers, &body) {
        Ok(_) => ok(json!({})),
        Err(answer) => answer,
    }
}

async fn list(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    let menus: Vec<Value> = sb.lock().channels[ch].rich_menus.menus.iter().map(|m| m.response()).collect();
    ok(json!({"richmenus": menus}))
}

async fn get_menu(State(sb): State<Sandbox>, Channel(ch): Channel, Path(id): Path<String>) -> Response {
    match sb.lock().channels[ch].rich_menus.get(&id) {
        Some(m) => ok(m.response()),
        None => not_found(),
    }
}

async fn delete_menu(State(sb): State<Sandbox>, Channel(ch): Channel, Path(id): Path<String>) -> Response {
    done(sb.lock().channels[ch].rich_menus.delete(&id))
}

async fn upload(State(sb): State<Sandbox>, Channel(ch): Channel, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    if body.len() > limits::MAX_BODY_BYTES {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    done(sb.lock().channels[ch].rich_menus.set_image(&id, &content_type, body.to_vec()))
}

async fn download(State(sb): State<Sandbox>, Channel(ch): Channel, Path(id): Path<String>) -> Response {
    match sb.lock().channels[ch].rich_menus.get(&id).and_then(|m| m.image.clone()) {
        Some((content_type, bytes)) => (
            StatusCode::OK,
            [("x-line-request-id", ids::request_id()), ("content-type", content_type)],
            bytes,
        )
            .into_response(),
        None => not_found(),
    }
}

async fn set_default(State(sb): State<Sandbox>, Channel(ch): Channel, Path(id): Path<String>) -> Response {
    done(sb.lock().channels[ch].rich_menus.set_default(&id))
}

async fn get_default(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    match sb.lock().channels[ch].rich_menus.default.clone() {
        Some(id) => ok(json!({"richMenuId": id})),
        None => not_found(),
    }
}

async fn clear_default(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    sb.lock().channels[ch].rich_menus.default = None;
    ok(json!({}))
}

fn bad_user() -> Response {
    error(StatusCode::BAD_REQUEST, "The value for the 'userId' parameter is invalid")
}

async fn user_menu(State(sb): State<Sandbox>, Channel(ch): Channel, Path(user): Path<String>) -> Response {
    match sb.lock().channels[ch].rich_menus.links.get(&user) {
        Some(id) => ok(json!({"richMenuId": id})),
        None => not_found(),
    }
}

async fn link(State(sb): State<Sandbox>, Channel(ch): Channel, Path((user, id)): Path<(String, String)>) -> Response {
    if !limits::is_user_id(&user) {
        return bad_user();
    }
    done(sb.lock().channels[ch].rich_menus.link(&user, &id))
}

async fn unlink(State(sb): State<Sandbox>, Channel(ch): Channel, Path(user): Path<String>) -> Response {
    if !limits::is_user_id(&user) {
        return bad_user();
    }
    sb.lock().channels[ch].rich_menus.links.remove(&user);
    ok(json!({}))
}

/// `userIds` of a bulk call: 1–500 valid IDs.
fn user_ids(req: &Value, p: &mut Problems) -> Vec<String> {
    let ids: Vec<String> = req
        .get("userIds")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    if ids.is_empty() || ids.len() > limits::RICH_MENU_BULK_MAX_USERS {
        p.add(
            "userIds",
            format!("Size must be between 1 and {}", limits::RICH_MENU_BULK_MAX_USERS),
        );
    }
    for (i, id) in ids.iter().enumerate() {
        if !limits::is_user_id(id) {
            p.add(format!("userIds[{i}]"), "Invalid user ID");
        }
    }
    ids
}

fn accepted() -> Response {
    line_answer(StatusCode::ACCEPTED, json!({}), &ids::request_id())
}

async fn bulk_link(State(sb): State<Sandbox>, Channel(ch): Channel, headers: HeaderMap, body: Bytes) -> Response {
    let req = match json_request(&headers, &body) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    let mut problems = Problems::default();
    let users = user_ids(&req, &mut problems);
    let menu = req.get("richMenuId").and_then(Value::as_str).unwrap_or_default().to_string();
    if menu.is_empty() {
        problems.add("richMenuId", "May not be empty");
    }
    if !problems.is_empty() {
        return invalid(problems);
    }
    let mut st = sb.lock();
    let menus = &mut st.channels[ch].rich_menus;
    for user in &users {
        if let Err(e) = menus.link(user, &menu) {
            return menu_error(e);
        }
    }
    accepted()
}

async fn bulk_unlink(State(sb): State<Sandbox>, Channel(ch): Channel, headers: HeaderMap, body: Bytes) -> Response {
    let req = match json_request(&headers, &body) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    let mut problems = Problems::default();
    let users = user_ids(&req, &mut problems);
    if !problems.is_empty() {
        return invalid(problems);
    }
    let mut st = sb.lock();
    for user in &users {
        st.channels[ch].rich_menus.links.remove(user);
    }
    accepted()
}

async fn create_alias(State(sb): State<Sandbox>, Channel(ch): Channel, headers: HeaderMap, body: Bytes) -> Response {
    let req = match json_request(&headers, &body) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    let s = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    done(
        sb.lock().channels[ch]
            .rich_menus
            .put_alias(&s("richMenuAliasId"), &s("richMenuId"), true),
    )
}

async fn update_alias(
    State(sb): State<Sandbox>,
    Channel(ch): Channel,
    Path(alias): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = match json_request(&headers, &body) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    let menu = req.get("richMenuId").and_then(Value::as_str).unwrap_or_default().to_string();
    done(sb.lock().channels[ch].rich_menus.put_alias(&alias, &menu, false))
}

async fn get_alias(State(sb): State<Sandbox>, Channel(ch): Channel, Path(alias): Path<String>) -> Response {
    match sb.lock().channels[ch].rich_menus.aliases.get(&alias) {
        Some(menu) => ok(json!({"richMenuAliasId": alias, "richMenuId": menu})),
        None => not_found(),
    }
}

async fn delete_alias(State(sb): State<Sandbox>, Channel(ch): Channel, Path(alias): Path<String>) -> Response {
    match sb.lock().channels[ch].rich_menus.aliases.remove(&alias) {
        Some(_) => ok(json!({})),
        None => not_found(),
    }
}

async fn list_aliases(State(sb): State<Sandbox>, Channel(ch): Channel) -> Response {
    let aliases: Vec<Value> = sb.lock().channels[ch]
        .rich_menus
        .aliases
        .iter()
        .map(|(a, m)| json!({"richMenuAliasId": a, "richMenuId": m}))
        .collect();
    ok(json!({"aliases": aliases}))
}
