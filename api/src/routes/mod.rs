//! HTTP handlers, one file per group. Handlers extract and authorize, call one domain function,
//! and shape the response; they hold no business rules.

pub mod health;
