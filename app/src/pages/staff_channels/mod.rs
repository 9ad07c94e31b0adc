//! 職員連絡: staff-only channels. The list (with 職員の声), one channel's
//! feed and composer, and a channel's settings — one route per file.

mod channel;
mod list;
mod settings;

pub use channel::StaffChannelPage;
pub use list::StaffChannelsPage;
pub use settings::StaffChannelSettingsPage;

use crate::i18n::{t, Lang};
use model::Role;

/// Roles as a channel's settings offer them, most senior first.
pub(super) const ROLES: [Role; 5] = Role::ALL;

fn role_text(lang: Lang, role: Role) -> String {
    t(lang, &format!("role.{}", role.as_str()))
}

/// 「スタッフ・マーケター」: roles in words, or 「なし」.
pub(super) fn roles_text(lang: Lang, roles: &[Role]) -> String {
    if roles.is_empty() {
        return t(lang, "sc.none");
    }
    roles.iter().map(|r| role_text(lang, *r)).collect::<Vec<_>>().join("・")
}
