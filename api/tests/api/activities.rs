use std::collections::BTreeSet;

use entity::{activities::signup, people::synthetic, registry::resident};
use futures_util::{StreamExt, stream};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{World, created, inbox, new_site},
};

pub(crate) fn activity(
    site: &str,
    capacity: i32,
    starts_in_seconds: i64,
    lasts_seconds: i64,
) -> Value {
    let now = chrono::Utc::now();
    json!({
        "site_id": site, "title": "电商直播培训", "description": "学习开网店、直播带货，结业发证书。", "kind": "training",
        "place": "社区党群服务中心三楼", "capacity": capacity, "contact": "就业服务站 0398-7000000",
        "starts_at": (now + chrono::Duration::seconds(starts_in_seconds)).to_rfc3339(),
        "ends_at": (now + chrono::Duration::seconds(starts_in_seconds + lasts_seconds)).to_rfc3339(),
        "points": {"category": "policy_savvy", "amount": 5}
    })
}

async fn sign_up(
    app: &TestApp,
    token: &str,
    activity: &str,
    resident: Option<&str>,
) -> reqwest::Response {
    let body = match resident {
        Some(r) => json!({"resident_id": r}),
        None => json!({}),
    };
    app.post_as(
        token,
        &format!("/api/v1/activities/{activity}/signups"),
        &body,
    )
    .await
}

