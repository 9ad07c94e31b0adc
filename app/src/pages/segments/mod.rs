//! セグメント: saved segments, and the visual builder of their rule —
//! AND / OR / NOT groups of conditions, reordered by buttons or by
//! dragging, checked in the browser by `model::segment` (the server checks
//! again with the same code) and counted live on the server's index.

mod editor;
mod list;
mod rule_view;

pub use editor::SegmentEditPage;
pub use list::SegmentsPage;
