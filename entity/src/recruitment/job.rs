//! Job postings and their lifecycle: draft -> pending_review -> published -> closed | filled |
//! expired, with staff review (publish, or reject back to draft with a reason), renewal before
//! expiry and automatic expiry at `valid_through` by a scheduled task.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait, LikeExpr},
};
use serde_json::json;

use super::employer::{self, EmployerStatus};
use crate::{
    DomainError,
    audit::{self, AuditEntry},
    kernel::Role,
    messaging::{
        Event,
        events::{JobChange, JobChanged, JobPublished},
        outbox, schedule,
        tasks::ExpireJob,
    },
    page::{Page, PageRequest},
};

/// A job posting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_posting")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The employer.
    pub employer_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// See [`JobCategory`].
    pub category: JobCategory,
    /// Where the work is.
    pub location: String,
    /// Lowest pay per unit, in yuan.
    pub salary_min: i32,
    /// Highest pay per unit, in yuan.
    pub salary_max: i32,
    /// See [`SalaryUnit`].
    pub salary_unit: SalaryUnit,
    /// People wanted.
    pub headcount: i32,
    /// Youngest acceptable age.
    pub age_min: Option<i16>,
    /// Oldest acceptable age.
    pub age_max: Option<i16>,
    /// Skills wanted (JSON array).
    pub skills: Json,
    /// Suitable for disabled workers.
    pub suitable_for_disabled: bool,
    /// Flexible hours (carers of children or elders).
    pub flexible_hours: bool,
    /// Transport provided (work away from home).
    pub transport_provided: bool,
    /// Housing provided (work away from home).
    pub housing_provided: bool,
    /// Contact.
    pub contact: String,
    /// Valid until.
    pub valid_through: DateTimeUtc,
    /// See [`JobStatus`].
    pub status: JobStatus,
    /// Why staff rejected it.
    pub status_reason: Option<String>,
    /// Lower-cased title, description and employer name, for substring search.
    pub search_text: String,
    /// Incremented on every change (partners order updates by it).
    pub version: i32,
    /// First published at.
    pub published_at: Option<DateTimeUtc>,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Last changed at.
    pub updated_at: DateTimeUtc,
    /// The partner that sent it (none: ours).
    pub partner_id: Option<Uuid>,
    /// The partner's id for it.
    pub external_id: Option<String>,
    /// The partner's version of it.
    pub external_version: Option<i64>,
    /// The hiring organization named by the partner (shown instead of the employer's name).
    pub hiring_organization: Option<String>,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

string_enum!(
    /// The community's recruitment channels.
    JobCategory {
        /// A local job.
        Local => "local",
        /// Work away from home (外出务工).
        WorkAway => "work_away",
        /// A public-welfare post (公益岗位).
        PublicWelfare => "public_welfare",
        /// A community workshop (扶贫车间).
        CommunityWorkshop => "community_workshop",
        /// A satellite factory.
        SatelliteFactory => "satellite_factory",
        /// An industry base (e.g. edible fungi).
        IndustryBase => "industry_base",
    }
);

string_enum!(
    /// What the salary is per.
    SalaryUnit {
        /// Per hour.
        Hour => "hour",
        /// Per day.
        Day => "day",
        /// Per month.
        Month => "month",
        /// Per piece.
        Piece => "piece",
    }
);

string_enum!(
    /// Where a posting stands.
    JobStatus {
        /// Being written by the employer.
        Draft => "draft",
        /// Submitted, waiting for staff.
        PendingReview => "pending_review",
        /// Visible to residents and the public.
        Published => "published",
        /// Closed by the employer.
        Closed => "closed",
        /// Filled.
        Filled => "filled",
        /// Past `valid_through`.
        Expired => "expired",
    }
);

impl JobStatus {
    /// The states a posting can still leave (it is not closed, filled or expired).
    pub const OPEN: [Self; 3] = [Self::Draft, Self::PendingReview, Self::Published];

