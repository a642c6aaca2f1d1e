//! Login (by password or by SMS code), token refresh, logout, resident activation, one-time
//! codes, password reset and change, and `GET /me`: sessions and their tokens (`session`), codes
//! by SMS (`codes`), `activation`, `password` reset and change, and `me`.
//!
//! Nothing here tells a caller whether a phone number has an account: asking for a code answers
//! the same either way, and failures that could tell are one answer for all their causes.

mod activation;
mod codes;
mod me;
mod password;
mod session;
mod wechat;

pub use activation::*;
use actix_web::web;
pub use codes::*;
use entity::{identity::password::Password, people::Phone, secret::Secret};
pub use me::*;
pub use password::*;
pub use session::*;
pub use wechat::*;

use crate::error::ApiError;

/// A phone number from a request, or 422 naming `phone`.
fn parse_phone(raw: &str) -> Result<Phone, ApiError> {
    Phone::parse(raw).map_err(|e| ApiError::invalid("phone", e.to_string()))
}

/// A new password checked against the rules, or 422 naming `password`.
fn new_password(raw: &Secret, phone: &str) -> Result<Password, ApiError> {
    Password::parse(raw.expose(), Some(phone))
        .map_err(|rule| ApiError::invalid("password", rule.to_string()))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/auth/login").route(web::post().to(login)))
        .service(web::resource("/auth/sms-codes").route(web::post().to(request_code)))
        .service(web::resource("/auth/sms-login").route(web::post().to(sms_login)))
        .service(web::resource("/auth/refresh").route(web::post().to(refresh)))
        .service(web::resource("/auth/logout").route(web::post().to(logout)))
        .service(web::resource("/auth/activate").route(web::post().to(activate)))
        .service(web::resource("/auth/password-reset").route(web::post().to(reset_password)))
        .service(web::resource("/me/password").route(web::post().to(change_password)))
        .service(web::resource("/auth/wechat").route(web::post().to(wechat_login)))
        .service(web::resource("/auth/wechat/bind").route(web::post().to(wechat_bind)))
        .service(web::resource("/me/wechat").route(web::delete().to(unbind_own_wechat)))
        .service(web::resource("/accounts/{id}/wechat/unbind").route(web::post().to(unbind_wechat)))
        .service(web::resource("/me").route(web::get().to(me)));
}

#[cfg(test)]
mod tests {
    use super::{session::token_response, *};

    #[test]
    fn requests_with_secrets_never_show_them_in_debug() {
        let secret = "Sup3r-s3cret-value";
        let bodies = [
            format!(r#"{{"phone":"13800138000","password":"{secret}"}}"#),
            format!(r#"{{"refresh_token":"{secret}"}}"#),
            format!(
                r#"{{"phone":"13800138000","code":"{secret}","password":"{secret}","id_card_last6":"12345X"}}"#
            ),
            format!(r#"{{"phone":"13800138000","code":"{secret}"}}"#),
            format!(r#"{{"current_password":"{secret}","password":"{secret}"}}"#),
        ];
        let debug = [
            format!(
                "{:?}",
                serde_json::from_str::<LoginRequest>(&bodies[0]).unwrap()
            ),
            format!(
                "{:?}",
                serde_json::from_str::<RefreshRequest>(&bodies[1]).unwrap()
            ),
            format!(
                "{:?}",
                serde_json::from_str::<ActivateRequest>(&bodies[2]).unwrap()
            ),
            format!(
                "{:?}",
                serde_json::from_str::<SmsLoginRequest>(&bodies[3]).unwrap()
            ),
            format!(
                "{:?}",
                serde_json::from_str::<PasswordChangeRequest>(&bodies[4]).unwrap()
            ),
            format!("{:?}", token_response(secret.into(), 900, secret.into())),
        ];
        for d in debug {
            assert!(!d.contains(secret), "{d}");
        }
    }
}
