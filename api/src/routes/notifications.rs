//! The inbox of residents (and of employers: new applications, withdrawals), and staff broadcasts
//! that fill residents' inboxes.

use entity::{
    audit::AuditEntry,
    messaging::{
        Event,
        events::{Audience, NotificationRequested, Urgency},
        outbox,
    },
    notify::{broadcast, employer_notification, notification},
    page::{Page, PageRequest},
    registry::ops,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};

use super::common::{create, text};
use super::prelude::*;
use crate::routes::residents::served_resident;

/// One notification.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    /// Id.
    pub id: Uuid,
    /// Category (`broadcast`, `job`, `activity`, …).
    pub category: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// What it is about, for the app to open.
    pub link: Option<String>,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// When it was read.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<notification::Model> for Notification {
    fn from(m: notification::Model) -> Self {
        Self {
            id: m.id,
            category: m.category,
            title: m.title,
            body: m.body,
            link: m.link,
            urgency: m.urgency,
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

/// Inbox filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// How many notifications are unread.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnreadCount {
    /// Unread notifications.
    pub unread: u64,
}

/// Who a broadcast reaches within the site (all filters combine; empty lists mean everyone).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BroadcastAudience {
    /// Only these committees.
    #[serde(default)]
    pub committee_ids: Vec<Uuid>,
    /// Only these groups.
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
    /// Only residents aged 16–59.
    #[serde(default)]
    pub working_age: bool,
    /// Only residents looking for work.
    #[serde(default)]
    pub job_seeking: bool,
}

/// A notice to a site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BroadcastRequest {
    /// Title (Simplified Chinese), up to 100 characters.
    pub title: String,
    /// Body (Simplified Chinese), up to 2,000 characters.
    pub body: String,
    /// Who receives it (default: the whole site).
    #[serde(default)]
    pub audience: BroadcastAudience,
    /// Deliver even during quiet hours.
    #[serde(default)]
    pub urgent: bool,
}

/// An accepted broadcast.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BroadcastAccepted {
    /// The event id; inbox rows appear as the worker fans it out.
    pub event_id: Uuid,
    /// Residents the audience named when it was sent.
    pub recipients: u64,
}

/// How many residents an audience names (asked before sending).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AudienceSize {
    /// Residents who would receive the notice.
    pub recipients: u64,
}

/// How a broadcast fared on one channel.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChannelOutcome {
    /// Sent to the provider.
    pub sent: u64,
    /// Given up after retries.
    pub failed: u64,
    /// Waiting (quiet hours, backoff) or being sent.
    pub pending: u64,
    /// Not sent (no device, the resident's preferences).
    pub skipped: u64,
}

impl From<broadcast::ChannelOutcome> for ChannelOutcome {
    fn from(o: broadcast::ChannelOutcome) -> Self {
        Self {
            sent: o.sent,
            failed: o.failed,
            pending: o.pending,
            skipped: o.skipped,
        }
    }
}

/// A broadcast sent to a site and how it fared.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SentBroadcast {
    /// The event id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Who it was for.
    pub audience: BroadcastAudience,
    /// Sent even in quiet hours.
    pub urgent: bool,
    /// The staff account that sent it.
    pub sent_by: Uuid,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Residents the audience named when it was sent.
    pub recipients: u64,
    /// Inbox rows written so far.
    pub delivered: u64,
    /// Of those, read.
    pub read: u64,
    /// Push notifications.
    pub push: ChannelOutcome,
    /// Text messages.
    pub sms: ChannelOutcome,
}

/// Paging of sent broadcasts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BroadcastQuery {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl BroadcastAudience {
    fn of_site(self, site_id: Uuid) -> Audience {
        Audience::Site {
            site_id,
            committee_ids: self.committee_ids,
            group_ids: self.group_ids,
            working_age: self.working_age,
            job_seeking: self.job_seeking,
        }
    }

    fn from_stored(audience: Option<Audience>) -> Self {
        match audience {
            Some(Audience::Site {
                committee_ids,
                group_ids,
                working_age,
                job_seeking,
                ..
            }) => Self {
                committee_ids,
                group_ids,
                working_age,
                job_seeking,
            },
            _ => Self::default(),
        }
    }
}

