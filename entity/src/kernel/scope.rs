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

    /// This reach narrowed to one site (a platform administrator looking at the site it picked):
    /// everything of `site` the caller reaches, nothing when it reaches nothing there; unchanged
    /// when no site is named.
    pub fn at_site(&self, site: Option<Uuid>) -> Scope {
        match (self, site) {
            (_, None) => self.clone(),
            (Self::All, Some(s)) => Self::Site(s),
            (other, Some(s)) if other.site_id() == Some(s) => other.clone(),
            _ => Self::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_narrows_a_reach_and_never_widens_it() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(Scope::All.at_site(Some(a)), Scope::Site(a));
        assert_eq!(Scope::All.at_site(None), Scope::All);
        assert_eq!(Scope::Site(a).at_site(Some(a)), Scope::Site(a));
        assert_eq!(Scope::Site(a).at_site(Some(b)), Scope::Nothing);
        assert_eq!(Scope::Nothing.at_site(Some(a)), Scope::Nothing);
        let own = Own {
            site_id: a,
            resident_id: Uuid::now_v7(),
            household_id: Uuid::now_v7(),
            group_id: Uuid::now_v7(),
        };
        let leader = Scope::Groups {
            site_id: a,
            group_ids: vec![own.group_id],
            own,
        };
        assert_eq!(leader.at_site(Some(a)), leader);
        assert_eq!(leader.at_site(Some(b)), Scope::Nothing);
    }
}
