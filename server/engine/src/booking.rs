//! 予約ページ: patients book, move and cancel their own appointments from a
//! link they receive in LINE (SPEC §7).
//!
//! The link is signed by the installation (`SecretBox::sign_link`), names
//! the clinic and the friend by their opaque public IDs (no patient data),
//! expires, and makes one change: its nonce is written in the same commit
//! as the booking, move or cancellation (`store::book_appointment`,
//! `store::change_appointment`), which also re-examines the reminders that
//! count from it. The server trusts nothing else from the browser: the
//! friend is the link's, and every appointment acted on must be theirs.
//!
//! Against real LINE the same page runs as a LIFF app and the patient is
//! identified by LIFF's ID token, verified by the server with LINE; that
//! path ends in the same `BookingLink` (ARCHITECTURE.md, "A patient's
//! booking").

use crate::appointments::{view_of, AppointmentView, Origin};
use crate::crypto::random_token;
use crate::{Engine, EngineError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use model::appointment::{day_slots, is_jst_sunday, jst_midnight, AppointmentAct};
use store::{AppointmentRow, ClinicRow, DepartmentRow, FriendRow};

/// How long a link stays valid (a reminder three days ahead must still
/// open on the day).
pub const BOOKING_LINK_MS: i64 = 30 * 86_400_000;
/// How far ahead patients may book.
pub const BOOKING_DAYS_AHEAD: i64 = 60;
/// The days the page offers to choose from (Sundays left out).
const BOOKING_DAYS_SHOWN: i64 = 14;
const DAY_MS: i64 = 86_400_000;

/// What a valid link says, once its signature and expiry are checked.
struct BookingLink {
    clinic: ClinicRow,
    friend: FriendRow,
    nonce: String,
}

/// The booking page as the patient sees it.
#[derive(Clone, Debug)]
pub struct BookingPage {
    pub clinic_name: String,
    pub friend_name: String,
    pub departments: Vec<DepartmentRow>,
    /// Their appointments still to come (booked or moved), soonest first.
    pub upcoming: Vec<AppointmentView>,
    /// The link already made its change: it can show, not change.
    pub link_used: bool,
    /// The days offered, each by its Japan-time midnight.
    pub days: Vec<i64>,
}

/// One slot of a day, with room left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub starts_at: i64,
    pub free: i64,
}

/// Whether the day beginning at `midnight` is within the booking horizon.
fn within_horizon(midnight: i64, now: i64) -> bool {
    midnight <= now + BOOKING_DAYS_AHEAD * DAY_MS
}

fn payload(clinic: &str, friend: &str, expires: i64, nonce: &str) -> String {
    format!("1|{clinic}|{friend}|{expires}|{nonce}")
}

impl Engine {
    /// A fresh booking link token for one friend.
    fn booking_token(&self, clinic_public_id: &str, friend_public_id: &str) -> String {
        let expires = self.now_ms() + BOOKING_LINK_MS;
        let p = payload(clinic_public_id, friend_public_id, expires, &random_token()[..16]);
        format!("{}.{}", URL_SAFE_NO_PAD.encode(&p), self.secrets.sign_link(p.as_bytes()))
    }

    /// The friend's own booking page (`{予約URL}`) when a message names
    /// it; empty otherwise, so a message without it costs no lookup.
    pub(crate) async fn booking_link_if_named(&self, clinic_id: i64, friend: &FriendRow, named: bool) -> Result<String, EngineError> {
        if !named {
            return Ok(String::new());
        }
        let clinic = self.db.clinic(clinic_id).await?.ok_or(EngineError::NotFound)?;
        Ok(format!(
            "{}/book/{}",
            self.public_url,
            self.booking_token(&clinic.public_id, &friend.public_id)
        ))
    }

    /// LIFF: the booking page opened inside LINE sends LIFF's ID token;
    /// LINE (the sandbox for a sandbox clinic) says whose it is, and the
    /// page continues with a booking link for that friend. Nothing the
    /// browser says about who it is counts, only LINE's answer.
    pub async fn booking_link_from_id_token(&self, clinic_public_id: &str, id_token: &str) -> Result<String, EngineError> {
        let invalid = || EngineError::BookingLinkInvalid;
        let clinic = self.db.clinic_by_public_id(clinic_public_id).await?.ok_or_else(invalid)?;
        let channel = self.db.channel(clinic.id).await?.ok_or_else(invalid)?;
        let line_user = self.liff_user(&clinic, &channel, id_token).await?;
        let friend = self
            .db
            .friend_by_line_user(clinic.id, &line_user)
            .await?
            .filter(|f| f.status != "blocked")
            .ok_or_else(invalid)?;
        Ok(self.booking_token(&clinic.public_id, &friend.public_id))
    }

    /// The LINE user a LIFF page's ID token is for, as LINE (the sandbox for
    /// a sandbox clinic) says; `BookingLinkInvalid` when LINE refuses it.
    /// The LIFF app's LINE Login channel: the sandbox's apps use the
    /// channel's own ID. A real clinic's LIFF channel ID is not a setting
    /// yet, so a real channel is refused rather than guessed.
    pub(crate) async fn liff_user(
        &self,
        clinic: &store::ClinicRow,
        channel: &store::ChannelRow,
        id_token: &str,
    ) -> Result<String, EngineError> {
        if channel.mode != crate::channel::MODE_SANDBOX {
            return Err(EngineError::BookingLinkInvalid);
        }
        let client = self.line_client(clinic.id).await?;
        match client.verify_id_token(id_token, &clinic.public_id).await {
            Ok(c) => Ok(c.sub),
            Err(line::LineError::InvalidRequest { .. }) => Err(EngineError::BookingLinkInvalid),
            Err(e) => Err(EngineError::LineSend(e)),
        }
    }

