//! The shared language of Yorisoi: types and pure rules that both the
//! browser (WebAssembly) and the server compile, so the two can never
//! disagree about what a role may do or what a valid password is.

pub mod adcheck;
pub mod appointment;
pub mod auth;
pub mod automation;
pub mod broadcast;
pub mod emoji;
pub mod inflow;
pub mod line_limits;
pub mod link;
pub mod message;
pub mod patient;
pub mod plan;
pub mod rich_menu;
pub mod role;
pub mod segment;
pub mod sequence;
pub mod staff_channel;
pub mod text;

pub use auth::{password_problem, PasswordProblem, MIN_PASSWORD_CHARS};
pub use role::{Permission, Role};
pub use text::percent_encode;
