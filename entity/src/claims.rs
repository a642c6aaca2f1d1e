//! The seven steps of the points scheme (七项程序): notify (a call for claims), apply, verify
//! (认定), register (登记), publicize (公示, open to objection), credit (充值, by a scheduled task
//! when the window closes), redeem (the store, in [`crate::points`]). Every step is recorded with
//! actor, time and reason in `point_claim_step`, which is append-only.

use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, entity::prelude::*, sea_query::Expr,
};
use serde_json::json;

use crate::{
    DomainError,
    kernel::{Actor, Scope},
    messaging::{
        Event,
        events::{Audience, NotificationRequested, Urgency},
        outbox, schedule,
    },
    page::{Page, PageRequest},
    points::{self, Category, EntryKind, Posting},
    registry::resident,
    registry::scope::sites_of,
};

/// Calls for claims.
pub mod campaign {
    use sea_orm::entity::prelude::*;

    /// A call for claims of one category for a period.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "point_campaign")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The site.
        pub site_id: Uuid,
        /// A [`crate::points::Category`] name.
        pub category: crate::points::Category,
        /// Title.
        pub title: String,
        /// The rules.
        pub rules: String,
        /// First day.
        pub period_start: Date,
        /// Last day.
        pub period_end: Date,
        /// Published by.
        pub created_by: Uuid,
        /// Published at.
        pub created_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Claims.
pub mod claim {
    use sea_orm::entity::prelude::*;

    /// A claim for points.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "point_claim")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The site.
        pub site_id: Uuid,
        /// The resident's group (for publicity and its leader).
        pub group_id: Uuid,
        /// The household credited.
        pub household_id: Uuid,
        /// The resident who did it.
        pub resident_id: Uuid,
        /// The call it answers.
        pub campaign_id: Option<Uuid>,
        /// A [`crate::points::Category`] name.
        pub category: crate::points::Category,
        /// What was done.
        pub description: String,
        /// Points, set at verification.
        pub points: Option<i32>,
        /// See [`super::ClaimStatus`].
        pub status: super::ClaimStatus,
        /// Why it was rejected.
        pub status_reason: Option<String>,
        /// End of the publicity window.
        pub publicity_ends_at: Option<DateTimeUtc>,
        /// Who applied.
        pub submitted_by: Uuid,
        /// Applied for by the group leader.
        pub on_behalf: bool,
        /// Applied at.
        pub created_at: DateTimeUtc,
        /// Changed at.
        pub updated_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Every step of every claim.
pub mod step {
    use sea_orm::entity::prelude::*;

    /// One step of a claim, never altered.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "point_claim_step")]
    pub struct Model {
        /// Id (in order).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The claim.
        pub claim_id: Uuid,
        /// From.
        pub from_status: String,
        /// To.
        pub to_status: String,
        /// Who (none for the scheduler).
        pub actor_account_id: Option<Uuid>,
        /// In which role.
        pub actor_role: String,
        /// Why.
        pub reason: Option<String>,
        /// When.
        pub created_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Objections raised during publicity.
pub mod objection {
    use sea_orm::entity::prelude::*;

    /// A resident's objection to a claim.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "point_objection")]
    pub struct Model {
        /// Id.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The claim.
        pub claim_id: Uuid,
        /// The site.
        pub site_id: Uuid,
        /// Who objects.
        pub resident_id: Uuid,
        /// Why.
        pub reason: String,
        /// `pending`, `upheld` or `dismissed`.
        pub status: String,
        /// Decided by.
        pub decided_by: Option<Uuid>,
        /// Decided at.
        pub decided_at: Option<DateTimeUtc>,
        /// Raised at.
        pub created_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Photos attached to claims (the bytes live in the object store).
pub mod photo {
    use sea_orm::entity::prelude::*;

