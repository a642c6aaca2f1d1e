//! Applications to published postings, and the employment a hire creates. Status moves:
//! submitted -> viewed -> interviewing -> offered -> hired | not_selected (the employer), and
//! withdrawn at any point before hired (the resident, or its leader or staff for it). Every change
//! tells the resident through the outbox.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, entity::prelude::*,
    sea_query::Expr,
};
use serde_json::json;

use super::{
    employment,
    job::{self, JobStatus, Viewer},
};
use crate::{
    DomainError,
    audit::AuditEntry,
    error::is_unique_violation,
    kernel::Actor,
    kernel::Role,
    messaging::{
        Event,
        events::{
            Audience, EmployerNotice, Fact, Notice, NoticeKind, NotificationRequested, Urgency,
        },
        outbox,
    },
    page::{Page, PageRequest},
    registry::{resident, types::EmploymentStatus},
};

/// An application.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_application")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The posting.
    pub job_id: Uuid,
    /// Its employer.
    pub employer_id: Uuid,
    /// The applicant.
    pub resident_id: Uuid,
    /// The applicant's site.
    pub site_id: Uuid,
    /// The account that submitted it.
    pub submitted_by: Uuid,
    /// Submitted by a leader or staff for the resident.
    pub on_behalf: bool,
    /// See [`ApplicationStatus`].
    pub status: ApplicationStatus,
    /// Submitted at.
    pub created_at: DateTimeUtc,
    /// Last changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();

string_enum!(
    /// Where an application stands.
    ApplicationStatus {
        /// Sent.
        Submitted => "submitted",
        /// Seen by the employer.
        Viewed => "viewed",
        /// Invited to an interview.
        Interviewing => "interviewing",
        /// Offered the job.
        Offered => "offered",
        /// Hired: an employment record exists.
        Hired => "hired",
        /// Not selected.
        NotSelected => "not_selected",
        /// Withdrawn by the applicant.
        Withdrawn => "withdrawn",
    }
);

impl ApplicationStatus {
    /// Every allowed move, and who makes it: `true` for the employer, `false` for the applicant.
    pub fn allowed(self, next: Self) -> Option<bool> {
        use ApplicationStatus::*;
        match (self, next) {
            (Submitted, Viewed)
            | (Viewed, Interviewing)
            | (Interviewing, Offered)
            | (Offered, Hired) => Some(true),
            (Submitted | Viewed | Interviewing | Offered, NotSelected) => Some(true),
            (Submitted | Viewed | Interviewing | Offered, Withdrawn) => Some(false),
            _ => None,
        }
    }

    /// Who moves an application into this state: `Some(true)` the employer, `Some(false)` the
    /// applicant's side, `None` nobody (it is where applications start).
    pub fn moved_by_employer(self) -> Option<bool> {
        match self {
            Self::Submitted => None,
            Self::Withdrawn => Some(false),
            _ => Some(true),
        }
    }

    /// The state in a few words (Simplified Chinese), as a notice's status.
    pub fn label(self) -> &'static str {
        match self {
            Self::Submitted => "已报名",
            Self::Viewed => "已查看",
            Self::Interviewing => "邀请面试",
            Self::Offered => "录用意向",
            Self::Hired => "已录用",
            Self::NotSelected => "未录用",
            Self::Withdrawn => "已撤回",
        }
    }

    /// The notice the resident gets (Simplified Chinese).
    fn notice(self, title: &str) -> String {
        match self {
            Self::Submitted => format!("您已报名“{title}”，请等待用人单位查看。"),
            Self::Viewed => format!("用人单位已查看您对“{title}”的报名。"),
            Self::Interviewing => format!("用人单位邀请您参加“{title}”的面试，请留意电话。"),
            Self::Offered => format!("恭喜！您已获得“{title}”的录用意向。"),
            Self::Hired => format!("恭喜！您已被“{title}”正式录用。"),
            Self::NotSelected => format!("很遗憾，您未被“{title}”录用，请继续关注其他岗位。"),
            Self::Withdrawn => format!("您对“{title}”的报名已撤回。"),
        }
    }
}

