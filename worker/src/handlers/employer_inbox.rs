//! `employer_notification.requested` -> one row in the employer's inbox (a redelivered event adds
//! nothing: message id and employer are unique together).

use chrono::Utc;
use entity::{messaging::events::EmployerNotice, notify::employer_notification};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

consumer_group! {
    /// The consumer group that writes employers' inboxes.
    group: "employer-inbox", binds: "employer_notification.requested", ordered: false,
    on: EmployerNotificationRequested => write_inbox
}

async fn write_inbox(
    txn: &DatabaseTransaction,
    message_id: Uuid,
    n: &EmployerNotice,
) -> anyhow::Result<()> {
    employer_notification::Entity::insert(employer_notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        employer_id: Set(n.employer_id),
        message_id: Set(message_id),
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
    Ok(())
}
