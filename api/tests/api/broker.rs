//! Production mode against the real RabbitMQ: the api records events, worker sessions (started
//! here, as the `worker` binary would) relay and consume them. Each test has a namespace of its
//! own on the broker.

use std::time::Duration;

use entity::{
    messaging::{
        Event,
        events::{Audience, NotificationRequested, Urgency},
        outbox::{self as record, envelope},
    },
    notify::notification,
    platform::{outbox, processed_message},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::sync::watch;
use uuid::Uuid;

use crate::{helpers::*, world::World};

fn start_worker(
    app: &TestApp,
    rabbit: &worker::rabbit::RabbitSettings,
    stop: &watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(worker::rabbit::run(
        app.db.clone(),
        rabbit.clone(),
        true,
        stop.clone(),
    ))
}

fn notice(site_id: Uuid, resident: Uuid, title: String) -> Event {
    Event::NotificationRequested(NotificationRequested {
        site_id,
        category: "test".into(),
        title,
        body: "内容".into(),
        audience: Audience::Residents {
            resident_ids: vec![resident],
        },
        urgency: Urgency::Normal,
        link: None,
        notice: None,
    })
}

async fn inbox_count(app: &TestApp, resident: Uuid) -> u64 {
    notification::Entity::find()
        .filter(notification::Column::ResidentId.eq(resident))
        .count(app.db.conn())
        .await
        .unwrap()
}

macro_rules! broker_test {
    ($name:ident, $limit:expr, [$($backend:ident),*], |$app:ident, $rabbit:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                #[allow(non_snake_case)]
                async fn $backend() {
                    let Some(($app, $rabbit, _guard)) = spawn_app_with_broker(Backend::$backend, $limit).await else { return };
                    $body
                }
            )*
        }
    };
}

broker_test!(
    a_broadcast_flows_through_rabbitmq,
    5,
    [Sqlite, Postgres],
    |app, rabbit| {
        let w = World::build(&app).await;
        eventually("the broker in /readyz", 10, || async {
            let r: Value = app.get("/readyz").await.json().await.unwrap_or_default();
            r["broker"] == "up"
        })
        .await;
        // Accepted while no worker runs: the event waits in the outbox.
        let r = app
            .post_as(
                &w.staff_a,
                &format!("/api/v1/sites/{}/broadcasts", w.site_a),
                &json!({"title": "停水通知", "body": "明日停水。"}),
            )
            .await;
        assert_eq!(r.status(), 202);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            notification::Entity::find()
                .count(app.db.conn())
                .await
                .unwrap(),
            0,
            "no relay runs in the api in production mode"
        );
        let (stop, stopped) = watch::channel(false);
        let worker = start_worker(&app, &rabbit, &stopped);
        eventually("three inboxes", 15, || async {
            notification::Entity::find()
                .count(app.db.conn())
                .await
                .unwrap()
                == 3
        })
        .await;
        let inbox: Value = app
            .get_as(&w.resident_1, "/api/v1/me/notifications")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(inbox["items"][0]["title"], "停水通知");
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(10), worker)
            .await
            .expect("graceful shutdown")
            .unwrap();
    }
);

broker_test!(
    two_workers_and_two_relays_deliver_each_notification_exactly_once,
    5,
    [Sqlite, Postgres],
    |app, rabbit| {
        let w = World::build(&app).await;
        let resident: Uuid = w.resident_1_id.parse().unwrap();
        let site: Uuid = w.site_a.parse().unwrap();
        let (stop, stopped) = watch::channel(false);
        let workers = [
            start_worker(&app, &rabbit, &stopped),
            start_worker(&app, &rabbit, &stopped),
        ];
        const EVENTS: u64 = 300;
        for i in 0..EVENTS {
            let txn = app.db.begin().await.unwrap();
            record::record(&txn, notice(site, resident, format!("通知 {i}")))
                .await
                .unwrap();
            txn.commit().await.unwrap();
        }
        eventually("every notification", 60, || async {
            inbox_count(&app, resident).await == EVENTS
        })
        .await;
        eventually("every outbox row published", 30, || async {
            outbox::Entity::find()
                .filter(outbox::Column::PublishedAt.is_null())
                .count(app.db.conn())
                .await
                .unwrap()
                == 0
        })
        .await;
        // Give any duplicate a chance to arrive, then count again.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(inbox_count(&app, resident).await, EVENTS);
        let processed = processed_message::Entity::find()
            .filter(processed_message::Column::Consumer.eq("inbox"))
            .count(app.db.conn())
            .await
            .unwrap();
        assert_eq!(processed, EVENTS, "each message handled once");
        stop.send(true).unwrap();
        for worker in workers {
            tokio::time::timeout(Duration::from_secs(10), worker)
                .await
                .expect("graceful shutdown")
                .unwrap();
        }
    }
);

