//! Residents on WeChat: the binding of a mini-program user (openid, unionid) to an account, the
//! server access token every replica shares, each site's subscription-message templates, the
//! one-time grants residents gave, the voice-notice mark staff set, and a payload column on the
//! delivery queue for what a subscription message or a voice call carries.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates `wechat_binding`, `wechat_token`, `wechat_template`, `wechat_grant`, `voice_mark`
/// and adds `delivery.payload`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WechatBinding::Table)
                    .if_not_exists()
                    .col(pk_uuid(WechatBinding::AccountId))
                    .col(string_len_uniq(WechatBinding::Openid, 64))
                    .col(string_len_null(WechatBinding::Unionid, 64))
                    .col(timestamp_with_time_zone(WechatBinding::CreatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_wechat_binding_unionid",
            WechatBinding::Table,
            [WechatBinding::Unionid],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatToken::Table)
                    .if_not_exists()
                    .col(string_len(WechatToken::AppId, 64).primary_key())
                    .col(blob(WechatToken::AccessToken))
                    .col(timestamp_with_time_zone(WechatToken::ExpiresAt))
                    .col(boolean(WechatToken::ForceRefresh))
                    .col(timestamp_with_time_zone_null(WechatToken::LeaseUntil))
                    .col(big_integer(WechatToken::Fetches))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatTemplate::Table)
                    .if_not_exists()
                    .col(uuid(WechatTemplate::SiteId))
                    .col(string_len(WechatTemplate::Kind, 32))
                    .col(string_len(WechatTemplate::TemplateId, 64))
                    .col(json_binary(WechatTemplate::Fields))
                    .col(uuid(WechatTemplate::UpdatedBy))
                    .col(timestamp_with_time_zone(WechatTemplate::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(WechatTemplate::SiteId)
                            .col(WechatTemplate::Kind),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatGrant::Table)
                    .if_not_exists()
                    .col(uuid(WechatGrant::AccountId))
                    .col(string_len(WechatGrant::TemplateId, 64))
                    .col(integer(WechatGrant::Remaining))
                    .col(timestamp_with_time_zone(WechatGrant::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(WechatGrant::AccountId)
                            .col(WechatGrant::TemplateId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(VoiceMark::Table)
                    .if_not_exists()
                    .col(pk_uuid(VoiceMark::ResidentId))
                    .col(uuid(VoiceMark::SiteId))
                    .col(string_len(VoiceMark::Reason, 20))
                    .col(uuid(VoiceMark::SetBy))
                    .col(timestamp_with_time_zone(VoiceMark::SetAt))
                    .to_owned(),
            )
            .await?;
        ddl::add_columns(
            manager,
            Delivery::Table,
            [json_binary_null(Delivery::Payload)],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_columns(manager, Delivery::Table, [Delivery::Payload]).await?;
        ddl::drop_tables(
            manager,
            [
                VoiceMark::Table.into_iden(),
                WechatGrant::Table.into_iden(),
                WechatTemplate::Table.into_iden(),
                WechatToken::Table.into_iden(),
                WechatBinding::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum WechatBinding {
    Table,
    AccountId,
    Openid,
    Unionid,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WechatToken {
    Table,
    AppId,
    AccessToken,
    ExpiresAt,
    ForceRefresh,
    LeaseUntil,
    Fetches,
}

#[derive(DeriveIden)]
enum WechatTemplate {
    Table,
    SiteId,
    Kind,
    TemplateId,
    Fields,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WechatGrant {
    Table,
    AccountId,
    TemplateId,
    Remaining,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VoiceMark {
    Table,
    ResidentId,
    SiteId,
    Reason,
    SetBy,
    SetAt,
}

#[derive(DeriveIden)]
enum Delivery {
    Table,
    Payload,
}
