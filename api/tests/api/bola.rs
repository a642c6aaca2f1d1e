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
    /// A state change that happens once: after the first allowed principal made it, the other
    /// allowed ones may get 409 (the move is no longer legal), never a 2xx twice.
    once: bool,
}

/// The recruitment objects the matrix reaches for.
struct Recruitment {
    employer_id: String,
    draft: String,
    pending: String,
    published: String,
    closable: String,
    application: String,
    employment: String,
    /// An activity for group 1 only, in which resident_1 and the leader hold seats.
    activity: String,
    /// A points claim for resident_1, applied for by its leader.
    claim: String,
    /// A partner client (the provincial talent exchange).
    partner: String,
}

fn cases(w: &World, r: &Recruitment) -> Vec<Case> {
    let employer_id = &r.employer_id;
    let get = |path: String, allowed: &'static [&'static str]| Case {
        method: Method::GET,
        path,
        body: Value::Null,
        allowed,
        once: false,
    };
    let change =
        |method: Method, path: String, body: Value, allowed: &'static [&'static str]| Case {
            method,
            path,
            body,
            allowed,
            once: false,
        };
    let once = |path: String, body: Value, allowed: &'static [&'static str]| Case {
        method: Method::POST,
        path,
        body,
        allowed,
        once: true,
    };
    const STAFF: &[&str] = &["admin", "staff_a", "site_admin_a", "staff_b"];
    const SITE_A: &[&str] = &[
        "admin",
        "staff_a",
        "site_admin_a",
        "leader",
        "resident_1",
        "resident_2",
    ];
    // Who reads a household and its residents: household 1 is in the leader's group, 2 is not,
    // b is on the other site.
    let households = [
        (&w.household_1, &w.resident_1_id, ROLES_1),
        (&w.household_2, &w.resident_2_id, ROLES_2),
        (&w.household_b, &w.resident_b_id, ROLES_B),
    ];
    const ROLES_1: &[&str] = &["admin", "staff_a", "site_admin_a", "leader", "resident_1"];
    const ROLES_2: &[&str] = &["admin", "staff_a", "site_admin_a", "resident_2"];
    const ROLES_B: &[&str] = &["admin", "staff_b", "resident_b"];
    let reads = households
        .into_iter()
        .flat_map(|(household, resident, allowed)| {
            [
                get(format!("/api/v1/households/{household}"), allowed),
                get(format!("/api/v1/residents/{resident}"), allowed),
            ]
        });
    let partner = &r.partner;
    let cases = vec![
        // Partner routes open to the partner only; its deliveries to platform administrators.
        get("/api/v1/partner/jobs".into(), &["partner"]),
        change(
            Method::PUT,
            "/api/v1/partner/jobs/bola-1".into(),
            crate::partners::posting(1, "电焊工"),
            &["partner"],
        ),
        get(format!("/api/v1/partners/{partner}/deliveries"), &["admin"]),
        get("/api/v1/partners".into(), &["admin"]),
        get(
            format!("/api/v1/points/claims/{}", r.claim),
            &["admin", "staff_a", "site_admin_a", "leader", "resident_1"],
        ),
        once(
            format!("/api/v1/points/claims/{}/verify", r.claim),
            json!({"points": 5}),
            &["admin", "staff_a", "site_admin_a"],
        ),
        get(
            format!("/api/v1/households/{}/points", w.household_2),
            &["admin", "staff_a", "site_admin_a", "resident_2"],
        ),
        get(
            format!("/api/v1/households/{}/points", w.household_1),
            &["admin", "staff_a", "site_admin_a", "leader", "resident_1"],
        ),
        change(
            Method::POST,
            "/api/v1/points/deductions".to_owned(),
            json!({"household_id": w.household_b, "points": 1, "reason": "测试"}),
            &["admin", "staff_b"],
        ),
        get(
            format!("/api/v1/activities/{}", r.activity),
            &["admin", "staff_a", "site_admin_a", "leader", "resident_1"],
        ),
        get(
            format!("/api/v1/activities/{}/signups", r.activity),
            &["admin", "staff_a", "site_admin_a", "leader"],
        ),
        change(
            Method::PATCH,
            format!("/api/v1/activities/{}", r.activity),
            json!({"capacity": 30}),
            &["admin", "staff_a", "site_admin_a"],
        ),
        change(
            Method::POST,
            format!("/api/v1/activities/{}/checkins", r.activity),
            json!({"resident_id": w.resident_1_id}),
            &["admin", "staff_a", "site_admin_a"],
        ),
        Case {
            method: Method::DELETE,
            path: format!("/api/v1/activities/{}/signups/{}", r.activity, w.leader_id),
            body: Value::Null,
            allowed: &["admin", "staff_a", "site_admin_a", "leader"],
            once: true,
        },
        get(
            format!("/api/v1/jobs/{}", r.draft),
            &["admin", "staff_a", "site_admin_a", "staff_b", "employer"],
        ),
        change(
            Method::PATCH,
            format!("/api/v1/jobs/{}", r.draft),
            json!({"title": "社区保洁员（修改）"}),
            &["employer"],
        ),
        once(
            format!("/api/v1/jobs/{}/submit", r.draft),
            json!({}),
            &["employer"],
        ),
        once(
            format!("/api/v1/jobs/{}/publish", r.pending),
            json!({}),
            STAFF,
        ),
        once(
            format!("/api/v1/jobs/{}/renew", r.published),
            json!({"valid_through": (chrono::Utc::now() + chrono::Duration::days(60)).to_rfc3339()}),
            &["employer"],
        ),
        once(
            format!("/api/v1/jobs/{}/close", r.closable),
            json!({}),
            &["admin", "staff_a", "site_admin_a", "staff_b", "employer"],
        ),
        // Staff read a posting's applicants too, filtered to their own site's residents (other
        // sites' staff get an empty list).
        get(
            format!("/api/v1/jobs/{}/applications", r.published),
            &["admin", "staff_a", "site_admin_a", "staff_b", "employer"],
        ),
        Case {
            method: Method::PATCH,
            path: format!("/api/v1/applications/{}", r.application),
            body: json!({"status": "viewed"}),
            allowed: &["employer"],
            once: true,
        },
        once(
            format!("/api/v1/employments/{}/end", r.employment),
            json!({"end_date": "2026-10-31"}),
            &["admin", "staff_a", "site_admin_a"],
        ),
        get(
            format!("/api/v1/employers/{employer_id}"),
            &["admin", "staff_a", "site_admin_a", "staff_b", "employer"],
        ),
        get(format!("/api/v1/sites/{}", w.site_a), SITE_A),
        get(
            format!("/api/v1/sites/{}", w.site_b),
            &["admin", "staff_b", "resident_b"],
        ),
        get(format!("/api/v1/sites/{}/committees", w.site_a), SITE_A),
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
        change(
            Method::PATCH,
            format!("/api/v1/residents/{}", w.resident_2_id),
            json!({"job_seeking": true}),
            &["admin", "staff_a", "site_admin_a"],
        ),
        change(
            Method::PATCH,
            format!("/api/v1/residents/{}", w.resident_1_id),
            json!({"job_seeking": true}),
            &["admin", "staff_a", "site_admin_a", "leader"],
        ),
        change(
            Method::PATCH,
            format!("/api/v1/households/{}", w.household_b),
            json!({"low_income": false}),
            &["admin", "staff_b"],
        ),
        change(
            Method::POST,
            format!("/api/v1/residents/{}/id-card/reveal", w.resident_1_id),
            json!({"reason": "核对身份"}),
            &["staff_a", "site_admin_a"],
        ),
        change(
            Method::PUT,
            format!("/api/v1/groups/{}/leader", w.group_1),
            json!({"resident_id": w.leader_id}),
            &["admin", "staff_a", "site_admin_a"],
        ),
        change(
            Method::POST,
            format!("/api/v1/sites/{}/broadcasts", w.site_a),
            json!({"title": "通知", "body": "内容"}),
            &["admin", "staff_a", "site_admin_a"],
        ),
        change(
            Method::POST,
            format!("/api/v1/sites/{}/committees", w.site_b),
            json!({"name": "新居委会"}),
            &["admin", "staff_b"],
        ),
    ];
    cases.into_iter().chain(reads).collect()
}

