//! The shared language of Yorisoi: types and pure rules that both the
//! browser (WebAssembly) and the server compile, so the two can never
//! disagree about what a role may do or what a valid password is.

pub mod auth;
pub mod automation;
pub mod patient;
pub mod role;
pub mod segment;
pub mod text;

pub use auth::{password_problem, PasswordProblem, MIN_PASSWORD_CHARS};
pub use role::{Permission, Role};
pub use text::percent_encode;
