//! What makes the demo's screens meaningful beyond the registry: employers (three verified, one
//! waiting for review), postings in all six channels (most published, some waiting for review),
//! applications, activities (a training about to start with people signed up and some checked
//! in, a job fair, a full lecture with a waiting list, a performance, a group's volunteer day),
//! store items, a call for claims with claims at every step (applied, verified, registered,
//! publicized with its window open and with its window closed, credited, rejected, one under
//! objection), balances and a pending redemption. Everything goes through the domain functions
//! the api uses, in one transaction, by the demo's own actors: the platform admin, the first
//! group's leader and a resident.
//!
//! Two things the rules forbid doing at once are done by hand, and only here: a publicity window
//! is closed early (set to have ended a minute ago) so that crediting and a claim waiting to be
//! credited exist on the first day, as they would after three days.

use anyhow::Context;
use chrono::{Duration, Utc};
use entity::{
    activities::{self, ActivityContent, ActivityKind, AudienceSpec, CheckIn, Schedule},
    claims::{self, ClaimAction, NewClaim, StepInput, claim},
    identity::accounts::{self, NewAccount},
    kernel::{Actor, Own, Role, Scope, china_time::today},
    people::{Phone, make_credit_code},
    points::{self, Category, ItemContent},
    recruitment::{
        application,
        employer::{self, EmployerStatus, NewEmployer},
        job::{self, JobAction, JobActor, JobStatus},
        synthetic,
    },
    registry::resident,
};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

use crate::startup::AppState;

/// The people the scenes act as.
pub struct Cast<'a> {
    /// The platform administrator (staff work).
    pub admin: &'a Actor,
    /// The demo site.
    pub site_id: Uuid,
    /// The first group.
    pub group_id: Uuid,
    /// The first group's leader (a resident).
    pub leader: &'a resident::Model,
    /// The leader's account.
    pub leader_account: Uuid,
}

/// The employers: name, credit-code prefix (17 characters), login phone, verified.
const EMPLOYERS: [(&str, &str, &str, bool); 4] = [
    (
        "卢氏县金海科技有限公司",
        "91411224MA0000001",
        "19902000001",
        true,
    ),
    (
        "河南豫西建工集团有限公司",
        "91411224MA0000002",
        "19902000002",
        true,
    ),
    (
        "卢氏县食用菌专业合作社",
        "93411224MA0000003",
        "19902000003",
        true,
    ),
    (
        "昆山精密电子有限公司",
        "91320583MA0000004",
        "19902000004",
        false,
    ),
];

/// The login of the first (verified) employer.
pub const EMPLOYER_LOGIN: &str = "19902000001";

/// Loads the scenes in one transaction.
pub async fn load(state: &AppState, cast: Cast<'_>) -> anyhow::Result<()> {
    let mut logins = Vec::new();
    for (_, _, phone, _) in EMPLOYERS {
        let phone = Phone::parse(phone)?;
        let hash = super::password_hash(state, &phone).await?;
        logins.push((phone, hash));
    }
    let txn = state.db.begin().await?;
    let employers = employers(&txn, &cast, logins).await?;
    let jobs = postings(&txn, &cast, &employers).await?;
    let group = group_residents(&txn, cast.group_id, cast.leader.id).await?;
    let leader = leader_actor(&cast);
    for (job_id, resident) in jobs.iter().zip(group.iter().take(6)) {
        application::apply(
            &txn,
            &leader,
            *job_id,
            resident.id,
            Some("在社区服务站代为报名".into()),
        )
        .await?;
    }
    activities_scene(&txn, &cast, &employers, &group).await?;
    store(&txn, &cast).await?;
    claims_scene(&txn, &cast, &group).await?;
    txn.commit().await?;
    Ok(())
}

