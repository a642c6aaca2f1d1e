//! Value types of registry records that the API reads and writes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether and how a resident works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentStatus {
    /// Not recorded yet.
    #[default]
    Unknown,
    /// Employed (locally, away from home, in a workshop or on a public-welfare post).
    Employed,
    /// Self-employed or running a family business (e.g. edible fungi).
    SelfEmployed,
    /// Able to work and without work.
    Unemployed,
    /// In school or training full time.
    Student,
    /// Retired.
    Retired,
    /// Cannot work (illness, severe disability, care duties).
    UnableToWork,
}

impl EmploymentStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Employed => "employed",
            Self::SelfEmployed => "self_employed",
            Self::Unemployed => "unemployed",
            Self::Student => "student",
            Self::Retired => "retired",
            Self::UnableToWork => "unable_to_work",
        }
    }

    /// Parses a stored name (unknown names read as `Unknown`).
    pub fn parse(s: &str) -> Self {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).unwrap_or_default()
    }
}

/// Where a job seeker is willing to work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkArea {
    /// Only near home (in or around the community).
    #[default]
    LocalOnly,
    /// Also away from home (外出务工).
    WillingToWorkAway,
}

/// What working hours suit a job seeker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Hours {
    /// Full time.
    #[default]
    FullTime,
    /// Part time.
    PartTime,
    /// Flexible hours (carers of children or elders).
    Flexible,
}

/// A resident's job-seeking preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPreferences {
    /// Where.
    #[serde(default)]
    pub area: WorkArea,
    /// Which hours.
    #[serde(default)]
    pub hours: Hours,
}
