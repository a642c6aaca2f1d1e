//! The audit trail as site and platform administrators read it.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter};
use uuid::Uuid;

use crate::{
    DomainError,
    audit::{self},
    kernel::{Actor, Role, Scope},
    page::{Page, PageRequest},
};

/// What an administrator looks for in the audit trail (every filter optional; they combine).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Done by this account.
    pub actor_account_id: Option<Uuid>,
    /// This action (`resident.update`), or every action of a kind (`resident.`, ending in a dot).
    pub action: Option<String>,
    /// On objects of this type.
    pub target_type: Option<String>,
    /// On this object.
    pub target_id: Option<Uuid>,
    /// For this resident (assisted mode).
    pub on_behalf_of: Option<Uuid>,
    /// This site (platform administrators).
    pub site_id: Option<Uuid>,
    /// At or after.
    pub since: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
}

/// Audit events the caller may read: site administrators their site's, platform administrators
/// all; newest first, narrowed by `filter`.
pub async fn list_audit<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &AuditFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<audit::Model>, DomainError> {
    let mut select = audit::Entity::find();
    if let Some(account) = filter.actor_account_id {
        select = select.filter(audit::Column::ActorAccountId.eq(account));
    }
    match filter.action.as_deref() {
        Some(kind) if kind.ends_with('.') => {
            select = select.filter(audit::Column::Action.like(crate::text::prefix_pattern(kind)));
        }
        Some(action) => select = select.filter(audit::Column::Action.eq(action)),
        None => {}
    }
    if let Some(t) = &filter.target_type {
        select = select.filter(audit::Column::TargetType.eq(t.as_str()));
    }
    if let Some(id) = filter.target_id {
        select = select.filter(audit::Column::TargetId.eq(id));
    }
    if let Some(resident) = filter.on_behalf_of {
        select = select.filter(audit::Column::OnBehalfOf.eq(resident));
    }
    if let Some(site) = filter.site_id {
        select = select.filter(audit::Column::SiteId.eq(site));
    }
    if let Some(since) = filter.since {
        select = select.filter(audit::Column::CreatedAt.gte(since));
    }
    if let Some(until) = filter.until {
        select = select.filter(audit::Column::CreatedAt.lt(until));
    }
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