/// Tells the employer about a new application or a withdrawal (its inbox).
async fn notify_employer<C: ConnectionTrait>(
    db: &C,
    application: &Model,
    title: &str,
    status: ApplicationStatus,
) -> Result<(), DbErr> {
    let (heading, body) = match status {
        ApplicationStatus::Submitted => (
            "新的报名".to_owned(),
            format!("有居民报名了您的岗位“{title}”，请及时查看。"),
        ),
        ApplicationStatus::Withdrawn => (
            "报名已撤回".to_owned(),
            format!("一位居民撤回了对岗位“{title}”的报名。"),
        ),
        _ => return Ok(()),
    };
    outbox::record(
        db,
        Event::EmployerNotificationRequested(EmployerNotice {
            employer_id: application.employer_id,
            category: "application".into(),
            title: heading,
            body,
            link: Some(format!("application:{}", application.id)),
        }),
    )
    .await?;
    Ok(())
}

async fn notify<C: ConnectionTrait>(
    db: &C,
    application: &Model,
    title: &str,
    status: ApplicationStatus,
) -> Result<(), DbErr> {
    outbox::notify(
        db,
        NotificationRequested {
            site_id: application.site_id,
            category: "job".into(),
            title: "求职进展".into(),
            body: status.notice(title),
            audience: Audience::Residents {
                resident_ids: vec![application.resident_id],
            },
            urgency: Urgency::Normal,
            link: Some(format!("application:{}", application.id)),
            notice: Some(Notice::new(
                if status == ApplicationStatus::Interviewing {
                    NoticeKind::Interview
                } else {
                    NoticeKind::ApplicationStatus
                },
                [
                    (Fact::Subject, title.to_owned()),
                    (Fact::Status, status.label().to_owned()),
                ],
            )),
        },
    )
    .await?;
    Ok(())
}

/// Applies for a published, still valid posting: the resident itself, or its group leader or
/// staff for it (audited). One application per resident and posting (409).
pub async fn apply<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    job_id: Uuid,
    resident_id: Uuid,
    reason: Option<String>,
) -> Result<Model, DomainError> {
    let job = job::get(db, Viewer::Public, job_id).await?;
    if job.status != JobStatus::Published || job.valid_through <= Utc::now() {
        return Err(DomainError::conflict(
            "job_not_open",
            "this posting no longer takes applications",
        ));
    }
    let resident = resident::Entity::find_by_id(resident_id)
        .filter(actor.scope.residents())
        .one(db)
        .await?
        .ok_or_else(|| DomainError::invalid("resident_id", "no such resident in your reach"))?;
    let on_behalf = match actor.role {
        Role::Resident | Role::GroupLeader if actor_resident(actor) == Some(resident_id) => false,
        Role::GroupLeader | Role::Staff | Role::SiteAdmin | Role::PlatformAdmin => true,
        _ => {
            return Err(DomainError::Forbidden(
                "only residents, their group leaders and staff apply",
            ));
        }
    };
    let reason = crate::audit::assist_reason(on_behalf, reason)?;
    let now = Utc::now();
    let model = Model {
        id: Uuid::now_v7(),
        job_id,
        employer_id: job.employer_id,
        resident_id,
        site_id: resident.site_id,
        submitted_by: actor.account_id,
        on_behalf,
        status: ApplicationStatus::Submitted,
        created_at: now,
        updated_at: now,
    };
    Entity::insert(ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                DomainError::conflict(
                    "duplicate_application",
                    "this resident has already applied for this posting",
                )
            } else {
                e.into()
            }
        })?;
    if on_behalf {
        AuditEntry::new("application.submit", "application", model.id)
            .by(actor.account_id, actor.role.as_str())
            .site(resident.site_id)
            .on_behalf_of(resident_id)
            .reason(reason)
            .details(json!({ "job_id": job_id }))
            .record(db)
            .await?;
    }
    notify(db, &model, &job.title, ApplicationStatus::Submitted).await?;
    notify_employer(db, &model, &job.title, ApplicationStatus::Submitted).await?;
    Ok(model)
}

fn actor_resident(actor: &Actor) -> Option<Uuid> {
    match &actor.scope {
        crate::kernel::Scope::Own(own) | crate::kernel::Scope::Groups { own, .. } => {
            Some(own.resident_id)
        }
        _ => None,
    }
}