    /// Whether the posting is still open.
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

/// What someone does to a posting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAction {
    /// The employer submits a draft for review.
    Submit,
    /// Staff publish it.
    Publish,
    /// Staff send it back to draft, with a reason.
    Reject,
    /// The employer closes it.
    Close,
    /// The employer marks it filled.
    Fill,
    /// The scheduler expires it.
    Expire,
}

impl JobAction {
    /// Every transition rule in one place: the status an action leads to from `from`, if any.
    pub fn next(self, from: JobStatus) -> Option<JobStatus> {
        use JobStatus::*;
        match (self, from) {
            (Self::Submit, Draft) => Some(PendingReview),
            (Self::Publish, PendingReview) => Some(Published),
            (Self::Reject, PendingReview) => Some(Draft),
            (Self::Close, Draft | PendingReview | Published) => Some(Closed),
            (Self::Fill, Published) => Some(Filled),
            (Self::Expire, Published) => Some(Expired),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Publish => "publish",
            Self::Reject => "reject",
            Self::Close => "close",
            Self::Fill => "fill",
            Self::Expire => "expire",
        }
    }
}

/// Schedules the expiry check of a published posting at its `valid_through` (a later schedule
/// of the same posting supersedes nothing: the check looks at the posting as it then is).
pub(crate) async fn schedule_expiry<C: ConnectionTrait>(db: &C, job: &Model) -> Result<(), DbErr> {
    schedule::task(db, &ExpireJob { job_id: job.id }, job.valid_through, None).await
}

/// What a newly published posting sets off: its expiry check and matching.
pub(crate) async fn published<C: ConnectionTrait>(db: &C, job: &Model) -> Result<(), DbErr> {
    schedule_expiry(db, job).await?;
    outbox::record(
        db,
        Event::JobPublished(JobPublished {
            job_id: job.id,
            version: job.version,
        }),
    )
    .await
    .map(drop)
}

/// Tells whoever listens (partner webhooks) that a published posting of ours changed. Postings
/// another system owns, and postings never published, are nobody else's news.
async fn changed<C: ConnectionTrait>(db: &C, job: &Model, change: JobChange) -> Result<(), DbErr> {
    if job.partner_id.is_some() || job.published_at.is_none() {
        return Ok(());
    }
    let employer_name = employer::Entity::find_by_id(job.employer_id)
        .one(db)
        .await?
        .map(|e| e.name)
        .unwrap_or_default();
    outbox::record(
        db,
        Event::JobChanged(JobChanged {
            job_id: job.id,
            version: job.version,
            change,
            posting: super::json_ld::job_posting(job, &employer_name),
        }),
    )
    .await
    .map(drop)
}

/// A posting's content, validated.
#[derive(Debug, Clone)]
pub struct JobContent {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: JobCategory,
    /// Location.
    pub location: String,
    /// Lowest pay.
    pub salary_min: i32,
    /// Highest pay.
    pub salary_max: i32,
    /// Unit.
    pub salary_unit: SalaryUnit,
    /// Headcount.
    pub headcount: i32,
    /// Age range.
    pub age_min: Option<i16>,
    /// Age range.
    pub age_max: Option<i16>,
    /// Skills.
    pub skills: Vec<String>,
    /// Accommodation.
    pub suitable_for_disabled: bool,
    /// Accommodation.
    pub flexible_hours: bool,
    /// Transport provided.
    pub transport_provided: bool,
    /// Housing provided.
    pub housing_provided: bool,
    /// Contact.
    pub contact: String,
    /// Valid until.
    pub valid_through: DateTime<Utc>,
}

fn search_text(content: &JobContent, employer_name: &str) -> String {
    search_key(&format!(
        "{} {} {}",
        content.title, content.description, employer_name
    ))
}

