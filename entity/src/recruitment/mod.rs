//! Recruitment: employers (and, next, their job postings, applications and hires).

pub mod application;
pub mod dashboard;
pub mod employer;
pub mod external;
pub mod job;
pub mod json_ld;
pub mod matching;
pub mod synthetic;
