//! The residents an [`Audience`] names, as one query: the worker fans a notice out over it and the
//! api counts it before staff send a broadcast, so the count shown is the count reached.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    Select,
};
use uuid::Uuid;

use crate::{
    kernel::china_time::today,
    messaging::events::Audience,
    registry::{ops::working_age_birth_range, resident, resident_group},
};

/// The residents `audience` names, as a query over resident ids.
pub async fn residents<C: ConnectionTrait>(
    db: &C,
    audience: &Audience,
) -> Result<Select<resident::Entity>, DbErr> {
    let select = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id);
    Ok(match audience {
        Audience::Residents { resident_ids } => {
            select.filter(resident::Column::Id.is_in(resident_ids.clone()))
        }
        Audience::Site {
            site_id,
            committee_ids,
            group_ids,
            working_age,
            job_seeking,
        } => {
            let mut select = select.filter(resident::Column::SiteId.eq(*site_id));
            let mut groups = group_ids.clone();
            if !committee_ids.is_empty() {
                let in_committees: Vec<Uuid> = resident_group::Entity::find()
                    .select_only()
                    .column(resident_group::Column::Id)
                    .filter(resident_group::Column::SiteId.eq(*site_id))
                    .filter(resident_group::Column::CommitteeId.is_in(committee_ids.clone()))
                    .into_tuple()
                    .all(db)
                    .await?;
                groups.extend(in_committees);
            }
            if !groups.is_empty() || !committee_ids.is_empty() {
                select = select.filter(resident::Column::GroupId.is_in(groups));
            }
            if *working_age {
                let (earliest, latest) = working_age_birth_range(today());
                select = select
                    .filter(resident::Column::BirthDate.gte(earliest))
                    .filter(resident::Column::BirthDate.lte(latest));
            }
            if *job_seeking {
                select = select.filter(resident::Column::JobSeeking.eq(true));
            }
            select
        }
    })
}

/// How many residents `audience` names now.
pub async fn count<C: ConnectionTrait>(db: &C, audience: &Audience) -> Result<u64, DbErr> {
    residents(db, audience).await?.count(db).await
}