broker_test!(
    a_redelivery_after_a_crash_before_the_ack_changes_nothing,
    5,
    [Sqlite, Postgres],
    |app, rabbit| {
        let w = World::build(&app).await;
        let resident: Uuid = w.resident_2_id.parse().unwrap();
        let site: Uuid = w.site_a.parse().unwrap();
        let txn = app.db.begin().await.unwrap();
        let id = record::record(&txn, notice(site, resident, "补贴到账".into()))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        // A worker handled it and committed, then died before acking: simulate its committed work.
        let row = outbox::Entity::find_by_id(id)
            .one(app.db.conn())
            .await
            .unwrap()
            .unwrap();
        let handled =
            worker::consumer::process(&app.db, &worker::handlers::ALL[0], &envelope(&row).unwrap())
                .await
                .unwrap();
        assert_eq!(handled, worker::consumer::Outcome::Handled);
        assert_eq!(inbox_count(&app, resident).await, 1);
        // The message is (re)delivered through the broker: it is acked and changes nothing.
        let (stop, stopped) = watch::channel(false);
        let worker = start_worker(&app, &rabbit, &stopped);
        eventually("the relay", 15, || async {
            outbox::Entity::find_by_id(id)
                .one(app.db.conn())
                .await
                .unwrap()
                .unwrap()
                .published_at
                .is_some()
        })
        .await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(inbox_count(&app, resident).await, 1);
        let connection = worker::rabbit::connect(&rabbit.url).await.unwrap();
        assert_eq!(
            worker::rabbit::dead_letter_count(&connection, &rabbit, "inbox")
                .await
                .unwrap(),
            0
        );
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(10), worker)
            .await
            .unwrap()
            .unwrap();
    }
);

broker_test!(
    a_message_that_always_fails_is_dead_lettered_and_can_be_redriven,
    2,
    [Postgres],
    |app, rabbit| {
        let w = World::build(&app).await;
        let resident: Uuid = w.resident_1_id.parse().unwrap();
        let site: Uuid = w.site_a.parse().unwrap();
        // A category longer than its column: PostgreSQL refuses the insert every time.
        let mut event = notice(site, resident, "t".into());
        let Event::NotificationRequested(n) = &mut event else {
            unreachable!("the event built above is a notification")
        };
        n.category = "x".repeat(300);
        let txn = app.db.begin().await.unwrap();
        record::record(&txn, event).await.unwrap();
        txn.commit().await.unwrap();
        let (stop, stopped) = watch::channel(false);
        let worker = start_worker(&app, &rabbit, &stopped);
        let connection = worker::rabbit::connect(&rabbit.url).await.unwrap();
        eventually("the dead-letter queue", 30, || async {
            // Not found until the worker declared the topology.
            worker::rabbit::dead_letter_count(&connection, &rabbit, "inbox")
                .await
                .unwrap_or(0)
                == 1
        })
        .await;
        assert_eq!(inbox_count(&app, resident).await, 0);
        // Re-drive: it leaves the dead-letter queue, fails its deliveries again and comes back.
        assert_eq!(
            worker::rabbit::redrive(&connection, &rabbit, "inbox")
                .await
                .unwrap(),
            1
        );
        eventually("the second round trip", 30, || async {
            worker::rabbit::dead_letter_count(&connection, &rabbit, "inbox")
                .await
                .unwrap()
                == 1
        })
        .await;
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(15), worker)
            .await
            .unwrap()
            .unwrap();
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_broker_is_unreachable_requests_still_succeed_and_readyz_says_so() {
    let Some(app) = spawn_app_with_unreachable_broker().await else {
        return;
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let p = problem(app.get("/readyz").await, 503, "service_unavailable").await;
    assert!(p["detail"].as_str().unwrap().contains("broker"));
    let w = World::build(&app).await;
    let r = app
        .post_as(
            &w.staff_a,
            &format!("/api/v1/sites/{}/broadcasts", w.site_a),
            &json!({"title": "通知", "body": "内容"}),
        )
        .await;
    assert_eq!(r.status(), 202, "events wait in the outbox");
    assert_eq!(
        outbox::Entity::find()
            .filter(outbox::Column::PublishedAt.is_null())
            .count(app.db.conn())
            .await
            .unwrap(),
        1
    );
}
