//! RabbitMQ: topology, the publishing relay (publisher confirms, persistent, mandatory) and the
//! consumers (manual acks, bounded prefetch, retries with backoff, dead-lettering by the quorum
//! queues' delivery limit), all inside an outer reconnect loop that rebuilds everything after a
//! lost connection. While the broker is away events wait in the outbox; when it returns they flow.
//!
//! Names: exchange `<ns>.events` (topic) and per consumer group a quorum queue `<ns>.<group>`
//! dead-lettering to `<ns>.dead` (direct) into `<ns>.<group>.dead`.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use entity::{Db, messaging::Envelope, platform::outbox};
use futures_util::StreamExt;
use lapin::{
    BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind,
    message::Delivery,
    options::{
        BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicGetOptions,
        BasicNackOptions, BasicPublishOptions, BasicQosOptions, BasicRejectOptions,
        ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
    },
    types::{AMQPValue, FieldTable},
};
use tokio::{sync::watch, task::JoinSet};

use crate::{
    consumer,
    handlers::{self, Handler},
    poll::RELAY,
    relay,
};

/// Broker settings.
#[derive(Debug, Clone)]
pub struct RabbitSettings {
    /// `amqp://…`.
    pub url: String,
    /// Prefix of every exchange and queue name.
    pub namespace: String,
    /// Unacknowledged messages per consumer.
    pub prefetch: u16,
    /// Deliveries before a message is dead-lettered.
    pub delivery_limit: i64,
}

impl RabbitSettings {
    fn exchange(&self) -> String {
        format!("{}.events", self.namespace)
    }

    fn dead_exchange(&self) -> String {
        format!("{}.dead", self.namespace)
    }

    /// A consumer group's queue.
    pub fn queue(&self, group: &str) -> String {
        format!("{}.{group}", self.namespace)
    }

    /// A consumer group's dead-letter queue.
    pub fn dead_queue(&self, group: &str) -> String {
        format!("{}.{group}.dead", self.namespace)
    }
}

/// Opens a connection.
///
/// Without lapin's automatic recovery, on purpose: recovery is the outer loop in [`run`], which
/// rebuilds connection, topology, relay and consumers from scratch. With both, a connection that
/// lapin recovered behind our back kept its consumers' prefetched, unacknowledged messages, and
/// the broker never redelivered them (found by the broker-outage test: exactly `prefetch`
/// messages were stuck).
pub async fn connect(url: &str) -> lapin::Result<Connection> {
    Connection::connect(url, ConnectionProperties::default()).await
}

