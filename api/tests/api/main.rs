//! End-to-end tests: the real server on port 0 over a fresh real database, once on SQLite and
//! once on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod fixture;
mod helpers;

mod activities;
mod applications;
mod assisted;
mod auth;
mod bola;
mod broker;
mod claims;
mod console;
mod cors;
mod delivery;
mod demo;
mod employers;
mod errors;
mod health;
mod housekeeping;
mod idempotency;
mod import;
mod jobs;
mod matching;
mod notifications;
mod openapi;
mod pagination;
mod partners;
mod photos;
mod points;
mod privacy;
mod registry;
mod replicas;
mod sms;
mod spreadsheets;
mod story;
mod text;
mod wechat;
mod wechat_fake;
mod world;
