//! The seven steps of the points scheme (七项程序): notify (a call for claims), apply, verify
//! (认定), register (登记), publicize (公示, open to objection), credit (充值, by a scheduled task
//! when the window closes), redeem (the store, in [`crate::points`]). Every step is recorded with
//! actor, time and reason in `point_claim_step`, which is append-only.
//!
//! The aggregate owns the `point_campaign`, `point_claim`, `point_claim_step`,
//! `point_objection` and `point_claim_photo` tables. It emits `NotificationRequested` outbox
//! events (calls for claims, decisions, credits), schedules the `points.credit` task when a
//! claim is publicized, and credits through the points ledger ([`crate::points`]).

pub mod campaign;
pub mod claim;
pub mod objection;
pub mod photo;
pub mod step;

mod crediting;
mod filing;
mod listing;
mod objections;
mod photos;
pub mod report;
mod steps;

pub use claim::ClaimStatus;
pub use crediting::{credit_due, credit_due_at_site};
pub use filing::{Attendance, NewClaim, apply, create_campaign, file_for_attendance};
pub use listing::{ClaimFilter, campaigns, get, list, objections};
pub use objections::{decide, object};
pub use photos::{MAX_PHOTO_BYTES, MAX_PHOTOS, PhotoKind, StoredPhoto, add_photo, photos};
pub use steps::{ClaimAction, DEFAULT_PUBLICITY_DAYS, StepInput, act};