/// The form text is searched in: lower-cased, every character written three times.
///
/// A trigram index can only serve a `LIKE` pattern with at least three characters between its
/// wildcards, and Chinese search words are often one or two characters (电焊, 保洁). Tripled,
/// every query of one character or more is at least three, so PostgreSQL's `pg_trgm` index
/// serves them all. Matching stays exact: the tripled query occurs in the tripled text exactly
/// when the query occurs in the text.
pub fn search_key(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut key = String::with_capacity(lower.len() * 3);
    for c in lower.chars() {
        key.extend([c, c, c]);
    }
    key
}

/// The columns a posting's content fills (everything an employer writes, and the search text).
pub fn content_columns(content: JobContent, employer_name: &str) -> ActiveModel {
    ActiveModel {
        search_text: Set(search_text(&content, employer_name)),
        title: Set(content.title),
        description: Set(content.description),
        category: Set(content.category),
        location: Set(content.location),
        salary_min: Set(content.salary_min),
        salary_max: Set(content.salary_max),
        salary_unit: Set(content.salary_unit),
        headcount: Set(content.headcount),
        age_min: Set(content.age_min),
        age_max: Set(content.age_max),
        skills: Set(json!(content.skills)),
        suitable_for_disabled: Set(content.suitable_for_disabled),
        flexible_hours: Set(content.flexible_hours),
        transport_provided: Set(content.transport_provided),
        housing_provided: Set(content.housing_provided),
        contact: Set(content.contact),
        valid_through: Set(content.valid_through),
        ..Default::default()
    }
}

async fn employer_name<C: ConnectionTrait>(
    db: &C,
    employer_id: Uuid,
) -> Result<String, DomainError> {
    Ok(employer::Entity::find_by_id(employer_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?
        .name)
}

/// Creates a draft for the employer.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    employer_id: Uuid,
    content: JobContent,
) -> Result<Model, DomainError> {
    let now = Utc::now();
    let mut draft = content_columns(content, &employer_name(db, employer_id).await?);
    draft.id = Set(Uuid::now_v7());
    draft.employer_id = Set(employer_id);
    draft.status = Set(JobStatus::Draft);
    draft.status_reason = Set(None);
    draft.version = Set(1);
    draft.published_at = Set(None);
    draft.created_at = Set(now);
    draft.updated_at = Set(now);
    Ok(draft.insert(db).await?)
}

/// Only drafts can be edited: 409 `illegal_transition` otherwise.
pub fn ensure_editable(job: &Model) -> Result<(), DomainError> {
    if job.status == JobStatus::Draft {
        return Ok(());
    }
    Err(DomainError::conflict(
        "illegal_transition",
        format!("a {} posting cannot be edited; only drafts can", job.status),
    ))
}

/// Replaces a draft's content (its employer; a posting sent back by staff is a draft again).
/// Other states are 409 `illegal_transition`; `version` must be the one the caller read.
pub async fn edit<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    employer_id: Uuid,
    id: Uuid,
    version: i32,
    content: JobContent,
) -> Result<Model, DomainError> {
    let job = get(db, Viewer::Employer(employer_id), id).await?;
    if job.employer_id != employer_id {
        return Err(DomainError::NotFound);
    }
    ensure_editable(&job)?;
    let mut edited = content_columns(content, &employer_name(db, employer_id).await?);
    edited.version = Set(version + 1);
    edited.updated_at = Set(Utc::now());
    let updated = Entity::update_many()
        .set(edited)
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(JobStatus::Draft.as_str()))
        .filter(Column::Version.eq(version))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(DomainError::conflict(
            "concurrent_change",
            "the posting changed since it was read; read it again",
        ));
    }
    audit::record(
        db,
        AuditEntry {
            site_id: None,
            actor_account_id: Some(account_id),
            actor_role: Role::Employer.as_str().to_owned(),
            on_behalf_of: None,
            action: "job.edit",
            target_type: "job",
            target_id: Some(id),
            reason: None,
            details: json!({ "version": version + 1 }),
        },
    )
    .await?;
    get(db, Viewer::Employer(employer_id), id).await
}

