//! Housekeeping removes what is past its retention, in batches, and nothing else: old inbox
//! rows go and new ones stay; a finished send goes and a waiting one stays however old; a
//! published outbox row goes and an unpublished one stays.

use chrono::{Duration, Utc};
use entity::{
    notify::delivery,
    notify::notification,
    platform::{outbox, processed_message},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;
use worker::housekeeping::{self, boundary};

use crate::both_backends;

/// A UUIDv7 of `days` ago (the `n`th of that millisecond).
fn id_of(days: i64, n: u128) -> Uuid {
    Uuid::from_u128(boundary(Utc::now() - Duration::days(days)).as_u128() + n)
}

fn inbox_row(id: Uuid) -> notification::ActiveModel {
    notification::ActiveModel {
        id: Set(id),
        resident_id: Set(Uuid::now_v7()),
        site_id: Set(Uuid::nil()),
        message_id: Set(Uuid::now_v7()),
        category: Set("general".into()),
        title: Set("社区通知".into()),
        body: Set("明天上午停水。".into()),
        link: Set(None),
        urgency: Set("normal".into()),
        created_at: Set(Utc::now()),
        read_at: Set(None),
    }
}

fn send(id: Uuid, state: &str) -> delivery::ActiveModel {
    delivery::ActiveModel {
        id: Set(id),
        dedupe_key: Set(format!("k-{id}")),
        resident_id: Set(Uuid::now_v7()),
        message_id: Set(Uuid::now_v7()),
        channel: Set("sms".into()),
        provider: Set("log".into()),
        device_id: Set(None),
        target: Set("13700000001".into()),
        title: Set("t".into()),
        body: Set("b".into()),
        link: Set(None),
        urgent: Set(false),
        state: Set(state.into()),
        // Not yet due: the embedded dispatcher must not send the waiting one during the test.
        not_before: Set(Utc::now() + chrono::Duration::hours(1)),
        attempts: Set(1),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(Utc::now()),
        sent_at: Set(None),
        request_id: Set(None),
        payload: Set(None),
    }
}

fn event(id: Uuid, published: bool) -> outbox::ActiveModel {
    outbox::ActiveModel {
        id: Set(id),
        event_type: Set("test.event".into()),
        schema_version: Set(1),
        routing_key: Set("test.event".into()),
        payload: Set(serde_json::json!({})),
        created_at: Set(Utc::now()),
        available_at: Set(Utc::now() + Duration::days(1)),
        attempts: Set(0),
        last_error: Set(None),
        published_at: Set(published.then(Utc::now)),
        dead_at: Set(None),
        request_id: Set(None),
        traceparent: Set(None),
        actor_account_id: Set(None),
    }
}

both_backends! {
    async fn housekeeping_removes_what_is_past_retention_and_nothing_else(app) {
        let db = &app.db;
        // 2,500 inbox rows of 400 days ago (more than two batches), 10 of yesterday.
        let old: Vec<_> = (0..2500).map(|n| inbox_row(id_of(400, n))).collect();
        for chunk in old.chunks(500) {
            notification::Entity::insert_many(chunk.to_vec()).exec_without_returning(db.writer()).await.unwrap();
        }
        let new: Vec<_> = (0..10).map(|n| inbox_row(id_of(1, n))).collect();
        notification::Entity::insert_many(new).exec_without_returning(db.writer()).await.unwrap();
        // Sends: finished long ago, waiting long ago (held by quiet hours, say), finished today.
        delivery::Entity::insert_many([
            send(id_of(60, 0), "sent"),
            send(id_of(60, 1), "failed"),
            send(id_of(60, 2), "pending"),
            send(Uuid::now_v7(), "sent"),
        ])
        .exec_without_returning(db.writer())
        .await
        .unwrap();
        outbox::Entity::insert_many([event(id_of(30, 0), true), event(id_of(30, 1), false), event(Uuid::now_v7(), true)])
            .exec_without_returning(db.writer())
            .await
            .unwrap();
        processed_message::Entity::insert_many([
            processed_message::ActiveModel { consumer: Set("inbox".into()), message_id: Set(id_of(30, 0)), processed_at: Set(Utc::now() - Duration::days(30)) },
            processed_message::ActiveModel { consumer: Set("inbox".into()), message_id: Set(Uuid::now_v7()), processed_at: Set(Utc::now()) },
        ])
        .exec_without_returning(db.writer())
        .await
        .unwrap();

        let retention = worker::settings::Settings::defaults().retention();
        let report = housekeeping::run_once(db, &retention).await.unwrap();
        assert_eq!(report.count("notification"), 2500, "{report:?}");
        assert_eq!(report.count("delivery"), 2);
        assert_eq!(report.count("outbox"), 1);
        assert_eq!(report.count("processed_message"), 1);

        assert_eq!(notification::Entity::find().count(db.conn()).await.unwrap(), 10);
        let left: Vec<String> = delivery::Entity::find().all(db.conn()).await.unwrap().into_iter().map(|d| d.state).collect();
        assert_eq!(left.len(), 2);
        assert!(left.contains(&"pending".to_owned()), "a waiting send stays: {left:?}");
        assert_eq!(outbox::Entity::find().filter(outbox::Column::PublishedAt.is_null()).count(db.conn()).await.unwrap(), 1);
        assert_eq!(outbox::Entity::find().count(db.conn()).await.unwrap(), 2);
        // A second run finds nothing more of what was seeded here (rate-limit windows of the
        // server's own requests may expire meanwhile, under a loaded machine).
        let again = housekeeping::run_once(db, &retention).await.unwrap();
        for table in ["notification", "delivery", "outbox", "processed_message"] {
            assert_eq!(again.count(table), 0, "{again:?}");
        }
    }
}
