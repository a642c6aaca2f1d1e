//! The OpenAPI document, generated from the handlers' and DTOs' annotations.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::{error::Problem, routes};

/// Anju's API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Anju",
        description = "Community services for poverty-relief resettlement communities: recruitment, \
                       activities, the points scheme and notifications. Errors are RFC 9457 \
                       `application/problem+json` documents with a stable `code`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        routes::health::healthz,
        routes::health::readyz,
        routes::health::metrics,
        routes::auth::login,
        routes::auth::request_code,
        routes::auth::sms_login,
        routes::auth::refresh,
        routes::auth::logout,
        routes::auth::activate,
        routes::auth::reset_password,
        routes::auth::change_password,
        routes::auth::me,
        routes::accounts::create_account,
        routes::accounts::list_accounts,
        routes::accounts::disable_account,
        routes::accounts::enable_account,
        routes::accounts::list_audit,
        routes::sites::create_site,
        routes::sites::list_sites,
        routes::sites::get_site,
        routes::sites::get_site_settings,
        routes::sites::put_site_settings,
        routes::sites::site_board,
        routes::sites::create_committee,
        routes::sites::list_committees,
        routes::structure::create_group,
        routes::structure::list_groups,
        routes::structure::get_group,
        routes::structure::appoint_leader,
        routes::structure::create_building,
        routes::structure::list_buildings,
        routes::structure::get_building,
        routes::structure::create_household,
        routes::structure::list_households,
        routes::structure::get_household,
        routes::structure::update_household,
        routes::residents::create_resident,
        routes::residents::list_residents,
        routes::residents::get_resident,
        routes::residents::update_resident,
        routes::residents::reveal_id_card,
        routes::residents::print_activation_code,
        routes::import::import_residents,
        routes::import::import_template,
        routes::exports::export_residents,
        routes::exports::export_below_target,
        routes::exports::export_signups,
        routes::exports::export_household_points,
        routes::exports::export_campaign_claims,
        routes::exports::export_redemptions,
        routes::exports::export_applicants,
        routes::sheets::issue_link,
        routes::sheets::open_sheet,
        routes::notifications::list_notifications,
        routes::notifications::resident_notifications,
        routes::notifications::unread_count,
        routes::notifications::mark_read,
        routes::notifications::broadcast,
        routes::notifications::audience_size,
        routes::notifications::list_broadcasts,
        routes::devices::register_device,
        routes::devices::delete_device,
        routes::devices::get_preferences,
        routes::devices::put_preferences,
        routes::employers::sign_up,
        routes::employers::list_employers,
        routes::employers::get_employer,
        routes::employers::verify,
        routes::employers::reject,
        routes::employers::suspend,
        routes::jobs::create_job,
        routes::jobs::list_jobs,
        routes::jobs::get_job,
        routes::jobs::edit_job,
        routes::jobs::submit_job,
        routes::jobs::publish_job,
        routes::jobs::reject_job,
        routes::jobs::close_job,
        routes::jobs::fill_job,
        routes::jobs::renew_job,
        routes::jobs::job_jsonld,
        routes::job_subscriptions::get_job_subscriptions,
        routes::job_subscriptions::put_job_subscriptions,
        routes::activities::create_activity,
        routes::activities::edit_activity,
        routes::activities::list_activities,
        routes::activities::get_activity,
        routes::activities::sign_up_for_activity,
        routes::activities::cancel_signup,
        routes::activities::check_in,
        routes::activities::list_signups,
        routes::activities::my_signups,
        routes::activities::resident_signups,
        routes::points::my_points,
        routes::points::household_points,
        routes::points::deduct,
        routes::points::list_categories,
        routes::points::set_category_range,
        routes::claims::create_campaign,
        routes::claims::list_campaigns,
        routes::claims::list_objections,
        routes::claims::apply_for_points,
        routes::claims::list_claims,
        routes::claims::get_claim,
        routes::claims::get_claim_photo,
        routes::claims::add_claim_photo,
        routes::partners::create_partner,
        routes::partners::list_partners,
        routes::partners::rotate_partner_secrets,
        routes::partners::list_partner_deliveries,
        routes::partners::resend_partner_delivery,
        routes::partners::issue_partner_token,
        routes::partners::put_partner_job,
        routes::partners::delete_partner_job,
        routes::partners::partner_job_feed,
        routes::claims::verify_claim,
        routes::claims::register_claim,
        routes::claims::publicize_claim,
        routes::claims::credit_claim,
        routes::claims::reject_claim,
        routes::claims::object_to_claim,
        routes::claims::uphold_objection,
        routes::claims::dismiss_objection,
        routes::reports::points,
        routes::reports::publicity,
        routes::store::list_items,
        routes::store::create_item,
        routes::store::update_item,
        routes::store::redeem,
        routes::store::my_redemptions,
        routes::store::list_redemptions,
        routes::store::fulfil_redemption,
        routes::store::cancel_redemption,
        routes::applications::apply,
        routes::applications::list_for_job,
        routes::applications::mine,
        routes::applications::of_resident,
        routes::applications::advance,
        routes::applications::record_employment,
        routes::applications::list_employments,
        routes::applications::end_employment,
        routes::reports::employment,
    ),
    components(schemas(
        Problem,
        entity::partners::DeliveryState,
        entity::partners::PartnerScope
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness, readiness and metrics"),
        (name = "auth", description = "Login, tokens, accounts and the audit trail"),
        (name = "registry", description = "Sites, committees, groups, buildings, households and residents"),
        (name = "notifications", description = "The resident's inbox and staff broadcasts"),
        (name = "employers", description = "Employer sign-up and review"),
        (name = "jobs", description = "Job postings and their review"),
        (name = "activities", description = "Activities, sign-ups, waiting lists and check-in"),
        (name = "points", description = "Household points accounts and deductions"),
        (name = "partners", description = "The provincial talent exchange and other partner systems: clients, postings in, webhooks and the reconciliation feed out"),
        (name = "store", description = "The community store and redemptions"),
        (name = "sheets", description = "Printable sheets opened through short-lived signed links"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer (JWT) security scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a trailing newline, exactly as committed in `openapi/openapi.json`.
pub fn to_pretty_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
