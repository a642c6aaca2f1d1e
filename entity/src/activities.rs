//! Activities: trainings, lectures, performances, volunteer service, job fairs (就业进社区).
//!
//! Seats are never overbooked, under any concurrency, on either database: every sign-up,
//! cancellation and capacity change starts with a guarded `UPDATE` of the activity row
//! (`confirmed < capacity`, a `CHECK` backs it), which also serializes them per activity on
//! PostgreSQL; SQLite has a single writer. A cancelled seat goes to the first person on the
//! waiting list in the same transaction, so a seat is never free while someone waits.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

use crate::{
    DomainError,
    audit::{self, AuditEntry},
    crypto::random_bytes,
    kernel::Actor,
    kernel::Role,
    kernel::Scope,
    messaging::{
        Event,
        events::{Audience, NotificationRequested, Urgency},
        outbox, schedule,
    },
    page::{Page, PageRequest},
    registry::{resident, resident_group, site},
};

/// An activity.
pub mod activity {
    use sea_orm::entity::prelude::*;

    /// An activity of a site.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "activity")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The site.
        pub site_id: Uuid,
        /// Title.
        pub title: String,
        /// Description.
        pub description: String,
        /// See [`super::ActivityKind`].
        pub kind: super::ActivityKind,
        /// Where.
        pub place: String,
        /// Starts at.
        pub starts_at: DateTimeUtc,
        /// Ends at.
        pub ends_at: DateTimeUtc,
        /// Sign-up opens at.
        pub signup_opens_at: DateTimeUtc,
        /// Sign-up closes at.
        pub signup_closes_at: DateTimeUtc,
        /// Seats.
        pub capacity: i32,
        /// Seats taken.
        pub confirmed: i32,
        /// The last waiting-list ticket handed out.
        pub waitlist_next: i32,
        /// Tickets that have left the waiting list (promoted or cancelled).
        pub waitlist_left: i32,
        /// Whether a full activity takes a waiting list.
        pub waitlist_enabled: bool,
        /// Open to the whole site (otherwise to the groups in `activity_audience`).
        pub whole_site: bool,
        /// Contact.
        pub contact: String,
        /// Points category awarded for attendance (used by the points scheme).
        pub points_category: Option<crate::points::Category>,
        /// Points awarded for attendance.
        pub points_amount: Option<i32>,
        /// Employers taking part (job fairs), a JSON array of ids.
        pub employer_ids: Json,
        /// Attendance recorded after the end.
        pub finished: bool,
        /// Created by.
        pub created_by: Uuid,
        /// Incremented on every change.
        pub version: i32,
        /// Created at.
        pub created_at: DateTimeUtc,
        /// Changed at.
        pub updated_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The groups an activity is for, when not the whole site.
pub mod audience {
    use sea_orm::entity::prelude::*;

    /// One group an activity is for.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "activity_audience")]
    pub struct Model {
        /// The activity.
        #[sea_orm(primary_key, auto_increment = false)]
        pub activity_id: Uuid,
        /// The group.
        #[sea_orm(primary_key, auto_increment = false)]
        pub group_id: Uuid,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A resident's sign-up.
pub mod signup {
    use sea_orm::entity::prelude::*;

