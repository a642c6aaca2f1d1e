use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{PASSWORD, World, created},
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
        let e = created(app.post_json("/api/v1/auth/employers", &sign_up("91350100M000100Y43", "13600000001")).await).await;
        assert_eq!(e["status"], "pending");
        let id = e["id"].as_str().unwrap().to_owned();
        let employer = app.login("13600000001", PASSWORD).await["access_token"].as_str().unwrap().to_owned();
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
        let a = created(app.post_json("/api/v1/auth/employers", &sign_up("91350100M000100Y43", "13600000001")).await).await;
        let b = created(app.post_json("/api/v1/auth/employers", &sign_up("91110000600037341L", "13600000002")).await).await;
        let token_a = app.login("13600000001", PASSWORD).await["access_token"].as_str().unwrap().to_owned();
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
        let mut bad = sign_up("91350100M000100Y43", "123");
        bad["password"] = json!("12345678");
        let p = problem(app.post_json("/api/v1/auth/employers", &bad).await, 422, "validation_failed").await;
        assert!(p["errors"]["phone"].is_string() && p["errors"]["password"].is_string(), "{p}");
        created(app.post_json("/api/v1/auth/employers", &sign_up("91350100M000100Y43", "13600000001")).await).await;
        problem(app.post_json("/api/v1/auth/employers", &sign_up("91350100M000100Y43", "13600000002")).await, 409, "credit_code_taken").await;
        problem(app.post_json("/api/v1/auth/employers", &sign_up("91110000600037341L", "13600000001")).await, 409, "phone_taken").await;
    }
}
