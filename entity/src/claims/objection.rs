//! Objections raised during publicity (the `point_objection` table).

use sea_orm::entity::prelude::*;

/// A resident's objection to a claim.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "point_objection")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The claim.
    pub claim_id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// Who objects.
    pub resident_id: Uuid,
    /// Why.
    pub reason: String,
    /// `pending`, `upheld` or `dismissed`.
    pub status: String,
    /// Decided by.
    pub decided_by: Option<Uuid>,
    /// Decided at.
    pub decided_at: Option<DateTimeUtc>,
    /// Raised at.
    pub created_at: DateTimeUtc,
}

no_relations!();
