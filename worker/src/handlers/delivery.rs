//! `notification.requested` -> the sends that deliver it beyond the inbox: a push per device of
//! each recipient who wants the category and has push on; a WeChat subscription message for a
//! notice of a kind the site has a template for, to residents bound to WeChat who granted it
//! (the grant is used up here, in the planning transaction, so a redelivered event cannot use
//! two); an SMS for recipients without the app and without a subscription message (within a
//! daily cap per phone); and a voice call for the most important kinds to residents staff marked
//! for calls (within a daily cap, in calling hours). Quiet hours set each send's `not_before`;
//! the dispatcher (`crate::dispatch`) sends them. Recipients are read in pages, so memory stays
//! flat.

use std::collections::HashMap;

use chrono::Utc;
use entity::{
    identity::{account, wechat_binding},
    kernel::Role,
    messaging::events::{Fact, Notice, NotificationRequested, Urgency},
    notify::{
        delivery, device,
        preference::{self, Preferences},
        style, voice_mark, wechat_grant, wechat_template,
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
/// Voice calls per phone number per day (China time).
pub const VOICE_DAILY_CAP: u64 = 3;

/// The site's subscription-message template for a notice, when it has one.
struct Template {
    template_id: String,
    fields: wechat_template::FieldMap,
}

/// What a subscription message carries (the `payload` of a `wechat` send).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WeChatPayload {
    /// The account whose grant it used.
    pub account_id: Uuid,
    /// The template.
    pub template_id: String,
    /// The mini-program page it opens.
    pub page: Option<String>,
    /// Field key and value, fitted to the field's type.
    pub data: Vec<(String, String)>,
    /// Falls back to SMS when WeChat refuses it.
    pub must_arrive: bool,
}

/// What a voice call reads (the `payload` of a `voice` send).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VoicePayload {
    /// The spoken text.
    pub text: String,
}

/// The template's fields filled from the notice, or `None` when a field cannot be filled as
/// WeChat requires (the resident then gets the notice another way).
fn fill(
    template: &Template,
    notice: &Notice,
    n: &NotificationRequested,
) -> Option<Vec<(String, String)>> {
    template
        .fields
        .iter()
        .map(|(key, fact)| {
            let value = match fact {
                Fact::Title => n.title.as_str(),
                Fact::Note => n.body.as_str(),
                other => notice.facts.get(other).map(String::as_str)?,
            };
            crate::delivery::wechat::fit_field(key, value).map(|v| (key.clone(), v))
        })
        .collect()
}

/// The mini-program page a notice opens: the app's entry page, given the in-app link.
fn page(link: Option<&str>) -> String {
    match link {
        Some(link) => format!("pages/index/index?link={link}"),
        None => "pages/index/index".to_owned(),
    }
}

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

        // Subscription messages: the site's template for this kind and the recipients' bindings.
        let template = match &n.notice {
            Some(notice) => {
                wechat_template::Entity::find_by_id((n.site_id, notice.kind.as_str().to_owned()))
                    .one(txn)
                    .await?
                    .map(|t| -> anyhow::Result<Template> {
                        Ok(Template {
                            fields: entity::error::stored_json(
                                &t.fields,
                                "wechat_template.fields",
                                t.site_id,
                            )?,
                            template_id: t.template_id,
                        })
                    })
                    .transpose()?
            }
            None => None,
        };
        let mut wechat_of: HashMap<Uuid, (Uuid, String)> = HashMap::new();
        if template.is_some() {
            let accounts: Vec<(Uuid, Option<Uuid>)> = account::Entity::find()
                .select_only()
                .column(account::Column::Id)
                .column(account::Column::ResidentId)
                .filter(account::Column::ResidentId.is_in(ids.clone()))
                .filter(account::Column::Disabled.eq(false))
                .filter(
                    account::Column::Role
                        .is_in([Role::Resident.as_str(), Role::GroupLeader.as_str()]),
                )
                .into_tuple()
                .all(txn)
                .await?;
            let resident_of: HashMap<Uuid, Uuid> = accounts
                .into_iter()
                .filter_map(|(a, r)| r.map(|r| (a, r)))
                .collect();
            for b in wechat_binding::Entity::find()
                .filter(
                    wechat_binding::Column::AccountId
                        .is_in(resident_of.keys().copied().collect::<Vec<_>>()),
                )
                .all(txn)
                .await?
            {
                if let Some(r) = resident_of.get(&b.account_id) {
                    wechat_of.insert(*r, (b.account_id, b.openid));
                }
            }
        }
        // Voice calls: marked residents, and the calls their phones had today.
        let calls = n.notice.as_ref().is_some_and(|notice| notice.kind.calls());
        let mut voice_marked: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
        let mut called_today: HashMap<String, u64> = HashMap::new();
        if calls {
            voice_marked = voice_mark::Entity::find()
                .select_only()
                .column(voice_mark::Column::ResidentId)
                .filter(voice_mark::Column::ResidentId.is_in(ids.clone()))
                .into_tuple::<Uuid>()
                .all(txn)
                .await?
                .into_iter()
                .collect();
            let marked_phones: Vec<String> = voice_marked
                .iter()
                .filter_map(|id| phones.get(id).cloned())
                .collect();
            if !marked_phones.is_empty() {
                let rows: Vec<String> = delivery::Entity::find()
                    .select_only()
                    .column(delivery::Column::Target)
                    .filter(delivery::Column::Channel.eq("voice"))
                    .filter(delivery::Column::Target.is_in(marked_phones))
                    .filter(delivery::Column::CreatedAt.gte(start_of_china_day()))
                    .into_tuple()
                    .all(txn)
                    .await?;
                for phone in rows {
                    *called_today.entry(phone).or_default() += 1;
                }
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
                payload: Set(None),
            };
            // A subscription message when the resident granted one for the site's template.
            let mut subscribed = false;
            if let (Some(notice), Some(template), Some((account_id, openid))) =
                (&n.notice, &template, wechat_of.get(id))
                && let Some(data) = fill(template, notice, n)
                && wechat_grant::take(txn, *account_id, &template.template_id).await?
            {
                let payload = WeChatPayload {
                    account_id: *account_id,
                    template_id: template.template_id.clone(),
                    page: Some(page(n.link.as_deref())),
                    data,
                    must_arrive: notice.kind.must_arrive(),
                };
                let mut row = base(
                    "wechat",
                    "wechat",
                    None,
                    openid.clone(),
                    format!("wechat:{message_id}:{id}"),
                );
                row.payload = Set(Some(serde_json::to_value(&payload)?));
                rows.push(row);
                subscribed = true;
            }
            // A call for the most important kinds to residents marked for calls.
            if calls
                && voice_marked.contains(id)
                && let Some(phone) = phones.get(id)
            {
                let count = called_today.entry(phone.clone()).or_default();
                if *count < VOICE_DAILY_CAP {
                    *count += 1;
                    let mut row = base(
                        "voice",
                        "voice",
                        None,
                        phone.clone(),
                        format!("voice:{message_id}:{id}"),
                    );
                    row.not_before = Set(voice_mark::callable_at(p.deliverable_at(now, false)));
                    row.payload = Set(Some(serde_json::to_value(VoicePayload {
                        text: style::spoken(&n.title, &n.body),
                    })?));
                    rows.push(row);
                }
            }
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
                // A subscription message carries it; SMS is the fallback if WeChat refuses.
                None if subscribed => {}
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