/// Applications to a posting, oldest first: all of them for its employer (others' postings are
/// not found), those of residents in reach for staff.
pub async fn for_job<C: ConnectionTrait>(
    db: &C,
    reader: Applicants<'_>,
    job_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<Page<Model>, DomainError> {
    let mut select = Entity::find().filter(Column::JobId.eq(job_id));
    match reader {
        Applicants::Employer(employer_id) => {
            let job = job::get(db, Viewer::Employer(employer_id), job_id).await?;
            if job.employer_id != employer_id {
                return Err(DomainError::NotFound);
            }
        }
        Applicants::Staff(scope) => {
            job::get(db, Viewer::Staff, job_id).await?;
            select = select.filter(crate::registry::scope::sites_of(scope, Column::SiteId));
        }
    }
    Ok(Page::from_rows(
        page,
        page.by_id(select, Column::Id, Order::Asc).all(db).await?,
        |a| a.id,
    ))
}

/// Who reads a posting's applicants: its employer (all of them), or staff (their site's
/// residents among them, to follow up those they helped apply).
#[derive(Debug, Clone, Copy)]
pub enum Applicants<'a> {
    /// The posting's employer.
    Employer(Uuid),
    /// Staff, within their reach.
    Staff(&'a crate::kernel::Scope),
}

/// A resident's own applications, newest first.
pub async fn of_resident<C: ConnectionTrait>(
    db: &C,
    resident_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<Page<Model>, DbErr> {
    let select = Entity::find().filter(Column::ResidentId.eq(resident_id));
    Ok(Page::from_rows(
        page,
        page.by_id(select, Column::Id, Order::Desc).all(db).await?,
        |a| a.id,
    ))
}

/// Records that the resident now works (an employment was recorded for them).
async fn mark_employed<C: ConnectionTrait>(
    db: &C,
    resident_id: Uuid,
    now: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    resident::Entity::update_many()
        .col_expr(
            resident::Column::EmploymentStatus,
            Expr::value(EmploymentStatus::Employed.as_str()),
        )
        .col_expr(resident::Column::UpdatedAt, Expr::value(now))
        .filter(resident::Column::Id.eq(resident_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Who moves an application.
#[derive(Debug, Clone)]
pub enum Mover {
    /// The posting's employer (account, employer).
    Employer(Uuid, Uuid),
    /// The applicant's side: itself, its leader or staff.
    Applicant(Actor),
}

/// Moves an application; illegal moves are 409 `illegal_transition`; a hire creates the
/// employment record in the same transaction. The resident is told through the outbox.
pub async fn advance<C: ConnectionTrait>(
    db: &C,
    mover: &Mover,
    id: Uuid,
    next: ApplicationStatus,
    channel: &str,
) -> Result<Model, DomainError> {
    let app = Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let (by_employer, account) = match mover {
        Mover::Employer(account, employer) => {
            if app.employer_id != *employer {
                return Err(DomainError::NotFound);
            }
            (true, *account)
        }
        Mover::Applicant(actor) => {
            let visible = resident::Entity::find_by_id(app.resident_id)
                .filter(actor.scope.residents())
                .one(db)
                .await?;
            if visible.is_none() {
                return Err(DomainError::NotFound);
            }
            (false, actor.account_id)
        }
    };
    let from = app.status;
    // Whose move it is decides first: a side asking for the other side's move is refused the
    // same way whatever the application's state.
    if next
        .moved_by_employer()
        .is_some_and(|employer| employer != by_employer)
    {
        return Err(DomainError::Forbidden("the other side makes this move"));
    }
    match from.allowed(next) {
        Some(employer_move) if employer_move == by_employer => {}
        Some(_) => return Err(DomainError::Forbidden("the other side makes this move")),
        None => {
            return Err(DomainError::conflict(
                "illegal_transition",
                format!(
                    "an application that is {} cannot become {}",
                    from.as_str(),
                    next.as_str()
                ),
            ));
        }
    }
    let now = Utc::now();
    DomainError::update_one(
        Entity::update_many()
            .col_expr(Column::Status, next.as_str().into())
            .col_expr(Column::UpdatedAt, now.into())
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(from.as_str())),
        db,
        "the application changed meanwhile; retry",
    )
    .await?;
    let job = job::Entity::find_by_id(app.job_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    if next == ApplicationStatus::Hired {
        let resident = resident::Entity::find_by_id(app.resident_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound)?;
        employment::Entity::insert(employment::ActiveModel::from(employment::Model {
            id: Uuid::now_v7(),
            resident_id: app.resident_id,
            site_id: app.site_id,
            household_id: resident.household_id,
            employer_id: Some(app.employer_id),
            job_id: Some(app.job_id),
            application_id: Some(app.id),
            channel: channel.to_owned(),
            start_date: crate::kernel::china_time::date_of(now),
            end_date: None::<NaiveDate>,
            created_by: account,
            created_at: now,
        }))
        .exec_without_returning(db)
        .await?;
        mark_employed(db, app.resident_id, now).await?;
    }
    let moved = Model {
        status: next,
        updated_at: now,
        ..app
    };
    notify(db, &moved, &job.title, next).await?;
    notify_employer(db, &moved, &job.title, next).await?;
    Ok(moved)
}

/// Records employment found outside the platform (staff of the resident's site); audited.
pub async fn record_employment<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    resident_id: Uuid,
    channel: &str,
    start_date: NaiveDate,
) -> Result<employment::Model, DomainError> {
    let resident = resident::Entity::find_by_id(resident_id)
        .filter(actor.scope.residents())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(resident.site_id)?;
    let now = Utc::now();
    let model = employment::Model {
        id: Uuid::now_v7(),
        resident_id,
        site_id: resident.site_id,
        household_id: resident.household_id,
        employer_id: None,
        job_id: None,
        application_id: None,
        channel: channel.to_owned(),
        start_date,
        end_date: None,
        created_by: actor.account_id,
        created_at: now,
    };
    employment::Entity::insert(employment::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    mark_employed(db, resident_id, now).await?;
    AuditEntry::new("employment.record", "employment", model.id)
        .by(actor.account_id, actor.role.as_str())
        .site(resident.site_id)
        .on_behalf_of(resident_id)
        .details(json!({ "channel": channel }))
        .record(db)
        .await?;
    Ok(model)
}

/// Ends an employment (staff of the resident's site); ending twice is 409.
pub async fn end_employment<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    end_date: NaiveDate,
) -> Result<employment::Model, DomainError> {
    let current = employment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    resident::Entity::find_by_id(current.resident_id)
        .filter(actor.scope.residents())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(current.site_id)?;
    if current.end_date.is_some() {
        return Err(DomainError::conflict(
            "already_ended",
            "this employment has already ended",
        ));
    }
    if end_date < current.start_date {
        return Err(DomainError::invalid(
            "end_date",
            "must not be before the start date",
        ));
    }
    employment::Entity::update_many()
        .col_expr(employment::Column::EndDate, Expr::value(end_date))
        .filter(employment::Column::Id.eq(id))
        .filter(employment::Column::EndDate.is_null())
        .exec(db)
        .await?;
    AuditEntry::new("employment.end", "employment", id)
        .by(actor.account_id, actor.role.as_str())
        .site(current.site_id)
        .on_behalf_of(current.resident_id)
        .details(json!({ "end_date": end_date }))
        .record(db)
        .await?;
    Ok(employment::Model {
        end_date: Some(end_date),
        ..current
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn status_notices_are_short_and_plain_on_every_channel() {
        use crate::notify::style::{Channel, check, spoken};
        let title = "卢氏县食用菌产业园采摘包装工（长期，包吃住）";
        for status in ALL {
            let body = status.notice(title);
            assert_eq!(check(Channel::Push, &body), Ok(()), "{body}");
            assert_eq!(check(Channel::Sms, "求职进展"), Ok(()));
            assert_eq!(check(Channel::Voice, &spoken("求职进展", &body)), Ok(()));
            assert!(
                status.label().chars().count() <= 5,
                "a phrase field takes 5"
            );
        }
    }

    use super::ApplicationStatus::{self, *};

    const ALL: [ApplicationStatus; 7] = [
        Submitted,
        Viewed,
        Interviewing,
        Offered,
        Hired,
        NotSelected,
        Withdrawn,
    ];

    #[test]
    fn every_allowed_move_is_made_by_the_side_that_owns_its_target() {
        for from in ALL {
            for next in ALL {
                if let Some(by_employer) = from.allowed(next) {
                    assert_eq!(
                        next.moved_by_employer(),
                        Some(by_employer),
                        "{from:?} -> {next:?}"
                    );
                }
            }
        }
        assert_eq!(Offered.allowed(Hired), Some(true));
        assert_eq!(Hired.allowed(Withdrawn), None);
        assert_eq!(Submitted.allowed(Withdrawn), Some(false));
    }
}
