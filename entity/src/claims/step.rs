//! Every step of every claim (the `point_claim_step` table, append-only).

use sea_orm::entity::prelude::*;

/// One step of a claim, never altered.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "point_claim_step")]
pub struct Model {
    /// Id (in order).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The claim.
    pub claim_id: Uuid,
    /// From.
    pub from_status: String,
    /// To.
    pub to_status: String,
    /// Who (none for the scheduler).
    pub actor_account_id: Option<Uuid>,
    /// In which role.
    pub actor_role: String,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub created_at: DateTimeUtc,
}

no_relations!();
