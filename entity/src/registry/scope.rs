//! What part of the registry a caller may see, as database conditions. Every query over
//! site-scoped data takes a `Scope`, so a query cannot forget to filter.

use sea_orm::{ColumnTrait, Condition, sea_query::Expr};
use uuid::Uuid;

use crate::registry::{building, committee, household, resident, resident_group, site};

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

fn never() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
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

    /// Sites the caller may see.
    pub fn sites(&self) -> Condition {
        match self {
            Self::All => Condition::all(),
            Self::Nothing => never(),
            other => match other.site_id() {
                Some(id) => Condition::all().add(site::Column::Id.eq(id)),
                None => never(),
            },
        }
    }

    /// Committees the caller may see (group leaders see their site's committee names).
    pub fn committees(&self) -> Condition {
        match self {
            Self::All => Condition::all(),
            Self::Site(s) | Self::Groups { site_id: s, .. } => {
                Condition::all().add(committee::Column::SiteId.eq(*s))
            }
            Self::Own(_) | Self::Nothing => never(),
        }
    }

    /// Resident groups the caller may see.
    pub fn groups(&self) -> Condition {
        match self {
            Self::All => Condition::all(),
            Self::Site(s) => Condition::all().add(resident_group::Column::SiteId.eq(*s)),
            Self::Groups { group_ids, .. } => {
                Condition::all().add(resident_group::Column::Id.is_in(group_ids.clone()))
            }
            Self::Own(_) | Self::Nothing => never(),
        }
    }

    /// Buildings the caller may see.
    pub fn buildings(&self) -> Condition {
        match self {
            Self::All => Condition::all(),
            Self::Site(s) => Condition::all().add(building::Column::SiteId.eq(*s)),
            Self::Groups { group_ids, .. } => {
                Condition::all().add(building::Column::GroupId.is_in(group_ids.clone()))
            }
            Self::Own(_) | Self::Nothing => never(),
        }
    }

    /// Households the caller may see.
    pub fn households(&self) -> Condition {
        match self {
            Self::All => Condition::all(),
            Self::Site(s) => Condition::all().add(household::Column::SiteId.eq(*s)),
            Self::Groups { group_ids, own, .. } => Condition::any()
                .add(household::Column::GroupId.is_in(group_ids.clone()))
                .add(household::Column::Id.eq(own.household_id)),
            Self::Own(own) => Condition::all().add(household::Column::Id.eq(own.household_id)),
            Self::Nothing => never(),
        }
    }

    /// Residents the caller may see.
    pub fn residents(&self) -> Condition {
        match self {
            Self::All => Condition::all(),
            Self::Site(s) => Condition::all().add(resident::Column::SiteId.eq(*s)),
            Self::Groups { group_ids, own, .. } => Condition::any()
                .add(resident::Column::GroupId.is_in(group_ids.clone()))
                .add(resident::Column::Id.eq(own.resident_id)),
            Self::Own(own) => Condition::all().add(resident::Column::Id.eq(own.resident_id)),
            Self::Nothing => never(),
        }
    }
}

/// Rows of site-scoped tables (a site id in `column`) the caller may see: all for platform
/// administrators, its own site for everybody else with a site, none otherwise.
pub fn sites_of<C: ColumnTrait>(scope: &Scope, column: C) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Nothing => never(),
        other => match other.site_id() {
            Some(site) => Condition::all().add(column.eq(site)),
            None => never(),
        },
    }
}
