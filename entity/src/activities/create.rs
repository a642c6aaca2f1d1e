//! Creating an activity: its validated content and audience.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, entity::prelude::*,
};
use serde_json::json;

use crate::{
    DomainError,
    kernel::Actor,
    registry::{resident_group, site},
};

use super::{ActivityKind, Schedule, activity, audience, reminders::schedule_tasks};

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
    /// When it happens and when residents may sign up.
    pub schedule: Schedule,
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
        starts_at: content.schedule.starts_at(),
        ends_at: content.schedule.ends_at(),
        signup_opens_at: content.schedule.signup_opens_at(),
        signup_closes_at: content.schedule.signup_closes_at(),
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
    actor
        .audit(site_id, "activity.create", "activity", model.id)
        .record(db)
        .await?;
    Ok(model)
}
