//! Embedded mode (no AMQP_URL): the api's own relay fans broadcasts out to inboxes.

use std::time::Duration;

use entity::{
    messaging::{Envelope, outbox::envelope},
    notify::notification,
    platform::{outbox, scheduled_task},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr,
};
use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{World, inbox},
};

both_backends! {
    async fn a_broadcast_reaches_exactly_its_audience(app) {
        let w = World::build(&app).await;
        let r = app.post_as(&w.staff_a, &format!("/api/v1/sites/{}/broadcasts", w.site_a), &json!({
            "title": "就业进社区招聘会", "body": "本周六上午九点，社区广场。", "audience": {"group_ids": [w.group_1]}
        })).await;
        assert_eq!(r.status(), 202);
        let leader = w.leader.clone();
        eventually("the leader's inbox", 10, || { let app = &app; let t = leader.clone(); async move { inbox(app, &t).await.len() == 1 } }).await;
        let mine = inbox(&app, &w.resident_1).await;
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["title"], "就业进社区招聘会");
        assert!(inbox(&app, &w.resident_2).await.is_empty(), "group 2 is not in the audience");
        assert!(inbox(&app, &w.resident_b).await.is_empty());
        // Unread count, read (twice: idempotent), and nobody else can read it.
        let count: Value = app.get_as(&w.resident_1, "/api/v1/me/notifications/unread-count").await.json().await.unwrap();
        assert_eq!(count["unread"], 1);
        let id = mine[0]["id"].as_str().unwrap();
        let path = format!("/api/v1/me/notifications/{id}/read");
        problem(app.post_as(&w.resident_2, &path, &json!({})).await, 404, "not_found").await;
        for _ in 0..2 {
            let read: Value = app.post_as(&w.resident_1, &path, &json!({})).await.json().await.unwrap();
            assert!(read["read_at"].is_string());
        }
        let count: Value = app.get_as(&w.resident_1, "/api/v1/me/notifications/unread-count").await.json().await.unwrap();
        assert_eq!(count["unread"], 0);
        let unread: Value = app.get_as(&w.resident_1, "/api/v1/me/notifications?unread=true").await.json().await.unwrap();
        assert!(unread["items"].as_array().unwrap().is_empty());
        // Staff have no inbox; residents cannot broadcast; another site's staff cannot either.
        problem(app.get_as(&w.staff_a, "/api/v1/me/notifications").await, 403, "forbidden").await;
        let body = json!({"title": "t", "body": "b"});
        problem(app.post_as(&w.resident_1, &format!("/api/v1/sites/{}/broadcasts", w.site_a), &body).await, 403, "forbidden").await;
        problem(app.post_as(&w.staff_b, &format!("/api/v1/sites/{}/broadcasts", w.site_a), &body).await, 404, "not_found").await;
    }

    async fn working_age_job_seekers_can_be_targeted(app) {
        let w = World::build(&app).await;
        let r = app.post_as(&w.staff_a, &format!("/api/v1/sites/{}/broadcasts", w.site_a), &json!({
            "title": "公益岗位招聘", "body": "保洁、保安岗位。", "audience": {"working_age": true, "job_seeking": true}
        })).await;
        assert_eq!(r.status(), 202);
        let t = w.resident_2.clone();
        eventually("R2's inbox", 10, || { let app = &app; let t = t.clone(); async move { inbox(app, &t).await.len() == 1 } }).await;
        // R1 (born 1950) is not of working age.
        assert!(inbox(&app, &w.resident_1).await.is_empty());
        assert_eq!(inbox(&app, &w.leader).await.len(), 1);
    }

    async fn a_redelivered_event_changes_nothing(app) {
        let w = World::build(&app).await;
        let r: Value = app.post_as(&w.staff_a, &format!("/api/v1/sites/{}/broadcasts", w.site_a), &json!({"title": "通知", "body": "内容"})).await.json().await.unwrap();
        let event_id: uuid::Uuid = r["event_id"].as_str().unwrap().parse().unwrap();
        let count = || async {
            notification::Entity::find().filter(notification::Column::MessageId.eq(event_id)).count(app.db.conn()).await.unwrap()
        };
        eventually("the fan-out", 10, || async { count().await == 3 }).await;
        // Every handler (inbox, delivery) has run once the row is marked.
        eventually("the outbox row marked", 10, || async {
            outbox::Entity::find_by_id(event_id).one(app.db.conn()).await.unwrap().unwrap().published_at.is_some()
        })
        .await;
        let row = outbox::Entity::find_by_id(event_id).one(app.db.conn()).await.unwrap().unwrap();
        let envelope: Envelope = envelope(&row).unwrap();
        let inbox_handler = &worker::handlers::ALL[0];
        let again = worker::consumer::process(&app.db, inbox_handler, &envelope).await.unwrap();
        assert_eq!(again, worker::consumer::Outcome::Duplicate);
        assert_eq!(count().await, 3);
    }

    async fn an_event_that_keeps_failing_is_dead_lettered_and_can_be_redriven(app) {
        let now = chrono::Utc::now();
        let id = uuid::Uuid::now_v7();
        outbox::Entity::insert(outbox::ActiveModel {
            id: Set(id),
            event_type: Set("notification.requested".into()),
            schema_version: Set(1),
            routing_key: Set("notification.requested".into()),
            payload: Set(json!({"type": "notification.requested", "data": {"unexpected": true}})),
            created_at: Set(now),
            available_at: Set(now),
            attempts: Set(0),
            ..Default::default()
        })
        .exec_without_returning(app.db.writer())
        .await
        .unwrap();
        // Skip the backoff between attempts until the relay gives up on it.
        eventually("the dead letter", 10, || async {
            let row = outbox::Entity::find_by_id(id).one(app.db.conn()).await.unwrap().unwrap();
            if row.dead_at.is_some() {
                return true;
            }
            outbox::Entity::update_many()
                .col_expr(outbox::Column::AvailableAt, Expr::value(chrono::Utc::now()))
                .filter(outbox::Column::Id.eq(id))
                .filter(outbox::Column::DeadAt.is_null())
                .exec(app.db.writer())
                .await
                .unwrap();
            false
        })
        .await;
        let row = outbox::Entity::find_by_id(id).one(app.db.conn()).await.unwrap().unwrap();
        assert!(row.dead_at.is_some(), "dead-lettered after {} attempts", row.attempts);
        assert!(row.published_at.is_none());
        assert!(row.last_error.unwrap().contains("unreadable payload"));
        let dead = worker::relay::dead_letters(app.db.conn(), 10).await.unwrap();
        assert_eq!(dead.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
        // Re-driving puts it back in line (it fails again here, as its payload is still broken).
        assert!(worker::relay::redrive(app.db.writer(), id).await.unwrap());
        eventually("the re-driven row tried again", 10, || async {
            let row = outbox::Entity::find_by_id(id).one(app.db.conn()).await.unwrap().unwrap();
            row.dead_at.is_none() && row.attempts >= 1
        })
        .await;
        // Only a dead letter is re-driven (the row now waits for its backoff, alive).
        assert!(!worker::relay::redrive(app.db.writer(), id).await.unwrap());
    }

    async fn a_due_task_runs_once_however_many_schedulers_claim_it(app) {
        let done = || async {
            scheduled_task::Entity::find()
                .filter(scheduled_task::Column::Kind.eq("job.expire"))
                .filter(scheduled_task::Column::State.eq("done"))
                .count(app.db.conn())
                .await
                .unwrap()
        };
        // A due task (expiring a posting that is gone: it finds nothing to do), and four
        // schedulers (plus the app's own) racing for it.
        let task = entity::messaging::tasks::ExpireJob { job_id: uuid::Uuid::now_v7() };
        entity::messaging::schedule::task(app.db.writer(), &task, chrono::Utc::now(), None).await.unwrap();
        let db = app.db.clone();
        let racers: Vec<_> = (0..4).map(|_| { let db = db.clone(); tokio::spawn(async move { worker::scheduler::run_due(&db).await.unwrap() }) }).collect();
        for r in racers {
            r.await.unwrap();
        }
        eventually("the run", 10, || async { done().await == 1 }).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(done().await, 1, "run exactly once");
    }
}
