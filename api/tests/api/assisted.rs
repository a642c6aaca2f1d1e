//! What the console's staff do for residents and to reach them: assisted actions carry a reason
//! into the audit log (and the audit log is searched by who, what, on whom and when), staff file
//! claims and redeem for residents, broadcasts show their audience's size before they are sent
//! and how they fared after.

use entity::registry::resident;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    activities::activity,
    both_backends,
    claims::{balance, close_window},
    helpers::*,
    world::{World, created, items_as},
};

async fn audit(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let page: Value = app
        .get_as(token, &format!("/api/v1/audit-events?{query}"))
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("audit page for {query}: {page}"))
        .clone()
}

async fn residents_of(app: &TestApp, site: &str, group: Option<&str>) -> u64 {
    let mut select = resident::Entity::find()
        .filter(resident::Column::SiteId.eq(Uuid::parse_str(site).unwrap()));
    if let Some(g) = group {
        select = select.filter(resident::Column::GroupId.eq(Uuid::parse_str(g).unwrap()));
    }
    select.count(app.db.conn()).await.unwrap()
}

both_backends! {
    async fn staff_act_for_a_resident_and_say_why(app) {
        let w = World::build(&app).await;
        // Staff file R2's claim at the desk, with the reason; a resident gives no reason for itself.
        let body = json!({"category": "civility", "description": "调解邻里纠纷", "resident_id": w.resident_2_id, "reason": "老人不识字，到服务台申报"});
        let filed = created(app.post_as(&w.staff_a, "/api/v1/points/claims", &body).await).await;
        assert_eq!(filed["on_behalf"], true);
        let own = json!({"category": "civility", "description": "x", "reason": "because"});
        let p = problem(app.post_as(&w.resident_2, "/api/v1/points/claims", &own).await, 422, "validation_failed").await;
        assert!(p["errors"]["reason"].is_string(), "{p}");
        let long = json!({"category": "civility", "description": "x", "resident_id": w.resident_2_id, "reason": "长".repeat(201)});
        problem(app.post_as(&w.staff_a, "/api/v1/points/claims", &long).await, 422, "validation_failed").await;
        let claim = filed["id"].as_str().unwrap().to_owned();
        let events = audit(&app, &w.site_admin_a, &format!("action=claim.apply&on_behalf_of={}", w.resident_2_id)).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["reason"], "老人不识字，到服务台申报");
        assert_eq!(events[0]["target_id"], claim.as_str());
        // The reason is on the claim's first step too, and the claim lists with the name.
        let full: Value = app.get_as(&w.staff_a, &format!("/api/v1/points/claims/{claim}")).await.json().await.unwrap();
        assert_eq!(full["steps"][0]["reason"], "老人不识字，到服务台申报");
        assert!(full["resident_name"].is_string(), "{full}");
        // Whoever filed it does not approve it: another member of staff does.
        problem(app.post_as(&w.staff_a, &format!("/api/v1/points/claims/{claim}/verify"), &json!({"points": 3})).await, 409, "own_claim").await;
        for action in ["verify", "register", "publicize"] {
            let r = app.post_as(&w.site_admin_a, &format!("/api/v1/points/claims/{claim}/{action}"), &json!({})).await;
            assert_eq!(r.status(), 200, "{action}");
        }
        close_window(&app, &claim).await;
        eventually("R2's household credited", 15, || async { balance(&app, &w.resident_2).await > 0 }).await;
        let points = balance(&app, &w.resident_2).await;
        // At the counter staff redeem for R2's household, saying why; the log has it.
        let item = created(app.post_as(&w.staff_a, "/api/v1/store/items", &json!({"name": "香皂", "price": 1, "stock": 5})).await).await;
        let redeem = json!({"item_id": item["id"], "household_id": w.household_2, "reason": "行动不便，家属代领"});
        assert_eq!(app.post_as(&w.staff_a, "/api/v1/store/redemptions", &redeem).await.status(), 201);
        assert_eq!(balance(&app, &w.resident_2).await, points - 1);
        let own_redeem = json!({"item_id": item["id"], "reason": "x"});
        problem(app.post_as(&w.resident_2, "/api/v1/store/redemptions", &own_redeem).await, 422, "validation_failed").await;
        let events = audit(&app, &w.site_admin_a, "action=store.redeem").await;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["reason"], "行动不便，家属代领");
        // A sign-up for R2 at the desk.
        let a = created(app.post_as(&w.staff_a, "/api/v1/activities", &activity(&w.site_a, 5, 3600, 3600)).await).await;
        let signup = json!({"resident_id": w.resident_2_id, "reason": "电话报名"});
        assert_eq!(app.post_as(&w.staff_a, &format!("/api/v1/activities/{}/signups", a["id"].as_str().unwrap()), &signup).await.status(), 201);

        // The log is searched: by kind of action, by resident, by actor, by time.
        let everything_for_r2 = audit(&app, &w.site_admin_a, &format!("on_behalf_of={}", w.resident_2_id)).await;
        let actions: Vec<&str> = everything_for_r2.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["activity.signup", "claim.apply"], "newest first");
        assert_eq!(everything_for_r2[0]["reason"], "电话报名");
        let claims_kind = audit(&app, &w.site_admin_a, "action=claim.").await;
        assert!(!claims_kind.is_empty() && claims_kind.iter().all(|e| e["action"].as_str().unwrap().starts_with("claim.")));
        // A `_` in the filter is literal, not a wildcard.
        assert!(audit(&app, &w.site_admin_a, "action=claim_").await.is_empty());
        let staff_account = everything_for_r2[0]["actor_account_id"].as_str().unwrap().to_owned();
        let by_staff = audit(&app, &w.site_admin_a, &format!("actor_account_id={staff_account}")).await;
        assert!(by_staff.len() >= 3 && by_staff.iter().all(|e| e["actor_account_id"] == staff_account.as_str()));
        let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let since = format!("since={}", form_urlencoded::byte_serialize(future.as_bytes()).collect::<String>());
        assert!(audit(&app, &w.site_admin_a, &since).await.is_empty());
        let now = form_urlencoded::byte_serialize(chrono::Utc::now().to_rfc3339().as_bytes()).collect::<String>();
        problem(app.get_as(&w.site_admin_a, &format!("/api/v1/audit-events?since={now}&until={now}")).await, 422, "validation_failed").await;
        problem(app.get_as(&w.site_admin_a, "/api/v1/audit-events?since=yesterday").await, 400, "invalid_query").await;
        problem(app.get_as(&w.staff_a, "/api/v1/audit-events?action=claim.").await, 403, "forbidden").await;
    }

    async fn a_broadcast_shows_its_audience_before_and_its_outcome_after(app) {
        let w = World::build(&app).await;
        let size = |token: String, body: Value| {
            let app = &app;
            let site = w.site_a.clone();
            async move {
                app.post_as(&token, &format!("/api/v1/sites/{site}/broadcasts/audience-size"), &body).await
            }
        };
        let everyone: Value = size(w.staff_a.clone(), json!({})).await.json().await.unwrap();
        assert_eq!(everyone["recipients"].as_u64(), Some(residents_of(&app, &w.site_a, None).await));
        let group: Value = size(w.staff_a.clone(), json!({"group_ids": [w.group_1]})).await.json().await.unwrap();
        let in_group_1 = residents_of(&app, &w.site_a, Some(&w.group_1)).await;
        assert_eq!(group["recipients"].as_u64(), Some(in_group_1));
        assert!(in_group_1 > 0 && in_group_1 < everyone["recipients"].as_u64().unwrap());
        // Another site's committee names nobody here.
        let foreign: Value = size(w.staff_a.clone(), json!({"committee_ids": [w.committee_b]})).await.json().await.unwrap();
        assert_eq!(foreign["recipients"], 0);
        problem(size(w.resident_1.clone(), json!({})).await, 403, "forbidden").await;
        problem(size(w.staff_b.clone(), json!({})).await, 404, "not_found").await;
        problem(size(w.staff_a.clone(), json!({"flags": ["x"]})).await, 422, "validation_failed").await;

        // Sent: the answer carries the count, the list shows it and fills in as the worker delivers.
        let path = format!("/api/v1/sites/{}/broadcasts", w.site_a);
        let sent = app.post_as(&w.staff_a, &path, &json!({"title": "停水通知", "body": "明天上午 8 点至 12 点停水，请提前储水。", "audience": {"group_ids": [w.group_1]}})).await;
        assert_eq!(sent.status(), 202);
        let sent: Value = sent.json().await.unwrap();
        assert_eq!(sent["recipients"].as_u64(), Some(in_group_1));
        eventually("the broadcast's inbox rows are counted", 15, || async {
            let page: Value = app.get_as(&w.staff_a, &path).await.json().await.unwrap();
            page["items"][0]["delivered"].as_u64() == Some(in_group_1)
        })
        .await;
        let page: Value = app.get_as(&w.staff_a, &path).await.json().await.unwrap();
        let item = &page["items"][0];
        assert_eq!(item["id"], sent["event_id"]);
        assert_eq!(item["title"], "停水通知");
        assert_eq!(item["recipients"].as_u64(), Some(in_group_1));
        assert_eq!(item["audience"]["group_ids"][0], w.group_1.as_str());
        assert_eq!(item["read"], 0);
        for channel in ["push", "sms"] {
            for state in ["sent", "failed", "pending", "skipped"] {
                assert!(item[channel][state].is_u64(), "{channel}.{state} in {item}");
            }
        }
        // R1 reads it: the list counts the read.
        let inbox: Value = app.get_as(&w.resident_1, "/api/v1/me/notifications").await.json().await.unwrap();
        let notice = inbox["items"].as_array().unwrap().iter().find(|n| n["title"] == "停水通知").unwrap().clone();
        assert_eq!(app.post_as(&w.resident_1, &format!("/api/v1/me/notifications/{}/read", notice["id"].as_str().unwrap()), &json!({})).await.status(), 200);
        let page: Value = app.get_as(&w.staff_a, &path).await.json().await.unwrap();
        assert_eq!(page["items"][0]["read"], 1);
        problem(app.get_as(&w.staff_b, &path).await, 404, "not_found").await;
        problem(app.get_as(&w.resident_1, &path).await, 403, "forbidden").await;
    }

    async fn a_platform_admin_looks_at_the_site_it_picked(app) {
        let w = World::build(&app).await;
        created(app.post_as(&w.staff_a, "/api/v1/activities", &activity(&w.site_a, 5, 3600, 3600)).await).await;
        created(app.post_as(&w.staff_b, "/api/v1/activities", &activity(&w.site_b, 5, 3600, 3600)).await).await;
        let sites = |items: &[Value]| {
            let mut s: Vec<String> = items.iter().map(|i| i["site_id"].as_str().unwrap().to_owned()).collect();
            s.sort();
            s.dedup();
            s
        };
        let all = items_as(&app, &w.admin, "/api/v1/activities").await;
        assert_eq!(sites(&all).len(), 2);
        let a = items_as(&app, &w.admin, &format!("/api/v1/activities?site_id={}", w.site_a)).await;
        assert_eq!(sites(&a), vec![w.site_a.clone()]);
        let groups = items_as(&app, &w.admin, &format!("/api/v1/groups?site_id={}", w.site_b)).await;
        assert_eq!(groups.iter().map(|g| g["id"].as_str().unwrap()).collect::<Vec<_>>(), vec![w.group_b.as_str()]);
        // Staff naming another site see nothing of it, and their own as before.
        assert!(items_as(&app, &w.staff_a, &format!("/api/v1/activities?site_id={}", w.site_b)).await.is_empty());
        assert!(items_as(&app, &w.staff_a, &format!("/api/v1/groups?site_id={}", w.site_b)).await.is_empty());
        assert_eq!(items_as(&app, &w.staff_a, &format!("/api/v1/groups?site_id={}", w.site_a)).await.len(), 2);
        // Reports: the admin's view of site A is staff A's view.
        for report in ["/api/v1/reports/points", "/api/v1/reports/employment"] {
            let staff: Value = app.get_as(&w.staff_a, report).await.json().await.unwrap();
            let picked: Value = app.get_as(&w.admin, &format!("{report}?site_id={}", w.site_a)).await.json().await.unwrap();
            let everything: Value = app.get_as(&w.admin, report).await.json().await.unwrap();
            assert_eq!(picked, staff, "{report}");
            assert_ne!(everything, staff, "{report}: all sites differ from one");
            let elsewhere: Value = app.get_as(&w.staff_a, &format!("{report}?site_id={}", w.site_b)).await.json().await.unwrap();
            assert_ne!(elsewhere, staff, "{report}: another site's report is not site A's");
        }
    }
}
