//! WeChat's server API for the mini-program: signing in (`jscode2session`), the server access
//! token (`stable_token`), the phone number a user shares through the phone-number component
//! (`getuserphonenumber`) and subscription messages (`subscribeMessage.send`).
//!
//! The access token is one per mini-program and WeChat counts its fetches, so it is kept in the
//! database ([`entity::platform::wechat_token`]), encrypted, and shared by every api replica and
//! worker: refreshed a few minutes before it expires by the one process that holds the row's
//! lease, while the others keep using the old token (or wait briefly when there is none).

use std::time::Duration;

use chrono::Utc;
use entity::{
    Db, crypto::PiiCipher, identity::wechat_binding::WeChatUser, platform::wechat_token,
    secret::Secret,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Endpoint, ProviderError, Vendor, scrub, transport_error};

/// WeChat's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";
/// A token is refreshed when it has less than this left.
pub const REFRESH_AHEAD: chrono::Duration = chrono::Duration::minutes(5);
/// How long a process fetching a token holds the lease.
const LEASE: chrono::Duration = chrono::Duration::seconds(30);
/// How long a process waits for another to fetch a token before giving up.
const WAIT_FOR_FETCH: Duration = Duration::from_secs(10);

/// What went wrong talking to WeChat.
#[derive(Debug, thiserror::Error)]
pub enum WeChatError {
    /// The login or phone-number code is wrong, expired or used (40029, 40163, 40226, 1400001).
    #[error("WeChat refused the code (errcode {0})")]
    CodeInvalid(i64),
    /// The access token is not (or no longer) valid (40001, 40014, 42001).
    #[error("WeChat refused the access token (errcode {0})")]
    TokenInvalid(i64),
    /// The user has not subscribed to the template, or refused it (43101).
    #[error("the user has no subscription for this template (errcode 43101)")]
    NotSubscribed,
    /// Any other failure, retryable or not.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The token cache could not be read or written.
    #[error("the WeChat token cache failed: {0}")]
    Database(#[from] DbErr),
}

impl WeChatError {
    /// Whether another attempt later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Provider(e) => e.is_retryable(),
            Self::Database(_) | Self::TokenInvalid(_) => true,
            Self::CodeInvalid(_) | Self::NotSubscribed => false,
        }
    }
}

/// The mini-program's client: its AppID and AppSecret.
#[derive(Debug, Clone)]
pub struct WeChat {
    endpoint: Endpoint,
    app_id: String,
    secret: Secret,
}

impl Vendor for WeChat {
    fn endpoint(&mut self) -> &mut Endpoint {
        &mut self.endpoint
    }
}

/// A subscription message, ready to send to one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeMessage {
    /// The user's openid.
    pub openid: String,
    /// The template.
    pub template_id: String,
    /// The mini-program page opened from it (`pages/…?…`), if any.
    pub page: Option<String>,
    /// Field key -> value, already fitted to the field types ([`fit_field`]).
    pub data: Vec<(String, String)>,
}

/// WeChat's common answer: `errcode` 0 for success.
#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

impl WeChat {
    /// A client for mini-program `app_id`, talking to [`DEFAULT_BASE_URL`].
    pub fn new(app_id: impl Into<String>, secret: Secret) -> Result<Self, reqwest::Error> {
        Ok(Self {
            endpoint: Endpoint::new(DEFAULT_BASE_URL)?,
            app_id: app_id.into(),
            secret,
        })
    }

    /// The mini-program's AppID.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// Classifies a non-zero `errcode` of any call.
    fn failure(&self, call: &str, answer: &Answer) -> WeChatError {
        let detail = scrub(&answer.errmsg, &[self.secret.expose()]);
        match answer.errcode {
            40029 | 40163 | 40226 | 1_400_001 => WeChatError::CodeInvalid(answer.errcode),
            40001 | 40014 | 42001 => WeChatError::TokenInvalid(answer.errcode),
            43101 => WeChatError::NotSubscribed,
            // -1: system busy; 45009, 45011: rate limits.
            -1 | 45009 | 45011 => WeChatError::Provider(ProviderError::Retryable(format!(
                "WeChat {call} is busy: errcode {}: {detail}",
                answer.errcode
            ))),
            code => WeChatError::Provider(ProviderError::Permanent(format!(
                "WeChat {call} failed: errcode {code}: {detail}"
            ))),
        }
    }

