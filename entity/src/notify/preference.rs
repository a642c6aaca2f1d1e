//! A resident's notification preferences. Without a row the defaults hold: every category on,
//! push on, SMS on (it only reaches residents without the app), quiet hours 22:00–07:00 China
//! time, urgent notices bypass them.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use sea_orm::entity::prelude::*;

use crate::error::stored_json;

/// Stored preferences.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_preference")]
pub struct Model {
    /// The resident.
    #[sea_orm(primary_key, auto_increment = false)]
    pub resident_id: Uuid,
    /// Category -> on/off; categories not listed are on.
    pub categories: Json,
    /// Push enabled.
    pub push: bool,
    /// SMS enabled.
    pub sms: bool,
    /// Quiet hours start (`HH:MM`, China time), or none.
    pub quiet_start: Option<String>,
    /// Quiet hours end (`HH:MM`, China time), or none.
    pub quiet_end: Option<String>,
    /// Urgent notices are delivered during quiet hours.
    pub urgent_bypasses_quiet_hours: bool,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

no_relations!();

/// Effective preferences (stored or default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// Category -> on/off.
    pub categories: serde_json::Map<String, serde_json::Value>,
    /// Push enabled.
    pub push: bool,
    /// SMS enabled.
    pub sms: bool,
    /// Quiet hours (China time), if any.
    pub quiet: Option<(NaiveTime, NaiveTime)>,
    /// Urgent notices bypass quiet hours.
    pub urgent_bypass: bool,
}

/// The default quiet hours.
pub fn default_quiet() -> (NaiveTime, NaiveTime) {
    (
        NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
        NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
    )
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            categories: serde_json::Map::new(),
            push: true,
            sms: true,
            quiet: Some(default_quiet()),
            urgent_bypass: true,
        }
    }
}

/// Parses `HH:MM`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

impl TryFrom<Model> for Preferences {
    type Error = DbErr;

    /// The stored row; quiet hours or categories that do not read are an error that names them.
    fn try_from(m: Model) -> Result<Self, DbErr> {
        let time = |column: &str, value: &str| {
            parse_time(value).ok_or_else(|| {
                DbErr::Type(format!(
                    "notification_preference.{column} of {} is {value:?}, not HH:MM",
                    m.resident_id
                ))
            })
        };
        let quiet = match (m.quiet_start.as_deref(), m.quiet_end.as_deref()) {
            (Some(a), Some(b)) => Some((time("quiet_start", a)?, time("quiet_end", b)?)),
            _ => None,
        };
        Ok(Self {
            categories: stored_json(
                &m.categories,
                "notification_preference.categories",
                m.resident_id,
            )?,
            push: m.push,
            sms: m.sms,
            quiet,
            urgent_bypass: m.urgent_bypasses_quiet_hours,
        })
    }
}

impl Preferences {
    /// Whether the resident wants this category at all.
    pub fn wants(&self, category: &str) -> bool {
        self.categories
            .get(category)
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(true)
    }

    /// When a notice of this urgency may be pushed, given it arrives `now`: `now`, or the end of
    /// the quiet hours it falls in.
    pub fn deliverable_at(&self, now: DateTime<Utc>, urgent: bool) -> DateTime<Utc> {
        let Some((start, end)) = self.quiet else {
            return now;
        };
        if urgent && self.urgent_bypass || start == end {
            return now;
        }
        let local = crate::kernel::china_time::local(now);
        let time = local.time();
        let quiet = if start < end {
            time >= start && time < end
        } else {
            time >= start || time < end
        };
        if !quiet {
            return now;
        }
        let mut end_local = local.date().and_time(end);
        if end_local <= local {
            end_local += Duration::days(1);
        }
        crate::kernel::china_time::to_utc(end_local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        // China time h:m on 2026-11-29 is UTC h-8.
        Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap()
            + Duration::hours(i64::from(h) - 8)
            + Duration::minutes(i64::from(m))
    }

    #[test]
    fn quiet_hours_defer_to_their_end_unless_urgent() {
        let p = Preferences::default();
        assert_eq!(p.deliverable_at(at(12, 0), false), at(12, 0));
        assert_eq!(
            p.deliverable_at(at(23, 30), false),
            at(31, 0),
            "07:00 next morning"
        );
        assert_eq!(p.deliverable_at(at(6, 59), false), at(7, 0));
        assert_eq!(p.deliverable_at(at(7, 0), false), at(7, 0));
        assert_eq!(
            p.deliverable_at(at(23, 30), true),
            at(23, 30),
            "urgent bypasses"
        );
        let strict = Preferences {
            urgent_bypass: false,
            ..Preferences::default()
        };
        assert_eq!(strict.deliverable_at(at(23, 30), true), at(31, 0));
        let day = Preferences {
            quiet: Some((parse_time("12:00").unwrap(), parse_time("14:00").unwrap())),
            ..Preferences::default()
        };
        assert_eq!(day.deliverable_at(at(13, 0), false), at(14, 0));
        assert_eq!(day.deliverable_at(at(15, 0), false), at(15, 0));
        let none = Preferences {
            quiet: None,
            ..Preferences::default()
        };
        assert_eq!(none.deliverable_at(at(23, 30), false), at(23, 30));
    }

    #[test]
    fn categories_default_to_on() {
        let mut p = Preferences::default();
        assert!(p.wants("broadcast"));
        p.categories
            .insert("broadcast".into(), serde_json::json!(false));
        assert!(!p.wants("broadcast"));
        assert!(p.wants("job"));
    }
}