/// Whose inbox the caller reads: a resident's, or an employer's (new applications, withdrawals).
enum Inbox {
    Resident(Uuid),
    Employer(Uuid),
}

fn inbox_of(caller: &Principal) -> Result<Inbox, ApiError> {
    match (caller.resident_id, caller.employer_id) {
        (Some(resident), _) => Ok(Inbox::Resident(resident)),
        (None, Some(employer)) => Ok(Inbox::Employer(employer)),
        _ => Err(ApiError::forbidden(
            "only residents and employers have an inbox",
        )),
    }
}

/// A table of inbox rows: the residents' notifications or the employers'. Both are read and
/// marked read the same way, through these columns.
trait InboxTable: EntityTrait<Model: Into<Notification> + Sync> {
    /// The row's id (UUIDv7: newest last).
    const ID: Self::Column;
    /// The recipient.
    const OWNER: Self::Column;
    /// When it was read.
    const READ_AT: Self::Column;

    /// A page of `owner`'s rows, newest first, only the unread ones if asked.
    async fn page(
        db: &DatabaseConnection,
        owner: Uuid,
        unread_only: bool,
        page: &PageRequest<Uuid>,
    ) -> Result<Page<Notification>, DbErr> {
        let mut select = Self::find()
            .filter(Self::OWNER.eq(owner))
            .order_by_desc(Self::ID)
            .limit(page.fetch());
        if unread_only {
            select = select.filter(Self::READ_AT.is_null());
        }
        if let Some(after) = page.after() {
            select = select.filter(Self::ID.lt(*after));
        }
        let rows = select.all(db).await?;
        Ok(Page::from_rows(
            page,
            rows.into_iter().map(Into::into).collect(),
            |n: &Notification| n.id,
        ))
    }

    /// How many of `owner`'s rows are unread.
    async fn unread(db: &DatabaseConnection, owner: Uuid) -> Result<u64, DbErr> {
        Self::find()
            .filter(Self::OWNER.eq(owner))
            .filter(Self::READ_AT.is_null())
            .count(db)
            .await
    }

    /// Marks `owner`'s row `id` read (if it was not) and answers it.
    async fn mark_read(state: &AppState, owner: Uuid, id: Uuid) -> Result<Notification, ApiError> {
        Self::update_many()
            .col_expr(Self::READ_AT, Expr::value(Utc::now()))
            .filter(Self::ID.eq(id))
            .filter(Self::OWNER.eq(owner))
            .filter(Self::READ_AT.is_null())
            .exec(state.db.writer())
            .await?;
        Ok(Self::find()
            .filter(Self::ID.eq(id))
            .filter(Self::OWNER.eq(owner))
            .one(state.db.conn())
            .await?
            .ok_or(ApiError::not_found())?
            .into())
    }
}

impl InboxTable for notification::Entity {
    const ID: notification::Column = notification::Column::Id;
    const OWNER: notification::Column = notification::Column::ResidentId;
    const READ_AT: notification::Column = notification::Column::ReadAt;
}

impl InboxTable for employer_notification::Entity {
    const ID: employer_notification::Column = employer_notification::Column::Id;
    const OWNER: employer_notification::Column = employer_notification::Column::EmployerId;
    const READ_AT: employer_notification::Column = employer_notification::Column::ReadAt;
}

