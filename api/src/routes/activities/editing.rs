//! Staff create and edit activities: the request checked field by field, times kept to whole
//! seconds.

use entity::activities::{
    self, ActivityContent, ActivityEdit, ActivityKind, AudienceSpec, Schedule,
};

use super::Activity;
use crate::routes::{
    common::{create, text_field},
    prelude::*,
};

/// Who an activity is for within its site (both empty: the whole site).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityAudience {
    /// These committees.
    #[serde(default)]
    pub committee_ids: Vec<Uuid>,
    /// These groups.
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
}

/// Points awarded for attendance: checking in files a claim, already registered, that goes on
/// to publicity and crediting like any other.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendancePoints {
    /// Points category (`policy_savvy`, `public_welfare`, …).
    pub category: String,
    /// Points, 1–100.
    pub amount: i32,
}

/// A new activity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityRequest {
    /// The site.
    pub site_id: Uuid,
    /// Title (up to 100 characters).
    pub title: String,
    /// Description (up to 5,000 characters).
    pub description: String,
    /// Kind.
    pub kind: ActivityKind,
    /// Place.
    pub place: String,
    /// Starts at.
    pub starts_at: DateTime<Utc>,
    /// Ends at (after the start).
    pub ends_at: DateTime<Utc>,
    /// Sign-up opens at (default: now).
    pub signup_opens_at: Option<DateTime<Utc>>,
    /// Sign-up closes at (default: the start).
    pub signup_closes_at: Option<DateTime<Utc>>,
    /// Seats, 1–100,000.
    pub capacity: i32,
    /// Keep a waiting list when full (default on).
    #[serde(default = "yes")]
    pub waitlist: bool,
    /// Who it is for (default: the whole site).
    #[serde(default)]
    pub audience: ActivityAudience,
    /// Contact.
    pub contact: String,
    /// Points for attendance.
    pub points: Option<AttendancePoints>,
    /// Employers taking part (job fairs).
    #[serde(default)]
    pub employer_ids: Vec<Uuid>,
}

fn yes() -> bool {
    true
}

impl ActivityRequest {
    fn validate(self) -> Result<(Uuid, ActivityContent, AudienceSpec), ApiError> {
        let mut errors = FieldErrors::new();
        let mut field = |name: &str, value: &str, max: usize| {
            text_field(&mut errors, name, value, max).unwrap_or_default()
        };
        let title = field("title", &self.title, 100);
        let description = field("description", &self.description, 5000);
        let place = field("place", &self.place, 200);
        let contact = field("contact", &self.contact, 100);
        let now = Utc::now();
        let instants = [
            self.starts_at,
            self.ends_at,
            self.signup_opens_at.unwrap_or(now),
            self.signup_closes_at.unwrap_or(self.starts_at),
        ];
        let schedule = Schedule::new(instants, now, None)
            .map_err(|e| errors.extend(e))
            .ok();
        if !(1..=100_000).contains(&self.capacity) {
            errors.insert("capacity".into(), "must be 1–100,000".into());
        }
        if let Some(p) = &self.points
            && (entity::points::Category::parse(p.category.trim()).is_none()
                || !(1..=100).contains(&p.amount))
        {
            errors.insert(
                "points".into(),
                "category one of the seven points categories, amount 1–100".into(),
            );
        }
        if self.employer_ids.len() > 200 {
            errors.insert("employer_ids".into(), "at most 200 employers".into());
        }
        let Some(schedule) = schedule.filter(|_| errors.is_empty()) else {
            return Err(ApiError::Validation(errors));
        };
        Ok((
            self.site_id,
            ActivityContent {
                title,
                description,
                kind: self.kind,
                place,
                schedule,
                capacity: self.capacity,
                waitlist_enabled: self.waitlist,
                contact,
                points: self.points.and_then(|p| {
                    entity::points::Category::parse(p.category.trim()).map(|c| (c, p.amount))
                }),
                employer_ids: self.employer_ids,
            },
            AudienceSpec {
                committee_ids: self.audience.committee_ids,
                group_ids: self.audience.group_ids,
            },
        ))
    }
}

/// Creates an activity (staff of its site); reminders and attendance are scheduled with it.
#[problems(
    403 "Not staff",
    404 "No such site in the caller's reach",
    422 "Invalid fields, each named",
)]
#[utoipa::path(
    post, path = "/api/v1/activities", tag = "activities", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = ActivityRequest,
    responses((status = 201, description = "Created", body = Activity))
)]
pub async fn create_activity(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<ActivityRequest>,
) -> Result<HttpResponse, ApiError> {
    let (site_id, content, spec) = body.validate()?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let a = activities::create(txn, &actor, site_id, content, &spec).await?;
            StoredResponse::json(StatusCode::CREATED, &Activity::try_from(a)?)
        })
    })
    .await
}

/// Changes to an activity: the domain's edit, read from the body.
pub type ActivityPatch = ActivityEdit;

/// Edits an activity (staff of its site, before it ends).
#[problems(
    403 "Not staff",
    404 "No such activity in the caller's reach",
    409 "`capacity_below_confirmed`, `waitlist_not_empty`, `activity_over` or `concurrent_change`",
    422 "Invalid fields, each named",
)]
#[utoipa::path(
    patch, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id")),
    request_body = ActivityPatch,
    responses((status = 200, description = "Changed", body = Activity))
)]
pub async fn edit_activity(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ActivityPatch>,
) -> Result<web::Json<Activity>, ApiError> {
    let mut errors = FieldErrors::new();
    let mut field = |name: &str, value: Option<String>, max: usize| {
        value.and_then(|v| text_field(&mut errors, name, &v, max))
    };
    let change = ActivityEdit {
        title: field("title", body.title, 100),
        description: field("description", body.description, 5000),
        place: field("place", body.place, 200),
        contact: field("contact", body.contact, 100),
        ..body
    };
    if body.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        errors.insert("capacity".into(), "must be 1–100,000".into());
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let txn = state.db.begin().await?;
    let a = activities::edit(&txn, &caller.actor(), id.into_inner(), change).await?;
    txn.commit().await?;
    Ok(web::Json(a.try_into()?))
}
