//! The points ledger (双扶驿站) and the community store.
//!
//! One account per household; every change is an append-only entry (credit, redemption, refund,
//! deduction, correction) carrying its reference and the balance after it. The balance can never
//! go negative: a `CHECK` on the account enforces it, and every debit is a guarded `UPDATE …
//! WHERE balance + amount >= 0`, so concurrent redemptions cannot overdraw it. Redemptions move
//! balance and stock in one transaction.
//!
//! The aggregate owns the `point_account`, `point_entry`, `point_category_range`, `store_item`
//! and `redemption` tables. It emits `NotificationRequested` outbox events (a deduction, a
//! settled redemption) and schedules no tasks; claims credit through [`post`]. The figures
//! computed from credited claims are in `claims::report` (they read claims, which read points).

pub mod account;
pub mod category_range;
pub mod entry;
pub mod item;
pub mod redemption;

mod category;
mod ledger;
mod store;

pub use category::{Category, CategoryRange, categories, set_range};
pub use entry::EntryKind;
pub use ledger::{Posting, deduct, household_account, post, reverse};
pub use redemption::RedemptionStatus;
pub use store::{
    ItemContent, RedemptionFilter, create_item, items, redeem, redemptions, redemptions_of, settle,
    update_item,
};
