//! A small community built through the API itself: two sites, an account for every role, and a
//! registry with two groups in site A. Tests of authorization and the registry start from it.

use chrono::NaiveDate;
use entity::people::{IdCardNumber, make_id_card};
use serde_json::{Value, json};

use crate::helpers::*;

/// Password of every account the world creates.
pub const PASSWORD: &str = "resettled-2026!";

/// Ids and tokens of the world.
#[allow(dead_code)]
pub struct World {
    pub admin: String,
    pub site_a: String,
    pub site_b: String,
    pub staff_a: String,
    pub site_admin_a: String,
    pub staff_b: String,
    pub committee_a: String,
    pub group_1: String,
    pub group_2: String,
    pub building_1: String,
    pub building_2: String,
    /// Household in group 1 (the leader's and resident R1's).
    pub household_1: String,
    /// Household in group 2 (resident R2's).
    pub household_2: String,
    /// The leader of group 1 (a resident of household 1).
    pub leader: String,
    pub leader_id: String,
    /// A resident of household 1 (group 1), with an account.
    pub resident_1: String,
    pub resident_1_id: String,
    /// A resident of household 2 (group 2), with an account.
    pub resident_2: String,
    pub resident_2_id: String,
    /// A resident of site B, with an account.
    pub resident_b: String,
    pub resident_b_id: String,
    pub household_b: String,
    pub group_b: String,
    pub building_b: String,
    pub committee_b: String,
    /// The full ID number of resident 1.
    pub resident_1_id_card: String,
}

pub fn id_card(sequence: u16, birth: (i32, u32, u32), male: bool) -> IdCardNumber {
    make_id_card(
        "990101",
        NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap(),
        sequence,
        male,
    )
    .unwrap()
}

