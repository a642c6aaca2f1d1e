//! Residents: registration and edits (`editing`, edits audited), what a caller sees of them and
//! the lists with filters (`view`), and the audited reveal of a full ID number and printing of
//! an activation code (`audited`). ID numbers are masked in every other response.

mod audited;
mod editing;
mod view;

use actix_web::web;
pub use audited::*;
pub use editing::*;
pub use view::*;

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/residents")
            .route(web::post().to(create_resident))
            .route(web::get().to(list_residents)),
    )
    .service(
        web::resource("/residents/{id}")
            .route(web::get().to(get_resident))
            .route(web::patch().to(update_resident)),
    )
    .service(web::resource("/residents/{id}/id-card/reveal").route(web::post().to(reveal_id_card)))
    .service(
        web::resource("/residents/{id}/activation-code")
            .route(web::post().to(print_activation_code)),
    );
}