    /// A resident's place (or ticket on the waiting list) for an activity.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "activity_signup")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The activity.
        pub activity_id: Uuid,
        /// The resident.
        pub resident_id: Uuid,
        /// The resident's site.
        pub site_id: Uuid,
        /// See [`super::SignupStatus`].
        pub status: super::SignupStatus,
        /// Waiting-list ticket (order of the list).
        pub waitlist_ticket: Option<i32>,
        /// The check-in code (the content of the resident's QR code).
        pub code: String,
        /// Who signed up (the resident, its leader or staff).
        pub signed_up_by: Uuid,
        /// Signed up by someone else for the resident.
        pub on_behalf: bool,
        /// Moved from the waiting list to a seat at.
        pub promoted_at: Option<DateTimeUtc>,
        /// Checked in at.
        pub checked_in_at: Option<DateTimeUtc>,
        /// Checked in by.
        pub checked_in_by: Option<Uuid>,
        /// Cancelled at.
        pub cancelled_at: Option<DateTimeUtc>,
        /// Created at.
        pub created_at: DateTimeUtc,
        /// Changed at.
        pub updated_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

string_enum!(
    /// What kind of activity.
    ActivityKind {
        /// Skills training.
        Training => "training",
        /// A lecture (policy, health, law).
        Lecture => "lecture",
        /// A performance by a cultural troupe.
        Performance => "performance",
        /// Volunteer service.
        VolunteerService => "volunteer_service",
        /// A job fair (就业进社区).
        JobFair => "job_fair",
        /// A film screening.
        Screening => "screening",
        /// Sports.
        Sports => "sports",
    }
);

string_enum!(
    /// Where a sign-up stands.
    SignupStatus {
        /// Has a seat.
        Confirmed => "confirmed",
        /// On the waiting list.
        Waitlisted => "waitlisted",
        /// Cancelled (by the resident, its leader or staff).
        Cancelled => "cancelled",
        /// Checked in.
        Attended => "attended",
        /// Had a seat and did not come (recorded after the end).
        NoShow => "no_show",
    }
);

/// The reminder task kind (24 h and 2 h before the start).
pub const REMIND_TASK: &str = "activity.remind";
/// The task kind that records no-shows after the end.
pub const FINISH_TASK: &str = "activity.finish";

/// An activity's content, validated.
#[derive(Debug, Clone)]
pub struct ActivityContent {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Kind.
    pub kind: ActivityKind,
    /// Place.
    pub place: String,
    /// Starts at.
    pub starts_at: DateTime<Utc>,
    /// Ends at.
    pub ends_at: DateTime<Utc>,
    /// Sign-up opens at.
    pub signup_opens_at: DateTime<Utc>,
    /// Sign-up closes at.
    pub signup_closes_at: DateTime<Utc>,
    /// Seats.
    pub capacity: i32,
    /// Waiting list on or off.
    pub waitlist_enabled: bool,
    /// Contact.
    pub contact: String,
    /// Points for attendance: category and amount.
    pub points: Option<(crate::points::Category, i32)>,
    /// Employers taking part (job fairs).
    pub employer_ids: Vec<Uuid>,
}

/// Who an activity is for within its site.
#[derive(Debug, Clone, Default)]
pub struct AudienceSpec {
    /// These committees (all their groups).
    pub committee_ids: Vec<Uuid>,
    /// These groups.
    pub group_ids: Vec<Uuid>,
}

fn audit_entry(actor: &Actor, site_id: Uuid, action: &'static str, id: Uuid) -> AuditEntry {
    AuditEntry {
        site_id: Some(site_id),
        actor_account_id: Some(actor.account_id),
        actor_role: actor.role.as_str().to_owned(),
        on_behalf_of: None,
        action,
        target_type: "activity",
        target_id: Some(id),
        reason: None,
        details: json!({}),
    }
}

/// Expands committees into their groups and checks every group belongs to the site.
async fn audience_groups<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
    spec: &AudienceSpec,
) -> Result<Vec<Uuid>, DomainError> {
    let mut groups: Vec<Uuid> = resident_group::Entity::find()
        .select_only()
        .column(resident_group::Column::Id)
        .filter(resident_group::Column::SiteId.eq(site_id))
        .filter(
            Condition::any()
                .add(resident_group::Column::Id.is_in(spec.group_ids.clone()))
                .add(resident_group::Column::CommitteeId.is_in(spec.committee_ids.clone())),
        )
        .into_tuple()
        .all(db)
        .await?;
    let named = spec.group_ids.len();
    let found_named = spec.group_ids.iter().filter(|g| groups.contains(g)).count();
    if found_named != named {
        return Err(DomainError::invalid(
            "audience.group_ids",
            "every group must belong to the activity's site",
        ));
    }
    if !spec.committee_ids.is_empty() && groups.len() == found_named {
        return Err(DomainError::invalid(
            "audience.committee_ids",
            "no groups in these committees of the site",
        ));
    }
    groups.sort();
    groups.dedup();
    Ok(groups)
}

async fn schedule_tasks<C: ConnectionTrait>(db: &C, a: &activity::Model) -> Result<(), DbErr> {
    let now = Utc::now();
    for hours in [24i64, 2] {
        let at = a.starts_at - Duration::hours(hours);
        if at > now {
            schedule::schedule(
                db,
                REMIND_TASK,
                json!({ "activity_id": a.id, "hours": hours, "starts_at": a.starts_at }),
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
    schedule::schedule(
        db,
        FINISH_TASK,
        json!({ "activity_id": a.id }),
        a.ends_at,
        Some(format!(
            "activity:{}:finish:{}",
            a.id,
            a.ends_at.timestamp()
        )),
    )
    .await
}

/// Creates an activity (staff of its site).
pub async fn create<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    site_id: Uuid,
    content: ActivityContent,
    spec: &AudienceSpec,
) -> Result<activity::Model, DomainError> {
    actor.manage(site_id)?;
    site::Entity::find_by_id(site_id)
        .filter(actor.scope.sites())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let groups = audience_groups(db, site_id, spec).await?;
    let now = Utc::now();
    let model = activity::Model {
        id: Uuid::now_v7(),
        site_id,
        title: content.title,
        description: content.description,
        kind: content.kind,
        place: content.place,
        starts_at: content.starts_at,
        ends_at: content.ends_at,
        signup_opens_at: content.signup_opens_at,
        signup_closes_at: content.signup_closes_at,
        capacity: content.capacity,
        confirmed: 0,
        waitlist_next: 0,
        waitlist_left: 0,
        waitlist_enabled: content.waitlist_enabled,
        whole_site: groups.is_empty(),
        contact: content.contact,
        points_category: content.points.as_ref().map(|(c, _)| *c),
        points_amount: content.points.as_ref().map(|(_, n)| *n),
        employer_ids: json!(content.employer_ids),
        finished: false,
        created_by: actor.account_id,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    activity::Entity::insert(activity::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    if !groups.is_empty() {
        audience::Entity::insert_many(groups.iter().map(|g| audience::ActiveModel {
            activity_id: Set(model.id),
            group_id: Set(*g),
        }))
        .exec_without_returning(db)
        .await?;
    }
    schedule_tasks(db, &model).await?;
    audit::record(db, audit_entry(actor, site_id, "activity.create", model.id)).await?;
    Ok(model)
}

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

/// What a sign-up came to.
#[derive(Debug, Clone)]
pub struct SignupOutcome {
    /// The sign-up.
    pub signup: signup::Model,
    /// Its place on the waiting list (1 is next), when waitlisted.
    pub position: Option<u64>,
}

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

/// Where a resident lives, as far as sign-ups care.
struct Target {
    site_id: Uuid,
    on_behalf: bool,
}

/// Finds the resident within the actor's reach (the caller itself needs no query: its token's
/// principal already holds its site and group) and checks it is in the activity's audience.
async fn resident_for<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    a: &activity::Model,
    resident_id: Uuid,
) -> Result<Target, DomainError> {
    let own = match &actor.scope {
        Scope::Own(own) | Scope::Groups { own, .. } if own.resident_id == resident_id => Some(*own),
        _ => None,
    };
    let (site_id, group_id, on_behalf) = match (own, actor.role) {
        (Some(own), _) => (own.site_id, own.group_id, false),
        (None, Role::GroupLeader | Role::Staff | Role::SiteAdmin | Role::PlatformAdmin) => {
            let (site, group): (Uuid, Uuid) = resident::Entity::find_by_id(resident_id)
                .select_only()
                .column(resident::Column::SiteId)
                .column(resident::Column::GroupId)
                .filter(actor.scope.residents())
                .into_tuple()
                .one(db)
                .await?
                .ok_or(DomainError::NotFound)?;
            (site, group, true)
        }
        (None, Role::Resident) => return Err(DomainError::NotFound),
        _ => {
            return Err(DomainError::Forbidden(
                "this role does not sign residents up",
            ));
        }
    };
    let in_audience = site_id == a.site_id
        && (a.whole_site
            || audience::Entity::find_by_id((a.id, group_id))
                .one(db)
                .await?
                .is_some());
    if !in_audience {
        return Err(DomainError::NotFound);
    }
    Ok(Target { site_id, on_behalf })
}

fn check_in_code() -> Result<String, crate::crypto::RandomUnavailable> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<12>()?))
}

/// Signs a resident up: a seat while there is one, else a waiting-list ticket (when the list is
/// on). A second sign-up is 409 `already_signed_up`; outside the window 409 `signup_closed`;
/// outside the audience 404; full without a waiting list 409 `activity_full`.
pub async fn sign_up<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    resident_id: Uuid,
) -> Result<SignupOutcome, DomainError> {
    let a = get(db, &actor.scope, activity_id).await?;
    let Target { site_id, on_behalf } = resident_for(db, actor, &a, resident_id).await?;
    let now = Utc::now();
    if now < a.signup_opens_at || now > a.signup_closes_at || a.finished {
        return Err(DomainError::conflict(
            "signup_closed",
            "sign-up for this activity is not open",
        ));
    }
    // The guarded seat: a row only when one is free. A full activity then hands out a ticket
    // under the same row lock, re-checking that it is still full (a cancellation may have freed a
    // seat meanwhile: then the loop takes the seat).
    let mut ticket = None;
    // When the activity already looked full, go straight for a ticket (the ticket statement
    // re-checks fullness under the lock, and a freed seat sends us back to the seat): during a
    // burst that saves most sign-ups a statement.
    let mut try_seat = a.confirmed < a.capacity || !a.waitlist_enabled;
    let mut seated = false;
    let mut written: Option<Uuid> = None;
    let code = check_in_code()?;
    for _ in 0..3 {
        if try_seat {
            let seat = activity::Entity::update_many()
                .col_expr(
                    activity::Column::Confirmed,
                    Expr::col(activity::Column::Confirmed).add(1),
                )
                .filter(activity::Column::Id.eq(activity_id))
                .filter(
                    Expr::col(activity::Column::Confirmed)
                        .lt(Expr::col(activity::Column::Capacity)),
                )
                .exec(db)
                .await?;
            if seat.rows_affected == 1 {
                seated = true;
                break;
            }
        }
        try_seat = true;
        if !a.waitlist_enabled {
            return Err(DomainError::conflict(
                "activity_full",
                "no seats are left and this activity keeps no waiting list",
            ));
        }
        // Under the row lock taken by this statement, every ticket below ours has either left
        // (counted in `waitlist_left`) or is still waiting ahead of us: our place needs no count.
        let mut queue = sea_orm::sea_query::Query::update();
        queue
            .table(activity::Entity)
            .value(
                activity::Column::WaitlistNext,
                Expr::col(activity::Column::WaitlistNext).add(1),
            )
            .and_where(activity::Column::Id.eq(activity_id))
            .and_where(
                Expr::col(activity::Column::Confirmed).gte(Expr::col(activity::Column::Capacity)),
            )
            .returning(sea_orm::sea_query::Query::returning().columns([
                activity::Column::WaitlistNext,
                activity::Column::WaitlistLeft,
            ]));
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            // On PostgreSQL the ticket and the sign-up row go in one statement, so the row lock
            // is held for one round trip (and the commit) instead of two.
            if let Some((next, left, id)) = ticket_and_row(
                db,
                activity_id,
                resident_id,
                site_id,
                actor,
                on_behalf,
                &code,
                now,
            )
            .await?
            {
                let id = id.ok_or_else(already_signed_up)?;
                ticket = Some((next, u64::try_from(next - left).unwrap_or(1)));
                written = Some(id);
                break;
            }
            continue;
        }
        if let Some(row) = db.query_one(&queue).await? {
            let next: i32 = row.try_get("", "waitlist_next")?;
            let left: i32 = row.try_get("", "waitlist_left")?;
            ticket = Some((next, u64::try_from(next - left).unwrap_or(1)));
            break;
        }
    }
    if !seated && ticket.is_none() {
        // Seats freed and taken again between our statements three times over: rare enough to
        // leave to the client's retry.
        return Err(DomainError::conflict(
            "concurrent_change",
            "seats changed while signing up; retry",
        ));
    }
    let (ticket, place) = (ticket.map(|(t, _)| t), ticket.map(|(_, p)| p));
    let status = if ticket.is_some() {
        SignupStatus::Waitlisted
    } else {
        SignupStatus::Confirmed
    };
    let mut model = signup::Model {
        id: Uuid::now_v7(),
        activity_id,
        resident_id,
        site_id,
        status,
        waitlist_ticket: ticket,
        code,
        signed_up_by: actor.account_id,
        on_behalf,
        promoted_at: None,
        checked_in_at: None,
        checked_in_by: None,
        cancelled_at: None,
        created_at: now,
        updated_at: now,
    };
    model.id = match written {
        Some(id) => id,
        None => write_row(db, &model).await?,
    };
    if on_behalf {
        audit::record(
            db,
            AuditEntry {
                on_behalf_of: Some(resident_id),
                details: json!({ "status": status.as_str() }),
                ..audit_entry(actor, a.site_id, "activity.signup", activity_id)
            },
        )
        .await?;
    }
    Ok(SignupOutcome {
        signup: model,
        position: place,
    })
}

/// Writes a sign-up row; returns its id.
async fn write_row<C: ConnectionTrait>(db: &C, model: &signup::Model) -> Result<Uuid, DomainError> {
    // One statement: a new sign-up, or a cancelled one taken up again (same row); a live one
    // already there returns nothing, and this transaction, seat or ticket included, is dropped.
    let mut insert = sea_orm::sea_query::Query::insert();
    insert
        .into_table(signup::Entity)
        .columns([
            signup::Column::Id,
            signup::Column::ActivityId,
            signup::Column::ResidentId,
            signup::Column::SiteId,
            signup::Column::Status,
            signup::Column::WaitlistTicket,
            signup::Column::Code,
            signup::Column::SignedUpBy,
            signup::Column::OnBehalf,
            signup::Column::PromotedAt,
            signup::Column::CheckedInAt,
            signup::Column::CheckedInBy,
            signup::Column::CancelledAt,
            signup::Column::CreatedAt,
            signup::Column::UpdatedAt,
        ])
        .values([
            model.id.into(),
            model.activity_id.into(),
            model.resident_id.into(),
            model.site_id.into(),
            model.status.into(),
            model.waitlist_ticket.into(),
            model.code.clone().into(),
            model.signed_up_by.into(),
            model.on_behalf.into(),
            Option::<DateTime<Utc>>::None.into(),
            Option::<DateTime<Utc>>::None.into(),
            Option::<Uuid>::None.into(),
            Option::<DateTime<Utc>>::None.into(),
            model.created_at.into(),
            model.updated_at.into(),
        ])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                signup::Column::ActivityId,
                signup::Column::ResidentId,
            ])
            .update_columns([
                signup::Column::Status,
                signup::Column::WaitlistTicket,
                signup::Column::Code,
                signup::Column::SignedUpBy,
                signup::Column::OnBehalf,
                signup::Column::PromotedAt,
                signup::Column::CheckedInAt,
                signup::Column::CheckedInBy,
                signup::Column::CancelledAt,
                signup::Column::CreatedAt,
                signup::Column::UpdatedAt,
            ])
            .action_and_where(
                Expr::col((signup::Entity, signup::Column::Status))
                    .eq(SignupStatus::Cancelled.as_str()),
            )
            .to_owned(),
        )
        .returning(sea_orm::sea_query::Query::returning().column(signup::Column::Id));
    let row = db.query_one(&insert).await?.ok_or_else(already_signed_up)?;
    Ok(row.try_get("", "id")?)
}

