//! The seven steps of the points scheme over HTTP: calls for claims (`campaigns`), applying
//! with photos (`apply`), claims as shown (`view`), adding and serving photos (`photos`), the
//! steps of a claim (`steps`) and objections during publicity (`objections`).

mod apply;
mod campaigns;
mod objections;
mod photos;
mod steps;
mod view;

use actix_web::web;
pub use apply::*;
pub use campaigns::*;
pub use objections::*;
pub use photos::*;
pub use steps::*;
pub use view::*;

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/points/campaigns")
            .route(web::post().to(create_campaign))
            .route(web::get().to(list_campaigns)),
    )
    .service(web::resource("/points/objections").route(web::get().to(list_objections)))
    .service(
        web::resource("/points/claims")
            .route(web::post().to(apply_for_points))
            .route(web::get().to(list_claims)),
    )
    .service(web::resource("/points/claims/{id}").route(web::get().to(get_claim)))
    .service(web::resource("/points/claims/{id}/photos").route(web::post().to(add_claim_photo)))
    .service(
        web::resource("/points/claims/{id}/photos/{position}")
            .route(web::get().to(get_claim_photo)),
    )
    .service(web::resource("/points/claims/{id}/verify").route(web::post().to(verify_claim)))
    .service(web::resource("/points/claims/{id}/register").route(web::post().to(register_claim)))
    .service(web::resource("/points/claims/{id}/publicize").route(web::post().to(publicize_claim)))
    .service(web::resource("/points/claims/{id}/credit").route(web::post().to(credit_claim)))
    .service(web::resource("/points/claims/{id}/reject").route(web::post().to(reject_claim)))
    .service(web::resource("/points/claims/{id}/objections").route(web::post().to(object_to_claim)))
    .service(
        web::resource("/points/objections/{id}/uphold").route(web::post().to(uphold_objection)),
    )
    .service(
        web::resource("/points/objections/{id}/dismiss").route(web::post().to(dismiss_objection)),
    );
}
