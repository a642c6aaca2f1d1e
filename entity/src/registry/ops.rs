//! Registry operations, one module per level beside its table (sites, committees, groups,
//! buildings, households, residents) and the audit trail, named here as callers know them
//! (`registry::ops::…`). Each takes the caller's [`Scope`](crate::kernel::Scope) (reads) or
//! [`Actor`](crate::kernel::Actor) (writes), so an object outside the caller's reach is
//! `NotFound`, exactly like a missing one, and every change made for someone else is audited in
//! the same transaction.

pub use super::{
    audit_trail::{AuditFilter, list_audit},
    buildings::{BuildingFilter, create_building, get_building, list_buildings},
    committees::{create_committee, list_committees},
    groups::{GroupFilter, appoint_leader, create_group, get_group, list_groups},
    households::{
        HouseholdChanges, HouseholdFilter, create_household, get_household, household_members,
        list_households, update_household,
    },
    residents::{
        ResidentChanges, ResidentData, ResidentFilter, ResidentSearch, age_birth_range,
        create_resident, fill_id_card_tails, get_resident, list_residents, resident_names,
        resident_row, reveal_id_card, select_residents, update_resident, working_age_birth_range,
    },
    sites::{
        NewSite, SiteSettings, create_site, get_site, list_sites, save_site_settings, site_settings,
    },
    writes::require_manager,
};
