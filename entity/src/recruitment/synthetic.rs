//! Deterministic synthetic job postings, already published, for the benchmark, the index test and
//! the demo: the kinds of work the report describes (community workshops, public-welfare posts,
//! work away from home, the edible-fungi industry base), with realistic Chinese titles. Nobody
//! in them is real.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use serde_json::json;
use uuid::Uuid;

use super::job::{self, JobCategory, JobStatus, SalaryUnit, search_key};

/// A kind of posting: title, category, skills, salary unit, lowest and highest pay.
type Kind = (
    &'static str,
    JobCategory,
    &'static [&'static str],
    SalaryUnit,
    i32,
    i32,
);

/// The kinds of posting generated, in turn.
const KINDS: &[Kind] = &[
    (
        "扶贫车间缝纫工",
        JobCategory::CommunityWorkshop,
        &["缝纫"],
        SalaryUnit::Piece,
        2,
        5,
    ),
    (
        "电子厂普工",
        JobCategory::WorkAway,
        &[],
        SalaryUnit::Month,
        4500,
        6500,
    ),
    (
        "电焊工",
        JobCategory::WorkAway,
        &["电焊"],
        SalaryUnit::Month,
        7000,
        9500,
    ),
    (
        "社区保洁员",
        JobCategory::PublicWelfare,
        &["保洁"],
        SalaryUnit::Month,
        1500,
        1800,
    ),
    (
        "护林员",
        JobCategory::PublicWelfare,
        &[],
        SalaryUnit::Month,
        1200,
        1500,
    ),
    (
        "香菇种植工",
        JobCategory::IndustryBase,
        &["香菇种植"],
        SalaryUnit::Day,
        80,
        120,
    ),
    (
        "快递分拣员",
        JobCategory::Local,
        &[],
        SalaryUnit::Hour,
        15,
        20,
    ),
    (
        "小区保安",
        JobCategory::Local,
        &["保安"],
        SalaryUnit::Month,
        2200,
        2800,
    ),
    (
        "食堂厨师",
        JobCategory::Local,
        &["烹饪"],
        SalaryUnit::Month,
        3000,
        4000,
    ),
    (
        "货车司机",
        JobCategory::WorkAway,
        &["驾驶"],
        SalaryUnit::Month,
        6000,
        8000,
    ),
    (
        "手工编织",
        JobCategory::SatelliteFactory,
        &["编织"],
        SalaryUnit::Piece,
        3,
        8,
    ),
    (
        "建筑钢筋工",
        JobCategory::WorkAway,
        &["钢筋"],
        SalaryUnit::Day,
        260,
        350,
    ),
];

const PLACES: &[&str] = &[
    "兴贤里社区扶贫车间",
    "江苏省昆山市",
    "浙江省宁波市",
    "卢氏县城关镇",
    "广东省东莞市",
    "卢氏县香菇产业园",
];

const EMPLOYERS: &[&str] = &["金海科技", "豫西建工", "卢氏县食用菌合作社", "昆山精密电子"];

/// `count` published postings of `employer_id`, newest last, valid for 30 more days.
pub fn postings(employer_id: Uuid, count: usize, now: DateTime<Utc>) -> Vec<job::Model> {
    (0..count)
        .map(|i| {
            let (title, category, skills, unit, min, max) = KINDS[i % KINDS.len()];
            let place = PLACES[(i / KINDS.len()) % PLACES.len()];
            let employer = EMPLOYERS[i % EMPLOYERS.len()];
            let title = format!("{title}（{}号岗）", i + 1);
            let description = format!(
                "{place}招聘{title}，包吃住，按时足额发放工资。要求身体健康，能吃苦耐劳。有意者请联系社区就业服务站报名。"
            );
            let published = now - Duration::minutes((count - i) as i64);
            job::Model {
                id: Uuid::now_v7(),
                employer_id,
                search_text: search_key(&format!("{title} {description} {employer}")),
                title,
                description,
                category,
                location: place.to_owned(),
                salary_min: min,
                salary_max: max,
                salary_unit: unit,
                headcount: 1 + (i % 20) as i32,
                age_min: Some(18),
                age_max: Some(if i % 3 == 0 { 45 } else { 55 }),
                skills: json!(skills),
                suitable_for_disabled: i % 7 == 0,
                flexible_hours: i % 5 == 0,
                transport_provided: category == JobCategory::WorkAway,
                housing_provided: category == JobCategory::WorkAway,
                contact: "社区就业服务站 0398-7000000".to_owned(),
                valid_through: now + Duration::days(30),
                status: JobStatus::Published,
                status_reason: None,
                version: 2,
                published_at: Some(published),
                created_at: published,
                updated_at: published,
                partner_id: None,
                external_id: None,
                external_version: None,
                hiring_organization: None,
            }
        })
        .collect()
}

/// Inserts postings in multi-row batches (no expiry tasks: they are for reading).
pub async fn insert<C: ConnectionTrait>(db: &C, postings: Vec<job::Model>) -> Result<(), DbErr> {
    let mut rows = postings.into_iter().map(job::ActiveModel::from).peekable();
    while rows.peek().is_some() {
        let batch: Vec<job::ActiveModel> = rows.by_ref().take(500).collect();
        job::Entity::insert_many(batch)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