/// Declares the exchanges and queues (idempotent).
pub async fn declare(channel: &Channel, settings: &RabbitSettings) -> lapin::Result<()> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    channel
        .exchange_declare(
            settings.exchange().into(),
            ExchangeKind::Topic,
            durable,
            FieldTable::default(),
        )
        .await?;
    channel
        .exchange_declare(
            settings.dead_exchange().into(),
            ExchangeKind::Direct,
            durable,
            FieldTable::default(),
        )
        .await?;
    let queue_options = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    for handler in handlers::ALL {
        let mut args = FieldTable::default();
        args.insert(
            "x-queue-type".into(),
            AMQPValue::LongString("quorum".into()),
        );
        args.insert(
            "x-delivery-limit".into(),
            AMQPValue::LongLongInt(settings.delivery_limit),
        );
        args.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString(settings.dead_exchange().into()),
        );
        args.insert(
            "x-dead-letter-routing-key".into(),
            AMQPValue::LongString(handler.group.into()),
        );
        if handler.ordered {
            args.insert("x-single-active-consumer".into(), AMQPValue::Boolean(true));
        }
        let queue = settings.queue(handler.group);
        channel
            .queue_declare(queue.clone().into(), queue_options, args)
            .await?;
        for key in handler.binds {
            channel
                .queue_bind(
                    queue.clone().into(),
                    settings.exchange().into(),
                    (*key).into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        let mut dead_args = FieldTable::default();
        dead_args.insert(
            "x-queue-type".into(),
            AMQPValue::LongString("quorum".into()),
        );
        let dead = settings.dead_queue(handler.group);
        channel
            .queue_declare(dead.clone().into(), queue_options, dead_args)
            .await?;
        channel
            .queue_bind(
                dead.into(),
                settings.dead_exchange().into(),
                handler.group.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}

/// Why a relay round stopped.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// The broker connection failed (the rows stay pending).
    #[error("broker: {0}")]
    Broker(#[from] lapin::Error),
}

fn properties(row: &outbox::Model) -> BasicProperties {
    // The cause travels in headers too, for whoever reads the broker.
    let mut headers = FieldTable::default();
    if let Some(id) = &row.request_id {
        headers.insert(
            "x-request-id".into(),
            AMQPValue::LongString(id.clone().into()),
        );
    }
    if let Some(parent) = &row.traceparent {
        headers.insert(
            "traceparent".into(),
            AMQPValue::LongString(parent.clone().into()),
        );
    }
    if let Some(actor) = row.actor_account_id {
        headers.insert(
            "x-actor-account".into(),
            AMQPValue::LongString(actor.to_string().into()),
        );
    }
    BasicProperties::default()
        .with_message_id(row.id.to_string().into())
        .with_type(row.event_type.clone().into())
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_headers(headers)
}

/// One relay round: claims due rows (locked against other relays until commit), publishes them
/// all before waiting for their confirms, and marks each published only after its ack.
pub async fn relay_once(
    db: &Db,
    channel: &Channel,
    settings: &RabbitSettings,
) -> Result<usize, RelayError> {
    let txn = db.begin().await?;
    let rows = relay::claim(&txn, RELAY.batch as u64).await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(0);
    }
    let mut pending = Vec::with_capacity(rows.len());
    let mut broker_error = None;
    for row in &rows {
        let body = match entity::messaging::outbox::envelope(row)
            .and_then(|e| serde_json::to_vec(&e))
        {
            Ok(body) => body,
            Err(e) => {
                relay::mark_failed(&txn, row, &format!("unreadable payload: {e}"), false).await?;
                continue;
            }
        };
        let options = BasicPublishOptions {
            mandatory: true,
            ..BasicPublishOptions::default()
        };
        match channel
            .basic_publish(
                settings.exchange().into(),
                row.routing_key.clone().into(),
                options,
                &body,
                properties(row),
            )
            .await
        {
            Ok(confirm) => pending.push((row, confirm)),
            Err(e) => {
                broker_error = Some(e);
                break;
            }
        }
    }
    let mut published = Vec::with_capacity(pending.len());
    for (row, confirm) in pending {
        match confirm.await {
            Ok(Confirmation::Ack(None)) => published.push(row.id),
            Ok(Confirmation::Ack(Some(_))) => {
                relay::mark_failed(
                    &txn,
                    row,
                    "unroutable: no queue is bound for this event",
                    false,
                )
                .await?;
            }
            Ok(Confirmation::Nack(_)) => {
                relay::mark_failed(&txn, row, "nacked by the broker", false).await?
            }
            Ok(Confirmation::NotRequested) => {
                relay::mark_failed(&txn, row, "the channel is not in confirm mode", false).await?;
            }
            Err(e) => {
                broker_error.get_or_insert(e);
            }
        }
    }
    relay::mark_published(&txn, &published).await?;
    txn.commit().await?;
    crate::metrics::published(published.len());
    if broker_error.is_some() {
        crate::metrics::relay_failed();
    }
    match broker_error {
        Some(e) => Err(e.into()),
        None => Ok(rows.len()),
    }
}

/// Deliveries of a message so far (quorum queues count them in `x-delivery-count`).
fn delivery_count(delivery: &Delivery) -> i64 {
    delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get("x-delivery-count").cloned())
        .and_then(|v| match v {
            AMQPValue::LongLongInt(n) => Some(n),
            AMQPValue::LongInt(n) => Some(i64::from(n)),
            AMQPValue::ShortInt(n) => Some(i64::from(n)),
            _ => None,
        })
        .unwrap_or(0)
}

