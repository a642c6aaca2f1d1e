//! The append-only audit trail: who changed whose data (or revealed it), on whose behalf, and why.

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, entity::prelude::*};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One audit event. The row is also the API's `AuditEvent` (its field docs are the contract's
/// descriptions): the id is a UUIDv7, so time-ordered; the role is the actor's at the time;
/// `on_behalf_of` is set in assisted mode; actions read like `resident.update` or
/// `resident.reveal_id_card`, target types like `resident`; details hold changed field names and
/// counts, never sensitive values.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize, ToSchema)]
#[sea_orm(table_name = "audit_event")]
#[schema(as = AuditEvent, description = "One audit event.")]
pub struct Model {
    /// Id (time-ordered).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Site concerned.
    pub site_id: Option<Uuid>,
    /// Acting account.
    pub actor_account_id: Option<Uuid>,
    /// Its role.
    pub actor_role: String,
    /// The resident acted for.
    pub on_behalf_of: Option<Uuid>,
    /// What was done.
    pub action: String,
    /// Kind of object.
    pub target_type: String,
    /// The object.
    pub target_id: Option<Uuid>,
    /// The reason given.
    pub reason: Option<String>,
    /// Details.
    pub details: serde_json::Value,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

no_relations!();

/// What an audit event records, built by the domain function that makes the change.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// The site concerned.
    pub site_id: Option<Uuid>,
    /// The acting account.
    pub actor_account_id: Option<Uuid>,
    /// The actor's role.
    pub actor_role: String,
    /// The resident acted for.
    pub on_behalf_of: Option<Uuid>,
    /// What was done.
    pub action: &'static str,
    /// The kind of object.
    pub target_type: &'static str,
    /// The object.
    pub target_id: Option<Uuid>,
    /// The reason given.
    pub reason: Option<String>,
    /// Details; never sensitive values.
    pub details: serde_json::Value,
}

/// Appends an audit event (call it in the transaction of the change it records).
pub async fn record<C: ConnectionTrait>(db: &C, entry: AuditEntry) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        id: Set(Uuid::now_v7()),
        site_id: Set(entry.site_id),
        actor_account_id: Set(entry.actor_account_id),
        actor_role: Set(entry.actor_role),
        on_behalf_of: Set(entry.on_behalf_of),
        action: Set(entry.action.to_owned()),
        target_type: Set(entry.target_type.to_owned()),
        target_id: Set(entry.target_id),
        reason: Set(entry.reason),
        details: Set(entry.details),
        created_at: Set(chrono::Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

impl AuditEntry {
    /// An entry of `action` on the `target_type` object `target_id`, by the system (no account)
    /// until [`by`](Self::by) names the actor, with no site, reason or details.
    pub fn new(action: &'static str, target_type: &'static str, target_id: Uuid) -> Self {
        Self {
            site_id: None,
            actor_account_id: None,
            actor_role: "system".to_owned(),
            on_behalf_of: None,
            action,
            target_type,
            target_id: Some(target_id),
            reason: None,
            details: serde_json::json!({}),
        }
    }

    /// The acting account (if any) and its role's stored name.
    pub fn by(mut self, account_id: impl Into<Option<Uuid>>, role: &str) -> Self {
        self.actor_account_id = account_id.into();
        role.clone_into(&mut self.actor_role);
        self
    }

    /// The site concerned (if any).
    pub fn site(mut self, site_id: impl Into<Option<Uuid>>) -> Self {
        self.site_id = site_id.into();
        self
    }

    /// The resident acted for (assisted mode).
    pub fn on_behalf_of(mut self, resident_id: Uuid) -> Self {
        self.on_behalf_of = Some(resident_id);
        self
    }

    /// The reason given, if any.
    pub fn reason(mut self, reason: impl Into<Option<String>>) -> Self {
        self.reason = reason.into();
        self
    }

    /// Details (never sensitive values).
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// Appends the entry (in the transaction of the change it records).
    pub async fn record<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        record(db, self).await
    }
}

/// The reason for an assisted action, which only an action for someone else carries (422
/// `reason` otherwise: a resident acting for itself has nobody to explain it to).
pub fn assist_reason(
    on_behalf: bool,
    reason: Option<String>,
) -> Result<Option<String>, crate::DomainError> {
    match reason {
        Some(_) if !on_behalf => Err(crate::DomainError::invalid(
            "reason",
            "only given when acting for someone else",
        )),
        reason => Ok(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_fills_what_a_literal_did() {
        let (site, account, target, resident) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let built = AuditEntry::new("activity.signup", "activity", target)
            .by(account, "staff")
            .site(site)
            .on_behalf_of(resident)
            .reason("asked at the desk".to_owned())
            .details(serde_json::json!({ "status": "confirmed" }));
        assert_eq!(built.site_id, Some(site));
        assert_eq!(built.actor_account_id, Some(account));
        assert_eq!(built.actor_role, "staff");
        assert_eq!(built.on_behalf_of, Some(resident));
        assert_eq!(built.action, "activity.signup");
        assert_eq!(built.target_type, "activity");
        assert_eq!(built.target_id, Some(target));
        assert_eq!(built.reason.as_deref(), Some("asked at the desk"));
        assert_eq!(built.details, serde_json::json!({ "status": "confirmed" }));
        let bare = AuditEntry::new("job.expire", "job", target);
        assert_eq!(
            (bare.actor_account_id, bare.actor_role.as_str()),
            (None, "system")
        );
        assert_eq!(bare.details, serde_json::json!({}));
    }
}
