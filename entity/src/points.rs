//! The points ledger (双扶驿站) and the community store.
//!
//! One account per household; every change is an append-only entry (credit, redemption, refund,
//! deduction, correction) carrying its reference and the balance after it. The balance can never
//! go negative: a `CHECK` on the account enforces it, and every debit is a guarded `UPDATE …
//! WHERE balance + amount >= 0`, so concurrent redemptions cannot overdraw it. Redemptions move
//! balance and stock in one transaction.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};
use serde_json::json;

use crate::{
    DomainError,
    kernel::{Actor, Role, Scope},
    messaging::{
        Event,
        events::{Audience, NotificationRequested, Urgency},
        outbox,
    },
    page::{Page, PageRequest},
    registry::{household, resident},
};

/// A household's points account.
pub mod account {
    use sea_orm::entity::prelude::*;

    /// The account (its balance is the sum of its entries).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "point_account")]
    pub struct Model {
        /// The household.
        #[sea_orm(primary_key, auto_increment = false)]
        pub household_id: Uuid,
        /// Its site.
        pub site_id: Uuid,
        /// Points held.
        pub balance: i32,
        /// Last changed at.
        pub updated_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Ledger entries.
pub mod entry {
    use sea_orm::entity::prelude::*;

    /// One change to an account, never altered afterwards.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "point_entry")]
    pub struct Model {
        /// Id (UUIDv7: in order).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The household.
        pub household_id: Uuid,
        /// Its site.
        pub site_id: Uuid,
        /// See [`super::EntryKind`].
        pub kind: super::EntryKind,
        /// Points added (positive) or taken (negative).
        pub amount: i32,
        /// The balance after this entry.
        pub balance_after: i32,
        /// Points a deduction could not take (the balance was too small).
        pub shortfall: i32,
        /// What it refers to (`redemption`, `claim`, `deduction`, …).
        pub reference_type: String,
        /// The referenced object.
        pub reference_id: Option<Uuid>,
        /// Why.
        pub reason: Option<String>,
        /// Who made it (none for the scheduler).
        pub actor_account_id: Option<Uuid>,
        /// When.
        pub created_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Items of the community store.
pub mod item {
    use sea_orm::entity::prelude::*;

    /// Something residents can buy with points.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "store_item")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The site's store.
        pub site_id: Uuid,
        /// Name.
        pub name: String,
        /// Description.
        pub description: String,
        /// Price in points.
        pub price: i32,
        /// In stock.
        pub stock: i32,
        /// On sale.
        pub active: bool,
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

/// Redemptions at the store.
pub mod redemption {
    use sea_orm::entity::prelude::*;

    /// Points spent on an item, waiting to be handed over, handed over, or cancelled.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "redemption")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The site.
        pub site_id: Uuid,
        /// The household whose points paid.
        pub household_id: Uuid,
        /// The item.
        pub item_id: Uuid,
        /// How many.
        pub quantity: i32,
        /// Points paid.
        pub points: i32,
        /// See [`super::RedemptionStatus`].
        pub status: super::RedemptionStatus,
        /// Who redeemed.
        pub created_by: Uuid,
        /// When.
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
    /// What an entry does.
    EntryKind {
        /// Points earned (a credited claim).
        Credit => "credit",
        /// Points spent at the store.
        Redemption => "redemption",
        /// A cancelled redemption's points returned.
        Refund => "refund",
        /// Points taken for a violation (惩戒).
        Deduction => "deduction",
        /// A correction of an earlier entry (a new entry, never an edit).
        Correction => "correction",
    }
);

string_enum!(
    /// Where a redemption stands.
    RedemptionStatus {
        /// Paid, to be handed over.
        Pending => "pending",
        /// Handed over.
        Fulfilled => "fulfilled",
        /// Cancelled: points refunded, stock restored.
        Cancelled => "cancelled",
    }
);

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

/// A site's own range for a category.
pub mod category_range {
    use sea_orm::entity::prelude::*;