both_backends! {
    async fn no_principal_reaches_what_it_should_not(app) {
        let w = World::build(&app).await;
        let (employer, employer_token) = crate::world::sign_up_employer(&app, json!({
            "organisation_name": "金海科技", "credit_code": "91350100M000100Y43", "contact_name": "李", "contact_phone": "13800001111",
            "phone": "13600000009", "password": crate::world::PASSWORD
        })).await;
        let employer_id = employer["id"].as_str().unwrap().to_owned();
        assert_eq!(app.post_as(&w.staff_a, &format!("/api/v1/employers/{employer_id}/verify"), &json!({})).await.status(), 200);
        let posting = |stage: &'static str| {
            let (app, w, token) = (&app, &w, employer_token.clone());
            async move {
                let draft = crate::world::created(app.post_as(&token, "/api/v1/jobs", &crate::jobs::job("社区保洁员", 86_400)).await).await;
                let id = draft["id"].as_str().unwrap().to_owned();
                if stage != "draft" {
                    assert_eq!(crate::jobs::act(app, &token, &id, "submit").await.status(), 200);
                }
                if stage == "published" {
                    assert_eq!(crate::jobs::act(app, &w.staff_a, &id, "publish").await.status(), 200);
                }
                id
            }
        };
        let published = posting("published").await;
        let partner = crate::partners::new_partner(&app, &w, "91410000MA4000071", None, &["jobs:write", "jobs:read"], false).await;
        let partner_token = crate::partners::token(&app, &partner).await;
        let application = crate::world::created(app.post_as(&w.resident_2, &format!("/api/v1/jobs/{published}/applications"), &json!({})).await).await;
        let employment = crate::world::created(app.post_as(&w.staff_a, "/api/v1/employments", &json!({"resident_id": w.resident_1_id, "channel": "local", "start_date": "2026-03-01"})).await).await;
        let recruitment = Recruitment {
            employer_id: employer_id.clone(),
            draft: posting("draft").await,
            pending: posting("pending").await,
            closable: posting("published").await,
            published,
            application: application["id"].as_str().unwrap().to_owned(),
            employment: employment["id"].as_str().unwrap().to_owned(),
            activity: {
                let now = chrono::Utc::now();
                let a = crate::world::created(app.post_as(&w.staff_a, "/api/v1/activities", &json!({
                    "site_id": w.site_a, "title": "健康讲座", "description": "老年人慢病防治。", "kind": "lecture", "place": "党群服务中心",
                    "capacity": 30, "contact": "社区卫生站", "audience": {"group_ids": [w.group_1]},
                    "starts_at": (now + chrono::Duration::minutes(30)).to_rfc3339(), "ends_at": (now + chrono::Duration::minutes(90)).to_rfc3339()
                })).await).await;
                let id = a["id"].as_str().unwrap().to_owned();
                let s = app.post_as(&w.resident_1, &format!("/api/v1/activities/{id}/signups"), &json!({})).await;
                assert_eq!(s.status(), 201);
                let s = app.post_as(&w.leader, &format!("/api/v1/activities/{id}/signups"), &json!({})).await;
                assert_eq!(s.status(), 201);
                id
            },
            claim: {
                let c = crate::world::created(app.post_as(&w.leader, "/api/v1/points/claims", &json!({
                    "resident_id": w.resident_1_id, "category": "caring_neighbour", "description": "照顾独居老人"
                })).await).await;
                c["id"].as_str().unwrap().to_owned()
            },
            partner: partner.id.clone(),
        };
        let principals = [
            ("partner", partner_token),
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
        for case in cases(&w, &recruitment) {
            let mut done = false;
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
                if allowed && case.once && done {
                    assert_eq!(status, 409, "{name} {} {} -> {status}, expected 409 once done", case.method, case.path);
                } else if allowed {
                    assert!((200..300).contains(&status), "{name} {} {} -> {status}, expected 2xx", case.method, case.path);
                    done = true;
                } else {
                    assert!(matches!(status, 403 | 404), "{name} {} {} -> {status}, expected 403/404", case.method, case.path);
                }
                checked += 1;
            }
            // Without a token: 401.
            let status = app.client.request(case.method.clone(), app.url(&case.path)).send().await.unwrap().status();
            // Postings are public reading: an anonymous caller is the public, which sees no draft.
            let expected = if case.method == Method::GET && case.path.starts_with("/api/v1/jobs/") && !case.path.ends_with("/applications") { 404 } else { 401 };
            assert_eq!(status, expected, "anonymous {} {}", case.method, case.path);
        }
        assert!(checked >= 250);
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
