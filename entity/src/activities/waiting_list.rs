//! The waiting list: places in it, tickets (PostgreSQL in one statement) and promotion to a seat.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    DomainError,
    kernel::Actor,
    messaging::{
        events::{Audience, Fact, Notice, NoticeKind, NotificationRequested, Urgency},
        outbox,
    },
};

use super::{SignupStatus, activity, signup};
use crate::kernel::china_time;

/// A waitlisted sign-up's place: 1 + those ahead of it.
pub async fn position<C: ConnectionTrait>(db: &C, s: &signup::Model) -> Result<Option<u64>, DbErr> {
    let (Some(ticket), SignupStatus::Waitlisted) = (s.waitlist_ticket, s.status) else {
        return Ok(None);
    };
    let ahead = signup::Entity::find()
        .filter(signup::Column::ActivityId.eq(s.activity_id))
        .filter(signup::Column::Status.eq(SignupStatus::Waitlisted.as_str()))
        .filter(signup::Column::WaitlistTicket.lt(ticket))
        .count(db)
        .await?;
    Ok(Some(ahead + 1))
}

/// The waiting-list places of a page of sign-ups, by sign-up id, in one query (the tickets of
/// everyone waiting ahead in the page's activities), where [`position`] per item would be N+1.
pub async fn positions<C: ConnectionTrait>(
    db: &C,
    page: &[signup::Model],
) -> Result<std::collections::HashMap<Uuid, u64>, DbErr> {
    let waiting: Vec<(Uuid, Uuid, i32)> = page
        .iter()
        .filter(|s| s.status == SignupStatus::Waitlisted)
        .filter_map(|s| Some((s.id, s.activity_id, s.waitlist_ticket?)))
        .collect();
    let Some(highest) = waiting.iter().map(|w| w.2).max() else {
        return Ok(std::collections::HashMap::new());
    };
    let activities: std::collections::BTreeSet<Uuid> = waiting.iter().map(|w| w.1).collect();
    let tickets: Vec<(Uuid, Option<i32>)> = signup::Entity::find()
        .select_only()
        .column(signup::Column::ActivityId)
        .column(signup::Column::WaitlistTicket)
        .filter(signup::Column::ActivityId.is_in(activities))
        .filter(signup::Column::Status.eq(SignupStatus::Waitlisted.as_str()))
        .filter(signup::Column::WaitlistTicket.lt(highest))
        .into_tuple()
        .all(db)
        .await?;
    let mut ahead: std::collections::HashMap<Uuid, Vec<i32>> = std::collections::HashMap::new();
    for (activity, ticket) in tickets {
        if let Some(ticket) = ticket {
            ahead.entry(activity).or_default().push(ticket);
        }
    }
    for list in ahead.values_mut() {
        list.sort_unstable();
    }
    Ok(waiting
        .into_iter()
        .map(|(id, activity, ticket)| {
            let before = ahead
                .get(&activity)
                .map_or(0, |list| list.partition_point(|t| *t < ticket));
            (id, before as u64 + 1)
        })
        .collect())
}

