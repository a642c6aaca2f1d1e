//! Committees of a site.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{committee, sites::get_site, writes::insert_audited};
use crate::{
    DomainError,
    kernel::{Actor, Scope},
    page::{Page, PageRequest},
};

/// Creates a committee in a site.
pub async fn create_committee<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    site_id: Uuid,
    name: String,
) -> Result<committee::Model, DomainError> {
    get_site(db, &actor.scope, site_id).await?;
    actor.manage(site_id)?;
    let model = committee::Model {
        id: Uuid::now_v7(),
        site_id,
        name,
        created_at: Utc::now(),
    };
    insert_audited(
        db,
        committee::ActiveModel::from(model.clone()),
        (
            "duplicate_name",
            "a committee with this name exists in the site",
        ),
        actor.audit(site_id, "committee.create", "committee", model.id),
    )
    .await?;
    Ok(model)
}

/// Committees of a site that the caller may see.
pub async fn list_committees<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    site_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<Page<committee::Model>, DomainError> {
    get_site(db, scope, site_id).await?;
    let select = committee::Entity::find()
        .filter(scope.committees())
        .filter(committee::Column::SiteId.eq(site_id));
    Ok(crate::page::page_by_id(db, select, committee::Column::Id, page, |c| c.id).await?)
}
