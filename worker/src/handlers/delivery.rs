//! `notification.requested` -> the sends that deliver it beyond the inbox: a push per device of
//! each recipient who wants the category and has push on, an SMS for recipients without the app
//! (within a daily cap per phone). Quiet hours set each send's `not_before`; the dispatcher
//! (`crate::delivery::dispatch`) sends them. Recipients are read in pages, so memory stays flat.

use std::collections::HashMap;

use chrono::Utc;
use entity::{
    messaging::events::{NotificationRequested, Urgency},
    notify::{
        delivery, device,
        preference::{self, Preferences},
    },
    registry::resident,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    sea_query::OnConflict,
};
use uuid::Uuid;

use super::inbox::{PAGE, audience_page};

/// SMS per phone number per day (China time), however many notices there are.
pub const SMS_DAILY_CAP: u64 = 5;

consumer_group! {
    /// The consumer group that plans deliveries.
    group: "delivery", binds: "notification.requested", ordered: false,
    on: NotificationRequested => plan
}

/// Midnight China time today, in UTC.
fn start_of_china_day() -> chrono::DateTime<Utc> {
    entity::kernel::china_time::start_of_day(Utc::now())
}

async fn plan(
    txn: &DatabaseTransaction,
    message_id: Uuid,
    n: &NotificationRequested,
) -> anyhow::Result<()> {
    let query = entity::notify::audience::residents(txn, &n.audience).await?;
    let urgent = n.urgency == Urgency::Urgent;
    let now = Utc::now();
    let mut after: Option<Uuid> = None;
    loop {
        let ids = audience_page(txn, &query, after).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };

        let devices = device::Entity::find()
            .filter(device::Column::ResidentId.is_in(ids.clone()))
            .all(txn)
            .await?;
        let mut devices_of: HashMap<Uuid, Vec<device::Model>> = HashMap::new();
        for d in devices {
            devices_of.entry(d.resident_id).or_default().push(d);
        }
        let prefs: HashMap<Uuid, Preferences> = preference::Entity::find()
            .filter(preference::Column::ResidentId.is_in(ids.clone()))
            .all(txn)
            .await?
            .into_iter()
            .map(|p| Ok((p.resident_id, Preferences::try_from(p)?)))
            .collect::<Result<_, sea_orm::DbErr>>()?;
        let phones: HashMap<Uuid, String> = resident::Entity::find()
            .select_only()
            .column(resident::Column::Id)
            .column(resident::Column::Phone)
            .filter(resident::Column::Id.is_in(ids.clone()))
            .filter(resident::Column::Phone.is_not_null())
            .into_tuple::<(Uuid, Option<String>)>()
            .all(txn)
            .await?
            .into_iter()
            .filter_map(|(id, p)| p.map(|p| (id, p)))
            .collect();
        let sms_phones: Vec<String> = ids
            .iter()
            .filter(|id| !devices_of.contains_key(id))
            .filter_map(|id| phones.get(id).cloned())
            .collect();
        let mut sent_today: HashMap<String, u64> = HashMap::new();
        if !sms_phones.is_empty() {
            let rows: Vec<String> = delivery::Entity::find()
                .select_only()
                .column(delivery::Column::Target)
                .filter(delivery::Column::Channel.eq("sms"))
                .filter(delivery::Column::Target.is_in(sms_phones))
                .filter(delivery::Column::CreatedAt.gte(start_of_china_day()))
                .into_tuple()
                .all(txn)
                .await?;
            for phone in rows {
                *sent_today.entry(phone).or_default() += 1;
            }
        }

        let default = Preferences::default();
        let mut rows = Vec::new();
        let request_id = entity::trace::current().and_then(|t| t.request_id);
        for id in &ids {
            let p = prefs.get(id).unwrap_or(&default);
            if !p.wants(&n.category) {
                continue;
            }
            let not_before = p.deliverable_at(now, urgent);
            let base = |channel: &str,
                        provider: &str,
                        device_id: Option<Uuid>,
                        target: String,
                        key: String| delivery::ActiveModel {
                id: Set(Uuid::now_v7()),
                dedupe_key: Set(key),
                resident_id: Set(*id),
                message_id: Set(message_id),
                channel: Set(channel.to_owned()),
                provider: Set(provider.to_owned()),
                device_id: Set(device_id),
                target: Set(target),
                title: Set(n.title.clone()),
                body: Set(n.body.clone()),
                link: Set(n.link.clone()),
                urgent: Set(urgent),
                state: Set("pending".to_owned()),
                not_before: Set(not_before),
                attempts: Set(0),
                locked_until: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                sent_at: Set(None),
                request_id: Set(request_id.clone()),
            };
            match devices_of.get(id) {
                Some(devices) if p.push => {
                    for d in devices {
                        rows.push(base(
                            "push",
                            &d.provider,
                            Some(d.id),
                            d.token.clone(),
                            format!("push:{message_id}:{}", d.id),
                        ));
                    }
                }
                Some(_) => {}
                None if p.sms => {
                    if let Some(phone) = phones.get(id) {
                        let count = sent_today.entry(phone.clone()).or_default();
                        if *count < SMS_DAILY_CAP {
                            *count += 1;
                            rows.push(base(
                                "sms",
                                "sms",
                                None,
                                phone.clone(),
                                format!("sms:{message_id}:{id}"),
                            ));
                        }
                    }
                }
                None => {}
            }
        }
        for chunk in rows.chunks(500) {
            delivery::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::column(delivery::Column::DedupeKey)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
        }
        if (ids.len() as u64) < PAGE {
            break;
        }
        after = Some(last);
    }
    Ok(())
}
