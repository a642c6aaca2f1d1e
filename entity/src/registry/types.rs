//! Value types of registry records that the API reads and writes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

string_enum!(
    /// Whether and how a resident works.
    EmploymentStatus {
        /// Not recorded yet.
        Unknown => "unknown",
        /// Employed (locally, away from home, in a workshop or on a public-welfare post).
        Employed => "employed",
        /// Self-employed or running a family business (e.g. edible fungi).
        SelfEmployed => "self_employed",
        /// Able to work and without work.
        Unemployed => "unemployed",
        /// In school or training full time.
        Student => "student",
        /// Retired.
        Retired => "retired",
        /// Cannot work (illness, severe disability, care duties).
        UnableToWork => "unable_to_work",
    }
);

impl Default for EmploymentStatus {
    /// Not recorded yet.
    fn default() -> Self {
        Self::Unknown
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
