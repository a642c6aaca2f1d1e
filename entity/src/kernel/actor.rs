//! Who is acting: the account, its role and reach, for authorization and for the audit trail.

use uuid::Uuid;

use crate::{
    DomainError,
    audit::AuditEntry,
    kernel::{Role, Scope},
};

/// Who is acting, for authorization of writes and for the audit trail.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account.
    pub account_id: Uuid,
    /// Its effective role.
    pub role: Role,
    /// Its reach.
    pub scope: Scope,
    /// The household it lives in, when its account is linked to a resident record: nobody
    /// verifies or registers a claim of their own household.
    pub household_id: Option<Uuid>,
}

impl Actor {
    /// An audit entry of this actor's action on `target_id` at `site_id`.
    pub fn audit(
        &self,
        site_id: Uuid,
        action: &'static str,
        target_type: &'static str,
        target_id: Uuid,
    ) -> AuditEntry {
        AuditEntry::new(action, target_type, target_id)
            .by(self.account_id, self.role.as_str())
            .site(site_id)
    }

    /// The site whose structure (committees, groups, buildings, households, residents) this actor
    /// may manage: staff of `site`, or a platform administrator. Others get `NotFound` for another
    /// site and `Forbidden` for lacking the role.
    pub fn manage(&self, site: Uuid) -> Result<(), DomainError> {
        match (&self.role, &self.scope) {
            (Role::PlatformAdmin, _) => Ok(()),
            (Role::Staff | Role::SiteAdmin, Scope::Site(s)) if *s == site => Ok(()),
            (Role::Staff | Role::SiteAdmin, _) => Err(DomainError::NotFound),
            _ => Err(DomainError::Forbidden("only community staff may do this")),
        }
    }
}
