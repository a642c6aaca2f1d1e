//! Ledger entries (the `point_entry` table, append-only) and what an entry does.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// One change to an account, never altered afterwards. The row is also the API's `Entry` (its
/// field docs are the contract's descriptions); ids of the household, site and actor are not
/// serialized (the account it is listed under names the household).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
#[sea_orm(table_name = "point_entry")]
#[schema(as = Entry, description = "One ledger entry.")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The household.
    #[serde(skip)]
    pub household_id: Uuid,
    /// Its site.
    #[serde(skip)]
    pub site_id: Uuid,
    /// Kind.
    pub kind: EntryKind,
    /// Points added (positive) or taken (negative).
    pub amount: i32,
    /// The balance after it.
    pub balance_after: i32,
    /// Points a deduction could not take.
    pub shortfall: i32,
    /// What it refers to.
    pub reference_type: String,
    /// The referenced object.
    pub reference_id: Option<Uuid>,
    /// Why.
    pub reason: Option<String>,
    /// Who made it (none for the scheduler).
    #[serde(skip)]
    pub actor_account_id: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
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