    /// Reads WeChat's answer to `call`: the JSON body when `errcode` is 0 (or absent).
    async fn answer(&self, call: &str, response: reqwest::Response) -> Result<Value, WeChatError> {
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| transport_error("WeChat", e))?;
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(ProviderError::Retryable(format!(
                "WeChat {call} answered HTTP {}",
                status.as_u16()
            ))
            .into());
        }
        let value: Value = serde_json::from_str(&text).map_err(|_| {
            ProviderError::Retryable(format!(
                "WeChat {call} answered HTTP {} without JSON",
                status.as_u16()
            ))
        })?;
        let answer: Answer = serde_json::from_value(value.clone()).map_err(|_| {
            ProviderError::Permanent(format!("WeChat {call} answered an unexpected body"))
        })?;
        if answer.errcode != 0 {
            return Err(self.failure(call, &answer));
        }
        Ok(value)
    }

    /// Who the user of a mini-program login code (`wx.login`) is. A code works once.
    pub async fn code_to_session(&self, code: &str) -> Result<WeChatUser, WeChatError> {
        #[derive(Deserialize)]
        struct Session {
            openid: String,
            #[serde(default)]
            unionid: Option<String>,
        }
        let response = self
            .endpoint
            .get("/sns/jscode2session")
            .query(&[
                ("appid", self.app_id.as_str()),
                ("secret", self.secret.expose()),
                ("js_code", code),
                ("grant_type", "authorization_code"),
            ])
            .send()
            .await
            .map_err(|e| transport_error("WeChat", e))?;
        let value = self.answer("jscode2session", response).await?;
        let session: Session = serde_json::from_value(value).map_err(|_| {
            ProviderError::Permanent("WeChat jscode2session answered without an openid".into())
        })?;
        Ok(WeChatUser {
            openid: session.openid,
            unionid: session.unionid.filter(|u| !u.is_empty()),
        })
    }

    /// A new server access token and its lifetime in seconds (`stable_token`; `force` asks for
    /// a new one even when the current one is still valid).
    pub async fn fetch_token(&self, force: bool) -> Result<(String, i64), WeChatError> {
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
            expires_in: i64,
        }
        let response = self
            .endpoint
            .post("/cgi-bin/stable_token")
            .json(&json!({
                "grant_type": "client_credential",
                "appid": self.app_id,
                "secret": self.secret.expose(),
                "force_refresh": force,
            }))
            .send()
            .await
            .map_err(|e| transport_error("WeChat", e))?;
        let value = self.answer("stable_token", response).await?;
        let token: Token = serde_json::from_value(value).map_err(|_| {
            ProviderError::Permanent("WeChat stable_token answered without a token".into())
        })?;
        Ok((token.access_token, token.expires_in))
    }

    /// The phone number (mainland, without country code) a user shared through the
    /// phone-number component (`getPhoneNumber`'s `code`).
    pub async fn phone_number(&self, token: &str, code: &str) -> Result<String, WeChatError> {
        let response = self
            .endpoint
            .post("/wxa/business/getuserphonenumber")
            .query(&[("access_token", token)])
            .json(&json!({ "code": code }))
            .send()
            .await
            .map_err(|e| transport_error("WeChat", e))?;
        let value = self.answer("getuserphonenumber", response).await?;
        let info = &value["phone_info"];
        match (
            info["purePhoneNumber"].as_str(),
            info["countryCode"].as_str(),
        ) {
            (Some(phone), Some("86") | None) => Ok(phone.to_owned()),
            (Some(_), Some(_)) => Err(ProviderError::Permanent(
                "the WeChat phone number is not a mainland number".into(),
            )
            .into()),
            _ => Err(ProviderError::Permanent(
                "WeChat getuserphonenumber answered without a number".into(),
            )
            .into()),
        }
    }

    /// Sends a subscription message.
    pub async fn send_subscribe(
        &self,
        token: &str,
        message: &SubscribeMessage,
    ) -> Result<(), WeChatError> {
        let data: serde_json::Map<String, Value> = message
            .data
            .iter()
            .map(|(key, value)| (key.clone(), json!({ "value": value })))
            .collect();
        let mut body = json!({
            "touser": message.openid,
            "template_id": message.template_id,
            "data": data,
            "miniprogram_state": "formal",
            "lang": "zh_CN",
        });
        if let Some(page) = &message.page {
            body["page"] = json!(page);
        }
        let response = self
            .endpoint
            .post("/cgi-bin/message/subscribe/send")
            .query(&[("access_token", token)])
            .json(&body)
            .send()
            .await
            .map_err(|e| transport_error("WeChat", e))?;
        self.answer("subscribeMessage.send", response).await?;
        Ok(())
    }
}

