//! The append-only audit trail: who changed whose data (or revealed it), on whose behalf, and why.

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, entity::prelude::*};

/// One audit event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    /// Id (UUIDv7: time-ordered).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site concerned, if any.
    pub site_id: Option<Uuid>,
    /// Who acted (an account), if anyone.
    pub actor_account_id: Option<Uuid>,
    /// The actor's role at the time.
    pub actor_role: String,
    /// The resident the actor acted for (assisted mode), if any.
    pub on_behalf_of: Option<Uuid>,
    /// What was done, e.g. `resident.update`, `resident.reveal_id_card`.
    pub action: String,
    /// The kind of object, e.g. `resident`.
    pub target_type: String,
    /// The object.
    pub target_id: Option<Uuid>,
    /// The reason given.
    pub reason: Option<String>,
    /// Details (changed field names, counts; never sensitive values).
    pub details: Json,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

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
