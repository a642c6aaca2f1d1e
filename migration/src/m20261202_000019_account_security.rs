//! What keeps accounts with the people whose phones they are: one-time SMS codes, rate limits
//! that every api replica shares, a session version that retires old access tokens when an
//! account is disabled or its password changes, and refresh-token families whose revocation no
//! concurrent rotation can escape.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates sms_code, rate_limit and refresh_family; adds account.session_version.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::add_columns(
            manager,
            Account::Table,
            [integer(Account::SessionVersion).default(0)],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SmsCode::Table)
                    .if_not_exists()
                    .col(pk_uuid(SmsCode::Id))
                    .col(string_len(SmsCode::PhoneHash, 64))
                    .col(string_len(SmsCode::Purpose, 32))
                    .col(string_len(SmsCode::CodeHash, 64))
                    .col(uuid_null(SmsCode::ResidentId))
                    .col(uuid_null(SmsCode::IssuedBy))
                    .col(small_integer(SmsCode::Attempts).default(0))
                    .col(timestamp_with_time_zone(SmsCode::CreatedAt))
                    .col(timestamp_with_time_zone(SmsCode::ExpiresAt))
                    .col(timestamp_with_time_zone_null(SmsCode::ConsumedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index_if_not_exists(
            manager,
            "idx_sms_code_phone_purpose",
            SmsCode::Table,
            [SmsCode::PhoneHash, SmsCode::Purpose, SmsCode::CreatedAt],
        )
        .await?;
        ddl::create_index_if_not_exists(
            manager,
            "idx_sms_code_expires",
            SmsCode::Table,
            [SmsCode::ExpiresAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(RateLimit::Table)
                    .if_not_exists()
                    .col(string_len(RateLimit::Key, 64).primary_key())
                    .col(big_integer(RateLimit::WindowStart))
                    .col(integer(RateLimit::Hits))
                    .col(timestamp_with_time_zone(RateLimit::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index_if_not_exists(
            manager,
            "idx_rate_limit_expires",
            RateLimit::Table,
            [RateLimit::ExpiresAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshFamily::Table)
                    .if_not_exists()
                    .col(pk_uuid(RefreshFamily::Id))
                    .col(uuid(RefreshFamily::AccountId))
                    .col(timestamp_with_time_zone(RefreshFamily::CreatedAt))
                    .col(timestamp_with_time_zone_null(RefreshFamily::RotatedAt))
                    .col(timestamp_with_time_zone_null(RefreshFamily::RevokedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index_if_not_exists(
            manager,
            "idx_refresh_family_account",
            RefreshFamily::Table,
            [RefreshFamily::AccountId],
        )
        .await?;
        // Every session that exists today becomes a family, revoked if its tokens were.
        ddl::sql(
            manager,
            "INSERT INTO refresh_family (id, account_id, created_at, revoked_at) \
                 SELECT family_id, account_id, MIN(created_at), MAX(revoked_at) \
                 FROM refresh_token GROUP BY family_id, account_id",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(
            manager,
            [
                RefreshFamily::Table.into_iden(),
                RateLimit::Table.into_iden(),
                SmsCode::Table.into_iden(),
            ],
        )
        .await?;
        ddl::drop_columns(manager, Account::Table, [Account::SessionVersion]).await
    }
}

#[derive(DeriveIden)]
enum Account {
    Table,
    SessionVersion,
}

#[derive(DeriveIden)]
enum SmsCode {
    Table,
    Id,
    PhoneHash,
    Purpose,
    CodeHash,
    ResidentId,
    IssuedBy,
    Attempts,
    CreatedAt,
    ExpiresAt,
    ConsumedAt,
}

#[derive(DeriveIden)]
enum RateLimit {
    Table,
    Key,
    WindowStart,
    Hits,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum RefreshFamily {
    Table,
    Id,
    AccountId,
    CreatedAt,
    RotatedAt,
    RevokedAt,
}
