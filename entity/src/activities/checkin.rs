//! Checking participants in at the door (by QR code or by resident).

use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, entity::prelude::*, sea_query::Expr,
};

use crate::{DomainError, kernel::Actor};

use super::{SignupStatus, listing::get, signup};

/// How a check-in names the participant.
#[derive(Debug, Clone)]
pub enum CheckIn {
    /// The code from the resident's QR code.
    Code(String),
    /// The resident, picked by staff.
    Resident(Uuid),
}

/// A check-in's answer: the sign-up as stored, and whether it was checked in before (a second
/// scan, or a simultaneous one that lost), so the door can say "already checked in".
#[derive(Debug, Clone)]
pub struct CheckedIn {
    /// The sign-up.
    pub signup: signup::Model,
    /// It was already checked in.
    pub repeat: bool,
}

/// Checks a participant in (staff of the site, from an hour before the start to the end).
/// Idempotent: a second scan answers the same sign-up, counts once and says it is a repeat.
pub async fn check_in<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    who: CheckIn,
) -> Result<CheckedIn, DomainError> {
    let a = get(db, &actor.scope, activity_id).await?;
    actor.manage(a.site_id)?;
    let mut select = signup::Entity::find().filter(signup::Column::ActivityId.eq(activity_id));
    select = match &who {
        CheckIn::Code(code) => select.filter(signup::Column::Code.eq(code.as_str())),
        CheckIn::Resident(r) => select.filter(signup::Column::ResidentId.eq(*r)),
    };
    let s = select.one(db).await?.ok_or_else(|| match who {
        CheckIn::Code(_) => {
            DomainError::invalid("code", "no sign-up for this activity has this code")
        }
        CheckIn::Resident(_) => DomainError::NotFound,
    })?;
    match s.status {
        SignupStatus::Attended => {
            return Ok(CheckedIn {
                signup: s,
                repeat: true,
            });
        }
        SignupStatus::Confirmed => {}
        _ => {
            return Err(DomainError::conflict(
                "not_confirmed",
                "only residents with a seat check in",
            ));
        }
    }
    let now = Utc::now();
    if now < a.starts_at - Duration::hours(1) || now > a.ends_at {
        return Err(DomainError::conflict(
            "checkin_closed",
            "check-in opens an hour before the start and closes at the end",
        ));
    }
    let updated = signup::Entity::update_many()
        .col_expr(
            signup::Column::Status,
            Expr::value(SignupStatus::Attended.as_str()),
        )
        .col_expr(signup::Column::CheckedInAt, Expr::value(now))
        .col_expr(signup::Column::CheckedInBy, Expr::value(actor.account_id))
        .col_expr(signup::Column::UpdatedAt, Expr::value(now))
        .filter(signup::Column::Id.eq(s.id))
        .filter(signup::Column::Status.eq(SignupStatus::Confirmed.as_str()))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        tracing::debug!(signup = %s.id, "a simultaneous scan checked in first");
    }
    if updated.rows_affected == 1 {
        // Attendance that earns points files its claim, already registered.
        if let (Some(category), Some(points)) = (a.points_category, a.points_amount) {
            let attendance = crate::claims::Attendance {
                signup_id: s.id,
                resident_id: s.resident_id,
                activity_id: a.id,
                activity_title: a.title.clone(),
                category,
                points,
            };
            crate::claims::file_for_attendance(db, &attendance, actor).await?;
        }
    }
    // Answer what is stored, so every scan (this one, a simultaneous one, a later one) answers
    // the same, at the database's precision.
    let signup = signup::Entity::find_by_id(s.id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(CheckedIn {
        signup,
        repeat: updated.rows_affected != 1,
    })
}
