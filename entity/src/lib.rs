//! Anju's shared model: sea-orm entities, domain types and the rules that both the api and the
//! worker apply. Nothing here knows about HTTP or AMQP.

/// A status or kind stored as text: the enum with serde's snake_case names, `as_str` and
/// `parse`, so the stored name and the API name are one and the same.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            /// Parses a stored name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

pub mod activities;
pub mod audit;
pub mod claims;
pub mod crypto;
pub mod db;
pub mod employer_notification;
pub mod error;
pub mod identity;
pub mod messaging;
pub mod notification;
pub mod notify;
pub mod page;
pub mod partners;
pub mod people;
pub mod photo_metadata;
pub mod platform;
pub mod points;
pub mod points_report;
pub mod recruitment;
pub mod registry;
pub mod scope;
pub mod secret;
pub mod text;
pub mod trace;

pub use db::Db;
pub use error::DomainError;
