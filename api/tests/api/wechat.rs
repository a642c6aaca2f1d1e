//! Residents on WeChat: the mini-program's login, binding and unbinding against a local server
//! speaking WeChat's protocol; one access token fetch across replicas; a seat offered reaching a
//! resident as a subscription message, by SMS without a grant, and by a voice call for residents
//! marked for calls, each exactly once.

use entity::{audit, notify::delivery};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    activities::activity,
    helpers::*,
    wechat_fake::{WeChatFake, use_wechat_fake},
    world::{World, create_as, created, id_card},
};

async fn app_with_wechat(backend: Backend) -> Option<(TestApp, WeChatFake)> {
    let fake = WeChatFake::start().await;
    let url = fake.url.clone();
    let app = spawn_app_configured(backend, |_| {}, |s| use_wechat_fake(s, &url)).await?;
    Some((app, fake))
}

async fn wechat_login(app: &TestApp, code: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/wechat", &json!({ "code": code }))
        .await
}

async fn audited(app: &TestApp, action: &str) -> u64 {
    audit::Entity::find()
        .filter(audit::Column::Action.eq(action))
        .count(app.db.conn())
        .await
        .unwrap()
}

async fn login_binds_once_and_unbinds(backend: Backend) {
    let Some((app, wx)) = app_with_wechat(backend).await else {
        return;
    };
    let w = World::build(&app).await;

    // A wrong code and, later, a reused one are refused as WeChat refuses them.
    problem(
        wechat_login(&app, "not-a-code").await,
        401,
        "wechat_code_invalid",
    )
    .await;

    // First login: WeChat knows the user, Anju does not yet: a binding ticket.
    let code = wx.login_code("o-li-nainai", Some("u-li-nainai"));
    let first: Value = wechat_login(&app, &code).await.json().await.unwrap();
    assert_eq!(first["status"], "binding_needed", "{first}");
    let ticket = first["bind_ticket"].as_str().unwrap().to_owned();
    assert!(
        !ticket.contains("o-li-nainai"),
        "the ticket does not show the openid"
    );
    problem(wechat_login(&app, &code).await, 401, "wechat_code_invalid").await;

    // A changed ticket is refused; no proof, or two, is a 422.
    let mut forged = ticket.clone();
    forged.replace_range(10..11, if &ticket[10..11] == "A" { "B" } else { "A" });
    problem(
        app.post_json(
            "/api/v1/auth/wechat/bind",
            &json!({"bind_ticket": forged, "phone_code": wx.phone_code("13700000002")}),
        )
        .await,
        401,
        "wechat_ticket_invalid",
    )
    .await;
    problem(
        app.post_json("/api/v1/auth/wechat/bind", &json!({"bind_ticket": ticket}))
            .await,
        422,
        "validation_failed",
    )
    .await;

    // Binding with WeChat's phone-number component: R1's registered phone.
    let bound = app
        .post_json(
            "/api/v1/auth/wechat/bind",
            &json!({"bind_ticket": ticket, "phone_code": wx.phone_code("13700000002")}),
        )
        .await;
    assert_eq!(bound.status(), 201);
    let bound: Value = bound.json().await.unwrap();
    let token = bound["access_token"].as_str().unwrap().to_owned();
    let me: Value = app.get_as(&token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["resident"]["id"], w.resident_1_id.as_str());
    assert_eq!(audited(&app, "account.wechat_bind").await, 1);

    // The next login needs no binding.
    let again: Value = wechat_login(&app, &wx.login_code("o-li-nainai", Some("u-li-nainai")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["status"], "logged_in", "{again}");
    let token = again["access_token"].as_str().unwrap().to_owned();
    assert!(again["refresh_token"].is_string());
    // The same person through another mini-program of the same open platform (same unionid).
    let other_app: Value = wechat_login(&app, &wx.login_code("o-other-app", Some("u-li-nainai")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other_app["status"], "logged_in");

    // Another WeChat user cannot take R1's account; R1's WeChat cannot bind a second account.
    let stranger: Value = wechat_login(&app, &wx.login_code("o-stranger", None))
        .await
        .json()
        .await
        .unwrap();
    let stranger_ticket = stranger["bind_ticket"].as_str().unwrap().to_owned();
    problem(
        app.post_json(
            "/api/v1/auth/wechat/bind",
            &json!({"bind_ticket": stranger_ticket, "phone_code": wx.phone_code("13700000002")}),
        )
        .await,
        409,
        "account_has_wechat",
    )
    .await;

    // A registered resident without an account binds by SMS code: activated on the way.
    let new_card = id_card(31, (1948, 2, 2), true);
    create_as(
        &app,
        &w.staff_a,
        "/api/v1/residents",
        &json!({"household_id": w.household_2, "name": "王爷爷", "id_card_number": new_card.expose(), "phone": "13700000031"}),
    )
    .await;
    let sms = app.sms_code("13700000031", "wechat_bind").await;
    let activated = app
        .post_json(
            "/api/v1/auth/wechat/bind",
            &json!({"bind_ticket": stranger_ticket, "phone": "13700000031", "sms_code": sms}),
        )
        .await;
    assert_eq!(activated.status(), 201);
    // The code is used up with the binding.
    problem(
        app.post_json(
            "/api/v1/auth/wechat/bind",
            &json!({"bind_ticket": stranger_ticket, "phone": "13700000031", "sms_code": sms}),
        )
        .await,
        401,
        "sms_code_invalid",
    )
    .await;
    // A phone nobody registered: the one answer that tells nothing.
    let nobody: Value = wechat_login(&app, &wx.login_code("o-nobody", None))
        .await
        .json()
        .await
        .unwrap();
    problem(
        app.post_json(
            "/api/v1/auth/wechat/bind",
            &json!({"bind_ticket": nobody["bind_ticket"], "phone_code": wx.phone_code("13799999999")}),
        )
        .await,
        401,
        "activation_failed",
    )
    .await;

    // R1 unbinds from the app: the next login asks for a binding again.
    let response = app
        .client
        .delete(app.url("/api/v1/me/wechat"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let unbound: Value = wechat_login(&app, &wx.login_code("o-li-nainai", Some("u-li-nainai")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unbound["status"], "binding_needed");

    // Rebound, then staff unbind it for her (a lost phone), with the reason audited.
    let rebound = app
        .post_json(
            "/api/v1/auth/wechat/bind",
            &json!({"bind_ticket": unbound["bind_ticket"], "phone_code": wx.phone_code("13700000002")}),
        )
        .await;
    assert_eq!(rebound.status(), 201);
    let account = me["account_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/accounts/{account}/wechat/unbind");
    problem(
        app.post_as(&w.resident_2, &path, &json!({"reason": "手机丢失"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    problem(
        app.post_as(&w.staff_b, &path, &json!({"reason": "手机丢失"}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.post_as(&w.staff_a, &path, &json!({"reason": "手机丢失"}))
            .await
            .status(),
        204
    );
    problem(
        app.post_as(&w.staff_a, &path, &json!({"reason": "手机丢失"}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(audited(&app, "account.wechat_unbind").await, 2);
    let events: Value = app
        .get_as(&w.site_admin_a, "/api/v1/audit-events")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "account.wechat_unbind" && e["reason"] == "手机丢失")
    );
    assert!(wx.problems().is_empty(), "{:?}", wx.problems());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_logs_in_with_wechat_binds_once_and_unbinds_sqlite() {
    login_binds_once_and_unbinds(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_logs_in_with_wechat_binds_once_and_unbinds_postgres() {
    login_binds_once_and_unbinds(Backend::Postgres).await;
}

/// Two replicas that need the access token at the same moment fetch it once between them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_fetch_the_wechat_token_once() {
    let Some((app, wx)) = app_with_wechat(Backend::Postgres).await else {
        return;
    };
    let url = wx.url.clone();
    let second = spawn_replica(&app, |s| use_wechat_fake(s, &url)).await;
    // Eight users bind at once, half through each replica; each bind asks WeChat for the phone
    // number, which needs the token. (Nobody registered these phones: each bind fails after.)
    let mut tickets = Vec::new();
    for i in 0..8 {
        let first: Value = wechat_login(&app, &wx.login_code(&format!("o-race-{i}"), None))
            .await
            .json()
            .await
            .unwrap();
        tickets.push(first["bind_ticket"].as_str().unwrap().to_owned());
    }
    let binds = tickets.iter().enumerate().map(|(i, ticket)| {
        let base = if i % 2 == 0 {
            app.address.clone()
        } else {
            second.clone()
        };
        let body =
            json!({"bind_ticket": ticket, "phone_code": wx.phone_code(&format!("1379999000{i}"))});
        let client = app.client.clone();
        async move {
            client
                .post(format!("{base}/api/v1/auth/wechat/bind"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(binds).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(wx.token_fetches(), 1, "one fetch for both replicas");
    let cached = entity::platform::wechat_token::Entity::find()
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cached.fetches, 1);
    assert!(
        !cached
            .access_token
            .windows(14)
            .any(|w| w == b"ACCESS_TOKEN_1"),
        "stored encrypted"
    );
}

async fn sends(app: &TestApp, channel: &str) -> Vec<delivery::Model> {
    delivery::Entity::find()
        .filter(delivery::Column::Channel.eq(channel))
        .all(app.db.conn())
        .await
        .unwrap()
}

async fn bind(app: &TestApp, wx: &WeChatFake, openid: &str, phone: &str) -> String {
    let first: Value = wechat_login(app, &wx.login_code(openid, None))
        .await
        .json()
        .await
        .unwrap();
    let bound: Value = created(
        app.post_json(
            "/api/v1/auth/wechat/bind",
            &json!({"bind_ticket": first["bind_ticket"], "phone_code": wx.phone_code(phone)}),
        )
        .await,
    )
    .await;
    bound["access_token"].as_str().unwrap().to_owned()
}

async fn seat_offers_reach_residents(backend: Backend) {
    let Some((app, wx)) = app_with_wechat(backend).await else {
        return;
    };
    let w = World::build(&app).await;
    // The site's template for seat offers: the activity, its time and place, and the outcome.
    let template = "Yc0mK5xCkV3mR4dQ7nB2pA9sL1wE6tH8";
    let path = format!("/api/v1/sites/{}/wechat-templates/seat_offered", w.site_a);
    let fields =
        json!({"thing1": "subject", "time2": "time", "thing3": "place", "phrase4": "status"});
    problem(
        app.send_as(
            reqwest::Method::PUT,
            &w.resident_1,
            &path,
            &json!({"template_id": template, "fields": fields}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    problem(
        app.send_as(
            reqwest::Method::PUT,
            &w.staff_a,
            &path,
            &json!({"template_id": template, "fields": {"title1": "subject"}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let saved = app
        .send_as(
            reqwest::Method::PUT,
            &w.staff_a,
            &path,
            &json!({"template_id": template, "fields": fields}),
        )
        .await;
    assert_eq!(saved.status(), 200);

    // R1 (李奶奶) uses the mini-program and accepted the template once; R2 is bound but gave no
    // grant; staff mark R2 for voice calls.
    let r1 = bind(&app, &wx, "o-r1", "13700000002").await;
    let r2 = bind(&app, &wx, "o-r2", "13700000003").await;
    problem(
        app.post_as(
            &r1,
            "/api/v1/me/wechat/grants",
            &json!({"accepted": ["unknown-template"]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let grants: Value = app
        .post_as(
            &r1,
            "/api/v1/me/wechat/grants",
            &json!({"accepted": [template]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(grants[0]["remaining"], 1, "{grants}");
    problem(
        app.post_as(
            &w.leader,
            "/api/v1/me/wechat/grants",
            &json!({"accepted": [template]}),
        )
        .await,
        409,
        "wechat_not_bound",
    )
    .await;
    let mark = format!("/api/v1/residents/{}/voice-mark", w.resident_2_id);
    problem(
        app.send_as(
            reqwest::Method::PUT,
            &w.resident_2,
            &mark,
            &json!({"reason": "elderly"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let marked: Value = app
        .send_as(
            reqwest::Method::PUT,
            &w.staff_a,
            &mark,
            &json!({"reason": "elderly"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(marked["reason"], "elderly");
    assert_eq!(audited(&app, "resident.voice_mark").await, 1);

    // A lecture with one seat: the leader takes it, R1 and R2 wait; the leader's cancellation
    // and then a second seat promote them.
    let mut body = activity(&w.site_a, 1, 3 * 86_400, 3600);
    body["title"] = json!("社区文化广场就业进社区招聘会暨技能培训报名现场");
    let a = created(app.post_as(&w.staff_a, "/api/v1/activities", &body).await).await;
    let id = a["id"].as_str().unwrap().to_owned();
    let signups = format!("/api/v1/activities/{id}/signups");
    assert_eq!(
        created(app.post_as(&w.leader, &signups, &json!({})).await).await["status"],
        "confirmed"
    );
    assert_eq!(
        created(app.post_as(&r1, &signups, &json!({})).await).await["status"],
        "waitlisted"
    );
    assert_eq!(
        created(app.post_as(&r2, &signups, &json!({})).await).await["status"],
        "waitlisted"
    );
    let cancelled = app
        .client
        .delete(app.url(&format!("{signups}/{}", w.leader_id)))
        .bearer_auth(&w.leader)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    eventually("R1's subscription message", 15, || async {
        wx.sent().len() == 1
    })
    .await;
    let message = &wx.sent()[0];
    assert_eq!(message["touser"], "o-r1");
    assert_eq!(message["template_id"], template);
    assert_eq!(
        message["data"]["thing1"]["value"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        20
    );
    assert_eq!(message["data"]["phrase4"]["value"], "候补成功");
    assert!(
        message["data"]["time2"]["value"]
            .as_str()
            .unwrap()
            .contains('年')
    );
    assert_eq!(
        message["page"],
        format!("pages/index/index?link=activity:{id}")
    );
    // The grant is used up; R1 got no SMS for it.
    let grant = entity::notify::wechat_grant::Entity::find()
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grant.remaining, 0);

    // A second seat: R2 has no grant, so an SMS; marked for calls, so also a call.
    let more = app
        .send_as(
            reqwest::Method::PATCH,
            &w.staff_a,
            &format!("/api/v1/activities/{id}"),
            &json!({"capacity": 2}),
        )
        .await;
    assert_eq!(more.status(), 200, "{}", more.text().await.unwrap());
    eventually("R2's SMS", 15, || async {
        app.sms
            .sent()
            .iter()
            .any(|s| s.phone == "13700000003" && s.template == crate::sms::NOTICE_TEMPLATE)
    })
    .await;
    // The call is queued for calling hours (08:00–20:30 China time); the test brings it forward.
    eventually("R2's call queued", 15, || async {
        sends(&app, "voice").await.len() == 1
    })
    .await;
    let queued = &sends(&app, "voice").await[0];
    let local = entity::kernel::china_time::local(queued.not_before).time();
    assert!(
        local >= chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap()
            && local <= chrono::NaiveTime::from_hms_opt(20, 30, 0).unwrap(),
        "{local}"
    );
    delivery::Entity::update_many()
        .col_expr(
            delivery::Column::NotBefore,
            sea_orm::sea_query::Expr::value(chrono::Utc::now()),
        )
        .filter(delivery::Column::Channel.eq("voice"))
        .exec(app.db.writer())
        .await
        .unwrap();
    eventually("R2's call", 15, || async { app.sms.calls().len() == 1 }).await;
    let call = &app.sms.calls()[0];
    assert_eq!(call.phone, "13700000003");
    assert!(
        call.text
            .starts_with("您好，这里是社区服务中心。候补成功。"),
        "{}",
        call.text
    );
    assert!(!call.text.contains('“'));
    assert!(
        entity::notify::style::check(entity::notify::style::Channel::Voice, &call.text).is_ok()
    );

    // Redelivered: every outbox event of the story published again. Nothing is sent twice.
    use sea_orm::ConnectionTrait;
    app.db
        .writer()
        .execute_unprepared("UPDATE outbox SET published_at = NULL")
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(wx.sent().len(), 1);
    assert_eq!(app.sms.calls().len(), 1);
    assert_eq!(
        app.sms
            .sent()
            .iter()
            .filter(|s| s.phone == "13700000003" && s.template == crate::sms::NOTICE_TEMPLATE)
            .count(),
        1
    );
    assert_eq!(sends(&app, "wechat").await.len(), 1);
    assert_eq!(sends(&app, "voice").await.len(), 1);

    // WeChat refuses a message (43101: the grant was withdrawn): the notice comes by SMS.
    wx.refuse("o-r1");
    let regranted = app
        .post_as(
            &r1,
            "/api/v1/me/wechat/grants",
            &json!({"accepted": [template, template]}),
        )
        .await;
    assert_eq!(regranted.status(), 200);
    let regranted: Value = regranted.json().await.unwrap();
    assert_eq!(regranted[0]["remaining"], 2, "{regranted}");
    let a2 = created(
        app.post_as(
            &w.staff_a,
            "/api/v1/activities",
            &activity(&w.site_a, 1, 3 * 86_400, 3600),
        )
        .await,
    )
    .await;
    let signups2 = format!("/api/v1/activities/{}/signups", a2["id"].as_str().unwrap());
    assert_eq!(
        created(app.post_as(&w.leader, &signups2, &json!({})).await).await["status"],
        "confirmed"
    );
    assert_eq!(
        created(app.post_as(&r1, &signups2, &json!({})).await).await["status"],
        "waitlisted"
    );
    let cancelled = app
        .client
        .delete(app.url(&format!("{signups2}/{}", w.leader_id)))
        .bearer_auth(&w.leader)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    eventually("R1's SMS instead of the refused message", 15, || async {
        app.sms
            .sent()
            .iter()
            .any(|s| s.phone == "13700000002" && s.template == crate::sms::NOTICE_TEMPLATE)
    })
    .await;
    assert_eq!(wx.sent().len(), 1);
    let refused: Vec<_> = sends(&app, "wechat")
        .await
        .into_iter()
        .filter(|d| d.state == "failed")
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("43101")
    );
    assert!(wx.problems().is_empty(), "{:?}", wx.problems());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_offer_comes_by_subscription_sms_and_call_once_sqlite() {
    seat_offers_reach_residents(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_offer_comes_by_subscription_sms_and_call_once_postgres() {
    seat_offers_reach_residents(Backend::Postgres).await;
}
