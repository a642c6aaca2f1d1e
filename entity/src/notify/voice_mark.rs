//! Residents who get the most important notices by a voice call as well (elderly, low vision, no
//! smartphone): staff set and clear the mark, audited.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, entity::prelude::*,
    sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DomainError, kernel::Actor};

/// One marked resident.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "voice_mark")]
pub struct Model {
    /// The resident.
    #[sea_orm(primary_key, auto_increment = false)]
    pub resident_id: Uuid,
    /// The resident's site.
    pub site_id: Uuid,
    /// Why ([`VoiceReason`]).
    pub reason: String,
    /// Who set it.
    pub set_by: Uuid,
    /// When.
    pub set_at: DateTimeUtc,
}

no_relations!();

/// Why a resident gets voice calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoiceReason {
    /// Elderly.
    Elderly,
    /// Low vision.
    LowVision,
    /// No smartphone.
    NoSmartphone,
    /// Another reason staff know of.
    Other,
}

impl VoiceReason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Elderly => "elderly",
            Self::LowVision => "low_vision",
            Self::NoSmartphone => "no_smartphone",
            Self::Other => "other",
        }
    }

    /// The stored name read back.
    pub fn parse(stored: &str) -> Option<Self> {
        [
            Self::Elderly,
            Self::LowVision,
            Self::NoSmartphone,
            Self::Other,
        ]
        .into_iter()
        .find(|r| r.as_str() == stored)
    }
}

/// Calls are placed from 08:00 to 20:30, China time: the first moment at or after `now` inside
/// those hours.
pub fn callable_at(now: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    use crate::kernel::china_time;
    let local = china_time::local(now);
    let opens = chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(chrono::NaiveTime::MIN);
    let closes = chrono::NaiveTime::from_hms_opt(20, 30, 0).unwrap_or(chrono::NaiveTime::MIN);
    if local.time() < opens {
        china_time::to_utc(local.date().and_time(opens))
    } else if local.time() >= closes {
        china_time::to_utc((local.date() + chrono::Duration::days(1)).and_time(opens))
    } else {
        now
    }
}

/// Sets (`Some`) or clears (`None`) the mark of a resident of `site_id` that `actor` manages,
/// audited (`resident.voice_mark`) with the before and after.
pub async fn set<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    site_id: Uuid,
    resident_id: Uuid,
    reason: Option<VoiceReason>,
) -> Result<Option<Model>, DomainError> {
    let before = Entity::find_by_id(resident_id).one(db).await?;
    let after = match reason {
        Some(reason) => {
            let row = Model {
                resident_id,
                site_id,
                reason: reason.as_str().to_owned(),
                set_by: actor.account_id,
                set_at: Utc::now(),
            };
            Entity::insert(ActiveModel {
                resident_id: Set(row.resident_id),
                site_id: Set(row.site_id),
                reason: Set(row.reason.clone()),
                set_by: Set(row.set_by),
                set_at: Set(row.set_at),
            })
            .on_conflict(
                OnConflict::column(Column::ResidentId)
                    .update_columns([Column::Reason, Column::SetBy, Column::SetAt])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
            Some(row)
        }
        None => {
            Entity::delete_many()
                .filter(Column::ResidentId.eq(resident_id))
                .exec(db)
                .await?;
            None
        }
    };
    actor
        .audit(site_id, "resident.voice_mark", "resident", resident_id)
        .details(serde_json::json!({
            "before": before.as_ref().map(|m| &m.reason),
            "after": after.as_ref().map(|m| &m.reason),
        }))
        .record(db)
        .await?;
    Ok(after)
}
