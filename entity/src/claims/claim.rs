//! Claims (the `point_claim` table) and where a claim stands.

use sea_orm::entity::prelude::*;

/// A claim for points.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "point_claim")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// The resident's group (for publicity and its leader).
    pub group_id: Uuid,
    /// The household credited.
    pub household_id: Uuid,
    /// The resident who did it.
    pub resident_id: Uuid,
    /// The call it answers.
    pub campaign_id: Option<Uuid>,
    /// A [`crate::points::Category`] name.
    pub category: crate::points::Category,
    /// What was done.
    pub description: String,
    /// Points, set at verification.
    pub points: Option<i32>,
    /// See [`ClaimStatus`].
    pub status: ClaimStatus,
    /// Why it was rejected.
    pub status_reason: Option<String>,
    /// End of the publicity window.
    pub publicity_ends_at: Option<DateTimeUtc>,
    /// Who applied.
    pub submitted_by: Uuid,
    /// Applied for by the group leader.
    pub on_behalf: bool,
    /// Applied at.
    pub created_at: DateTimeUtc,
    /// Changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();

string_enum!(
    /// Where a claim stands.
    ClaimStatus {
        /// Applied for.
        Applied => "applied",
        /// Facts confirmed, points set (认定).
        Verified => "verified",
        /// Entered in the register (登记).
        Registered => "registered",
        /// Posted for objections (公示).
        Publicized => "publicized",
        /// Points in the household account (充值).
        Credited => "credited",
        /// Rejected, with a reason.
        Rejected => "rejected",
    }
);
