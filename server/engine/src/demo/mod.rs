//! What exists only for demos and sandbox clinics, kept together so the rest
//! of the engine never depends on it: the demo clinic's seed, the sandbox
//! phone (the staff page that acts as a patient's LINE app), and time travel
//! (moving a sandbox clinic's clock to watch a month of steps in seconds).
//! Each refuses to act on a clinic connected to a real LINE channel.

pub mod phone;
pub mod rich_menus;
pub mod seed;
pub mod staff_channels;
pub mod time_travel;
