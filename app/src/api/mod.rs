//! Server functions, one file per concept (the engine's names): each checks
//! the session and role, calls one engine function and maps its error. No
//! business rule lives here.

pub mod appointments;
pub mod audit;
pub mod auth;
pub mod automations;
pub mod booking;
pub mod broadcasts;
pub mod channel;
pub mod dashboard;
pub mod friends;
pub mod inflow_routes;
pub mod patients;
pub mod phone;
pub mod quota;
pub mod rich_menus;
pub mod segments;
pub mod sequences;
pub mod staff;
pub mod staff_channels;
pub mod staff_links;
pub mod tags;
pub mod templates;
