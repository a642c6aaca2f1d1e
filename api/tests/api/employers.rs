use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{PASSWORD, World, created, sign_up_employer},
};

fn sign_up(code: &str, phone: &str) -> Value {
    json!({
        "organisation_name": "卢氏县嘉德实业有限公司", "credit_code": code,
        "contact_name": "王经理", "contact_phone": "13800001111", "phone": phone, "password": PASSWORD
    })
}

both_backends! {
    async fn an_employer_signs_up_and_staff_review_it(app) {
        let w = World::build(&app).await;
        let (e, employer) = sign_up_employer(&app, sign_up("91350100M000100Y43", "13600000001")).await;
        assert_eq!(e["status"], "pending");
        let id = e["id"].as_str().unwrap().to_owned();
        let me: Value = app.get_as(&employer, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "employer");
        // Staff find it among the pending ones and verify it; the decision is audited.
        let pending: Value = app.get_as(&w.staff_a, "/api/v1/employers?status=pending").await.json().await.unwrap();
        assert_eq!(pending["items"][0]["id"], id.as_str());
        let verify = format!("/api/v1/employers/{id}/verify");
        problem(app.post_as(&employer, &verify, &json!({})).await, 403, "forbidden").await;
        problem(app.post_as(&w.resident_1, &verify, &json!({})).await, 403, "forbidden").await;
        let v: Value = app.post_as(&w.staff_a, &verify, &json!({})).await.json().await.unwrap();
        assert_eq!(v["status"], "verified");
        problem(app.post_as(&w.staff_a, &verify, &json!({})).await, 409, "illegal_transition").await;
        problem(app.post_as(&w.staff_a, &format!("/api/v1/employers/{id}/reject"), &json!({"reason": "材料不全"})).await, 409, "illegal_transition").await;
        problem(app.post_as(&w.staff_a, &format!("/api/v1/employers/{id}/suspend"), &json!({"reason": " "})).await, 422, "validation_failed").await;
        let s: Value = app.post_as(&w.staff_a, &format!("/api/v1/employers/{id}/suspend"), &json!({"reason": "拖欠工资投诉"})).await.json().await.unwrap();
        assert_eq!(s["status"], "suspended");
        assert_eq!(s["status_reason"], "拖欠工资投诉");
        let audit: Value = app.get_as(&w.admin, "/api/v1/audit-events").await.json().await.unwrap();
        assert_eq!(audit["items"][0]["action"], "employer.suspend");
        assert_eq!(audit["items"][1]["action"], "employer.verify");
    }

    async fn employers_see_only_themselves(app) {
        let w = World::build(&app).await;
        let (a, token_a) = sign_up_employer(&app, sign_up("91350100M000100Y43", "13600000001")).await;
        let (b, _) = sign_up_employer(&app, sign_up("91110000600037341L", "13600000002")).await;
        let list: Value = app.get_as(&token_a, "/api/v1/employers").await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert_eq!(list["items"][0]["id"], a["id"]);
        problem(app.get_as(&token_a, &format!("/api/v1/employers/{}", b["id"].as_str().unwrap())).await, 404, "not_found").await;
        assert_eq!(app.get_as(&token_a, &format!("/api/v1/employers/{}", a["id"].as_str().unwrap())).await.status(), 200);
        // Employers reach nothing of the registry.
        problem(app.get_as(&token_a, &format!("/api/v1/residents/{}", w.resident_1_id)).await, 404, "not_found").await;
        assert!(app.get_as(&token_a, "/api/v1/residents").await.json::<Value>().await.unwrap()["items"].as_array().unwrap().is_empty());
        problem(app.get_as(&w.resident_1, "/api/v1/employers").await, 403, "forbidden").await;
    }

    async fn sign_up_validates_and_refuses_duplicates(app) {
        let p = problem(app.post_json("/api/v1/auth/employers", &sign_up("91350100M000100Y44", "13600000001")).await, 422, "validation_failed").await;
        assert!(p["errors"]["credit_code"].as_str().unwrap().contains("check"), "{p}");
        assert!(p["errors"]["code"].is_string(), "the code is required: {p}");
        let mut bad = sign_up("91350100M000100Y43", "123");
        bad["password"] = json!("12345678");
        let p = problem(app.post_json("/api/v1/auth/employers", &bad).await, 422, "validation_failed").await;
        assert!(p["errors"]["phone"].is_string() && p["errors"]["password"].is_string(), "{p}");
        sign_up_employer(&app, sign_up("91350100M000100Y43", "13600000001")).await;
        let mut again = sign_up("91350100M000100Y43", "13600000002");
        again["code"] = json!(app.sms_code("13600000002", "employer_signup").await);
        problem(app.post_json("/api/v1/auth/employers", &again).await, 409, "credit_code_taken").await;
    }

    async fn an_employer_cannot_be_created_for_a_phone_without_its_code(app) {
        let w = World::build(&app).await;
        // No code, a made-up code, a code for another purpose, a code for another phone.
        let mut body = sign_up("91350100M000100Y43", "13600000005");
        problem(app.post_json("/api/v1/auth/employers", &body).await, 422, "validation_failed").await;
        body["code"] = json!("000000");
        problem(app.post_json("/api/v1/auth/employers", &body).await, 401, "sms_code_invalid").await;
        body["code"] = json!(app.sms_code("13600000005", "login").await);
        problem(app.post_json("/api/v1/auth/employers", &body).await, 401, "sms_code_invalid").await;
        body["code"] = json!(app.sms_code("13600000006", "employer_signup").await);
        problem(app.post_json("/api/v1/auth/employers", &body).await, 401, "sms_code_invalid").await;
        problem(app.post_json("/api/v1/auth/login", &json!({"phone": "13600000005", "password": PASSWORD})).await, 401, "invalid_credentials").await;

        // A code is used once.
        let (_, _) = sign_up_employer(&app, sign_up("91350100M000100Y43", "13600000007")).await;
        let staff: Value = app.get_as(&w.staff_a, "/api/v1/employers").await.json().await.unwrap();
        assert_eq!(staff["items"].as_array().unwrap().len(), 1);
    }

    async fn sign_up_answers_alike_for_a_taken_and_a_free_phone(app) {
        let w = World::build(&app).await;
        // A free phone, the phone of an account, and the phone of a registered resident who
        // has not activated yet.
        let unactivated = created(app.post_as(&w.staff_a, "/api/v1/residents", &json!({
            "household_id": w.household_2, "name": "刘大爷", "phone": "13700000077",
            "id_card_number": crate::world::id_card(77, (1948, 2, 2), true).expose()
        })).await).await;
        let mut answers = Vec::new();
        for (phone, credit) in [
            ("13600000001", "91350100M000100Y43"),
            ("13700000002", "91110000600037341L"),
            ("13700000077", "91330106MA2CFK5W8X"),
        ] {
            let mut body = sign_up(credit, phone);
            body["code"] = json!(app.sms_code(phone, "employer_signup").await);
            let r = app.post_json("/api/v1/auth/employers", &body).await;
            let status = r.status();
            let mut headers: Vec<String> = r.headers().keys().map(|k| k.to_string()).filter(|k| k != "x-request-id" && k != "date").collect();
            headers.sort();
            answers.push((status, headers, r.text().await.unwrap()));
        }
        assert_eq!(answers[0].0, 202);
        assert!(answers.iter().all(|a| (&a.0, &a.1, &a.2) == (&answers[0].0, &answers[0].1, &answers[0].2)), "{answers:?}");
        // Only the free phone got an account; the taken ones were told by SMS.
        assert_eq!(app.post_json("/api/v1/auth/login", &json!({"phone": "13600000001", "password": PASSWORD})).await.status(), 200);
        let notices = || app.sms.sent().into_iter().filter(|s| s.template == crate::sms::NOTICE_TEMPLATE).map(|s| s.phone).collect::<Vec<_>>();
        eventually("the holders of the taken phones are told", 5, || async { notices().len() == 2 }).await;
        assert_eq!(notices(), ["13700000002", "13700000077"]);
        let staff: Value = app.get_as(&w.staff_a, "/api/v1/employers").await.json().await.unwrap();
        assert_eq!(staff["items"].as_array().unwrap().len(), 1);
        // The resident's phone stays activatable: the resident activates with an SMS code.
        let code = app.sms_code("13700000077", "activate").await;
        let tokens = created(app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000077", "code": code, "password": "mountain-home-77"})).await).await;
        let me: Value = app.get_as(tokens["access_token"].as_str().unwrap(), "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["resident"]["id"], unactivated["id"]);
    }
}
