//! Partners (the provincial talent exchange): clients and their secrets (platform
//! administrators), the OAuth 2.0 client-credentials token endpoint, the partner's own posting
//! upserts, the reconciliation feed, and webhook deliveries.

mod admin;
mod oauth;
mod postings;

use actix_web::web;
pub use admin::*;
pub use oauth::*;
pub use postings::*;

/// Registers the partner routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners")
            .route(web::post().to(create_partner))
            .route(web::get().to(list_partners)),
    )
    .service(
        web::resource("/partners/{id}/rotate-secrets")
            .route(web::post().to(rotate_partner_secrets)),
    )
    .service(
        web::resource("/partners/{id}/deliveries").route(web::get().to(list_partner_deliveries)),
    )
    .service(
        web::resource("/partners/{id}/deliveries/{delivery_id}/resend")
            .route(web::post().to(resend_partner_delivery)),
    )
    .service(web::resource("/auth/token").route(web::post().to(issue_partner_token)))
    .service(web::resource("/partner/jobs").route(web::get().to(partner_job_feed)))
    .service(
        web::resource("/partner/jobs/{external_id}")
            .route(web::put().to(put_partner_job))
            .route(web::delete().to(delete_partner_job)),
    );
}