/// Who is looking at postings.
#[derive(Debug, Clone, Copy)]
pub enum Viewer {
    /// Residents, the public: published postings only.
    Public,
    /// An employer: its own in every state, others' when published.
    Employer(Uuid),
    /// Staff and administrators: everything.
    Staff,
}

fn visible(viewer: Viewer) -> Condition {
    let published = Column::Status.eq(JobStatus::Published.as_str());
    match viewer {
        Viewer::Public => Condition::all().add(published),
        Viewer::Employer(id) => Condition::any()
            .add(published)
            .add(Column::EmployerId.eq(id)),
        Viewer::Staff => Condition::all(),
    }
}

/// One posting the viewer may see.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    viewer: Viewer,
    id: Uuid,
) -> Result<Model, DomainError> {
    Entity::find_by_id(id)
        .filter(visible(viewer))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Filters of the job list.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Substring of title, description or employer name (case-insensitive).
    pub q: Option<String>,
    /// Only this category.
    pub category: Option<JobCategory>,
    /// Only postings paying at least this much (their maximum).
    pub salary_min: Option<i32>,
    /// Only postings suitable for disabled workers.
    pub suitable_for_disabled: Option<bool>,
    /// Only postings with flexible hours.
    pub flexible_hours: Option<bool>,
    /// Only this status (staff and employers).
    pub status: Option<JobStatus>,
    /// Only the viewer's own postings (employers).
    pub mine: bool,
}

/// Postings the viewer may see, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: Viewer,
    filter: &JobFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<Model>, DbErr> {
    let select = list_query(viewer, filter, page);
    Ok(Page::from_rows(page, select.all(db).await?, |j| j.id))
}