/// PostgreSQL: takes a waiting-list ticket (only while the activity is still full) and writes the
/// sign-up row (new, or a cancelled one taken up again) in one statement. `None`: the activity
/// was no longer full; `Some((ticket, left, None))`: a live sign-up already exists.
#[expect(clippy::too_many_arguments, reason = "one statement's bind values")]
pub(super) async fn ticket_and_row<C: ConnectionTrait>(
    db: &C,
    activity_id: Uuid,
    resident_id: Uuid,
    site_id: Uuid,
    actor: &Actor,
    on_behalf: bool,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i32, i32, Option<Uuid>)>, DbErr> {
    const SQL: &str = r#"
WITH t AS (
    UPDATE activity SET waitlist_next = waitlist_next + 1
    WHERE id = $1 AND confirmed >= capacity
    RETURNING waitlist_next, waitlist_left
), i AS (
    INSERT INTO activity_signup (id, activity_id, resident_id, site_id, status, waitlist_ticket,
        code, signed_up_by, on_behalf, promoted_at, checked_in_at, checked_in_by, cancelled_at,
        created_at, updated_at)
    SELECT $2, $1, $3, $4, 'waitlisted', t.waitlist_next, $5, $6, $7, NULL, NULL, NULL, NULL, $8, $8
    FROM t
    ON CONFLICT (activity_id, resident_id) DO UPDATE SET
        status = excluded.status, waitlist_ticket = excluded.waitlist_ticket,
        code = excluded.code, signed_up_by = excluded.signed_up_by,
        on_behalf = excluded.on_behalf, promoted_at = NULL, checked_in_at = NULL,
        checked_in_by = NULL, cancelled_at = NULL, created_at = excluded.created_at,
        updated_at = excluded.updated_at
    WHERE activity_signup.status = 'cancelled'
    RETURNING id
)
SELECT t.waitlist_next, t.waitlist_left, (SELECT id FROM i) AS id FROM t"#;
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            SQL,
            [
                activity_id.into(),
                Uuid::now_v7().into(),
                resident_id.into(),
                site_id.into(),
                code.into(),
                actor.account_id.into(),
                on_behalf.into(),
                now.into(),
            ],
        ))
        .await?;
    row.map(|row| {
        Ok((
            row.try_get("", "waitlist_next")?,
            row.try_get("", "waitlist_left")?,
            row.try_get("", "id")?,
        ))
    })
    .transpose()
}

/// Gives the first `seats` people on the waiting list a seat, in ticket order, and tells them
/// (urgent). The caller holds the activity row and has already counted the seats in `confirmed`.
pub(super) async fn promote<C: ConnectionTrait>(
    db: &C,
    a: &activity::Model,
    seats: u64,
) -> Result<u64, DomainError> {
    if seats == 0 {
        return Ok(0);
    }
    let next: Vec<signup::Model> = signup::Entity::find()
        .filter(signup::Column::ActivityId.eq(a.id))
        .filter(signup::Column::Status.eq(SignupStatus::Waitlisted.as_str()))
        .order_by_asc(signup::Column::WaitlistTicket)
        .limit(seats)
        .all(db)
        .await?;
    let now = Utc::now();
    for s in &next {
        let moved = signup::Entity::update_many()
            .col_expr(
                signup::Column::Status,
                Expr::value(SignupStatus::Confirmed.as_str()),
            )
            .col_expr(signup::Column::PromotedAt, Expr::value(now))
            .col_expr(signup::Column::UpdatedAt, Expr::value(now))
            .filter(signup::Column::Id.eq(s.id))
            .filter(signup::Column::Status.eq(SignupStatus::Waitlisted.as_str()))
            .exec(db)
            .await?;
        if moved.rows_affected != 1 {
            return Err(DomainError::conflict(
                "concurrent_change",
                "the waiting list changed meanwhile; retry",
            ));
        }
    }
    if !next.is_empty() {
        activity::Entity::update_many()
            .col_expr(
                activity::Column::WaitlistLeft,
                Expr::col(activity::Column::WaitlistLeft).add(next.len() as i32),
            )
            .filter(activity::Column::Id.eq(a.id))
            .exec(db)
            .await?;
        outbox::notify(
            db,
            NotificationRequested {
                site_id: a.site_id,
                category: "activity".into(),
                title: "候补成功".into(),
                body: format!(
                    "您已从候补名单转为正式报名：“{}”，{}，地点：{}。请准时参加。",
                    a.title,
                    china_time::notice(a.starts_at),
                    a.place
                ),
                audience: Audience::Residents {
                    resident_ids: next.iter().map(|s| s.resident_id).collect(),
                },
                urgency: Urgency::Urgent,
                link: Some(format!("activity:{}", a.id)),
                notice: Some(Notice::new(
                    NoticeKind::SeatOffered,
                    [
                        (Fact::Subject, a.title.clone()),
                        (Fact::Time, china_time::full(a.starts_at)),
                        (Fact::Place, a.place.clone()),
                        (Fact::Status, "候补成功".to_owned()),
                    ],
                )),
            },
        )
        .await?;
    }
    Ok(next.len() as u64)
}
