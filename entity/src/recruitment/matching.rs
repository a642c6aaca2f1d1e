//! Matching a published posting to the residents it suits, and category subscriptions.
//!
//! A resident is told about a posting when it is looking for work and of an age the posting takes
//! (16–59 at most), shares a skill with it (when the posting asks for skills), gets the
//! accommodation it needs (disabled workers: postings suitable for them; carers wanting flexible
//! hours: postings with flexible hours), and is willing to work away when the posting is away
//! from home; or when it subscribed to the posting's category. The `job_match` table's primary
//! key (posting, resident) makes sure nobody is told twice about one posting.

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    entity::prelude::*,
    sea_query::{OnConflict, Query},
};

use super::{
    job::{self, JobCategory, JobStatus, SalaryUnit},
    job_match, subscription,
};
use crate::{
    error::stored_json,
    messaging::{
        events::{Audience, NotificationRequested, Urgency},
        outbox,
    },
    registry::{
        ops::age_birth_range,
        resident,
        types::{Hours, JobPreferences, WorkArea},
    },
};

/// Residents read per page while matching, and rows per insert.
const PAGE: u64 = 1000;

/// Recipients per notification event (keeps each message well under the broker's limits).
const RECIPIENTS_PER_EVENT: usize = 5000;

/// The resident's categories (replacing the previous set).
pub async fn set_subscriptions<C: ConnectionTrait>(
    db: &C,
    resident_id: Uuid,
    categories: &[JobCategory],
) -> Result<Vec<JobCategory>, DbErr> {
    subscription::Entity::delete_many()
        .filter(subscription::Column::ResidentId.eq(resident_id))
        .exec(db)
        .await?;
    let unique: Vec<JobCategory> = categories
        .iter()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if !unique.is_empty() {
        let now = Utc::now();
        subscription::Entity::insert_many(unique.iter().map(|c| subscription::ActiveModel {
            resident_id: sea_orm::ActiveValue::Set(resident_id),
            category: sea_orm::ActiveValue::Set(c.as_str().to_owned()),
            created_at: sea_orm::ActiveValue::Set(now),
        }))
        .exec_without_returning(db)
        .await?;
    }
    subscriptions(db, resident_id).await
}

/// The resident's categories, in a stable order.
pub async fn subscriptions<C: ConnectionTrait>(
    db: &C,
    resident_id: Uuid,
) -> Result<Vec<JobCategory>, DbErr> {
    let rows: Vec<String> = subscription::Entity::find()
        .select_only()
        .column(subscription::Column::Category)
        .filter(subscription::Column::ResidentId.eq(resident_id))
        .order_by_asc(subscription::Column::Category)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.iter().filter_map(|c| JobCategory::parse(c)).collect())
}

/// What the matcher reads of a resident.
#[derive(Debug, sea_orm::FromQueryResult)]
struct Candidate {
    id: Uuid,
    site_id: Uuid,
    skills: serde_json::Value,
    disability: bool,
    job_preferences: serde_json::Value,
}

/// The posting's requirements, prepared once.
struct Requirements {
    skills: HashSet<String>,
    suitable_for_disabled: bool,
    flexible_hours: bool,
    away: bool,
}

impl Requirements {
    fn of(job: &job::Model) -> Result<Self, DbErr> {
        Ok(Self {
            skills: job.skill_list()?.iter().map(|s| normalise(s)).collect(),
            suitable_for_disabled: job.suitable_for_disabled,
            flexible_hours: job.flexible_hours,
            away: job.category == JobCategory::WorkAway,
        })
    }

    /// Whether the posting suits the resident (age and job-seeking are filtered in SQL); a
    /// resident whose stored skills or preferences do not read is an error that names them.
    fn suit(&self, c: &Candidate) -> Result<bool, DbErr> {
        let prefs: JobPreferences =
            stored_json(&c.job_preferences, "resident.job_preferences", c.id)?;
        let skills_ok = self.skills.is_empty() || {
            let theirs: Vec<String> = stored_json(&c.skills, "resident.skills", c.id)?;
            theirs.iter().any(|s| self.skills.contains(&normalise(s)))
        };
        let disability_ok = !c.disability || self.suitable_for_disabled;
        let hours_ok = prefs.hours != Hours::Flexible || self.flexible_hours;
        let area_ok = !self.away || prefs.area == WorkArea::WillingToWorkAway;
        Ok(skills_ok && disability_ok && hours_ok && area_ok)
    }
}

fn normalise(skill: &str) -> String {
    skill.trim().to_lowercase()
}

