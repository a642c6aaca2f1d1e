//! Anju's shared model: sea-orm entities, domain types and the rules that both the api and the
//! worker apply. Nothing here knows about HTTP or AMQP.

/// A status or kind stored as text: the enum with serde's snake_case names (the stored names), a
/// sea-orm active enum (so a model's field has the enum's type, and a stored value it does not
/// know fails the load with an error naming it, never a default), `as_str` and `parse` (for input).
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
        )]
        #[serde(rename_all = "snake_case")]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        pub enum $name { $($(#[$vmeta])* #[sea_orm(string_value = $text)] $variant),* }

        impl $name {
            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            /// Parses a name given as input (a query parameter, a form field).
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// An entity's `Relation` (none: joins are written as queries, not navigated through sea-orm)
/// and its `ActiveModelBehavior` (the default). Needs `sea_orm::entity::prelude::*` in scope.
macro_rules! no_relations {
    () => {
        /// No relations are navigated through sea-orm.
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod activities;
pub mod audit;
pub mod claims;
pub mod crypto;
pub mod db;
pub mod error;
pub mod identity;
pub mod kernel;
pub mod messaging;
pub mod notify;
pub mod page;
pub mod partners;
pub mod people;
pub mod photo_metadata;
pub mod platform;
pub mod points;
pub mod recruitment;
pub mod registry;
pub mod secret;
pub mod text;
pub mod trace;

pub use db::Db;
pub use error::DomainError;
