//! ステップ配信: the clinic's sequences, each drawn as its steps on a time
//! axis around its trigger or its appointment, with what each step did.

mod editor;
mod list;
mod preview;

pub use editor::SequenceEditPage;
pub use list::SequencesPage;
pub use preview::SequencePreview;
