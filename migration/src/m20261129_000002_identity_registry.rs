//! Accounts and tokens, the community registry (site -> committee -> group -> building ->
//! household -> resident) and the audit trail.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates the identity, registry and audit tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(
    name: &str,
    table: impl IntoIden,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).if_not_exists();
    for col in cols {
        index.col(Alias::new(*col));
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Site::Table)
                    .if_not_exists()
                    .col(pk_uuid(Site::Id))
                    .col(string_len(Site::Name, 100))
                    .col(string_len_uniq(Site::Code, 40))
                    .col(string_len(Site::Region, 100).default(""))
                    .col(timestamp_with_time_zone(Site::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Committee::Table)
                    .if_not_exists()
                    .col(pk_uuid(Committee::Id))
                    .col(uuid(Committee::SiteId))
                    .col(string_len(Committee::Name, 100))
                    .col(timestamp_with_time_zone(Committee::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_committee_site",
                        Committee::Table,
                        Committee::SiteId,
                        Site::Table,
                        Site::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_committee_site_name",
                Committee::Table,
                &["site_id", "name"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ResidentGroup::Table)
                    .if_not_exists()
                    .col(pk_uuid(ResidentGroup::Id))
                    .col(uuid(ResidentGroup::SiteId))
                    .col(uuid(ResidentGroup::CommitteeId))
                    .col(string_len(ResidentGroup::Name, 100))
                    .col(uuid_null(ResidentGroup::LeaderResidentId))
                    .col(timestamp_with_time_zone(ResidentGroup::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_group_site",
                        ResidentGroup::Table,
                        ResidentGroup::SiteId,
                        Site::Table,
                        Site::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_group_committee",
                        ResidentGroup::Table,
                        ResidentGroup::CommitteeId,
                        Committee::Table,
                        Committee::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_group_committee_name",
                ResidentGroup::Table,
                &["committee_id", "name"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_group_site",
                ResidentGroup::Table,
                &["site_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_group_leader",
                ResidentGroup::Table,
                &["leader_resident_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Building::Table)
                    .if_not_exists()
                    .col(pk_uuid(Building::Id))
                    .col(uuid(Building::SiteId))
                    .col(uuid(Building::GroupId))
                    .col(string_len(Building::Name, 100))
                    .col(timestamp_with_time_zone(Building::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_building_site",
                        Building::Table,
                        Building::SiteId,
                        Site::Table,
                        Site::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_building_group",
                        Building::Table,
                        Building::GroupId,
                        ResidentGroup::Table,
                        ResidentGroup::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_building_site_name",
                Building::Table,
                &["site_id", "name"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_building_group",
                Building::Table,
                &["group_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Household::Table)
                    .if_not_exists()
                    .col(pk_uuid(Household::Id))
                    .col(uuid(Household::SiteId))
                    .col(uuid(Household::GroupId))
                    .col(uuid(Household::BuildingId))
                    .col(string_len(Household::Label, 50))
                    .col(boolean(Household::LowIncome).default(false))
                    .col(timestamp_with_time_zone(Household::CreatedAt))
                    .col(timestamp_with_time_zone(Household::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_household_site",
                        Household::Table,
                        Household::SiteId,
                        Site::Table,
                        Site::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_household_group",
                        Household::Table,
                        Household::GroupId,
                        ResidentGroup::Table,
                        ResidentGroup::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_household_building",
                        Household::Table,
                        Household::BuildingId,
                        Building::Table,
                        Building::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_household_building_label",
                Household::Table,
                &["building_id", "label"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_household_site_id",
                Household::Table,
                &["site_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_household_group_id",
                Household::Table,
                &["group_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Resident::Table)
                    .if_not_exists()
                    .col(pk_uuid(Resident::Id))
                    .col(uuid(Resident::SiteId))
                    .col(uuid(Resident::GroupId))
                    .col(uuid(Resident::BuildingId))
                    .col(uuid(Resident::HouseholdId))
                    .col(string_len_null(Resident::Relation, 16))
                    .col(string_len(Resident::Name, 50))
                    .col(string_len(Resident::Gender, 8))
                    .col(date(Resident::BirthDate))
                    .col(string_len_null(Resident::Phone, 11))
                    .col(blob(Resident::IdCardCipher))
                    .col(string_len(Resident::IdCardHash, 64))
                    .col(string_len(Resident::IdCardMasked, 18))
                    .col(boolean(Resident::Disability).default(false))
                    .col(small_integer_null(Resident::DisabilityLevel))
                    .col(boolean(Resident::PartyMember).default(false))
                    .col(json_binary(Resident::Skills))
                    .col(string_len(Resident::EmploymentStatus, 24))
                    .col(boolean(Resident::JobSeeking).default(false))
                    .col(json_binary(Resident::JobPreferences))
                    .col(timestamp_with_time_zone(Resident::CreatedAt))
                    .col(timestamp_with_time_zone(Resident::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_resident_site",
                        Resident::Table,
                        Resident::SiteId,
                        Site::Table,
                        Site::Id,
                    ))
                    .foreign_key(&mut fk(
                        "fk_resident_household",
                        Resident::Table,
                        Resident::HouseholdId,
                        Household::Table,
                        Household::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_resident_site_id_card",
                Resident::Table,
                &["site_id", "id_card_hash"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_resident_site_id",
                Resident::Table,
                &["site_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_resident_group_id",
                Resident::Table,
                &["group_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_resident_household",
                Resident::Table,
                &["household_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_resident_phone",
                Resident::Table,
                &["phone"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .if_not_exists()
                    .col(pk_uuid(Account::Id))
                    .col(string_len_uniq(Account::Phone, 11))
                    .col(string_len(Account::PasswordHash, 200))
                    .col(string_len(Account::Role, 24))
                    .col(uuid_null(Account::SiteId))
                    .col(uuid_null(Account::ResidentId).unique_key())
                    .col(boolean(Account::Disabled).default(false))
                    .col(timestamp_with_time_zone(Account::CreatedAt))
                    .col(timestamp_with_time_zone_null(Account::LastLoginAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .if_not_exists()
                    .col(pk_uuid(RefreshToken::Id))
                    .col(uuid(RefreshToken::AccountId))
                    .col(uuid(RefreshToken::FamilyId))
                    .col(string_len_uniq(RefreshToken::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshToken::CreatedAt))
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::RevokedAt))
                    .foreign_key(&mut fk(
                        "fk_refresh_token_account",
                        RefreshToken::Table,
                        RefreshToken::AccountId,
                        Account::Table,
                        Account::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_refresh_token_family",
                RefreshToken::Table,
                &["family_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .if_not_exists()
                    .col(pk_uuid(AuditEvent::Id))
                    .col(uuid_null(AuditEvent::SiteId))
                    .col(uuid_null(AuditEvent::ActorAccountId))
                    .col(string_len(AuditEvent::ActorRole, 24))
                    .col(uuid_null(AuditEvent::OnBehalfOf))
                    .col(string_len(AuditEvent::Action, 80))
                    .col(string_len(AuditEvent::TargetType, 40))
                    .col(uuid_null(AuditEvent::TargetId))
                    .col(text_null(AuditEvent::Reason))
                    .col(json_binary(AuditEvent::Details))
                    .col(timestamp_with_time_zone(AuditEvent::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_audit_site_id",
                AuditEvent::Table,
                &["site_id", "id"],
                false,
            ))
            .await?;
        // The audit trail is append-only in the database itself, not only in code.
        crate::append_only(manager, "audit_event", "anju_audit_append_only").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(
            manager,
            [
                AuditEvent::Table.into_iden(),
                RefreshToken::Table.into_iden(),
                Account::Table.into_iden(),
                Resident::Table.into_iden(),
                Household::Table.into_iden(),
                Building::Table.into_iden(),
                ResidentGroup::Table.into_iden(),
                Committee::Table.into_iden(),
                Site::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Site {
    Table,
    Id,
    Name,
    Code,
    Region,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Committee {
    Table,
    Id,
    SiteId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ResidentGroup {
    Table,
    Id,
    SiteId,
    CommitteeId,
    Name,
    LeaderResidentId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Building {
    Table,
    Id,
    SiteId,
    GroupId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Household {
    Table,
    Id,
    SiteId,
    GroupId,
    BuildingId,
    Label,
    LowIncome,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Resident {
    Table,
    Id,
    SiteId,
    GroupId,
    BuildingId,
    HouseholdId,
    Relation,
    Name,
    Gender,
    BirthDate,
    Phone,
    IdCardCipher,
    IdCardHash,
    IdCardMasked,
    Disability,
    DisabilityLevel,
    PartyMember,
    Skills,
    EmploymentStatus,
    JobSeeking,
    JobPreferences,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Phone,
    PasswordHash,
    Role,
    SiteId,
    ResidentId,
    Disabled,
    CreatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    AccountId,
    FamilyId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    SiteId,
    ActorAccountId,
    ActorRole,
    OnBehalfOf,
    Action,
    TargetType,
    TargetId,
    Reason,
    Details,
    CreatedAt,
}