/// The query behind [`list`] (the benchmark's baseline and the index test run the same SQL).
pub fn list_query(
    viewer: Viewer,
    filter: &JobFilter,
    page: &PageRequest<Uuid>,
) -> sea_orm::Select<Entity> {
    let mut select = Entity::find()
        .filter(visible(viewer))
        .order_by_desc(Column::Id)
        .limit(page.fetch());
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = search_key(q)
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        select = select.filter(
            Expr::col(Column::SearchText).like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    if let Some(c) = filter.category {
        select = select.filter(Column::Category.eq(c.as_str()));
    }
    if let Some(s) = filter.salary_min {
        select = select.filter(Column::SalaryMax.gte(s));
    }
    if let Some(true) = filter.suitable_for_disabled {
        select = select.filter(Column::SuitableForDisabled.eq(true));
    }
    if let Some(true) = filter.flexible_hours {
        select = select.filter(Column::FlexibleHours.eq(true));
    }
    if let Some(s) = filter.status {
        select = select.filter(Column::Status.eq(s.as_str()));
    }
    if let (true, Viewer::Employer(id)) = (filter.mine, viewer) {
        select = select.filter(Column::EmployerId.eq(id));
    }
    if let Some(after) = page.after() {
        select = select.filter(Column::Id.lt(*after));
    }
    select
}

/// Who acts on a posting.
#[derive(Debug, Clone, Copy)]
pub enum JobActor {
    /// The employer (account, employer id).
    Employer(Uuid, Uuid),
    /// Staff (account, role).
    Staff(Uuid, Role),
    /// The scheduler.
    System,
}

/// Applies an action. The employer acts on its own postings (others are not found), staff
/// publish and reject, the system expires; illegal transitions are 409 `illegal_transition`.
pub async fn act<C: ConnectionTrait>(
    db: &C,
    actor: JobActor,
    id: Uuid,
    action: JobAction,
    reason: Option<String>,
) -> Result<Model, DomainError> {
    let viewer = match actor {
        JobActor::Employer(_, employer) => Viewer::Employer(employer),
        _ => Viewer::Staff,
    };
    let job = get(db, viewer, id).await?;
    let allowed = match (actor, action) {
        (JobActor::Employer(_, e), JobAction::Submit | JobAction::Close | JobAction::Fill) => {
            job.employer_id == e
        }
        (JobActor::Staff(..), JobAction::Publish | JobAction::Reject | JobAction::Close) => true,
        (JobActor::System, JobAction::Expire) => true,
        _ => false,
    };
    if !allowed {
        return match actor {
            JobActor::Employer(_, e) if job.employer_id != e => Err(DomainError::NotFound),
            _ => Err(DomainError::Forbidden(
                "this role may not do that to a job posting",
            )),
        };
    }
    let from = job.status;
    let Some(to) = action.next(from) else {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a {} posting cannot be {}ed", from.as_str(), action.name()),
        ));
    };
    if action == JobAction::Submit {
        let employer = employer::Entity::find_by_id(job.employer_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound)?;
        if employer.status != EmployerStatus::Verified {
            return Err(DomainError::conflict(
                "employer_not_verified",
                "only verified employers can submit jobs",
            ));
        }
    }
    let now = Utc::now();
    if matches!(action, JobAction::Submit | JobAction::Publish) && job.valid_through <= now {
        return Err(DomainError::conflict(
            "valid_through_passed",
            "valid_through is in the past; change it first",
        ));
    }
    if action == JobAction::Reject && reason.is_none() {
        return Err(DomainError::invalid("reason", "a reason is required"));
    }
    let updated = Entity::update_many()
        .col_expr(Column::Status, to.as_str().into())
        .col_expr(Column::StatusReason, Expr::value(reason.clone()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, now.into())
        .col_expr(
            Column::PublishedAt,
            Expr::value(if to == JobStatus::Published {
                Some(job.published_at.unwrap_or(now))
            } else {
                job.published_at
            }),
        )
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(DomainError::conflict(
            "concurrent_change",
            "the posting changed meanwhile; retry",
        ));
    }
    let (actor_id, role) = match actor {
        JobActor::Employer(a, _) => (Some(a), Role::Employer.as_str()),
        JobActor::Staff(a, r) => (Some(a), r.as_str()),
        JobActor::System => (None, "system"),
    };
    audit::record(
        db,
        AuditEntry {
            site_id: None,
            actor_account_id: actor_id,
            actor_role: role.to_owned(),
            on_behalf_of: None,
            action: match action {
                JobAction::Submit => "job.submit",
                JobAction::Publish => "job.publish",
                JobAction::Reject => "job.reject",
                JobAction::Close => "job.close",
                JobAction::Fill => "job.fill",
                JobAction::Expire => "job.expire",
            },
            target_type: "job",
            target_id: Some(id),
            reason: reason.clone(),
            details: json!({ "from": from.as_str(), "to": to.as_str() }),
        },
    )
    .await?;
    let after = Model {
        status: to,
        status_reason: reason,
        version: job.version + 1,
        updated_at: now,
        published_at: if to == JobStatus::Published {
            Some(job.published_at.unwrap_or(now))
        } else {
            job.published_at
        },
        ..job
    };
    if to == JobStatus::Published {
        published(db, &after).await?;
    }
    let change = match to {
        JobStatus::Published => Some(JobChange::Published),
        JobStatus::Closed if from == JobStatus::Published => Some(JobChange::Closed),
        JobStatus::Filled => Some(JobChange::Filled),
        JobStatus::Expired => Some(JobChange::Expired),
        _ => None,
    };
    if let Some(change) = change {
        changed(db, &after, change).await?;
    }
    Ok(after)
}