    /// One photo of a claim.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "point_claim_photo")]
    pub struct Model {
        /// The claim.
        #[sea_orm(primary_key, auto_increment = false)]
        pub claim_id: Uuid,
        /// 1 to 3, in the order sent.
        #[sea_orm(primary_key, auto_increment = false)]
        pub position: i16,
        /// Where the object store keeps it.
        pub object_key: String,
        /// `image/jpeg` or `image/png`.
        pub content_type: String,
        /// Size in bytes.
        pub size_bytes: i32,
        /// SHA-256 of the bytes, hex.
        pub sha256: String,
        /// Stored at.
        pub created_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// At most this many photos per claim.
pub const MAX_PHOTOS: usize = 3;
/// At most this many bytes per photo (2 MiB).
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// The image formats a claim's photo may have, told by content, never by name or header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoKind {
    /// JPEG (JFIF or Exif).
    Jpeg,
    /// PNG.
    Png,
}

impl PhotoKind {
    /// The format of these bytes, if they are a JPEG (start of image followed by a marker) or a
    /// PNG (signature followed by a well-formed, non-empty `IHDR` chunk).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        match bytes {
            [0xFF, 0xD8, 0xFF, marker, ..]
                if matches!(marker, 0xC0..=0xCF | 0xDB | 0xDD | 0xE0..=0xEF | 0xFE)
                    && bytes.len() > 4 =>
            {
                Some(Self::Jpeg)
            }
            _ if bytes.len() >= 33 && bytes[..8] == PNG => {
                let len = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
                let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
                let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
                (len == 13 && &bytes[12..16] == b"IHDR" && width > 0 && height > 0)
                    .then_some(Self::Png)
            }
            _ => None,
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The file extension used in object keys.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }
}

/// A photo already written to the object store, to be recorded with its claim.
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    /// Where it is.
    pub object_key: String,
    /// Its format.
    pub kind: PhotoKind,
    /// Size in bytes.
    pub size_bytes: usize,
    /// SHA-256, hex.
    pub sha256: String,
}

string_enum!(
    /// Where a claim stands.
    ClaimStatus {
        /// Applied for.
        Applied => "applied",
        /// Facts confirmed, points set (认定).
        Verified => "verified",
        /// Entered in the register (登记).
        Registered => "registered",
        /// Posted for objections (公示).
        Publicized => "publicized",
        /// Points in the household account (充值).
        Credited => "credited",
        /// Rejected, with a reason.
        Rejected => "rejected",
    }
);

/// What someone does to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimAction {
    /// The group leader or staff confirm the facts and set the points.
    Verify,
    /// Staff enter it in the register.
    Register,
    /// Staff post it for objections.
    Publicize,
    /// Points enter the account (the scheduler when the window closes, or staff after it).
    Credit,
    /// Staff (or the leader, before registration) reject it with a reason.
    Reject,
}

impl ClaimAction {
    /// Every transition rule in one place.
    pub fn next(self, from: ClaimStatus) -> Option<ClaimStatus> {
        use ClaimStatus::*;
        match (self, from) {
            (Self::Verify, Applied) => Some(Verified),
            (Self::Register, Verified) => Some(Registered),
            (Self::Publicize, Registered) => Some(Publicized),
            (Self::Credit, Publicized) => Some(Credited),
            (Self::Reject, Applied | Verified | Registered | Publicized) => Some(Rejected),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Verify => "verified",
            Self::Register => "registered",
            Self::Publicize => "publicized",
            Self::Credit => "credited",
            Self::Reject => "rejected",
        }
    }
}

/// The task that credits a claim when its publicity window closes.
pub const CREDIT_TASK: &str = "points.credit";

/// Default publicity window, in days.
pub const DEFAULT_PUBLICITY_DAYS: i64 = 3;

fn leads(actor: &Actor, group_id: Uuid) -> bool {
    matches!(&actor.scope, Scope::Groups { group_ids, .. } if group_ids.contains(&group_id))
}

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
    outbox::record(
        db,
        Event::NotificationRequested(NotificationRequested {
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
        }),
    )
    .await?;
    Ok(model)
}

async fn record_step<C: ConnectionTrait>(
    db: &C,
    claim_id: Uuid,
    from: &str,
    to: ClaimStatus,
    actor: Option<&Actor>,
    reason: Option<String>,
) -> Result<(), DbErr> {
    step::Entity::insert(step::ActiveModel::from(step::Model {
        id: Uuid::now_v7(),
        claim_id,
        from_status: from.to_owned(),
        to_status: to.as_str().to_owned(),
        actor_account_id: actor.map(|a| a.account_id),
        actor_role: actor.map_or("system", |a| a.role.as_str()).to_owned(),
        reason,
        created_at: Utc::now(),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
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
}

/// Applies for points: the resident for itself, or its group leader for it (recorded).
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
    } = new;
    if photos.len() > MAX_PHOTOS {
        return Err(DomainError::invalid("photos", "at most 3 photos"));
    }
    let r = resident::Entity::find_by_id(resident_id)
        .filter(actor.scope.residents())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let on_behalf = match &actor.scope {
        Scope::Own(own) | Scope::Groups { own, .. } if own.resident_id == resident_id => false,
        Scope::Groups { .. } if leads(actor, r.group_id) => true,
        _ => {
            return Err(DomainError::Forbidden(
                "residents apply for themselves, group leaders for their residents",
            ));
        }
    };
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
    record_step(db, model.id, "", ClaimStatus::Applied, Some(actor), None).await?;
    let photos: Vec<photo::Model> = photos
        .iter()
        .zip(1i16..)
        .map(|(p, position)| photo::Model {
            claim_id: model.id,
            position,
            object_key: p.object_key.clone(),
            content_type: p.kind.content_type().to_owned(),
            size_bytes: i32::try_from(p.size_bytes).unwrap_or(i32::MAX),
            sha256: p.sha256.clone(),
            created_at: now,
        })
        .collect();
    if !photos.is_empty() {
        photo::Entity::insert_many(photos.iter().cloned().map(photo::ActiveModel::from))
            .exec_without_returning(db)
            .await?;
    }
    Ok((model, photos))
}

/// The photos of a claim the caller may see, in order.
pub async fn photos<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    claim_id: Uuid,
) -> Result<Vec<photo::Model>, DomainError> {
    claim::Entity::find_by_id(claim_id)
        .filter(visible(scope))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(photo::Entity::find()
        .filter(photo::Column::ClaimId.eq(claim_id))
        .order_by_asc(photo::Column::Position)
        .all(db)
        .await?)
}

/// Claims the caller may see: staff their site's, leaders their groups' and their own
/// household's, residents their household's.
fn visible(scope: &Scope) -> sea_orm::Condition {
    match scope {
        Scope::Groups { group_ids, own, .. } => sea_orm::Condition::any()
            .add(claim::Column::GroupId.is_in(group_ids.clone()))
            .add(claim::Column::HouseholdId.eq(own.household_id)),
        Scope::Own(own) => {
            sea_orm::Condition::all().add(claim::Column::HouseholdId.eq(own.household_id))
        }
        other => sites_of(other, claim::Column::SiteId),
    }
}

/// One claim the caller may see, with its steps.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<(claim::Model, Vec<step::Model>), DomainError> {
    let c = claim::Entity::find_by_id(id)
        .filter(visible(scope))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let steps = step::Entity::find()
        .filter(step::Column::ClaimId.eq(id))
        .order_by_asc(step::Column::Id)
        .all(db)
        .await?;
    Ok((c, steps))
}

/// Claims the caller may see, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    status: Option<ClaimStatus>,
    page: &PageRequest<Uuid>,
) -> Result<Page<claim::Model>, DbErr> {
    let mut select = claim::Entity::find()
        .filter(visible(scope))
        .order_by_desc(claim::Column::Id)
        .limit(page.fetch());
    if let Some(s) = status {
        select = select.filter(claim::Column::Status.eq(s.as_str()));
    }
    if let Some(after) = page.after() {
        select = select.filter(claim::Column::Id.lt(*after));
    }
    Ok(Page::from_rows(page, select.all(db).await?, |c| c.id))
}

/// Options of a step.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// Points (verification), within the category's range at the site.
    pub points: Option<i32>,
    /// Why (rejection: required).
    pub reason: Option<String>,
    /// Publicity window in days (default 3).
    pub days: Option<i64>,
}

