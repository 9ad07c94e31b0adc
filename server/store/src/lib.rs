//! Persistence for Yorisoi on SQLite (one file, zero set-up) and PostgreSQL
//! (several instances). One handle, chosen by the URL; the same queries run on
//! both because they use `$N` placeholders and portable SQL only.

mod accounts;
mod audit;
mod automations;
mod broadcasts;
mod channels;
mod db;
mod friends;
mod inbox;
mod media;
mod patients;
mod segments;
mod sessions;
mod tags;
pub mod testing;
mod throttle;

pub use accounts::{ClinicRow, InvitationRow, MemberRow, MembershipRow, NewInvitation, NewUser, OrganizationRow, UserRow};
pub use audit::{Audit, AuditFilter, AuditHasher, AuditRow, NewAuditEntry};
pub use automations::{AutomationRow, Happening, QueuedHappening, RunListRow, RunRow};
pub use broadcasts::{
    BroadcastRow, Candidate, ClaimedBatch, DeliverySettingsRow, NewBatch, NewBroadcast, QuotaEntryRow, QuotaMonthRow, Reservation,
    Settlement, TemplateRow,
};
pub use channels::ChannelRow;
pub use db::{Db, Dialect, StoreError};
pub use friends::{FriendEventRow, FriendFilter, FriendRow};
pub use inbox::{FriendChange, InboxApplication, InboxRow, NewInboxEvent};
pub use media::{MediaFile, NewMedia};
pub use segments::{SegmentChanges, SegmentRow, POSTGRES_CHANGE_WINDOW_MS};
pub use sessions::SessionRow;
pub use tags::{FieldRow, NewTag, TagFolderRow, TagRow, TagStatRow};
pub use throttle::{ThrottlePolicy, ThrottleRow};
