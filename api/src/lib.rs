//! Anju's HTTP API: routes, authentication extractors and DTOs over the domain in `entity`.

pub mod auth;
pub mod console;
pub mod cors;
pub mod demo;
pub mod error;
pub mod exports;
pub mod extract;
pub mod idempotency;
pub mod lang;
pub mod links;
pub mod metrics;
pub mod middleware;
pub mod objects;
pub mod openapi;
pub mod pagination;
pub mod routes;
pub mod settings;
pub mod startup;

pub use settings::Settings;
pub use startup::Application;