fn already_signed_up() -> DomainError {
    DomainError::conflict("already_signed_up", "this resident is already signed up")
}

/// PostgreSQL: takes a waiting-list ticket (only while the activity is still full) and writes the
/// sign-up row (new, or a cancelled one taken up again) in one statement. `None`: the activity
/// was no longer full; `Some((ticket, left, None))`: a live sign-up already exists.
#[expect(clippy::too_many_arguments, reason = "one statement's bind values")]
async fn ticket_and_row<C: ConnectionTrait>(
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
async fn promote<C: ConnectionTrait>(
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
        outbox::record(
            db,
            Event::NotificationRequested(NotificationRequested {
                site_id: a.site_id,
                category: "activity".into(),
                title: "候补成功".into(),
                body: format!(
                    "您已从候补名单转为正式报名：“{}”，{}，地点：{}。请准时参加。",
                    a.title,
                    china_time(a.starts_at),
                    a.place
                ),
                audience: Audience::Residents {
                    resident_ids: next.iter().map(|s| s.resident_id).collect(),
                },
                urgency: Urgency::Urgent,
                link: Some(format!("activity:{}", a.id)),
            }),
        )
        .await?;
    }
    Ok(next.len() as u64)
}

/// `M月D日 HH:MM` in China time, for notices.
pub fn china_time(at: DateTime<Utc>) -> String {
    crate::kernel::china_time::notice(at)
}