async fn objections_open<C: ConnectionTrait>(db: &C, claim_id: Uuid) -> Result<u64, DbErr> {
    objection::Entity::find()
        .filter(objection::Column::ClaimId.eq(claim_id))
        .filter(objection::Column::Status.is_in(["pending", "upheld"]))
        .count(db)
        .await
}

/// Moves a claim one step (`actor` None: the scheduler). Illegal moves are 409
/// `illegal_transition`; crediting while an objection is pending is 409 `objection_pending`;
/// crediting before the window closes is 409 `publicity_open`.
pub async fn act<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    id: Uuid,
    action: ClaimAction,
    input: StepInput,
) -> Result<claim::Model, DomainError> {
    let c = match actor {
        Some(a) => get(db, &a.scope, id).await?.0,
        None => claim::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound)?,
    };
    if let Some(a) = actor {
        let leader_may = leads(a, c.group_id)
            && matches!(action, ClaimAction::Verify | ClaimAction::Reject)
            && c.status == ClaimStatus::Applied;
        if !leader_may {
            a.manage(c.site_id)?;
        }
        // Conflicts of interest: nobody approves a claim they filed, and nobody verifies or
        // registers one of their own household.
        let approves = matches!(action, ClaimAction::Verify | ClaimAction::Register);
        if approves && c.submitted_by == a.account_id {
            return Err(DomainError::conflict(
                "own_claim",
                "a claim is approved by someone other than the person who filed it",
            ));
        }
        let own_household = a.household_id == Some(c.household_id)
            || matches!(&a.scope, Scope::Own(own) | Scope::Groups { own, .. } if own.household_id == c.household_id);
        if own_household && matches!(action, ClaimAction::Verify | ClaimAction::Register) {
            return Err(DomainError::conflict(
                "own_household_claim",
                "a claim of one's own household is verified and registered by someone else",
            ));
        }
    }
    let from = c.status;
    let Some(to) = action.next(from) else {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a {} claim cannot be {}", from.as_str(), action.name()),
        ));
    };
    let now = Utc::now();
    let mut points = c.points;
    let mut ends = c.publicity_ends_at;
    match action {
        ClaimAction::Verify => {
            let category = c.category;
            let range = points::categories(db, c.site_id)
                .await?
                .into_iter()
                .find(|r| r.category == category)
                .map_or(category.default_range(), |r| (r.min_points, r.max_points));
            let p = input.points.unwrap_or(range.0);
            if p < range.0 || p > range.1 {
                return Err(DomainError::invalid(
                    "points",
                    format!("must be {}–{} for this category", range.0, range.1),
                ));
            }
            points = Some(p);
        }
        ClaimAction::Publicize => {
            let days = input.days.unwrap_or(DEFAULT_PUBLICITY_DAYS);
            if !(1..=30).contains(&days) {
                return Err(DomainError::invalid("days", "must be 1–30"));
            }
            ends = Some(now + Duration::days(days));
        }
        ClaimAction::Credit => {
            if objections_open(db, id).await? > 0 {
                return Err(DomainError::conflict(
                    "objection_pending",
                    "an objection is pending or upheld; decide it first",
                ));
            }
            if ends.is_some_and(|e| e > now) {
                return Err(DomainError::conflict(
                    "publicity_open",
                    "the publicity window has not closed yet",
                ));
            }
        }
        ClaimAction::Reject if input.reason.is_none() => {
            return Err(DomainError::invalid("reason", "a reason is required"));
        }
        _ => {}
    }
    let moved = claim::Entity::update_many()
        .col_expr(claim::Column::Status, Expr::value(to.as_str()))
        .col_expr(claim::Column::Points, Expr::value(points))
        .col_expr(claim::Column::PublicityEndsAt, Expr::value(ends))
        .col_expr(
            claim::Column::StatusReason,
            Expr::value(if to == ClaimStatus::Rejected {
                input.reason.clone()
            } else {
                c.status_reason.clone()
            }),
        )
        .col_expr(claim::Column::UpdatedAt, Expr::value(now))
        .filter(claim::Column::Id.eq(id))
        .filter(claim::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    if moved.rows_affected != 1 {
        return Err(DomainError::conflict(
            "concurrent_change",
            "the claim changed meanwhile; retry",
        ));
    }
    record_step(db, id, from.as_str(), to, actor, input.reason.clone()).await?;
    if let (ClaimAction::Publicize, Some(at)) = (action, ends) {
        schedule::schedule(
            db,
            CREDIT_TASK,
            json!({ "claim_id": id }),
            at,
            Some(format!("claim:{id}:credit")),
        )
        .await?;
    }
    if action == ClaimAction::Credit {
        points::post(
            db,
            Posting {
                household_id: c.household_id,
                site_id: c.site_id,
                kind: EntryKind::Credit,
                amount: points.unwrap_or(0),
                reference_type: "claim",
                reference_id: Some(id),
                reason: Some(c.description.clone()),
                actor: actor.map(|a| a.account_id),
            },
        )
        .await?;
    }
    Ok(claim::Model {
        status: to,
        points,
        publicity_ends_at: ends,
        status_reason: if to == ClaimStatus::Rejected {
            input.reason
        } else {
            c.status_reason.clone()
        },
        updated_at: now,
        ..c
    })
}

