//! Roles an account can have: what every domain authorizes by (a kernel type, not part of
//! the identity domain, so that domains can check roles without importing accounts).

string_enum!(
    /// An account's role.
    Role {
        /// A registered resident with an activated account.
        Resident => "resident",
        /// A resident who leads one or more resident groups.
        GroupLeader => "group_leader",
        /// Community service-centre staff of one site.
        Staff => "staff",
        /// Staff who also manage accounts and read the audit trail of their site.
        SiteAdmin => "site_admin",
        /// Operates the whole deployment: creates sites and admins.
        PlatformAdmin => "platform_admin",
        /// An organisation that posts jobs.
        Employer => "employer",
        /// A partner system (the provincial talent exchange).
        Partner => "partner",
    }
);

impl Role {
    /// Community staff: staff, site administrators and platform administrators.
    pub fn is_staff(self) -> bool {
        matches!(self, Self::Staff | Self::SiteAdmin | Self::PlatformAdmin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in [
            Role::Resident,
            Role::GroupLeader,
            Role::Staff,
            Role::SiteAdmin,
            Role::PlatformAdmin,
            Role::Employer,
            Role::Partner,
        ] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::json!(role.as_str())
            );
        }
        assert_eq!(Role::parse("root"), None);
    }
}