pub async fn created(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

/// Staff print a resident's activation code; returns its digits.
pub async fn print_activation_code(app: &TestApp, staff: &str, resident: &str) -> String {
    let printed = created_as(
        app,
        staff,
        &format!("/api/v1/residents/{resident}/activation-code"),
        &json!({"reason": "老人无智能手机，代为激活"}),
    )
    .await;
    printed["code"].as_str().unwrap().to_owned()
}

/// Signs an employer up as its staff would (a code to the login phone, then the form); returns
/// the employer as it sees itself, and its access token.
pub async fn sign_up_employer(app: &TestApp, mut body: Value) -> (Value, String) {
    let phone = body["phone"].as_str().unwrap().to_owned();
    let password = body["password"].as_str().unwrap().to_owned();
    body["code"] = json!(app.sms_code(&phone, "employer_signup").await);
    let response = app.post_json("/api/v1/auth/employers", &body).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["status"], "received");
    let token = app.login(&phone, &password).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine: Value = app
        .get_as(&token, "/api/v1/employers")
        .await
        .json()
        .await
        .unwrap();
    (mine["items"][0].clone(), token)
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// POSTs `body` to `path` as `token`; expects 201 and returns the body.
pub async fn created_as(app: &TestApp, token: &str, path: &str, body: &Value) -> Value {
    created(app.post_as(token, path, body).await).await
}

/// POSTs `body` to `path` as `token`; expects 201 and returns the new thing's id.
pub async fn create_as(app: &TestApp, token: &str, path: &str, body: &Value) -> String {
    id(&created_as(app, token, path, body).await)
}

/// The `items` of the page at `path`, read as `token`.
pub async fn items_as(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let page: Value = app.get_as(token, path).await.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

/// The first page of `token`'s notification inbox.
pub async fn inbox(app: &TestApp, token: &str) -> Vec<Value> {
    items_as(app, token, "/api/v1/me/notifications").await
}

/// The platform administrator's token, and a fresh site (兴贤里, code `xxl`).
pub async fn new_site(app: &TestApp) -> (String, String) {
    let admin = app.admin_token().await;
    let site = create_as(
        app,
        &admin,
        "/api/v1/sites",
        &json!({"name": "兴贤里", "code": "xxl"}),
    )
    .await;
    (admin, site)
}

impl World {
    pub async fn build(app: &TestApp) -> World {
        let admin = app.admin_token().await;
        let site_a = create_as(
            app,
            &admin,
            "/api/v1/sites",
            &json!({"name": "兴贤里社区", "code": "xingxianli", "region": "河南省三门峡市卢氏县"}),
        )
        .await;
        let site_b = create_as(
            app,
            &admin,
            "/api/v1/sites",
            &json!({"name": "东城社区", "code": "dongcheng"}),
        )
        .await;

        let account = |phone: &'static str, role: &'static str, site: &str| json!({"phone": phone, "password": PASSWORD, "role": role, "site_id": site});
        created_as(
            app,
            &admin,
            "/api/v1/accounts",
            &account("13900000010", "staff", &site_a),
        )
        .await;
        created_as(
            app,
            &admin,
            "/api/v1/accounts",
            &account("13900000011", "site_admin", &site_a),
        )
        .await;
        created_as(
            app,
            &admin,
            "/api/v1/accounts",
            &account("13900000020", "staff", &site_b),
        )
        .await;
        let token = |v: Value| v["access_token"].as_str().unwrap().to_owned();
        let staff_a = token(app.login("13900000010", PASSWORD).await);
        let site_admin_a = token(app.login("13900000011", PASSWORD).await);
        let staff_b = token(app.login("13900000020", PASSWORD).await);

        let committee_a = create_as(
            app,
            &staff_a,
            &format!("/api/v1/sites/{site_a}/committees"),
            &json!({"name": "第一居委会"}),
        )
        .await;
        let group_1 = create_as(
            app,
            &staff_a,
            "/api/v1/groups",
            &json!({"committee_id": committee_a, "name": "1组"}),
        )
        .await;
        let group_2 = create_as(
            app,
            &staff_a,
            "/api/v1/groups",
            &json!({"committee_id": committee_a, "name": "2组"}),
        )
        .await;
        let building_1 = create_as(
            app,
            &staff_a,
            "/api/v1/buildings",
            &json!({"group_id": group_1, "name": "1号楼"}),
        )
        .await;
        let building_2 = create_as(
            app,
            &staff_a,
            "/api/v1/buildings",
            &json!({"group_id": group_2, "name": "2号楼"}),
        )
        .await;
        let household_1 = create_as(
            app,
            &staff_a,
            "/api/v1/households",
            &json!({"building_id": building_1, "label": "1-101"}),
        )
        .await;
        let household_2 = create_as(
            app,
            &staff_a,
            "/api/v1/households",
            &json!({"building_id": building_2, "label": "2-101", "low_income": true}),
        )
        .await;

        let committee_b = create_as(
            app,
            &staff_b,
            &format!("/api/v1/sites/{site_b}/committees"),
            &json!({"name": "东城居委会"}),
        )
        .await;
        let group_b = create_as(
            app,
            &staff_b,
            "/api/v1/groups",
            &json!({"committee_id": committee_b, "name": "1组"}),
        )
        .await;
        let building_b = create_as(
            app,
            &staff_b,
            "/api/v1/buildings",
            &json!({"group_id": group_b, "name": "1号楼"}),
        )
        .await;
        let household_b = create_as(
            app,
            &staff_b,
            "/api/v1/households",
            &json!({"building_id": building_b, "label": "1-101"}),
        )
        .await;

        let register = |household: &str, name: &str, card: &IdCardNumber, phone: &str| json!({"household_id": household, "name": name, "id_card_number": card.expose(), "phone": phone, "job_seeking": true});
        let leader_card = id_card(11, (1975, 3, 8), true);
        let r1_card = id_card(12, (1950, 6, 1), false);
        let r2_card = id_card(13, (1990, 1, 20), true);
        let rb_card = id_card(14, (1988, 9, 9), false);
        let leader_id = create_as(
            app,
            &staff_a,
            "/api/v1/residents",
            &register(&household_1, "张组长", &leader_card, "13700000001"),
        )
        .await;
        let resident_1_id = create_as(
            app,
            &staff_a,
            "/api/v1/residents",
            &register(&household_1, "李奶奶", &r1_card, "13700000002"),
        )
        .await;
        let resident_2_id = create_as(
            app,
            &staff_a,
            "/api/v1/residents",
            &register(&household_2, "王小二", &r2_card, "13700000003"),
        )
        .await;
        let resident_b_id = create_as(
            app,
            &staff_b,
            "/api/v1/residents",
            &register(&household_b, "赵东", &rb_card, "13700000004"),
        )
        .await;

        let response = app
            .send_as(
                reqwest::Method::PUT,
                &staff_a,
                &format!("/api/v1/groups/{group_1}/leader"),
                &json!({"resident_id": leader_id}),
            )
            .await;
        assert_eq!(response.status(), 200);

        // Staff print each resident an activation code, as for residents who cannot receive the
        // SMS; the SMS path has tests of its own.
        let mut tokens = Vec::new();
        for (phone, resident, staff) in [
            ("13700000001", &leader_id, &staff_a),
            ("13700000002", &resident_1_id, &staff_a),
            ("13700000003", &resident_2_id, &staff_a),
            ("13700000004", &resident_b_id, &staff_b),
        ] {
            let code = print_activation_code(app, staff, resident).await;
            let body = created(
                app.post_json(
                    "/api/v1/auth/activate",
                    &json!({"phone": phone, "code": code, "password": PASSWORD}),
                )
                .await,
            )
            .await;
            tokens.push(token(body));
        }
        let mut tokens = tokens.into_iter();
        World {
            admin,
            site_a,
            site_b,
            staff_a,
            site_admin_a,
            staff_b,
            committee_a,
            group_1,
            group_2,
            building_1,
            building_2,
            household_1,
            household_2,
            leader: tokens.next().unwrap(),
            leader_id,
            resident_1: tokens.next().unwrap(),
            resident_1_id,
            resident_2: tokens.next().unwrap(),
            resident_2_id,
            resident_b: tokens.next().unwrap(),
            resident_b_id,
            household_b,
            group_b,
            building_b,
            committee_b,
            resident_1_id_card: r1_card.expose().to_owned(),
        }
    }
}
