//! What registry writes share: who may manage or edit, audited inserts.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use crate::{
    DomainError,
    audit::AuditEntry,
    error::is_unique_violation,
    kernel::{Actor, Role, Scope},
};

/// Checks that `actor` may manage the structure of `site`.
pub fn require_manager(actor: &Actor, site: Uuid) -> Result<(), DomainError> {
    actor.manage(site)
}

pub(super) fn conflict_on_unique(e: DbErr, code: &'static str, detail: &str) -> DomainError {
    if is_unique_violation(&e) {
        DomainError::conflict(code, detail)
    } else {
        e.into()
    }
}

/// Inserts a new row, turning a unique-constraint violation into a 409 with `conflict` (code,
/// detail), and records its audit event in the same transaction.
pub(super) async fn insert_audited<C, A>(
    db: &C,
    row: A,
    conflict: (&'static str, &str),
    entry: AuditEntry,
) -> Result<(), DomainError>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
{
    <A::Entity as EntityTrait>::insert(row)
        .exec_without_returning(db)
        .await
        .map_err(|e| conflict_on_unique(e, conflict.0, conflict.1))?;
    entry.record(db).await?;
    Ok(())
}

pub(super) fn require_editor(actor: &Actor) -> Result<(), DomainError> {
    match actor.role {
        Role::Staff | Role::SiteAdmin | Role::PlatformAdmin | Role::GroupLeader => Ok(()),
        _ => Err(DomainError::Forbidden(
            "residents may not change registry data",
        )),
    }
}

pub(super) fn leads(scope: &Scope, group_id: Uuid) -> bool {
    matches!(scope, Scope::Groups { group_ids, .. } if group_ids.contains(&group_id))
}