/// Cancels a sign-up (the resident, its leader or staff): a freed seat goes to the first person
/// waiting, in the same transaction; leaving the waiting list is also a cancel.
pub async fn cancel<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    resident_id: Uuid,
) -> Result<signup::Model, DomainError> {
    let a = get(db, &actor.scope, activity_id).await?;
    let Target { on_behalf, .. } = resident_for(db, actor, &a, resident_id).await?;
    // Hold the activity row first: sign-ups and other cancellations of it wait for us.
    activity::Entity::update_many()
        .col_expr(activity::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(activity::Column::Id.eq(activity_id))
        .exec(db)
        .await?;
    let s = signup::Entity::find()
        .filter(signup::Column::ActivityId.eq(activity_id))
        .filter(signup::Column::ResidentId.eq(resident_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let status = s.status;
    if !matches!(status, SignupStatus::Confirmed | SignupStatus::Waitlisted) || a.finished {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a sign-up that is {} cannot be cancelled", status.as_str()),
        ));
    }
    let now = Utc::now();
    signup::Entity::update_many()
        .col_expr(
            signup::Column::Status,
            Expr::value(SignupStatus::Cancelled.as_str()),
        )
        .col_expr(signup::Column::CancelledAt, Expr::value(now))
        .col_expr(signup::Column::UpdatedAt, Expr::value(now))
        .filter(signup::Column::Id.eq(s.id))
        .exec(db)
        .await?;
    if status == SignupStatus::Waitlisted {
        activity::Entity::update_many()
            .col_expr(
                activity::Column::WaitlistLeft,
                Expr::col(activity::Column::WaitlistLeft).add(1),
            )
            .filter(activity::Column::Id.eq(activity_id))
            .exec(db)
            .await?;
    }
    if status == SignupStatus::Confirmed {
        // The seat passes to the first person waiting; with nobody waiting it is freed.
        let promoted = promote(db, &a, 1).await?;
        if promoted == 0 {
            activity::Entity::update_many()
                .col_expr(
                    activity::Column::Confirmed,
                    Expr::col(activity::Column::Confirmed).sub(1),
                )
                .filter(activity::Column::Id.eq(activity_id))
                .exec(db)
                .await?;
        }
    }
    if on_behalf {
        audit::record(
            db,
            AuditEntry {
                on_behalf_of: Some(resident_id),
                ..audit_entry(actor, a.site_id, "activity.cancel", activity_id)
            },
        )
        .await?;
    }
    Ok(signup::Model {
        status: SignupStatus::Cancelled,
        cancelled_at: Some(now),
        updated_at: now,
        ..s
    })
}

/// Changes an activity's capacity (staff): more seats promote from the waiting list at once;
/// fewer than are taken is 409 `capacity_below_confirmed`.
pub async fn set_capacity<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    capacity: i32,
) -> Result<activity::Model, DomainError> {
    let a = get(db, &actor.scope, activity_id).await?;
    actor.manage(a.site_id)?;
    // Guarded: only when the new capacity still holds everyone confirmed.
    let changed = activity::Entity::update_many()
        .col_expr(activity::Column::Capacity, Expr::value(capacity))
        .col_expr(
            activity::Column::Version,
            Expr::col(activity::Column::Version).add(1),
        )
        .col_expr(activity::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(activity::Column::Id.eq(activity_id))
        .filter(activity::Column::Confirmed.lte(capacity))
        .exec(db)
        .await?;
    if changed.rows_affected != 1 {
        return Err(DomainError::conflict(
            "capacity_below_confirmed",
            "more residents already have a seat than the new capacity",
        ));
    }
    let current = activity::Entity::find_by_id(activity_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let free = u64::try_from(current.capacity - current.confirmed).unwrap_or(0);
    let promoted = promote(db, &current, free).await?;
    if promoted > 0 {
        activity::Entity::update_many()
            .col_expr(
                activity::Column::Confirmed,
                Expr::col(activity::Column::Confirmed).add(promoted as i32),
            )
            .filter(activity::Column::Id.eq(activity_id))
            .exec(db)
            .await?;
    }
    audit::record(
        db,
        AuditEntry {
            details: json!({ "capacity": capacity, "promoted": promoted }),
            ..audit_entry(actor, a.site_id, "activity.capacity", activity_id)
        },
    )
    .await?;
    activity::Entity::find_by_id(activity_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Changes to an activity; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ActivityEdit {
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Place.
    pub place: Option<String>,
    /// Contact.
    pub contact: Option<String>,
    /// Starts at.
    pub starts_at: Option<DateTime<Utc>>,
    /// Ends at.
    pub ends_at: Option<DateTime<Utc>>,
    /// Sign-up opens at.
    pub signup_opens_at: Option<DateTime<Utc>>,
    /// Sign-up closes at.
    pub signup_closes_at: Option<DateTime<Utc>>,
    /// Waiting list on or off.
    pub waitlist_enabled: Option<bool>,
    /// Seats (see [`set_capacity`]).
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
    let starts_at = change.starts_at.unwrap_or(a.starts_at);
    let ends_at = change.ends_at.unwrap_or(a.ends_at);
    let opens = change.signup_opens_at.unwrap_or(a.signup_opens_at);
    let closes = change.signup_closes_at.unwrap_or(a.signup_closes_at);
    let moved = starts_at != a.starts_at || ends_at != a.ends_at;
    let mut errors = std::collections::BTreeMap::new();
    if ends_at <= starts_at {
        errors.insert("ends_at".to_owned(), "must be after starts_at".to_owned());
    }
    if moved && starts_at <= now {
        errors.insert("starts_at".to_owned(), "must be in the future".to_owned());
    }
    if closes <= opens || closes > ends_at {
        errors.insert(
            "signup_closes_at".to_owned(),
            "must be after signup_opens_at and no later than ends_at".to_owned(),
        );
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let waitlist = change.waitlist_enabled.unwrap_or(a.waitlist_enabled);
    if !waitlist && a.waitlist_enabled && waitlist_length(db, activity_id).await? > 0 {
        return Err(DomainError::conflict(
            "waitlist_not_empty",
            "residents are waiting; the waiting list cannot be turned off",
        ));
    }
    let place_changed = change.place.as_ref().is_some_and(|p| *p != a.place);
    let updated = activity::Entity::update_many()
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
        .col_expr(activity::Column::StartsAt, Expr::value(starts_at))
        .col_expr(activity::Column::EndsAt, Expr::value(ends_at))
        .col_expr(activity::Column::SignupOpensAt, Expr::value(opens))
        .col_expr(activity::Column::SignupClosesAt, Expr::value(closes))
        .col_expr(activity::Column::WaitlistEnabled, Expr::value(waitlist))
        .col_expr(
            activity::Column::Version,
            Expr::col(activity::Column::Version).add(1),
        )
        .col_expr(activity::Column::UpdatedAt, Expr::value(now))
        .filter(activity::Column::Id.eq(activity_id))
        .filter(activity::Column::Version.eq(a.version))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(DomainError::conflict(
            "concurrent_change",
            "the activity changed meanwhile; read it again",
        ));
    }
    audit::record(
        db,
        audit_entry(actor, a.site_id, "activity.edit", activity_id),
    )
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
            outbox::record(
                db,
                Event::NotificationRequested(NotificationRequested {
                    site_id: current.site_id,
                    category: "activity".into(),
                    title: "活动变更".into(),
                    body: format!(
                        "您报名的“{}”有变更：时间 {}，地点：{}。",
                        current.title,
                        china_time(current.starts_at),
                        current.place
                    ),
                    audience: Audience::Residents { resident_ids: told },
                    urgency: Urgency::Urgent,
                    link: Some(format!("activity:{}", current.id)),
                }),
            )
            .await?;
        }
    }
    Ok(current)
}

/// How a check-in names the participant.
#[derive(Debug, Clone)]
pub enum CheckIn {
    /// The code from the resident's QR code.
    Code(String),
    /// The resident, picked by staff.
    Resident(Uuid),
}

/// Checks a participant in (staff of the site, from an hour before the start to the end).
/// Idempotent: a second scan answers the same sign-up and counts once.
pub async fn check_in<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    who: CheckIn,
) -> Result<signup::Model, DomainError> {
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
        SignupStatus::Attended => return Ok(s),
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
    signup::Entity::find_by_id(s.id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
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
        )
        .order_by_asc(signup::Column::Id)
        .limit(page.fetch());
    if let Some(status) = status {
        select = select.filter(signup::Column::Status.eq(status.as_str()));
    }
    if let Some(after) = page.after() {
        select = select.filter(signup::Column::Id.gt(*after));
    }
    Ok(Page::from_rows(page, select.all(db).await?, |s| s.id))
}

/// A resident's sign-ups, newest first.
pub async fn of_resident<C: ConnectionTrait>(
    db: &C,
    resident_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<Page<signup::Model>, DbErr> {
    let mut select = signup::Entity::find()
        .filter(signup::Column::ResidentId.eq(resident_id))
        .order_by_desc(signup::Column::Id)
        .limit(page.fetch());
    if let Some(after) = page.after() {
        select = select.filter(signup::Column::Id.lt(*after));
    }
    Ok(Page::from_rows(page, select.all(db).await?, |s| s.id))
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
    outbox::record(
        db,
        Event::NotificationRequested(NotificationRequested {
            site_id: a.site_id,
            category: "activity".into(),
            title: "活动提醒".into(),
            body: format!(
                "您报名的“{}”将于{}（{}）开始，地点：{}。请凭报名二维码签到。",
                a.title,
                when,
                china_time(a.starts_at),
                a.place
            ),
            audience: Audience::Residents {
                resident_ids: residents.clone(),
            },
            urgency: Urgency::Normal,
            link: Some(format!("activity:{}", a.id)),
        }),
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

#[cfg(test)]
mod tests {
    #[test]
    fn notices_show_china_time() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T01:30:00Z")
            .map(|t| t.with_timezone(&chrono::Utc));
        assert_eq!(
            at.map(super::china_time).ok().as_deref(),
            Some("12月1日 09:30")
        );
    }
}
