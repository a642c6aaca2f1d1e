//! The service desk finds a resident by the last four characters of the ID number, which the
//! resident says aloud. The number is stored encrypted and its mask no longer shows the tail, so
//! a keyed hash of the tail is stored beside the hash of the whole number. Rows written before
//! this column are filled by the api at start (it holds the key; the migration does not).

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Adds `resident.id_card_tail_hash` and its index by site.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::add_columns(
            manager,
            Resident::Table,
            [string_len_null(Resident::IdCardTailHash, 64)],
        )
        .await?;
        ddl::create_index_if_not_exists(
            manager,
            "idx_resident_site_id_card_tail",
            Resident::Table,
            [Resident::SiteId, Resident::IdCardTailHash],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_index(manager, "idx_resident_site_id_card_tail", Resident::Table).await?;
        ddl::drop_columns(manager, Resident::Table, [Resident::IdCardTailHash]).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Resident {
    Table,
    SiteId,
    IdCardTailHash,
}
