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

/// Employment records staff look through: their site's (platform administrators every site, or
/// `site_id`), only current ones when `current`, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &crate::kernel::Actor,
    site_id: Option<Uuid>,
    current: Option<bool>,
    page: &crate::page::PageRequest<Uuid>,
) -> Result<crate::page::Page<Model>, crate::DomainError> {
    use sea_orm::QueryFilter;
    if !actor.role.is_staff() {
        return Err(crate::DomainError::Forbidden(
            "only community staff read employment records",
        ));
    }
    let mut select = Entity::find().filter(crate::registry::scope::sites_of(
        &actor.scope,
        Column::SiteId,
    ));
    if let Some(site) = site_id {
        select = select.filter(Column::SiteId.eq(site));
    }
    match current {
        Some(true) => select = select.filter(Column::EndDate.is_null()),
        Some(false) => select = select.filter(Column::EndDate.is_not_null()),
        None => {}
    }
    let rows = page
        .by_id(select, Column::Id, sea_orm::Order::Desc)
        .all(db)
        .await?;
    Ok(crate::page::Page::from_rows(page, rows, |e| e.id))
}
