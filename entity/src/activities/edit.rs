//! Editing an activity: changed times and places are told to everyone signed up.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    DomainError,
    kernel::{Actor, china_time},
    messaging::{
        events::{Audience, NotificationRequested, Urgency},
        outbox,
    },
};

use super::{
    Schedule, SignupStatus, activity, listing::get, listing::waitlist_length,
    reminders::schedule_tasks, seats::set_capacity, signup,
};

/// Changes to an activity; `None` keeps a field. Also the API's `ActivityPatch` (its field docs
/// are the contract's descriptions); the route checks the texts and the seats, [`edit`] the rest.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ActivityPatch, description = "Changes to an activity: only the fields sent change.")]
pub struct ActivityEdit {
    /// Title (up to 100 characters).
    pub title: Option<String>,
    /// Description (up to 5,000 characters).
    pub description: Option<String>,
    /// Place (participants are told of a change).
    pub place: Option<String>,
    /// Contact.
    pub contact: Option<String>,
    /// Starts at (participants are told; reminders move).
    pub starts_at: Option<DateTime<Utc>>,
    /// Ends at.
    pub ends_at: Option<DateTime<Utc>>,
    /// Sign-up opens at.
    pub signup_opens_at: Option<DateTime<Utc>>,
    /// Sign-up closes at.
    pub signup_closes_at: Option<DateTime<Utc>>,
    /// Keep a waiting list when full (off only while nobody waits).
    #[serde(rename = "waitlist")]
    pub waitlist_enabled: Option<bool>,
    /// Seats: more promote from the waiting list at once; fewer than are taken is 409.
    pub capacity: Option<i32>,
}

/// Edits an activity (staff of its site) before it ends. A new time or place is told to everyone
/// signed up (seats and waiting list) and moves the reminders; a waiting list can only be turned
/// off while nobody waits (409 `waitlist_not_empty`).
pub async fn edit<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    change: ActivityEdit,
) -> Result<activity::Model, DomainError> {
    let a = get(db, &actor.scope, activity_id).await?;
    actor.manage(a.site_id)?;
    let now = Utc::now();
    if a.finished || a.ends_at <= now {
        return Err(DomainError::conflict(
            "activity_over",
            "an activity that has ended cannot be changed",
        ));
    }
    let schedule = Schedule::new(
        [
            change.starts_at.unwrap_or(a.starts_at),
            change.ends_at.unwrap_or(a.ends_at),
            change.signup_opens_at.unwrap_or(a.signup_opens_at),
            change.signup_closes_at.unwrap_or(a.signup_closes_at),
        ],
        now,
        Some([a.starts_at, a.ends_at]),
    )
    .map_err(DomainError::Invalid)?;
    let moved = schedule.moved_from(Some([a.starts_at, a.ends_at]));
    let waitlist = change.waitlist_enabled.unwrap_or(a.waitlist_enabled);
    if !waitlist && a.waitlist_enabled && waitlist_length(db, activity_id).await? > 0 {
        return Err(DomainError::conflict(
            "waitlist_not_empty",
            "residents are waiting; the waiting list cannot be turned off",
        ));
    }
    let place_changed = change.place.as_ref().is_some_and(|p| *p != a.place);
    DomainError::update_one(
        activity::Entity::update_many()
            .col_expr(
                activity::Column::Title,
                Expr::value(change.title.unwrap_or(a.title.clone())),
            )
            .col_expr(
                activity::Column::Description,
                Expr::value(change.description.unwrap_or(a.description.clone())),
            )
            .col_expr(
                activity::Column::Place,
                Expr::value(change.place.unwrap_or(a.place.clone())),
            )
            .col_expr(
                activity::Column::Contact,
                Expr::value(change.contact.unwrap_or(a.contact.clone())),
            )
            .col_expr(
                activity::Column::StartsAt,
                Expr::value(schedule.starts_at()),
            )
            .col_expr(activity::Column::EndsAt, Expr::value(schedule.ends_at()))
            .col_expr(
                activity::Column::SignupOpensAt,
                Expr::value(schedule.signup_opens_at()),
            )
            .col_expr(
                activity::Column::SignupClosesAt,
                Expr::value(schedule.signup_closes_at()),
            )
            .col_expr(activity::Column::WaitlistEnabled, Expr::value(waitlist))
            .col_expr(
                activity::Column::Version,
                Expr::col(activity::Column::Version).add(1),
            )
            .col_expr(activity::Column::UpdatedAt, Expr::value(now))
            .filter(activity::Column::Id.eq(activity_id))
            .filter(activity::Column::Version.eq(a.version)),
        db,
        "the activity changed meanwhile; read it again",
    )
    .await?;
    actor
        .audit(a.site_id, "activity.edit", "activity", activity_id)
        .record(db)
        .await?;
    let current = match change.capacity {
        Some(capacity) if capacity != a.capacity => {
            set_capacity(db, actor, activity_id, capacity).await?
        }
        _ => activity::Entity::find_by_id(activity_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound)?,
    };
    if moved || place_changed {
        schedule_tasks(db, &current).await?;
        let told: Vec<Uuid> = signup::Entity::find()
            .select_only()
            .column(signup::Column::ResidentId)
            .filter(signup::Column::ActivityId.eq(activity_id))
            .filter(signup::Column::Status.is_in([
                SignupStatus::Confirmed.as_str(),
                SignupStatus::Waitlisted.as_str(),
            ]))
            .into_tuple()
            .all(db)
            .await?;
        if !told.is_empty() {
            outbox::notify(
                db,
                NotificationRequested {
                    site_id: current.site_id,
                    category: "activity".into(),
                    title: "活动变更".into(),
                    body: format!(
                        "您报名的“{}”有变更：时间 {}，地点：{}。",
                        current.title,
                        china_time::notice(current.starts_at),
                        current.place
                    ),
                    audience: Audience::Residents { resident_ids: told },
                    urgency: Urgency::Urgent,
                    link: Some(format!("activity:{}", current.id)),
                    notice: None,
                },
            )
            .await?;
        }
    }
    Ok(current)
}