impl From<employer_notification::Model> for Notification {
    fn from(m: employer_notification::Model) -> Self {
        Self {
            id: m.id,
            category: m.category,
            title: m.title,
            body: m.body,
            link: m.link,
            urgency: "normal".into(),
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

/// The caller's notifications, newest first.
#[problems(403 "Neither a resident nor an employer")]
#[utoipa::path(
    get, path = "/api/v1/me/notifications", tag = "notifications", security(("bearer" = [])),
    params(InboxQuery),
    responses(
        (status = 200, description = "A page of notifications", body = Paginated<Notification>),
    )
)]
pub async fn list_notifications(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<InboxQuery>,
) -> Result<web::Json<Paginated<Notification>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request::<Uuid>()?;
    let unread_only = q.unread == Some(true);
    let page = match inbox_of(&caller)? {
        Inbox::Resident(resident) => {
            notification::Entity::page(state.db.conn(), resident, unread_only, &page).await?
        }
        Inbox::Employer(employer) => {
            employer_notification::Entity::page(state.db.conn(), employer, unread_only, &page)
                .await?
        }
    };
    Ok(web::Json(page.into()))
}

/// What a resident was sent, newest first (staff of its site, its group leader): the service
/// desk's view, to tell someone who did not see a notice what it said.
#[problems(403 "Not staff or a group leader", 404 "Not in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/residents/{id}/notifications", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id"), InboxQuery),
    responses((status = 200, description = "A page of notifications", body = Paginated<Notification>))
)]
pub async fn resident_notifications(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<InboxQuery>,
) -> Result<web::Json<Paginated<Notification>>, ApiError> {
    let resident = served_resident(&state, &caller, id.into_inner()).await?;
    let page = PageParams::new(q.limit, q.cursor).into_request::<Uuid>()?;
    let page = notification::Entity::page(state.db.conn(), resident, q.unread == Some(true), &page)
        .await?;
    Ok(web::Json(page.into()))
}

/// How many of the caller's notifications are unread.
#[problems(403 "Neither a resident nor an employer")]
#[utoipa::path(
    get, path = "/api/v1/me/notifications/unread-count", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "The count", body = UnreadCount))
)]
pub async fn unread_count(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<UnreadCount>, ApiError> {
    let unread = match inbox_of(&caller)? {
        Inbox::Resident(resident) => {
            notification::Entity::unread(state.db.conn(), resident).await?
        }
        Inbox::Employer(employer) => {
            employer_notification::Entity::unread(state.db.conn(), employer).await?
        }
    };
    Ok(web::Json(UnreadCount { unread }))
}

/// Marks one of the caller's notifications read (idempotent).
#[problems(404 "Not the caller's")]
#[utoipa::path(
    post, path = "/api/v1/me/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Notification id")),
    responses((status = 200, description = "Read", body = Notification))
)]
pub async fn mark_read(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Notification>, ApiError> {
    let id = id.into_inner();
    let row = match inbox_of(&caller)? {
        Inbox::Resident(resident) => notification::Entity::mark_read(&state, resident, id).await?,
        Inbox::Employer(employer) => {
            employer_notification::Entity::mark_read(&state, employer, id).await?
        }
    };
    Ok(web::Json(row))
}

/// Sends a notice to the residents of a site, or some of its committees, groups, working-age or
/// job-seeking residents (staff of the site). Answers 202 at once; the worker fans it out.
#[problems(
    403 "Not staff",
    404 "No such site in the caller's reach",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/sites/{id}/broadcasts", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = BroadcastRequest,
    responses((status = 202, description = "Accepted", body = BroadcastAccepted))
)]
pub async fn broadcast(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<BroadcastRequest>,
) -> Result<HttpResponse, ApiError> {
    let site_id = id.into_inner();
    let title = text("title", &body.title, 100)?;
    let text_body = text("body", &body.body, 2000)?;
    ops::get_site(state.db.conn(), &caller.scope, site_id).await?;
    caller.require_staff_of(site_id)?;
    let (actor, role) = (caller.account_id, caller.role);
    let audience = body.audience.of_site(site_id);
    let stored_audience = serde_json::to_value(&audience)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("storing an audience: {e}")))?;
    let urgent = body.urgent;
    let event = Event::NotificationRequested(NotificationRequested {
        site_id,
        category: "broadcast".into(),
        title: title.clone(),
        body: text_body.clone(),
        audience: audience.clone(),
        urgency: if urgent {
            Urgency::Urgent
        } else {
            Urgency::Normal
        },
        link: None,
        notice: None,
    });
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let recipients = entity::notify::audience::count(txn, &audience).await?;
            let event_id = outbox::record(txn, event).await?;
            broadcast::record(
                txn,
                broadcast::Model {
                    id: event_id,
                    site_id,
                    title,
                    body: text_body,
                    audience: stored_audience,
                    urgent,
                    recipients: i64::try_from(recipients).unwrap_or(i64::MAX),
                    sent_by: actor,
                    created_at: Utc::now(),
                },
            )
            .await?;
            AuditEntry::new("broadcast.send", "site", site_id)
                .by(actor, role.as_str())
                .site(site_id)
                .details(serde_json::json!({ "event_id": event_id, "recipients": recipients }))
                .record(txn)
                .await?;
            StoredResponse::json(
                StatusCode::ACCEPTED,
                &BroadcastAccepted {
                    event_id,
                    recipients,
                },
            )
        })
    })
    .await
}