/// Handles one delivery: ack after the handler's transaction committed (or the message was a
/// duplicate); on failure wait a backoff and requeue, so that after the delivery limit the broker
/// dead-letters it; an unreadable message goes to the dead-letter queue at once.
async fn handle_delivery(
    db: Db,
    handler: &'static Handler,
    delivery: Delivery,
    delivery_limit: i64,
) {
    let envelope: Envelope = match serde_json::from_slice(&delivery.data) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(group = handler.group, error = %e, "unreadable message: dead-lettered");
            crate::metrics::dead_lettered(handler.group);
            let _ = delivery.reject(BasicRejectOptions { requeue: false }).await;
            return;
        }
    };
    match consumer::process(&db, handler, &envelope).await {
        Ok(_) => {
            if let Err(e) = delivery.ack(BasicAckOptions::default()).await {
                // Redelivered later, then found processed: harmless.
                tracing::warn!(message = %envelope.id, error = %e, "ack failed");
            }
        }
        Err(e) => {
            let attempts = delivery_count(&delivery) + 1;
            tracing::warn!(group = handler.group, message = %envelope.id, attempts, request_id = envelope.request_id.as_deref().unwrap_or(""), error = %e, "handler failed; will retry");
            if attempts >= delivery_limit {
                // The broker dead-letters it rather than deliver it again.
                crate::metrics::dead_lettered(handler.group);
            }
            let backoff = Duration::from_millis((100u64 << attempts.clamp(0, 8)).min(30_000));
            tokio::time::sleep(backoff).await;
            let _ = delivery
                .nack(BasicNackOptions {
                    requeue: true,
                    ..BasicNackOptions::default()
                })
                .await;
        }
    }
}

/// Consumes a group's queue until `stop` or a broker error; in-flight messages finish first.
async fn consume(
    db: Db,
    connection: Arc<Connection>,
    settings: RabbitSettings,
    handler: &'static Handler,
    mut stop: watch::Receiver<bool>,
) -> lapin::Result<()> {
    let channel = connection.create_channel().await?;
    channel
        .basic_qos(settings.prefetch, BasicQosOptions::default())
        .await?;
    let mut consumer = channel
        .basic_consume(
            settings.queue(handler.group).into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let mut in_flight = JoinSet::new();
    let result = loop {
        tokio::select! {
            next = consumer.next() => match next {
                Some(Ok(delivery)) if handler.ordered => {
                    handle_delivery(db.clone(), handler, delivery, settings.delivery_limit).await;
                }
                Some(Ok(delivery)) => {
                    in_flight.spawn(handle_delivery(
                        db.clone(),
                        handler,
                        delivery,
                        settings.delivery_limit,
                    ));
                }
                Some(Err(e)) => break Err(e),
                None => break Ok(()),
            },
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            _ = stop.changed() => break Ok(()),
        }
    };
    // Stop consuming, let in-flight handlers finish and ack.
    let _ = channel
        .basic_cancel(consumer.tag(), BasicCancelOptions::default())
        .await;
    while in_flight.join_next().await.is_some() {}
    let _ = channel.close(200, "worker stopping".into()).await;
    result
}

/// One connected session: topology, consumers and the relay until `stop` or a broker failure.
async fn session(
    db: &Db,
    settings: &RabbitSettings,
    relay: bool,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let connection = Arc::new(connect(&settings.url).await?);
    let channel = connection.create_channel().await?;
    declare(&channel, settings).await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    tracing::info!(namespace = %settings.namespace, "connected to RabbitMQ");

    let (local_stop, local_stopped) = watch::channel(false);
    let mut consumers = JoinSet::new();
    for handler in handlers::ALL {
        consumers.spawn(consume(
            db.clone(),
            connection.clone(),
            settings.clone(),
            handler,
            local_stopped.clone(),
        ));
    }
    let mut stop = stop.clone();
    let outcome: anyhow::Result<()> = loop {
        let pause = if relay {
            match relay_once(db, &channel, settings).await {
                Ok(n) => RELAY.pause::<sea_orm::DbErr>(&Ok(n)),
                Err(RelayError::Broker(e)) => break Err(e.into()),
                Err(RelayError::Db(e)) => RELAY.pause(&Err(e)),
            }
        } else {
            Duration::from_secs(1)
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => break Ok(()),
            Some(done) = consumers.join_next() => {
                break match done {
                    Ok(Err(e)) => Err(e.into()),
                    _ => Err(anyhow::anyhow!("a consumer stopped")),
                };
            }
        }
        if !connection.status().connected() {
            break Err(anyhow::anyhow!("connection lost"));
        }
    };
    let _ = local_stop.send(true);
    while consumers.join_next().await.is_some() {}
    let _ = connection.close(200, "worker stopping".into()).await;
    outcome
}

/// Runs consumers (and, with `relay`, the outbox relay) against RabbitMQ until `stop` turns true,
/// reconnecting with backoff whenever the broker goes away.
pub async fn run(db: Db, settings: RabbitSettings, relay: bool, mut stop: watch::Receiver<bool>) {
    let mut delay = Duration::from_millis(500);
    loop {
        if *stop.borrow() {
            break;
        }
        match session(&db, &settings, relay, &stop).await {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "broker session ended; reconnecting")
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.changed() => break,
        }
        delay = (delay * 2).min(Duration::from_secs(15));
    }
}