async fn cancel(app: &TestApp, token: &str, activity: &str, resident: &str) -> reqwest::Response {
    app.client
        .delete(app.url(&format!("/api/v1/activities/{activity}/signups/{resident}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn inbox_has(app: &TestApp, token: &str, title: &str) -> bool {
    inbox(app, token).await.iter().any(|n| n["title"] == title)
}

/// Residents' sign-ups of an activity, straight from the database.
async fn rows(app: &TestApp, activity: &str) -> Vec<signup::Model> {
    signup::Entity::find()
        .filter(signup::Column::ActivityId.eq(uuid::Uuid::parse_str(activity).unwrap()))
        .order_by_asc(signup::Column::WaitlistTicket)
        .all(app.db.conn())
        .await
        .unwrap()
}

/// A fresh site holding the synthetic Xingxianli (11,212 residents), and `n` of its residents.
async fn crowd(app: &TestApp, n: u64) -> (String, String, Vec<String>) {
    let (admin, site) = new_site(app).await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let csv = synthetic::to_csv(&synthetic::generate(7, today));
    let r = app
        .client
        .post(app.url(&format!("/api/v1/sites/{site}/residents/import")))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv.into_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let ids: Vec<uuid::Uuid> = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .order_by_asc(resident::Column::Id)
        .limit(n)
        .into_tuple()
        .all(app.db.conn())
        .await
        .unwrap();
    (admin, site, ids.iter().map(|i| i.to_string()).collect())
}

both_backends! {
    async fn a_residents_whole_story(app) {
        let w = World::build(&app).await;
        // Staff announce a training for group 1 with one seat, starting in 30 minutes.
        let mut body = activity(&w.site_a, 1, 1800, 3600);
        body["audience"] = json!({"group_ids": [w.group_1]});
        problem(app.post_as(&w.resident_2, "/api/v1/activities", &body).await, 403, "forbidden").await;
        problem(app.post_as(&w.staff_b, "/api/v1/activities", &body).await, 404, "not_found").await;
        let a = created(app.post_as(&w.staff_a, "/api/v1/activities", &body).await).await;
        let id = a["id"].as_str().unwrap().to_owned();
        assert_eq!(a["seats_left"], 1);
        // The leader (group 1) finds it; R2 (group 2) and RB (site B) do not.
        let found: Value = app.get_as(&w.leader, "/api/v1/activities?kind=training").await.json().await.unwrap();
        assert_eq!(found["items"].as_array().unwrap().len(), 1);
        let none: Value = app.get_as(&w.resident_2, "/api/v1/activities").await.json().await.unwrap();
        assert!(none["items"].as_array().unwrap().is_empty());
        problem(app.get_as(&w.resident_b, &format!("/api/v1/activities/{id}")).await, 404, "not_found").await;
        problem(sign_up(&app, &w.resident_2, &id, None).await, 404, "not_found").await;

        // The leader signs itself up and takes the seat; then signs up R1, an elderly neighbour,
        // who lands on the waiting list.
        let own = created(sign_up(&app, &w.leader, &id, None).await).await;
        assert_eq!(own["status"], "confirmed");
        assert_eq!(own["on_behalf"], false);
        problem(sign_up(&app, &w.leader, &id, None).await, 409, "already_signed_up").await;
        let r1 = created(sign_up(&app, &w.leader, &id, Some(&w.resident_1_id)).await).await;
        assert_eq!(r1["status"], "waitlisted");
        assert_eq!(r1["position"], 1);
        assert_eq!(r1["on_behalf"], true);
        let detail: Value = app.get_as(&w.staff_a, &format!("/api/v1/activities/{id}")).await.json().await.unwrap();
        assert_eq!(detail["seats_left"], 0);
        assert_eq!(detail["waitlist_length"], 1);
        let mine: Value = app.get_as(&w.resident_1, "/api/v1/me/signups").await.json().await.unwrap();
        assert_eq!(mine["items"][0]["position"], 1);

        // The leader cancels its own seat: R1 is promoted in the same transaction and told.
        let cancelled: Value = cancel(&app, &w.leader, &id, &w.leader_id).await.json().await.unwrap();
        assert_eq!(cancelled["status"], "cancelled");
        problem(cancel(&app, &w.leader, &id, &w.leader_id).await, 409, "illegal_transition").await;
        let mine: Value = app.get_as(&w.resident_1, "/api/v1/me/signups").await.json().await.unwrap();
        assert_eq!(mine["items"][0]["status"], "confirmed");
        assert!(mine["items"][0]["promoted_at"].is_string());
        eventually("R1 hears it has a seat", 10, || inbox_has(&app, &w.resident_1, "候补成功")).await;
        let audit: Value = app.get_as(&w.site_admin_a, "/api/v1/audit-events").await.json().await.unwrap();
        assert!(audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "activity.signup" && e["on_behalf_of"] == w.resident_1_id.as_str()));

        // At the door, staff scan R1's QR code; a second scan answers the same and counts once.
        let code = mine["items"][0]["code"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/activities/{id}/checkins");
        problem(app.post_as(&w.leader, &path, &json!({"code": code})).await, 403, "forbidden").await;
        problem(app.post_as(&w.staff_a, &path, &json!({"code": "nonsense"})).await, 422, "validation_failed").await;
        let first: Value = app.post_as(&w.staff_a, &path, &json!({"code": code})).await.json().await.unwrap();
        let second: Value = app.post_as(&w.staff_a, &path, &json!({"code": code})).await.json().await.unwrap();
        assert_eq!(first["status"], "attended");
        assert_eq!(first["checked_in_at"], second["checked_in_at"]);
        // The door says who came, and that the second scan is a repeat.
        assert_eq!((first["repeat"].as_bool(), second["repeat"].as_bool()), (Some(false), Some(true)));
        assert!(first["resident_name"].is_string(), "{first}");
        problem(app.post_as(&w.staff_a, &path, &json!({"resident_id": w.leader_id})).await, 409, "not_confirmed").await;
        // Attendance that awards points filed R1's claim once, already registered.
        let claims: Value = app.get_as(&w.leader, "/api/v1/points/claims?status=registered").await.json().await.unwrap();
        let filed = claims["items"].as_array().unwrap();
        assert_eq!(filed.len(), 1, "{claims}");
        assert_eq!(filed[0]["resident_id"], w.resident_1_id.as_str());
        assert_eq!(filed[0]["points"], 5);
        assert_eq!(filed[0]["category"], "policy_savvy");
        let attended: Value = app.get_as(&w.staff_a, &format!("/api/v1/activities/{id}/signups?status=attended")).await.json().await.unwrap();
        assert_eq!(attended["items"].as_array().unwrap().len(), 1);
        assert_eq!(attended["items"][0]["resident_id"], w.resident_1_id.as_str());
        assert_eq!(attended["items"][0]["resident_name"], first["resident_name"]);
        problem(app.get_as(&w.resident_1, &format!("/api/v1/activities/{id}/signups")).await, 403, "forbidden").await;

        // The same story for a resident on its own phone: a whole-site lecture with one seat.
        let lecture = created(app.post_as(&w.staff_a, "/api/v1/activities", &activity(&w.site_a, 1, 1800, 3600)).await).await;
        let lid = lecture["id"].as_str().unwrap().to_owned();
        let found: Value = app.get_as(&w.resident_2, "/api/v1/activities").await.json().await.unwrap();
        assert!(found["items"].as_array().unwrap().iter().any(|a| a["id"] == lid.as_str()));
        assert_eq!(created(sign_up(&app, &w.leader, &lid, None).await).await["status"], "confirmed");
        let waiting = created(sign_up(&app, &w.resident_2, &lid, None).await).await;
        assert_eq!(waiting["status"], "waitlisted");
        assert_eq!(waiting["position"], 1);
        assert_eq!(cancel(&app, &w.leader, &lid, &w.leader_id).await.status(), 200);
        eventually("R2 hears it has a seat", 10, || inbox_has(&app, &w.resident_2, "候补成功")).await;
        let mine: Value = app.get_as(&w.resident_2, "/api/v1/me/signups").await.json().await.unwrap();
        let seat = mine["items"].as_array().unwrap().iter().find(|s| s["activity_id"] == lid.as_str()).unwrap().clone();
        assert_eq!(seat["status"], "confirmed");
        let scanned: Value = app.post_as(&w.staff_a, &format!("/api/v1/activities/{lid}/checkins"), &json!({"code": seat["code"]})).await.json().await.unwrap();
        assert_eq!(scanned["status"], "attended");
        let mine: Value = app.get_as(&w.resident_2, "/api/v1/me/signups").await.json().await.unwrap();
        assert_eq!(mine["items"][0]["status"], "attended");
    }

    async fn seats_waiting_lists_and_windows(app) {
        let w = World::build(&app).await;
        let a = created(app.post_as(&w.staff_a, "/api/v1/activities", &activity(&w.site_a, 1, 3600, 3600)).await).await;
        let id = a["id"].as_str().unwrap().to_owned();
        // Capacity 1: the leader gets it, R1 and R2 wait in order.
        assert_eq!(created(sign_up(&app, &w.leader, &id, None).await).await["status"], "confirmed");
        assert_eq!(created(sign_up(&app, &w.staff_a, &id, Some(&w.resident_1_id)).await).await["position"], 1);
        assert_eq!(created(sign_up(&app, &w.resident_2, &id, None).await).await["position"], 2);
        // More seats promote at once; fewer than taken is refused.
        let path = format!("/api/v1/activities/{id}");
        let wider: Value = app.send_as(reqwest::Method::PATCH, &w.staff_a, &path, &json!({"capacity": 2})).await.json().await.unwrap();
        assert_eq!(wider["seats_left"], 0);
        let mine: Value = app.get_as(&w.resident_2, "/api/v1/me/signups").await.json().await.unwrap();
        assert_eq!(mine["items"][0]["position"], 1, "R2 moved up when R1 got the new seat");
        problem(app.send_as(reqwest::Method::PATCH, &w.staff_a, &path, &json!({"capacity": 1})).await, 409, "capacity_below_confirmed").await;
        problem(app.send_as(reqwest::Method::PATCH, &w.staff_a, &path, &json!({"capacity": 0})).await, 422, "validation_failed").await;
        // A new place and time reach everyone signed up; the waiting list stays while people wait.
        problem(app.send_as(reqwest::Method::PATCH, &w.staff_a, &path, &json!({"waitlist": false})).await, 409, "waitlist_not_empty").await;
        problem(app.send_as(reqwest::Method::PATCH, &w.resident_2, &path, &json!({"title": "改"})).await, 403, "forbidden").await;
        let later = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339();
        let p = problem(app.send_as(reqwest::Method::PATCH, &w.staff_a, &path, &json!({"starts_at": later})).await, 422, "validation_failed").await;
        assert!(p["errors"]["ends_at"].is_string(), "{p}");
        let moved: Value = app.send_as(reqwest::Method::PATCH, &w.staff_a, &path, &json!({"place": "社区文化广场", "title": "电商直播培训（第二期）"})).await.json().await.unwrap();
        assert_eq!(moved["place"], "社区文化广场");
        assert_eq!(moved["title"], "电商直播培训（第二期）");
        eventually("R2, still waiting, hears of the new place", 10, || inbox_has(&app, &w.resident_2, "活动变更")).await;
        // Leaving the waiting list is a cancel too, and a cancelled resident may sign up again.
        assert_eq!(cancel(&app, &w.resident_2, &id, &w.resident_2_id).await.status(), 200);
        assert_eq!(created(sign_up(&app, &w.resident_2, &id, None).await).await["status"], "waitlisted");
        // Without a waiting list a full activity says so; sign-up outside its window is closed.
        let mut strict = activity(&w.site_a, 1, 3600, 3600);
        strict["waitlist"] = json!(false);
        let strict = created(app.post_as(&w.staff_a, "/api/v1/activities", &strict).await).await;
        let strict = strict["id"].as_str().unwrap();
        assert_eq!(sign_up(&app, &w.leader, strict, None).await.status(), 201);
        problem(sign_up(&app, &w.resident_2, strict, None).await, 409, "activity_full").await;
        let mut later = activity(&w.site_a, 10, 7200, 3600);
        later["signup_opens_at"] = json!((chrono::Utc::now() + chrono::Duration::seconds(3600)).to_rfc3339());
        let later = created(app.post_as(&w.staff_a, "/api/v1/activities", &later).await).await;
        problem(sign_up(&app, &w.resident_2, later["id"].as_str().unwrap(), None).await, 409, "signup_closed").await;
        // Validation names the fields.
        let mut bad = activity(&w.site_a, 10, 3600, -10);
        bad["title"] = json!("");
        let p = problem(app.post_as(&w.staff_a, "/api/v1/activities", &bad).await, 422, "validation_failed").await;
        assert!(p["errors"]["ends_at"].is_string() && p["errors"]["title"].is_string(), "{p}");
        let mut foreign = activity(&w.site_a, 10, 3600, 3600);
        foreign["audience"] = json!({"group_ids": [w.group_b]});
        let p = problem(app.post_as(&w.staff_a, "/api/v1/activities", &foreign).await, 422, "validation_failed").await;
        assert!(p["errors"]["audience.group_ids"].is_string(), "{p}");
    }

    async fn reminders_and_attendance_follow_the_clock(app) {
        let w = World::build(&app).await;
        // Starts in 2 h 2 s: the 2-hour reminder falls due in about 2 s.
        let a = created(app.post_as(&w.staff_a, "/api/v1/activities", &activity(&w.site_a, 5, 7202, 3600)).await).await;
        let id = a["id"].as_str().unwrap().to_owned();
        sign_up(&app, &w.resident_2, &id, None).await;
        sign_up(&app, &w.leader, &id, None).await;
        assert_eq!(cancel(&app, &w.leader, &id, &w.leader_id).await.status(), 200);
        eventually("R2's reminder", 15, || inbox_has(&app, &w.resident_2, "活动提醒")).await;
        assert!(!inbox_has(&app, &w.leader, "活动提醒").await, "no reminder for a cancelled sign-up");
        // An activity that has just begun and ends in 3 s: R2 checks in, R1 does not come.
        let mut short = activity(&w.site_a, 5, 2, 3);
        short["signup_closes_at"] = json!((chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339());
        let short = created(app.post_as(&w.staff_a, "/api/v1/activities", &short).await).await;
        let sid = short["id"].as_str().unwrap().to_owned();
        assert_eq!(sign_up(&app, &w.resident_2, &sid, None).await.status(), 201);
        assert_eq!(sign_up(&app, &w.staff_a, &sid, Some(&w.resident_1_id)).await.status(), 201);
        let r = app.post_as(&w.staff_a, &format!("/api/v1/activities/{sid}/checkins"), &json!({"resident_id": w.resident_2_id})).await;
        assert_eq!(r.status(), 200);
        eventually("attendance recorded after the end", 20, || async {
            let list: Value = app.get_as(&w.staff_a, &format!("/api/v1/activities/{sid}/signups?status=no_show")).await.json().await.unwrap();
            list["items"].as_array().unwrap().len() == 1
        })
        .await;
        let mine: Value = app.get_as(&w.resident_1, "/api/v1/me/signups").await.json().await.unwrap();
        assert_eq!(mine["items"][0]["status"], "no_show");
        let mine: Value = app.get_as(&w.resident_2, "/api/v1/me/signups").await.json().await.unwrap();
        assert_eq!(mine["items"][0]["status"], "attended");
        problem(cancel(&app, &w.resident_2, &sid, &w.resident_2_id).await, 409, "illegal_transition").await;
    }

    async fn a_page_of_a_hundred_waiting_sign_ups_takes_a_handful_of_statements(app) {
        let (admin, site, residents) = crowd(&app, 110).await;
        let a = created(app.post_as(&admin, "/api/v1/activities", &activity(&site, 10, 3600, 3600)).await).await;
        let id = a["id"].as_str().unwrap().to_owned();
        for r in &residents {
            assert_eq!(sign_up(&app, &admin, &id, Some(r)).await.status(), 201);
        }
        let request_id = format!("n-plus-one-{}", uuid::Uuid::now_v7());
        let response = app
            .client
            .get(app.url(&format!("/api/v1/activities/{id}/signups?status=waitlisted&limit=100")))
            .bearer_auth(&admin)
            .header("x-request-id", &request_id)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        let places: BTreeSet<u64> = page["items"].as_array().unwrap().iter().map(|s| s["position"].as_u64().unwrap()).collect();
        assert_eq!(places, (1..=100).collect::<BTreeSet<u64>>());
        // The request's own log line counts the statements it ran (a query per item would be 100+).
        let logs = captured_logs();
        let line = logs
            .lines()
            .find(|l| l.contains(&request_id) && l.contains("request completed"))
            .unwrap_or_else(|| panic!("no log line for {request_id}"));
        let statements: u32 = line.split("statements=").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
        assert!((1..=8).contains(&statements), "{statements} statements: {line}");
    }

    async fn two_thousand_residents_for_a_hundred_seats(app) {
        let (admin, site, residents) = crowd(&app, 2_000).await;
        let a = created(app.post_as(&admin, "/api/v1/activities", &activity(&site, 100, 3600, 3600)).await).await;
        let id = a["id"].as_str().unwrap().to_owned();
        let results: Vec<(u16, Value)> = stream::iter(residents.iter())
            .map(|r| {
                let (app, admin, id) = (&app, &admin, &id);
                async move {
                    let response = sign_up(app, admin, id, Some(r)).await;
                    let status = response.status().as_u16();
                    (status, response.json::<Value>().await.unwrap_or(Value::Null))
                }
            })
            .buffer_unordered(64)
            .collect()
            .await;
        assert!(results.iter().all(|(s, _)| *s == 201), "{:?}", results.iter().find(|(s, _)| *s != 201));
        let confirmed = results.iter().filter(|(_, b)| b["status"] == "confirmed").count();
        let positions: BTreeSet<u64> = results.iter().filter(|(_, b)| b["status"] == "waitlisted").map(|(_, b)| b["position"].as_u64().unwrap()).collect();
        assert_eq!(confirmed, 100);
        assert_eq!(positions, (1..=1_900).collect::<BTreeSet<u64>>());
        let stored = rows(&app, &id).await;
        assert_eq!(stored.iter().filter(|s| s.status.as_str() == "confirmed").count(), 100);
        let detail: Value = app.get_as(&admin, &format!("/api/v1/activities/{id}")).await.json().await.unwrap();
        assert_eq!(detail["seats_left"], 0);
        assert_eq!(detail["waitlist_length"], 1_900);
    }

    async fn cancellations_and_sign_ups_racing_keep_every_seat_filled(app) {
        let (admin, site, residents) = crowd(&app, 120).await;
        let a = created(app.post_as(&admin, "/api/v1/activities", &activity(&site, 20, 3600, 3600)).await).await;
        let id = a["id"].as_str().unwrap().to_owned();
        for r in &residents[..60] {
            assert_eq!(sign_up(&app, &admin, &id, Some(r)).await.status(), 201);
        }
        // At once: 20 seat holders and 10 of the waiting cancel, 60 newcomers sign up.
        enum Op<'a> { Cancel(&'a str), SignUp(&'a str) }
        let mut ops: Vec<Op> = residents[..20].iter().map(|r| Op::Cancel(r)).collect();
        ops.extend(residents[40..50].iter().map(|r| Op::Cancel(r)));
        ops.extend(residents[60..].iter().map(|r| Op::SignUp(r)));
        let statuses: Vec<u16> = stream::iter(ops)
            .map(|op| {
                let (app, admin, id) = (&app, &admin, &id);
                async move {
                    match op {
                        Op::Cancel(r) => cancel(app, admin, id, r).await.status().as_u16(),
                        Op::SignUp(r) => sign_up(app, admin, id, Some(r)).await.status().as_u16(),
                    }
                }
            })
            .buffer_unordered(32)
            .collect()
            .await;
        assert!(statuses.iter().all(|s| *s == 200 || *s == 201), "{statuses:?}");
        let stored = rows(&app, &id).await;
        let confirmed = stored.iter().filter(|s| s.status.as_str() == "confirmed").count();
        let waiting: Vec<i32> = stored.iter().filter(|s| s.status.as_str() == "waitlisted").filter_map(|s| s.waitlist_ticket).collect();
        assert_eq!(confirmed, 20, "never over capacity, never a free seat while 80 wait");
        assert_eq!(waiting.len(), 120 - 30 - 20);
        let promoted = stored.iter().filter(|s| s.promoted_at.is_some()).count();
        assert_eq!(promoted, 20, "each freed seat went to exactly one person");
        let detail: Value = app.get_as(&admin, &format!("/api/v1/activities/{id}")).await.json().await.unwrap();
        assert_eq!(detail["seats_left"], 0);
        assert_eq!(detail["waitlist_length"], 70);
    }

    async fn a_resident_tapping_twice_at_once_gets_one_place(app) {
        let w = World::build(&app).await;
        let a = created(app.post_as(&w.staff_a, "/api/v1/activities", &activity(&w.site_a, 1, 3600, 3600)).await).await;
        let id = a["id"].as_str().unwrap().to_owned();
        let statuses: Vec<u16> = stream::iter(0..10)
            .map(|_| {
                let (app, w, id) = (&app, &w, &id);
                async move { sign_up(app, &w.resident_2, id, None).await.status().as_u16() }
            })
            .buffer_unordered(10)
            .collect()
            .await;
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 9, "{statuses:?}");
        let detail: Value = app.get_as(&w.staff_a, &format!("/api/v1/activities/{id}")).await.json().await.unwrap();
        assert_eq!(detail["seats_left"], 0);
        assert_eq!(detail["waitlist_length"], 0);
        // The next resident still gets the first waiting-list place: no ticket was lost.
        let next = created(sign_up(&app, &w.leader, &id, None).await).await;
        assert_eq!(next["position"], 1);
    }
}
