//! The kernel: types every domain uses (who acts, with which role and reach, and China time).
//! Domains import the kernel; the kernel imports no domain module.

mod actor;
pub mod china_time;
mod role;
mod scope;

pub use actor::Actor;
pub use role::Role;
pub use scope::{Own, Scope};
