//! The scheme's seven categories and the points range each has at a site.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, entity::prelude::*,
    sea_query::OnConflict,
};
use serde_json::json;

use crate::{
    DomainError,
    kernel::{Actor, Role, Scope},
};

use super::category_range;

string_enum!(
    /// The scheme's seven categories (七大载体).
    Category {
        /// 争当政策明白人: knows and explains the policies.
        PolicySavvy => "policy_savvy",
        /// 创业致富人: starts a business, finds work, earns.
        Entrepreneurship => "entrepreneurship",
        /// 群众知心人: cares for neighbours.
        CaringNeighbour => "caring_neighbour",
        /// 公益热心人: public-welfare and volunteer work.
        PublicWelfare => "public_welfare",
        /// 见义勇为者: bravery.
        Bravery => "bravery",
        /// 环境爱护者: keeps the environment clean.
        Environment => "environment",
        /// 文明先行者: civility.
        Civility => "civility",
    }
);

impl Category {
    /// Every category, in the scheme's order.
    pub const ALL: [Self; 7] = [
        Self::PolicySavvy,
        Self::Entrepreneurship,
        Self::CaringNeighbour,
        Self::PublicWelfare,
        Self::Bravery,
        Self::Environment,
        Self::Civility,
    ];

    /// The Chinese name residents know it by.
    pub fn title(self) -> &'static str {
        match self {
            Self::PolicySavvy => "争当政策明白人",
            Self::Entrepreneurship => "争当创业致富人",
            Self::CaringNeighbour => "争当群众知心人",
            Self::PublicWelfare => "争当公益热心人",
            Self::Bravery => "争当见义勇为者",
            Self::Environment => "争当环境爱护者",
            Self::Civility => "争当文明先行者",
        }
    }

    /// The default points range of one claim (a site admin may change it for the site).
    pub fn default_range(self) -> (i32, i32) {
        match self {
            Self::PolicySavvy | Self::Environment | Self::Civility => (1, 10),
            Self::CaringNeighbour | Self::PublicWelfare => (2, 20),
            Self::Entrepreneurship => (5, 50),
            Self::Bravery => (10, 100),
        }
    }
}

/// A category with the range in force at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryRange {
    /// The category.
    pub category: Category,
    /// Fewest points per claim.
    pub min_points: i32,
    /// Most points per claim.
    pub max_points: i32,
    /// Whether the site changed the default.
    pub customised: bool,
}

/// The seven categories with the ranges in force at a site.
pub async fn categories<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
) -> Result<Vec<CategoryRange>, DbErr> {
    let own = category_range::Entity::find()
        .filter(category_range::Column::SiteId.eq(site_id))
        .all(db)
        .await?;
    Ok(Category::ALL
        .iter()
        .map(|c| match own.iter().find(|r| r.category == c.as_str()) {
            Some(r) => CategoryRange {
                category: *c,
                min_points: r.min_points,
                max_points: r.max_points,
                customised: true,
            },
            None => {
                let (min_points, max_points) = c.default_range();
                CategoryRange {
                    category: *c,
                    min_points,
                    max_points,
                    customised: false,
                }
            }
        })
        .collect())
}

/// Sets a site's range for a category (its site administrator or a platform administrator;
/// audited).
pub async fn set_range<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    site_id: Uuid,
    category: Category,
    min_points: i32,
    max_points: i32,
) -> Result<CategoryRange, DomainError> {
    match (&actor.role, &actor.scope) {
        (Role::PlatformAdmin, _) => {}
        (Role::SiteAdmin, Scope::Site(s)) if *s == site_id => {}
        (Role::SiteAdmin | Role::Staff, Scope::Site(s)) if *s != site_id => {
            return Err(DomainError::NotFound);
        }
        _ => {
            return Err(DomainError::Forbidden(
                "only site administrators change point ranges",
            ));
        }
    }
    if !(1..=10_000).contains(&min_points) || max_points < min_points || max_points > 10_000 {
        return Err(DomainError::invalid(
            "max_points",
            "1 <= min_points <= max_points <= 10,000",
        ));
    }
    category_range::Entity::insert(category_range::ActiveModel {
        site_id: sea_orm::ActiveValue::Set(site_id),
        category: sea_orm::ActiveValue::Set(category.as_str().to_owned()),
        min_points: sea_orm::ActiveValue::Set(min_points),
        max_points: sea_orm::ActiveValue::Set(max_points),
        updated_by: sea_orm::ActiveValue::Set(actor.account_id),
        updated_at: sea_orm::ActiveValue::Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            category_range::Column::SiteId,
            category_range::Column::Category,
        ])
        .update_columns([
            category_range::Column::MinPoints,
            category_range::Column::MaxPoints,
            category_range::Column::UpdatedBy,
            category_range::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    actor
        .audit(site_id, "points.category_range", "site", site_id)
        .details(json!({ "category": category.as_str(), "min": min_points, "max": max_points }))
        .record(db)
        .await?;
    Ok(CategoryRange {
        category,
        min_points,
        max_points,
        customised: true,
    })
}
