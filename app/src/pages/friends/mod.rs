//! 友だち: the list (search, filters, keyset pages) and one friend's page.

mod detail;
mod list;

pub use detail::FriendPage;
pub use list::FriendsPage;

use crate::i18n::t;
use crate::use_lang;

fn status_label(status: &str) -> String {
    let lang = use_lang();
    match status {
        "blocked" => t(lang, "friends.status_blocked"),
        _ => t(lang, "friends.status_active"),
    }
}

/// A friend's LINE name; until it is known, why not: LINE gives no profile
/// of someone who blocked the account, so theirs may never come.
fn shown_name(lang: crate::i18n::Lang, name: &str, status: &str) -> String {
    match (name.is_empty(), status) {
        (false, _) => name.to_string(),
        (true, "blocked") => t(lang, "friends.no_name_blocked"),
        (true, _) => t(lang, "friends.no_name"),
    }
}
