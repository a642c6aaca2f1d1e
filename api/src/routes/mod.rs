//! HTTP handlers, one file per group, or a folder for the larger groups (activities, auth,
//! claims, jobs, partners, residents) whose `mod.rs` registers the routes and re-exports its
//! modules' items. Handlers extract and authorize, call one domain function, and shape the
//! response; they hold no business rules.

pub mod accounts;
pub mod activities;
pub mod applications;
pub mod auth;
pub mod claims;
pub mod common;
pub mod devices;
pub mod employers;
pub mod exports;
pub mod health;
pub mod import;
pub mod job_subscriptions;
pub mod jobs;
pub mod notifications;
pub mod partners;
pub mod points;
pub mod prelude;
pub mod reports;
pub mod residents;
pub mod sheets;
pub mod sites;
pub mod store;
pub mod structure;
pub mod wechat;
