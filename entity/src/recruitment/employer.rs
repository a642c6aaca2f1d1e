//! Employers and their review by staff: `pending` -> `verified` | `rejected`, and a verified
//! employer may be `suspended` (and verified again). Only verified employers submit jobs.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, entity::prelude::*};
use serde_json::json;

use crate::{
    DomainError,
    audit::AuditEntry,
    error::is_unique_violation,
    kernel::Role,
    page::{Page, PageRequest},
    people::{CreditCode, Phone},
};

/// An employer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employer")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Its login account.
    #[sea_orm(unique)]
    pub account_id: Uuid,
    /// Organisation name.
    pub name: String,
    /// Unified social credit code (GB 32100), unique.
    #[sea_orm(unique)]
    pub credit_code: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone.
    pub contact_phone: String,
    /// See [`EmployerStatus`].
    pub status: EmployerStatus,
    /// Why it was rejected or suspended.
    pub status_reason: Option<String>,
    /// The account that last reviewed it.
    pub reviewed_by: Option<Uuid>,
    /// When it was last reviewed.
    pub reviewed_at: Option<DateTimeUtc>,
    /// Signed up at.
    pub created_at: DateTimeUtc,
    /// Last changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();

string_enum!(
    /// Where an employer stands.
    EmployerStatus {
        /// Signed up, waiting for staff review.
        Pending => "pending",
        /// Verified by staff: may submit jobs.
        Verified => "verified",
        /// Refused by staff, with a reason.
        Rejected => "rejected",
        /// Verified before, now suspended (its open jobs close).
        Suspended => "suspended",
    }
);

impl EmployerStatus {
    /// The review decisions allowed from this status: every transition rule in one place.
    pub fn can_become(self, next: Self) -> bool {
        matches!(
            (self, next),
            (Self::Pending, Self::Verified)
                | (Self::Pending, Self::Rejected)
                | (Self::Rejected, Self::Verified)
                | (Self::Verified, Self::Suspended)
                | (Self::Suspended, Self::Verified)
        )
    }
}

/// A sign-up, validated.
#[derive(Debug, Clone)]
pub struct NewEmployer {
    /// The login account already created for it.
    pub account_id: Uuid,
    /// Organisation name.
    pub name: String,
    /// Credit code.
    pub credit_code: CreditCode,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone.
    pub contact_phone: Phone,
}

/// Records a sign-up (status `pending`); a credit code already registered is 409.
pub async fn create<C: ConnectionTrait>(db: &C, new: NewEmployer) -> Result<Model, DomainError> {
    let now = Utc::now();
    let model = Model {
        id: Uuid::now_v7(),
        account_id: new.account_id,
        name: new.name,
        credit_code: new.credit_code.as_str().to_owned(),
        contact_name: new.contact_name,
        contact_phone: new.contact_phone.as_str().to_owned(),
        status: EmployerStatus::Pending,
        status_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        created_at: now,
        updated_at: now,
    };
    match Entity::insert(ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await
    {
        Ok(_) => Ok(model),
        Err(e) if is_unique_violation(&e) => Err(DomainError::conflict(
            "credit_code_taken",
            "an employer with this unified social credit code is already registered",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Whether an employer with this credit code is registered.
pub async fn credit_code_taken<C: ConnectionTrait>(
    db: &C,
    credit_code: &CreditCode,
) -> Result<bool, DbErr> {
    Ok(Entity::find()
        .filter(Column::CreditCode.eq(credit_code.as_str()))
        .one(db)
        .await?
        .is_some())
}

/// The employer of an account.
pub async fn of_account<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .one(db)
        .await
}

/// Who may see which employers: reviewers see all, an employer itself only.
#[derive(Debug, Clone, Copy)]
pub enum EmployerScope {
    /// Staff and administrators.
    All,
    /// An employer.
    Own(Uuid),
}

/// Employers in scope, optionally with one status, oldest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: EmployerScope,
    status: Option<EmployerStatus>,
    page: &PageRequest<Uuid>,
) -> Result<Page<Model>, DbErr> {
    let mut select = Entity::find();
    if let EmployerScope::Own(id) = scope {
        select = select.filter(Column::Id.eq(id));
    }
    if let Some(s) = status {
        select = select.filter(Column::Status.eq(s.as_str()));
    }
    let rows = page.by_id(select, Column::Id, Order::Asc).all(db).await?;
    Ok(Page::from_rows(page, rows, |e| e.id))
}

/// One employer in scope.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    scope: EmployerScope,
    id: Uuid,
) -> Result<Model, DomainError> {
    if let EmployerScope::Own(own) = scope
        && own != id
    {
        return Err(DomainError::NotFound);
    }
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// A staff decision on an employer; illegal transitions are 409 `illegal_transition`. Audited.
pub async fn review<C: ConnectionTrait>(
    db: &C,
    reviewer: Uuid,
    reviewer_role: Role,
    id: Uuid,
    next: EmployerStatus,
    reason: Option<String>,
) -> Result<Model, DomainError> {
    let current = Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let status = current.status;
    if !status.can_become(next) {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!(
                "an employer that is {} cannot become {}",
                status.as_str(),
                next.as_str()
            ),
        ));
    }
    if matches!(next, EmployerStatus::Rejected | EmployerStatus::Suspended) && reason.is_none() {
        return Err(DomainError::invalid("reason", "a reason is required"));
    }
    let now = Utc::now();
    // The status in the WHERE clause makes concurrent decisions safe: only one applies.
    DomainError::update_one(
        Entity::update_many()
            .col_expr(Column::Status, next.as_str().into())
            .col_expr(
                Column::StatusReason,
                sea_orm::sea_query::Expr::value(reason.clone()),
            )
            .col_expr(Column::ReviewedBy, Some(reviewer).into())
            .col_expr(Column::ReviewedAt, Some(now).into())
            .col_expr(Column::UpdatedAt, now.into())
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(status.as_str())),
        db,
        "the employer changed meanwhile; retry",
    )
    .await?;
    let closed_jobs = if next == EmployerStatus::Suspended {
        super::job::close_all_open(db, id, now).await?
    } else {
        0
    };
    AuditEntry::new(
        match next {
            EmployerStatus::Verified => "employer.verify",
            EmployerStatus::Rejected => "employer.reject",
            EmployerStatus::Suspended => "employer.suspend",
            EmployerStatus::Pending => "employer.reset",
        },
        "employer",
        id,
    )
    .by(reviewer, reviewer_role.as_str())
    .reason(reason.clone())
    .details(json!({ "from": status.as_str(), "to": next.as_str(), "jobs_closed": closed_jobs }))
    .record(db)
    .await?;
    Ok(Model {
        status: next,
        status_reason: reason,
        reviewed_by: Some(reviewer),
        reviewed_at: Some(now),
        updated_at: now,
        ..current
    })
}

#[cfg(test)]
mod tests {
    use super::EmployerStatus::*;

    #[test]
    fn transitions_are_the_documented_ones() {
        assert!(Pending.can_become(Verified) && Pending.can_become(Rejected));
        assert!(Verified.can_become(Suspended) && Suspended.can_become(Verified));
        assert!(Rejected.can_become(Verified));
        assert!(!Verified.can_become(Rejected) && !Rejected.can_become(Suspended));
        assert!(!Pending.can_become(Suspended) && !Verified.can_become(Pending));
    }
}
