//! An activity's four instants and the rules between them, checked in one place for creating and
//! for editing.

use std::collections::BTreeMap;

use chrono::{DateTime, Timelike, Utc};

/// When an activity happens and when residents may sign up: whole seconds (activities need no
/// more, and every database stores them exactly), the end after the start, sign-up closing after
/// it opens and no later than the end. Only [`Schedule::new`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    signup_opens_at: DateTime<Utc>,
    signup_closes_at: DateTime<Utc>,
}

impl Schedule {
    /// Checks the four instants. A start at or before `now` is refused too for a new activity
    /// (`was` none) or one moved from its start and end `was`. The errors name the API's fields.
    pub fn new(
        [starts_at, ends_at, signup_opens_at, signup_closes_at]: [DateTime<Utc>; 4],
        now: DateTime<Utc>,
        was: Option<[DateTime<Utc>; 2]>,
    ) -> Result<Self, BTreeMap<String, String>> {
        let second = |t: DateTime<Utc>| t.with_nanosecond(0).unwrap_or(t);
        let schedule = Self {
            starts_at: second(starts_at),
            ends_at: second(ends_at),
            signup_opens_at: second(signup_opens_at),
            signup_closes_at: second(signup_closes_at),
        };
        let mut errors = BTreeMap::new();
        if schedule.ends_at <= schedule.starts_at {
            errors.insert("ends_at".to_owned(), "must be after starts_at".to_owned());
        }
        if schedule.moved_from(was) && schedule.starts_at <= now {
            errors.insert("starts_at".to_owned(), "must be in the future".to_owned());
        }
        if schedule.signup_closes_at <= schedule.signup_opens_at
            || schedule.signup_closes_at > schedule.ends_at
        {
            errors.insert(
                "signup_closes_at".to_owned(),
                "must be after signup_opens_at and no later than ends_at".to_owned(),
            );
        }
        if errors.is_empty() {
            Ok(schedule)
        } else {
            Err(errors)
        }
    }

    /// Whether it starts or ends other than `was` (a new activity: always).
    pub fn moved_from(&self, was: Option<[DateTime<Utc>; 2]>) -> bool {
        was != Some([self.starts_at, self.ends_at])
    }

    /// Starts at.
    pub fn starts_at(&self) -> DateTime<Utc> {
        self.starts_at
    }

    /// Ends at.
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.ends_at
    }

    /// Sign-up opens at.
    pub fn signup_opens_at(&self) -> DateTime<Utc> {
        self.signup_opens_at
    }

    /// Sign-up closes at.
    pub fn signup_closes_at(&self) -> DateTime<Utc> {
        self.signup_closes_at
    }
}
