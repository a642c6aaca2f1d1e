//! PostgreSQL: a UUIDv7 generator for set-based inserts (PostgreSQL 15 has no `uuidv7()`), so
//! rows made inside the database sort by creation time like the ones the application makes.

use sea_orm_migration::prelude::*;

use crate::ddl;

/// Creates `anju_uuid_v7()` on PostgreSQL (nothing on SQLite).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            // A random UUID whose first 48 bits are the Unix time in milliseconds and whose
            // version nibble is 7.
            ddl::sql(manager, "CREATE OR REPLACE FUNCTION anju_uuid_v7() RETURNS uuid AS $$ \
                     SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) \
                     PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) \
                     FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid \
                     $$ LANGUAGE sql VOLATILE").await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            ddl::sql(manager, "DROP FUNCTION IF EXISTS anju_uuid_v7()").await?;
        }
        Ok(())
    }
}
