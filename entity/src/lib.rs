//! Anju's shared model: sea-orm entities, domain types and the rules that both the api and the
//! worker apply. Nothing here knows about HTTP or AMQP.

pub mod activities;
pub mod audit;
pub mod crypto;
pub mod db;
pub mod employer_notification;
pub mod error;
pub mod identity;
pub mod messaging;
pub mod notification;
pub mod notify;
pub mod page;
pub mod people;
pub mod platform;
pub mod points;
pub mod recruitment;
pub mod registry;
pub mod scope;
pub mod secret;

pub use db::Db;
pub use error::DomainError;
