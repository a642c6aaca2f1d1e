//! The scheduled tasks of an activity: reminders before the start, no-shows after the end.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, entity::prelude::*,
    sea_query::Expr,
};

use crate::messaging::{
    events::{Audience, Fact, Notice, NoticeKind, NotificationRequested, Urgency},
    outbox, schedule,
    tasks::{FinishActivity, RemindActivity},
};

use super::{SignupStatus, activity, signup};
use crate::kernel::china_time;

pub(super) async fn schedule_tasks<C: ConnectionTrait>(
    db: &C,
    a: &activity::Model,
) -> Result<(), DbErr> {
    let now = Utc::now();
    for hours in [24i64, 2] {
        let at = a.starts_at - Duration::hours(hours);
        if at > now {
            schedule::task(
                db,
                &RemindActivity {
                    activity_id: a.id,
                    hours,
                    starts_at: a.starts_at,
                },
                at,
                Some(format!(
                    "activity:{}:remind:{hours}:{}",
                    a.id,
                    a.starts_at.timestamp()
                )),
            )
            .await?;
        }
    }
    schedule::task(
        db,
        &FinishActivity { activity_id: a.id },
        a.ends_at,
        Some(format!(
            "activity:{}:finish:{}",
            a.id,
            a.ends_at.timestamp()
        )),
    )
    .await
}

/// The reminder task: tells everyone with a seat (not cancelled, not waiting), once per
/// reminder; a task for a start time that has since moved does nothing.
pub async fn remind<C: ConnectionTrait>(
    db: &C,
    activity_id: Uuid,
    hours: i64,
    starts_at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let Some(a) = activity::Entity::find_by_id(activity_id).one(db).await? else {
        return Ok(0);
    };
    // Databases keep microseconds at most; compare at that precision.
    if a.starts_at.timestamp_micros() != starts_at.timestamp_micros() || a.finished {
        return Ok(0);
    }
    let residents: Vec<Uuid> = signup::Entity::find()
        .select_only()
        .column(signup::Column::ResidentId)
        .filter(signup::Column::ActivityId.eq(activity_id))
        .filter(signup::Column::Status.eq(SignupStatus::Confirmed.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    if residents.is_empty() {
        return Ok(0);
    }
    let when = if hours >= 24 {
        "明天"
    } else {
        "两小时后"
    };
    outbox::notify(
        db,
        NotificationRequested {
            site_id: a.site_id,
            category: "activity".into(),
            title: "活动提醒".into(),
            body: format!(
                "您报名的“{}”将于{}（{}）开始，地点：{}。请凭报名二维码签到。",
                a.title,
                when,
                china_time::notice(a.starts_at),
                a.place
            ),
            audience: Audience::Residents {
                resident_ids: residents.clone(),
            },
            urgency: Urgency::Normal,
            link: Some(format!("activity:{}", a.id)),
            notice: Some(Notice::new(
                NoticeKind::ActivityReminder,
                [
                    (Fact::Subject, a.title.clone()),
                    (Fact::Time, china_time::full(a.starts_at)),
                    (Fact::Place, a.place.clone()),
                    (Fact::Status, "即将开始".to_owned()),
                ],
            )),
        },
    )
    .await?;
    Ok(residents.len() as u64)
}

/// The end-of-activity task: everyone who had a seat and did not check in is a no-show.
pub async fn finish<C: ConnectionTrait>(db: &C, activity_id: Uuid) -> Result<u64, DbErr> {
    let Some(a) = activity::Entity::find_by_id(activity_id).one(db).await? else {
        return Ok(0);
    };
    if a.finished || a.ends_at > Utc::now() {
        return Ok(0);
    }
    let now = Utc::now();
    let no_shows = signup::Entity::update_many()
        .col_expr(
            signup::Column::Status,
            Expr::value(SignupStatus::NoShow.as_str()),
        )
        .col_expr(signup::Column::UpdatedAt, Expr::value(now))
        .filter(signup::Column::ActivityId.eq(activity_id))
        .filter(signup::Column::Status.eq(SignupStatus::Confirmed.as_str()))
        .exec(db)
        .await?;
    activity::Entity::update_many()
        .col_expr(activity::Column::Finished, Expr::value(true))
        .col_expr(activity::Column::UpdatedAt, Expr::value(now))
        .filter(activity::Column::Id.eq(activity_id))
        .exec(db)
        .await?;
    Ok(no_shows.rows_affected)
}
