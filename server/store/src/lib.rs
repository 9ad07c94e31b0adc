//! Persistence for Yorisoi on SQLite (one file, zero set-up) and PostgreSQL
//! (several instances). One handle, chosen by the URL; the same queries run on
//! both because they use `$N` placeholders and portable SQL only.

mod accounts;
mod audit;
mod automations;
mod broadcasts;
mod db;
mod line;
mod media;
mod patients;
mod segments;
mod sessions;
mod tags;
pub mod testing;
mod throttle;

pub use accounts::*;
pub use audit::*;
pub use automations::*;
pub use broadcasts::*;
pub use db::{Db, Dialect, StoreError};
pub use line::*;
pub use media::*;
pub use segments::*;
pub use sessions::*;
pub use tags::*;
pub use throttle::*;
