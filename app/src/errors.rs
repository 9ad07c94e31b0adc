//! The error every server function returns: a stable code (and a number for
//! messages that need one) that the page turns into a sentence.

use crate::i18n::{t, t_n, Lang};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A refusal as the page receives it. Its codes are `EngineError::code`'s,
/// and the few the app gives itself with `AppError::new("…")` (a lost
/// network, a form's own check); the catalogue test finds both.
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
            // On the server, a body that does not fit the function's typed
            // arguments: never from our pages, so most likely a page left
            // open across an update.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) if cfg!(feature = "ssr") => {
                #[cfg(feature = "ssr")]
                if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                    res.set_status(http::StatusCode::BAD_REQUEST);
                }
                AppError::new("unreadable_request")
            }
            _ => AppError::new("internal"),
        }
    }
}

/// The HTTP status of an engine error: the one mapping, used by the server
/// functions and the server's own routes (webhook, uploads, downloads).
#[cfg(feature = "ssr")]
pub fn status_of(e: &engine::EngineError) -> http::StatusCode {
    use engine::EngineError as E;
    use http::StatusCode as S;
    match e {
        E::NotSignedIn | E::TotpEnrolmentRequired | E::BadSignature => S::UNAUTHORIZED,
        E::Forbidden => S::FORBIDDEN,
        E::NotFound | E::NoChannel => S::NOT_FOUND,
        E::Throttled { .. } => S::TOO_MANY_REQUESTS,
        E::Image(_) => S::UNPROCESSABLE_ENTITY,
        E::Corrupt | E::Store(_) => S::INTERNAL_SERVER_ERROR,
        E::Line(_) | E::LineSend(_) | E::Sandbox(_) => S::BAD_GATEWAY,
        _ => S::BAD_REQUEST,
    }
}

#[cfg(feature = "ssr")]
impl From<engine::EngineError> for AppError {
    fn from(e: engine::EngineError) -> Self {
        let status = status_of(&e);
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
