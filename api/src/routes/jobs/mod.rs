//! Job postings: employers write and submit them, staff publish or reject them, residents and
//! the public find published ones (also as schema.org `JobPosting` JSON-LD). Writing drafts
//! (`drafts`), reading postings (`listing`) and the steps after the draft (`lifecycle`).

mod drafts;
mod lifecycle;
mod listing;

use actix_web::web;
pub use drafts::*;
pub use lifecycle::*;
pub use listing::*;

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/jobs")
            .route(web::post().to(create_job))
            .route(web::get().to(list_jobs)),
    )
    .service(
        web::resource("/jobs/{id}")
            .route(web::get().to(get_job))
            .route(web::patch().to(edit_job)),
    )
    .service(web::resource("/jobs/{id}/submit").route(web::post().to(submit_job)))
    .service(web::resource("/jobs/{id}/publish").route(web::post().to(publish_job)))
    .service(web::resource("/jobs/{id}/reject").route(web::post().to(reject_job)))
    .service(web::resource("/jobs/{id}/close").route(web::post().to(close_job)))
    .service(web::resource("/jobs/{id}/fill").route(web::post().to(fill_job)))
    .service(web::resource("/jobs/{id}/renew").route(web::post().to(renew_job)))
    .service(web::resource("/jobs/{id}/jsonld").route(web::get().to(job_jsonld)));
}