/// Whether the broker answers, kept up to date by [`monitor`] (the api's `/readyz` reads it).
#[derive(Debug, Clone, Default)]
pub struct BrokerStatus(Arc<AtomicBool>);

impl BrokerStatus {
    /// Whether the last check found the broker reachable.
    pub fn is_up(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Keeps a connection open to report the broker's reachability in `status`.
pub async fn monitor(url: String, status: BrokerStatus, mut stop: watch::Receiver<bool>) {
    loop {
        let connection = connect(&url).await.ok();
        loop {
            let up = connection.as_ref().is_some_and(|c| c.status().connected());
            status.0.store(up, Ordering::Relaxed);
            if !up {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = stop.changed() => return,
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Messages waiting in a group's dead-letter queue.
pub async fn dead_letter_count(
    connection: &Connection,
    settings: &RabbitSettings,
    group: &str,
) -> lapin::Result<u32> {
    let channel = connection.create_channel().await?;
    let queue = channel
        .queue_declare(
            settings.dead_queue(group).into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await?;
    let _ = channel.close(200, "done".into()).await;
    Ok(queue.message_count())
}

/// Moves every message of a group's dead-letter queue back to the group's queue; returns how many.
pub async fn redrive(
    connection: &Connection,
    settings: &RabbitSettings,
    group: &str,
) -> lapin::Result<usize> {
    let channel = connection.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let mut moved = 0;
    while let Some(message) = channel
        .basic_get(
            settings.dead_queue(group).into(),
            BasicGetOptions::default(),
        )
        .await?
    {
        let delivery = &message.delivery;
        let properties = delivery
            .properties
            .clone()
            .with_headers(FieldTable::default());
        // Straight to the group's queue through the default exchange, so other groups that
        // already handled it are not bothered again.
        let confirm = channel
            .basic_publish(
                "".into(),
                settings.queue(group).into(),
                BasicPublishOptions::default(),
                &delivery.data,
                properties,
            )
            .await?
            .await?;
        if matches!(confirm, Confirmation::Ack(None)) {
            delivery.ack(BasicAckOptions::default()).await?;
            moved += 1;
        } else {
            delivery
                .nack(BasicNackOptions {
                    requeue: true,
                    ..BasicNackOptions::default()
                })
                .await?;
            break;
        }
    }
    let _ = channel.close(200, "done".into()).await;
    Ok(moved)
}