/// The credit task: credits the claim if it is still publicized, its window has closed and no
/// objection is open; otherwise leaves it for staff (a dismissal credits it then).
pub async fn credit_due<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, DomainError> {
    let Some(c) = claim::Entity::find_by_id(id).one(db).await? else {
        return Ok(false);
    };
    let due = c.status == ClaimStatus::Publicized
        && c.publicity_ends_at.is_some_and(|e| e <= Utc::now())
        && objections_open(db, id).await? == 0;
    if due {
        // Everything due at the site goes with it: a campaign's claims, publicized together,
        // are credited in one run, and their own tasks then find nothing left to do.
        credit_due_at_site(db, c.site_id).await?;
    }
    Ok(due)
}

/// Credits every claim of a site whose window has closed with no objection open, in this one
/// transaction and in set-based statements: the claims are marked credited (guarded, so a
/// redelivered task or a second worker credits nothing twice), each household's balance moves
/// once by the sum of its claims, and the entries and steps are generated inside the database
/// from the credited claims (`INSERT … SELECT`), never sent row by row.
/// This is how a whole campaign is credited on time. Returns how many claims were credited.
pub async fn credit_due_at_site<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
) -> Result<u64, DomainError> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        return credit_due_at_site_in_one_statement(db, site_id).await;
    }
    // SQLite (one writer, inside the caller's transaction): the guarded update returns the ids
    // it credited; balances, entries and steps are then generated inside the database from
    // those claims (`INSERT … SELECT`), with the ids passed as one JSON parameter.
    let now = Utc::now();
    let sql = "UPDATE point_claim SET status = 'credited', updated_at = $1 \
               WHERE site_id = $2 AND status = 'publicized' AND publicity_ends_at <= $1 \
                 AND id NOT IN (SELECT claim_id FROM point_objection \
                                WHERE site_id = $2 AND status IN ('pending', 'upheld')) \
               RETURNING id";
    let rows = db
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            sql,
            [now.into(), site_id.into()],
        ))
        .await?;
    let mut claims: Vec<Uuid> = Vec::with_capacity(rows.len());
    for row in rows {
        claims.push(row.try_get("", "id")?);
    }
    if claims.is_empty() {
        return Ok(0);
    }
    // Claim ids, each with the id of its ledger entry (also the id of its step: the two live in
    // different tables). The entry ids grow (UUIDv7 from one process), and each entry's
    // `balance_after` is computed in their order, so a household's history reads forwards.
    let mut pairs = String::with_capacity(claims.len() * 72 + 2);
    pairs.push('[');
    for (n, claim) in claims.iter().enumerate() {
        if n > 0 {
            pairs.push(',');
        }
        pairs.push_str(&format!(
            "[\"{}\",\"{}\"]",
            claim.simple(),
            Uuid::now_v7().simple()
        ));
    }
    pairs.push(']');
    let statements = [
        "INSERT INTO point_account (household_id, site_id, balance, updated_at) \
         SELECT household_id, $2, SUM(COALESCE(points, 0)), $1 FROM point_claim \
         WHERE id IN (SELECT unhex(json_extract(value, '$[0]')) FROM json_each($3)) \
         GROUP BY household_id \
         ON CONFLICT (household_id) DO UPDATE \
           SET balance = balance + excluded.balance, updated_at = excluded.updated_at",
        "INSERT INTO point_entry (id, household_id, site_id, kind, amount, balance_after, \
           shortfall, reference_type, reference_id, reason, actor_account_id, created_at) \
         SELECT n.entry_id, n.household_id, $2, 'credit', n.points, \
           a.balance - COALESCE(SUM(n.points) OVER (PARTITION BY n.household_id \
             ORDER BY n.entry_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), \
           0, 'claim', n.id, n.description, NULL, $1 \
         FROM (SELECT c.id, c.household_id, COALESCE(c.points, 0) AS points, c.description, \
                 unhex(json_extract(j.value, '$[1]')) AS entry_id \
               FROM json_each($3) j \
               JOIN point_claim c ON c.id = unhex(json_extract(j.value, '$[0]'))) n \
         JOIN point_account a ON a.household_id = n.household_id",
        "INSERT INTO point_claim_step (id, claim_id, from_status, to_status, actor_account_id, \
           actor_role, reason, created_at) \
         SELECT unhex(json_extract(value, '$[1]')), unhex(json_extract(value, '$[0]')), \
           'publicized', 'credited', NULL, 'system', NULL, $1 FROM json_each($3)",
    ];
    for sql in statements {
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            sql,
            [now.into(), site_id.into(), pairs.clone().into()],
        ))
        .await?;
    }
    Ok(claims.len() as u64)
}

