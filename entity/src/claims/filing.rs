//! Calls for claims and the claims filed: a campaign, an application, attended activities.

use chrono::{NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, entity::prelude::*};

use crate::{
    DomainError,
    kernel::{Actor, Scope},
    messaging::{
        events::{Audience, NotificationRequested, Urgency},
        outbox,
    },
    points::Category,
    registry::resident,
};

use super::{
    ClaimStatus, campaign, claim, photo,
    photos::{MAX_PHOTOS, StoredPhoto, too_many},
    steps::{leads, record_step},
};

/// Publishes a call for claims to the site, or some of its groups, as a notice.
#[expect(
    clippy::too_many_arguments,
    reason = "a campaign's fields, each checked here"
)]
pub async fn create_campaign<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    site_id: Uuid,
    category: Category,
    title: String,
    rules: String,
    period: (NaiveDate, NaiveDate),
    group_ids: Vec<Uuid>,
) -> Result<campaign::Model, DomainError> {
    actor.manage(site_id)?;
    if period.1 < period.0 {
        return Err(DomainError::invalid(
            "period_end",
            "must not be before period_start",
        ));
    }
    let model = campaign::Model {
        id: Uuid::now_v7(),
        site_id,
        category,
        title: title.clone(),
        rules,
        period_start: period.0,
        period_end: period.1,
        created_by: actor.account_id,
        created_at: Utc::now(),
    };
    campaign::Entity::insert(campaign::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    outbox::notify(
        db,
        NotificationRequested {
            site_id,
            category: "points".into(),
            title: "积分申报通知".into(),
            body: format!(
                "“{}”（{}）开始申报，申报时间 {} 至 {}，欢迎踊跃参与。",
                title,
                category.title(),
                period.0,
                period.1
            ),
            audience: Audience::Site {
                site_id,
                committee_ids: Vec::new(),
                group_ids,
                working_age: false,
                job_seeking: false,
            },
            urgency: Urgency::Normal,
            link: Some(format!("campaign:{}", model.id)),
            notice: None,
        },
    )
    .await?;
    Ok(model)
}

/// An application for points, checked by the caller for shape (text lengths, photo formats).
#[derive(Debug, Clone)]
pub struct NewClaim {
    /// The claim's id (chosen before its photos are stored, which are keyed by it).
    pub id: Uuid,
    /// The resident who did it.
    pub resident_id: Uuid,
    /// The category.
    pub category: Category,
    /// What was done.
    pub description: String,
    /// The call it answers.
    pub campaign_id: Option<Uuid>,
    /// Photos already in the object store.
    pub photos: Vec<StoredPhoto>,
    /// Why a leader or staff member files it for the resident (audited).
    pub reason: Option<String>,
}

/// Applies for points: the resident for itself, or its group leader or the site's staff for it
/// (recorded on the claim and audited with the reason given).
pub async fn apply<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewClaim,
) -> Result<(claim::Model, Vec<photo::Model>), DomainError> {
    let NewClaim {
        id,
        resident_id,
        category,
        description,
        campaign_id,
        photos,
        reason,
    } = new;
    if photos.len() > MAX_PHOTOS {
        return Err(too_many("photos"));
    }
    let r = resident::Entity::find_by_id(resident_id)
        .filter(actor.scope.residents())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let on_behalf = match &actor.scope {
        Scope::Own(own) | Scope::Groups { own, .. } if own.resident_id == resident_id => false,
        Scope::Groups { .. } if leads(actor, r.group_id) => true,
        _ if actor.manage(r.site_id).is_ok() => true,
        _ => {
            return Err(DomainError::Forbidden(
                "residents apply for themselves, group leaders and staff for residents",
            ));
        }
    };
    let reason = crate::audit::assist_reason(on_behalf, reason)?;
    if let Some(c) = campaign_id {
        let found = campaign::Entity::find_by_id(c)
            .filter(campaign::Column::SiteId.eq(r.site_id))
            .filter(campaign::Column::Category.eq(category.as_str()))
            .one(db)
            .await?;
        if found.is_none() {
            return Err(DomainError::invalid(
                "campaign_id",
                "no call for claims of this category at this site",
            ));
        }
    }
    let now = Utc::now();
    let model = claim::Model {
        id,
        site_id: r.site_id,
        group_id: r.group_id,
        household_id: r.household_id,
        resident_id,
        campaign_id,
        category,
        description,
        points: None,
        status: ClaimStatus::Applied,
        status_reason: None,
        publicity_ends_at: None,
        submitted_by: actor.account_id,
        on_behalf,
        created_at: now,
        updated_at: now,
    };
    claim::Entity::insert(claim::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    record_step(
        db,
        model.id,
        "",
        ClaimStatus::Applied,
        Some(actor),
        reason.clone(),
    )
    .await?;
    if on_behalf {
        actor
            .audit(r.site_id, "claim.apply", "claim", model.id)
            .on_behalf_of(resident_id)
            .reason(reason)
            .details(serde_json::json!({ "category": category.as_str() }))
            .record(db)
            .await?;
    }
    let photos: Vec<photo::Model> = photos
        .iter()
        .zip(1i16..)
        .map(|(p, position)| p.row(model.id, position, now))
        .collect();
    if !photos.is_empty() {
        photo::Entity::insert_many(photos.iter().cloned().map(photo::ActiveModel::from))
            .exec_without_returning(db)
            .await?;
    }
    Ok((model, photos))
}

/// Attendance that earns points, as the activities domain reports it (plain values: the points
/// domain does not read activities' tables).
#[derive(Debug, Clone)]
pub struct Attendance {
    /// The sign-up (the claim takes its id, so one sign-up files at most one claim).
    pub signup_id: Uuid,
    /// Who attended.
    pub resident_id: Uuid,
    /// The activity.
    pub activity_id: Uuid,
    /// Its title, for the claim's description.
    pub activity_title: String,
    /// The points category attendance earns.
    pub category: Category,
    /// How many points.
    pub points: i32,
}

/// Files the claim an attended activity earns, already at the register step: attendance was
/// recorded by staff, so application, verification and registration are that record. At most
/// one per sign-up.
pub async fn file_for_attendance<C: ConnectionTrait>(
    db: &C,
    attendance: &Attendance,
    actor: &Actor,
) -> Result<Option<claim::Model>, DomainError> {
    let (category, points) = (attendance.category, attendance.points);
    let r = resident::Entity::find_by_id(attendance.resident_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let now = Utc::now();
    let model = claim::Model {
        // Derived from the sign-up, so a second check-in can never file a second claim.
        id: attendance.signup_id,
        site_id: r.site_id,
        group_id: r.group_id,
        household_id: r.household_id,
        resident_id: r.id,
        campaign_id: None,
        category,
        description: format!("参加活动：{}", attendance.activity_title),
        points: Some(points),
        status: ClaimStatus::Registered,
        status_reason: None,
        publicity_ends_at: None,
        submitted_by: actor.account_id,
        on_behalf: true,
        created_at: now,
        updated_at: now,
    };
    let inserted = claim::Entity::insert(claim::ActiveModel::from(model.clone()))
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(claim::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    record_step(
        db,
        model.id,
        "",
        ClaimStatus::Registered,
        Some(actor),
        Some(format!("attendance at activity {}", attendance.activity_id)),
    )
    .await?;
    Ok(Some(model))
}
