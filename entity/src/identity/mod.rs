//! Accounts, roles, passwords and refresh tokens.

pub mod account;
pub mod accounts;
pub mod codes;
pub mod password;
pub mod refresh_family;
pub mod refresh_token;
pub mod sms_code;
pub mod tokens;
