//! Who may sign in: accounts and their roles, passwords, access tokens and refresh-token
//! families, SMS codes and printed activation codes.
//!
//! Owns `account`, `refresh_token`, `refresh_family`, `sms_code` and `wechat_binding`; records audit entries for
//! account changes, and no outbox events.

pub mod account;
pub mod accounts;
pub mod codes;
pub mod password;
pub mod refresh_family;
pub mod refresh_token;
pub mod sms_code;
pub mod tokens;
pub mod wechat_binding;
