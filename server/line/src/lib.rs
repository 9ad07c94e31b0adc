//! The LINE Messaging API as Yorisoi speaks it: webhook events, signature
//! verification, and the HTTP client for both of LINE's hosts. Shapes follow LINE's
//! OpenAPI files; rules that live only in LINE's prose are in LINE.md.

pub mod client;
pub use model::line_limits as limits;
pub mod message;
pub mod signature;
pub mod webhook;

pub use client::{Action, Area, AreaClicks, Client, IdTokenClaims, LineError, Metrics, RichMenu, RichMenuInsight, SendKind, SendOptions};
pub use message::{Message, QuickReply, QuickReplyItem, Template};
pub use signature::{sign, verify_signature};
pub use webhook::{CallbackRequest, Event, EventKind, MessageContent, Source};
