//! Who sees which postings, one or a page at a time.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    DomainError,
    page::{Page, PageRequest},
};

use super::*;

/// Who is looking at postings.
#[derive(Debug, Clone, Copy)]
pub enum Viewer {
    /// Residents, the public: published postings only.
    Public,
    /// An employer: its own in every state, others' when published.
    Employer(Uuid),
    /// Staff and administrators: everything.
    Staff,
}

pub(super) fn visible(viewer: Viewer) -> Condition {
    let published = Column::Status.eq(JobStatus::Published.as_str());
    match viewer {
        Viewer::Public => Condition::all().add(published),
        Viewer::Employer(id) => Condition::any()
            .add(published)
            .add(Column::EmployerId.eq(id)),
        Viewer::Staff => Condition::all(),
    }
}

/// One posting the viewer may see.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    viewer: Viewer,
    id: Uuid,
) -> Result<Model, DomainError> {
    Entity::find_by_id(id)
        .filter(visible(viewer))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Filters of the job list.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Substring of title, description or employer name (case-insensitive).
    pub q: Option<String>,
    /// Only this category.
    pub category: Option<JobCategory>,
    /// Only postings paying at least this much (their maximum).
    pub salary_min: Option<i32>,
    /// Only postings suitable for disabled workers.
    pub suitable_for_disabled: Option<bool>,
    /// Only postings with flexible hours.
    pub flexible_hours: Option<bool>,
    /// Only this status (staff and employers).
    pub status: Option<JobStatus>,
    /// Only the viewer's own postings (employers).
    pub mine: bool,
}

/// Postings the viewer may see, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: Viewer,
    filter: &JobFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<Model>, DbErr> {
    let select = list_query(viewer, filter, page);
    Ok(Page::from_rows(page, select.all(db).await?, |j| j.id))
}

/// The query behind [`list`] (the benchmark's baseline and the index test run the same SQL).
pub fn list_query(
    viewer: Viewer,
    filter: &JobFilter,
    page: &PageRequest<Uuid>,
) -> sea_orm::Select<Entity> {
    let mut select = Entity::find()
        .filter(visible(viewer))
        .order_by_desc(Column::Id)
        .limit(page.fetch());
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(
            Expr::col(Column::SearchText).like(crate::text::contains_pattern(&search_key(q))),
        );
    }
    if let Some(c) = filter.category {
        select = select.filter(Column::Category.eq(c.as_str()));
    }
    if let Some(s) = filter.salary_min {
        select = select.filter(Column::SalaryMax.gte(s));
    }
    if let Some(true) = filter.suitable_for_disabled {
        select = select.filter(Column::SuitableForDisabled.eq(true));
    }
    if let Some(true) = filter.flexible_hours {
        select = select.filter(Column::FlexibleHours.eq(true));
    }
    if let Some(s) = filter.status {
        select = select.filter(Column::Status.eq(s.as_str()));
    }
    if let (true, Viewer::Employer(id)) = (filter.mine, viewer) {
        select = select.filter(Column::EmployerId.eq(id));
    }
    if let Some(after) = page.after() {
        select = select.filter(Column::Id.lt(*after));
    }
    select
}
