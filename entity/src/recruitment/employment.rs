//! Employment records: who was hired where, from which application.

use sea_orm::entity::prelude::*;

/// A resident's job, from a hire or recorded by staff.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employment")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The worker.
    pub resident_id: Uuid,
    /// The worker's site.
    pub site_id: Uuid,
    /// The worker's household (the dashboard counts per household).
    pub household_id: Uuid,
    /// The employer, when known.
    pub employer_id: Option<Uuid>,
    /// The posting, when hired through one.
    pub job_id: Option<Uuid>,
    /// The application, when hired through one.
    #[sea_orm(unique)]
    pub application_id: Option<Uuid>,
    /// `work_away`, `local` or `industry`.
    pub channel: String,
    /// First day.
    pub start_date: Date,
    /// Last day, once ended.
    pub end_date: Option<Date>,
    /// Who recorded it.
    pub created_by: Uuid,
    /// Recorded at.
    pub created_at: DateTimeUtc,
}

no_relations!();
