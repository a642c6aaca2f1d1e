//! Anju's shared model: sea-orm entities, domain types and the rules that both the api and the
//! worker apply. Nothing here knows about HTTP or AMQP.

pub mod db;
pub mod page;
pub mod people;
pub mod platform;
pub mod secret;

pub use db::Db;
