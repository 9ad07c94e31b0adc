//! Persistence for Yorisoi on SQLite (one file, zero set-up) and PostgreSQL
//! (several instances). One handle, chosen by the URL; the same queries run on
//! both because they use `$N` placeholders and portable SQL only.

mod accounts;
mod appointments;
mod audit;
mod automations;
mod batches;
mod broadcasts;
mod channels;
mod dashboard;
mod db;
mod friends;
mod inbox;
mod inflow_routes;
mod insights;
mod lease;
mod media;
mod patients;
mod quota;
mod rate_windows;
mod rich_menus;
mod segments;
mod sequences;
mod sessions;
mod staff_channels;
mod staff_links;
mod tags;
mod templates;
pub mod testing;
mod throttle;
mod tracked_links;

pub use accounts::{ClinicRow, InvitationRow, MemberRow, MembershipRow, NewInvitation, NewUser, OrganizationRow, UserRow};
pub use appointments::{AppointmentChange, AppointmentRow, ChangeOutcome, DepartmentRow, NewAppointment};
pub use audit::{Audit, AuditFilter, AuditHasher, AuditRow, NewAuditEntry};
pub use automations::{AutomationRow, Happening, QueuedHappening, RunListRow, RunRow};
pub use batches::{ClaimedBatch, NewBatch, Settlement};
pub use broadcasts::{BroadcastRow, Candidate, NewBroadcast, Reservation};
pub use channels::ChannelRow;
pub use dashboard::FriendDay;
pub use db::{Db, Dialect, StoreError};
pub use friends::{FriendEventRow, FriendFilter, FriendRow};
pub use inbox::{FriendChange, InboxApplication, InboxRow, NewInboxEvent, StaffVoice};
pub use inflow_routes::{ArrivalRow, InflowRouteRow};
pub use insights::{InsightRow, UNITS_PER_MONTH};
pub use media::{MediaFile, NewMedia};
pub use quota::{DeliverySettingsRow, QuotaEntryRow, QuotaMonthRow};
pub use rich_menus::{FriendMenuRow, LineRichMenuRow, NewRichMenuRule, RichMenuRow, RichMenuRuleRow, RichMenuSettle, RichMenuStateRow};
pub use segments::{SegmentChanges, SegmentRow, POSTGRES_CHANGE_WINDOW_MS};
pub use sequences::{EnrolmentListRow, EnrolmentNext, EnrolmentRow, SegmentWatch, SequenceRow, StepRow, StepSendRow, StepWrite};
pub use sessions::{SessionCallerRow, SessionRow};
pub use staff_channels::{
    StaffAckRow, StaffChannelRow, StaffChannelWrite, StaffDeliveryRow, StaffDeliveryState, StaffMemberRow, StaffPostRow, StaffPostWrite,
    StaffReplyRow, StaffVoiceRow,
};
pub use tags::{FieldRow, NewTag, TagFolderRow, TagRow, TagStatRow};
pub use templates::TemplateRow;
pub use throttle::{ThrottlePolicy, ThrottleRow};
pub use tracked_links::TrackedLinkRow;
