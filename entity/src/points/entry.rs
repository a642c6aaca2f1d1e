//! Ledger entries (the `point_entry` table, append-only) and what an entry does.

use sea_orm::entity::prelude::*;

/// One change to an account, never altered afterwards.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "point_entry")]
pub struct Model {
    /// Id (UUIDv7: in order).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// Its site.
    pub site_id: Uuid,
    /// See [`EntryKind`].
    pub kind: EntryKind,
    /// Points added (positive) or taken (negative).
    pub amount: i32,
    /// The balance after this entry.
    pub balance_after: i32,
    /// Points a deduction could not take (the balance was too small).
    pub shortfall: i32,
    /// What it refers to (`redemption`, `claim`, `deduction`, …).
    pub reference_type: String,
    /// The referenced object.
    pub reference_id: Option<Uuid>,
    /// Why.
    pub reason: Option<String>,
    /// Who made it (none for the scheduler).
    pub actor_account_id: Option<Uuid>,
    /// When.
    pub created_at: DateTimeUtc,
}

no_relations!();

string_enum!(
    /// What an entry does.
    EntryKind {
        /// Points earned (a credited claim).
        Credit => "credit",
        /// Points spent at the store.
        Redemption => "redemption",
        /// A cancelled redemption's points returned.
        Refund => "refund",
        /// Points taken for a violation (惩戒).
        Deduction => "deduction",
        /// A correction of an earlier entry (a new entry, never an edit).
        Correction => "correction",
    }
);
