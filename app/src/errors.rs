//! The error every server function returns: a stable code (and a number for
//! messages that need one) that the page turns into a sentence.

use crate::i18n::{t, t_n, Lang};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Every code a server function may answer with; each has an `error.*`
/// entry in the catalogue (checked by a test).
pub const ERROR_CODES: &[&str] = &[
    "not_signed_in",
    "invalid_credentials",
    "throttled",
    "account_disabled",
    "invalid_totp",
    "totp_required_by_policy",
    "totp_enrolment_required",
    "totp_proof_required",
    "channel_changed",
    "secret_key_required",
    "forbidden",
    "not_found",
    "password_too_short",
    "password_too_long",
    "password_mismatch",
    "wrong_current_password",
    "email_taken",
    "invalid_email",
    "name_required",
    "invalid_invitation",
    "last_owner",
    "self_change",
    "invalid_role",
    "no_channel",
    "line_error",
    "line_auth_failed",
    "invalid_channel_id",
    "invalid_channel_secret",
    "channel_credentials_required",
    "sandbox_unavailable",
    "invalid_display_name",
    "invalid_message_text",
    "bad_signature",
    "malformed_webhook",
    "patient_number_invalid",
    "patient_kana_invalid",
    "patient_date_invalid",
    "patient_date_in_future",
    "patient_sex_invalid",
    "patient_memo_too_long",
    "patient_number_taken",
    "invalid_tag_name",
    "tag_name_taken",
    "invalid_tag_color",
    "tag_text_too_long",
    "invalid_field_type",
    "invalid_choices",
    "value_not_for_field",
    "invalid_rule",
    "invalid_segment_name",
    "invalid_automation",
    "automation_chain_too_deep",
    "csv_stray_quote",
    "csv_unclosed_quote",
    "csv_empty",
    "csv_no_key",
    "csv_nothing_to_import",
    "csv_too_many_rows",
    "invalid_broadcast_title",
    "invalid_bundle",
    "schedule_in_past",
    "empty_audience",
    "quota_shortfall",
    "broadcast_state",
    "invalid_delivery_settings",
    "not_linked",
    "image_empty",
    "image_type",
    "image_too_large",
    "image_too_many_pixels",
    "image_damaged",
    "pictures_need_https",
    "internal",
    "network",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub code: String,
    pub param: Option<i64>,
}

impl AppError {
    pub fn new(code: &str) -> AppError {
        AppError {
            code: code.to_string(),
            param: None,
        }
    }

    /// The sentence to show the user.
    pub fn message(&self, lang: Lang) -> String {
        let key = format!("error.{}", self.code);
        match self.param {
            Some(n) => t_n(lang, &key, n),
            None => t(lang, &key),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new("network"),
            _ => AppError::new("internal"),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<engine::EngineError> for AppError {
    fn from(e: engine::EngineError) -> Self {
        use engine::EngineError as E;
        let status = match &e {
            E::NotSignedIn | E::TotpEnrolmentRequired => http::StatusCode::UNAUTHORIZED,
            E::Forbidden => http::StatusCode::FORBIDDEN,
            E::NotFound => http::StatusCode::NOT_FOUND,
            E::Throttled { .. } => http::StatusCode::TOO_MANY_REQUESTS,
            E::Corrupt | E::Store(_) => http::StatusCode::INTERNAL_SERVER_ERROR,
            E::Line(_) | E::Sandbox(_) => http::StatusCode::BAD_GATEWAY,
            _ => http::StatusCode::BAD_REQUEST,
        };
        if status.is_server_error() {
            tracing::error!(error = %e, "server function failed");
        }
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(status);
        }
        AppError {
            code: e.code().to_string(),
            param: e.param(),
        }
    }
}
