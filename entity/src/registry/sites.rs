//! Sites: creating one (platform administrators), reading them.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{site, site_settings, writes::insert_audited};
use crate::{
    DomainError,
    kernel::{Actor, Role, Scope},
    page::{Page, PageRequest},
};

/// A new site.
#[derive(Debug, Clone)]
pub struct NewSite {
    /// Name.
    pub name: String,
    /// Unique code.
    pub code: String,
    /// Region.
    pub region: String,
}

/// Creates a site (platform administrators).
pub async fn create_site<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewSite,
) -> Result<site::Model, DomainError> {
    if actor.role != Role::PlatformAdmin {
        return Err(DomainError::Forbidden(
            "only platform administrators create sites",
        ));
    }
    let model = site::Model {
        id: Uuid::now_v7(),
        name: new.name,
        code: new.code,
        region: new.region,
        created_at: Utc::now(),
    };
    insert_audited(
        db,
        site::ActiveModel::from(model.clone()),
        ("duplicate_code", "a site with this code exists"),
        actor.audit(model.id, "site.create", "site", model.id),
    )
    .await?;
    Ok(model)
}

/// Sites the caller may see.
pub async fn list_sites<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    page: &PageRequest<Uuid>,
) -> Result<Page<site::Model>, DbErr> {
    let select = site::Entity::find().filter(scope.sites());
    crate::page::page_by_id(db, select, site::Column::Id, page, |s| s.id).await
}

/// One site, if the caller may see it.
pub async fn get_site<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<site::Model, DomainError> {
    site::Entity::find_by_id(id)
        .filter(scope.sites())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// What a site's papers print about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SiteSettings {
    /// The community's name as papers are signed (default: the site's name).
    pub community_name: String,
    /// The supervision phone (监督电话) printed on publicity sheets; empty until set.
    pub supervision_phone: String,
    /// The seal's text (default: the community's name).
    pub seal_text: String,
    /// When they were last saved; absent while the defaults apply.
    pub updated_at: Option<chrono::DateTime<Utc>>,
}

/// Longest community name or seal text, in characters.
pub const MAX_SETTING_CHARS: usize = 50;

/// The settings of a site the caller may see (the defaults until its admin saves them).
pub async fn site_settings<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    site_id: Uuid,
) -> Result<SiteSettings, DomainError> {
    let site = get_site(db, scope, site_id).await?;
    Ok(
        match site_settings::Entity::find_by_id(site_id).one(db).await? {
            Some(s) => SiteSettings {
                community_name: s.community_name,
                supervision_phone: s.supervision_phone,
                seal_text: s.seal_text,
                updated_at: Some(s.updated_at),
            },
            None => SiteSettings {
                community_name: site.name.clone(),
                supervision_phone: String::new(),
                seal_text: site.name,
                updated_at: None,
            },
        },
    )
}

/// A supervision phone as people write one: a landline with its area code (0398-1234567), a
/// mobile, or a short service number (12345); digits, hyphens and spaces, 5 to 20 characters.
fn valid_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&phone.chars().count())
        && digits >= 5
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
}

/// Saves a site's settings (its site admin, or a platform administrator), audited with the
/// values before and after (none of them is personal).
pub async fn save_site_settings<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    site_id: Uuid,
    new: &SiteSettings,
) -> Result<SiteSettings, DomainError> {
    let before = site_settings(db, &actor.scope, site_id).await?;
    let may = match actor.role {
        Role::PlatformAdmin => true,
        Role::SiteAdmin => actor.scope.site_id() == Some(site_id),
        _ => false,
    };
    if !may {
        return Err(DomainError::Forbidden(
            "only the site's administrator changes its settings",
        ));
    }
    let mut errors = std::collections::BTreeMap::new();
    let community_name = new.community_name.trim().to_owned();
    let seal_text = new.seal_text.trim().to_owned();
    let supervision_phone = new.supervision_phone.trim().to_owned();
    for (field, value) in [
        ("community_name", &community_name),
        ("seal_text", &seal_text),
    ] {
        if value.is_empty() {
            errors.insert(field.to_owned(), "is required".to_owned());
        } else if value.chars().count() > MAX_SETTING_CHARS {
            errors.insert(
                field.to_owned(),
                format!("must be at most {MAX_SETTING_CHARS} characters"),
            );
        } else if value.chars().any(char::is_control) {
            errors.insert(
                field.to_owned(),
                "must not contain line breaks or control characters".to_owned(),
            );
        }
    }
    if !supervision_phone.is_empty() && !valid_phone(&supervision_phone) {
        errors.insert(
            "supervision_phone".to_owned(),
            "must be a phone number: digits, hyphens and spaces, 5 to 20 characters".to_owned(),
        );
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let now = Utc::now();
    let model = site_settings::ActiveModel::from(site_settings::Model {
        site_id,
        community_name: community_name.clone(),
        supervision_phone: supervision_phone.clone(),
        seal_text: seal_text.clone(),
        updated_by: actor.account_id,
        updated_at: now,
    });
    site_settings::Entity::insert(model)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(site_settings::Column::SiteId)
                .update_columns([
                    site_settings::Column::CommunityName,
                    site_settings::Column::SupervisionPhone,
                    site_settings::Column::SealText,
                    site_settings::Column::UpdatedBy,
                    site_settings::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    actor
        .audit(site_id, "site.settings", "site", site_id)
        .details(serde_json::json!({
            "before": {
                "community_name": before.community_name,
                "supervision_phone": before.supervision_phone,
                "seal_text": before.seal_text,
            },
            "after": {
                "community_name": community_name,
                "supervision_phone": supervision_phone,
                "seal_text": seal_text,
            },
        }))
        .record(db)
        .await?;
    Ok(SiteSettings {
        community_name,
        supervision_phone,
        seal_text,
        updated_at: Some(now),
    })
}