    /// The link's clinic and friend, or `BookingLinkInvalid` for a link
    /// altered, expired, or for a friend who is gone or blocked.
    async fn open_link(&self, token: &str) -> Result<BookingLink, EngineError> {
        let invalid = || EngineError::BookingLinkInvalid;
        let (body, signature) = token.split_once('.').ok_or_else(invalid)?;
        let raw = URL_SAFE_NO_PAD.decode(body).map_err(|_| invalid())?;
        if !self.secrets.link_signed(&raw, signature) {
            return Err(invalid());
        }
        let text = String::from_utf8(raw).map_err(|_| invalid())?;
        let parts: Vec<&str> = text.split('|').collect();
        let ["1", clinic, friend, expires, nonce] = parts[..] else {
            return Err(invalid());
        };
        let expires: i64 = expires.parse().map_err(|_| invalid())?;
        if expires <= self.now_ms() {
            return Err(invalid());
        }
        let clinic = self.db.clinic_by_public_id(clinic).await?.ok_or_else(invalid)?;
        let friend = self
            .db
            .friend_by_public_id(clinic.id, friend)
            .await?
            .filter(|f| f.status != "blocked")
            .ok_or_else(invalid)?;
        Ok(BookingLink {
            clinic,
            friend,
            nonce: nonce.to_string(),
        })
    }

    pub async fn booking_page(&self, token: &str) -> Result<BookingPage, EngineError> {
        let link = self.open_link(token).await?;
        let now = self.now_ms();
        let departments = self.db.departments(link.clinic.id).await?;
        let mut upcoming: Vec<AppointmentView> = self
            .db
            .appointments_of_friend(link.friend.id)
            .await?
            .into_iter()
            .filter(|a| a.starts_at > now && a.status.is_upcoming())
            .filter_map(|a| view_of(a, &link.friend, &departments))
            .collect();
        upcoming.sort_by_key(|v| v.row.starts_at);
        let today = jst_midnight(now);
        Ok(BookingPage {
            clinic_name: link.clinic.name,
            friend_name: link.friend.display_name,
            departments,
            upcoming,
            link_used: self.db.booking_link_used(&link.nonce).await?,
            days: (0..BOOKING_DAYS_SHOWN * 2)
                .map(|i| today + i * DAY_MS)
                .filter(|d| !is_jst_sunday(*d))
                .take(BOOKING_DAYS_SHOWN as usize)
                .collect(),
        })
    }

    /// The slots of one day (given by any moment in it) in a department,
    /// with room left; none in the past or beyond the booking horizon.
    pub async fn booking_slots(&self, token: &str, department: &str, day: i64) -> Result<Vec<Slot>, EngineError> {
        let link = self.open_link(token).await?;
        let d = self.department(link.clinic.id, department).await?;
        let now = self.now_ms();
        let midnight = jst_midnight(day);
        if !within_horizon(midnight, now) {
            return Ok(vec![]);
        }
        let taken: Vec<i64> = self
            .db
            .appointments_between(link.clinic.id, midnight, midnight + DAY_MS)
            .await?
            .into_iter()
            .filter(|a| a.department_id == d.id && a.status.is_upcoming())
            .map(|a| a.starts_at)
            .collect();
        let slot_ms = d.slot_minutes * 60_000;
        Ok(day_slots(midnight, d.slot_minutes)
            .into_iter()
            .filter(|s| *s > now)
            .map(|s| Slot {
                starts_at: s,
                free: (d.capacity - taken.iter().filter(|t| **t >= s && **t < s + slot_ms).count() as i64).max(0),
            })
            .collect())
    }

    /// A slot the patient may take: one the page offered.
    fn offered(&self, d: &DepartmentRow, starts_at: i64) -> Result<(), EngineError> {
        let now = self.now_ms();
        let midnight = jst_midnight(starts_at);
        if starts_at <= now || !within_horizon(midnight, now) || !day_slots(midnight, d.slot_minutes).contains(&starts_at) {
            return Err(EngineError::InvalidSlot);
        }
        Ok(())
    }

    /// The patient books a slot.
    pub async fn patient_book(&self, token: &str, department: &str, starts_at: i64) -> Result<String, EngineError> {
        let link = self.open_link(token).await?;
        let d = self.department(link.clinic.id, department).await?;
        self.offered(&d, starts_at)?;
        self.book(
            link.clinic.id,
            link.friend.id,
            &d,
            starts_at,
            Origin::Patient { link_nonce: &link.nonce },
        )
        .await
    }

    /// The patient moves one of their own appointments to another slot of
    /// its department.
    pub async fn patient_move(&self, token: &str, appointment: &str, starts_at: i64) -> Result<(), EngineError> {
        let (link, a) = self.own_appointment(token, appointment).await?;
        let d = self.department_of(&a).await?;
        self.offered(&d, starts_at)?;
        self.change(
            &a,
            AppointmentAct::Move { to: starts_at },
            Origin::Patient { link_nonce: &link.nonce },
        )
        .await
    }

    /// The patient cancels one of their own appointments.
    pub async fn patient_cancel(&self, token: &str, appointment: &str) -> Result<(), EngineError> {
        let (link, a) = self.own_appointment(token, appointment).await?;
        self.change(&a, AppointmentAct::Cancel, Origin::Patient { link_nonce: &link.nonce })
            .await
    }

    /// An appointment of the link's friend (another's is not found).
    async fn own_appointment(&self, token: &str, appointment: &str) -> Result<(BookingLink, AppointmentRow), EngineError> {
        let link = self.open_link(token).await?;
        let a = self
            .db
            .appointment(link.clinic.id, appointment)
            .await?
            .filter(|a| a.friend_id == link.friend.id)
            .ok_or(EngineError::NotFound)?;
        Ok((link, a))
    }
}