/// PostgreSQL: the whole credit run as one statement. The guarded update of the due claims feeds,
/// in data-modifying CTEs, the balance upsert (one row per household), the ledger entries and the
/// steps, all generated inside the database instead of sent as rows. Entry ids come from
/// `anju_uuid_v7()`; each entry's `balance_after` is computed in the order of those ids, so a
/// household's history reads forwards whatever order they were drawn in.
async fn credit_due_at_site_in_one_statement<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
) -> Result<u64, DomainError> {
    const SQL: &str = "\
        WITH due AS ( \
          UPDATE point_claim SET status = 'credited', updated_at = $1 \
          WHERE site_id = $2 AND status = 'publicized' AND publicity_ends_at <= $1 \
            AND id NOT IN (SELECT claim_id FROM point_objection \
                           WHERE site_id = $2 AND status IN ('pending', 'upheld')) \
          RETURNING id, household_id, COALESCE(points, 0) AS points, description), \
        sums AS (SELECT household_id, SUM(points)::int AS total FROM due GROUP BY household_id), \
        acc AS ( \
          INSERT INTO point_account (household_id, site_id, balance, updated_at) \
          SELECT household_id, $2, total, $1 FROM sums \
          ON CONFLICT (household_id) DO UPDATE \
            SET balance = point_account.balance + excluded.balance, updated_at = excluded.updated_at \
          RETURNING household_id, balance), \
        numbered AS MATERIALIZED ( \
          SELECT due.*, anju_uuid_v7() AS entry_id FROM due), \
        entries AS ( \
          INSERT INTO point_entry (id, household_id, site_id, kind, amount, balance_after, \
            shortfall, reference_type, reference_id, reason, actor_account_id, created_at) \
          SELECT n.entry_id, n.household_id, $2, 'credit', n.points, \
            acc.balance - COALESCE(SUM(n.points) OVER (PARTITION BY n.household_id \
              ORDER BY n.entry_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), \
            0, 'claim', n.id, n.description, NULL, $1 \
          FROM numbered n JOIN acc USING (household_id)), \
        steps AS ( \
          INSERT INTO point_claim_step (id, claim_id, from_status, to_status, actor_account_id, \
            actor_role, reason, created_at) \
          SELECT n.entry_id, n.id, 'publicized', 'credited', NULL, 'system', NULL, $1 \
          FROM numbered n) \
        SELECT COUNT(*) AS credited FROM due";
    let now = Utc::now();
    // The planner cannot estimate the rows of data-modifying CTEs and picks a nested loop for
    // the entries' join with the new balances (quadratic in the households credited); a hash
    // join is what this statement needs, for this statement only.
    db.execute_unprepared("SET LOCAL enable_nestloop = off")
        .await?;
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            SQL,
            [now.into(), site_id.into()],
        ))
        .await?;
    db.execute_unprepared("SET LOCAL enable_nestloop TO DEFAULT")
        .await?;
    let credited: i64 = match row {
        Some(r) => r.try_get("", "credited")?,
        None => 0,
    };
    Ok(u64::try_from(credited).unwrap_or(0))
}

