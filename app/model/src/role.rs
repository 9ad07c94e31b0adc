use serde::{Deserialize, Serialize};

/// A staff member's role in one clinic (SPEC §1). Ordered from most to least
/// powerful; the order is used only for "may this actor grant that role".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Marketer,
    Staff,
    Viewer,
}

/// Something a role may or may not do. Every server function names the one
/// it needs; the UI asks the same question to hide what the role cannot do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// See the clinic's pages at all (every role).
    ViewClinic,
    /// Chat with patients, tag them, record visits (staff and above).
    HandlePatients,
    /// Design menus, tags, sequences and broadcasts (marketer and above).
    DesignMarketing,
    /// Invite, disable and re-role staff; read the audit log.
    ManageStaff,
    /// Connect the LINE channel, choose the plan, change clinic settings.
    ManageClinic,
    /// Organization-wide security policy, such as requiring TOTP.
    ManageSecurityPolicy,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Owner, Role::Admin, Role::Marketer, Role::Staff, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Marketer => "marketer",
            Role::Staff => "staff",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match permission {
            ViewClinic => true,
            HandlePatients => matches!(self, Role::Owner | Role::Admin | Role::Marketer | Role::Staff),
            DesignMarketing => matches!(self, Role::Owner | Role::Admin | Role::Marketer),
            ManageStaff | ManageClinic => matches!(self, Role::Owner | Role::Admin),
            ManageSecurityPolicy => self == Role::Owner,
        }
    }

    /// Whether a member with this role may give `other` to someone, or change
    /// someone who holds `other`. An admin manages everyone below owner; only
    /// an owner makes or unmakes owners.
    pub fn may_assign(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => other != Role::Owner,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_is_read_only() {
        assert!(Role::Viewer.can(Permission::ViewClinic));
        assert!(!Role::Viewer.can(Permission::HandlePatients));
        assert!(!Role::Viewer.can(Permission::DesignMarketing));
        assert!(!Role::Viewer.can(Permission::ManageStaff));
    }

    #[test]
    fn only_owner_and_admin_manage_staff() {
        let managers: Vec<Role> = Role::ALL.into_iter().filter(|r| r.can(Permission::ManageStaff)).collect();
        assert_eq!(managers, vec![Role::Owner, Role::Admin]);
        assert!(Role::Owner.can(Permission::ManageSecurityPolicy));
        assert!(!Role::Admin.can(Permission::ManageSecurityPolicy));
    }

    #[test]
    fn admin_cannot_touch_owners() {
        assert!(!Role::Admin.may_assign(Role::Owner));
        assert!(Role::Admin.may_assign(Role::Marketer));
        assert!(Role::Owner.may_assign(Role::Owner));
        assert!(!Role::Marketer.may_assign(Role::Viewer));
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
