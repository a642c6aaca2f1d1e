//! The broker goes away in the middle of a stream of 1,000 events and comes back: the api never
//! answers 5xx meanwhile, events wait in the outbox, and afterwards every event is delivered
//! exactly once. A test binary of its own, because it stops the machine's RabbitMQ (cargo runs
//! test binaries one after another, so no other broker test is running).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, dead_code)]

#[path = "api/helpers.rs"]
mod helpers;
#[path = "api/sms.rs"]
mod sms;
#[path = "api/world.rs"]
mod world;

use std::{process::Command, time::Duration};

use entity::{
    notify::notification,
    platform::{outbox, processed_message},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use tokio::sync::watch;

use helpers::*;

fn rabbitmqctl(args: &[&str]) -> bool {
    Command::new("rabbitmqctl")
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Starts the broker app again even if the test fails half-way.
struct Restart;

impl Drop for Restart {
    fn drop(&mut self) {
        rabbitmqctl(&["start_app"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_survive_a_broker_outage_and_arrive_exactly_once() {
    if !rabbitmqctl(&["status"]) {
        let message = "rabbitmqctl cannot control the local RabbitMQ: the outage test is SKIPPED";
        if std::env::var("ANJU_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
            panic!("{message}, but ANJU_REQUIRE_SERVICES=1");
        }
        eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
        return;
    }
    let Some((app, rabbit, _guard)) = spawn_app_with_broker(Backend::Postgres, 10).await else {
        return;
    };
    let w = world::World::build(&app).await;
    let (stop, stopped) = watch::channel(false);
    let worker = tokio::spawn(worker::rabbit::run(
        app.db.clone(),
        rabbit.clone(),
        true,
        stopped,
    ));
    let _restart = Restart;
    let path = format!("/api/v1/sites/{}/broadcasts", w.site_a);
    let mut statuses = Vec::new();
    for i in 0..1000 {
        if i == 300 {
            assert!(rabbitmqctl(&["stop_app"]), "could not stop RabbitMQ");
        }
        if i == 700 {
            assert!(rabbitmqctl(&["start_app"]), "could not start RabbitMQ");
        }
        let body = json!({"title": format!("通知 {i}"), "body": "内容", "audience": {"group_ids": [w.group_1]}});
        statuses.push(
            app.post_as(&w.staff_a, &path, &body)
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(
        statuses.iter().all(|s| *s == 202),
        "every broadcast accepted: {:?}",
        statuses.iter().filter(|s| **s != 202).count()
    );

    // Group 1 has two residents: 2,000 inbox rows, each event handled once.
    let mut delivered = 0;
    for _ in 0..1200 {
        delivered = notification::Entity::find()
            .count(app.db.conn())
            .await
            .unwrap();
        if delivered == 2000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if delivered != 2000 {
        let connection = worker::rabbit::connect(&rabbit.url).await.unwrap();
        let dead = worker::rabbit::dead_letter_count(&connection, &rabbit, "inbox")
            .await
            .unwrap_or(999);
        let processed = processed_message::Entity::find()
            .count(app.db.conn())
            .await
            .unwrap();
        let pending = outbox::Entity::find()
            .filter(outbox::Column::PublishedAt.is_null())
            .count(app.db.conn())
            .await
            .unwrap();
        panic!(
            "delivered {delivered}/2000; dead-lettered {dead}; processed {processed}; unpublished {pending}"
        );
    }
    let pending = outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .count(app.db.conn())
        .await
        .unwrap();
    assert_eq!(pending, 0);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        notification::Entity::find()
            .count(app.db.conn())
            .await
            .unwrap(),
        2000,
        "none twice"
    );
    let processed = processed_message::Entity::find()
        .filter(processed_message::Column::Consumer.eq("inbox"))
        .count(app.db.conn())
        .await
        .unwrap();
    assert_eq!(processed, 1000);
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(15), worker)
        .await
        .unwrap()
        .unwrap();
}