/// Closes every open posting (draft, pending review, published) of a suspended employer; returns
/// how many.
pub async fn close_all_open<C: ConnectionTrait>(
    db: &C,
    employer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let open = JobStatus::OPEN.map(JobStatus::as_str);
    let published: Vec<Uuid> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::EmployerId.eq(employer_id))
        .filter(Column::Status.eq(JobStatus::Published.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let result = Entity::update_many()
        .col_expr(Column::Status, JobStatus::Closed.as_str().into())
        .col_expr(
            Column::StatusReason,
            Expr::value(Some("employer suspended".to_owned())),
        )
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, now.into())
        .filter(Column::EmployerId.eq(employer_id))
        .filter(Column::Status.is_in(open))
        .exec(db)
        .await?;
    // Partners hear of every published posting closed with them.
    for job in Entity::find()
        .filter(Column::Id.is_in(published))
        .filter(Column::Status.eq(JobStatus::Closed.as_str()))
        .all(db)
        .await?
    {
        changed(db, &job, JobChange::Closed).await?;
    }
    Ok(result.rows_affected)
}

/// Extends a published posting's `valid_through` (its employer, before it expires); the expiry
/// check moves with it.
pub async fn renew<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    employer_id: Uuid,
    id: Uuid,
    valid_through: DateTime<Utc>,
) -> Result<Model, DomainError> {
    let job = get(db, Viewer::Employer(employer_id), id).await?;
    if job.employer_id != employer_id {
        return Err(DomainError::NotFound);
    }
    if job.status != JobStatus::Published {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a {} posting cannot be renewed", job.status),
        ));
    }
    if valid_through <= job.valid_through || valid_through <= Utc::now() {
        return Err(DomainError::invalid(
            "valid_through",
            "must be later than the current valid_through",
        ));
    }
    let now = Utc::now();
    let updated = Entity::update_many()
        .col_expr(Column::ValidThrough, valid_through.into())
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, now.into())
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(JobStatus::Published.as_str()))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(DomainError::conflict(
            "concurrent_change",
            "the posting changed meanwhile; retry",
        ));
    }
    audit::record(
        db,
        AuditEntry {
            site_id: None,
            actor_account_id: Some(account_id),
            actor_role: Role::Employer.as_str().to_owned(),
            on_behalf_of: None,
            action: "job.renew",
            target_type: "job",
            target_id: Some(id),
            reason: None,
            details: json!({ "valid_through": valid_through }),
        },
    )
    .await?;
    let after = Model {
        valid_through,
        version: job.version + 1,
        updated_at: now,
        ..job
    };
    schedule_expiry(db, &after).await?;
    changed(db, &after, JobChange::Updated).await?;
    Ok(after)
}

/// The expiry task: expires the posting if it is still published and its `valid_through` has
/// passed (a renewal moved it and scheduled another check).
pub async fn expire_if_due<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DomainError> {
    let Some(job) = Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    if job.status == JobStatus::Published && job.valid_through <= Utc::now() {
        act(db, JobActor::System, id, JobAction::Expire, None).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{JobAction::*, JobStatus::*};

    #[test]
    fn search_keys_match_exactly_the_substrings_of_the_text() {
        let text = super::search_key("兴贤里 电焊工 Welder 哈哈");
        let found = |q: &str| text.contains(&super::search_key(q));
        for q in [
            "电",
            "电焊",
            "电焊工",
            "welder",
            "WELD",
            " 电",
            "哈哈",
            "里 电",
        ] {
            assert!(found(q), "{q}");
        }
        for q in ["焊电", "哈哈哈", "电焊工人", "weldr", "兴里"] {
            assert!(!found(q), "{q}");
        }
    }

    #[test]
    fn the_lifecycle_is_the_documented_one() {
        assert_eq!(Submit.next(Draft), Some(PendingReview));
        assert_eq!(Publish.next(PendingReview), Some(Published));
        assert_eq!(Reject.next(PendingReview), Some(Draft));
        assert_eq!(Fill.next(Published), Some(Filled));
        assert_eq!(Expire.next(Published), Some(Expired));
        assert_eq!(Close.next(Published), Some(Closed));
        assert_eq!(Publish.next(Draft), None);
        assert_eq!(Submit.next(Published), None);
        assert_eq!(Fill.next(Draft), None);
        assert_eq!(Close.next(Expired), None);
        assert_eq!(Expire.next(Closed), None);
    }
}