/// Matches a published posting and tells every newly matched resident, in one notification per
/// site (chunked for very large audiences). Returns how many residents were told. A posting no
/// longer published matches nobody; running it again tells nobody twice.
pub async fn match_job<C: ConnectionTrait>(
    db: &C,
    job_id: Uuid,
    today: NaiveDate,
) -> Result<u64, DbErr> {
    let Some(job) = job::Entity::find_by_id(job_id).one(db).await? else {
        return Ok(0);
    };
    if job.status != JobStatus::Published {
        return Ok(0);
    }
    let requirements = Requirements::of(&job)?;
    let min_age = job.age_min.map_or(16, i32::from).max(16);
    let max_age = job.age_max.map_or(59, i32::from).min(59);
    let mut told: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    if min_age <= max_age {
        let (earliest, latest) = age_birth_range(today, min_age, max_age);
        let mut after: Option<Uuid> = None;
        loop {
            let mut select = resident::Entity::find()
                .select_only()
                .columns([
                    resident::Column::Id,
                    resident::Column::SiteId,
                    resident::Column::Skills,
                    resident::Column::Disability,
                    resident::Column::JobPreferences,
                ])
                .filter(resident::Column::JobSeeking.eq(true))
                .filter(resident::Column::BirthDate.gte(earliest))
                .filter(resident::Column::BirthDate.lte(latest))
                .order_by_asc(resident::Column::Id)
                .limit(PAGE);
            if let Some(last) = after {
                select = select.filter(resident::Column::Id.gt(last));
            }
            let page: Vec<Candidate> = select.into_model().all(db).await?;
            let Some(last) = page.last().map(|c| c.id) else {
                break;
            };
            let mut suited: Vec<(Uuid, Uuid)> = Vec::new();
            for c in &page {
                if requirements.suit(c)? {
                    suited.push((c.id, c.site_id));
                }
            }
            record(db, job_id, "profile", &suited, &mut told).await?;
            if (page.len() as u64) < PAGE {
                break;
            }
            after = Some(last);
        }
    }
    let mut after: Option<Uuid> = None;
    loop {
        let mut select = subscription::Entity::find()
            .select_only()
            .column(subscription::Column::ResidentId)
            .filter(subscription::Column::Category.eq(job.category.as_str()))
            .order_by_asc(subscription::Column::ResidentId)
            .limit(PAGE);
        if let Some(last) = after {
            select = select.filter(subscription::Column::ResidentId.gt(last));
        }
        let ids: Vec<Uuid> = select.into_tuple().all(db).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        let subscribers: Vec<(Uuid, Uuid)> = resident::Entity::find()
            .select_only()
            .columns([resident::Column::Id, resident::Column::SiteId])
            .filter(resident::Column::Id.is_in(ids.clone()))
            .into_tuple()
            .all(db)
            .await?;
        record(db, job_id, "subscription", &subscribers, &mut told).await?;
        if (ids.len() as u64) < PAGE {
            break;
        }
        after = Some(last);
    }
    let mut total = 0;
    for (site_id, residents) in told {
        total += residents.len() as u64;
        for chunk in residents.chunks(RECIPIENTS_PER_EVENT) {
            outbox::notify(
                db,
                NotificationRequested {
                    site_id,
                    category: "job".into(),
                    title: "新岗位推荐".into(),
                    body: notice(&job),
                    audience: Audience::Residents {
                        resident_ids: chunk.to_vec(),
                    },
                    urgency: Urgency::Normal,
                    link: Some(format!("job:{}", job.id)),
                    notice: None,
                },
            )
            .await?;
        }
    }
    Ok(total)
}

/// Inserts the matches not recorded yet and collects, by site, the residents newly matched
/// (`RETURNING` gives exactly the rows this call inserted, even under concurrent runs).
async fn record<C: ConnectionTrait>(
    db: &C,
    job_id: Uuid,
    reason: &str,
    residents: &[(Uuid, Uuid)],
    told: &mut BTreeMap<Uuid, Vec<Uuid>>,
) -> Result<(), DbErr> {
    if residents.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut insert = Query::insert();
    insert
        .into_table(job_match::Entity)
        .columns([
            job_match::Column::JobId,
            job_match::Column::ResidentId,
            job_match::Column::SiteId,
            job_match::Column::Reason,
            job_match::Column::CreatedAt,
        ])
        .on_conflict(
            OnConflict::columns([job_match::Column::JobId, job_match::Column::ResidentId])
                .do_nothing()
                .to_owned(),
        )
        .returning(
            Query::returning().columns([job_match::Column::ResidentId, job_match::Column::SiteId]),
        );
    for (resident_id, site_id) in residents {
        insert
            .values([
                job_id.into(),
                (*resident_id).into(),
                (*site_id).into(),
                reason.into(),
                now.into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    for row in db.query_all(&insert).await? {
        let resident_id: Uuid = row.try_get("", "resident_id")?;
        let site_id: Uuid = row.try_get("", "site_id")?;
        told.entry(site_id).or_default().push(resident_id);
    }
    Ok(())
}

/// The notice (Simplified Chinese).
fn notice(job: &job::Model) -> String {
    let unit = match job.salary_unit {
        SalaryUnit::Hour => "小时",
        SalaryUnit::Day => "天",
        SalaryUnit::Piece => "件",
        SalaryUnit::Month => "月",
    };
    format!(
        "“{}”正在招聘（{}，{}–{}元/{}），点击查看详情并报名。",
        job.title, job.location, job.salary_min, job.salary_max, unit
    )
}
