//! Recruitment: employers, their postings (and postings partners own), residents' applications
//! and employment records, matching postings to residents, and the employment dashboard.
//!
//! Owns `employer`, `job_posting`, `application`, `employment`, `job_subscription` and
//! `job_match`. Records `job.published` (matching) and `job.changed` (partners), and
//! `employer_notification.requested` for employers' inboxes; schedules `ExpireJob`.

pub mod application;
pub mod dashboard;
pub mod employer;
pub mod employment;
pub mod external;
pub mod job;
pub mod job_match;
pub mod json_ld;
pub mod matching;
pub mod subscription;
pub mod synthetic;
