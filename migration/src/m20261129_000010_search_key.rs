//! Job search text in its tripled form (every character three times), so that PostgreSQL's
//! trigram index also serves one- and two-character Chinese queries (see
//! `entity::recruitment::job::search_key`). Rewrites the rows already stored.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

/// Rewrites `job_posting.search_text` in the tripled form.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tripled form, as of this migration (later changes to the entity's function need a
/// migration of their own).
fn tripled(text: &str) -> String {
    text.chars().flat_map(|c| [c, c, c]).collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rewrite(manager, tripled).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rewrite(manager, |text| text.chars().step_by(3).collect()).await
    }
}

async fn rewrite(manager: &SchemaManager<'_>, form: fn(&str) -> String) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let select = Query::select()
        .columns([JobPosting::Id, JobPosting::SearchText])
        .from(JobPosting::Table)
        .to_owned();
    for row in db.query_all(&select).await? {
        let id: sea_orm_migration::sea_orm::prelude::Uuid = row.try_get("", "id")?;
        let text: String = row.try_get("", "search_text")?;
        let update = Query::update()
            .table(JobPosting::Table)
            .value(JobPosting::SearchText, form(&text))
            .and_where(Expr::col(JobPosting::Id).eq(id))
            .to_owned();
        db.execute(&update).await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum JobPosting {
    Table,
    Id,
    SearchText,
}
