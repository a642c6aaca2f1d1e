//! Recruitment: employers (and, next, their job postings, applications and hires).

pub mod employer;
pub mod job;
