//! Roles an account can have.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A registered resident with an activated account.
    Resident,
    /// A resident who leads one or more resident groups.
    GroupLeader,
    /// Community service-centre staff of one site.
    Staff,
    /// Staff who also manage accounts and read the audit trail of their site.
    SiteAdmin,
    /// Operates the whole deployment: creates sites and admins.
    PlatformAdmin,
    /// An organisation that posts jobs.
    Employer,
    /// A partner system (the provincial talent exchange).
    Partner,
}

impl Role {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::GroupLeader => "group_leader",
            Self::Staff => "staff",
            Self::SiteAdmin => "site_admin",
            Self::PlatformAdmin => "platform_admin",
            Self::Employer => "employer",
            Self::Partner => "partner",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "resident" => Self::Resident,
            "group_leader" => Self::GroupLeader,
            "staff" => Self::Staff,
            "site_admin" => Self::SiteAdmin,
            "platform_admin" => Self::PlatformAdmin,
            "employer" => Self::Employer,
            "partner" => Self::Partner,
            _ => return None,
        })
    }

    /// Roles bound to one site.
    pub fn is_site_scoped(self) -> bool {
        matches!(self, Self::Staff | Self::SiteAdmin)
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