async fn employers(
    txn: &DatabaseTransaction,
    cast: &Cast<'_>,
    logins: Vec<(Phone, String)>,
) -> anyhow::Result<Vec<Uuid>> {
    let mut verified = Vec::new();
    for ((name, code, _, approve), (phone, password_hash)) in EMPLOYERS.into_iter().zip(logins) {
        let account = accounts::create(
            txn,
            NewAccount {
                phone: phone.clone(),
                password_hash,
                role: Role::Employer,
                site_id: None,
                resident_id: None,
            },
        )
        .await?;
        let e = employer::create(
            txn,
            NewEmployer {
                account_id: account.id,
                name: name.into(),
                credit_code: make_credit_code(code)
                    .map_err(|e| anyhow::anyhow!("demo credit code {code}: {e}"))?,
                contact_name: "人事部".into(),
                contact_phone: phone,
            },
        )
        .await?;
        if approve {
            employer::review(
                txn,
                cast.admin.account_id,
                cast.admin.role,
                e.id,
                EmployerStatus::Verified,
                None,
            )
            .await?;
            verified.push(e.id);
        }
    }
    Ok(verified)
}

/// Two postings of each of the twelve kinds (all six channels): the first twenty published by
/// staff, the last four waiting for review. Answers the published ones.
async fn postings(
    txn: &DatabaseTransaction,
    cast: &Cast<'_>,
    employers: &[Uuid],
) -> anyhow::Result<Vec<Uuid>> {
    let now = Utc::now();
    let mut rows = synthetic::postings(Uuid::nil(), 24, now);
    for (i, row) in rows.iter_mut().enumerate() {
        row.employer_id = employers[i % employers.len()];
        row.status = JobStatus::PendingReview;
        row.published_at = None;
        row.version = 1;
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    synthetic::insert(txn, rows).await?;
    let staff = JobActor::Staff(cast.admin.account_id, cast.admin.role);
    for id in &ids[..20] {
        job::act(txn, staff, *id, JobAction::Publish, None).await?;
    }
    Ok(ids[..20].to_vec())
}

/// The group's residents with phones other than the leader, in id order (one per household).
async fn group_residents(
    txn: &DatabaseTransaction,
    group_id: Uuid,
    leader: Uuid,
) -> anyhow::Result<Vec<resident::Model>> {
    let all = resident::Entity::find()
        .filter(resident::Column::GroupId.eq(group_id))
        .filter(resident::Column::Phone.is_not_null())
        .filter(resident::Column::Id.ne(leader))
        .order_by_asc(resident::Column::Id)
        .all(txn)
        .await?;
    let mut seen = std::collections::HashSet::new();
    let residents: Vec<resident::Model> = all
        .into_iter()
        .filter(|r| seen.insert(r.household_id))
        .collect();
    anyhow::ensure!(
        residents.len() >= 14,
        "the demo group has too few households"
    );
    Ok(residents)
}

fn leader_actor(cast: &Cast<'_>) -> Actor {
    let own = Own {
        site_id: cast.site_id,
        resident_id: cast.leader.id,
        household_id: cast.leader.household_id,
        group_id: cast.leader.group_id,
    };
    Actor {
        account_id: cast.leader_account,
        role: Role::GroupLeader,
        scope: Scope::Groups {
            site_id: cast.site_id,
            group_ids: vec![cast.group_id],
            own,
        },
        household_id: Some(cast.leader.household_id),
    }
}

/// One demo activity: title, kind, place, starts in, lasts (hours), seats, points, for the
/// first group only.
type Plan = (
    &'static str,
    ActivityKind,
    &'static str,
    Duration,
    i64,
    i32,
    Option<(Category, i32)>,
    bool,
);

async fn activities_scene(
    txn: &DatabaseTransaction,
    cast: &Cast<'_>,
    employers: &[Uuid],
    group: &[resident::Model],
) -> anyhow::Result<()> {
    let plans: [Plan; 5] = [
        // Starts in half an hour: check-in is open.
        (
            "电商直播带货技能培训",
            ActivityKind::Training,
            "社区服务中心二楼培训室",
            Duration::minutes(30),
            3,
            40,
            Some((Category::PolicySavvy, 2)),
            false,
        ),
        (
            "就业进社区专场招聘会",
            ActivityKind::JobFair,
            "社区文化广场",
            Duration::days(5),
            4,
            500,
            None,
            false,
        ),
        // Five seats for seven people: two wait.
        (
            "香菇种植技术讲座",
            ActivityKind::Lecture,
            "社区党群服务中心会议室",
            Duration::days(3),
            2,
            5,
            Some((Category::PolicySavvy, 1)),
            false,
        ),
        (
            "“欢乐进社区”文艺演出",
            ActivityKind::Performance,
            "社区文化广场",
            Duration::days(10),
            2,
            300,
            None,
            false,
        ),
        (
            "楼道清洁志愿服务",
            ActivityKind::VolunteerService,
            "本组各楼栋",
            Duration::days(2),
            3,
            30,
            Some((Category::PublicWelfare, 5)),
            true,
        ),
    ];
    let now = Utc::now();
    let mut ids = Vec::new();
    for (title, kind, place, starts_in, hours, capacity, points, one_group) in plans {
        let starts = now + starts_in;
        let ends = starts + Duration::hours(hours);
        let schedule = Schedule::new([starts, ends, now - Duration::days(1), ends], now, None)
            .map_err(|e| anyhow::anyhow!("demo schedule: {e:?}"))?;
        let content = ActivityContent {
            title: title.into(),
            description: format!("{title}。欢迎社区居民报名参加，请准时到场签到。"),
            kind,
            place: place.into(),
            schedule,
            capacity,
            waitlist_enabled: true,
            contact: "社区服务中心 0398-7000000".into(),
            points,
            employer_ids: if kind == ActivityKind::JobFair {
                employers.to_vec()
            } else {
                Vec::new()
            },
        };
        let audience = AudienceSpec {
            committee_ids: Vec::new(),
            group_ids: if one_group {
                vec![cast.group_id]
            } else {
                Vec::new()
            },
        };
        let a = activities::create(txn, cast.admin, cast.site_id, content, &audience).await?;
        ids.push(a.id);
    }
    let (training, lecture) = (ids[0], ids[2]);
    // A dozen signed up for the training at the desk, three already in.
    for (i, r) in group.iter().take(12).enumerate() {
        let reason = Some("在服务台现场报名".into());
        let s = activities::sign_up(txn, cast.admin, training, r.id, reason).await?;
        if i < 3 {
            activities::check_in(txn, cast.admin, training, CheckIn::Code(s.signup.code)).await?;
        }
    }
    for r in group.iter().skip(6).take(7) {
        activities::sign_up(txn, cast.admin, lecture, r.id, None).await?;
    }
    Ok(())
}

async fn store(txn: &DatabaseTransaction, cast: &Cast<'_>) -> anyhow::Result<()> {
    for (name, price, stock) in [
        ("大米 5 公斤", 50, 40),
        ("食用油 5 升", 60, 30),
        ("洗衣液 2 公斤", 20, 60),
        ("毛巾", 10, 100),
        ("香皂", 5, 120),
        ("牙膏", 8, 80),
        ("保温杯", 30, 0),
    ] {
        points::create_item(
            txn,
            cast.admin,
            cast.site_id,
            ItemContent {
                name: name.into(),
                description: format!("{name}，凭积分兑换。"),
                price,
                stock,
                active: true,
            },
        )
        .await?;
    }
    Ok(())
}

/// A call for claims and claims at every step. Claims are filed by the group's leader for its
/// residents and moved on by the admin (nobody approves what they filed).
async fn claims_scene(
    txn: &DatabaseTransaction,
    cast: &Cast<'_>,
    group: &[resident::Model],
) -> anyhow::Result<()> {
    let today = today();
    let campaign = claims::create_campaign(
        txn,
        cast.admin,
        cast.site_id,
        Category::Environment,
        "冬季环境卫生整治".into(),
        "清扫楼道、清理杂物、整治乱堆乱放，每次 2–10 分，由组长核实。".into(),
        (today - Duration::days(10), today + Duration::days(20)),
        Vec::new(),
    )
    .await?;
    let leader = leader_actor(cast);
    let steps = |n: usize| -> &'static [ClaimAction] {
        const ALL: [ClaimAction; 3] = [
            ClaimAction::Verify,
            ClaimAction::Register,
            ClaimAction::Publicize,
        ];
        &ALL[..n]
    };
    // (resident index, description, points, steps taken, window closed)
    let plan: [(usize, &str, i32, usize, bool); 12] = [
        (0, "清扫 3 号楼一单元楼道", 6, 3, true),
        (1, "清理楼下杂物堆放点", 8, 3, true),
        (2, "帮助邻居清运装修垃圾", 5, 3, true),
        (3, "每周擦拭楼道扶手", 4, 3, true),
        (4, "整治车棚乱停乱放", 6, 3, true),
        (5, "清理绿化带垃圾", 3, 3, true),
        (6, "清扫 5 号楼楼道", 5, 3, false),
        (7, "冬季除雪", 10, 3, false),
        (8, "清理小广告", 4, 2, false),
        (9, "打扫健身广场", 3, 1, false),
        (10, "清扫 7 号楼楼道", 2, 0, false),
        (11, "参加垃圾分类宣传", 2, 0, false),
    ];
    let mut closed = Vec::new();
    let mut open_publicized = Vec::new();
    for (i, description, points, taken, close) in plan {
        let r = &group[i];
        let (c, _) = claims::apply(
            txn,
            &leader,
            NewClaim {
                id: Uuid::now_v7(),
                resident_id: r.id,
                category: Category::Environment,
                description: description.into(),
                campaign_id: Some(campaign.id),
                photos: Vec::new(),
                reason: Some("居民不会用手机，组长代为申报".into()),
            },
        )
        .await?;
        for (n, action) in steps(taken).iter().enumerate() {
            claims::act(
                txn,
                Some(cast.admin),
                c.id,
                *action,
                StepInput {
                    points: (n == 0).then_some(points),
                    reason: None,
                    days: None,
                },
            )
            .await?;
        }
        if close {
            closed.push(c.id);
        } else if taken == 3 {
            open_publicized.push(c.id);
        }
    }
    // The first six have had their window: credit them (as the scheduler would have).
    close_window(txn, &closed).await?;
    let credited = claims::credit_due_at_site(txn, cast.site_id).await?;
    anyhow::ensure!(credited == 6, "the demo credited {credited} claims, not 6");
    // The seventh's window has closed too, but nobody has credited it yet: staff do.
    close_window(txn, &open_publicized[..1]).await?;
    // A neighbour objects to the eighth (window still open).
    let objector = &group[12];
    // The objection records the resident (from the scope), not an account: this resident has none.
    let resident_actor = Actor {
        account_id: Uuid::nil(),
        role: Role::Resident,
        scope: Scope::Own(Own {
            site_id: cast.site_id,
            resident_id: objector.id,
            household_id: objector.household_id,
            group_id: objector.group_id,
        }),
        household_id: Some(objector.household_id),
    };
    claims::object(
        txn,
        &resident_actor,
        open_publicized[1],
        "除雪是物业统一安排的，不是本人自愿完成".into(),
    )
    .await?;
    // One rejected.
    let (rejected, _) = claims::apply(
        txn,
        &leader,
        NewClaim {
            id: Uuid::now_v7(),
            resident_id: group[13].id,
            category: Category::Environment,
            description: "在自家门口摆放花盆".into(),
            campaign_id: Some(campaign.id),
            photos: Vec::new(),
            reason: None,
        },
    )
    .await?;
    claims::act(
        txn,
        Some(cast.admin),
        rejected.id,
        ClaimAction::Reject,
        StepInput {
            reason: Some("不属于环境整治范围".into()),
            ..StepInput::default()
        },
    )
    .await?;
    // A redemption waiting at the counter, paid from the first household's credited points.
    let soap = points::item::Entity::find()
        .filter(points::item::Column::SiteId.eq(cast.site_id))
        .filter(points::item::Column::Price.eq(5))
        .one(txn)
        .await?
        .context("the demo store has no soap")?;
    points::redeem(
        txn,
        cast.admin,
        group[0].household_id,
        soap.id,
        1,
        Some("居民到超市柜台兑换".into()),
    )
    .await?;
    Ok(())
}

/// Ends the publicity window of `ids` a minute ago (the demo's one shortcut; see the module).
async fn close_window(txn: &DatabaseTransaction, ids: &[Uuid]) -> anyhow::Result<()> {
    claim::Entity::update_many()
        .col_expr(
            claim::Column::PublicityEndsAt,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .filter(claim::Column::Id.is_in(ids.to_vec()))
        .exec(txn)
        .await?;
    Ok(())
}
