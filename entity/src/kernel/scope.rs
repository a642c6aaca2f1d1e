//! A caller's reach: what part of the registry (and of everything site-scoped) it may see. The
//! conditions it turns into are the registry's (`registry::scope`).

use uuid::Uuid;

/// A caller's reach over the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (platform administrators).
    All,
    /// One site (staff and site administrators).
    Site(Uuid),
    /// The groups a leader leads, plus the leader's own record and household.
    Groups {
        /// The site.
        site_id: Uuid,
        /// The groups led.
        group_ids: Vec<Uuid>,
        /// The leader as a resident.
        own: Own,
    },
    /// A resident: itself and its household.
    Own(Own),
    /// Nothing of the registry (employers, partners).
    Nothing,
}

/// A resident's own record and household.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Own {
    /// The site.
    pub site_id: Uuid,
    /// The resident.
    pub resident_id: Uuid,
    /// Its household.
    pub household_id: Uuid,
    /// Its group.
    pub group_id: Uuid,
}

impl Scope {
    /// The site the caller belongs to, if any.
    pub fn site_id(&self) -> Option<Uuid> {
        match self {
            Self::Site(s) | Self::Groups { site_id: s, .. } | Self::Own(Own { site_id: s, .. }) => {
                Some(*s)
            }
            Self::All | Self::Nothing => None,
        }
    }

    /// The caller's own record and household, when it is a resident (or a leader).
    pub fn own(&self) -> Option<Own> {
        match self {
            Self::Own(own) | Self::Groups { own, .. } => Some(*own),
            _ => None,
        }
    }
}
