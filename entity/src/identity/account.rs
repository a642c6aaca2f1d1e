//! A login: a mobile number, a password hash and a role.

use sea_orm::entity::prelude::*;

/// An account.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    /// Id (UUIDv7), the `sub` of its tokens.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Normalised mobile number, unique.
    #[sea_orm(unique)]
    pub phone: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role (see `Role`); a resident who leads a group logs in as `group_leader`.
    pub role: crate::kernel::Role,
    /// The site, for site-scoped roles.
    pub site_id: Option<Uuid>,
    /// The resident, for residents and group leaders.
    #[sea_orm(unique)]
    pub resident_id: Option<Uuid>,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Last successful login.
    pub last_login_at: Option<DateTimeUtc>,
    /// Raised when the password changes or the account is disabled: access tokens carry the
    /// version they were issued under, and older ones are refused.
    pub session_version: i32,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("site_id", &self.site_id)
            .finish_non_exhaustive()
    }
}

no_relations!();
