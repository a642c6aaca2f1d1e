//! `employer_notification.requested` -> one row in the employer's inbox (a redelivered event adds
//! nothing: message id and employer are unique together).

use chrono::Utc;
use entity::{
    messaging::{Envelope, Event},
    notify::employer_notification,
};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

use super::{Handler, HandlerFuture};

/// The consumer group that writes employers' inboxes.
pub const HANDLER: Handler = Handler {
    group: "employer-inbox",
    binds: &["employer_notification.requested"],
    ordered: false,
    run,
};

fn run<'a>(txn: &'a DatabaseTransaction, envelope: &'a Envelope) -> HandlerFuture<'a> {
    Box::pin(async move {
        if let Event::EmployerNotificationRequested(n) = &envelope.event {
            employer_notification::Entity::insert(employer_notification::ActiveModel {
                id: Set(Uuid::now_v7()),
                employer_id: Set(n.employer_id),
                message_id: Set(envelope.id),
                category: Set(n.category.clone()),
                title: Set(n.title.clone()),
                body: Set(n.body.clone()),
                link: Set(n.link.clone()),
                created_at: Set(Utc::now()),
                read_at: Set(None),
            })
            .on_conflict(
                OnConflict::columns([
                    employer_notification::Column::MessageId,
                    employer_notification::Column::EmployerId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        }
        Ok(())
    })
}
