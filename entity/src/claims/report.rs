//! The points scheme's figures for staff and leaders: participation (households with at least one
//! credited claim, of all households), points by category and by group, and the publicity sheet a
//! group posts on its buildings' notice boards. They are read from credited claims, so they live
//! with the claims (in `points` they would make points and claims import each other).

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ClaimStatus, claim};
use crate::{
    kernel::Scope,
    points::Category,
    registry::{household, resident, resident_group},
};

/// Points credited in one category.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CategoryFigure {
    /// The category.
    pub category: Category,
    /// Its name in Chinese.
    pub title: String,
    /// Credited claims.
    pub claims: u64,
    /// Points credited.
    pub points: i64,
}

/// One group's figures.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GroupPoints {
    /// The group.
    pub group_id: Uuid,
    /// Its name.
    pub name: String,
    /// Households.
    pub households: u64,
    /// Households with at least one credited claim.
    pub participating: u64,
    /// Points credited.
    pub points: i64,
}

/// The points report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PointsReport {
    /// Households in reach.
    pub households: u64,
    /// Households with at least one credited claim.
    pub participating_households: u64,
    /// Participating over all households (0–1).
    pub participation_rate: f64,
    /// Points credited in all.
    pub points_credited: i64,
    /// By category, in the scheme's order.
    pub by_category: Vec<CategoryFigure>,
    /// By group.
    pub by_group: Vec<GroupPoints>,
}

/// The groups a caller reports on: a leader's own, or every group of the site for staff.
async fn groups<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<Vec<resident_group::Model>, DbErr> {
    let mut select = resident_group::Entity::find();
    match scope {
        Scope::Groups { group_ids, .. } => {
            select = select.filter(resident_group::Column::Id.is_in(group_ids.clone()));
        }
        other => {
            select = select.filter(crate::registry::scope::sites_of(
                other,
                resident_group::Column::SiteId,
            ))
        }
    }
    select.all(db).await
}

/// Computes the report for the caller's reach.
pub async fn points_report<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<PointsReport, DbErr> {
    let groups = groups(db, scope).await?;
    let group_ids: Vec<Uuid> = groups.iter().map(|g| g.id).collect();
    let households: Vec<(Uuid, Uuid)> = household::Entity::find()
        .select_only()
        .column(household::Column::Id)
        .column(household::Column::GroupId)
        .filter(household::Column::GroupId.is_in(group_ids.clone()))
        .into_tuple()
        .all(db)
        .await?;
    let credited: Vec<(Uuid, Uuid, String, Option<i32>)> = claim::Entity::find()
        .select_only()
        .column(claim::Column::HouseholdId)
        .column(claim::Column::GroupId)
        .column(claim::Column::Category)
        .column(claim::Column::Points)
        .filter(claim::Column::GroupId.is_in(group_ids))
        .filter(claim::Column::Status.eq(ClaimStatus::Credited.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let mut participating: BTreeMap<Uuid, Uuid> = BTreeMap::new();
    let mut by_category: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    let mut by_group_points: BTreeMap<Uuid, i64> = BTreeMap::new();
    for (household, group, category, points) in &credited {
        participating.insert(*household, *group);
        let entry = by_category.entry(category.clone()).or_default();
        entry.0 += 1;
        entry.1 += i64::from(points.unwrap_or(0));
        *by_group_points.entry(*group).or_default() += i64::from(points.unwrap_or(0));
    }
    let total = households.len() as u64;
    let joined = participating.len() as u64;
    Ok(PointsReport {
        households: total,
        participating_households: joined,
        participation_rate: if total == 0 {
            0.0
        } else {
            joined as f64 / total as f64
        },
        points_credited: by_group_points.values().sum(),
        by_category: Category::ALL
            .iter()
            .map(|c| {
                let (claims, points) = by_category.get(c.as_str()).copied().unwrap_or_default();
                CategoryFigure {
                    category: *c,
                    title: c.title().to_owned(),
                    claims,
                    points,
                }
            })
            .collect(),
        by_group: groups
            .iter()
            .map(|g| GroupPoints {
                group_id: g.id,
                name: g.name.clone(),
                households: households.iter().filter(|(_, gr)| *gr == g.id).count() as u64,
                participating: participating.values().filter(|gr| **gr == g.id).count() as u64,
                points: by_group_points.get(&g.id).copied().unwrap_or(0),
            })
            .collect(),
    })
}

/// One line of a publicity sheet.
#[derive(Debug, Clone)]
pub struct PublicityLine {
    /// The resident's name.
    pub name: String,
    /// The category's Chinese name.
    pub category: &'static str,
    /// What was done.
    pub description: String,
    /// Points.
    pub points: i32,
    /// End of the window (China time, `YYYY-MM-DD HH:MM`).
    pub until: String,
}

/// The claims a group currently posts for objections, for its notice board; `None` when the
/// group is outside the caller's reach.
pub async fn publicity_sheet<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    group_id: Uuid,
) -> Result<Option<(resident_group::Model, Vec<PublicityLine>)>, DbErr> {
    let Some(group) = groups(db, scope)
        .await?
        .into_iter()
        .find(|g| g.id == group_id)
    else {
        return Ok(None);
    };
    let claims = claim::Entity::find()
        .filter(claim::Column::GroupId.eq(group_id))
        .filter(claim::Column::Status.eq(ClaimStatus::Publicized.as_str()))
        .all(db)
        .await?;
    let mut lines = Vec::with_capacity(claims.len());
    for c in claims {
        let name: Option<String> = resident::Entity::find_by_id(c.resident_id)
            .select_only()
            .column(resident::Column::Name)
            .into_tuple()
            .one(db)
            .await?;
        lines.push(PublicityLine {
            name: name.unwrap_or_default(),
            category: c.category.title(),
            description: c.description,
            points: c.points.unwrap_or(0),
            until: c
                .publicity_ends_at
                .map(crate::kernel::china_time::minutes)
                .unwrap_or_default(),
        });
    }
    Ok(Some((group, lines)))
}
