//! Activities: trainings, lectures, performances, volunteer service, job fairs (就业进社区).
//!
//! The aggregate owns the `activity`, `activity_audience` and `activity_signup` tables: an
//! activity, the groups it is for, and residents' seats and waiting-list tickets. It emits
//! `NotificationRequested` outbox events (promotion from the waiting list, changed times or
//! places, reminders) and schedules the `activity.remind` and `activity.finish` tasks.
//!
//! Seats are never overbooked, under any concurrency, on either database: every sign-up,
//! cancellation and capacity change starts with a guarded `UPDATE` of the activity row
//! (`confirmed < capacity`, a `CHECK` backs it), which also serializes them per activity on
//! PostgreSQL; SQLite has a single writer. A cancelled seat goes to the first person on the
//! waiting list in the same transaction, so a seat is never free while someone waits.

pub mod activity;
pub mod audience;
pub mod signup;

mod checkin;
mod create;
mod edit;
mod listing;
mod reminders;
mod schedule;
mod seats;
mod signing_up;
mod waiting_list;

pub use activity::ActivityKind;
pub use checkin::{CheckIn, CheckedIn, check_in};
pub use create::{ActivityContent, AudienceSpec, create};
pub use edit::{ActivityEdit, edit};
pub use listing::{ActivityFilter, get, list, of_resident, on_board, signups, waitlist_length};
pub use reminders::{finish, remind};
pub use schedule::Schedule;
pub use seats::{cancel, set_capacity};
pub use signing_up::{SignupOutcome, sign_up};
pub use signup::SignupStatus;
pub use waiting_list::{position, positions};
