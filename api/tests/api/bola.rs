//! The authorization matrix: for every id-bearing route, every principal that should not reach
//! the object gets no 2xx (and, for objects outside its scope, a 404 like a missing object).
//! Extend the table as routes are added.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{both_backends, helpers::*, world::World};

struct Case {
    method: Method,
    path: String,
    body: Value,
    /// Principals (by name) allowed a 2xx.
    allowed: &'static [&'static str],
}

fn cases(w: &World, employer_id: &str) -> Vec<Case> {
    let get = |path: String, allowed: &'static [&'static str]| Case {
        method: Method::GET,
        path,
        body: Value::Null,
        allowed,
    };
    vec![
        get(
            format!("/api/v1/employers/{employer_id}"),
            &["admin", "staff_a", "site_admin_a", "staff_b", "employer"],
        ),
        get(
            format!("/api/v1/sites/{}", w.site_a),
            &[
                "admin",
                "staff_a",
                "site_admin_a",
                "leader",
                "resident_1",
                "resident_2",
            ],
        ),
        get(
            format!("/api/v1/sites/{}", w.site_b),
            &["admin", "staff_b", "resident_b"],
        ),
        get(
            format!("/api/v1/sites/{}/committees", w.site_a),
            &[
                "admin",
                "staff_a",
                "site_admin_a",
                "leader",
                "resident_1",
                "resident_2",
            ],
        ),
        get(
            format!("/api/v1/groups/{}", w.group_1),
            &["admin", "staff_a", "site_admin_a", "leader"],
        ),
        get(
            format!("/api/v1/groups/{}", w.group_2),
            &["admin", "staff_a", "site_admin_a"],
        ),
        get(
            format!("/api/v1/buildings/{}", w.building_2),
            &["admin", "staff_a", "site_admin_a"],
        ),
        get(
            format!("/api/v1/buildings/{}", w.building_b),
            &["admin", "staff_b"],
        ),
        get(
            format!("/api/v1/households/{}", w.household_1),
            &["admin", "staff_a", "site_admin_a", "leader", "resident_1"],
        ),
        get(
            format!("/api/v1/households/{}", w.household_2),
            &["admin", "staff_a", "site_admin_a", "resident_2"],
        ),
        get(
            format!("/api/v1/households/{}", w.household_b),
            &["admin", "staff_b", "resident_b"],
        ),
        get(
            format!("/api/v1/residents/{}", w.resident_1_id),
            &["admin", "staff_a", "site_admin_a", "leader", "resident_1"],
        ),
        get(
            format!("/api/v1/residents/{}", w.resident_2_id),
            &["admin", "staff_a", "site_admin_a", "resident_2"],
        ),
        get(
            format!("/api/v1/residents/{}", w.resident_b_id),
            &["admin", "staff_b", "resident_b"],
        ),
        Case {
            method: Method::PATCH,
            path: format!("/api/v1/residents/{}", w.resident_2_id),
            body: json!({"job_seeking": true}),
            allowed: &["admin", "staff_a", "site_admin_a"],
        },
        Case {
            method: Method::PATCH,
            path: format!("/api/v1/residents/{}", w.resident_1_id),
            body: json!({"job_seeking": true}),
            allowed: &["admin", "staff_a", "site_admin_a", "leader"],
        },
        Case {
            method: Method::PATCH,
            path: format!("/api/v1/households/{}", w.household_b),
            body: json!({"low_income": false}),
            allowed: &["admin", "staff_b"],
        },
        Case {
            method: Method::POST,
            path: format!("/api/v1/residents/{}/id-card/reveal", w.resident_1_id),
            body: json!({"reason": "核对身份"}),
            allowed: &["staff_a", "site_admin_a"],
        },
        Case {
            method: Method::PUT,
            path: format!("/api/v1/groups/{}/leader", w.group_1),
            body: json!({"resident_id": w.leader_id}),
            allowed: &["admin", "staff_a", "site_admin_a"],
        },
        Case {
            method: Method::POST,
            path: format!("/api/v1/sites/{}/broadcasts", w.site_a),
            body: json!({"title": "通知", "body": "内容"}),
            allowed: &["admin", "staff_a", "site_admin_a"],
        },
        Case {
            method: Method::POST,
            path: format!("/api/v1/sites/{}/committees", w.site_b),
            body: json!({"name": "新居委会"}),
            allowed: &["admin", "staff_b"],
        },
    ]
}

both_backends! {
    async fn no_principal_reaches_what_it_should_not(app) {
        let w = World::build(&app).await;
        let employer = crate::world::created(app.post_json("/api/v1/auth/employers", &json!({
            "organisation_name": "金海科技", "credit_code": "91350100M000100Y43", "contact_name": "李", "contact_phone": "13800001111",
            "phone": "13600000009", "password": crate::world::PASSWORD
        })).await).await;
        let employer_id = employer["id"].as_str().unwrap().to_owned();
        let employer_token = app.login("13600000009", crate::world::PASSWORD).await["access_token"].as_str().unwrap().to_owned();
        let principals = [
            ("employer", employer_token),
            ("admin", w.admin.clone()),
            ("staff_a", w.staff_a.clone()),
            ("site_admin_a", w.site_admin_a.clone()),
            ("staff_b", w.staff_b.clone()),
            ("leader", w.leader.clone()),
            ("resident_1", w.resident_1.clone()),
            ("resident_2", w.resident_2.clone()),
            ("resident_b", w.resident_b.clone()),
        ];
        let mut checked = 0;
        for case in cases(&w, &employer_id) {
            for (name, token) in &principals {
                let mut request = app.client.request(case.method.clone(), app.url(&case.path)).bearer_auth(token);
                if !case.body.is_null() {
                    // A fresh name per try keeps creating cases from colliding on uniqueness.
                    let mut body = case.body.clone();
                    if body.get("name").is_some() {
                        body["name"] = json!(format!("居委会-{name}"));
                    }
                    request = request.json(&body);
                }
                let status = request.send().await.unwrap().status().as_u16();
                let allowed = case.allowed.contains(name);
                if allowed {
                    assert!((200..300).contains(&status), "{name} {} {} -> {status}, expected 2xx", case.method, case.path);
                } else {
                    assert!(matches!(status, 403 | 404), "{name} {} {} -> {status}, expected 403/404", case.method, case.path);
                }
                checked += 1;
            }
            // Without a token: 401.
            let status = app.client.request(case.method.clone(), app.url(&case.path)).send().await.unwrap().status();
            assert_eq!(status, 401, "anonymous {} {}", case.method, case.path);
        }
        assert!(checked >= 150);
    }

    async fn objects_outside_scope_look_missing(app) {
        let w = World::build(&app).await;
        // Staff of site A asking for site B's resident gets exactly what a missing id gets.
        let foreign = app.get_as(&w.staff_a, &format!("/api/v1/residents/{}", w.resident_b_id)).await;
        let missing = app.get_as(&w.staff_a, &format!("/api/v1/residents/{}", uuid::Uuid::now_v7())).await;
        let foreign = problem(foreign, 404, "not_found").await;
        let missing = problem(missing, 404, "not_found").await;
        assert_eq!(foreign["detail"], missing["detail"]);
    }
}
