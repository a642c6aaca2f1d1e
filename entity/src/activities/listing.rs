//! What a caller may see: one activity, the activity list, sign-up lists.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, entity::prelude::*,
};

use crate::{
    DomainError,
    kernel::{Actor, Role, Scope},
    page::{Page, PageRequest},
    registry::resident,
};

use super::{ActivityKind, SignupStatus, activity, audience, signup};

/// The groups whose activities a caller sees (and may sign residents up for): `None` for staff
/// (the whole site), the own group and led groups for residents and leaders.
fn reach(scope: &Scope) -> (Option<Uuid>, Option<Vec<Uuid>>) {
    match scope {
        Scope::All => (None, None),
        Scope::Site(s) => (Some(*s), None),
        Scope::Groups {
            site_id,
            group_ids,
            own,
        } => {
            let mut groups = group_ids.clone();
            groups.push(own.group_id);
            (Some(*site_id), Some(groups))
        }
        Scope::Own(own) => (Some(own.site_id), Some(vec![own.group_id])),
        Scope::Nothing => (Some(Uuid::nil()), Some(Vec::new())),
    }
}

/// The condition on activities for groups (whole-site ones, or ones naming a group).
fn for_groups(groups: Vec<Uuid>) -> Condition {
    Condition::any()
        .add(activity::Column::WholeSite.eq(true))
        .add(
            activity::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(audience::Column::ActivityId)
                    .from(audience::Entity)
                    .and_where(audience::Column::GroupId.is_in(groups))
                    .to_owned(),
            ),
        )
}

fn visible(scope: &Scope) -> Condition {
    let (site, groups) = reach(scope);
    let mut condition = Condition::all();
    if let Some(site) = site {
        condition = condition.add(activity::Column::SiteId.eq(site));
    }
    if let Some(groups) = groups {
        condition = condition.add(for_groups(groups));
    }
    condition
}

/// One activity the caller may see.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<activity::Model, DomainError> {
    activity::Entity::find_by_id(id)
        .filter(visible(scope))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// How long the waiting list is.
pub async fn waitlist_length<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<u64, DbErr> {
    signup::Entity::find()
        .filter(signup::Column::ActivityId.eq(id))
        .filter(signup::Column::Status.eq(SignupStatus::Waitlisted.as_str()))
        .count(db)
        .await
}

/// Filters of the activity list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Only this kind.
    pub kind: Option<ActivityKind>,
    /// Starting at or after (default: activities not yet ended).
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
}

/// Activities the caller may see, soonest first (keyset on start time and id).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ActivityFilter,
    page: &PageRequest<(DateTime<Utc>, Uuid)>,
) -> Result<Page<activity::Model>, DbErr> {
    let mut select = activity::Entity::find()
        .filter(visible(scope))
        .order_by_asc(activity::Column::StartsAt)
        .order_by_asc(activity::Column::Id)
        .limit(page.fetch());
    match filter.from {
        Some(from) => select = select.filter(activity::Column::StartsAt.gte(from)),
        None => select = select.filter(activity::Column::EndsAt.gt(Utc::now())),
    }
    if let Some(to) = filter.to {
        select = select.filter(activity::Column::StartsAt.lt(to));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(activity::Column::Kind.eq(kind.as_str()));
    }
    if let Some((at, id)) = page.after() {
        select = select.filter(
            Condition::any()
                .add(activity::Column::StartsAt.gt(*at))
                .add(
                    Condition::all()
                        .add(activity::Column::StartsAt.eq(*at))
                        .add(activity::Column::Id.gt(*id)),
                ),
        );
    }
    Ok(Page::from_rows(page, select.all(db).await?, |a| {
        (a.starts_at, a.id)
    }))
}

/// What a site's public board (the job kiosk) shows: activities open to the whole site that have
/// not ended and start within `days`, soonest first, at most `limit`.
pub async fn on_board<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
    days: i64,
    limit: u64,
) -> Result<Vec<activity::Model>, DbErr> {
    let now = Utc::now();
    activity::Entity::find()
        .filter(activity::Column::SiteId.eq(site_id))
        .filter(activity::Column::WholeSite.eq(true))
        .filter(activity::Column::EndsAt.gt(now))
        .filter(activity::Column::StartsAt.lt(now + chrono::Duration::days(days)))
        .order_by_asc(activity::Column::StartsAt)
        .order_by_asc(activity::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Sign-ups of an activity (staff of the site; leaders see their groups' residents), in list
/// order: seats first, then the waiting list by ticket.
pub async fn signups<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    status: Option<SignupStatus>,
    page: &PageRequest<Uuid>,
) -> Result<Page<signup::Model>, DomainError> {
    let a = get(db, &actor.scope, activity_id).await?;
    if !matches!(
        actor.role,
        Role::Staff | Role::SiteAdmin | Role::PlatformAdmin | Role::GroupLeader
    ) {
        return Err(DomainError::Forbidden(
            "only staff and group leaders list participants",
        ));
    }
    let mut select = signup::Entity::find()
        .filter(signup::Column::ActivityId.eq(a.id))
        .filter(
            signup::Column::ResidentId.in_subquery(
                resident::Entity::find()
                    .select_only()
                    .column(resident::Column::Id)
                    .filter(actor.scope.residents())
                    .into_query(),
            ),
        );
    if let Some(status) = status {
        select = select.filter(signup::Column::Status.eq(status.as_str()));
    }
    Ok(Page::from_rows(
        page,
        page.by_id(select, signup::Column::Id, Order::Asc)
            .all(db)
            .await?,
        |s| s.id,
    ))
}

/// A resident's sign-ups, newest first.
pub async fn of_resident<C: ConnectionTrait>(
    db: &C,
    resident_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<Page<signup::Model>, DbErr> {
    let select = signup::Entity::find().filter(signup::Column::ResidentId.eq(resident_id));
    Ok(Page::from_rows(
        page,
        page.by_id(select, signup::Column::Id, Order::Desc)
            .all(db)
            .await?,
        |s| s.id,
    ))
}
