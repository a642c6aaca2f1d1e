//! A local stand-in for WeChat's server API as the mini-program's back end uses it, speaking
//! WeChat's protocol: `GET /sns/jscode2session` (a login code works once: 40163 when reused,
//! 40029 when unknown), `POST /cgi-bin/stable_token` (counted; slow enough that concurrent
//! fetches would overlap), `POST /wxa/business/getuserphonenumber` and
//! `POST /cgi-bin/message/subscribe/send` (both need a token it issued: 40001 otherwise; the
//! send checks the field rules — `thing` 20 characters, `phrase` 5 Chinese characters — with
//! 47003, and answers 43101 for users who have not subscribed).

use std::{
    collections::{HashMap, HashSet},
    net::TcpListener,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

pub const APP_ID: &str = "wx0123456789abcdef";
pub const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";

#[derive(Default)]
struct State {
    /// Login code -> (openid, unionid).
    logins: HashMap<String, (String, Option<String>)>,
    used: HashSet<String>,
    /// Phone-number code -> phone.
    phones: HashMap<String, String>,
    tokens: Vec<String>,
    token_fetches: u32,
    /// Openids that refuse subscription messages (43101).
    refusing: HashSet<String>,
    sent: Vec<Value>,
    problems: Vec<String>,
}

pub struct WeChatFake {
    pub url: String,
    state: Arc<Mutex<State>>,
}

fn answer(code: i64, message: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({"errcode": code, "errmsg": message}))
}

async fn jscode2session(
    query: web::Query<HashMap<String, String>>,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let mut s = state.lock().unwrap();
    let get = |k: &str| query.get(k).cloned().unwrap_or_default();
    if get("appid") != APP_ID || get("secret") != APP_SECRET {
        return answer(40013, "invalid appid");
    }
    if get("grant_type") != "authorization_code" {
        return answer(40002, "invalid grant_type");
    }
    let code = get("js_code");
    let Some((openid, unionid)) = s.logins.get(&code).cloned() else {
        return answer(40029, "invalid code");
    };
    if !s.used.insert(code) {
        return answer(40163, "code been used");
    }
    let mut body = json!({"openid": openid, "session_key": "tiihtNczf5v6AKRyjwEUhQ=="});
    if let Some(u) = unionid {
        body["unionid"] = json!(u);
    }
    HttpResponse::Ok().json(body)
}

async fn stable_token(body: web::Json<Value>, state: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    if body["grant_type"] != "client_credential"
        || body["appid"] != APP_ID
        || body["secret"] != APP_SECRET
    {
        return answer(40013, "invalid appid");
    }
    // Slow, as over the internet: two fetches at once would overlap here.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut s = state.lock().unwrap();
    s.token_fetches += 1;
    let token = format!("ACCESS_TOKEN_{}", s.token_fetches);
    s.tokens.push(token.clone());
    HttpResponse::Ok().json(json!({"access_token": token, "expires_in": 7200}))
}

fn token_ok(s: &State, query: &HashMap<String, String>) -> bool {
    query
        .get("access_token")
        .is_some_and(|t| s.tokens.last() == Some(t))
}

async fn phone_number(
    query: web::Query<HashMap<String, String>>,
    body: web::Json<Value>,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let mut s = state.lock().unwrap();
    if !token_ok(&s, &query) {
        return answer(
            40001,
            "invalid credential, access_token is invalid or not latest",
        );
    }
    let code = body["code"].as_str().unwrap_or_default().to_owned();
    let Some(phone) = s.phones.remove(&code) else {
        return answer(40029, "invalid code");
    };
    HttpResponse::Ok().json(json!({
        "errcode": 0, "errmsg": "ok",
        "phone_info": {"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
                       "watermark": {"timestamp": 1637744274, "appid": APP_ID}}
    }))
}

async fn subscribe_send(
    query: web::Query<HashMap<String, String>>,
    body: web::Json<Value>,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let mut s = state.lock().unwrap();
    if !token_ok(&s, &query) {
        return answer(
            40001,
            "invalid credential, access_token is invalid or not latest",
        );
    }
    for key in ["touser", "template_id", "data"] {
        if body.get(key).is_none() {
            s.problems.push(format!("no {key}"));
            return answer(47001, "data format error");
        }
    }
    for (key, value) in body["data"].as_object().cloned().unwrap_or_default() {
        let text = value["value"].as_str().unwrap_or_default().to_owned();
        let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
        let chars = text.chars().count();
        let fits = match kind {
            "thing" => chars <= 20,
            "phrase" => chars <= 5 && text.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "time" => text.contains(':'),
            _ => true,
        };
        if !fits || text.is_empty() {
            s.problems.push(format!("{key} = {text}"));
            return answer(47003, "argument invalid! data.thing1.value invalid");
        }
    }
    let user = body["touser"].as_str().unwrap_or_default().to_owned();
    if s.refusing.contains(&user) {
        return answer(43101, "user refuse to accept the msg");
    }
    s.sent.push(body.into_inner());
    answer(0, "ok")
}

impl WeChatFake {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let state = Arc::new(Mutex::new(State::default()));
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/sns/jscode2session", web::get().to(jscode2session))
                .route("/cgi-bin/stable_token", web::post().to(stable_token))
                .route(
                    "/wxa/business/getuserphonenumber",
                    web::post().to(phone_number),
                )
                .route(
                    "/cgi-bin/message/subscribe/send",
                    web::post().to(subscribe_send),
                )
        })
        .workers(2)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, state }
    }

    /// A fresh `wx.login` code for this WeChat user.
    pub fn login_code(&self, openid: &str, unionid: Option<&str>) -> String {
        let code = format!("code-{}", uuid::Uuid::new_v4().simple());
        self.state.lock().unwrap().logins.insert(
            code.clone(),
            (openid.to_owned(), unionid.map(str::to_owned)),
        );
        code
    }

    /// A fresh phone-number component code for `phone`.
    pub fn phone_code(&self, phone: &str) -> String {
        let code = format!("phone-{}", uuid::Uuid::new_v4().simple());
        self.state
            .lock()
            .unwrap()
            .phones
            .insert(code.clone(), phone.to_owned());
        code
    }

    /// Makes this user refuse subscription messages (43101).
    pub fn refuse(&self, openid: &str) {
        self.state
            .lock()
            .unwrap()
            .refusing
            .insert(openid.to_owned());
    }

    pub fn token_fetches(&self) -> u32 {
        self.state.lock().unwrap().token_fetches
    }

    /// Subscription messages accepted.
    pub fn sent(&self) -> Vec<Value> {
        self.state.lock().unwrap().sent.clone()
    }

    /// What the fake found wrong in requests.
    pub fn problems(&self) -> Vec<String> {
        self.state.lock().unwrap().problems.clone()
    }
}

/// Points `settings` at the fake.
pub fn use_wechat_fake(settings: &mut api::settings::Settings, url: &str) {
    settings.worker.wechat_app_id = Some(APP_ID.into());
    settings.worker.wechat_app_secret = Some(entity::secret::Secret::new(APP_SECRET));
    settings.worker.wechat_base_url = Some(url.into());
}