    /// The points range a site set for one category.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "point_category_range")]
    pub struct Model {
        /// The site.
        #[sea_orm(primary_key, auto_increment = false)]
        pub site_id: Uuid,
        /// A [`super::Category`] name.
        #[sea_orm(primary_key, auto_increment = false)]
        pub category: String,
        /// Fewest points per claim.
        pub min_points: i32,
        /// Most points per claim.
        pub max_points: i32,
        /// Set by.
        pub updated_by: Uuid,
        /// Set at.
        pub updated_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
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

/// One change to post to the ledger.
#[derive(Debug, Clone)]
pub struct Posting {
    /// The household.
    pub household_id: Uuid,
    /// Its site.
    pub site_id: Uuid,
    /// What kind.
    pub kind: EntryKind,
    /// Points added (positive) or taken (negative).
    pub amount: i32,
    /// What it refers to.
    pub reference_type: &'static str,
    /// The referenced object.
    pub reference_id: Option<Uuid>,
    /// Why.
    pub reason: Option<String>,
    /// Who.
    pub actor: Option<Uuid>,
}

/// Makes sure the household has an account (an empty one the first time).
async fn open_account<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
    site_id: Uuid,
) -> Result<(), DbErr> {
    account::Entity::insert(account::ActiveModel {
        household_id: sea_orm::ActiveValue::Set(household_id),
        site_id: sea_orm::ActiveValue::Set(site_id),
        balance: sea_orm::ActiveValue::Set(0),
        updated_at: sea_orm::ActiveValue::Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(account::Column::HouseholdId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Moves the balance by `amount` if it stays at or above zero; the new balance, or `None`.
async fn move_balance<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
    amount: i32,
) -> Result<Option<i32>, DbErr> {
    let mut update = Query::update();
    update
        .table(account::Entity)
        .value(
            account::Column::Balance,
            Expr::col(account::Column::Balance).add(amount),
        )
        .value(account::Column::UpdatedAt, Expr::value(Utc::now()))
        .and_where(account::Column::HouseholdId.eq(household_id))
        .and_where(Expr::col(account::Column::Balance).add(amount).gte(0))
        .returning(Query::returning().column(account::Column::Balance));
    match db.query_one(&update).await? {
        Some(row) => Ok(Some(row.try_get("", "balance")?)),
        None => Ok(None),
    }
}

async fn write_entry<C: ConnectionTrait>(
    db: &C,
    p: &Posting,
    amount: i32,
    balance_after: i32,
    shortfall: i32,
) -> Result<entry::Model, DbErr> {
    let model = entry::Model {
        id: Uuid::now_v7(),
        household_id: p.household_id,
        site_id: p.site_id,
        kind: p.kind,
        amount,
        balance_after,
        shortfall,
        reference_type: p.reference_type.to_owned(),
        reference_id: p.reference_id,
        reason: p.reason.clone(),
        actor_account_id: p.actor,
        created_at: Utc::now(),
    };
    entry::Entity::insert(entry::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

/// Posts one entry: the balance moves by `amount` and the entry records the balance after it. A
/// debit larger than the balance is 409 `insufficient_points` (nothing is written).
pub async fn post<C: ConnectionTrait>(db: &C, p: Posting) -> Result<entry::Model, DomainError> {
    open_account(db, p.household_id, p.site_id).await?;
    let balance = move_balance(db, p.household_id, p.amount)
        .await?
        .ok_or_else(|| {
            DomainError::conflict(
                "insufficient_points",
                "the household does not have enough points",
            )
        })?;
    Ok(write_entry(db, &p, p.amount, balance, 0).await?)
}

/// Reverses points credited for a claim (an upheld objection): a correction entry takes them
/// back, down to zero at most, recording any shortfall.
pub async fn reverse<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
    site_id: Uuid,
    points: i32,
    claim_id: Uuid,
    reason: String,
    actor: Uuid,
) -> Result<entry::Model, DomainError> {
    open_account(db, household_id, site_id).await?;
    let current = move_balance(db, household_id, 0).await?.unwrap_or(0);
    let taken = std::cmp::min(points, current);
    let balance = move_balance(db, household_id, -taken)
        .await?
        .ok_or_else(|| DomainError::conflict("concurrent_change", "retry"))?;
    let posting = Posting {
        household_id,
        site_id,
        kind: EntryKind::Correction,
        amount: -taken,
        reference_type: "claim",
        reference_id: Some(claim_id),
        reason: Some(reason),
        actor: Some(actor),
    };
    Ok(write_entry(db, &posting, -taken, balance, points - taken).await?)
}

/// A household's account and entries, if the caller may see the household.
pub async fn household_account<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    household_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<(i32, Page<entry::Model>), DomainError> {
    household::Entity::find_by_id(household_id)
        .filter(scope.households())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let balance = account::Entity::find_by_id(household_id)
        .one(db)
        .await?
        .map_or(0, |a| a.balance);
    let mut select = entry::Entity::find()
        .filter(entry::Column::HouseholdId.eq(household_id))
        .order_by_desc(entry::Column::Id)
        .limit(page.fetch());
    if let Some(after) = page.after() {
        select = select.filter(entry::Column::Id.lt(*after));
    }
    Ok((
        balance,
        Page::from_rows(page, select.all(db).await?, |e| e.id),
    ))
}

/// The household's residents, for notices.
async fn members<C: ConnectionTrait>(db: &C, household_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .filter(resident::Column::HouseholdId.eq(household_id))
        .into_tuple()
        .all(db)
        .await
}

/// Deducts points for a violation (staff of the site; audited; the household is told). A
/// deduction larger than the balance takes it to zero and records the shortfall.
pub async fn deduct<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    household_id: Uuid,
    points: i32,
    reason: String,
) -> Result<entry::Model, DomainError> {
    let h = household::Entity::find_by_id(household_id)
        .filter(actor.scope.households())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(h.site_id)?;
    open_account(db, household_id, h.site_id).await?;
    // Hold the account, then take what it has, up to the deduction.
    let current = move_balance(db, household_id, 0).await?.unwrap_or(0);
    let taken = std::cmp::min(points, current);
    let balance = move_balance(db, household_id, -taken)
        .await?
        .ok_or_else(|| DomainError::conflict("concurrent_change", "retry"))?;
    let posting = Posting {
        household_id,
        site_id: h.site_id,
        kind: EntryKind::Deduction,
        amount: -taken,
        reference_type: "deduction",
        reference_id: None,
        reason: Some(reason.clone()),
        actor: Some(actor.account_id),
    };
    let entry = write_entry(db, &posting, -taken, balance, points - taken).await?;
    actor
        .audit(h.site_id, "points.deduct", "household", household_id)
        .reason(reason.clone())
        .details(json!({ "points": points, "taken": taken, "shortfall": points - taken }))
        .record(db)
        .await?;
    let told = members(db, household_id).await?;
    if !told.is_empty() {
        outbox::record(
            db,
            Event::NotificationRequested(NotificationRequested {
                site_id: h.site_id,
                category: "points".into(),
                title: "积分扣减".into(),
                body: format!("因“{reason}”，您家扣减积分 {points} 分，当前余额 {balance} 分。"),
                audience: Audience::Residents { resident_ids: told },
                urgency: Urgency::Normal,
                link: Some(format!("points:{household_id}")),
            }),
        )
        .await?;
    }
    Ok(entry)
}

/// A store item's content.
#[derive(Debug, Clone)]
pub struct ItemContent {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Price in points.
    pub price: i32,
    /// Stock.
    pub stock: i32,
    /// On sale.
    pub active: bool,
}

/// Adds an item to a site's store (staff).
pub async fn create_item<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    site_id: Uuid,
    content: ItemContent,
) -> Result<item::Model, DomainError> {
    actor.manage(site_id)?;
    let now = Utc::now();
    let model = item::Model {
        id: Uuid::now_v7(),
        site_id,
        name: content.name,
        description: content.description,
        price: content.price,
        stock: content.stock,
        active: content.active,
        created_at: now,
        updated_at: now,
    };
    item::Entity::insert(item::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

/// Changes an item (staff); stock is set outright (a stock take).
pub async fn update_item<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    content: ItemContent,
) -> Result<item::Model, DomainError> {
    let current = item::Entity::find_by_id(id)
        .filter(crate::registry::scope::sites_of(
            &actor.scope,
            item::Column::SiteId,
        ))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(current.site_id)?;
    let updated = item::Model {
        name: content.name,
        description: content.description,
        price: content.price,
        stock: content.stock,
        active: content.active,
        updated_at: Utc::now(),
        ..current
    };
    item::Entity::update(item::ActiveModel::from(updated.clone()).reset_all())
        .exec(db)
        .await?;
    Ok(updated)
}

/// The store of the caller's site (residents see what is on sale).
pub async fn items<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    page: &PageRequest<Uuid>,
) -> Result<Page<item::Model>, DbErr> {
    let mut select = item::Entity::find()
        .filter(crate::registry::scope::sites_of(
            scope,
            item::Column::SiteId,
        ))
        .order_by_asc(item::Column::Id)
        .limit(page.fetch());
    if !matches!(scope, Scope::All | Scope::Site(_)) {
        select = select.filter(item::Column::Active.eq(true));
    }
    if let Some(after) = page.after() {
        select = select.filter(item::Column::Id.gt(*after));
    }
    Ok(Page::from_rows(page, select.all(db).await?, |i| i.id))
}

/// Redeems an item for a household: stock and balance move in this one transaction (409
/// `out_of_stock` or `insufficient_points`, and nothing moves). Residents redeem for their own
/// household, staff for any household of their site.
pub async fn redeem<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    household_id: Uuid,
    item_id: Uuid,
    quantity: i32,
) -> Result<redemption::Model, DomainError> {
    let h = household::Entity::find_by_id(household_id)
        .filter(actor.scope.households())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let allowed = match (&actor.role, &actor.scope) {
        (Role::Resident | Role::GroupLeader, Scope::Own(own) | Scope::Groups { own, .. }) => {
            own.household_id == household_id
        }
        (Role::Staff | Role::SiteAdmin | Role::PlatformAdmin, _) => true,
        _ => false,
    };
    if !allowed {
        return Err(DomainError::Forbidden(
            "residents redeem for their own household; staff for any of their site",
        ));
    }
    let it = item::Entity::find_by_id(item_id)
        .filter(item::Column::SiteId.eq(h.site_id))
        .filter(item::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::invalid("item_id", "no such item on sale at this site"))?;
    let points = it
        .price
        .checked_mul(quantity)
        .ok_or_else(|| DomainError::invalid("quantity", "too many"))?;
    let taken = item::Entity::update_many()
        .col_expr(
            item::Column::Stock,
            Expr::col(item::Column::Stock).sub(quantity),
        )
        .col_expr(item::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(item::Column::Id.eq(item_id))
        .filter(item::Column::Stock.gte(quantity))
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Err(DomainError::conflict(
            "out_of_stock",
            "not enough of this item is left",
        ));
    }
    let now = Utc::now();
    let model = redemption::Model {
        id: Uuid::now_v7(),
        site_id: h.site_id,
        household_id,
        item_id,
        quantity,
        points,
        status: RedemptionStatus::Pending,
        created_by: actor.account_id,
        created_at: now,
        updated_at: now,
    };
    post(
        db,
        Posting {
            household_id,
            site_id: h.site_id,
            kind: EntryKind::Redemption,
            amount: -points,
            reference_type: "redemption",
            reference_id: Some(model.id),
            reason: Some(format!("{} × {}", it.name, quantity)),
            actor: Some(actor.account_id),
        },
    )
    .await?;
    redemption::Entity::insert(redemption::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

/// Hands a redemption over (staff), or cancels it: the points come back as a refund entry and the
/// stock is restored. Only pending redemptions move (409 `illegal_transition`).
pub async fn settle<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    to: RedemptionStatus,
) -> Result<redemption::Model, DomainError> {
    let r = redemption::Entity::find_by_id(id)
        .filter(crate::registry::scope::sites_of(
            &actor.scope,
            redemption::Column::SiteId,
        ))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(r.site_id)?;
    let now = Utc::now();
    let moved = redemption::Entity::update_many()
        .col_expr(redemption::Column::Status, Expr::value(to.as_str()))
        .col_expr(redemption::Column::UpdatedAt, Expr::value(now))
        .filter(redemption::Column::Id.eq(id))
        .filter(redemption::Column::Status.eq(RedemptionStatus::Pending.as_str()))
        .exec(db)
        .await?;
    if moved.rows_affected != 1 || to == RedemptionStatus::Pending {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a {} redemption cannot become {}", r.status, to.as_str()),
        ));
    }
    if to == RedemptionStatus::Cancelled {
        item::Entity::update_many()
            .col_expr(
                item::Column::Stock,
                Expr::col(item::Column::Stock).add(r.quantity),
            )
            .filter(item::Column::Id.eq(r.item_id))
            .exec(db)
            .await?;
        post(
            db,
            Posting {
                household_id: r.household_id,
                site_id: r.site_id,
                kind: EntryKind::Refund,
                amount: r.points,
                reference_type: "redemption",
                reference_id: Some(r.id),
                reason: None,
                actor: Some(actor.account_id),
            },
        )
        .await?;
    }
    Ok(redemption::Model {
        status: to,
        updated_at: now,
        ..r
    })
}

/// A household's redemptions, newest first.
pub async fn redemptions_of<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<Page<redemption::Model>, DbErr> {
    let mut select = redemption::Entity::find()
        .filter(redemption::Column::HouseholdId.eq(household_id))
        .order_by_desc(redemption::Column::Id)
        .limit(page.fetch());
    if let Some(after) = page.after() {
        select = select.filter(redemption::Column::Id.lt(*after));
    }
    Ok(Page::from_rows(page, select.all(db).await?, |r| r.id))
}
