//! The dispatcher: sends due rows of the delivery queue through the providers. Rows are claimed
//! with a lease in a short transaction, sent outside any transaction (a provider call can take
//! seconds), then recorded. A claimed row is sent at most once per claim; a worker that dies
//! mid-send leaves its rows to be claimed again after the lease, which may repeat a push (the
//! app drops duplicates by the dedupe key) but is the only way not to lose one.

use std::{collections::BTreeMap, sync::Arc};

use chrono::Utc;
use entity::{
    Db,
    notify::{delivery, device, style},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, Statement,
    sea_query::{Expr, OnConflict},
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::delivery::{
    ProviderError, PushMessage, PushProvider, RetryPolicy, Sms, SmsProvider, Vendor, Voice,
    VoiceProvider,
    log::{LogPush, LogSms, LogVoice},
    wechat::{SubscribeMessage, Tokens, WeChat, WeChatError},
    with_retries,
};
use crate::handlers::delivery::{VoicePayload, WeChatPayload};
use crate::poll::DISPATCH;

/// Attempts (claims) before a send is given up.
pub const MAX_ATTEMPTS: i32 = 6;

/// The providers in use.
#[derive(Clone)]
pub struct Providers {
    /// Push clients by device provider name (`jpush`, `getui`); devices of other providers use
    /// `fallback_push` if set, or are skipped.
    pub push: BTreeMap<String, Arc<dyn PushProvider>>,
    /// Push for devices of providers without a client of their own (the log in development).
    pub fallback_push: Option<Arc<dyn PushProvider>>,
    /// SMS.
    pub sms: Arc<dyn SmsProvider>,
    /// The approved SMS template for notices (its parameter is `title`).
    pub sms_template: String,
    /// The approved SMS template for one-time codes (its parameter is `code`).
    pub sms_code_template: String,
    /// Voice calls.
    pub voice: Arc<dyn VoiceProvider>,
    /// The WeChat mini-program (subscription messages), when configured.
    pub wechat: Option<WeChatApp>,
    /// Retries within one claim.
    pub retry: RetryPolicy,
}

/// The mini-program's client and the key its shared access token is encrypted with.
#[derive(Clone)]
pub struct WeChatApp {
    /// The client.
    pub client: WeChat,
    /// The PII cipher (the token is stored encrypted).
    pub cipher: entity::crypto::PiiCipher,
}

impl WeChatApp {
    /// The shared access token, through `db`.
    pub fn tokens(&self, db: &Db) -> Tokens {
        Tokens::new(self.client.clone(), db.clone(), self.cipher.clone())
    }
}

impl Providers {
    /// Log-only providers: embedded mode and development send nothing anywhere.
    pub fn logging() -> Self {
        Self {
            push: BTreeMap::new(),
            fallback_push: Some(Arc::new(LogPush)),
            sms: Arc::new(LogSms),
            sms_template: "SMS_NOTICE".into(),
            sms_code_template: "SMS_CODE".into(),
            voice: Arc::new(LogVoice),
            wechat: None,
            retry: RetryPolicy::default(),
        }
    }

    /// The providers the settings name (log providers unless real ones are configured): a push
    /// client for each service [`Settings::push_routing`](crate::settings::Settings::push_routing)
    /// lists, by the device provider it serves.
    pub fn from_settings(settings: &crate::settings::Settings) -> anyhow::Result<Self> {
        use crate::settings::{PushRouting, PushService};
        let mut providers = Self::logging();
        if let PushRouting::Live(services) = settings.push_routing()? {
            providers.fallback_push = None;
            let channels = settings.vendor_channels();
            for service in services {
                let client: Arc<dyn PushProvider> = match service {
                    PushService::JPush => {
                        let (Some(key), Some(secret)) =
                            (&settings.jpush_app_key, &settings.jpush_master_secret)
                        else {
                            anyhow::bail!("JPush credentials are missing");
                        };
                        let mut client =
                            crate::delivery::jpush::JPush::new(key.clone(), secret.clone())?
                                .with_channels(channels.clone())
                                .with_apns_production(settings.jpush_apns_production);
                        if let Some(url) = &settings.jpush_base_url {
                            client = client.with_base_url(url.clone());
                        }
                        Arc::new(client)
                    }
                    PushService::Getui => {
                        let (Some(id), Some(key), Some(secret)) = (
                            &settings.getui_app_id,
                            &settings.getui_app_key,
                            &settings.getui_master_secret,
                        ) else {
                            anyhow::bail!("Getui credentials are missing");
                        };
                        let mut client = crate::delivery::getui::Getui::new(
                            id.clone(),
                            key.clone(),
                            secret.clone(),
                        )?
                        .with_channels(channels.clone());
                        if let Some(url) = &settings.getui_base_url {
                            client = client.with_base_url(url.clone());
                        }
                        Arc::new(client)
                    }
                };
                providers.push.insert(service.name().into(), client);
            }
        }
        if settings.sms_provider == "aliyun"
            && let (Some(id), Some(secret), Some(sign), Some(template), Some(code_template)) = (
                &settings.aliyun_access_key_id,
                &settings.aliyun_access_key_secret,
                &settings.aliyun_sms_sign_name,
                &settings.aliyun_sms_template,
                &settings.aliyun_sms_code_template,
            )
        {
            let mut client = crate::delivery::aliyun_sms::AliyunSms::new(
                id.clone(),
                secret.clone(),
                sign.clone(),
            )?;
            if let Some(url) = &settings.aliyun_base_url {
                client = client.with_base_url(url.clone());
            }
            providers.sms = Arc::new(client);
            providers.sms_template = template.clone();
            providers.sms_code_template = code_template.clone();
        }
        if settings.aliyun_voice_tts_code.is_some()
            && (settings.aliyun_access_key_id.is_none()
                || settings.aliyun_access_key_secret.is_none())
        {
            anyhow::bail!(
                "aliyun_voice_tts_code needs aliyun_access_key_id and aliyun_access_key_secret"
            );
        }
        if let (Some(code), Some(id), Some(secret)) = (
            &settings.aliyun_voice_tts_code,
            &settings.aliyun_access_key_id,
            &settings.aliyun_access_key_secret,
        ) {
            let mut client = crate::delivery::aliyun_voice::AliyunVoice::new(
                id.clone(),
                secret.clone(),
                code.clone(),
                settings.aliyun_voice_show_number.clone(),
            )?;
            if let Some(url) = &settings.aliyun_voice_base_url {
                client = client.with_base_url(url.clone());
            }
            providers.voice = Arc::new(client);
        }
        if let Some(client) = settings.wechat()? {
            providers.wechat = Some(WeChatApp {
                client,
                cipher: settings.pii_cipher()?,
            });
        }
        Ok(providers)
    }

    fn push_for(&self, provider: &str) -> Option<&Arc<dyn PushProvider>> {
        self.push.get(provider).or(self.fallback_push.as_ref())
    }
}

/// Claims due sends (and sends whose dispatcher's lease ran out).
async fn claim(db: &Db) -> Result<Vec<delivery::Model>, DbErr> {
    let now = Utc::now();
    let lock = if db.backend() == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE delivery SET state = 'sending', locked_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM delivery \
           WHERE (state = 'pending' AND not_before <= $2) OR (state = 'sending' AND locked_until < $2) \
           ORDER BY not_before LIMIT $3 {lock}) \
         RETURNING *"
    );
    delivery::Model::find_by_statement(Statement::from_sql_and_values(
        db.backend(),
        sql,
        [
            (now + DISPATCH.lease()).into(),
            now.into(),
            DISPATCH.limit().into(),
        ],
    ))
    .all(db.writer())
    .await
}

