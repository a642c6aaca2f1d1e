//! Activities: staff create and edit them (`editing`); everyone reads those meant for them
//! (`view`); residents (or their group leaders, or staff, for them) sign up, land on the waiting
//! list when full, cancel, and check in by QR code (`signups`).

mod editing;
mod signups;
mod view;

use actix_web::web;
pub use editing::*;
pub use signups::*;
pub use view::*;

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/activities")
            .route(web::post().to(create_activity))
            .route(web::get().to(list_activities)),
    )
    .service(
        web::resource("/activities/{id}")
            .route(web::get().to(get_activity))
            .route(web::patch().to(edit_activity)),
    )
    .service(
        web::resource("/activities/{id}/signups")
            .route(web::post().to(sign_up_for_activity))
            .route(web::get().to(list_signups)),
    )
    .service(
        web::resource("/activities/{id}/signups/{resident_id}")
            .route(web::delete().to(cancel_signup)),
    )
    .service(web::resource("/activities/{id}/checkins").route(web::post().to(check_in)))
    .service(web::resource("/me/signups").route(web::get().to(my_signups)))
    .service(web::resource("/residents/{id}/signups").route(web::get().to(resident_signups)));
}
