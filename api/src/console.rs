//! The web console (`/console/`) and the job kiosk (`/kiosk/`): the files of `console/dist/`,
//! compiled into the binary by `build.rs`, each with a gzip copy.
//!
//! The pages run under a strict Content-Security-Policy: scripts only from this origin and no
//! inline script; styles may be inline (Element Plus sets `style` attributes); images from here,
//! `data:` (Element Plus's icons) and `blob:` (claim photos fetched with the bearer token).

use actix_web::{
    HttpRequest, HttpResponse,
    http::header::{self, HeaderValue},
    web,
};

/// (path below `dist/`, content type, bytes, gzip bytes)
type File = (&'static str, &'static str, &'static [u8], &'static [u8]);

static FILES: &[File] = include!(concat!(env!("OUT_DIR"), "/console_files.rs"));

/// The policy of both pages.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
     connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// Routes: `/console/...` (assets, else the single-page app) and `/kiosk/...`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console", web::get().to(|| redirect("/console/")))
        .route("/console/{tail:.*}", web::get().to(console))
        .route("/kiosk", web::get().to(|| redirect("/kiosk/")))
        .route("/kiosk/{tail:.*}", web::get().to(kiosk));
}

async fn redirect(to: &'static str) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, to))
        .finish()
}

fn find(path: &str) -> Option<&'static File> {
    FILES.iter().find(|f| f.0 == path)
}

async fn console(req: HttpRequest, tail: web::Path<String>) -> HttpResponse {
    let tail = tail.into_inner();
    match find(&tail) {
        Some(file) if !tail.ends_with(".html") => serve(&req, file),
        // A missing asset is an error, not the app (a stale page asking for an old chunk).
        None if tail.starts_with("assets/") => not_found(),
        _ => page(&req, "index.html"),
    }
}

async fn kiosk(req: HttpRequest) -> HttpResponse {
    page(&req, "kiosk.html")
}

fn page(req: &HttpRequest, name: &str) -> HttpResponse {
    match find(name) {
        Some(file) => serve(req, file),
        None => not_found(),
    }
}

fn not_found() -> HttpResponse {
    crate::error::ApiError::RouteNotFound.error_response_owned()
}

fn serve(req: &HttpRequest, (name, content_type, bytes, gzip): &'static File) -> HttpResponse {
    let mut answer = HttpResponse::Ok();
    answer
        .insert_header((header::CONTENT_TYPE, *content_type))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if name.starts_with("assets/") {
        // Content-hashed names: a changed file gets a new name.
        answer.insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"));
    } else {
        answer
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"))
            .insert_header((
                "Permissions-Policy",
                "camera=(self), microphone=(), geolocation=()",
            ));
    }
    if accepts_gzip(req) && gzip.len() < bytes.len() {
        answer.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")));
        answer.body(*gzip)
    } else {
        answer.body(*bytes)
    }
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            parts.next().is_some_and(|c| c.trim() == "gzip")
                && !parts.any(|p| p.trim().replace(' ', "") == "q=0")
        })
}