async fn mark<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    state: &str,
    error: Option<&str>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut update = delivery::Entity::update_many()
        .col_expr(delivery::Column::State, Expr::value(state))
        .col_expr(
            delivery::Column::LockedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        );
    if state == "sent" {
        update = update.col_expr(delivery::Column::SentAt, Expr::value(Utc::now()));
    }
    if let Some(e) = error {
        update = update.col_expr(
            delivery::Column::LastError,
            Expr::value(e.chars().take(1000).collect::<String>()),
        );
    }
    update
        .filter(delivery::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// A retryable failure: back to pending with a backoff, or failed after the last attempt.
async fn retry_later(db: &Db, rows: &[&delivery::Model], error: &str) -> Result<(), DbErr> {
    let (done, again): (Vec<&delivery::Model>, Vec<&delivery::Model>) = rows
        .iter()
        .copied()
        .partition(|r| r.attempts >= MAX_ATTEMPTS);
    mark(
        db.writer(),
        &done.iter().map(|r| r.id).collect::<Vec<_>>(),
        "failed",
        Some(error),
    )
    .await?;
    for row in again {
        let delay = chrono::Duration::seconds(30i64 << row.attempts.clamp(0, 8));
        delivery::Entity::update_many()
            .col_expr(delivery::Column::State, Expr::value("pending"))
            .col_expr(delivery::Column::NotBefore, Expr::value(Utc::now() + delay))
            .col_expr(
                delivery::Column::LastError,
                Expr::value(error.chars().take(1000).collect::<String>()),
            )
            .col_expr(
                delivery::Column::LockedUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(delivery::Column::Id.eq(row.id))
            .exec(db.writer())
            .await?;
    }
    Ok(())
}

/// One round: claims due sends and sends them; returns how many were claimed.
pub async fn dispatch_once(db: &Db, providers: &Providers) -> Result<usize, DbErr> {
    let rows = claim(db).await?;
    let count = rows.len();
    // Push: one request per provider, notification and batch of tokens.
    let mut push_groups: BTreeMap<(String, Uuid), Vec<&delivery::Model>> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.channel == "push") {
        push_groups
            .entry((row.provider.clone(), row.message_id))
            .or_default()
            .push(row);
    }
    for ((provider_name, message_id), group) in push_groups {
        let Some(provider) = providers.push_for(&provider_name) else {
            let ids: Vec<Uuid> = group.iter().map(|r| r.id).collect();
            crate::metrics::sends("push", &provider_name, "skipped", ids.len());
            mark(
                db.writer(),
                &ids,
                "skipped",
                Some("no client is configured for this push provider"),
            )
            .await?;
            continue;
        };
        for batch in group.chunks(provider.max_batch().max(1)) {
            let first = batch[0];
            let message = PushMessage {
                dedupe_key: format!("{message_id}"),
                title: style::fit(&first.title, style::TITLE_MAX),
                body: style::fit(&first.body, style::PUSH_BODY_MAX),
                urgent: first.urgent,
                link: first.link.clone(),
            };
            let tokens: Vec<String> = batch.iter().map(|r| r.target.clone()).collect();
            match with_retries(providers.retry, || provider.send(&message, &tokens)).await {
                Ok(report) => {
                    let (dead, alive): (Vec<&&delivery::Model>, Vec<&&delivery::Model>) = batch
                        .iter()
                        .partition(|r| report.invalid_tokens.contains(&r.target));
                    crate::metrics::sends("push", provider.name(), "sent", alive.len());
                    crate::metrics::sends("push", provider.name(), "failed", dead.len());
                    mark(
                        db.writer(),
                        &alive.iter().map(|r| r.id).collect::<Vec<_>>(),
                        "sent",
                        None,
                    )
                    .await?;
                    if !dead.is_empty() {
                        // The device is gone: forget it, so no further pushes go to it. Forgotten
                        // before the sends are marked failed, so whoever sees the failure (staff,
                        // a test) finds the device already gone.
                        device::Entity::delete_many()
                            .filter(device::Column::Provider.eq(provider_name.clone()))
                            .filter(device::Column::Token.is_in(report.invalid_tokens.clone()))
                            .exec(db.writer())
                            .await?;
                        mark(
                            db.writer(),
                            &dead.iter().map(|r| r.id).collect::<Vec<_>>(),
                            "failed",
                            Some("the provider reports the device token invalid"),
                        )
                        .await?;
                    }
                }
                Err(ProviderError::Permanent(e)) => {
                    crate::metrics::sends("push", provider.name(), "failed", batch.len());
                    mark(
                        db.writer(),
                        &batch.iter().map(|r| r.id).collect::<Vec<_>>(),
                        "failed",
                        Some(&e),
                    )
                    .await?;
                }
                Err(ProviderError::Retryable(e)) => {
                    crate::metrics::sends("push", provider.name(), "retried", batch.len());
                    retry_later(db, batch, &e).await?
                }
            }
        }
    }
    // SMS: one request per text.
    for row in rows.iter().filter(|r| r.channel == "sms") {
        let sms = Sms {
            dedupe_key: row.dedupe_key.clone(),
            phone: row.target.clone(),
            template_code: providers.sms_template.clone(),
            params: serde_json::json!({ "title": style::fit(&row.title, style::SMS_VARIABLE_MAX) }),
        };
        let provider = providers.sms.name();
        match with_retries(providers.retry, || providers.sms.send(&sms)).await {
            Ok(()) => {
                crate::metrics::sends("sms", provider, "sent", 1);
                mark(db.writer(), &[row.id], "sent", None).await?
            }
            Err(ProviderError::Permanent(e)) => {
                tracing::warn!(delivery = %row.id, request_id = row.request_id.as_deref().unwrap_or(""), error = %e, "SMS refused");
                crate::metrics::sends("sms", provider, "failed", 1);
                mark(db.writer(), &[row.id], "failed", Some(&e)).await?
            }
            Err(ProviderError::Retryable(e)) => {
                crate::metrics::sends("sms", provider, "retried", 1);
                retry_later(db, &[row], &e).await?
            }
        }
    }
    for row in rows.iter().filter(|r| r.channel == "wechat") {
        send_wechat(db, providers, row).await?;
    }
    for row in rows.iter().filter(|r| r.channel == "voice") {
        send_voice(db, providers, row).await?;
    }
    Ok(count)
}

/// Sends one subscription message. When WeChat says the resident has no subscription (43101),
/// the grants of that template are forgotten; then, and for any other final failure, a notice
/// that must arrive goes by SMS instead (once: the SMS has the notice's usual dedupe key).
async fn send_wechat(db: &Db, providers: &Providers, row: &delivery::Model) -> Result<(), DbErr> {
    let payload: Option<WeChatPayload> = row
        .payload
        .as_ref()
        .and_then(|p| serde_json::from_value(p.clone()).ok());
    let Some(payload) = payload else {
        return mark(db.writer(), &[row.id], "failed", Some("unreadable payload")).await;
    };
    let Some(app) = &providers.wechat else {
        crate::metrics::sends("wechat", "wechat", "skipped", 1);
        mark(
            db.writer(),
            &[row.id],
            "skipped",
            Some("no WeChat mini-program is configured"),
        )
        .await?;
        return fall_back_to_sms(db, row, &payload).await;
    };
    let message = SubscribeMessage {
        openid: row.target.clone(),
        template_id: payload.template_id.clone(),
        page: payload.page.clone(),
        data: payload.data.clone(),
    };
    let tokens = app.tokens(db);
    let outcome = with_retries(providers.retry, || async {
        tokens
            .with_token(|token| {
                let (client, message) = (tokens.client(), &message);
                async move { client.send_subscribe(&token, message).await }
            })
            .await
            .map_err(|e| match e {
                WeChatError::Provider(p) => WeChatOutcome::Provider(p),
                WeChatError::NotSubscribed => WeChatOutcome::NotSubscribed,
                other if other.is_retryable() => {
                    WeChatOutcome::Provider(ProviderError::Retryable(other.to_string()))
                }
                other => WeChatOutcome::Provider(ProviderError::Permanent(other.to_string())),
            })
            .map_err(WeChatOutcome::into_provider)
    })
    .await;
    match outcome {
        Ok(()) => {
            crate::metrics::sends("wechat", "wechat", "sent", 1);
            mark(db.writer(), &[row.id], "sent", None).await
        }
        Err(ProviderError::Permanent(e)) => {
            crate::metrics::sends("wechat", "wechat", "failed", 1);
            if e == NOT_SUBSCRIBED {
                entity::notify::wechat_grant::clear(
                    db.writer(),
                    payload.account_id,
                    &payload.template_id,
                )
                .await?;
            }
            mark(db.writer(), &[row.id], "failed", Some(&e)).await?;
            fall_back_to_sms(db, row, &payload).await
        }
        Err(ProviderError::Retryable(e)) => {
            crate::metrics::sends("wechat", "wechat", "retried", 1);
            if row.attempts >= MAX_ATTEMPTS {
                fall_back_to_sms(db, row, &payload).await?;
            }
            retry_later(db, &[row], &e).await
        }
    }
}

/// The error text of a send WeChat refused for want of a subscription.
const NOT_SUBSCRIBED: &str = "WeChat: the resident has no subscription for this template (43101)";

/// A WeChat failure on its way to a [`ProviderError`].
enum WeChatOutcome {
    Provider(ProviderError),
    NotSubscribed,
}

impl WeChatOutcome {
    fn into_provider(self) -> ProviderError {
        match self {
            Self::Provider(p) => p,
            Self::NotSubscribed => ProviderError::Permanent(NOT_SUBSCRIBED.into()),
        }
    }
}

/// Queues the SMS a refused subscription message of a notice that must arrive is replaced by,
/// to the resident's phone, under the notice's usual SMS dedupe key (so it is queued once).
async fn fall_back_to_sms(
    db: &Db,
    row: &delivery::Model,
    payload: &WeChatPayload,
) -> Result<(), DbErr> {
    if !payload.must_arrive {
        return Ok(());
    }
    let phone: Option<Option<String>> =
        entity::registry::resident::Entity::find_by_id(row.resident_id)
            .select_only()
            .column(entity::registry::resident::Column::Phone)
            .into_tuple()
            .one(db.writer())
            .await?;
    let Some(Some(phone)) = phone else {
        return Ok(());
    };
    let now = Utc::now();
    delivery::Entity::insert(delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        dedupe_key: Set(format!("sms:{}:{}", row.message_id, row.resident_id)),
        resident_id: Set(row.resident_id),
        message_id: Set(row.message_id),
        channel: Set("sms".into()),
        provider: Set("sms".into()),
        device_id: Set(None),
        target: Set(phone),
        title: Set(row.title.clone()),
        body: Set(row.body.clone()),
        link: Set(row.link.clone()),
        urgent: Set(row.urgent),
        state: Set("pending".into()),
        not_before: Set(now),
        attempts: Set(0),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        request_id: Set(row.request_id.clone()),
        payload: Set(None),
    })
    .on_conflict(
        OnConflict::column(delivery::Column::DedupeKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db.writer())
    .await?;
    Ok(())
}

/// Places one voice call.
async fn send_voice(db: &Db, providers: &Providers, row: &delivery::Model) -> Result<(), DbErr> {
    let payload: Option<VoicePayload> = row
        .payload
        .as_ref()
        .and_then(|p| serde_json::from_value(p.clone()).ok());
    let Some(payload) = payload else {
        return mark(db.writer(), &[row.id], "failed", Some("unreadable payload")).await;
    };
    let call = Voice {
        dedupe_key: row.dedupe_key.clone(),
        phone: row.target.clone(),
        text: payload.text,
    };
    let provider = providers.voice.name();
    match with_retries(providers.retry, || providers.voice.send(&call)).await {
        Ok(()) => {
            crate::metrics::sends("voice", provider, "sent", 1);
            mark(db.writer(), &[row.id], "sent", None).await
        }
        Err(ProviderError::Permanent(e)) => {
            tracing::warn!(delivery = %row.id, error = %e, "voice call refused");
            crate::metrics::sends("voice", provider, "failed", 1);
            mark(db.writer(), &[row.id], "failed", Some(&e)).await
        }
        Err(ProviderError::Retryable(e)) => {
            crate::metrics::sends("voice", provider, "retried", 1);
            retry_later(db, &[row], &e).await
        }
    }
}

/// Dispatches until `stop` turns true.
pub async fn run(db: Db, providers: Providers, stop: watch::Receiver<bool>) {
    // The series of this worker's providers exist from the start (alerts see the first failure).
    for outcome in ["sent", "failed", "retried"] {
        crate::metrics::sends("sms", providers.sms.name(), outcome, 0);
        for push in providers.push.values() {
            crate::metrics::sends("push", push.name(), outcome, 0);
        }
    }
    DISPATCH.run(stop, || dispatch_once(&db, &providers)).await;
}

#[cfg(test)]
mod tests {
    use entity::secret::Secret;

    use super::*;
    use crate::settings::Settings;

    #[test]
    fn development_logs_every_provider_and_listed_services_get_clients() {
        let logged = Providers::from_settings(&Settings::defaults()).unwrap();
        assert!(logged.push.is_empty());
        assert_eq!(logged.push_for("huawei").map(|p| p.name()), Some("log"));

        let mut settings = Settings::defaults();
        settings.push_provider = "jpush, getui".into();
        settings.jpush_app_key = Some("4a1f2e3d5c6b7a8f9e0d1c2b".into());
        settings.jpush_master_secret = Some(Secret::new("m4st3r"));
        settings.getui_app_id = Some("gAppId".into());
        settings.getui_app_key = Some("gAppKey".into());
        settings.getui_master_secret = Some(Secret::new("gM4st3r"));
        let live = Providers::from_settings(&settings).unwrap();
        assert_eq!(live.push_for("jpush").map(|p| p.name()), Some("jpush"));
        assert_eq!(live.push_for("getui").map(|p| p.name()), Some("getui"));
        assert_eq!(live.push_for("getui").map(|p| p.max_batch()), Some(200));
        assert!(live.push_for("huawei").is_none());

        settings.getui_master_secret = None;
        let err = Providers::from_settings(&settings)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("getui_master_secret"), "{err}");
    }
}
