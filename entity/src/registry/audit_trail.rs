//! The audit trail as site and platform administrators read it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter};
use uuid::Uuid;

use crate::{
    DomainError,
    audit::{self},
    kernel::{Actor, Role, Scope},
    page::{Page, PageRequest},
};

/// Audit events the caller may read: site administrators their site's, platform administrators
/// all; newest first.
pub async fn list_audit<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: &PageRequest<Uuid>,
) -> Result<Page<audit::Model>, DomainError> {
    let mut select = audit::Entity::find();
    match (&actor.role, &actor.scope) {
        (Role::PlatformAdmin, _) => {}
        (Role::SiteAdmin, Scope::Site(site)) => {
            select = select.filter(audit::Column::SiteId.eq(*site));
        }
        _ => {
            return Err(DomainError::Forbidden(
                "only administrators may read the audit trail",
            ));
        }
    }
    let rows = page
        .by_id(select, audit::Column::Id, Order::Desc)
        .all(db)
        .await?;
    Ok(Page::from_rows(page, rows, |e| e.id))
}
