//! Sites: creating one (platform administrators), reading them.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{site, writes::insert_audited};
use crate::{
    DomainError,
    kernel::{Actor, Role, Scope},
    page::{Page, PageRequest},
};

/// A new site.
#[derive(Debug, Clone)]
pub struct NewSite {
    /// Name.
    pub name: String,
    /// Unique code.
    pub code: String,
    /// Region.
    pub region: String,
}

/// Creates a site (platform administrators).
pub async fn create_site<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewSite,
) -> Result<site::Model, DomainError> {
    if actor.role != Role::PlatformAdmin {
        return Err(DomainError::Forbidden(
            "only platform administrators create sites",
        ));
    }
    let model = site::Model {
        id: Uuid::now_v7(),
        name: new.name,
        code: new.code,
        region: new.region,
        created_at: Utc::now(),
    };
    insert_audited(
        db,
        site::ActiveModel::from(model.clone()),
        ("duplicate_code", "a site with this code exists"),
        actor.audit(model.id, "site.create", "site", model.id),
    )
    .await?;
    Ok(model)
}

/// Sites the caller may see.
pub async fn list_sites<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    page: &PageRequest<Uuid>,
) -> Result<Page<site::Model>, DbErr> {
    let select = site::Entity::find().filter(scope.sites());
    crate::page::page_by_id(db, select, site::Column::Id, page, |s| s.id).await
}

/// One site, if the caller may see it.
pub async fn get_site<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<site::Model, DomainError> {
    site::Entity::find_by_id(id)
        .filter(scope.sites())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}
