//! The community registry: site -> committee -> resident group -> building -> household -> resident.
//! Every table below `site` carries `site_id` (and, from the group down, `group_id`), so that a
//! caller's scope is one indexed filter.
//!
//! Owns `site`, `committee`, `resident_group`, `building`, `household` and `resident` (a file
//! each), the operations per level (`sites`, `committees`, …, named together in [`ops`]) and the
//! roster import; records an audit entry for every change and reveal, and no outbox events.

pub mod building;
pub mod committee;
pub mod household;
pub mod import;
pub mod ops;
pub mod resident;
pub mod resident_group;
pub mod roster;
pub mod scope;
pub mod site;
pub mod site_settings;
pub mod types;

mod audit_trail;
mod buildings;
mod committees;
mod groups;
mod households;
mod residents;
mod sites;
mod writes;
