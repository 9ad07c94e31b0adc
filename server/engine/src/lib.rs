//! The clinic's domain: every rule and change of state, called alike by the
//! server functions, the webhook and the workers.

pub mod accounts;
pub mod appointment_import;
pub mod appointments;
pub mod audit;
pub mod authz;
pub mod automations;
pub mod booking;
pub mod broadcasts;
pub mod channel;
pub mod clock;
pub mod crypto;
pub mod dashboard;
pub mod delivery;
pub mod demo;
mod error;
pub mod friends;
pub mod inflow_routes;
pub mod insights;
pub mod line_messages;
pub mod media;
pub mod metrics;
pub mod password;
pub mod patients;
pub mod quota;
pub mod rich_menu_sync;
pub mod rich_menus;
pub mod segments;
pub mod sequences;
pub mod staff_channels;
pub mod staff_links;
pub mod tags;
pub mod templates;
pub mod totp;
pub mod tracked_links;
pub mod webhook;

pub use authz::Actor;
pub use clock::{Clock, ManualClock, SystemClock};
pub use crypto::SecretBox;
pub use error::EngineError;
pub use store::Db;

use std::sync::Arc;

/// Everything the engine needs, passed in once at start-up. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) db: Db,
    pub clock: Arc<dyn Clock>,
    /// How far this instance's clinics' time has been moved forward (time
    /// travel in sandbox clinics, `time_travel.rs`); 0 everywhere else.
    pub(crate) travelled_ms: Arc<std::sync::atomic::AtomicI64>,
    pub secrets: SecretBox,
    /// Woken when new webhook events are stored, so the worker starts at once.
    pub inbox_signal: Arc<tokio::sync::Notify>,
    /// Woken when happenings are queued for the automations.
    pub automation_signal: Arc<tokio::sync::Notify>,
    /// Woken when an enrolment may have become due (a booking, a change,
    /// a sequence saved), so the scheduler looks at once.
    pub sequence_signal: Arc<tokio::sync::Notify>,
    /// Woken when a menu is published or archived or the rules change, so
    /// LINE is brought in step at once.
    pub rich_menu_signal: Arc<tokio::sync::Notify>,
    /// Wakes the staff post worker (a post or an edit to push).
    pub staff_post_signal: Arc<tokio::sync::Notify>,
    /// This instance's segment indexes, one per clinic counted.
    pub(crate) segment_cache: segments::SegmentCache,
    pub line_endpoints: LineEndpoints,
    /// For the sandbox's control API.
    pub(crate) http: reqwest::Client,
    /// This instance's delivery workers' state.
    pub delivery: Arc<delivery::Delivery>,
    /// The product's address as LINE reaches it: uploaded pictures go out
    /// under it.
    pub public_url: String,
    /// The webhook front door's secrets in memory and group commit.
    pub(crate) intake: Arc<webhook::Intake>,
    pub(crate) link_cache: Arc<tracked_links::LinkCache>,
    pub(crate) line_errors: Arc<metrics::LineErrorCounts>,
}

/// Where the LINE API is: LINE itself, and the sandbox for clinics in
/// sandbox mode.
#[derive(Clone, Debug)]
pub struct LineEndpoints {
    pub api_base: String,
    /// LINE's data host (rich menu images).
    pub data_base: String,
    pub sandbox_base: Option<String>,
    /// The token the sandbox's controls ask for (`X-Sandbox-Token`).
    pub sandbox_token: Option<String>,
    /// This server as the sandbox reaches it, for its webhook POSTs.
    pub webhook_base: Option<String>,
}

impl Default for LineEndpoints {
    fn default() -> Self {
        LineEndpoints {
            api_base: line::client::API_BASE.into(),
            data_base: line::client::DATA_BASE.into(),
            sandbox_base: None,
            sandbox_token: None,
            webhook_base: None,
        }
    }
}

impl Engine {
    pub fn new(db: Db, clock: Arc<dyn Clock>, secrets: SecretBox) -> Engine {
        Engine {
            db,
            clock,
            travelled_ms: Default::default(),
            secrets,
            inbox_signal: Arc::new(tokio::sync::Notify::new()),
            automation_signal: Arc::new(tokio::sync::Notify::new()),
            sequence_signal: Arc::new(tokio::sync::Notify::new()),
            rich_menu_signal: Arc::new(tokio::sync::Notify::new()),
            staff_post_signal: Arc::new(tokio::sync::Notify::new()),
            segment_cache: Default::default(),
            line_endpoints: LineEndpoints::default(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(15))
                .build()
                .expect("reqwest client builds"),
            delivery: Arc::new(delivery::Delivery::new(Default::default())),
            public_url: String::new(),
            intake: Default::default(),
            link_cache: Default::default(),
            line_errors: Default::default(),
        }
    }

    pub fn with_public_url(mut self, public_url: &str) -> Engine {
        self.public_url = public_url.trim_end_matches('/').to_string();
        self
    }

    pub fn with_line_endpoints(mut self, endpoints: LineEndpoints) -> Engine {
        self.line_endpoints = endpoints;
        self
    }

    /// The store beneath, for tests and benchmarks to set up and inspect
    /// (the product goes through engine methods).
    #[cfg(feature = "test-support")]
    pub fn db_for_tests(&self) -> &Db {
        &self.db
    }

    /// The clinics' time: appointments, steps, sends, quota months. Moved
    /// forward only by time travel in sandbox clinics.
    pub fn now_ms(&self) -> i64 {
        self.wall_ms() + self.travelled_ms.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The real time, which time travel never moves: sessions, sign-in
    /// codes and invitations expire by it, so a demo that jumps a month
    /// ahead does not sign its staff out.
    pub fn wall_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}
