//! Routes mounted only in tests, to exercise the shared mechanisms (extractors, error mapping,
//! pagination, idempotency) through the real server and database before any feature uses them.
//! A "widget" is stored as an outbox row, a table that exists from the first migration.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use api::{
    error::ApiError,
    extract::{Json, Query},
    idempotency::{self, IdempotencyKey, StoredResponse},
    pagination::{PageParams, Paginated},
    startup::AppState,
};
use entity::{page::Page, platform::outbox};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewWidget {
    pub name: String,
    pub size: u32,
    pub dims: Dims,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dims {
    pub width: u32,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Widget {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub min_size: Option<u32>,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/test/widgets")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(web::resource("/test/widgets/{id}").route(web::get().to(get_one)))
    .service(web::resource("/test/panic").route(web::get().to(panic)));
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<NewWidget>,
) -> Result<HttpResponse, ApiError> {
    if body.name.trim().is_empty() {
        return Err(ApiError::invalid("name", "must not be empty"));
    }
    let key = IdempotencyKey::from_request(&req)?;
    let fingerprint = idempotency::fingerprint(&req);
    let slow = req.headers().contains_key("x-test-slow");
    idempotency::execute(
        &state.db,
        &state.pii,
        key,
        "test",
        &fingerprint,
        move |txn| {
            Box::pin(async move {
                if slow {
                    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
                }
                let id = Uuid::now_v7();
                let now = chrono::Utc::now();
                outbox::Entity::insert(outbox::ActiveModel {
                    id: Set(id),
                    event_type: Set("test.widget".into()),
                    schema_version: Set(1),
                    routing_key: Set("test.widget".into()),
                    payload: Set(serde_json::json!({ "name": body.name, "size": body.size })),
                    created_at: Set(now),
                    available_at: Set(now),
                    attempts: Set(0),
                    last_error: Set(None),
                    published_at: Set(Some(now)),
                    dead_at: Set(None),
                    ..Default::default()
                })
                .exec_without_returning(txn)
                .await?;
                StoredResponse::json(
                    StatusCode::CREATED,
                    &Widget {
                        id,
                        name: body.name,
                    },
                )
            })
        },
    )
    .await
}

async fn list(
    state: web::Data<AppState>,
    Query(params): Query<ListParams>,
) -> Result<web::Json<Paginated<Widget>>, ApiError> {
    let request = PageParams::new(params.limit, params.cursor).into_request::<Uuid>()?;
    let mut query = outbox::Entity::find()
        .filter(outbox::Column::EventType.eq("test.widget"))
        .order_by_desc(outbox::Column::Id)
        .limit(request.fetch());
    if let Some(after) = request.after() {
        query = query.filter(outbox::Column::Id.lt(*after));
    }
    let rows = query.all(state.db.conn()).await?;
    let widgets = rows
        .into_iter()
        .filter(|r| {
            params
                .min_size
                .is_none_or(|min| r.payload["size"].as_u64().unwrap_or(0) >= u64::from(min))
        })
        .map(|r| Widget {
            id: r.id,
            name: r.payload["name"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    Ok(web::Json(
        Page::from_rows(&request, widgets, |w| w.id).into(),
    ))
}

async fn get_one(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Widget>, ApiError> {
    let row = outbox::Entity::find_by_id(id.into_inner())
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::not_found())?;
    Ok(web::Json(Widget {
        id: row.id,
        name: row.payload["name"].as_str().unwrap_or_default().to_owned(),
    }))
}

async fn panic() -> HttpResponse {
    panic!("deliberate test panic")
}
