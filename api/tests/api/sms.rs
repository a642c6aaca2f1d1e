//! A local stand-in for Aliyun's SMS API (`SendSms`, RPC style, form-encoded, JSON answers) that
//! every test server sends through, so tests read one-time codes the way a resident's phone
//! would receive them. (The worker's provider tests check the client's signature in depth.)

use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
};

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

/// Credentials and templates the test servers are configured with.
pub const ACCESS_KEY_ID: &str = "LTAI5tApiTestKey";
pub const ACCESS_KEY_SECRET: &str = "ApiTestAccessKeySecret0123456789";
pub const SIGN_NAME: &str = "安居社区";
pub const CODE_TEMPLATE: &str = "SMS_480000001";
pub const NOTICE_TEMPLATE: &str = "SMS_480000002";
/// The approved text-to-speech template of Aliyun's voice service (variable `content`).
pub const TTS_TEMPLATE: &str = "TTS_480000003";

/// One voice call Aliyun placed (`SingleCallByTts`, served by the same fake).
#[derive(Debug, Clone)]
pub struct Call {
    pub phone: String,
    pub text: String,
}

/// One message Aliyun accepted.
#[derive(Debug, Clone)]
pub struct Sent {
    pub phone: String,
    pub template: String,
    pub params: Value,
}

/// The running fake (it lives as long as the test's runtime).
pub struct SmsFake {
    pub url: String,
    sent: Arc<Mutex<Vec<Sent>>>,
    calls: Arc<Mutex<Vec<Call>>>,
}

async fn send_sms(
    body: web::Bytes,
    sent: web::Data<Arc<Mutex<Vec<Sent>>>>,
    calls: web::Data<Arc<Mutex<Vec<Call>>>>,
) -> HttpResponse {
    let params: std::collections::BTreeMap<String, String> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
    let refuse = |code: &str, message: &str| {
        HttpResponse::BadRequest()
            .json(json!({"Code": code, "Message": message, "RequestId": "TEST-REQUEST"}))
    };
    if get("Action") == "SingleCallByTts" && get("Version") == "2017-05-25" {
        if get("AccessKeyId") != ACCESS_KEY_ID || get("Signature").is_empty() {
            return refuse(
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            );
        }
        if get("TtsCode") != TTS_TEMPLATE {
            return refuse("isv.TTS_TEMPLATE_ILLEGAL", "模板不合法");
        }
        let param: Value = serde_json::from_str(get("TtsParam")).unwrap_or(Value::Null);
        let Some(text) = param["content"].as_str() else {
            return refuse("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量");
        };
        calls.lock().unwrap().push(Call {
            phone: get("CalledNumber").to_owned(),
            text: text.to_owned(),
        });
        return HttpResponse::Ok().json(json!({
            "Code": "OK", "Message": "OK", "CallId": "116012354148^10281378209", "RequestId": "TEST-REQUEST"
        }));
    }
    if get("Action") != "SendSms" || get("Version") != "2017-05-25" {
        return refuse("InvalidAction.NotFound", "Specified api is not found");
    }
    if get("AccessKeyId") != ACCESS_KEY_ID {
        return refuse(
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        );
    }
    if get("Signature").is_empty() || get("SignatureNonce").is_empty() {
        return refuse(
            "MissingParameter",
            "Signature is mandatory for this action.",
        );
    }
    if get("SignName") != SIGN_NAME {
        return refuse("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法");
    }
    let template = get("TemplateCode").to_owned();
    if template != CODE_TEMPLATE && template != NOTICE_TEMPLATE {
        return refuse("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法");
    }
    let phone = get("PhoneNumbers").to_owned();
    let params_json: Value = serde_json::from_str(get("TemplateParam")).unwrap_or(Value::Null);
    sent.lock().unwrap().push(Sent {
        phone,
        template,
        params: params_json,
    });
    HttpResponse::Ok().json(json!({
        "Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "TEST-REQUEST"
    }))
}

impl SmsFake {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let sent = Arc::new(Mutex::new(Vec::new()));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let data = web::Data::new(sent.clone());
        let call_data = web::Data::new(calls.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(call_data.clone())
                .route("/", web::post().to(send_sms))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, sent, calls }
    }

    /// Every voice call placed so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Everything sent so far.
    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    /// The last one-time code sent to `phone`.
    pub fn last_code(&self, phone: &str) -> Option<String> {
        self.sent()
            .into_iter()
            .rev()
            .find(|s| s.phone == phone && s.template == CODE_TEMPLATE)
            .and_then(|s| s.params["code"].as_str().map(str::to_owned))
    }
}
