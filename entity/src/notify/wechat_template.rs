//! A site's WeChat subscription-message templates (订阅消息模板): for each kind of notice, the
//! template id the site chose in the mini-program's console and which of the notice's facts fill
//! which of the template's fields (`thing1` <- the activity's name, `time2` <- its start, …).

use std::collections::BTreeMap;

pub use crate::messaging::events::Fact;
use sea_orm::entity::prelude::*;

/// One template of one site.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_template")]
pub struct Model {
    /// The site.
    #[sea_orm(primary_key, auto_increment = false)]
    pub site_id: Uuid,
    /// The kind of notice ([`crate::messaging::events::NoticeKind`]).
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// WeChat's template id.
    pub template_id: String,
    /// Template field key -> the fact that fills it ([`Fact`]), as a JSON object.
    pub fields: Json,
    /// Who saved it last.
    pub updated_by: Uuid,
    /// When.
    pub updated_at: DateTimeUtc,
}

no_relations!();

/// The field map of a template, as stored.
pub type FieldMap = BTreeMap<String, Fact>;

/// The field types WeChat's templates have (a key is a type and a number: `thing1`).
pub const FIELD_TYPES: [&str; 13] = [
    "thing",
    "number",
    "letter",
    "symbol",
    "character_string",
    "time",
    "date",
    "amount",
    "phone_number",
    "car_number",
    "name",
    "phrase",
    "short_thing",
];

/// Checks a template id and field map as WeChat's console shows them: an id of up to 64 letters,
/// digits, `-` and `_`; 1 to 10 fields, each key a known type followed by its number.
pub fn validate(template_id: &str, fields: &FieldMap) -> Result<(), crate::DomainError> {
    let mut errors = std::collections::BTreeMap::new();
    if template_id.is_empty()
        || template_id.len() > 64
        || !template_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        errors.insert(
            "template_id".to_owned(),
            "must be the template id from the mini-program console (letters, digits, - and _)"
                .to_owned(),
        );
    }
    if fields.is_empty() || fields.len() > 10 {
        errors.insert(
            "fields".to_owned(),
            "must map 1 to 10 template fields".to_owned(),
        );
    }
    for key in fields.keys() {
        let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
        if kind.len() == key.len() || !FIELD_TYPES.contains(&kind) {
            errors.insert(
                format!("fields.{key}"),
                "must be a template field key such as thing1, time2 or phrase3".to_owned(),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(crate::DomainError::Invalid(errors))
    }
}

/// Saves the template of `kind` for `site_id` (staff of the site), audited with before and after.
pub async fn save<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &crate::kernel::Actor,
    site_id: Uuid,
    kind: crate::messaging::events::NoticeKind,
    template_id: &str,
    fields: &FieldMap,
) -> Result<Model, crate::DomainError> {
    use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};
    actor.manage(site_id)?;
    validate(template_id, fields)?;
    let before = Entity::find_by_id((site_id, kind.as_str().to_owned()))
        .one(db)
        .await?;
    let stored = serde_json::to_value(fields)
        .map_err(|e| sea_orm::DbErr::Custom(format!("storing template fields: {e}")))?;
    let model = Model {
        site_id,
        kind: kind.as_str().to_owned(),
        template_id: template_id.to_owned(),
        fields: stored,
        updated_by: actor.account_id,
        updated_at: chrono::Utc::now(),
    };
    Entity::insert(ActiveModel {
        site_id: Set(model.site_id),
        kind: Set(model.kind.clone()),
        template_id: Set(model.template_id.clone()),
        fields: Set(model.fields.clone()),
        updated_by: Set(model.updated_by),
        updated_at: Set(model.updated_at),
    })
    .on_conflict(
        OnConflict::columns([Column::SiteId, Column::Kind])
            .update_columns([
                Column::TemplateId,
                Column::Fields,
                Column::UpdatedBy,
                Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    actor
        .audit(site_id, "site.wechat_template", "site", site_id)
        .details(serde_json::json!({
            "kind": kind.as_str(),
            "before": before.map(|b| serde_json::json!({ "template_id": b.template_id, "fields": b.fields })),
            "after": { "template_id": model.template_id, "fields": model.fields },
        }))
        .record(db)
        .await?;
    Ok(model)
}

/// The templates of a site, by kind.
pub async fn of_site<C: sea_orm::ConnectionTrait>(
    db: &C,
    site_id: Uuid,
) -> Result<Vec<Model>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Entity::find()
        .filter(Column::SiteId.eq(site_id))
        .order_by_asc(Column::Kind)
        .all(db)
        .await
}
