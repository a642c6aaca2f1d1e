use entity::points::{self, EntryKind, Posting, entry};
use futures_util::{StreamExt, stream};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    both_backends,
    helpers::*,
    world::{World, created},
};

/// Credits points as a credited claim will (the claim workflow posts through the same function).
async fn credit(app: &TestApp, w: &World, household: &str, amount: i32) {
    let txn = app.db.begin().await.unwrap();
    points::post(
        &txn,
        Posting {
            household_id: Uuid::parse_str(household).unwrap(),
            site_id: Uuid::parse_str(&w.site_a).unwrap(),
            kind: EntryKind::Credit,
            amount,
            reference_type: "test",
            reference_id: None,
            reason: Some("环境卫生".into()),
            actor: None,
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

async fn item(app: &TestApp, w: &World, price: i32, stock: i32) -> String {
    let i = created(
        app.post_as(
            &w.staff_a,
            "/api/v1/store/items",
            &json!({"name": "洗衣粉", "description": "2 千克", "price": price, "stock": stock}),
        )
        .await,
    )
    .await;
    i["id"].as_str().unwrap().to_owned()
}

async fn balance(app: &TestApp, token: &str) -> Value {
    app.get_as(token, "/api/v1/me/points?limit=100")
        .await
        .json()
        .await
        .unwrap()
}

/// The sum of a household's entries, straight from the database.
async fn ledger_sum(app: &TestApp, household: &str) -> i64 {
    entry::Entity::find()
        .filter(entry::Column::HouseholdId.eq(Uuid::parse_str(household).unwrap()))
        .all(app.db.conn())
        .await
        .unwrap()
        .iter()
        .map(|e| i64::from(e.amount))
        .sum()
}

both_backends! {
    async fn fifty_redemptions_race_for_a_balance_worth_ten(app) {
        let w = World::build(&app).await;
        let item = item(&app, &w, 10, 100).await;
        credit(&app, &w, &w.household_2, 100).await;
        let statuses: Vec<(u16, Value)> = stream::iter(0..50)
            .map(|_| {
                let (app, w, item) = (&app, &w, &item);
                async move {
                    let r = app.post_as(&w.resident_2, "/api/v1/store/redemptions", &json!({"item_id": item})).await;
                    (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
                }
            })
            .buffer_unordered(50)
            .collect()
            .await;
        assert_eq!(statuses.iter().filter(|(s, _)| *s == 201).count(), 10);
        assert!(statuses.iter().filter(|(s, _)| *s != 201).all(|(s, b)| *s == 409 && b["code"] == "insufficient_points"), "{statuses:?}");
        let mine = balance(&app, &w.resident_2).await;
        assert_eq!(mine["balance"], 0);
        assert_eq!(ledger_sum(&app, &w.household_2).await, 0);
        let items: Value = app.get_as(&w.resident_2, "/api/v1/store/items").await.json().await.unwrap();
        assert_eq!(items["items"][0]["stock"], 90);
        let redemptions: Value = app.get_as(&w.resident_2, "/api/v1/me/redemptions?limit=100").await.json().await.unwrap();
        assert_eq!(redemptions["items"].as_array().unwrap().len(), 10);
    }

    async fn the_ledger_adds_up_and_never_changes(app) {
        let w = World::build(&app).await;
        let soap = item(&app, &w, 10, 5).await;
        credit(&app, &w, &w.household_2, 50).await;
        // A retried redemption (same key) is charged once.
        let send = || app.client.post(app.url("/api/v1/store/redemptions")).bearer_auth(&w.resident_2)
            .header("Idempotency-Key", "soap-1").json(&json!({"item_id": soap, "quantity": 2})).send();
        let first = created(send().await.unwrap()).await;
        let again = created(send().await.unwrap()).await;
        assert_eq!(first["id"], again["id"]);
        assert_eq!(balance(&app, &w.resident_2).await["balance"], 30);
        let second = created(app.post_as(&w.staff_a, "/api/v1/store/redemptions", &json!({"item_id": soap, "household_id": w.household_2})).await).await;
        assert_eq!(balance(&app, &w.resident_2).await["balance"], 20);
        // Out of stock and a stranger's household.
        problem(app.post_as(&w.resident_2, "/api/v1/store/redemptions", &json!({"item_id": soap, "quantity": 3})).await, 409, "out_of_stock").await;
        problem(app.post_as(&w.resident_2, "/api/v1/store/redemptions", &json!({"item_id": soap, "household_id": w.household_1})).await, 404, "not_found").await;
        // Cancelling refunds and restocks; a handed-over redemption stays.
        let cancel = format!("/api/v1/store/redemptions/{}/cancel", first["id"].as_str().unwrap());
        problem(app.post_as(&w.resident_2, &cancel, &json!({})).await, 403, "forbidden").await;
        problem(app.post_as(&w.staff_b, &cancel, &json!({})).await, 404, "not_found").await;
        let cancelled: Value = app.post_as(&w.staff_a, &cancel, &json!({})).await.json().await.unwrap();
        assert_eq!(cancelled["status"], "cancelled");
        problem(app.post_as(&w.staff_a, &cancel, &json!({})).await, 409, "illegal_transition").await;
        let fulfil = format!("/api/v1/store/redemptions/{}/fulfil", second["id"].as_str().unwrap());
        assert_eq!(app.post_as(&w.staff_a, &fulfil, &json!({})).await.status(), 200);
        assert_eq!(balance(&app, &w.resident_2).await["balance"], 40);
        let items: Value = app.get_as(&w.staff_a, "/api/v1/store/items").await.json().await.unwrap();
        assert_eq!(items["items"][0]["stock"], 4);
        // A deduction larger than the balance takes it to zero and records the shortfall.
        let body = json!({"household_id": w.household_2, "points": 100, "reason": "乱堆杂物"});
        problem(app.post_as(&w.resident_2, "/api/v1/points/deductions", &body).await, 403, "forbidden").await;
        problem(app.post_as(&w.staff_b, "/api/v1/points/deductions", &body).await, 404, "not_found").await;
        let deducted = created(app.post_as(&w.staff_a, "/api/v1/points/deductions", &body).await).await;
        assert_eq!(deducted["amount"], -40);
        assert_eq!(deducted["shortfall"], 60);
        assert_eq!(deducted["balance_after"], 0);
        eventually("the household hears of the deduction", 10, || async {
            let inbox: Value = app.get_as(&w.resident_2, "/api/v1/me/notifications").await.json().await.unwrap();
            inbox["items"].as_array().unwrap().iter().any(|n| n["title"] == "积分扣减")
        })
        .await;
        let audit: Value = app.get_as(&w.site_admin_a, "/api/v1/audit-events").await.json().await.unwrap();
        assert!(audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "points.deduct"));
        // Every entry carries the balance after it, and they add up to the balance.
        let mine = balance(&app, &w.resident_2).await;
        let entries = mine["entries"]["items"].as_array().unwrap();
        let kinds: Vec<&str> = entries.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["deduction", "refund", "redemption", "redemption", "credit"]);
        assert_eq!(entries[0]["balance_after"], 0);
        assert_eq!(ledger_sum(&app, &w.household_2).await, 0);
        let staff_view: Value = app.get_as(&w.staff_a, &format!("/api/v1/households/{}/points", w.household_2)).await.json().await.unwrap();
        assert_eq!(staff_view["entries"]["items"].as_array().unwrap().len(), 5);
        problem(app.get_as(&w.staff_b, &format!("/api/v1/households/{}/points", w.household_2)).await, 404, "not_found").await;
        problem(app.get_as(&w.resident_1, &format!("/api/v1/households/{}/points", w.household_2)).await, 404, "not_found").await;
        // The database itself refuses to change or remove an entry, or to go negative.
        let id = entries[0]["id"].as_str().unwrap();
        let update = format!("UPDATE point_entry SET amount = 1000 WHERE id = '{id}'");
        let delete = "DELETE FROM point_entry";
        if app.db.conn().get_database_backend() == sea_orm::DbBackend::Postgres {
            assert!(app.db.writer().execute_unprepared(&update).await.is_err());
        } else {
            let blob = format!("UPDATE point_entry SET amount = 1000 WHERE id = X'{}'", id.replace('-', ""));
            assert!(app.db.writer().execute_unprepared(&blob).await.is_err());
        }
        assert!(app.db.writer().execute_unprepared(delete).await.is_err());
        assert!(app.db.writer().execute_unprepared("UPDATE point_account SET balance = -1").await.is_err());
    }
}

both_backends! {
    async fn seven_categories_with_ranges_a_site_admin_may_adjust(app) {
        let w = World::build(&app).await;
        let list: Value = app.get_as(&w.resident_2, "/api/v1/points/categories").await.json().await.unwrap();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 7);
        assert_eq!(list[0]["category"], "policy_savvy");
        assert_eq!(list[0]["title"], "争当政策明白人");
        let path = "/api/v1/points/categories/environment";
        let body = json!({"min_points": 2, "max_points": 15});
        problem(app.send_as(reqwest::Method::PUT, &w.staff_a, path, &body).await, 403, "forbidden").await;
        problem(app.send_as(reqwest::Method::PUT, &w.site_admin_a, "/api/v1/points/categories/moon", &body).await, 404, "not_found").await;
        let p = problem(app.send_as(reqwest::Method::PUT, &w.site_admin_a, path, &json!({"min_points": 9, "max_points": 3})).await, 422, "validation_failed").await;
        assert!(p["errors"]["max_points"].is_string(), "{p}");
        let set: Value = app.send_as(reqwest::Method::PUT, &w.site_admin_a, path, &body).await.json().await.unwrap();
        assert_eq!(set["customised"], true);
        let mine: Value = app.get_as(&w.resident_2, "/api/v1/points/categories").await.json().await.unwrap();
        let env = mine.as_array().unwrap().iter().find(|c| c["category"] == "environment").unwrap().clone();
        assert_eq!((env["min_points"].as_i64(), env["max_points"].as_i64()), (Some(2), Some(15)));
        // Site B keeps the defaults.
        let theirs: Value = app.get_as(&w.resident_b, "/api/v1/points/categories").await.json().await.unwrap();
        let env = theirs.as_array().unwrap().iter().find(|c| c["category"] == "environment").unwrap().clone();
        assert_eq!(env["customised"], false);
        problem(app.get_as(&w.admin, "/api/v1/points/categories").await, 422, "validation_failed").await;
        let admin: Value = app.get_as(&w.admin, &format!("/api/v1/points/categories?site_id={}", w.site_a)).await.json().await.unwrap();
        assert_eq!(admin.as_array().unwrap().len(), 7);
    }
}
