use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{World, created, id, id_card},
};

async fn list_ids(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().iter().map(id).collect()
}

both_backends! {
    async fn a_stored_gender_or_skill_list_nobody_knows_is_an_error_naming_it(app) {
        let w = World::build(&app).await;
        let path = format!("/api/v1/residents/{}", w.resident_1_id);
        assert_eq!(app.get_as(&w.staff_a, &path).await.status(), 200);
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use entity::registry::resident;
        let resident_id: uuid::Uuid = w.resident_1_id.parse().unwrap();
        // A newer release's value, or a corrupt row: never shown as another gender or no skills.
        for (column, value) in [
            (resident::Column::Gender, json!("unspec")),
            (resident::Column::Skills, json!("not a list")),
        ] {
            let before = resident::Entity::find_by_id(resident_id).one(app.db.writer()).await.unwrap().unwrap();
            let stored = match column {
                resident::Column::Gender => Expr::value(value.as_str().unwrap()),
                _ => Expr::value(value.clone()),
            };
            let changed = resident::Entity::update_many()
                .col_expr(column, stored)
                .filter(resident::Column::Id.eq(resident_id))
                .exec(app.db.writer())
                .await
                .unwrap();
            assert_eq!(changed.rows_affected, 1);
            problem(app.get_as(&w.staff_a, &path).await, 500, "internal").await;
            let logs = captured_logs();
            assert!(logs.contains(value.as_str().unwrap()), "the error names {value}");
            use sea_orm::ActiveModelTrait;
            let restore: resident::ActiveModel = before.into();
            restore.reset_all().update(app.db.writer()).await.unwrap();
            assert_eq!(app.get_as(&w.staff_a, &path).await.status(), 200);
        }
    }

    async fn staff_see_their_site_and_nothing_else(app) {
        let w = World::build(&app).await;
        assert_eq!(list_ids(&app, &w.staff_a, "/api/v1/sites").await, vec![w.site_a.clone()]);
        assert_eq!(list_ids(&app, &w.admin, "/api/v1/sites").await.len(), 2);
        let residents = list_ids(&app, &w.staff_a, "/api/v1/residents").await;
        assert_eq!(residents.len(), 3);
        assert!(!residents.contains(&w.resident_b_id));
        assert_eq!(list_ids(&app, &w.staff_b, "/api/v1/residents").await, vec![w.resident_b_id.clone()]);
        // Filters.
        assert_eq!(list_ids(&app, &w.staff_a, &format!("/api/v1/residents?household_id={}", w.household_2)).await, vec![w.resident_2_id.clone()]);
        assert_eq!(list_ids(&app, &w.staff_a, "/api/v1/households?low_income=true").await, vec![w.household_2.clone()]);
        assert_eq!(list_ids(&app, &w.staff_a, &format!("/api/v1/buildings?group_id={}", w.group_1)).await, vec![w.building_1.clone()]);
        // Working age (16–59): the leader (born 1975) and R2 (1990), not R1 (1950).
        let working = list_ids(&app, &w.staff_a, "/api/v1/residents?working_age=true").await;
        assert_eq!(working.len(), 2);
        assert!(!working.contains(&w.resident_1_id));
        // Paging.
        let page: Value = app.get_as(&w.staff_a, "/api/v1/residents?limit=2").await.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        let next = page["next_cursor"].as_str().unwrap();
        let rest = list_ids(&app, &w.staff_a, &format!("/api/v1/residents?limit=2&cursor={next}")).await;
        assert_eq!(rest.len(), 1);
    }

    async fn a_leader_sees_and_edits_only_its_groups(app) {
        let w = World::build(&app).await;
        assert_eq!(list_ids(&app, &w.leader, "/api/v1/groups").await, vec![w.group_1.clone()]);
        let residents = list_ids(&app, &w.leader, "/api/v1/residents").await;
        assert_eq!(residents.len(), 2, "the leader and R1, both in group 1");
        assert!(!residents.contains(&w.resident_2_id));
        problem(app.get_as(&w.leader, &format!("/api/v1/residents/{}", w.resident_2_id)).await, 404, "not_found").await;
        // Edits in its group are audited with the reason.
        let patch = json!({"employment_status": "unemployed", "skills": ["缝纫", "保洁", "缝纫"], "reason": "入户走访"});
        let r = app.send_as(reqwest::Method::PATCH, &w.leader, &format!("/api/v1/residents/{}", w.resident_1_id), &patch).await;
        assert_eq!(r.status(), 200);
        let updated: Value = r.json().await.unwrap();
        assert_eq!(updated["skills"], json!(["缝纫", "保洁"]));
        let r = app.send_as(reqwest::Method::PATCH, &w.leader, &format!("/api/v1/residents/{}", w.resident_2_id), &patch).await;
        problem(r, 404, "not_found").await;
        let audit: Value = app.get_as(&w.site_admin_a, "/api/v1/audit-events").await.json().await.unwrap();
        let event = &audit["items"][0];
        assert_eq!(event["action"], "resident.update");
        assert_eq!(event["reason"], "入户走访");
        assert_eq!(event["target_id"], w.resident_1_id.as_str());
        assert_eq!(event["actor_role"], "group_leader");
        assert_eq!(event["details"]["fields"], json!(["skills", "employment_status"]));
        // Leaders cannot create structure.
        problem(app.post_as(&w.leader, "/api/v1/buildings", &json!({"group_id": w.group_1, "name": "9号楼"})).await, 403, "forbidden").await;
    }

    async fn a_resident_reads_itself_and_its_household_only(app) {
        let w = World::build(&app).await;
        assert_eq!(list_ids(&app, &w.resident_1, "/api/v1/residents").await, vec![w.resident_1_id.clone()]);
        let household: Value = app.get_as(&w.resident_1, &format!("/api/v1/households/{}", w.household_1)).await.json().await.unwrap();
        assert_eq!(household["members"].as_array().unwrap().len(), 2);
        problem(app.get_as(&w.resident_1, &format!("/api/v1/residents/{}", w.leader_id)).await, 404, "not_found").await;
        problem(app.get_as(&w.resident_1, &format!("/api/v1/households/{}", w.household_2)).await, 404, "not_found").await;
        let r = app.send_as(reqwest::Method::PATCH, &w.resident_1, &format!("/api/v1/residents/{}", w.resident_1_id), &json!({"job_seeking": false})).await;
        problem(r, 403, "forbidden").await;
        assert!(list_ids(&app, &w.resident_1, "/api/v1/groups").await.is_empty());
    }

    async fn id_numbers_are_masked_and_reveals_are_audited(app) {
        let w = World::build(&app).await;
        let r: Value = app.get_as(&w.staff_a, &format!("/api/v1/residents/{}", w.resident_1_id)).await.json().await.unwrap();
        let masked = r["id_card_number"].as_str().unwrap();
        assert_eq!(masked, format!("{}****************{}", &w.resident_1_id_card[..1], &w.resident_1_id_card[17..]));
        for path in ["/api/v1/residents", &format!("/api/v1/households/{}", w.household_1), "/api/v1/audit-events"] {
            let text = app.get_as(&w.site_admin_a, path).await.text().await.unwrap();
            assert!(!text.contains(&w.resident_1_id_card), "{path} leaks the ID number");
        }
        // Only staff of the site may reveal, with a reason.
        let reveal = format!("/api/v1/residents/{}/id-card/reveal", w.resident_1_id);
        problem(app.post_as(&w.leader, &reveal, &json!({"reason": "x"})).await, 403, "forbidden").await;
        problem(app.post_as(&w.staff_b, &reveal, &json!({"reason": "核对"})).await, 404, "not_found").await;
        problem(app.post_as(&w.staff_a, &reveal, &json!({"reason": " "})).await, 422, "validation_failed").await;
        let revealed: Value = app.post_as(&w.staff_a, &reveal, &json!({"reason": "办理低保年审"})).await.json().await.unwrap();
        assert_eq!(revealed["id_card_number"], w.resident_1_id_card.as_str());
        let audit: Value = app.get_as(&w.site_admin_a, "/api/v1/audit-events").await.json().await.unwrap();
        assert_eq!(audit["items"][0]["action"], "resident.reveal_id_card");
        assert_eq!(audit["items"][0]["reason"], "办理低保年审");
        // Site B's admin never sees site A's trail; staff may not read it at all.
        problem(app.get_as(&w.staff_a, "/api/v1/audit-events").await, 403, "forbidden").await;
        // Nothing logged the full number.
        assert!(!captured_logs().contains(&w.resident_1_id_card));
    }

    async fn the_audit_trail_is_append_only_in_the_database(app) {
        use sea_orm::ConnectionTrait;
        let w = World::build(&app).await;
        let update = app.db.writer().execute_unprepared("UPDATE audit_event SET reason = 'rewritten'").await;
        assert!(update.is_err(), "UPDATE must fail");
        let delete = app.db.writer().execute_unprepared("DELETE FROM audit_event").await;
        assert!(delete.is_err(), "DELETE must fail");
        let audit: Value = app.get_as(&w.admin, "/api/v1/audit-events?limit=100").await.json().await.unwrap();
        assert!(audit["items"].as_array().unwrap().len() > 10);
    }

    async fn registration_validates_and_refuses_duplicates(app) {
        let w = World::build(&app).await;
        let card = id_card(21, (1982, 2, 2), true);
        let body = json!({"household_id": w.household_1, "name": "新居民", "id_card_number": card.expose(), "gender": "female"});
        let p = problem(app.post_as(&w.staff_a, "/api/v1/residents", &body).await, 422, "validation_failed").await;
        assert!(p["errors"]["gender"].is_string());
        let mut bad = card.expose().to_owned();
        bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
        let p = problem(app.post_as(&w.staff_a, "/api/v1/residents", &json!({"household_id": w.household_1, "name": "x", "id_card_number": bad, "phone": "123"})).await, 422, "validation_failed").await;
        assert!(p["errors"]["id_card_number"].is_string() && p["errors"]["phone"].is_string(), "{p}");
        let ok = json!({"household_id": w.household_1, "name": "新居民", "id_card_number": card.expose(), "disability": true, "disability_level": 2});
        let made = created(app.post_as(&w.staff_a, "/api/v1/residents", &ok).await).await;
        assert_eq!(made["gender"], "male");
        assert_eq!(made["birth_date"], "1982-02-02");
        problem(app.post_as(&w.staff_a, "/api/v1/residents", &ok).await, 409, "duplicate_id_card").await;
        // Another site may register the same person (a move between sites is a new registration).
        let other = json!({"household_id": w.household_b, "name": "新居民", "id_card_number": card.expose()});
        created(app.post_as(&w.staff_b, "/api/v1/residents", &other).await).await;
        // Structure names are unique where they must be.
        problem(app.post_as(&w.staff_a, "/api/v1/groups", &json!({"committee_id": w.committee_a, "name": "1组"})).await, 409, "duplicate_name").await;
        problem(app.post_as(&w.staff_a, "/api/v1/households", &json!({"building_id": w.building_1, "label": "1-101"})).await, 409, "duplicate_label").await;
        problem(app.post_as(&w.staff_a, "/api/v1/groups", &json!({"committee_id": w.committee_b, "name": "新组"})).await, 422, "validation_failed").await;
    }

    async fn creating_posts_honour_idempotency_keys(app) {
        let w = World::build(&app).await;
        let post = |key: &'static str, name: &'static str| {
            app.client
                .post(app.url("/api/v1/buildings"))
                .bearer_auth(&w.staff_a)
                .header("idempotency-key", key)
                .json(&json!({"group_id": w.group_2, "name": name}))
                .send()
        };
        let first = created(post("b-1", "3号楼").await.unwrap()).await;
        let again = post("b-1", "3号楼").await.unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(created(again).await, first);
        problem(post("b-1", "4号楼").await.unwrap(), 422, "idempotency_key_reused").await;
        // Keys are per account: the same key from another caller is independent.
        let other = app
            .client
            .post(app.url("/api/v1/sites"))
            .bearer_auth(&w.admin)
            .header("idempotency-key", "b-1")
            .json(&json!({"name": "第三社区", "code": "third"}))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 201);
        assert_eq!(list_ids(&app, &w.staff_a, &format!("/api/v1/buildings?group_id={}", w.group_2)).await.len(), 2);
    }

    async fn appointing_a_leader_takes_effect_at_once(app) {
        let w = World::build(&app).await;
        // R2 becomes leader of group 2 and sees group 2's residents with the token it already has.
        assert_eq!(list_ids(&app, &w.resident_2, "/api/v1/groups").await.len(), 0);
        let r = app.send_as(reqwest::Method::PUT, &w.staff_a, &format!("/api/v1/groups/{}/leader", w.group_2), &json!({"resident_id": w.resident_2_id})).await;
        assert_eq!(r.status(), 200);
        assert_eq!(list_ids(&app, &w.resident_2, "/api/v1/groups").await, vec![w.group_2.clone()]);
        let me: Value = app.get_as(&w.resident_2, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "group_leader");
        // A resident of another site cannot be appointed.
        let r = app.send_as(reqwest::Method::PUT, &w.staff_a, &format!("/api/v1/groups/{}/leader", w.group_2), &json!({"resident_id": w.resident_b_id})).await;
        problem(r, 422, "validation_failed").await;
    }
}