/// A resident of the site objects to a publicized (or credited) claim.
pub async fn object<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    claim_id: Uuid,
    reason: String,
) -> Result<objection::Model, DomainError> {
    let own = actor
        .scope
        .own()
        .ok_or(DomainError::Forbidden("only residents of the site object"))?;
    let c = claim::Entity::find_by_id(claim_id)
        .filter(claim::Column::SiteId.eq(own.site_id))
        .filter(claim::Column::Status.is_in([
            ClaimStatus::Publicized.as_str(),
            ClaimStatus::Credited.as_str(),
        ]))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let model = objection::Model {
        id: Uuid::now_v7(),
        claim_id,
        site_id: c.site_id,
        resident_id: own.resident_id,
        reason,
        status: "pending".into(),
        decided_by: None,
        decided_at: None,
        created_at: Utc::now(),
    };
    objection::Entity::insert(objection::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

/// Staff decide an objection. Upheld: the claim is rejected with the reason, and points already
/// credited are reversed by a correction entry (down to zero; the shortfall is recorded).
/// Dismissed: a claim whose window has closed with nothing else open is credited at once.
pub async fn decide<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    objection_id: Uuid,
    uphold: bool,
    reason: Option<String>,
) -> Result<objection::Model, DomainError> {
    let o = objection::Entity::find_by_id(objection_id)
        .filter(sites_of(&actor.scope, objection::Column::SiteId))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(o.site_id)?;
    let now = Utc::now();
    let status = if uphold { "upheld" } else { "dismissed" };
    let decided = objection::Entity::update_many()
        .col_expr(objection::Column::Status, Expr::value(status))
        .col_expr(objection::Column::DecidedBy, Expr::value(actor.account_id))
        .col_expr(objection::Column::DecidedAt, Expr::value(now))
        .filter(objection::Column::Id.eq(objection_id))
        .filter(objection::Column::Status.eq("pending"))
        .exec(db)
        .await?;
    if decided.rows_affected != 1 {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("this objection is already {}", o.status),
        ));
    }
    let c = claim::Entity::find_by_id(o.claim_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let why = reason.unwrap_or_else(|| o.reason.clone());
    if uphold {
        let from = c.status;
        let rejected = claim::Entity::update_many()
            .col_expr(
                claim::Column::Status,
                Expr::value(ClaimStatus::Rejected.as_str()),
            )
            .col_expr(claim::Column::StatusReason, Expr::value(Some(why.clone())))
            .col_expr(claim::Column::UpdatedAt, Expr::value(now))
            .filter(claim::Column::Id.eq(c.id))
            .filter(claim::Column::Status.is_in([
                ClaimStatus::Publicized.as_str(),
                ClaimStatus::Credited.as_str(),
            ]))
            .exec(db)
            .await?;
        if rejected.rows_affected == 1 {
            record_step(
                db,
                c.id,
                from.as_str(),
                ClaimStatus::Rejected,
                Some(actor),
                Some(why.clone()),
            )
            .await?;
            if from == ClaimStatus::Credited {
                points::reverse(
                    db,
                    c.household_id,
                    c.site_id,
                    c.points.unwrap_or(0),
                    c.id,
                    why,
                    actor.account_id,
                )
                .await?;
            }
        }
    } else if c.status == ClaimStatus::Publicized {
        credit_due(db, c.id).await?;
    }
    Ok(objection::Model {
        status: status.to_owned(),
        decided_by: Some(actor.account_id),
        decided_at: Some(now),
        ..o
    })
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

#[cfg(test)]
mod tests {
    use super::PhotoKind;

    #[test]
    fn photos_are_told_by_content() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
        assert_eq!(PhotoKind::sniff(&jpeg), Some(PhotoKind::Jpeg));
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        png.extend_from_slice(&[0; 4]);
        png.extend_from_slice(&[0; 5]);
        assert_eq!(PhotoKind::sniff(&png), Some(PhotoKind::Png));
        // A PNG signature with a zero-width header, a bare JPEG start, text, a GIF: refused.
        let mut empty = png.clone();
        empty[16..20].copy_from_slice(&[0; 4]);
        assert_eq!(PhotoKind::sniff(&empty), None);
        assert_eq!(PhotoKind::sniff(&[0xFF, 0xD8, 0xFF]), None);
        assert_eq!(PhotoKind::sniff(&[0xFF, 0xD8, 0xFF, 0x00, 0x00]), None);
        assert_eq!(
            PhotoKind::sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            None
        );
        assert_eq!(PhotoKind::sniff(b"GIF89a\x01\x00\x01\x00"), None);
        assert_eq!(PhotoKind::sniff(&png[..20]), None);
    }
}