/// The access token shared through the database by every process of the deployment.
#[derive(Clone)]
pub struct Tokens {
    client: WeChat,
    db: Db,
    cipher: PiiCipher,
}

impl Tokens {
    /// The cache of `client`'s token in `db`, encrypted with `cipher`.
    pub fn new(client: WeChat, db: Db, cipher: PiiCipher) -> Self {
        Self { client, db, cipher }
    }

    /// The client.
    pub fn client(&self) -> &WeChat {
        &self.client
    }

    /// A valid access token: the cached one while it has more than [`REFRESH_AHEAD`] left;
    /// otherwise one process (the lease holder) fetches a new one while the others keep the old
    /// one, or wait for the new one when the old one is gone.
    pub async fn access_token(&self) -> Result<String, WeChatError> {
        let app_id = self.client.app_id.clone();
        let deadline = tokio::time::Instant::now() + WAIT_FOR_FETCH;
        loop {
            let now = Utc::now();
            let row = wechat_token::Entity::find_by_id(app_id.clone())
                .one(self.db.writer())
                .await?;
            let usable = |r: &wechat_token::Model, margin: chrono::Duration| {
                !r.force_refresh && !r.access_token.is_empty() && r.expires_at > now + margin
            };
            if let Some(r) = &row
                && usable(r, REFRESH_AHEAD)
            {
                return self.decrypt(r);
            }
            if self.take_lease(row.is_some()).await? {
                let force = row.as_ref().is_some_and(|r| r.force_refresh);
                return self.fetch_and_store(force).await;
            }
            // Another process is fetching: the old token serves meanwhile if it still works.
            if let Some(r) = &row
                && usable(r, chrono::Duration::seconds(30))
            {
                return self.decrypt(r);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ProviderError::Retryable(
                    "another process is still fetching the WeChat access token".into(),
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Tells the cache WeChat refused `token` before it expired: the next call fetches a new one.
    pub async fn refused(&self, token: &str) -> Result<(), WeChatError> {
        let Some(row) = wechat_token::Entity::find_by_id(self.client.app_id.clone())
            .one(self.db.writer())
            .await?
        else {
            return Ok(());
        };
        if self.decrypt(&row).is_ok_and(|current| current == token) {
            wechat_token::Entity::update_many()
                .col_expr(wechat_token::Column::ForceRefresh, Expr::value(true))
                .filter(wechat_token::Column::AppId.eq(row.app_id))
                .exec(self.db.writer())
                .await?;
        }
        Ok(())
    }

    /// Runs `call` with a token; when WeChat refuses the token, fetches a new one and tries once
    /// more.
    pub async fn with_token<T, F, Fut>(&self, mut call: F) -> Result<T, WeChatError>
    where
        F: FnMut(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, WeChatError>>,
    {
        let token = self.access_token().await?;
        match call(token.clone()).await {
            Err(WeChatError::TokenInvalid(_)) => {
                self.refused(&token).await?;
                let token = self.access_token().await?;
                call(token).await
            }
            outcome => outcome,
        }
    }

    fn decrypt(&self, row: &wechat_token::Model) -> Result<String, WeChatError> {
        self.cipher.decrypt(&row.access_token).map_err(|_| {
            ProviderError::Permanent(
                "the cached WeChat token cannot be decrypted with this process's pii_key".into(),
            )
            .into()
        })
    }

    /// Takes the row's lease (creating the row if there is none); whether this process has it.
    async fn take_lease(&self, exists: bool) -> Result<bool, DbErr> {
        let now = Utc::now();
        let app_id = self.client.app_id.clone();
        let taken = if exists {
            wechat_token::Entity::update_many()
                .col_expr(wechat_token::Column::LeaseUntil, Expr::value(now + LEASE))
                .filter(wechat_token::Column::AppId.eq(app_id))
                .filter(
                    Condition::any()
                        .add(wechat_token::Column::LeaseUntil.is_null())
                        .add(wechat_token::Column::LeaseUntil.lt(now)),
                )
                .exec(self.db.writer())
                .await?
                .rows_affected
        } else {
            wechat_token::Entity::insert(wechat_token::ActiveModel {
                app_id: Set(app_id),
                access_token: Set(Vec::new()),
                expires_at: Set(chrono::DateTime::UNIX_EPOCH),
                force_refresh: Set(false),
                lease_until: Set(Some(now + LEASE)),
                fetches: Set(0),
            })
            .on_conflict(
                OnConflict::column(wechat_token::Column::AppId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(self.db.writer())
            .await?
        };
        Ok(taken == 1)
    }

    /// Fetches a token under the lease, stores it and gives the lease back (also on failure).
    async fn fetch_and_store(&self, force: bool) -> Result<String, WeChatError> {
        let filter = wechat_token::Column::AppId.eq(self.client.app_id.clone());
        match self.client.fetch_token(force).await {
            Ok((token, expires_in)) => {
                let expires_at = Utc::now() + chrono::Duration::seconds(Ord::max(expires_in, 60));
                wechat_token::Entity::update_many()
                    .col_expr(
                        wechat_token::Column::AccessToken,
                        Expr::value(self.cipher.encrypt(&token)),
                    )
                    .col_expr(wechat_token::Column::ExpiresAt, Expr::value(expires_at))
                    .col_expr(wechat_token::Column::ForceRefresh, Expr::value(false))
                    .col_expr(
                        wechat_token::Column::LeaseUntil,
                        Expr::value(Option::<chrono::DateTime<Utc>>::None),
                    )
                    .col_expr(
                        wechat_token::Column::Fetches,
                        Expr::col(wechat_token::Column::Fetches).add(1),
                    )
                    .filter(filter)
                    .exec(self.db.writer())
                    .await?;
                tracing::info!(app_id = %self.client.app_id, expires_in, "fetched a WeChat access token");
                Ok(token)
            }
            Err(error) => {
                wechat_token::Entity::update_many()
                    .col_expr(
                        wechat_token::Column::LeaseUntil,
                        Expr::value(Option::<chrono::DateTime<Utc>>::None),
                    )
                    .filter(filter)
                    .exec(self.db.writer())
                    .await?;
                Err(error)
            }
        }
    }
}

/// A template field's value made to fit WeChat's rule for its type (the key's name without its
/// number: `thing1` is a `thing`): `thing` at most 20 characters, `phrase` at most 5 Chinese
/// characters and nothing else, `name` 10, `short_thing` 5, `character_string` and `letter` 32
/// ASCII characters, `number` digits and a decimal point, `phone_number` 17 characters; `time`,
/// `date` and `amount` as given. `None` when nothing of the value fits (a `phrase` without a
/// Chinese character): WeChat would refuse the message.
pub fn fit_field(key: &str, value: &str) -> Option<String> {
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    let value = value.trim();
    let cut = |text: &str, max: usize| -> String {
        if text.chars().count() <= max {
            text.to_owned()
        } else {
            let mut short: String = text.chars().take(max - 1).collect();
            short.push('…');
            short
        }
    };
    let fitted = match kind {
        "thing" => cut(value, 20),
        "name" => cut(value, 10),
        "short_thing" => cut(value, 5),
        "phrase" => value
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .take(5)
            .collect(),
        "character_string" | "letter" => value
            .chars()
            .filter(char::is_ascii_graphic)
            .take(32)
            .collect(),
        "number" => value
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
            .take(32)
            .collect(),
        "phone_number" => value.chars().take(17).collect(),
        _ => cut(value, 20),
    };
    (!fitted.is_empty()).then_some(fitted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_fit_wechats_rules_for_their_types() {
        assert_eq!(
            fit_field("thing1", "社区文化广场就业进社区招聘会暨技能培训报名现场").as_deref(),
            Some("社区文化广场就业进社区招聘会暨技能培训…")
        );
        assert_eq!(
            fit_field("thing1", "社区文化广场就业进社区招聘会暨技能培训报名现场")
                .unwrap()
                .chars()
                .count(),
            20
        );
        assert_eq!(
            fit_field("thing12", "缝纫培训").as_deref(),
            Some("缝纫培训")
        );
        assert_eq!(
            fit_field("phrase3", "候补成功！").as_deref(),
            Some("候补成功")
        );
        assert_eq!(
            fit_field("phrase3", "已经正式录用了").as_deref(),
            Some("已经正式录")
        );
        assert_eq!(fit_field("phrase3", "OK!"), None);
        assert_eq!(fit_field("number4", "积分 30 分").as_deref(), Some("30"));
        assert_eq!(
            fit_field("time2", "2026年12月3日 15:00").as_deref(),
            Some("2026年12月3日 15:00")
        );
        assert_eq!(
            fit_field("character_string5", "编号A-12 号").as_deref(),
            Some("A-12")
        );
        assert_eq!(fit_field("thing1", "   "), None);
    }
}
