//! ID numbers were masked as region, eight stars and the last four characters
//! (`411224********1234`), which the birth date shown beside them turned back into the whole
//! number. The stored masks become the first character, sixteen stars and the check character.

use sea_orm_migration::prelude::*;

use crate::ddl;

/// Rewrites `resident.id_card_masked` (the same SQL on PostgreSQL and SQLite).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::sql(manager, "UPDATE resident SET id_card_masked = \
                 substr(id_card_masked, 1, 1) || '****************' || substr(id_card_masked, 18, 1) \
                 WHERE length(id_card_masked) = 18").await?;
        Ok(())
    }

    /// The old masks cannot be rebuilt without the key: they stay in the new form.
    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
