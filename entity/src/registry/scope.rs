//! What part of the registry a caller may see, as database conditions. Every query over
//! site-scoped data takes a `Scope`, so a query cannot forget to filter.

use sea_orm::{ColumnTrait, Condition, sea_query::Expr};

use crate::{
    kernel::Scope,
    registry::{building, committee, household, resident, resident_group, site},
};

fn never() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// The registry conditions of a scope.
impl Scope {
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