/// How many residents an audience names: the count staff see before they send (staff of the
/// site). The same query fans the notice out, so the count is the count reached.
#[problems(
    403 "Not staff",
    404 "No such site in the caller's reach",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/sites/{id}/broadcasts/audience-size", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id")),
    request_body = BroadcastAudience,
    responses((status = 200, description = "The count", body = AudienceSize))
)]
pub async fn audience_size(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<BroadcastAudience>,
) -> Result<web::Json<AudienceSize>, ApiError> {
    let site_id = id.into_inner();
    ops::get_site(state.db.conn(), &caller.scope, site_id).await?;
    caller.require_staff_of(site_id)?;
    let recipients =
        entity::notify::audience::count(state.db.conn(), &body.of_site(site_id)).await?;
    Ok(web::Json(AudienceSize { recipients }))
}

/// The broadcasts sent to a site, newest first, each with how it fared: inbox rows written and
/// read, pushes and text messages sent, failed, waiting and skipped (staff of the site).
#[problems(403 "Not staff", 404 "No such site in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/sites/{id}/broadcasts", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id"), BroadcastQuery),
    responses((status = 200, description = "A page of broadcasts", body = Paginated<SentBroadcast>))
)]
pub async fn list_broadcasts(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<BroadcastQuery>,
) -> Result<web::Json<Paginated<SentBroadcast>>, ApiError> {
    let site_id = id.into_inner();
    ops::get_site(state.db.conn(), &caller.scope, site_id).await?;
    caller.require_staff_of(site_id)?;
    let page = PageParams::new(q.limit, q.cursor).into_request::<Uuid>()?;
    let page = broadcast::list(state.db.conn(), site_id, &page).await?;
    Ok(web::Json(
        page.map(|(m, o)| SentBroadcast {
            id: m.id,
            audience: BroadcastAudience::from_stored(m.audience()),
            title: m.title,
            body: m.body,
            urgent: m.urgent,
            sent_by: m.sent_by,
            created_at: m.created_at,
            recipients: u64::try_from(m.recipients).unwrap_or(0),
            delivered: o.delivered,
            read: o.read,
            push: o.push.into(),
            sms: o.sms.into(),
        })
        .into(),
    ))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/me/notifications").route(web::get().to(list_notifications)))
        .service(
            web::resource("/residents/{id}/notifications")
                .route(web::get().to(resident_notifications)),
        )
        .service(web::resource("/me/notifications/unread-count").route(web::get().to(unread_count)))
        .service(web::resource("/me/notifications/{id}/read").route(web::post().to(mark_read)))
        .service(
            web::resource("/sites/{id}/broadcasts")
                .route(web::post().to(broadcast))
                .route(web::get().to(list_broadcasts)),
        )
        .service(
            web::resource("/sites/{id}/broadcasts/audience-size")
                .route(web::post().to(audience_size)),
        );
}
