//! 予約: a day of the clinic's appointments by department, and the
//! appointments on a friend's page (booking, moving, cancelling, recording
//! a visit or a no-show).

mod day;
mod friend;
mod import;

pub use day::AppointmentsPage;
pub use friend::FriendAppointments;

use crate::i18n::{t, Lang};
use model::appointment::AppointmentStatus;

fn status_label(lang: Lang, s: AppointmentStatus) -> String {
    t(lang, &format!("appt.status_{}", s.as_str()))
}
